// Instruction templates' {{variables}} (issue 19 §2): the grammar's names
// render from the call's context (table-driven), an empty value speaks the
// declared default or nothing (never the raw braces), the validator refuses
// unknown, malformed and undeclared variables and defaults of the wrong type
// naming the field and the variable, the system templates pass it, and BOTH
// brains open with the contact's name and a lead column (the LLM brain's
// request carries the rendered system prompt).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "brain/instruction_template.hpp"
#include "brain/llm_brain.hpp"
#include "brain/script_template.hpp"
#include "brain/scripted_brain.hpp"
#include "core/time.hpp"
#include "model/builtin_instruction_templates.hpp"
#include "support/replay_server.hpp"

namespace voqo::brain {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

CallContext context() {
  CallContext c;
  c.call_id = "call-1";
  c.agent_name = "Ava";
  c.contact_name = "Jane Doe";
  c.contact_phone = "+14155550123";
  c.campaign_name = "Spring listings";
  c.variables = {{"Company", "Acme Realty"}, {"budget", 450000}, {"city", ""}, {"first_name", "Janie"}};
  c.time_zone = "America/New_York";
  c.now = *parse_iso8601("2025-03-04T03:05:00Z");  // still March 3rd, 10:05 PM in New York
  return c;
}

std::vector<TemplateVariable> declared() {
  auto v = parse_template_variables(json::parse(R"([
    {"name": "offer", "type": "string", "default": "a free valuation"},
    {"name": "city", "type": "string", "default": "your area"},
    {"name": "visits", "type": "number", "default": 2},
    {"name": "deadline", "type": "date", "default": "2026-01-15"},
    {"name": "vip", "type": "boolean", "default": true},
    {"name": "note", "type": "string"}])"));
  EXPECT_TRUE(v) << v.error().message;
  return v ? *v : std::vector<TemplateVariable>{};
}

struct RenderCase {
  const char* text;
  const char* want;
};

TEST(InstructionTemplate, RendersEveryNameOfTheGrammar) {
  const RenderCase cases[] = {
      {"Hi {{contact.name}}.", "Hi Jane Doe."},
      {"Hi {{ contact.first_name }}!", "Hi Janie!"},  // the lead's first_name column wins over the name's first word
      {"Call {{contact.phone}}.", "Call +14155550123."},
      {"At {{lead.company}}?", "At Acme Realty?"},       // column matched ignoring case
      {"Budget {{lead.budget}}.", "Budget 450000."},     // numbers as written
      {"For {{campaign.name}}.", "For Spring listings."},
      {"I'm {{agent.name}}.", "I'm Ava."},
      {"Today is {{now:date}}.", "Today is March 3, 2025."},  // the callee's zone, not UTC's March 4
      {"It is {{now:time}}.", "It is 10:05 PM."},
      {"We offer {{vars.offer}}.", "We offer a free valuation."},  // declared default
      {"We offer {{offer}}.", "We offer a free valuation."},
      {"In {{lead.city}}.", "In your area."},              // empty column → the declaration's default
      {"Visits: {{visits}}.", "Visits: 2."},
      {"By {{deadline}}.", "By January 15, 2026."},
      {"VIP: {{vip}}.", "VIP: yes."},
      {"Hello {{note}}, how are you?", "Hello, how are you?"},  // empty, no default: tidied, never the braces
      {"Unknown {{lead.missing}} column.", "Unknown column."},
      {"Legacy {{contact_name}} and {single}.", "Legacy Jane Doe and {single}."},  // single braces are text here
      {"No variables { at all }", "No variables { at all }"},
  };
  const auto vars = declared();
  for (const auto& c : cases) EXPECT_EQ(render_template(c.text, context(), vars), c.want) << c.text;
}

TEST(InstructionTemplate, UtcWhenTheZoneIsUnknownAndValuesOfTheCall) {
  CallContext c = context();
  c.time_zone = "Nowhere/Special";
  EXPECT_EQ(render_template("{{now:date}} {{now:time}}", c, {}), "March 4, 2025 3:05 AM");
  c.variables["offer"] = "two tickets";  // a call variable named like a custom one fills it
  EXPECT_EQ(render_template("{{offer}}", c, declared()), "two tickets");
  c.template_variables = json::parse(R"([{"name":"offer","type":"string","default":"x"}])");
  c.variables.erase("offer");
  EXPECT_EQ(render_template("{{vars.offer}}", c), "x");  // declarations from the context
}

TEST(InstructionTemplate, ScriptSubstituteUnderstandsTheNewNamesAndKeepsTheOld) {
  const CallContext c = context();
  EXPECT_EQ(substitute("Hi {contact_name}, from {{lead.company}} on {{now:date}}.", c),
            "Hi Jane Doe, from Acme Realty on March 3, 2025.");
  EXPECT_EQ(substitute("Hi {first_name}.", c), "Hi Janie.");
}

struct InvalidCase {
  const char* text;
  const char* variable;  ///< the message must name it
};

TEST(InstructionTemplate, ValidatorNamesTheFieldAndTheVariable) {
  const auto vars = declared();
  const InvalidCase cases[] = {
      {"Hi {{contact.age}}", "contact.age"},
      {"Hi {{campaign.id}}", "campaign.id"},
      {"Hi {{now:year}}", "now:year"},
      {"Hi {{undeclared}}", "undeclared"},
      {"Hi {{vars.nope}}", "nope"},
      {"Hi {{contact.name", "{{"},
      {"Hi {{}}", "{{}}"},
      {"Hi {{ two words }}", "two words"},
      {"Hi {{lead.}}", "lead."},
      {"Hi {{a{{b}}", "a{{b"},
  };
  for (const auto& c : cases) {
    auto r = validate_template_text(c.text, vars, "greetingMessage");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    ASSERT_EQ(r.error().fields.size(), 1u) << c.text;
    EXPECT_EQ(r.error().fields[0].field, "greetingMessage") << c.text;
    EXPECT_NE(r.error().fields[0].message.find(c.variable), std::string::npos) << c.text << ": " << r.error().fields[0].message;
  }
  for (const char* ok : {"Hi {{contact.name}} of {{lead.Company Name}} on {{now:date}} ({{offer}}, {{vars.visits}})",
                         "No variables, {single} braces", "{{contact_name}} {{first_name}} {{agent_name}}"})
    EXPECT_TRUE(validate_template_text(ok, vars, "content")) << ok;
}

struct DeclarationCase {
  const char* variables;
  const char* field;
};

TEST(InstructionTemplate, DeclarationsAreTypedAndTheirDefaultsChecked) {
  const DeclarationCase cases[] = {
      {R"({"name":"x"})", "variables"},
      {R"([{"type":"string"}])", "variables[0].name"},
      {R"([{"name":"9lives"}])", "variables[0].name"},
      {R"([{"name":"a"},{"name":"a"}])", "variables[1].name"},
      {R"([{"name":"a","type":"text"}])", "variables[0].type"},
      {R"([{"name":"a","type":"number","default":"3"}])", "variables[0].default"},
      {R"([{"name":"a","type":"boolean","default":1}])", "variables[0].default"},
      {R"([{"name":"a","type":"date","default":"2026-02-30"}])", "variables[0].default"},
      {R"([{"name":"a","type":"string","default":5}])", "variables[0].default"},
      {R"([{"name":"a","colour":"red"}])", "variables[0].colour"},
  };
  for (const auto& c : cases) {
    auto r = parse_template_variables(json::parse(c.variables));
    ASSERT_FALSE(r) << c.variables;
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].field, c.field) << c.variables;
  }
  // The bounds: at most 100 variables, names of at most 64 characters, descriptions of at most 500.
  json many = json::array(), most = json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"name", "v" + std::to_string(i)}});
  for (int i = 0; i < 100; ++i) most.push_back({{"name", "v" + std::to_string(i)}});
  EXPECT_TRUE(parse_template_variables(most));
  auto too_many = parse_template_variables(many);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().fields.at(0).field, "variables");
  EXPECT_TRUE(parse_template_variables(json::array({{{"name", std::string(64, 'a')}}})));
  auto long_name = parse_template_variables(json::array({{{"name", std::string(65, 'a')}}}));
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error().fields.at(0).field, "variables[0].name");
  auto long_text = parse_template_variables(json::array({{{"name", "a"}, {"description", std::string(501, 'd')}}}));
  ASSERT_FALSE(long_text);
  EXPECT_EQ(long_text.error().fields.at(0).field, "variables[0].description");
  auto ok = parse_template_variables(json::parse(R"([{"name":"a","type":"date","default":"2026-02-28","description":"d"}])"));
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)[0].type, VariableType::date);
}

TEST(InstructionTemplate, SystemTemplatesPassTheValidator) {
  ASSERT_EQ(model::builtin_instruction_templates().size(), 3u);
  for (const json& t : model::builtin_instruction_templates()) {
    auto vars = parse_template_variables(t["variables"]);
    ASSERT_TRUE(vars) << t["name"];
    EXPECT_TRUE(validate_template_text(t["content"].get<std::string>(), *vars, "content")) << t["name"];
    CallContext c = context();
    c.template_variables = t["variables"];
    const std::string text = render_template(t["content"].get<std::string>(), c);
    EXPECT_EQ(text.find("{{"), std::string::npos) << text;
    EXPECT_EQ(text.find("}}"), std::string::npos) << text;
  }
}

// --- Both brains speak the contact's name and a lead column. ---

CallContext templated_call() {
  CallContext c = context();
  c.system_prompt = "You are {{agent.name}}, calling {{contact.name}} of {{lead.company}} about {{vars.offer}}.";
  c.greeting = "Hi {{contact.first_name}}, this is {{agent.name}} for {{lead.company}}. Do you have a minute?";
  c.template_variables = json::parse(R"([{"name":"offer","type":"string","default":"a free valuation"}])");
  return c;
}

TEST(InstructionTemplate, ScriptedBrainGreetsWithTheContactsNameAndLeadColumn) {
  ScriptedBrain brain(templated_call());
  std::vector<std::string> said;
  auto reply = brain.greet([&](std::string_view s) { said.emplace_back(s); return true; }, {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_NE(reply->text.find("Hi Janie, this is Ava for Acme Realty."), std::string::npos) << reply->text;
  EXPECT_EQ(reply->text.find("{"), std::string::npos) << reply->text;
  ASSERT_FALSE(said.empty());
  EXPECT_NE(said.front().find("Janie"), std::string::npos);
}

TEST(InstructionTemplate, LlmBrainGreetsWithTheNameAndSendsTheRenderedPrompt) {
  test::ReplayExchange ex{"POST", "/v1/chat/completions", "", {}, 5ms};
  ex.chunks = {"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
               "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Great.\"},\"finish_reason\":null}]}\n\n",
               "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n", "data: [DONE]\n\n"};
  test::ReplayServer llm({ex});
  LlmBrainConfig cfg;
  cfg.base_url = llm.base_url();
  cfg.api_key = "sk-test";
  cfg.model = "gpt-4o-mini";
  LlmBrain brain(cfg, templated_call());
  std::vector<std::string> said;
  auto greeting = brain.greet([&](std::string_view s) { said.emplace_back(s); return true; }, {});
  ASSERT_TRUE(greeting) << greeting.error().message;
  EXPECT_NE(greeting->text.find("Hi Janie, this is Ava for Acme Realty."), std::string::npos) << greeting->text;
  EXPECT_EQ(greeting->text.find("{{"), std::string::npos);

  auto reply = brain.respond("Sure, go ahead.", [](std::string_view) { return true; }, {});
  ASSERT_TRUE(reply) << reply.error().message;
  auto got = llm.requests();
  ASSERT_EQ(got.size(), 1u);
  const json body = json::parse(got[0].body);
  const std::string system = body["messages"][0]["content"];
  EXPECT_TRUE(system.starts_with("You are Ava, calling Jane Doe of Acme Realty about a free valuation.")) << system;
  EXPECT_EQ(system.find("{{"), std::string::npos) << system;
  // The greeting the caller heard is the assistant's first turn, rendered.
  EXPECT_EQ(body["messages"][1]["role"], "assistant");
  EXPECT_NE(body["messages"][1]["content"].get<std::string>().find("Janie"), std::string::npos);
}

}  // namespace
}  // namespace voqo::brain
