// Intent detection over realistic caller utterances, including
// speech-recognition errors (pocketsphinx style: no punctuation, "know" for
// "no", "not interesting" for "not interested").
#include <gtest/gtest.h>

#include "brain/intent.hpp"

namespace voqo::brain {
namespace {

struct Case {
  const char* text;
  Intent intent;
  Objection objection = Objection::none;
};

using I = Intent;
using O = Objection;

const Case kCases[] = {
    // yes
    {"yes", I::yes},
    {"yeah okay", I::yes},
    {"sure", I::yes},
    {"absolutely", I::yes},
    {"yep that works for me", I::yes},
    {"yea sounds good", I::yes},
    {"ok", I::yes},
    {"alright", I::yes},
    {"uh huh", I::yes},
    {"of course", I::yes},
    {"im interested", I::yes},
    {"no problem go ahead", I::yes},
    {"i don't mind", I::yes},
    {"why not", I::yes},
    {"perfect thanks", I::yes},
    {"that sounds interesting tell me more", I::yes},
    // no
    {"no", I::no},
    {"nope", I::no},
    {"know", I::no},                        // STT: "no" heard as "know"
    {"um know i don't think so", I::no},
    {"not really", I::no},
    {"absolutely not", I::no},
    {"no way", I::no},
    {"it doesn't sound good", I::no},
    // not interested
    {"i'm not interested", I::not_interested},
    {"no thanks", I::not_interested},
    {"know thanks", I::not_interested},     // STT error
    {"no thank you", I::not_interested},
    {"im not interesting", I::not_interested},  // STT error for "interested"
    {"i am not really interested", I::not_interested},
    {"we're not looking to sell", I::not_interested},
    {"i don't need that", I::not_interested},
    {"not for me thanks", I::not_interested},
    {"we're all set", I::not_interested},
    // call back later
    {"yes but not now", I::call_back_later},
    {"not now", I::call_back_later},
    {"can you call me back tomorrow", I::call_back_later},
    {"call me back next tuesday afternoon", I::call_back_later},
    {"this is a bad time", I::call_back_later},
    {"i'm busy right now", I::call_back_later},
    {"i'm driving", I::call_back_later},
    {"i'm in a meeting call me later", I::call_back_later},
    {"try me again in a couple of days", I::call_back_later},
    {"sure call me back later", I::call_back_later},
    // stop calling → do not call
    {"stop calling me", I::stop_calling},
    {"please take me off your list", I::stop_calling},
    {"don't call me again", I::stop_calling},
    {"don't call back", I::stop_calling},
    {"no i'm not interested stop calling me", I::stop_calling},
    {"put me on your do not call list", I::stop_calling},
    {"remove my number from your database", I::stop_calling},
    {"lose my number", I::stop_calling},
    // wrong number
    {"you have the wrong number", I::wrong_number},
    {"wrong number", I::wrong_number},
    {"there's no one here by that name", I::wrong_number},
    {"he doesn't live here anymore", I::wrong_number},
    {"no sorry wrong numbers", I::wrong_number},
    // asks for a human
    {"can i speak to a real person", I::asks_for_human},
    {"let me talk to someone", I::asks_for_human},
    {"transfer me to a representative", I::asks_for_human},
    {"i want to speak to your manager", I::asks_for_human},
    // voicemail greetings
    {"hi you have reached john please leave a message after the tone", I::voicemail_greeting},
    {"the person you are calling is not available at the tone please record your message",
     I::voicemail_greeting},
    {"your call has been forwarded to an automated voice messaging system", I::voicemail_greeting},
    {"the mailbox is full", I::voicemail_greeting},
    {"sorry i can't come to the phone right now leave me a message", I::voicemail_greeting},
    // questions
    {"who is this", I::question},
    {"what is this about", I::question},
    {"how much does it cost", I::question},
    {"are you a robot", I::question},
    {"how did you get my number", I::question},
    {"sorry what company are you with", I::question},
    {"is this a recording", I::question},
    // objections
    {"it's too expensive", I::objection, O::price},
    {"we can't afford that right now", I::objection, O::price},
    {"we already have a property manager", I::objection, O::competitor},
    {"i'm happy with my current agent", I::objection, O::competitor},
    {"i don't have time for this", I::objection, O::no_time},
    {"just send me an email", I::objection, O::send_info},
    {"sure send me some information", I::objection, O::send_info},
    {"can you email me the details", I::objection, O::send_info},
    // greeting only
    {"hello", I::greeting},
    {"hi this is sarah", I::greeting},
    {"hey how are you", I::greeting},
    {"good morning", I::greeting},
    {"i'm good how are you", I::greeting},
    {"speaking", I::greeting},
    // statements and unclear
    {"we have three rental properties in austin", I::statement},
    {"hi we own two duplexes downtown", I::statement},
    {"um", I::unclear},
    {"", I::unclear},
    {"uh uh hmm", I::unclear},
    {"i'm not sure", I::unclear},
};

TEST(Intent, TableOfRealisticUtterances) {
  int failures = 0;
  for (const Case& c : kCases) {
    IntentResult r = detect_intent(c.text);
    EXPECT_EQ(intent_name(r.intent), intent_name(c.intent)) << '"' << c.text << "\" evidence=\"" << r.evidence << '"';
    if (c.objection != O::none) {
      EXPECT_EQ(objection_name(r.objection), objection_name(c.objection)) << c.text;
    }
    failures += r.intent != c.intent;
  }
  EXPECT_GE(std::size(kCases), 60u);
  EXPECT_EQ(failures, 0);
}

TEST(Intent, EvidenceIsTheMatchedPhrase) {
  EXPECT_EQ(detect_intent("well yes but not right now").evidence, "not right now");
  EXPECT_EQ(detect_intent("No, I'm NOT interested.").evidence, "not interested");
  EXPECT_EQ(detect_intent("please take me off your calling list").evidence, "take me off your calling list");
  // Every hit is reported, in utterance order.
  IntentResult r = detect_intent("yes but not now");
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_EQ(r.hits[0].intent, I::yes);
  EXPECT_EQ(r.hits[1].intent, I::call_back_later);
  EXPECT_TRUE(r.has(I::yes));
}

TEST(Intent, NegationFlipsPositivePhrases) {
  EXPECT_EQ(detect_intent("i'm interested").intent, I::yes);
  EXPECT_EQ(detect_intent("i wouldn't be interested").intent, I::not_interested);
  EXPECT_EQ(detect_intent("sure").intent, I::yes);
  EXPECT_EQ(detect_intent("not sure").intent, I::unclear);
  // "right" is a yes alone, not inside "right now".
  EXPECT_EQ(detect_intent("right").intent, I::yes);
  EXPECT_NE(detect_intent("right now we rent them out").intent, I::yes);
  // "no problem" masks "no".
  EXPECT_EQ(detect_intent("no problem").intent, I::yes);
}

TEST(Intent, PriorityIsExplicit) {
  // stop_calling > not_interested > no.
  EXPECT_EQ(detect_intent("no no not interested stop calling").intent, I::stop_calling);
  EXPECT_EQ(detect_intent("no not interested").intent, I::not_interested);
  // voicemail beats everything else in a machine greeting.
  EXPECT_EQ(detect_intent("no one is available to take your call leave a message").intent, I::voicemail_greeting);
  // wrong_number > not_interested; objection > yes; question > yes.
  EXPECT_EQ(detect_intent("not interested you have the wrong number").intent, I::wrong_number);
  EXPECT_EQ(detect_intent("yeah just email me").intent, I::objection);
  EXPECT_EQ(detect_intent("yes who is this").intent, I::question);
}

TEST(Intent, ConfidenceReflectsStrengthAndConflict) {
  const double strong = detect_intent("stop calling me").confidence;
  const double weak = detect_intent("i'm driving").confidence;
  EXPECT_GT(strong, weak);
  // Mixed polarity lowers confidence.
  EXPECT_LT(detect_intent("yes no i mean").confidence, detect_intent("yes").confidence);
  EXPECT_LT(detect_intent("").confidence, 0.2);
}

TEST(Intent, QuestionTopics) {
  EXPECT_EQ(detect_intent("who is this").topic, "identity");
  EXPECT_EQ(detect_intent("what is this regarding").topic, "purpose");
  EXPECT_EQ(detect_intent("how much does it cost").topic, "price");
  EXPECT_EQ(detect_intent("how did you get my number").topic, "number_source");
  EXPECT_EQ(detect_intent("are you a real person").topic, "robot");
}

TEST(Intent, NumberizeKeepsClockPairsApart) {
  auto n = numberize(tokenize("three thirty on the fifteenth twenty five minutes one oh five"));
  std::vector<std::string> want = {"3", "30", "on", "the", "15th", "25", "minutes", "1", "05"};
  EXPECT_EQ(n, want);
}

}  // namespace
}  // namespace voqo::brain
