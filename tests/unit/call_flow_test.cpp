// Call flows and script templates as data (issue 18 §5), brain side: a
// template row becomes a script, {{variables}} are filled from the contact
// and the lead's columns, the scripted brain walks a campaign's flow step by
// step (its phases are the steps' names), an LLM agent's system prompt holds
// its current step's script, and the time in each step is measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "brain/call_flow.hpp"
#include "brain/llm_brain.hpp"
#include "brain/scripted_brain.hpp"
#include "model/builtin_scripts.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

CallContext context() {
  CallContext ctx;
  ctx.call_id = "call-1";
  ctx.agent_name = "Ava";
  ctx.contact_name = "Maria Lopez";
  ctx.purpose = "sales";
  ctx.script_template = "custom";
  ctx.variables = {{"Company", "Acme Rentals"}, {"units", 12}, {"city", "Austin"}};
  return ctx;
}

json sales_row() {
  return {{"id", "tpl-1"},
          {"name", "rentals"},
          {"opening", "Hi {{first_name}}, this is {{agent_name}} with {{company}}. Got a minute?"},
          {"discoveryQuestions", {"You manage {{units}} units in {{city}}, right?", "Who handles repairs today?"}},
          {"valueProposition", "We cut repair calls in half. Would that help?"},
          {"objectionResponses",
           {{{"objection", "price"}, {"response", "It pays for itself in a month. Worth a look?"}},
            {{"objection", "budget freeze"}, {"response", "We can start next quarter. Fair?"}}}},
          {"closing", "Can we book a demo? What day works?"},
          {"voicemail", "Hi {{first_name}}, Ava here."}};
}

std::shared_ptr<const CallFlow> flow_of(const json& rows) { return std::make_shared<const CallFlow>(call_flow_from_rows(rows)); }

struct Walk {
  explicit Walk(CallContext ctx) : brain(std::move(ctx)) {}
  Reply greet() { return *brain.greet({}, {}); }
  Reply say(std::string_view text) { return *brain.respond(text, {}, {}); }
  ScriptedBrain brain;
};

TEST(ScriptTemplateRow, RowBecomesScriptAndUnknownObjectionsAreKeptForTheLlm) {
  const ScriptTemplate t = script_template_from_row(sales_row());
  EXPECT_EQ(t.name, "rentals");
  ASSERT_EQ(t.discovery.size(), 2u);
  EXPECT_EQ(t.objections.at(Objection::price), "It pays for itself in a month. Worth a look?");
  // Categories the row does not answer take the generic script's.
  EXPECT_EQ(t.objections.at(Objection::no_time), builtin_template("custom").objections.at(Objection::no_time));
  ASSERT_EQ(t.other_objections.size(), 1u);
  EXPECT_EQ(t.other_objections[0].first, "budget freeze");
}

TEST(ScriptTemplateRow, DoubleBraceVariablesComeFromTheContactAndTheLeadColumns) {
  const CallContext ctx = context();
  EXPECT_EQ(substitute("Hi {{first_name}}, {{Company}} has {{units}} units in {{city}}.", ctx),
            "Hi Maria, Acme Rentals has 12 units in Austin.");
  EXPECT_EQ(substitute("Hi {contact_name}.", ctx), "Hi Maria Lopez.");    // the older single-brace form still works
  EXPECT_EQ(substitute("Hi {{unknown_column}}, hello.", ctx), "Hi, hello.");  // unknown: empty, text tidied
  EXPECT_EQ(substitute("{{ not closed", ctx), "{{ not closed");
}

TEST(ScriptTemplateRow, BuiltinsAreTheSeededRows) {
  for (const json& row : model::builtin_script_templates()) {
    const ScriptTemplate from_row = script_template_from_row(row);
    const ScriptTemplate builtin = builtin_template(row["name"].get<std::string>());
    EXPECT_EQ(builtin.opening, from_row.opening) << row["name"];
    EXPECT_EQ(builtin.discovery, from_row.discovery) << row["name"];
    EXPECT_EQ(builtin.closing, from_row.closing) << row["name"];
    EXPECT_EQ(builtin.objections.size(), 4u) << row["name"];
  }
  EXPECT_EQ(model::builtin_script_templates().size(), 3u);
  EXPECT_TRUE(contains(builtin_template("property_sales").value_proposition, "valuation"));
}

TEST(ScriptedBrainFlow, WalksTheStepsInOrderSpeakingEachStepsPart) {
  CallContext ctx = context();
  json rows = json::array({
      {{"phase", "opening"}, {"scriptTemplate", sales_row()}},
      {{"phase", "qualification"}, {"fallbackScript", "How many of those units are vacant, {{first_name}}?"}, {"scriptTemplate", nullptr}},
      {{"phase", "value_proposition"}, {"scriptTemplate", sales_row()}},
      {{"phase", "objection_handling"}, {"scriptTemplate", sales_row()}},
      {{"phase", "book_demo"}, {"fallbackScript", "Shall we book it now? What day suits you?"}},
  });
  // "book_demo" is a question step; a closing step is named closing.
  rows[4]["phase"] = "closing";
  ctx.call_flow = flow_of(rows);
  Walk w(ctx);

  Reply r = w.greet();
  EXPECT_EQ(r.text, "Hi Maria, this is Ava with Acme Rentals. Got a minute?");
  EXPECT_EQ(r.phase, "opening");

  r = w.say("yes sure");
  EXPECT_TRUE(contains(r.text, "How many of those units are vacant, Maria?")) << r.text;
  EXPECT_EQ(r.phase, "qualification");

  r = w.say("about three of them");
  EXPECT_TRUE(contains(r.text, "We cut repair calls in half. Would that help?")) << r.text;
  EXPECT_EQ(r.phase, "value_proposition");

  r = w.say("it's too expensive");
  EXPECT_TRUE(contains(r.text, "It pays for itself in a month.")) << r.text;
  EXPECT_EQ(r.phase, "objection_handling");
  EXPECT_EQ(w.brain.phase(), "objection_handling");

  r = w.say("okay yes");
  EXPECT_TRUE(contains(r.text, "Shall we book it now? What day suits you?")) << r.text;
  EXPECT_EQ(r.phase, "closing");
}

TEST(ScriptedBrainFlow, QuestionStepsAreAskedInDisplayOrderWithTheirOwnNames) {
  CallContext ctx = context();
  ctx.call_flow = flow_of(json::array({
      {{"phase", "Budget check"}, {"fallbackScript", "Do you have a budget for this?"}},
      {{"phase", "discovery"}, {"scriptTemplate", sales_row()}},
  }));
  Walk w(ctx);
  Reply r = w.greet();
  // No opening step: the agent's own script opens, under the usual name.
  EXPECT_EQ(r.text, substitute(builtin_template("custom").opening, ctx));
  EXPECT_EQ(r.phase, "opening");
  r = w.say("yes");
  EXPECT_TRUE(contains(r.text, "Do you have a budget for this?")) << r.text;
  EXPECT_EQ(r.phase, "Budget check");
  r = w.say("yes we do");
  EXPECT_TRUE(contains(r.text, "You manage 12 units in Austin, right?")) << r.text;
  EXPECT_EQ(r.phase, "discovery");
  r = w.say("yes that is right");
  EXPECT_TRUE(contains(r.text, "Who handles repairs today?")) << r.text;
  EXPECT_EQ(r.phase, "discovery");
}

TEST(ScriptedBrainFlow, WithoutAFlowThePhasesAreTheScriptsOwn) {
  Walk w(context());
  EXPECT_EQ(w.greet().phase, "opening");
  EXPECT_EQ(w.say("yes").phase, "discovery");
}

TEST(ScriptedBrainFlow, VoicemailComesFromTheFlowsTemplate) {
  CallContext ctx = context();
  ctx.call_flow = flow_of(json::array({{{"phase", "opening"}, {"scriptTemplate", sales_row()}}}));
  Walk w(ctx);
  w.greet();
  const Reply r = w.say("Hi, you've reached Maria. Please leave a message after the tone.");
  EXPECT_EQ(r.outcome, Outcome::voicemail);
  EXPECT_EQ(r.text, "Hi Maria, Ava here.");
}

// Issue 18 §5: skipConditions and successCriteria drive the scripted walk.
json conditional_flow(const json& ownership_skip, const json& ownership_success) {
  return json::array({
      {{"phase", "opening"}, {"scriptTemplate", sales_row()}},
      {{"phase", "ownership"},
       {"fallbackScript", "Do you own the property?"},
       {"skipConditions", ownership_skip},
       {"successCriteria", ownership_success}},
      {{"phase", "units"}, {"fallbackScript", "How many units do you have?"}},
      {{"phase", "closing"}, {"fallbackScript", "Shall we book a demo? What day suits you?"}},
  });
}

std::map<std::string, std::string> step_results(ScriptedBrain& brain) {
  std::map<std::string, std::string> out;
  const auto result = brain.finish({}, {});
  EXPECT_TRUE(result.has_value());
  if (result)
    for (const auto& s : result->flow_steps) out[s.phase] = s.result;
  return out;
}

TEST(ScriptedBrainFlow, AStepWhoseSkipConditionMatchesAVariableIsNeverSaid) {
  for (const bool owner_known : {true, false}) {
    CallContext ctx = context();
    if (owner_known) ctx.variables["Owner"] = " YES ";
    ctx.call_flow = flow_of(conditional_flow({{{"variable", "owner"}, {"equals", "yes"}}}, nullptr));
    Walk w(ctx);
    std::vector<std::string> phases = {w.greet().phase};
    std::string said;
    for (const char* answer : {"yes sure", "yes i do", "about twelve", "not right now thanks"}) {
      const Reply r = w.say(answer);
      said += r.text + "\n";
      phases.push_back(r.phase);
    }
    const bool asked = contains(said, "Do you own the property?");
    const bool entered = std::find(phases.begin(), phases.end(), "ownership") != phases.end();
    EXPECT_EQ(asked, !owner_known) << said;
    EXPECT_EQ(entered, !owner_known);
    EXPECT_TRUE(contains(said, "How many units do you have?")) << said;
    EXPECT_EQ(step_results(w.brain)["ownership"], owner_known ? "skipped" : "reached");
    EXPECT_EQ(step_results(w.brain)["units"], "reached");
  }
}

TEST(ScriptedBrainFlow, AStepIsSkippedWhenItsIntentWasHeardEarlier) {
  CallContext ctx = context();
  ctx.call_flow = flow_of(conditional_flow({{{"intentHeard", "no"}}}, nullptr));
  Walk w(ctx);
  w.greet();
  // "no" to "Got a minute?" would ask for a callback time; a statement then a no reaches ownership only once heard.
  Reply r = w.say("yes go ahead");
  EXPECT_TRUE(contains(r.text, "Do you own the property?")) << r.text;  // no "no" heard yet

  CallContext heard = context();
  heard.call_flow = flow_of(json::array({
      {{"phase", "opening"}, {"scriptTemplate", sales_row()}},
      {{"phase", "rent"}, {"fallbackScript", "Do you rent any of them out?"}},
      {{"phase", "ownership"}, {"fallbackScript", "Do you own the property?"}, {"skipConditions", {{"intentHeard", "no"}}}},
      {{"phase", "units"}, {"fallbackScript", "How many units do you have?"}},
  }));
  Walk h(heard);
  h.greet();
  EXPECT_TRUE(contains(h.say("yes").text, "Do you rent any of them out?"));
  r = h.say("no");
  EXPECT_FALSE(contains(r.text, "Do you own the property?")) << r.text;
  EXPECT_TRUE(contains(r.text, "How many units do you have?")) << r.text;
  EXPECT_EQ(r.phase, "units");
}

TEST(ScriptedBrainFlow, ASkippedOpeningIntroducesTheCallAndGoesOn) {
  CallContext ctx = context();
  json rows = conditional_flow(nullptr, nullptr);
  rows[0]["skipConditions"] = {{"variable", "contact_name"}, {"exists", true}};
  ctx.call_flow = flow_of(rows);
  Walk w(ctx);
  const Reply r = w.greet();
  EXPECT_FALSE(contains(r.text, "Got a minute?")) << r.text;
  EXPECT_TRUE(contains(r.text, "Hi Maria Lopez, this is Ava from Acme Rentals.")) << r.text;
  EXPECT_TRUE(contains(r.text, "Do you own the property?")) << r.text;
  EXPECT_EQ(r.phase, "ownership");
}

TEST(ScriptedBrainFlow, SuccessCriteriaRepeatsTheQuestionUntilMetOrMaxTurns) {
  struct Case {
    const char* name;
    std::vector<std::string> answers;  ///< after "yes" to the opening
    int repeats;                       ///< times the ownership question is asked again
    const char* result;
  };
  const std::vector<Case> cases = {
      {"yes at once", {"yes i do"}, 0, "met"},
      {"no then yes", {"no", "yes"}, 1, "met"},
      {"no twice: maxTurns 2 reached", {"no", "nope"}, 1, "not_met"},
      {"no then silence", {"no", ""}, 1, "not_met"},
      {"unclear then no", {"um", "no"}, 1, "not_met"},
  };
  for (const auto& c : cases) {
    CallContext ctx = context();
    ctx.call_flow = flow_of(conditional_flow(nullptr, {{"intent", "yes"}}));
    Walk w(ctx);
    w.greet();
    ASSERT_TRUE(contains(w.say("yes").text, "Do you own the property?")) << c.name;
    int repeats = 0;
    Reply r;
    for (std::size_t i = 0; i < c.answers.size(); ++i) {
      r = w.say(c.answers[i]);
      const bool last = i + 1 == c.answers.size();
      if (contains(r.text, "Do you own the property?")) ++repeats;
      if (!last) {
        EXPECT_EQ(r.phase, "ownership") << c.name << ": " << r.text;
        EXPECT_FALSE(contains(r.text, "How many units")) << c.name << ": " << r.text;
      }
    }
    EXPECT_EQ(repeats, c.repeats) << c.name;
    EXPECT_TRUE(contains(r.text, "How many units do you have?")) << c.name << ": " << r.text;
    EXPECT_EQ(r.phase, "units") << c.name;
    EXPECT_EQ(step_results(w.brain)["ownership"], c.result) << c.name;
  }
}

TEST(ScriptedBrainFlow, SuccessCriteriaAsksAgainThenSaysTheStepsFallback) {
  CallContext ctx = context();
  json own = sales_row();
  own["discoveryQuestions"] = {"Do you own the property?"};
  json rows = conditional_flow(nullptr, {{"anyIntent", {"yes", "statement"}}, {"maxTurns", 3}});
  rows[1]["scriptTemplate"] = own;
  rows[1]["fallbackScript"] = "Is the place yours, or do you rent it?";
  ctx.call_flow = flow_of(rows);
  Walk w(ctx);
  w.greet();
  EXPECT_TRUE(contains(w.say("yes").text, "Do you own the property?"));
  Reply r = w.say("no");
  EXPECT_EQ(r.text, "Just to be sure. Do you own the property?");
  r = w.say("no");
  EXPECT_EQ(r.text, "Is the place yours, or do you rent it?");
  EXPECT_EQ(r.phase, "ownership");
  r = w.say("no");
  EXPECT_TRUE(contains(r.text, "How many units do you have?")) << r.text;
  EXPECT_EQ(step_results(w.brain)["ownership"], "not_met");
  EXPECT_EQ(step_results(w.brain)["closing"], "not_reached");
}

TEST(CallFlowRows, UnreadableStoredConditionsAreIgnoredNotThrown) {
  const CallFlow flow = call_flow_from_rows(json::array({
      {{"phase", "a"},
       {"skipConditions", json::array({{{"intentHeard", "maybe"}}, {{"variable", "x"}, {"exists", true}}, 7})},
       {"successCriteria", {{"intent", "perhaps"}}}},
      {{"phase", "b"}, {"skipConditions", "free text"}, {"successCriteria", json::array({1, 2})}},
  }));
  ASSERT_EQ(flow.steps.size(), 2u);
  ASSERT_EQ(flow.steps[0].skip_conditions.size(), 1u);  // only the readable one is kept
  EXPECT_EQ(flow.steps[0].skip_conditions[0].variable, "x");
  EXPECT_FALSE(flow.steps[0].success);
  EXPECT_TRUE(flow.steps[1].skip_conditions.empty());
  EXPECT_FALSE(flow.steps[1].success);
}

TEST(LlmBrainFlow, SystemPromptTellsSuccessCriteriaAndSkippedSteps) {
  CallContext ctx = context();
  ctx.call_flow = flow_of(json::array({
      {{"phase", "opening"}, {"skipConditions", {{"variable", "city"}, {"equals", "austin"}}}, {"fallbackScript", "Hello there."}},
      {{"phase", "ownership"}, {"fallbackScript", "Do you own it?"}, {"successCriteria", "They confirmed ownership"}},
      {{"phase", "closing"}, {"fallbackScript", "Shall we book?"}, {"successCriteria", {{"intent", "yes"}}}},
  }));
  LlmBrainConfig cfg;
  cfg.base_url = "http://127.0.0.1:9";  // never contacted here
  cfg.model = "test";
  LlmBrain brain(cfg, ctx);
  const std::string& system = brain.history().front().content;
  EXPECT_TRUE(contains(system, "Skipped (their skip conditions matched; do not cover them): opening.")) << system;
  EXPECT_TRUE(contains(system, "Current step: ownership.")) << system;
  EXPECT_TRUE(contains(system, "Done when: They confirmed ownership.")) << system;
  const std::string closing = step_prompt(ctx.call_flow->steps[2], ctx);
  EXPECT_TRUE(contains(closing, "Done when: the contact's answer is yes")) << closing;
}

TEST(LlmBrainFlow, SystemPromptHoldsTheCurrentStepsScript) {
  CallContext ctx = context();
  ctx.call_flow = flow_of(json::array({
      {{"phase", "opening"}, {"description", "Get permission to talk"}, {"targetDurationS", 20}, {"scriptTemplate", sales_row()}},
      {{"phase", "closing"}, {"scriptTemplate", sales_row()}},
  }));
  LlmBrainConfig cfg;
  cfg.base_url = "http://127.0.0.1:9";  // never contacted here
  cfg.model = "test";
  LlmBrain brain(cfg, ctx);
  const std::string& system = brain.history().front().content;
  EXPECT_TRUE(contains(system, "Steps, in order: opening, closing.")) << system;
  EXPECT_TRUE(contains(system, "Current step: opening.")) << system;
  EXPECT_TRUE(contains(system, "Goal of this step: Get permission to talk")) << system;
  EXPECT_TRUE(contains(system, "- Opening: Hi Maria, this is Ava with Acme Rentals. Got a minute?")) << system;
  EXPECT_TRUE(contains(system, "If they object (budget freeze): We can start next quarter.")) << system;
  EXPECT_FALSE(contains(system, "- Closing:")) << "only the current step's part";

  const std::string closing = step_prompt(ctx.call_flow->steps[1], ctx);
  EXPECT_TRUE(contains(closing, "- Closing: Can we book a demo? What day works?")) << closing;
  EXPECT_FALSE(contains(closing, "- Opening:")) << closing;
}

TEST(PhaseTimer, TimeInEachStepUntilTheNextOrTheEnd) {
  using namespace std::chrono_literals;
  const auto t0 = std::chrono::system_clock::time_point{} + 1000s;
  PhaseTimer timer;
  timer.enter("opening", t0);
  timer.enter("opening", t0 + 3s);  // the same phase again: still one stretch
  timer.enter("qualification", t0 + 5s);
  timer.enter("opening", t0 + 12s);  // back: adds to it
  timer.enter("", t0 + 13s);         // no phase: ignored
  const auto s = timer.seconds(t0 + 14s);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s.at("opening"), 7.0);
  EXPECT_DOUBLE_EQ(s.at("qualification"), 7.0);
  EXPECT_TRUE(PhaseTimer{}.seconds(t0).empty());
}

}  // namespace
}  // namespace voqo::brain
