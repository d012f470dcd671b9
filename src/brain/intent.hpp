#pragma once
/// Rule-based intent detection over one caller utterance, for the scripted
/// call flow (issue 3 §4a) and the extractive summary.
///
/// Input is final speech-recognition text: lower or mixed case, usually no
/// punctuation, with recognition errors (pocketsphinx says "know" for a
/// leading "no", "not interesting" for "not interested", "yea" for "yeah").
///
/// Normalisation (tokenize()): lower-case ASCII; apostrophes are dropped
/// ("don't" → "dont", "i'm" → "im"); every other non-alphanumeric character
/// separates tokens; "ok"/"okey"/"kay" → "okay", "alright" → "all right",
/// "gonna"/"wanna" → "going to"/"want to"; a leading "know" (optionally after
/// fillers) → "no".
///
/// Matching: every lexicon phrase below is a token sequence; `*` in a phrase
/// matches 0–3 arbitrary tokens. Phrases are tried longest first and a token
/// covered by a longer match cannot be reused by a shorter one, so "no
/// problem" (yes) masks "no", "not interested" masks "interested", and "not
/// now" masks nothing but itself. A phrase marked *alone* only matches when
/// the rest of the utterance is fillers/politeness ("um", "uh", "oh", "well",
/// "so", "thanks", "thank you", "please"): "right" is a yes only on its own,
/// never in "right now".
///
/// Negation: a phrase marked *negatable* that is preceded within 3 tokens
/// (not crossing "but"/"and"/"so") by a negator (not, never, dont, doesnt,
/// didnt, isnt, arent, wasnt, wont, wouldnt, cant, cannot, hardly) or
/// followed directly by "not" ("absolutely not") flips to its negated intent:
/// "not sure" → none, "not really interested" → not_interested,
/// "doesnt sound good" → no.
///
/// Lexicons (abbreviated; the full tables are in intent.cpp):
/// - voicemail_greeting: "leave a message", "after the tone/beep", "at the
///   tone", "record your message", "voicemail", "mailbox", "voice messaging",
///   "has been forwarded to" (normal), "not available"
///   (weak), "you have reached" (weak), "cant come to the phone" (weak), "is
///   unavailable" (weak).
/// - stop_calling: "stop calling", "dont call * again", "dont call me back",
///   "do not call", "take me off * list", "remove me from * list", "remove my
///   number", "lose my number", "never call", "unsubscribe", "quit calling".
/// - wrong_number: "wrong number", "no one * by that name", "nobody * by that
///   name", "doesnt live here", "no longer lives here", "you have the wrong",
///   "dont know * who that is", "never heard of".
/// - asks_for_human: "real person", "speak to someone", "talk to someone",
///   "human", "representative", "operator", "speak/talk to * manager", "your
///   boss", "live agent", "transfer me", "supervisor". Robot questions ("are
///   you * human", "is this * recording") are questions and mask "human".
/// - call_back_later: "call me back", "call back", "call me later", "call
///   later", "try again later", "another time", "not a good time", "bad
///   time", "busy right now", "in a meeting", "driving", "not now", "not
///   right now", "not today" (weak), "maybe later"; a negated "call (me)
///   back/later" ("please dont call back") is stop_calling.
/// - not_interested: "not interested", "no interest", "not for me", "no
///   thanks", "no thank you", "dont need", "dont want", "not looking", "were
///   good", "im good" (weak), "pass", plus negated "interested" /
///   "interesting" / "sounds interesting".
/// - objection (category in IntentResult::objection):
///   price: "too expensive", "too much", "cant afford", "no budget", "out of
///   * budget", "too pricey", "costs too much";
///   competitor: "already have", "already got", "already use", "already
///   working with", "happy with * current", "have an agent", "have someone",
///   "under contract", "we use";
///   no_time: "dont have time", "no time", "too busy", "busy";
///   send_info: "send me * email", "email me", "send * information", "send *
///   info", "send me something", "send it over", "text me", "website".
/// - no: "no", "nope", "nah", "no way", "i dont think so", "not really",
///   "negative", and negated yes phrases.
/// - question: a first content token in {what, whats, who, whos, how, hows,
///   why, where, when, which} or an auxiliary + pronoun opening ("are you",
///   "is this", "can you", "do you", ...); topics: identity ("who"), purpose
///   ("what is this about", "why are you calling"), price ("how much",
///   "cost", "price"), number_source ("how did you get my number"), robot
///   ("are you a robot/real person/machine/computer/bot/ai").
/// - yes: "yes", "yeah", "yea", "yep", "yup", "sure", "okay", "all right",
///   "absolutely", "definitely", "of course", "certainly", "sounds good",
///   "that works", "go ahead", "please do", "why not", "no problem", "i dont
///   mind", "interested", "tell me more", "i would love", "perfect" (alone),
///   "right" (alone), "correct", "uh huh", "mhm".
/// - greeting: "hello", "hi", "hey", "good morning/afternoon/evening", "how
///   are you", "im good how are you", "not bad", "speaking", "this is *".
///
/// Priority (explicit; the highest intent with a hit wins):
///   voicemail_greeting > stop_calling > wrong_number > asks_for_human >
///   call_back_later > not_interested > objection > no > question > yes >
///   greeting > statement > unclear.
/// So "yes but not now" → call_back_later, "no thanks" → not_interested, "no
/// im not interested stop calling me" → stop_calling, "sure send me an email"
/// → objection/send_info. A greeting with two or more uncovered content words
/// ("hi we have three rentals") is a statement.
///
/// Confidence: the winning phrase's weight (0.95 strong, 0.75 normal, 0.6
/// weak), times 0.8 when the utterance also hits the opposite polarity (yes
/// vs no/not_interested); statement 0.5; unclear 0.3 (0.1 for empty input).
///
/// Pure functions, thread-safe, no allocation beyond the result.
#include <string>
#include <string_view>
#include <vector>

namespace voqo::brain {

/// What the caller meant, coarse enough to drive a call flow.
enum class Intent {
  unclear,             ///< nothing recognisable (fillers, noise, empty)
  statement,           ///< content words but no lexicon hit ("we have three rentals")
  greeting,            ///< greeting only ("hello", "hi how are you")
  yes,
  question,
  no,
  objection,           ///< see IntentResult::objection
  not_interested,
  call_back_later,
  asks_for_human,
  wrong_number,
  stop_calling,        ///< → do-not-call
  voicemail_greeting,  ///< an answering machine's greeting
};

/// Objection categories (the keys of ScriptTemplate::objections).
enum class Objection { none, price, competitor, no_time, send_info };

/// "yes", "not_interested", "voicemail_greeting", ...
std::string_view intent_name(Intent intent);
/// "price", "competitor", "no_time", "send_info" ("" for none).
std::string_view objection_name(Objection objection);

/// One lexicon hit.
struct IntentHit {
  Intent intent = Intent::unclear;
  Objection objection = Objection::none;
  std::string evidence;  ///< the matched tokens, space-separated (normalised)
  double weight = 0;     ///< 0.6 weak, 0.75 normal, 0.95 strong
};

/// The detected intent of one utterance.
struct IntentResult {
  Intent intent = Intent::unclear;
  Objection objection = Objection::none;  ///< set when intent == objection
  /// For intent == question: "identity", "purpose", "price", "number_source",
  /// "robot" or "other"; "" otherwise.
  std::string topic;
  double confidence = 0;     ///< 0..1, see the header comment
  std::string evidence;      ///< the winning hit's matched tokens ("" for statement/unclear)
  std::vector<IntentHit> hits;  ///< every hit, in utterance order
  int content_words = 0;     ///< tokens that are not fillers or stop words

  /// True when any hit has `intent` (e.g. a yes inside a question).
  [[nodiscard]] bool has(Intent intent) const;
  /// True when any hit is an objection of category `objection`.
  [[nodiscard]] bool has(Objection objection) const;
};

/// The normalised tokens of `text` (see the header comment).
std::vector<std::string> tokenize(std::string_view text);

/// Detects the intent of one caller utterance. Never fails: empty or
/// unrecognisable input gives Intent::unclear.
IntentResult detect_intent(std::string_view utterance);

/// True for a stop word or filler ("the", "um", "i", ...): words that carry
/// no content. Used by the content-word counts here and in summary.cpp.
bool is_stop_word(std::string_view token);

/// Replaces number words by digits, token-wise: "three" → "3", "twenty five"
/// → "25" (tens + unit compose; "three thirty" stays "3 30"), "fifteenth" →
/// "15th", "oh" between numbers → "0". `source[i]` receives, for each output
/// token, the index of the first input token it came from (same size as the
/// result).
std::vector<std::string> numberize(const std::vector<std::string>& tokens, std::vector<std::size_t>* source = nullptr);

}  // namespace voqo::brain
