// Call intelligence (src/intel/call_intelligence.hpp): a scripted sales call
// drives phases, objectives, next actions, sentiment, metrics and every
// required coaching rule (talk share, 45-s monologue, unanswered objection,
// ignored question, falling sentiment), then finish(); plus skipped steps,
// rejection, voice energy, the JSON shape and real read speech.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "intel/call_intelligence.hpp"
#include "support/test_support.hpp"

namespace voqo::intel {
namespace {

model::TranscriptLine agent(int64_t start, int64_t end, std::string text) {
  return {"", "agent", std::move(text), start, end, 1.0, true, false};
}
model::TranscriptLine caller(int64_t start, int64_t end, std::string text) {
  return {"", "caller", std::move(text), start, end, 0.9, true, false};
}

const Coaching* find_coaching(const Insights& in, std::string_view key) {
  for (const auto& c : in.coaching)
    if (c.key == key) return &c;
  return nullptr;
}
bool active(const Insights& in, std::string_view key) {
  const Coaching* c = find_coaching(in, key);
  return c && c->is_active;
}
const PhaseInsight& phase(const Insights& in, std::string_view name) {
  for (const auto& p : in.phases)
    if (p.name == name) return p;
  ADD_FAILURE() << "no phase " << name;
  static PhaseInsight none;
  return none;
}
ObjectiveStatus objective(const Insights& in, std::string_view key) {
  for (const auto& o : in.objectives)
    if (o.key == key) return o.status;
  ADD_FAILURE() << "no objective " << key;
  return ObjectiveStatus::pending;
}
bool has_action(const Insights& in, ActionType type, std::string_view prefix) {
  return std::any_of(in.next_actions.begin(), in.next_actions.end(),
                     [&](const NextAction& a) { return a.type == type && a.action.starts_with(prefix); });
}
void expect_unique_keys(const Insights& in) {
  std::set<std::string> keys;
  for (const auto& c : in.coaching) EXPECT_TRUE(keys.insert(c.key).second) << "duplicate coaching key " << c.key;
}

IntelConfig sales() {
  return {{"opening", "discovery", "value_proposition", "objection", "closing"}, "sales"};
}

TEST(CallIntelligence, ScriptedSalesCall) {
  CallIntelligence ci(sales());
  ci.on_agent_turn("opening", "");
  ci.on_transcript(agent(0, 4000, "Hi, this is Sam from Acme Realty. Am I speaking with John?"));
  Sentiment s = ci.on_transcript(caller(4500, 5500, "yes speaking, happy to chat"));
  EXPECT_EQ(s.label, "positive");
  ci.on_agent_turn("discovery", "yes");
  ci.on_transcript(agent(6000, 10000, "Great. How many rental properties do you manage at the moment?"));
  ci.on_transcript(caller(10500, 14000, "We have twelve units and it has been great, I love the area"));
  ci.on_agent_turn("value_proposition", "statement");

  // A 50-s agent monologue.
  ci.on_transcript(agent(14500, 64500,
                         "Our platform lists your units on every major site, screens tenants, collects rent online, "
                         "handles maintenance requests and sends you a monthly report, so you spend less time on "
                         "admin and more time growing your portfolio."));
  Insights in = ci.update(65000);
  EXPECT_EQ(in.current_phase, "value_proposition");
  EXPECT_EQ(phase(in, "opening").status, PhaseStatus::completed);
  EXPECT_EQ(phase(in, "discovery").status, PhaseStatus::completed);
  EXPECT_EQ(phase(in, "value_proposition").status, PhaseStatus::active);
  EXPECT_EQ(phase(in, "value_proposition").start_ms, 14000);
  EXPECT_EQ(phase(in, "value_proposition").duration_s, 51);
  EXPECT_EQ(phase(in, "objection").status, PhaseStatus::pending);
  EXPECT_EQ(phase(in, "discovery").start_ms, 5500);
  EXPECT_EQ(phase(in, "discovery").end_ms, 14000);
  EXPECT_TRUE(active(in, "monologue"));
  EXPECT_TRUE(active(in, "talk_share"));  // 58 s of 62.5 s
  EXPECT_GT(in.metrics.agent_talk_share, 0.9);
  EXPECT_EQ(objective(in, "confirm_contact"), ObjectiveStatus::completed);
  EXPECT_EQ(objective(in, "discover_needs"), ObjectiveStatus::completed);
  EXPECT_EQ(objective(in, "present_value"), ObjectiveStatus::in_progress);
  EXPECT_EQ(objective(in, "handle_objections"), ObjectiveStatus::pending);
  EXPECT_EQ(objective(in, "book_meeting"), ObjectiveStatus::pending);
  EXPECT_EQ(in.metrics.script_adherence, 100);
  EXPECT_TRUE(has_action(in, ActionType::immediate, "Pause and ask the caller a question"));
  // The objection step is conditional: the next step is the close.
  EXPECT_TRUE(has_action(in, ActionType::next, "Move on to: Book a demo or meeting"));

  // A price objection the agent ignores.
  ci.on_transcript(caller(66000, 69000, "That's too expensive, I am not happy about it"));
  ci.on_agent_turn("objection", "objection");
  ci.on_transcript(agent(69500, 74000, "Anyway, how many tenants are you expecting next year?"));
  in = ci.update(75000);
  EXPECT_EQ(in.current_phase, "objection");
  EXPECT_EQ(phase(in, "value_proposition").status, PhaseStatus::completed);
  EXPECT_TRUE(active(in, "objection_unanswered"));
  ASSERT_NE(find_coaching(in, "monologue"), nullptr);  // kept, now inactive: the latest agent turn is short
  EXPECT_FALSE(active(in, "monologue"));
  EXPECT_EQ(objective(in, "handle_objections"), ObjectiveStatus::in_progress);
  EXPECT_TRUE(has_action(in, ActionType::immediate, "Address the caller's price objection"));

  // A question the agent ignores; sentiment keeps falling.
  ci.on_transcript(caller(76000, 79000, "How much does it cost per month? I hate long contracts"));
  ci.on_agent_turn("objection", "question");
  ci.on_transcript(agent(79500, 83000, "Great question! Do you use a spreadsheet today?"));
  in = ci.update(84000);
  EXPECT_TRUE(active(in, "question_ignored"));
  EXPECT_TRUE(active(in, "objection_unanswered"));
  EXPECT_EQ(in.sentiment.trend, Trend::declining);
  EXPECT_TRUE(active(in, "sentiment_declining"));
  EXPECT_TRUE(has_action(in, ActionType::immediate, "Answer the caller's question"));
  ASSERT_TRUE(in.sentiment.last_negative.has_value());
  EXPECT_EQ(in.sentiment.last_negative->at_ms, 76000);
  const int quality_before = in.metrics.conversation_quality;

  // The agent now answers both.
  ci.on_transcript(agent(84500, 92000,
                         "I understand the budget concern. It costs 49 dollars a month and most owners save more "
                         "than that."));
  in = ci.update(92000);
  EXPECT_FALSE(active(in, "question_ignored"));
  EXPECT_FALSE(active(in, "objection_unanswered"));
  EXPECT_TRUE(active(in, "questions_answered"));
  EXPECT_GT(in.metrics.conversation_quality, quality_before);
  expect_unique_keys(in);

  ci.on_transcript(caller(93000, 96000, "Okay that sounds fair"));
  ci.on_agent_turn("closing", "yes");
  in = ci.update(96000);
  EXPECT_TRUE(active(in, "objection_handled"));
  EXPECT_EQ(objective(in, "handle_objections"), ObjectiveStatus::completed);
  EXPECT_EQ(objective(in, "book_meeting"), ObjectiveStatus::in_progress);
  const int demo_before = in.metrics.demo_acceptance_probability;

  ci.on_transcript(agent(96500, 101000, "Would you like to book a fifteen minute demo this Thursday at 2 PM?"));
  ci.on_transcript(caller(101500, 103000, "Yes, that works, thank you"));
  ci.on_agent_turn("goodbye", "yes");
  ci.on_transcript(agent(103500, 106000, "Wonderful, you'll get an invite shortly. Goodbye!"));
  in = ci.update(106000);
  EXPECT_EQ(objective(in, "book_meeting"), ObjectiveStatus::completed);
  EXPECT_GT(in.metrics.demo_acceptance_probability, demo_before);
  EXPECT_GE(in.metrics.demo_acceptance_probability, 90);
  EXPECT_EQ(in.metrics.interest_signals, InterestSignals::strong);
  EXPECT_TRUE(has_action(in, ActionType::next, "Confirm the date, time and attendees"));

  const Insights end = ci.finish(107000);
  EXPECT_TRUE(end.finished);
  EXPECT_EQ(end.current_phase, "");
  for (const auto& p : end.phases) {
    SCOPED_TRACE(p.name);
    EXPECT_EQ(p.status, PhaseStatus::completed);
    EXPECT_TRUE(p.start_ms && p.end_ms);
  }
  ASSERT_EQ(end.phases.size(), 6u);  // "goodbye" appended, unplanned
  EXPECT_FALSE(end.phases.back().planned);
  EXPECT_EQ(end.phases.back().end_ms, 107000);
  for (const auto& o : end.objectives) EXPECT_EQ(o.status, ObjectiveStatus::completed) << o.key;
  ASSERT_FALSE(end.coaching.empty());
  for (const auto& c : end.coaching) EXPECT_FALSE(c.is_active) << c.key;
  for (const char* key : {"monologue", "talk_share", "objection_unanswered", "question_ignored", "sentiment_declining"})
    EXPECT_NE(find_coaching(end, key), nullptr) << key;
  expect_unique_keys(end);
  for (const auto& a : end.next_actions) EXPECT_EQ(a.type, ActionType::follow_up) << a.action;
  EXPECT_TRUE(has_action(end, ActionType::follow_up, "Send the calendar invitation"));
  EXPECT_EQ(end.metrics.script_adherence, 100);
  // 6 caller lines: 4 positive, 2 negative.
  EXPECT_EQ(end.sentiment.positive, 67);
  EXPECT_EQ(end.sentiment.neutral, 0);
  EXPECT_EQ(end.sentiment.negative, 33);
  ASSERT_TRUE(end.sentiment.last_positive.has_value());
  EXPECT_EQ(end.sentiment.last_positive->text, "Yes, that works, thank you");
  // Questions per minute over 107 s: one caller question.
  EXPECT_NEAR(end.metrics.question_frequency, 0.56, 0.005);
  // Later updates keep the finished state.
  const Insights again = ci.update(120000);
  for (const auto& c : again.coaching) EXPECT_FALSE(c.is_active);
}

TEST(CallIntelligence, SkippedStepsLowerScriptAdherence) {
  CallIntelligence ci(sales());
  ci.on_agent_turn("opening", "");
  ci.on_transcript(agent(0, 3000, "Hi, is this Dana?"));
  ci.on_transcript(caller(3500, 4500, "yes"));
  ci.on_agent_turn("closing", "yes");
  Insights in = ci.update(5000);
  EXPECT_EQ(phase(in, "discovery").status, PhaseStatus::skipped);
  EXPECT_EQ(phase(in, "value_proposition").status, PhaseStatus::skipped);
  EXPECT_EQ(phase(in, "objection").status, PhaseStatus::skipped);
  // opening + closing covered of opening, discovery, value_proposition, closing (objection is conditional).
  EXPECT_EQ(in.metrics.script_adherence, 50);
  const Insights end = ci.finish(9000);
  EXPECT_EQ(phase(end, "closing").status, PhaseStatus::completed);
  EXPECT_EQ(objective(end, "book_meeting"), ObjectiveStatus::failed);  // no yes to the close
  EXPECT_EQ(objective(end, "discover_needs"), ObjectiveStatus::pending);
}

TEST(CallIntelligence, RejectionLowersProbabilities) {
  CallIntelligence warm(sales()), cold(sales());
  for (CallIntelligence* ci : {&warm, &cold}) {
    ci->on_agent_turn("opening", "");
    ci->on_transcript(agent(0, 4000, "Hi, this is Sam from Acme. Is this John?"));
  }
  warm.on_transcript(caller(4500, 6000, "yes this is John, great timing actually"));
  cold.on_transcript(caller(4500, 6000, "no thanks I'm not interested"));
  const Insights w = warm.update(7000), c = cold.update(7000);
  EXPECT_GT(w.metrics.conversion_probability, c.metrics.conversion_probability);
  EXPECT_GT(w.metrics.demo_acceptance_probability, c.metrics.demo_acceptance_probability);
  EXPECT_EQ(c.metrics.interest_signals, InterestSignals::weak);
  EXPECT_LT(c.metrics.conversion_probability, 10);
  EXPECT_EQ(objective(c, "confirm_contact"), ObjectiveStatus::failed);
  EXPECT_EQ(objective(w, "confirm_contact"), ObjectiveStatus::completed);
  const Insights end = cold.finish(8000);
  EXPECT_TRUE(has_action(end, ActionType::follow_up, "Record the call as not interested"));
}

TEST(CallIntelligence, VoiceEnergyFromAgentLevels) {
  auto energy = [](int level) {
    CallIntelligence ci(sales());
    for (int i = 0; i < 200; ++i) ci.on_levels(i % 2 ? level : 0, 30);  // speech alternating with silence
    return ci.update(40000).metrics.voice_energy;
  };
  EXPECT_EQ(energy(80), VoiceEnergy::high);
  EXPECT_EQ(energy(57), VoiceEnergy::medium);  // −26 dBFS: nominal speech
  EXPECT_EQ(energy(35), VoiceEnergy::low);
  EXPECT_EQ(energy(0), VoiceEnergy::low);
}

TEST(CallIntelligence, JsonShape) {
  CallIntelligence ci({{}, "support"});  // empty flow = the default five steps
  nlohmann::json j = to_json(ci.update(0));
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  EXPECT_EQ(keys, (std::set<std::string>{"phases", "objectives", "nextActions", "coaching", "sentiment", "metrics"}));
  EXPECT_EQ(j["phases"].size(), 5u);
  EXPECT_EQ(j["phases"][0]["status"], "pending");
  EXPECT_TRUE(j["phases"][0]["startTime"].is_null());
  EXPECT_EQ(j["objectives"][1]["title"], "Understand the issue");
  EXPECT_EQ(j["objectives"][4]["key"], "confirm_resolution");
  EXPECT_TRUE(j["sentiment"]["lastPositive"].is_null());
  EXPECT_EQ(j["sentiment"]["neutral"], 100);

  ci.on_agent_turn("opening", "");
  ci.on_transcript(agent(0, 5000, "Hello, this is the support desk. How can I help?"));
  ci.on_transcript(caller(5500, 9000, "My internet does not work and I am really annoyed"));
  j = to_json(ci.update(10000));
  const auto& p = j["phases"][0];
  for (const char* k : {"name", "status", "startTime", "endTime", "duration", "quality"}) EXPECT_TRUE(p.contains(k)) << k;
  EXPECT_EQ(p["status"], "active");
  EXPECT_EQ(p["startTime"], 0);
  EXPECT_EQ(p["duration"], 10);
  for (const char* k : {"key", "title", "status"}) EXPECT_TRUE(j["objectives"][0].contains(k)) << k;
  EXPECT_EQ(j["objectives"][0]["status"], "in_progress");
  ASSERT_FALSE(j["nextActions"].empty());
  for (const char* k : {"type", "action", "reason", "priority"}) EXPECT_TRUE(j["nextActions"][0].contains(k)) << k;
  EXPECT_EQ(j["sentiment"]["negative"], 100);
  EXPECT_EQ(j["sentiment"]["lastNegative"]["at"], 5500);
  EXPECT_LT(j["sentiment"]["overall"].get<double>(), -0.5);
  const auto& m = j["metrics"];
  for (const char* k : {"scriptAdherence", "agentConfidence", "conversationQuality", "prospectEngagement",
                        "voiceEnergy", "responseQuality", "questionFrequency", "interestSignals",
                        "conversionProbability", "demoAcceptanceProbability", "immediateCloseProbability"})
    EXPECT_TRUE(m.contains(k)) << k;
  EXPECT_EQ(m["voiceEnergy"], "LOW");
  for (const char* k : {"scriptAdherence", "agentConfidence", "conversationQuality", "prospectEngagement",
                        "conversionProbability", "demoAcceptanceProbability", "immediateCloseProbability"}) {
    EXPECT_GE(m[k].get<int>(), 0) << k;
    EXPECT_LE(m[k].get<int>(), 100) << k;
  }
}

TEST(CallIntelligence, HedgingAndBargeInLowerAgentConfidence) {
  CallIntelligence sure(sales()), unsure(sales());
  sure.on_transcript(agent(0, 4000, "Our service lists your units on every major site within a day."));
  model::TranscriptLine cut = agent(0, 4000, "Um, I think maybe it could probably, uh, sort of work for you");
  cut.interrupted = true;
  unsure.on_transcript(cut);
  const int a = sure.update(5000).metrics.agent_confidence, b = unsure.update(5000).metrics.agent_confidence;
  EXPECT_EQ(a, 100);
  EXPECT_LT(b, 50);
}

// Real read speech as caller lines: the distribution sums to 100 and the
// factual lines stay neutral.
TEST(CallIntelligence, RealReadSpeechAsCallerLines) {
  std::ifstream in(test::fixtures() / "speech" / "transcription");
  ASSERT_TRUE(in);
  CallIntelligence ci(sales());
  const std::regex re(R"(<s>\s*(.*?)\s*</s>)");
  std::string line;
  int64_t t = 0;
  int n = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;
    ci.on_transcript(caller(t, t + 4000, m[1].str()));
    t += 5000;
    ++n;
  }
  ASSERT_EQ(n, 5);
  const Insights r = ci.update(t);
  EXPECT_EQ(r.sentiment.positive + r.sentiment.neutral + r.sentiment.negative, 100);
  EXPECT_EQ(r.sentiment.neutral, 60);  // 3 of 5 lines carry no opinion
  EXPECT_EQ(r.sentiment.positive, 20);
  EXPECT_EQ(r.sentiment.negative, 20);
  EXPECT_EQ(r.current_phase, "opening");  // the first line starts the flow
}

}  // namespace
}  // namespace voqo::intel


namespace voqo::intel {
namespace {
// The objection counts behind objection-handling success (docs/ANALYTICS.md):
// every caller objection line, and those an agent line after it addressed
// (one first ignored and addressed later counts as answered; one left
// without a reply at the end does not).
TEST(CallIntelligence, ObjectionCountsAreTheCallersObjectionsAndThoseAnAgentLineAddressed) {
  CallIntelligence ci(sales());
  ci.on_transcript(agent(0, 3000, "Hi, this is Sam from Acme, do you have a minute?"));
  ci.on_transcript(caller(3500, 6000, "That's too expensive, I am not happy about it"));
  ci.on_agent_turn("objection", "objection");
  ci.on_transcript(agent(6500, 9000, "Anyway, how many tenants are you expecting next year?"));
  Insights in = ci.update(9000);
  EXPECT_EQ(in.objections.raised, 1);
  EXPECT_EQ(in.objections.answered, 0) << "ignored";
  ci.on_transcript(agent(9500, 14000, "I understand the budget concern. It costs 49 dollars a month."));
  in = ci.update(14000);
  EXPECT_EQ(in.objections.raised, 1);
  EXPECT_EQ(in.objections.answered, 1) << "addressed by a later agent line";
  ci.on_transcript(caller(14500, 17000, "It is still too expensive for us"));
  ci.on_agent_turn("objection", "objection");
  in = ci.finish(18000);
  EXPECT_EQ(in.objections.raised, 2);
  EXPECT_EQ(in.objections.answered, 1) << "the last objection got no reply";
  EXPECT_FALSE(to_json(in).contains("objections")) << "not in the live tables' JSON";
}

}  // namespace
}  // namespace voqo::intel
