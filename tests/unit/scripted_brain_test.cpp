// The scripted call-flow brain: one full conversation per persona, barge-in,
// script templates (JSON and variables) and the extractive summary.
#include <gtest/gtest.h>

#include <algorithm>

#include "brain/scripted_brain.hpp"
#include "brain/summary.hpp"
#include "core/time.hpp"

namespace voqo::brain {
namespace {

using std::chrono::system_clock;

system_clock::time_point utc(const char* iso) { return parse_iso8601(iso).value(); }

// Saturday 2025-03-08 14:00 CST in Chicago; DST starts Sunday 2025-03-09.
CallContext context(std::string script = "property_manager") {
  CallContext ctx;
  ctx.call_id = "call-1";
  ctx.agent_name = "Ava";
  ctx.contact_name = "Maria Lopez";
  ctx.script_template = std::move(script);
  ctx.purpose = "sales";
  ctx.variables = {{"Company", "Acme Rentals"}, {"city", "Austin"}};
  ctx.now = utc("2025-03-08T20:00:00Z");
  ctx.time_zone = "America/Chicago";
  return ctx;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

/// Drives a brain like the call pipeline: keeps the transcript and the
/// sentences streamed.
struct Call {
  explicit Call(CallContext ctx) : brain(std::move(ctx)) {}

  Reply greet() { return record(brain.greet(sink(), {})); }
  Reply say(std::string text) {
    transcript.push_back({"", "caller", text, 0, 0, 0.9, true, false});
    return record(brain.respond(text, sink(), {}));
  }
  CallResult finish() { return brain.finish(transcript, {}).value(); }

  TextSink sink() {
    return [this](std::string_view s) {
      streamed.emplace_back(s);
      return true;
    };
  }
  Reply record(Result<Reply> r) {
    EXPECT_TRUE(r.has_value());
    if (!r->text.empty()) transcript.push_back({"", "agent", r->text, 0, 0, 1.0, true, false});
    return *r;
  }

  ScriptedBrain brain;
  std::vector<model::TranscriptLine> transcript;
  std::vector<std::string> streamed;
};

TEST(ScriptedBrain, InterestedCallerSchedulesADemoAtTheirTime) {
  Call c(context());
  Reply r = c.greet();
  EXPECT_TRUE(contains(r.text, "Hi Maria Lopez, this is Ava from Acme Rentals.")) << r.text;
  EXPECT_EQ(r.phase, "opening");
  EXPECT_EQ(c.brain.phase(), "opening");

  r = c.say("yeah sure go ahead");
  EXPECT_EQ(r.intent, "yes");
  EXPECT_EQ(r.phase, "discovery");
  EXPECT_TRUE(contains(r.text, "How many properties or units do you manage")) << r.text;

  r = c.say("we have twelve units across three buildings");
  EXPECT_EQ(r.phase, "discovery");
  EXPECT_TRUE(contains(r.text, "rent collection and maintenance requests today?")) << r.text;
  r = c.say("mostly spreadsheets and a lot of phone calls");
  EXPECT_TRUE(contains(r.text, "What takes up most of your time")) << r.text;
  r = c.say("chasing late rent honestly");
  EXPECT_EQ(r.phase, "value_proposition");
  EXPECT_TRUE(contains(r.text, "Would that be useful for you?")) << r.text;

  r = c.say("yeah that sounds good");
  EXPECT_EQ(r.phase, "closing");
  EXPECT_TRUE(contains(r.text, "demo")) << r.text;
  EXPECT_FALSE(r.end_call);

  r = c.say("sure tuesday at three");
  EXPECT_TRUE(r.end_call);
  ASSERT_TRUE(r.outcome);
  EXPECT_EQ(*r.outcome, Outcome::demo_scheduled);
  ASSERT_TRUE(r.callback_at);
  EXPECT_EQ(to_iso8601(*r.callback_at), "2025-03-11T20:00:00.000Z");  // 3 PM CDT
  EXPECT_TRUE(contains(r.text, "on Tuesday at 3 PM")) << r.text;
  EXPECT_EQ(r.phase, "goodbye");

  // Every streamed sentence is part of some reply, in order.
  EXPECT_GT(c.streamed.size(), 8u);

  CallResult res = c.finish();
  EXPECT_EQ(res.outcome, Outcome::demo_scheduled);
  ASSERT_TRUE(res.callback_at);
  EXPECT_EQ(*res.callback_at, *r.callback_at);
  EXPECT_FALSE(res.do_not_call);
  auto has = [&](std::string_view m) { return std::find(res.memories.begin(), res.memories.end(), m) != res.memories.end(); };
  EXPECT_TRUE(has("Demo scheduled for Tuesday, March 11, 2025 at 3 PM (America/Chicago)"));
  EXPECT_TRUE(has("Interest level: high (agreed to a demo)"));
  EXPECT_TRUE(has("Has 12 units"));
  EXPECT_TRUE(has("Has 3 buildings"));
  EXPECT_TRUE(contains(res.summary, "Maria Lopez said \"")) << res.summary;
  EXPECT_TRUE(contains(res.summary, "Outcome: Demo Scheduled (demo on Tuesday at 3 PM).")) << res.summary;
}

TEST(ScriptedBrain, NotInterestedGetsOnePoliteRetryThenGoodbye) {
  Call c(context());
  c.greet();
  Reply r = c.say("no thanks i'm not interested");
  EXPECT_EQ(r.intent, "not_interested");
  EXPECT_FALSE(r.end_call);
  EXPECT_EQ(r.phase, "value_proposition");
  EXPECT_TRUE(contains(r.text, "Our platform automates rent reminders")) << r.text;  // the retry: value proposition
  r = c.say("no");
  EXPECT_TRUE(r.end_call);
  ASSERT_TRUE(r.outcome);
  EXPECT_EQ(*r.outcome, Outcome::not_interested);
  CallResult res = c.finish();
  EXPECT_EQ(res.outcome, Outcome::not_interested);
  EXPECT_NE(std::find(res.memories.begin(), res.memories.end(), "Interest level: low (not interested)"),
            res.memories.end());
}

TEST(ScriptedBrain, CallMeBackNextTuesdayAfternoonInChicago) {
  Call c(context("property_sales"));
  Reply g = c.greet();
  EXPECT_TRUE(contains(g.text, "property owners")) << g.text;
  Reply r = c.say("can you call me back next tuesday afternoon");
  EXPECT_EQ(r.intent, "call_back_later");
  EXPECT_TRUE(r.end_call);
  ASSERT_TRUE(r.outcome);
  EXPECT_EQ(*r.outcome, Outcome::call_back_later);
  ASSERT_TRUE(r.callback_at);
  EXPECT_EQ(to_iso8601(*r.callback_at), "2025-03-11T19:00:00.000Z");  // 2 PM CDT (UTC-5 after the DST change)
  EXPECT_TRUE(contains(r.text, "I'll call you back on Tuesday at 2 PM")) << r.text;
  CallResult res = c.finish();
  EXPECT_EQ(res.outcome, Outcome::call_back_later);
  EXPECT_EQ(res.callback_at, r.callback_at);
  EXPECT_NE(std::find(res.memories.begin(), res.memories.end(),
                      "Callback requested for Tuesday, March 11, 2025 at 2 PM (America/Chicago)"),
            res.memories.end());
}

TEST(ScriptedBrain, BusyCallerIsAskedWhenThenConfirmed) {
  Call c(context());
  c.greet();
  Reply r = c.say("i'm busy right now");
  EXPECT_FALSE(r.end_call);
  EXPECT_EQ(r.phase, "call_back");
  EXPECT_TRUE(contains(r.text, "When would be a better time")) << r.text;
  r = c.say("tomorrow morning");
  EXPECT_TRUE(r.end_call);
  ASSERT_TRUE(r.callback_at);
  EXPECT_EQ(to_iso8601(*r.callback_at), "2025-03-09T15:00:00.000Z");  // 10 AM CDT
  EXPECT_TRUE(contains(r.text, "tomorrow at 10 AM")) << r.text;
}

TEST(ScriptedBrain, WrongNumber) {
  Call c(context());
  c.greet();
  Reply r = c.say("sorry you have the wrong number");
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.outcome, Outcome::wrong_number);
  EXPECT_TRUE(contains(r.text, "sorry")) << r.text;
  CallResult res = c.finish();
  EXPECT_EQ(res.outcome, Outcome::wrong_number);
  EXPECT_NE(std::find(res.memories.begin(), res.memories.end(), "Wrong number: this number does not reach Maria Lopez"),
            res.memories.end());
}

TEST(ScriptedBrain, StopCallingMeSetsDoNotCall) {
  Call c(context());
  c.greet();
  c.say("yes");
  Reply r = c.say("just stop calling me");
  EXPECT_TRUE(r.end_call);
  EXPECT_TRUE(r.do_not_call);
  EXPECT_EQ(r.outcome, Outcome::not_interested);
  CallResult res = c.finish();
  EXPECT_TRUE(res.do_not_call);
  EXPECT_EQ(res.outcome, Outcome::not_interested);
  EXPECT_TRUE(contains(res.summary, "asked not to be called again")) << res.summary;
}

TEST(ScriptedBrain, VoicemailGreetingLeavesTheMessage) {
  Call c(context());
  c.greet();
  Reply r = c.say("hi you've reached maria please leave a message after the tone");
  EXPECT_EQ(r.intent, "voicemail_greeting");
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.outcome, Outcome::voicemail);
  EXPECT_TRUE(contains(r.text, "this is Ava from Acme Rentals")) << r.text;
  EXPECT_EQ(c.finish().outcome, Outcome::voicemail);
}

TEST(ScriptedBrain, SilentCalleeIsNoAnswer) {
  Call c(context());
  c.greet();
  Reply r = c.say("");
  EXPECT_FALSE(r.end_call);
  EXPECT_TRUE(contains(r.text, "are you still there?")) << r.text;
  r = c.say("  ");
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.outcome, Outcome::no_answer);
  // The pipeline's transcript holds only the agent's lines.
  std::erase_if(c.transcript, [](const model::TranscriptLine& e) { return e.speaker == "caller"; });
  CallResult res = c.finish();
  EXPECT_EQ(res.outcome, Outcome::no_answer);
  EXPECT_TRUE(res.memories.empty());
}

TEST(ScriptedBrain, EngagedWithoutDecisionIsFollowUpNeeded) {
  Call c(context());
  c.greet();
  c.say("yes");
  c.say("about forty units");
  CallResult res = c.finish();  // the caller hung up mid-discovery
  EXPECT_EQ(res.outcome, Outcome::follow_up_needed);
  EXPECT_FALSE(res.summary.empty());
}

TEST(ScriptedBrain, AsksForHumanTransfersWhenATargetIsConfigured) {
  CallContext ctx = context();
  ctx.variables["transfer_to"] = "sip:sales@example.com";
  Call c(ctx);
  c.greet();
  Reply r = c.say("can i talk to a real person please");
  EXPECT_EQ(r.intent, "asks_for_human");
  ASSERT_TRUE(r.transfer_to);
  EXPECT_EQ(*r.transfer_to, "sip:sales@example.com");
  EXPECT_EQ(r.outcome, Outcome::transferred);

  Call d(context());  // no transfer target
  d.greet();
  r = d.say("can i talk to a real person please");
  EXPECT_FALSE(r.transfer_to);
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.outcome, Outcome::follow_up_needed);
}

TEST(ScriptedBrain, ObjectionsAreAnsweredOnceThenAccepted) {
  Call c(context());
  c.greet();
  Reply r = c.say("it's too expensive");
  EXPECT_EQ(r.phase, "objection");
  EXPECT_TRUE(contains(r.text, "pays for itself")) << r.text;
  r = c.say("we already use another system");
  EXPECT_TRUE(contains(r.text, "comparison")) << r.text;
  EXPECT_FALSE(r.end_call);
  r = c.say("no really it's too expensive");
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.outcome, Outcome::not_interested);
  CallResult res = c.finish();
  EXPECT_NE(std::find(res.memories.begin(), res.memories.end(), "Objections raised: price, already has a provider"),
            res.memories.end());

  Call e(context());
  e.greet();
  e.say("just send me an email");
  r = e.say("i said just email me the info");
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.outcome, Outcome::follow_up_needed);
  res = e.finish();
  EXPECT_NE(std::find(res.memories.begin(), res.memories.end(), "Prefers email"), res.memories.end());
}

TEST(ScriptedBrain, QuestionsAreAnsweredThenThePendingQuestionIsRepeated) {
  Call c(context());
  c.greet();
  c.say("yes");  // discovery question 1 pending
  Reply r = c.say("wait who is this");
  EXPECT_EQ(r.intent, "question");
  EXPECT_TRUE(contains(r.text, "This is Ava from Acme Rentals.")) << r.text;
  EXPECT_TRUE(contains(r.text, "How many properties or units")) << r.text;
  EXPECT_EQ(r.phase, "discovery");
}

TEST(ScriptedBrain, UnclearIsReaskedOnceThenTheFlowMovesOn) {
  Call c(context());
  c.greet();
  c.say("yes");
  Reply r = c.say("hmm");
  EXPECT_TRUE(contains(r.text, "Sorry, I didn't catch that.")) << r.text;
  EXPECT_TRUE(contains(r.text, "How many properties or units")) << r.text;
  r = c.say("uh");
  EXPECT_FALSE(contains(r.text, "How many properties")) << r.text;
  EXPECT_TRUE(contains(r.text, "rent collection and maintenance requests today?")) << r.text;
}

TEST(ScriptedBrain, BargeInStopsStreamingAndTheUnheardQuestionIsAskedAgain) {
  ScriptedBrain b(context());
  auto all = [](std::string_view) { return true; };
  ASSERT_TRUE(b.greet(all, {}));
  ASSERT_TRUE(b.respond("yes", all, {}));
  ASSERT_TRUE(b.respond("twelve units", all, {}));
  ASSERT_TRUE(b.respond("spreadsheets", all, {}));
  // The next reply is "Got it." + the value proposition (two sentences, the
  // second a question); the caller barges in after the first sentence.
  std::vector<std::string> got;
  auto cut_after_first = [&](std::string_view s) {
    got.emplace_back(s);
    return false;
  };
  auto r = b.respond("chasing late rent", cut_after_first, {});
  ASSERT_TRUE(r);
  ASSERT_EQ(got.size(), 1u);  // streaming stopped at the first false
  EXPECT_EQ(r->text, got[0]);
  EXPECT_FALSE(contains(r->text, "Would that be useful")) << r->text;
  b.interrupted(r->text);
  auto again = b.respond("oh sorry go on", all, {});
  ASSERT_TRUE(again);
  EXPECT_TRUE(contains(again->text, "Sorry about that.")) << again->text;
  EXPECT_TRUE(contains(again->text, "Our platform automates rent reminders")) << again->text;
  EXPECT_TRUE(contains(again->text, "Would that be useful for you?")) << again->text;
  EXPECT_EQ(again->phase, "value_proposition");
  // Now heard: a yes answers it.
  auto next = b.respond("yes", all, {});
  EXPECT_EQ(next->phase, "closing");
}

TEST(ScriptedBrain, InterruptedMidQuestionRepeatsOnlyTheUnheardQuestion) {
  ScriptedBrain b(context());
  auto all = [](std::string_view) { return true; };
  ASSERT_TRUE(b.greet(all, {}));
  auto r = b.respond("yes", all, {});  // "Great. How many properties or units do you manage at the moment?"
  ASSERT_TRUE(r);
  const std::string spoken = r->text.substr(0, r->text.find("units"));  // cut mid-question
  b.interrupted(spoken);
  auto again = b.respond("yes", all, {});
  EXPECT_EQ(again->phase, "discovery");
  EXPECT_TRUE(contains(again->text, "How many properties or units do you manage at the moment?")) << again->text;
  EXPECT_FALSE(contains(again->text, "Great.")) << again->text;

  // Control: a question that was heard in full is answered, not repeated.
  ScriptedBrain c(context());
  ASSERT_TRUE(c.greet(all, {}));
  r = c.respond("yes", all, {});
  c.interrupted(r->text);
  auto next = c.respond("about ten", all, {});
  EXPECT_FALSE(contains(next->text, "How many properties")) << next->text;
}

TEST(ScriptedBrain, StopTokenEndsTheReplyEarly) {
  ScriptedBrain b(context());
  std::stop_source stop;
  stop.request_stop();
  int calls = 0;
  auto r = b.greet([&](std::string_view) {
    ++calls;
    return true;
  }, stop.get_token());
  ASSERT_TRUE(r);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(r->text.empty());
}

TEST(ScriptedBrain, GreetingComesFromTheAgentWithVariables) {
  CallContext ctx = context();
  ctx.greeting = "Hello {first_name}, it's {agent_name} from {company} in {City}. Got a minute?";
  ScriptedBrain b(ctx);
  std::vector<std::string> sentences;
  auto r = b.greet([&](std::string_view s) {
    sentences.emplace_back(s);
    return true;
  }, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->text, "Hello Maria, it's Ava from Acme Rentals in Austin. Got a minute?");
  EXPECT_EQ(sentences, (std::vector<std::string>{"Hello Maria, it's Ava from Acme Rentals in Austin.", "Got a minute?"}));
}

TEST(ScriptedBrain, DeterministicReplies) {
  auto run = [] {
    Call c(context("custom"));
    std::string all = c.greet().text;
    for (const char* u : {"hello who is this", "yes", "maybe", "i guess", "hmm", "it's too expensive", "okay fine",
                          "sure friday at ten thirty"})
      all += "|" + c.say(u).text;
    return all;
  };
  EXPECT_EQ(run(), run());
}

TEST(ScriptTemplate, CustomTemplateUsesPurposeAndAgentName) {
  CallContext ctx = context("custom");
  ctx.custom_purpose = "solar panel installation";
  ctx.contact_name = "";
  ctx.variables = nlohmann::json::object();
  ScriptedBrain b(ctx);
  auto r = b.greet({}, {});
  EXPECT_EQ(r->text,
            "Hi, this is Ava from our team. I'm calling about solar panel installation. Do you have a quick minute?");
}

TEST(ScriptTemplate, ParsesJsonWithDefaults) {
  auto t = parse_script_template(R"({
    "name": "gym", "opening": "Hi {contact_name}!", "discovery": ["Do you work out?"],
    "valueProposition": "We have a new gym. Interested?", "closing": "When can you visit?",
    "objections": {"price": "First month free. Still no?"}, "goodbye": {"wrongNumber": "Oops, sorry."}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->name, "gym");
  EXPECT_EQ(t->discovery, std::vector<std::string>{"Do you work out?"});
  EXPECT_EQ(t->objections.at(Objection::price), "First month free. Still no?");
  EXPECT_FALSE(t->objections.at(Objection::competitor).empty());  // default kept
  EXPECT_EQ(t->goodbye.wrong_number, "Oops, sorry.");
  EXPECT_FALSE(t->goodbye.do_not_call.empty());
}

TEST(ScriptTemplate, ReportsEveryBadField) {
  auto t = parse_script_template(R"({"discovery": ["ok", 3], "valueProp": "x", "closing": "",
    "objections": {"cost": "x"}, "goodbye": {"bye": "x"}})");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::invalid_argument);
  std::vector<std::string> fields;
  for (auto& f : t.error().fields) fields.push_back(f.field);
  for (const char* want : {"valueProp", "opening", "valueProposition", "closing", "discovery[1]", "objections.cost",
                           "goodbye.bye"})
    EXPECT_NE(std::find(fields.begin(), fields.end(), want), fields.end()) << want;
  EXPECT_EQ(parse_script_template("{not json").error().code, ErrorCode::bad_request);
}

TEST(ScriptTemplate, JsonTemplateInTheContextDrivesTheBrain) {
  CallContext ctx = context(R"({"opening": "Yo {first_name}.", "valueProposition": "V?", "closing": "C?"})");
  ScriptedBrain b(ctx);
  EXPECT_EQ(b.greet({}, {})->text, "Yo Maria.");
}

TEST(Summary, InfersTheOutcomeFromATranscriptAlone) {
  std::vector<model::TranscriptLine> t = {
      {"", "agent", "Hi, this is Ava from Acme Rentals. Do you have a minute?", 0, 3000, 1, true, false},
      {"", "caller", "not right now i'm driving", 3500, 5000, 0.8, true, false},
      {"", "agent", "When would be a better time to call you back?", 5200, 7000, 1, true, false},
      {"", "caller", "call me back tomorrow at 4 pm we have 3 rentals", 7500, 9000, 0.8, true, false},
      {"", "agent", "No problem, I'll call you back tomorrow at 4 PM. Goodbye!", 9200, 11000, 1, true, false},
  };
  CallFacts facts;
  facts.now = utc("2025-03-08T20:00:00Z");
  facts.time_zone = "America/Chicago";
  CallResult r = summarize_call(t, facts);
  EXPECT_EQ(r.outcome, Outcome::call_back_later);
  ASSERT_TRUE(r.callback_at);
  EXPECT_EQ(to_iso8601(*r.callback_at), "2025-03-09T21:00:00.000Z");  // 4 PM CDT
  EXPECT_EQ(r.summary,
            "The caller said \"not right now i'm driving\". They also said \"call me back tomorrow at 4 pm we have 3 "
            "rentals\". The agent said \"No problem, I'll call you back tomorrow at 4 PM\". Outcome: Call Back Later "
            "(callback tomorrow at 4 PM).");
  EXPECT_NE(std::find(r.memories.begin(), r.memories.end(), "Has 3 rentals"), r.memories.end());
  EXPECT_TRUE(summarize_call({}, facts).summary.empty());
  EXPECT_EQ(summarize_call({}, facts).outcome, Outcome::no_answer);
}

}  // namespace
}  // namespace voqo::brain

namespace voqo::brain {
namespace {
TEST(ScriptedBrain, TheNextCallUsesTheCallbackMemoryOfTheLastOne) {
  // Call 1: the contact asks to be called back; the memory comes from the call's result.
  Call first(context());
  first.greet();
  first.say("i'm busy right now can you call me back next tuesday afternoon");
  const CallResult result = first.finish();
  ASSERT_FALSE(result.memories.empty());
  // Call 2 gets those memories in its context and opens by acknowledging the callback.
  CallContext ctx = context();
  ctx.memories = result.memories;
  Call second(ctx);
  const Reply opening = second.greet();
  EXPECT_TRUE(contains(opening.text, "calling you back as you asked")) << opening.text;
  EXPECT_TRUE(contains(opening.text, "Maria Lopez")) << opening.text;
  // Without the memory the usual opening is used.
  Call plain(context());
  EXPECT_FALSE(contains(plain.greet().text, "calling you back")) << "opening changed without a memory";
}
}  // namespace
}  // namespace voqo::brain

namespace voqo::brain {
namespace {

TEST(ScriptedBrain, CoachingMakesTheNextReplyStartWithTheWhisperedLine) {
  // Two identical calls; only the second is coached before the caller's answer.
  Call plain(context()), coached(context());
  (void)plain.greet();
  (void)coached.greet();
  coached.brain.coach("Tell them \"The valuation is completely free.\"");
  const Reply a = plain.say("Yes, I have a minute.");
  const std::size_t before = coached.streamed.size();
  const Reply b = coached.say("Yes, I have a minute.");
  EXPECT_EQ(b.text, "The valuation is completely free. " + a.text) << "the quoted line, then the scripted reply";
  EXPECT_EQ(coached.streamed.at(before), "The valuation is completely free.");
  EXPECT_EQ(b.phase, a.phase) << "the call flow is unchanged";
  // Said once: the next turns are the same again.
  EXPECT_EQ(coached.say("Yes, we have been thinking about selling.").text, plain.say("Yes, we have been thinking about selling.").text);
}

TEST(ScriptedBrain, CoachedLineRule) {
  EXPECT_EQ(ScriptedBrain::coached_line("Mention that the valuation is free"), "Mention that the valuation is free.");
  EXPECT_EQ(ScriptedBrain::coached_line("  Ask about their timeline?  "), "Ask about their timeline?");
  EXPECT_EQ(ScriptedBrain::coached_line("Say \"It's free.\" and then \"No obligation\""), "It's free. No obligation.");
  EXPECT_EQ(ScriptedBrain::coached_line("Say \xE2\x80\x9CWe can come by on Tuesday.\xE2\x80\x9D"), "We can come by on Tuesday.");
  EXPECT_EQ(ScriptedBrain::coached_line("an \"unclosed quote"), "an \"unclosed quote.");
  EXPECT_EQ(ScriptedBrain::coached_line("   "), "");
  EXPECT_EQ(ScriptedBrain::coached_line("say \"\""), "");
}

TEST(ScriptedBrain, ClosingLineIsTheScriptsGeneralGoodbye) {
  ScriptedBrain brain(context());
  const std::string line = brain.closing_line();
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.find('{'), std::string::npos) << "variables substituted: " << line;
  EXPECT_EQ(line, substitute(template_for(context()).goodbye.general, context()));
}

}  // namespace
}  // namespace voqo::brain
