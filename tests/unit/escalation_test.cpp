// Escalation (issue 18 §6): each trigger of a campaign's configuration on
// real callee utterances (the intent lexicon and AFINN sentiment, no
// stand-ins), at most one escalation per call, and the brain that hands the
// call off — a hand-off line and a transfer with outcome Transferred — or
// lets the agent's own brain answer when there is no target.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "calls/escalation.hpp"

using namespace voqo;

namespace {

struct Case {
  const char* name;
  model::EscalationTriggers triggers;
  std::vector<const char*> utterances;
  int fires_at;            ///< index of the utterance that escalates; -1 = none
  const char* trigger;     ///< expected trigger
  const char* detail;      ///< expected detail ("" = not checked)
};

model::EscalationTriggers none() {
  model::EscalationTriggers t;
  t.human_request = false;
  return t;
}
model::EscalationTriggers with_keywords(std::vector<std::string> k) {
  auto t = none();
  t.keywords = std::move(k);
  return t;
}
model::EscalationTriggers objections(int n) {
  auto t = none();
  t.repeated_objection = n;
  return t;
}
model::EscalationTriggers negative(int n) {
  auto t = none();
  t.negative_sentiment_turns = n;
  return t;
}

TEST(EscalationMonitor, EachTriggerFiresOnTheTurnItIsMet) {
  const std::vector<Case> cases = {
      {"asks for a person", model::EscalationTriggers{}, {"who is this", "can I speak to a real person please"}, 1, "human_request", ""},
      {"human request off", none(), {"can I speak to a real person please"}, -1, "", ""},
      {"robot question is not a request", model::EscalationTriggers{}, {"are you a human"}, -1, "", ""},
      {"keyword on word boundaries", with_keywords({"cancel"}), {"it was cancelled already", "I want to cancel my account"}, 1, "keyword", "cancel"},
      {"keyword phrase, any case", with_keywords({"lawyer up", "attorney"}), {"My ATTORNEY will call you"}, 0, "keyword", "attorney"},
      {"keyword phrase needs every word in order", with_keywords({"speak to legal"}), {"legal will speak to you"}, -1, "", ""},
      {"same objection twice", objections(2), {"that is too expensive", "sure", "it costs too much for us"}, 2, "repeated_objection", "price"},
      {"different objections do not add up", objections(2), {"that is too expensive", "I don't have time"}, -1, "", ""},
      {"three negative turns in a row", negative(3),
       {"this is terrible", "I hate these calls", "what an awful waste of time"}, 2, "negative_sentiment", ""},
      {"a good turn breaks the run", negative(3),
       {"this is terrible", "I hate these calls", "great, thanks, that is wonderful", "awful", "horrible"}, -1, "", ""},
      {"a turn without sentiment words keeps the run", negative(2), {"this is terrible", "ok", "I hate this"}, 2, "negative_sentiment", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    calls::EscalationMonitor m(c.triggers);
    int fired_at = -1;
    for (std::size_t i = 0; i < c.utterances.size(); ++i)
      if (auto e = m.caller_turn(c.utterances[i])) {
        EXPECT_EQ(fired_at, -1) << "fired twice";
        fired_at = static_cast<int>(i);
        EXPECT_EQ(e->trigger, c.trigger);
        if (*c.detail) {
          EXPECT_EQ(e->detail, c.detail);
        }
        EXPECT_EQ(e->utterance, c.utterances[i]);
      }
    EXPECT_EQ(fired_at, c.fires_at);
    EXPECT_EQ(m.fired(), c.fires_at >= 0);
  }
}

TEST(EscalationMonitor, FiresOncePerCall) {
  calls::EscalationMonitor m(model::EscalationTriggers{});
  EXPECT_TRUE(m.caller_turn("let me talk to a manager"));
  EXPECT_FALSE(m.caller_turn("I said a real person"));
}

/// The agent's own brain: says "inner" and counts its turns.
class CountingBrain final : public brain::Brain {
 public:
  explicit CountingBrain(int* turns) : turns_(turns) {}
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token) override { return say(sink); }
  Result<brain::Reply> respond(std::string_view, const brain::TextSink& sink, std::stop_token) override { return say(sink); }
  void interrupted(std::string_view) override {}
  [[nodiscard]] std::string phase() const override { return "discovery"; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override { return brain::CallResult{}; }

 private:
  Result<brain::Reply> say(const brain::TextSink& sink) {
    ++*turns_;
    (void)sink("inner.");
    brain::Reply r;
    r.text = "inner.";
    return r;
  }
  int* turns_;
};

TEST(EscalatingBrain, WithATargetTheEscalatingTurnIsTheHandOffAndATransfer) {
  int turns = 0;
  std::vector<calls::Escalation> seen;
  auto b = calls::escalating_brain(std::make_unique<CountingBrain>(&turns), model::EscalationTriggers{}, "+14155550199",
                                   [&](const calls::Escalation& e) { seen.push_back(e); });
  std::string spoken;
  auto sink = [&](std::string_view s) {
    spoken += s;
    return true;
  };
  ASSERT_TRUE(b->greet(sink, {}));
  auto plain = b->respond("what is this about", sink, {});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->transfer_to);
  EXPECT_EQ(turns, 2);
  spoken.clear();
  auto r = b->respond("I want to speak to a human", sink, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(turns, 2) << "the agent's brain does not answer the escalating turn";
  EXPECT_EQ(r->transfer_to, "+14155550199");
  EXPECT_EQ(r->outcome, brain::Outcome::transferred);
  EXPECT_EQ(r->text, calls::kHandOffLine);
  EXPECT_EQ(spoken, calls::kHandOffLine);
  EXPECT_EQ(r->phase, "discovery");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].trigger, "human_request");
}

TEST(EscalatingBrain, WithoutATargetItAlertsAndTheAgentAnswers) {
  int turns = 0;
  int alerts = 0;
  auto b = calls::escalating_brain(std::make_unique<CountingBrain>(&turns), with_keywords({"refund"}), "",
                                   [&](const calls::Escalation&) { ++alerts; });
  auto sink = [](std::string_view) { return true; };
  auto r = b->respond("I want a refund now", sink, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(alerts, 1);
  EXPECT_EQ(turns, 1);
  EXPECT_EQ(r->text, "inner.");
  EXPECT_FALSE(r->transfer_to);
  ASSERT_TRUE(b->respond("refund please", sink, {}));
  EXPECT_EQ(alerts, 1) << "once per call";
}

}  // namespace
