#include "brain/intent.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <span>

namespace voqo::brain {
namespace {

constexpr double kStrong = 0.95;
constexpr double kNormal = 0.75;
constexpr double kWeak = 0.6;

enum Flags : unsigned { kNone = 0, kAlone = 1, kNegatable = 2 };

struct Entry {
  std::string_view phrase;
  Intent intent;
  double weight;
  unsigned flags = kNone;
  Intent negated = Intent::unclear;  ///< intent when negated (unclear = drop the hit)
  Objection objection = Objection::none;
};

using I = Intent;
using O = Objection;

// The lexicons documented in intent.hpp. Order inside the table does not
// matter: matching goes longest phrase first.
constexpr Entry kLexicon[] = {
    // voicemail_greeting
    {"leave a message", I::voicemail_greeting, kStrong},
    {"leave your message", I::voicemail_greeting, kStrong},
    {"leave me a message", I::voicemail_greeting, kStrong},
    {"after the tone", I::voicemail_greeting, kStrong},
    {"after the beep", I::voicemail_greeting, kStrong},
    {"at the tone", I::voicemail_greeting, kStrong},
    {"at the beep", I::voicemail_greeting, kStrong},
    {"record your message", I::voicemail_greeting, kStrong},
    {"voicemail", I::voicemail_greeting, kStrong},
    {"voice mail", I::voicemail_greeting, kStrong},
    {"mailbox", I::voicemail_greeting, kStrong},
    {"mail box", I::voicemail_greeting, kStrong},
    {"voice messaging", I::voicemail_greeting, kStrong},
    {"has been forwarded to", I::voicemail_greeting, kNormal},
    {"not available", I::voicemail_greeting, kWeak},
    {"is unavailable", I::voicemail_greeting, kWeak},
    {"you have reached", I::voicemail_greeting, kWeak},
    {"youve reached", I::voicemail_greeting, kWeak},
    {"cant come to the phone", I::voicemail_greeting, kWeak},
    {"cannot take your call", I::voicemail_greeting, kWeak},
    {"cant take your call", I::voicemail_greeting, kWeak},
    // stop_calling
    {"stop calling", I::stop_calling, kStrong},
    {"quit calling", I::stop_calling, kStrong},
    {"stop * calling me", I::stop_calling, kStrong},
    {"dont call * again", I::stop_calling, kStrong},
    {"do not call * again", I::stop_calling, kStrong},
    {"dont call me back", I::stop_calling, kStrong},
    {"dont ever call", I::stop_calling, kStrong},
    {"do not call", I::stop_calling, kStrong},
    {"never call", I::stop_calling, kStrong},
    {"take me off * list", I::stop_calling, kStrong},
    {"take my number off", I::stop_calling, kStrong},
    {"remove me from * list", I::stop_calling, kStrong},
    {"remove my number", I::stop_calling, kStrong},
    {"remove me", I::stop_calling, kNormal},
    {"lose my number", I::stop_calling, kStrong},
    {"unsubscribe", I::stop_calling, kNormal},
    {"do not call list", I::stop_calling, kStrong},
    {"dont call list", I::stop_calling, kStrong},
    // wrong_number
    {"wrong number", I::wrong_number, kStrong},
    {"wrong numbers", I::wrong_number, kStrong},
    {"wrong person", I::wrong_number, kStrong},
    {"no one * by that name", I::wrong_number, kStrong},
    {"nobody * by that name", I::wrong_number, kStrong},
    {"no one here by", I::wrong_number, kNormal},
    {"doesnt live here", I::wrong_number, kStrong},
    {"no longer lives here", I::wrong_number, kStrong},
    {"doesnt work here", I::wrong_number, kNormal},
    {"you have the wrong", I::wrong_number, kStrong},
    {"youve got the wrong", I::wrong_number, kStrong},
    {"you got the wrong", I::wrong_number, kStrong},
    {"dont know * who that is", I::wrong_number, kNormal},
    {"never heard of", I::wrong_number, kNormal},
    {"no such person", I::wrong_number, kStrong},
    // asks_for_human
    {"real person", I::asks_for_human, kNormal},
    {"speak to someone", I::asks_for_human, kNormal},
    {"talk to someone", I::asks_for_human, kNormal},
    {"speak to a person", I::asks_for_human, kStrong},
    {"talk to a person", I::asks_for_human, kStrong},
    {"speak with someone", I::asks_for_human, kNormal},
    {"human", I::asks_for_human, kNormal},
    {"representative", I::asks_for_human, kNormal},
    {"operator", I::asks_for_human, kNormal},
    {"speak to * manager", I::asks_for_human, kNormal},
    {"talk to * manager", I::asks_for_human, kNormal},
    {"your manager", I::asks_for_human, kNormal},
    {"your boss", I::asks_for_human, kNormal},
    // robot questions mask "human" / "real person"
    {"are you * human", I::question, kNormal},
    {"are you * real person", I::question, kNormal},
    {"are you * robot", I::question, kNormal},
    {"is this * robot", I::question, kNormal},
    {"is this * recording", I::question, kNormal},
    {"is this * real person", I::question, kNormal},
    {"am i talking to * robot", I::question, kNormal},
    {"am i speaking to * robot", I::question, kNormal},
    {"supervisor", I::asks_for_human, kNormal},
    {"live agent", I::asks_for_human, kStrong},
    {"transfer me", I::asks_for_human, kStrong},
    {"put me through", I::asks_for_human, kNormal},
    // call_back_later
    {"call me back", I::call_back_later, kStrong, kNegatable, I::stop_calling},
    {"call back", I::call_back_later, kNormal, kNegatable, I::stop_calling},
    {"call me later", I::call_back_later, kStrong, kNegatable, I::stop_calling},
    {"call later", I::call_back_later, kNormal, kNegatable, I::stop_calling},
    {"call me another", I::call_back_later, kStrong},
    {"call me tomorrow", I::call_back_later, kStrong},
    {"call me next", I::call_back_later, kStrong},
    {"call me in", I::call_back_later, kNormal},
    {"try again later", I::call_back_later, kStrong},
    {"try me later", I::call_back_later, kStrong},
    {"try me again", I::call_back_later, kStrong},
    {"another time", I::call_back_later, kNormal},
    {"not a good time", I::call_back_later, kStrong},
    {"bad time", I::call_back_later, kStrong},
    {"busy right now", I::call_back_later, kStrong},
    {"busy at the moment", I::call_back_later, kStrong},
    {"in a meeting", I::call_back_later, kNormal},
    {"driving", I::call_back_later, kWeak},
    {"not now", I::call_back_later, kNormal},
    {"not right now", I::call_back_later, kNormal},
    {"not at the moment", I::call_back_later, kNormal},
    {"not today", I::call_back_later, kWeak},
    {"maybe later", I::call_back_later, kNormal},
    // not_interested
    {"not interested", I::not_interested, kStrong},
    {"not interesting", I::not_interested, kNormal},
    {"not interest", I::not_interested, kNormal},
    {"no interest", I::not_interested, kStrong},
    {"not for me", I::not_interested, kNormal},
    {"no thanks", I::not_interested, kNormal},
    {"no thank you", I::not_interested, kNormal},
    {"dont need", I::not_interested, kNormal},
    {"dont want", I::not_interested, kNormal},
    {"not looking", I::not_interested, kNormal},
    {"were good", I::not_interested, kWeak},
    {"were all set", I::not_interested, kNormal},
    {"im all set", I::not_interested, kNormal},
    {"im good", I::not_interested, kWeak},
    {"ill pass", I::not_interested, kNormal},
    {"pass", I::not_interested, kWeak, kAlone},
    {"not selling", I::not_interested, kNormal},
    // objections
    {"too expensive", I::objection, kNormal, kNone, I::unclear, O::price},
    {"too much money", I::objection, kNormal, kNone, I::unclear, O::price},
    {"costs too much", I::objection, kNormal, kNone, I::unclear, O::price},
    {"cost too much", I::objection, kNormal, kNone, I::unclear, O::price},
    {"too pricey", I::objection, kNormal, kNone, I::unclear, O::price},
    {"cant afford", I::objection, kNormal, kNone, I::unclear, O::price},
    {"no budget", I::objection, kNormal, kNone, I::unclear, O::price},
    {"dont have the budget", I::objection, kNormal, kNone, I::unclear, O::price},
    {"out of * budget", I::objection, kNormal, kNone, I::unclear, O::price},
    {"fees are too high", I::objection, kNormal, kNone, I::unclear, O::price},
    {"already have", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"already got", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"already use", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"already using", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"already working with", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"already work with", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"happy with * current", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"have an agent", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"have a realtor", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"have someone", I::objection, kWeak, kNone, I::unclear, O::competitor},
    {"under contract", I::objection, kNormal, kNone, I::unclear, O::competitor},
    {"we use", I::objection, kWeak, kNone, I::unclear, O::competitor},
    {"dont have time", I::objection, kNormal, kNone, I::unclear, O::no_time},
    {"dont have the time", I::objection, kNormal, kNone, I::unclear, O::no_time},
    {"no time", I::objection, kNormal, kNone, I::unclear, O::no_time},
    {"too busy", I::objection, kNormal, kNone, I::unclear, O::no_time},
    {"busy", I::objection, kWeak, kNone, I::unclear, O::no_time},
    {"send me * email", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"send me an e mail", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"email me", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"e mail me", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"send * information", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"send * info", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"send * details", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"send me something", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"send it over", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"text me", I::objection, kNormal, kNone, I::unclear, O::send_info},
    {"website", I::objection, kWeak, kNone, I::unclear, O::send_info},
    // no
    {"no", I::no, kNormal},
    {"nope", I::no, kNormal},
    {"nah", I::no, kNormal},
    {"no way", I::no, kStrong},
    {"i dont think so", I::no, kNormal},
    {"not really", I::no, kNormal},
    {"negative", I::no, kNormal, kAlone},
    {"absolutely not", I::no, kStrong},
    {"definitely not", I::no, kStrong},
    {"of course not", I::no, kStrong},
    {"certainly not", I::no, kStrong},
    // yes (masking phrases with "no"/"not" first)
    {"no problem", I::yes, kNormal},
    {"no worries", I::yes, kNormal},
    {"not a problem", I::yes, kNormal},
    {"why not", I::yes, kNormal},
    {"i dont mind", I::yes, kNormal},
    {"yes", I::yes, kStrong, kNegatable, I::no},
    {"yeah", I::yes, kStrong, kNegatable, I::no},
    {"yea", I::yes, kNormal, kNegatable, I::no},
    {"yah", I::yes, kNormal, kNegatable, I::no},
    {"ya", I::yes, kWeak, kNegatable, I::no},
    {"yep", I::yes, kStrong, kNegatable, I::no},
    {"yup", I::yes, kStrong, kNegatable, I::no},
    {"sure", I::yes, kNormal, kNegatable, I::unclear},
    {"okay", I::yes, kNormal, kNegatable, I::no},
    {"all right", I::yes, kNormal, kNegatable, I::no},
    {"absolutely", I::yes, kStrong, kNegatable, I::no},
    {"definitely", I::yes, kStrong, kNegatable, I::no},
    {"of course", I::yes, kStrong, kNegatable, I::no},
    {"certainly", I::yes, kStrong, kNegatable, I::no},
    {"sounds good", I::yes, kStrong, kNegatable, I::no},
    {"sounds great", I::yes, kStrong, kNegatable, I::no},
    {"sound good", I::yes, kNormal, kNegatable, I::no},
    {"sound great", I::yes, kNormal, kNegatable, I::no},
    {"sounds interesting", I::yes, kNormal, kNegatable, I::not_interested},
    {"interesting", I::yes, kWeak, kNegatable, I::not_interested},
    {"interested", I::yes, kNormal, kNegatable, I::not_interested},
    {"that works", I::yes, kStrong, kNegatable, I::no},
    {"works for me", I::yes, kStrong, kNegatable, I::no},
    {"go ahead", I::yes, kNormal, kNegatable, I::no},
    {"please do", I::yes, kNormal},
    {"tell me more", I::yes, kNormal},
    {"i would love", I::yes, kStrong},
    {"id love", I::yes, kStrong},
    {"love to", I::yes, kNormal, kNegatable, I::no},
    {"i guess", I::yes, kWeak},
    {"perfect", I::yes, kNormal, kAlone},
    {"great", I::yes, kNormal, kAlone},
    {"fine", I::yes, kNormal, kAlone},
    {"cool", I::yes, kNormal, kAlone},
    {"right", I::yes, kNormal, kAlone},
    {"correct", I::yes, kNormal, kNegatable, I::no},
    {"thats right", I::yes, kNormal},
    {"uh huh", I::yes, kNormal},
    {"mhm", I::yes, kNormal},
    {"mm hmm", I::yes, kNormal},
    {"sure thing", I::yes, kStrong},
    // greeting
    {"hello", I::greeting, kNormal},
    {"hi", I::greeting, kNormal},
    {"hey", I::greeting, kNormal},
    {"good morning", I::greeting, kNormal},
    {"good afternoon", I::greeting, kNormal},
    {"good evening", I::greeting, kNormal},
    {"how are you", I::greeting, kNormal},
    {"hows it going", I::greeting, kNormal},
    {"im good how are you", I::greeting, kNormal},
    {"im good thanks", I::greeting, kWeak},
    {"im fine", I::greeting, kNormal},
    {"im doing well", I::greeting, kNormal},
    {"not bad", I::greeting, kNormal},
    {"speaking", I::greeting, kNormal},
    {"this is", I::greeting, kWeak},
};

// Question openings: first content token, or auxiliary + pronoun.
constexpr std::array<std::string_view, 11> kWhWords = {"what", "whats", "who", "whos", "how", "hows",
                                                       "why", "where", "when", "which", "whose"};
constexpr std::array<std::string_view, 12> kAux = {"is", "are", "can", "could", "do", "does",
                                                   "did", "will", "would", "should", "may", "was"};
constexpr std::array<std::string_view, 11> kPronouns = {"you", "it", "this", "that", "there", "i",
                                                        "we", "they", "he", "she", "your"};

constexpr std::array<std::string_view, 14> kNegators = {"not", "never", "dont", "doesnt", "didnt",
                                                        "isnt", "arent", "wasnt", "wont", "wouldnt",
                                                        "cant", "cannot", "hardly", "aint"};

// Tokens an *alone* phrase may share the utterance with.
constexpr std::array<std::string_view, 16> kFillers = {"um", "uh", "uhm", "er", "erm", "ah", "oh", "well",
                                                       "so", "thanks", "thank", "you", "please", "hmm",
                                                       "okay", "yeah"};

constexpr std::string_view kStopWords[] = {
    "a", "about", "ah", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "does", "er", "erm", "for", "from", "get", "go", "got", "had", "has",
    "have", "he", "her", "him", "his", "hmm", "i", "if", "im", "in", "is", "it", "its", "ive", "just",
    "kind", "know", "like", "me", "mean", "mm", "my", "of", "oh", "okay", "on", "or", "our", "really",
    "right", "she", "so", "not", "no", "dont", "cant", "thanks", "thank", "please", "sorry", "yep", "yup", "some", "that", "thats", "the", "their", "them", "then", "there", "they",
    "this", "to", "uh", "uhm", "um", "us", "very", "was", "we", "well", "were", "what", "will", "with",
    "would", "yeah", "yes", "you", "your", "youre"};

bool in(std::string_view t, std::span<const std::string_view> set) {
  return std::find(set.begin(), set.end(), t) != set.end();
}

std::vector<std::string> split(std::string_view phrase) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < phrase.size()) {
    std::size_t j = phrase.find(' ', i);
    if (j == std::string_view::npos) j = phrase.size();
    if (j > i) out.emplace_back(phrase.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

/// Matches `pat` at tokens[pos..]; `*` matches 0–3 tokens. Returns the end
/// index (exclusive) or 0 on failure; `covered` tokens may not be used.
std::size_t match_at(const std::vector<std::string>& toks, const std::vector<bool>& covered, std::size_t pos,
                     const std::vector<std::string>& pat, std::size_t pi) {
  if (pi == pat.size()) return pos;
  if (pat[pi] == "*") {
    for (std::size_t skip = 0; skip <= 3 && pos + skip <= toks.size(); ++skip) {
      bool free = true;
      for (std::size_t k = pos; k < pos + skip; ++k) free = free && !covered[k];
      if (!free) break;
      if (std::size_t end = match_at(toks, covered, pos + skip, pat, pi + 1)) return end;
    }
    return 0;
  }
  if (pos >= toks.size() || covered[pos] || toks[pos] != pat[pi]) return 0;
  return match_at(toks, covered, pos + 1, pat, pi + 1);
}

struct Compiled {
  const Entry* entry;
  std::vector<std::string> tokens;
  std::size_t literal_count;
};

const std::vector<Compiled>& compiled_lexicon() {
  static const std::vector<Compiled> table = [] {
    std::vector<Compiled> v;
    for (const Entry& e : kLexicon) {
      auto toks = split(e.phrase);
      std::size_t lits = static_cast<std::size_t>(std::count_if(toks.begin(), toks.end(), [](auto& t) { return t != "*"; }));
      v.push_back({&e, std::move(toks), lits});
    }
    std::stable_sort(v.begin(), v.end(), [](const Compiled& a, const Compiled& b) { return a.literal_count > b.literal_count; });
    return v;
  }();
  return table;
}

int priority(Intent i) {
  switch (i) {
    case I::voicemail_greeting: return 12;
    case I::stop_calling: return 11;
    case I::wrong_number: return 10;
    case I::asks_for_human: return 9;
    case I::call_back_later: return 8;
    case I::not_interested: return 7;
    case I::objection: return 6;
    case I::no: return 5;
    case I::question: return 4;
    case I::yes: return 3;
    case I::greeting: return 2;
    case I::statement: return 1;
    case I::unclear: return 0;
  }
  return 0;
}

bool negated_before(const std::vector<std::string>& toks, std::size_t start) {
  for (std::size_t back = 1; back <= 3 && back <= start; ++back) {
    const std::string& t = toks[start - back];
    if (t == "but" || t == "and" || t == "so") return false;
    if (in(t, kNegators)) return true;
  }
  return false;
}

std::string question_topic(const std::vector<std::string>& toks) {
  std::string joined;
  for (auto& t : toks) joined += t + ' ';
  auto has = [&](std::string_view s) { return joined.find(s) != std::string::npos; };
  if (has("robot") || has("real person") || has("machine") || has("computer") || has("a bot ") ||
      has(" ai ") || has("recording") || has("automated"))
    return "robot";
  if (has("my number") || has("my phone number") || has("my info")) return "number_source";
  if (has("how much") || has("cost") || has("price") || has("charge") || has("fee")) return "price";
  if (has("who ") || has("whos ") || has("what company") || has("where are you calling from") || has("your name"))
    return "identity";
  if (has("what is this") || has("whats this") || has("what is it") || has("whats it") || has("why are you") ||
      has("what do you want") || has("what are you") || has("regarding") || has("about what") || has("what for"))
    return "purpose";
  return "other";
}

}  // namespace

std::string_view intent_name(Intent intent) {
  switch (intent) {
    case I::unclear: return "unclear";
    case I::statement: return "statement";
    case I::greeting: return "greeting";
    case I::yes: return "yes";
    case I::question: return "question";
    case I::no: return "no";
    case I::objection: return "objection";
    case I::not_interested: return "not_interested";
    case I::call_back_later: return "call_back_later";
    case I::asks_for_human: return "asks_for_human";
    case I::wrong_number: return "wrong_number";
    case I::stop_calling: return "stop_calling";
    case I::voicemail_greeting: return "voicemail_greeting";
  }
  return "unclear";
}

std::string_view objection_name(Objection objection) {
  switch (objection) {
    case O::none: return "";
    case O::price: return "price";
    case O::competitor: return "competitor";
    case O::no_time: return "no_time";
    case O::send_info: return "send_info";
  }
  return "";
}

bool IntentResult::has(Intent i) const {
  return std::any_of(hits.begin(), hits.end(), [&](const IntentHit& h) { return h.intent == i; });
}
bool IntentResult::has(Objection o) const {
  return std::any_of(hits.begin(), hits.end(), [&](const IntentHit& h) { return h.objection == o; });
}

bool is_stop_word(std::string_view token) {
  return in(token, kStopWords);
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> toks;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    if (cur == "ok" || cur == "okey" || cur == "kay" || cur == "k") cur = "okay";
    if (cur == "alright") { toks.emplace_back("all"); cur = "right"; }
    if (cur == "gonna") { toks.emplace_back("going"); cur = "to"; }
    if (cur == "wanna") { toks.emplace_back("want"); cur = "to"; }
    if (cur == "gotta") { toks.emplace_back("got"); cur = "to"; }
    toks.push_back(std::move(cur));
    cur.clear();
  };
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) cur += static_cast<char>(std::tolower(u));
    else if (c == '\'' ) continue;  // "don't" -> "dont"
    else flush();
  }
  flush();
  // STT: a leading "know" (after fillers) is "no".
  for (auto& t : toks) {
    if (t == "know") { t = "no"; break; }
    if (!in(t, kFillers) || t == "you" || t == "okay" || t == "yeah") break;
  }
  return toks;
}

std::vector<std::string> numberize(const std::vector<std::string>& tokens, std::vector<std::size_t>* source) {
  static constexpr std::array<std::string_view, 20> kUnits = {
      "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
      "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
  static constexpr std::array<std::string_view, 20> kOrdinals = {
      "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
      "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
      "nineteenth"};
  static constexpr std::array<std::string_view, 10> kTens = {"", "", "twenty", "thirty", "forty", "fifty",
                                                             "sixty", "seventy", "eighty", "ninety"};
  static constexpr std::array<std::string_view, 10> kTensOrd = {"", "", "twentieth", "thirtieth", "fortieth",
                                                                "fiftieth", "", "", "", ""};
  auto idx = [](std::string_view t, auto& arr) -> int {
    for (std::size_t i = 0; i < arr.size(); ++i)
      if (!arr[i].empty() && arr[i] == t) return static_cast<int>(i);
    return -1;
  };
  std::vector<std::string> out;
  std::vector<std::size_t> src;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    int tens = idx(t, kTens);
    if (tens >= 0) {
      int value = tens * 10;
      if (i + 1 < tokens.size()) {
        int u = idx(tokens[i + 1], kUnits);
        int uo = idx(tokens[i + 1], kOrdinals);
        if (u >= 1 && u <= 9) { out.push_back(std::to_string(value + u)); src.push_back(i); ++i; continue; }
        if (uo >= 1 && uo <= 9) { out.push_back(std::to_string(value + uo) + "th"); src.push_back(i); ++i; continue; }
      }
      out.push_back(std::to_string(value));
      src.push_back(i);
      continue;
    }
    if (int to = idx(t, kTensOrd); to >= 0) { out.push_back(std::to_string(to * 10) + "th"); src.push_back(i); continue; }
    if (int u = idx(t, kUnits); u >= 0) { out.push_back(std::to_string(u)); src.push_back(i); continue; }
    if (int o = idx(t, kOrdinals); o >= 1) {
      // "second" is also a duration unit ("give me a second"): keep it when
      // it follows "a"/"one".
      if (t == "second" && !out.empty() && (out.back() == "a" || out.back() == "1")) { out.push_back(t); src.push_back(i); continue; }
      out.push_back(std::to_string(o) + "th");
      src.push_back(i);
      continue;
    }
    if ((t == "oh" || t == "o") && !out.empty() && i + 1 < tokens.size()) {
      int u = idx(tokens[i + 1], kUnits);
      bool prev_num = std::isdigit(static_cast<unsigned char>(out.back()[0])) != 0;
      if (prev_num && u >= 1 && u <= 9) { out.push_back("0" + std::to_string(u)); src.push_back(i); ++i; continue; }
    }
    out.push_back(t);
    src.push_back(i);
  }
  if (source) *source = std::move(src);
  return out;
}

IntentResult detect_intent(std::string_view utterance) {
  IntentResult r;
  const std::vector<std::string> toks = tokenize(utterance);
  for (auto& t : toks)
    if (!is_stop_word(t) && !in(t, kFillers)) ++r.content_words;
  if (toks.empty()) {
    r.confidence = 0.1;
    return r;
  }
  std::vector<bool> covered(toks.size(), false);
  struct Found { std::size_t begin, end; IntentHit hit; };
  std::vector<Found> found;
  for (const Compiled& c : compiled_lexicon()) {
    for (std::size_t pos = 0; pos < toks.size(); ++pos) {
      std::size_t end = match_at(toks, covered, pos, c.tokens, 0);
      if (end == 0 || end == pos) continue;
      const Entry& e = *c.entry;
      if (e.flags & kAlone) {
        bool alone = true;
        for (std::size_t k = 0; k < toks.size(); ++k)
          if ((k < pos || k >= end) && !in(toks[k], kFillers)) alone = false;
        if (!alone) continue;
      }
      Intent intent = e.intent;
      if (e.flags & kNegatable) {
        bool neg = negated_before(toks, pos) || (end < toks.size() && toks[end] == "not");
        if (neg) intent = e.negated;
      }
      for (std::size_t k = pos; k < end; ++k) covered[k] = true;
      if (intent == I::unclear) continue;
      std::string ev;
      for (std::size_t k = pos; k < end; ++k) ev += (k > pos ? " " : "") + toks[k];
      found.push_back({pos, end, {intent, intent == I::objection ? e.objection : O::none, std::move(ev), e.weight}});
      pos = end - 1;
    }
  }
  // Question: a wh-word or aux + pronoun as the first content token (after
  // fillers, greetings, yes/no), or anywhere for "how much" style openings.
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const std::string& t = toks[i];
    bool lead = in(t, kWhWords) || (in(t, kAux) && i + 1 < toks.size() && in(toks[i + 1], kPronouns));
    if (lead && !covered[i]) {
      found.push_back({i, i + 1, {I::question, O::none, t + (i + 1 < toks.size() ? " " + toks[i + 1] : ""), kNormal}});
      break;
    }
    bool skippable = in(t, kFillers) || covered[i] || t == "sorry" || t == "and" || t == "but" || t == "excuse" ||
                     t == "me" || t == "wait";
    if (!skippable) break;
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.begin < b.begin; });
  for (auto& f : found) r.hits.push_back(f.hit);

  // Voicemail: weak evidence alone needs a second voicemail cue or a name-like
  // "you have reached"; keep it but with its weak weight.
  const IntentHit* best = nullptr;
  for (const IntentHit& h : r.hits)
    if (!best || priority(h.intent) > priority(best->intent) ||
        (h.intent == best->intent && h.weight > best->weight))
      best = &h;

  int uncovered_content = 0;
  for (std::size_t k = 0; k < toks.size(); ++k)
    if (!covered[k] && !is_stop_word(toks[k]) && !in(toks[k], kFillers)) ++uncovered_content;

  if (!best || (best->intent == I::greeting && uncovered_content >= 2)) {
    if (r.content_words >= 1 && (uncovered_content >= 1 || best)) {
      r.intent = I::statement;
      r.confidence = 0.5;
    } else {
      r.intent = I::unclear;
      r.confidence = 0.3;
    }
    return r;
  }
  r.intent = best->intent;
  r.objection = best->objection;
  r.evidence = best->evidence;
  r.confidence = best->weight;
  auto positive = [](Intent i) { return i == I::yes; };
  auto negative = [](Intent i) { return i == I::no || i == I::not_interested; };
  if ((positive(r.intent) && std::any_of(r.hits.begin(), r.hits.end(), [&](auto& h) { return negative(h.intent); })) ||
      (negative(r.intent) && std::any_of(r.hits.begin(), r.hits.end(), [&](auto& h) { return positive(h.intent); })))
    r.confidence *= 0.8;
  if (r.intent == I::question) r.topic = question_topic(toks);
  return r;
}

}  // namespace voqo::brain
