// The callee simulator's personas (src/sim/persona.hpp): the built-in
// last-digit rule the demo's sample contacts rely on, JSON rules from the
// simulator's config, config errors, and that each persona's lines, spoken
// by flite and heard by pocketsphinx (what the agent hears), carry the
// intent the scripted brain needs for the persona's outcome.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "brain/intent.hpp"
#include "brain/time_phrase.hpp"
#include "calls/call_service.hpp"
#include "sim/persona.hpp"
#include "speech/flite_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"
#include "support/test_support.hpp"

namespace voqo::sim {
namespace {

TEST(PersonaRules, DefaultRuleIsTheLastDigitOfTheNumber) {
  const PersonaRules rules;
  const std::pair<const char*, Persona> cases[] = {
      {"+12125550100", Persona::interested},   {"+12125550101", Persona::not_interested},
      {"+12125550102", Persona::callback},     {"+12125550103", Persona::wrong_number},
      {"+12125550104", Persona::voicemail},    {"+12125550105", Persona::no_answer},
      {"+12125550106", Persona::busy},         {"+12125550107", Persona::stop_calling},
      {"+12125550108", Persona::interested},   {"+12125550109", Persona::not_interested},
      {"5559;ext", Persona::not_interested},  // the last digit, wherever it is
      {"alice", Persona::interested},         // no digit at all
  };
  for (const auto& [number, persona] : cases)
    EXPECT_EQ(persona_name(rules.choose(number)), persona_name(persona)) << number;
}

TEST(PersonaRules, ConfigRulesMatchInOrderThenTheDefault) {
  auto rules = PersonaRules::parse(R"({
    "rules": [{"match": "^\\+4420", "persona": "busy"},
              {"match": "7$", "persona": "voicemail"},
              {"match": "^\\+44", "persona": "wrong_number"}],
    "default": "callback"})");
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->size(), 3u);
  EXPECT_EQ(rules->choose("+442071234567"), Persona::busy);         // first match wins over "7$"
  EXPECT_EQ(rules->choose("+12125550107"), Persona::voicemail);     // not stop_calling: a rule matched
  EXPECT_EQ(rules->choose("+441612345678"), Persona::wrong_number);
  EXPECT_EQ(rules->choose("+12125550100"), Persona::callback);      // no rule: the config's default
}

TEST(PersonaRules, WithoutADefaultUnmatchedNumbersUseTheLastDigit) {
  auto rules = PersonaRules::parse(R"({"rules": [{"match": "^sales", "persona": "stop_calling"}]})");
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->choose("sales-1"), Persona::stop_calling);
  EXPECT_EQ(rules->choose("+12125550106"), Persona::busy);
  auto empty = PersonaRules::parse("{}");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->choose("+12125550104"), Persona::voicemail);
}

TEST(PersonaRules, BadConfigsNameTheField) {
  auto not_json = PersonaRules::parse("{rules: [");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::bad_request);

  const std::pair<const char*, const char*> cases[] = {
      {R"([1, 2])", ""},
      {R"({"rules": {"match": "1"}})", "rules"},
      {R"({"rules": ["1$"]})", "rules[0]"},
      {R"({"rules": [{"persona": "busy"}]})", "rules[0].match"},
      {R"({"rules": [{"match": "([0-9]", "persona": "busy"}]})", "rules[0].match"},
      {R"({"rules": [{"match": "1$"}]})", "rules[0].persona"},
      {R"({"rules": [{"match": "1$", "persona": "grumpy"}]})", "rules[0].persona"},
      {R"({"rules": [{"match": "1$", "persona": "busy", "voice": "rms"}]})", "rules[0].voice"},
      {R"({"default": "sleepy"})", "default"},
      {R"({"rule": []})", "rule"},
  };
  for (const auto& [json, field] : cases) {
    auto r = PersonaRules::parse(json);
    ASSERT_FALSE(r) << json;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << json;
    EXPECT_EQ(r.error().field(), field) << json << ": " << r.error().message;
  }
  auto unknown = PersonaRules::parse(R"({"default": "grumpy"})");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("stop_calling"), std::string::npos) << "lists the known personas";
}

TEST(PersonaRules, LoadReadsAFileAndReportsItsName) {
  test::TempDir dir;
  const auto path = dir.path() / "sim.json";
  {
    std::ofstream(path) << R"({"rules": [{"match": "0$", "persona": "busy"}]})";
  }
  auto rules = PersonaRules::load(path);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->choose("+12125550100"), Persona::busy);
  auto missing = PersonaRules::load(dir.path() / "nope.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  {
    std::ofstream(path) << R"({"default": 3})";
  }
  auto bad = PersonaRules::load(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("sim.json"), std::string::npos) << bad.error().message;
}

TEST(Persona, NamesRoundTripAndScriptsFitTheirPickup) {
  for (Persona p : kAllPersonas) {
    auto back = parse_persona(persona_name(p));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, p);
    const auto& s = persona_script(p);
    EXPECT_EQ(s.persona, p);
    EXPECT_NE(s.voice, "slt") << "slt is the agents' voice";
    EXPECT_EQ(s.lines.empty(), s.pickup != Pickup::answer) << persona_name(p);
  }
  EXPECT_FALSE(parse_persona("Interested"));
}

TEST(Persona, OnlyTheImpatientWaitsForTheAgentAndHasAPatience) {
  for (Persona p : kAllPersonas) {
    const auto& s = persona_script(p);
    EXPECT_EQ(s.speaks_first, p != Persona::impatient) << persona_name(p);
    EXPECT_EQ(s.patience.has_value(), p == Persona::impatient) << persona_name(p);
  }
  EXPECT_EQ(persona_script(Persona::impatient).patience, kImpatientPatience);
  // The simulator's patience is the abandoned-call rule's 2 s.
  EXPECT_EQ(kImpatientPatience.count(), calls::kAbandonAfterMs);
  auto rules = PersonaRules::parse(R"({"rules": [{"match": "^imp", "persona": "impatient"}]})");
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->choose("imp-1"), Persona::impatient);
  for (char d = '0'; d <= '9'; ++d)
    EXPECT_NE(PersonaRules().choose(std::string("+1212555010") + d), Persona::impatient) << "no digit picks it";
}

/// Feeds `p` 20 ms frames, voiced at the frames ending at `voiced_at_ms`
/// (and none else), up to `until_ms`; returns the state and the frame end it was reached at.
std::pair<Patience::State, int> run(Patience p, std::initializer_list<int> voiced_at_ms, int until_ms = 4000) {
  for (int t = 20; t <= until_ms; t += 20) {
    bool voiced = false;
    for (int v : voiced_at_ms) voiced = voiced || v == t;
    if (auto s = p.frame(std::chrono::milliseconds(t), voiced); s != Patience::State::waiting) return {s, t};
  }
  return {p.state(), until_ms};
}

TEST(Patience, TheAgentMustBeHeardWithinTwoSecondsOfTheAnswer) {
  using S = Patience::State;
  const Patience two_s(kImpatientPatience);
  EXPECT_EQ(run(two_s, {}), std::make_pair(S::hang_up, 2000)) << "silence: hangs up at 2 s, not before";
  EXPECT_EQ(run(two_s, {20}), std::make_pair(S::heard, 20));
  EXPECT_EQ(run(two_s, {1980}), std::make_pair(S::heard, 1980));
  EXPECT_EQ(run(two_s, {2000}), std::make_pair(S::heard, 2000)) << "a voiced frame ending at 2 s is in time";
  EXPECT_EQ(run(two_s, {2020, 2040}), std::make_pair(S::hang_up, 2000)) << "too late";
  EXPECT_EQ(run(Patience(std::chrono::milliseconds(500)), {600}), std::make_pair(S::hang_up, 500));
}

TEST(Patience, EitherVerdictIsFinal) {
  using S = Patience::State;
  Patience heard(kImpatientPatience);
  EXPECT_EQ(heard.frame(std::chrono::milliseconds(400), true), S::heard);
  EXPECT_EQ(heard.frame(std::chrono::milliseconds(5000), false), S::heard) << "silence later does not end the call";
  Patience gone(kImpatientPatience);
  EXPECT_EQ(gone.frame(std::chrono::milliseconds(2000), false), S::hang_up);
  EXPECT_EQ(gone.frame(std::chrono::milliseconds(2020), true), S::hang_up) << "speaking after the hang-up is too late";
  EXPECT_EQ(gone.state(), S::hang_up);
}

/// What the agent's recogniser makes of `text` spoken by `voice`.
std::string heard(speech::FliteTts& tts, speech::PocketsphinxStt& stt, const std::string& text, const std::string& voice) {
  std::vector<int16_t> pcm;
  auto r = tts.synthesize(text, {voice, 1.0, 1.0}, [&](std::span<const int16_t> s) {
    pcm.insert(pcm.end(), s.begin(), s.end());
    return true;
  });
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_TRUE(stt.begin_utterance(speech::kWideband));
  EXPECT_TRUE(stt.accept(pcm));
  auto t = stt.end_utterance();
  EXPECT_TRUE(t) << t.error().message;
  return t ? t->text : "";
}

// The line of each persona that decides its outcome, as pocketsphinx hears
// it: the intent (and, for callback/interested, a time) the scripted brain
// acts on. Guards the wording against the recogniser and the lexicon.
TEST(Persona, DecisiveLinesKeepTheirIntentThroughTheRecogniser) {
  speech::FliteTts tts;
  auto stt = speech::PocketsphinxStt::create();
  ASSERT_TRUE(stt) << stt.error().message;
  const auto now = std::chrono::sys_days{std::chrono::year{2030} / 3 / 4} + std::chrono::hours(15);
  struct Case {
    Persona persona;
    std::size_t line;
    brain::Intent intent;
    bool has_time;
  };
  const Case cases[] = {
      {Persona::not_interested, 1, brain::Intent::not_interested, false},
      {Persona::not_interested, 2, brain::Intent::not_interested, false},
      {Persona::callback, 1, brain::Intent::call_back_later, true},
      {Persona::wrong_number, 1, brain::Intent::wrong_number, false},
      {Persona::stop_calling, 1, brain::Intent::stop_calling, false},
      {Persona::impatient, 0, brain::Intent::not_interested, false},
      {Persona::interested, 1, brain::Intent::yes, false},
      {Persona::interested, 6, brain::Intent::yes, true},
  };
  for (const auto& c : cases) {
    const auto& s = persona_script(c.persona);
    ASSERT_LT(c.line, s.lines.size());
    const std::string text = heard(tts, **stt, s.lines[c.line], s.voice);
    const auto intent = brain::detect_intent(text);
    std::printf("%-15s %-5s \"%s\" → \"%s\" → %s\n", std::string(persona_name(c.persona)).c_str(), s.voice.c_str(),
                s.lines[c.line].c_str(), text.c_str(), std::string(brain::intent_name(intent.intent)).c_str());
    EXPECT_EQ(brain::intent_name(intent.intent), brain::intent_name(c.intent)) << s.lines[c.line] << " heard as " << text;
    if (c.has_time) {
      EXPECT_TRUE(brain::parse_time_phrase(text, now, "UTC")) << s.lines[c.line] << " heard as " << text << ": no time";
    }
  }
}

}  // namespace
}  // namespace voqo::sim
