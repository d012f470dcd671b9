#include "brain/script_template.hpp"

#include <algorithm>
#include <cctype>

#include "core/json_parse.hpp"

namespace voqo::brain {
namespace {

GoodbyeLines default_goodbyes() {
  return {
      .general = "Thanks for your time, {first_name}. Have a great day. Goodbye!",
      .demo_scheduled = "You're all set. Thanks, {first_name}, and talk soon. Goodbye!",
      .not_interested = "I understand. Thanks for your time, and have a great day. Goodbye!",
      .call_back = "Thanks, {first_name}. Talk to you then. Goodbye!",
      .wrong_number = "I'm sorry to have bothered you. Have a good day. Goodbye!",
      .do_not_call = "I've removed your number from our list, and you won't be called again. "
                     "Sorry for the trouble. Goodbye.",
  };
}

ScriptTemplate custom_template() {
  ScriptTemplate t;
  t.name = "custom";
  t.opening = "Hi {contact_name}, this is {agent_name} from {company}. I'm calling about {purpose}. "
              "Do you have a quick minute?";
  t.discovery = {"Are you looking into anything like {purpose} at the moment?",
                 "What matters most to you when it comes to {purpose}?"};
  t.value_proposition = "We've helped a lot of people with {purpose}, and I think we could help you too. "
                        "Would that be worth a short conversation?";
  t.objections = {
      {Objection::price, "I understand cost matters. The first conversation is free and there's no obligation. "
                         "Would it still be worth a look?"},
      {Objection::competitor, "That's good to hear. Many people find a second opinion useful anyway. "
                              "Would you be open to comparing?"},
      {Objection::no_time, "I'll keep it short, it only takes about fifteen minutes. Would that be okay?"},
      {Objection::send_info, "Happy to send you the details. A quick call helps us tailor them to you. "
                             "Could we set one up as well?"},
  };
  t.closing = "Could we schedule a short call with our team to go over the details? "
              "What day and time work best for you?";
  t.voicemail = "Hi {contact_name}, this is {agent_name} from {company}, calling about {purpose}. "
                "I'll try you again soon. Thank you!";
  t.goodbye = default_goodbyes();
  return t;
}

ScriptTemplate property_sales_template() {
  ScriptTemplate t = custom_template();
  t.name = "property_sales";
  t.opening = "Hi {contact_name}, this is {agent_name} from {company}. I'm reaching out to property owners "
              "in your area about the current market. Do you have a quick minute?";
  t.discovery = {"Have you thought about selling your property in the next year or so?",
                 "Is it your own home, or an investment property?",
                 "What would matter most to you in a sale: the price, the timing, or convenience?"};
  t.value_proposition = "Homes like yours have been getting strong offers lately, and we can give you a free, "
                        "no-obligation valuation based on recent sales nearby. Would it be useful to know what "
                        "your property is worth today?";
  t.objections = {
      {Objection::price, "I understand. The valuation is completely free, and our commission is only paid when "
                         "your property sells. Would a free valuation still be helpful?"},
      {Objection::competitor, "That's great that you already have someone. A lot of owners like a second opinion "
                              "on price before deciding anything. Would a quick comparison be worth it?"},
      {Objection::no_time, "I'll be brief. The valuation visit takes about twenty minutes, and we work around "
                           "your schedule. Would that be okay?"},
      {Objection::send_info, "Happy to send you some information. It's much more useful with a short visit so we "
                             "can price your property properly. Could we set that up as well?"},
  };
  t.closing = "Could we set up a short meeting for your free valuation? What day and time work best for you?";
  t.voicemail = "Hi {contact_name}, this is {agent_name} from {company}. I'm calling about a free valuation of "
                "your property. I'll try you again soon. Thank you!";
  return t;
}

ScriptTemplate property_manager_template() {
  ScriptTemplate t = custom_template();
  t.name = "property_manager";
  t.opening = "Hi {contact_name}, this is {agent_name} from {company}. We help landlords and property managers "
              "save time on rent collection, maintenance and tenant screening. Do you have a quick minute?";
  t.discovery = {"How many properties or units do you manage at the moment?",
                 "How are you handling rent collection and maintenance requests today?",
                 "What takes up most of your time with your rentals?"};
  t.value_proposition = "Our platform automates rent reminders, tracks maintenance requests and screens tenants "
                        "in one place, and most managers save several hours a week. Would that be useful for you?";
  t.objections = {
      {Objection::price, "I hear you. Most managers find it pays for itself through on-time rent and fewer "
                         "vacancies, and there's a free trial. Would it be worth a look?"},
      {Objection::competitor, "Good to know you have something in place. A lot of our customers switched because "
                              "everything is in one place. Would you be open to a quick comparison?"},
      {Objection::no_time, "That's exactly what we help with. The demo only takes fifteen minutes. "
                           "Would that be okay?"},
      {Objection::send_info, "Sure, I can send some information. A short demo shows it with your own numbers, "
                             "though. Could we book one as well?"},
  };
  t.closing = "The best way to see it is a short fifteen-minute demo. What day and time would work for you?";
  t.voicemail = "Hi {contact_name}, this is {agent_name} from {company}. We help property managers automate rent "
                "collection and maintenance. I'll try you again soon. Thank you!";
  return t;
}

std::string key_of(std::string_view s) {
  std::string k;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

std::string variable(const CallContext& ctx, std::string_view name) {
  if (!ctx.variables.is_object()) return {};
  const std::string want = key_of(name);
  for (auto it = ctx.variables.begin(); it != ctx.variables.end(); ++it) {
    if (key_of(it.key()) != want) continue;
    const auto& v = it.value();
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    if (v.is_number()) return v.dump();
    return {};
  }
  return {};
}

std::string purpose_words(const CallContext& ctx) {
  if (!ctx.custom_purpose.empty()) return ctx.custom_purpose;
  if (ctx.purpose == "sales" || ctx.purpose.empty() || ctx.purpose == "custom") {
    if (ctx.script_template == "property_sales") return "property sales";
    if (ctx.script_template == "property_manager") return "property management";
    return "our services";
  }
  if (ctx.purpose == "support") return "your account";
  if (ctx.purpose == "appointment") return "scheduling an appointment";
  if (ctx.purpose == "technical") return "technical support";
  std::string p = ctx.purpose;
  for (char& c : p)
    if (c == '_') c = ' ';
  return p;
}

std::string lookup(const CallContext& ctx, std::string_view name) {
  const std::string k = key_of(name);
  if (k == "agentname") return ctx.agent_name;
  if (k == "contactname" || k == "name") return !ctx.contact_name.empty() ? ctx.contact_name : variable(ctx, name);
  if (k == "firstname") {
    if (auto v = variable(ctx, "first_name"); !v.empty()) return v;
    return ctx.contact_name.substr(0, ctx.contact_name.find(' '));
  }
  if (k == "company") {
    auto v = variable(ctx, "company");
    return v.empty() ? "our team" : v;
  }
  if (k == "purpose") return purpose_words(ctx);
  return variable(ctx, name);
}

std::string tidy(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    if ((c == ',' || c == '.' || c == '!' || c == '?') && !out.empty() && out.back() == ' ') out.pop_back();
    if (c == ',' && !out.empty() && (out.back() == ',' || out.back() == '.' || out.back() == '!' || out.back() == '?'))
      continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// --- JSON ---
struct Parser {
  std::vector<FieldError> errors;
  void fail(std::string field, std::string message) { errors.push_back({std::move(field), std::move(message)}); }
  bool text(const nlohmann::json& j, const std::string& field, std::string& out) {
    if (!j.is_string() || j.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
      fail(field, "must be a non-empty string");
      return false;
    }
    out = j.get<std::string>();
    return true;
  }
};

}  // namespace

ScriptTemplate builtin_template(std::string_view name) {
  if (name == "property_sales") return property_sales_template();
  if (name == "property_manager") return property_manager_template();
  return custom_template();
}

ScriptTemplate template_for(const CallContext& ctx) {
  const std::string& t = ctx.script_template;
  const auto first = t.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && t[first] == '{') {
    if (auto parsed = parse_script_template(std::string_view(t))) return *parsed;
  }
  return builtin_template(t);
}

Result<ScriptTemplate> parse_script_template(std::string_view json_text) {
  auto j = parse_json_or_discarded(json_text);
  if (j.is_discarded()) return std::unexpected(Error::bad_request("script template is not valid JSON"));
  return script_template_from_json(j);
}

Result<ScriptTemplate> script_template_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::unexpected(Error::invalid("", "script template must be a JSON object"));
  ScriptTemplate t = custom_template();
  t.name = "custom";
  Parser p;
  static const char* kKeys[] = {"name", "opening", "discovery", "valueProposition", "objections",
                                "closing", "voicemail", "goodbye"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(std::begin(kKeys), std::end(kKeys), it.key()) == std::end(kKeys)) p.fail(it.key(), "unknown field");
  for (const char* required : {"opening", "valueProposition", "closing"})
    if (!j.contains(required)) p.fail(required, "is required");
  if (j.contains("name")) p.text(j["name"], "name", t.name);
  if (j.contains("opening")) p.text(j["opening"], "opening", t.opening);
  if (j.contains("valueProposition")) p.text(j["valueProposition"], "valueProposition", t.value_proposition);
  if (j.contains("closing")) p.text(j["closing"], "closing", t.closing);
  if (j.contains("voicemail")) p.text(j["voicemail"], "voicemail", t.voicemail);
  if (j.contains("discovery")) {
    const auto& d = j["discovery"];
    if (!d.is_array()) p.fail("discovery", "must be an array of strings");
    else {
      t.discovery.clear();
      for (std::size_t i = 0; i < d.size(); ++i) {
        std::string q;
        if (p.text(d[i], "discovery[" + std::to_string(i) + "]", q)) t.discovery.push_back(std::move(q));
      }
    }
  }
  if (j.contains("objections")) {
    const auto& o = j["objections"];
    if (!o.is_object()) p.fail("objections", "must be an object keyed by price, competitor, noTime, sendInfo");
    else {
      for (auto it = o.begin(); it != o.end(); ++it) {
        Objection cat = it.key() == "price"        ? Objection::price
                        : it.key() == "competitor" ? Objection::competitor
                        : it.key() == "noTime"     ? Objection::no_time
                        : it.key() == "sendInfo"   ? Objection::send_info
                                                   : Objection::none;
        const std::string field = "objections." + it.key();
        if (cat == Objection::none) {
          p.fail(field, "unknown objection category (price, competitor, noTime, sendInfo)");
          continue;
        }
        p.text(it.value(), field, t.objections[cat]);
      }
    }
  }
  if (j.contains("goodbye")) {
    const auto& g = j["goodbye"];
    if (g.is_string()) {
      p.text(g, "goodbye", t.goodbye.general);
    } else if (g.is_object()) {
      const std::pair<const char*, std::string*> slots[] = {
          {"default", &t.goodbye.general},        {"demoScheduled", &t.goodbye.demo_scheduled},
          {"notInterested", &t.goodbye.not_interested}, {"callBack", &t.goodbye.call_back},
          {"wrongNumber", &t.goodbye.wrong_number}, {"doNotCall", &t.goodbye.do_not_call}};
      for (auto it = g.begin(); it != g.end(); ++it) {
        auto slot = std::find_if(std::begin(slots), std::end(slots), [&](auto& s) { return it.key() == s.first; });
        if (slot == std::end(slots)) p.fail("goodbye." + it.key(), "unknown field");
        else p.text(it.value(), "goodbye." + it.key(), *slot->second);
      }
    } else {
      p.fail("goodbye", "must be a string or an object");
    }
  }
  if (!p.errors.empty()) {
    Error e{ErrorCode::invalid_argument, "invalid script template: " + p.errors.front().field + " " +
                                             p.errors.front().message, std::move(p.errors)};
    return std::unexpected(std::move(e));
  }
  return t;
}

std::string substitute(std::string_view text, const CallContext& ctx) {
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const auto close = text.find('}', i + 1);
      if (close != std::string_view::npos && close - i <= 64) {
        out += lookup(ctx, text.substr(i + 1, close - i - 1));
        i = close;
        continue;
      }
    }
    out += text[i];
  }
  return tidy(std::move(out));
}

}  // namespace voqo::brain
