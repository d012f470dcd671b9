#include "brain/summary.hpp"

#include <algorithm>
#include <cctype>

#include "brain/intent.hpp"
#include "brain/time_phrase.hpp"

namespace voqo::brain {
namespace {

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

bool is_caller(const model::TranscriptLine& e) { return e.speaker != "agent" && !blank(e.text); }
bool is_agent(const model::TranscriptLine& e) { return e.speaker == "agent" && !blank(e.text); }

int content_words(const std::vector<std::string>& toks) {
  return static_cast<int>(std::count_if(toks.begin(), toks.end(), [](const std::string& t) { return !is_stop_word(t); }));
}

bool has_digit(const std::vector<std::string>& toks) {
  return std::any_of(toks.begin(), toks.end(), [](const std::string& t) {
    return std::isdigit(static_cast<unsigned char>(t[0])) != 0;
  });
}

bool contains(const std::vector<std::string>& toks, std::string_view w) {
  return std::find(toks.begin(), toks.end(), w) != toks.end();
}

constexpr std::string_view kPropertyNouns[] = {
    "property", "properties", "unit", "units", "home", "homes", "house", "houses", "building", "buildings",
    "apartment", "apartments", "rental", "rentals", "door", "doors", "duplex", "duplexes", "condo", "condos",
    "listing", "listings", "tenant", "tenants", "locations", "location", "stores", "employees"};

bool property_noun(std::string_view t) {
  return std::find(std::begin(kPropertyNouns), std::end(kPropertyNouns), t) != std::end(kPropertyNouns);
}

/// Preference memories stated in one caller line.
std::vector<std::string> preferences(std::string_view text) {
  std::vector<std::string> out;
  const auto toks = numberize(tokenize(text));
  const IntentResult ir = detect_intent(text);
  if (ir.has(Objection::send_info) && (contains(toks, "email") || contains(toks, "mail")))
    out.emplace_back("Prefers email");
  else if (ir.has(Objection::send_info) && contains(toks, "text"))
    out.emplace_back("Prefers text messages");
  // "we have 3 rental properties", "about 12 units"
  for (std::size_t i = 0; i < toks.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(toks[i][0]))) continue;
    for (std::size_t k = i + 1; k <= i + 2 && k < toks.size(); ++k) {
      if (!property_noun(toks[k])) continue;
      std::string m = "Has " + toks[i];
      for (std::size_t w = i + 1; w <= k; ++w) m += " " + toks[w];
      out.push_back(std::move(m));
      break;
    }
  }
  const bool pref = contains(toks, "better") || contains(toks, "best") || contains(toks, "prefer") ||
                    contains(toks, "usually") || contains(toks, "only");
  for (std::string_view part : {"morning", "afternoon", "evening"}) {
    std::string plural = std::string(part) + "s";
    if (pref && (contains(toks, part) || contains(toks, plural))) {
      out.push_back("Prefers calls in the " + std::string(part));
      break;
    }
  }
  return out;
}

double caller_score(const model::TranscriptLine& e) {
  const IntentResult ir = detect_intent(e.text);
  double s = 0;
  switch (ir.intent) {
    case Intent::stop_calling: case Intent::wrong_number: case Intent::call_back_later: case Intent::not_interested:
    case Intent::objection: case Intent::asks_for_human: case Intent::voicemail_greeting: s = 3; break;
    case Intent::yes: case Intent::no: case Intent::question: s = 2; break;
    default: break;
  }
  const auto toks = numberize(tokenize(e.text));
  s += 0.5 * std::min(content_words(toks), 8);
  if (has_digit(toks) || parse_time_phrase(e.text, {}, "UTC")) s += 2;
  if (!preferences(e.text).empty()) s += 1.5;
  return s;
}

double agent_score(std::string_view sentence) {
  const auto toks = tokenize(sentence);
  double s = 0.5 * std::min(content_words(toks), 8);
  std::string joined;
  for (auto& t : toks) joined += t + ' ';
  for (std::string_view cue : {"ill ", "ive ", "scheduled", "call you back", "removed", "transfer", "send"})
    if (joined.find(cue) != std::string::npos) { s += 3; break; }
  return s;
}

/// `text` trimmed to at most `max_words` words, ending without a dangling space.
std::string quote(std::string_view text, std::size_t max_words = 25) {
  std::string out;
  std::size_t words = 0, i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i) break;
    if (words == max_words) { out += "..."; break; }
    if (!out.empty()) out += ' ';
    out.append(text.substr(i, j - i));
    ++words;
    i = j;
  }
  while (!out.empty() && (out.back() == '.' || out.back() == ',')) out.pop_back();
  return out;
}

std::string_view objection_words(Objection o) {
  switch (o) {
    case Objection::price: return "price";
    case Objection::competitor: return "already has a provider";
    case Objection::no_time: return "no time";
    case Objection::send_info: return "wants information sent";
    case Objection::none: break;
  }
  return "";
}

}  // namespace

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  auto push = [&](std::size_t b, std::size_t e) {
    while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
    if (e > b) out.emplace_back(text.substr(b, e - b));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool end = c == '\n' || ((c == '.' || c == '!' || c == '?') &&
                                   (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1]))));
    if (end) {
      push(start, c == '\n' ? i : i + 1);
      start = i + 1;
    }
  }
  push(start, text.size());
  return out;
}

CallFacts infer_outcome(std::span<const model::TranscriptLine> transcript, CallFacts facts) {
  std::vector<const model::TranscriptLine*> caller;
  for (const auto& e : transcript)
    if (is_caller(e)) caller.push_back(&e);
  bool dnc = false, wrong = false, callback = false, not_interested = false;
  std::optional<std::chrono::system_clock::time_point> when;
  for (const auto* e : caller) {
    const IntentResult ir = detect_intent(e->text);
    dnc = dnc || ir.intent == Intent::stop_calling;
    wrong = wrong || ir.intent == Intent::wrong_number;
    not_interested = not_interested || ir.intent == Intent::not_interested;
    if (ir.intent == Intent::call_back_later) {
      callback = true;
      if (auto t = parse_time_phrase(e->text, facts.now, facts.time_zone)) when = t->at;
    }
  }
  facts.do_not_call = facts.do_not_call || dnc;
  if (facts.outcome) return facts;
  if (caller.empty()) facts.outcome = Outcome::no_answer;
  else if (detect_intent(caller.front()->text).intent == Intent::voicemail_greeting) facts.outcome = Outcome::voicemail;
  else if (dnc) facts.outcome = Outcome::not_interested;
  else if (wrong) facts.outcome = Outcome::wrong_number;
  else if (callback) {
    facts.outcome = Outcome::call_back_later;
    if (!facts.callback_at) facts.callback_at = when;
  } else if (not_interested) facts.outcome = Outcome::not_interested;
  else facts.outcome = Outcome::follow_up_needed;
  return facts;
}

std::string extractive_summary(std::span<const model::TranscriptLine> transcript, const CallFacts& facts) {
  if (transcript.empty()) return "";
  const Outcome outcome = facts.outcome.value_or(Outcome::other);
  std::vector<std::pair<double, std::size_t>> caller, agent;
  std::vector<std::string> agent_sentences;
  for (std::size_t i = 0; i < transcript.size(); ++i) {
    if (is_caller(transcript[i])) caller.emplace_back(caller_score(transcript[i]), i);
    else if (is_agent(transcript[i]))
      for (auto& s : split_sentences(transcript[i].text)) {
        agent.emplace_back(agent_score(s), agent_sentences.size());
        agent_sentences.push_back(std::move(s));
      }
  }
  auto best_first = [](auto& v) {
    std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second > b.second); });
  };
  best_first(caller);
  best_first(agent);
  std::string s;
  const std::string who = facts.contact_name.empty() ? "The caller" : facts.contact_name;
  if (caller.empty()) {
    s = who + " did not speak.";
  } else {
    std::vector<std::size_t> picks = {caller[0].second};
    if (caller.size() > 1 && caller[1].first >= 2) picks.push_back(caller[1].second);
    std::sort(picks.begin(), picks.end());
    s = who + " said \"" + quote(transcript[picks[0]].text) + "\".";
    if (picks.size() > 1) s += " They also said \"" + quote(transcript[picks[1]].text) + "\".";
  }
  if (!agent.empty() && !caller.empty()) s += " The agent said \"" + quote(agent_sentences[agent[0].second]) + "\".";
  s += " Outcome: " + std::string(outcome_label(outcome));
  if (facts.callback_at && (outcome == Outcome::call_back_later || outcome == Outcome::demo_scheduled))
    s += std::string(outcome == Outcome::demo_scheduled ? " (demo " : " (callback ") +
         describe_time(*facts.callback_at, facts.now, facts.time_zone) + ")";
  if (facts.do_not_call) s += "; asked not to be called again";
  s += ".";
  return s;
}

std::vector<std::string> extract_memories(std::span<const model::TranscriptLine> transcript, const CallFacts& facts) {
  std::vector<std::string> out;
  auto add = [&](std::string m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(std::move(m));
  };
  const Outcome outcome = facts.outcome.value_or(Outcome::other);
  if (facts.callback_at && outcome == Outcome::call_back_later)
    add("Callback requested for " + format_local_time(*facts.callback_at, facts.time_zone));
  if (facts.callback_at && outcome == Outcome::demo_scheduled)
    add("Demo scheduled for " + format_local_time(*facts.callback_at, facts.time_zone));
  if (outcome == Outcome::wrong_number)
    add(facts.contact_name.empty() ? "Wrong number" : "Wrong number: this number does not reach " + facts.contact_name);
  if (facts.do_not_call) add("Asked not to be called again (do not call)");

  std::vector<Objection> objections;
  int yes = 0, questions = 0, caller_lines = 0;
  std::vector<std::string> prefs;
  for (const auto& e : transcript) {
    if (!is_caller(e)) continue;
    ++caller_lines;
    const IntentResult ir = detect_intent(e.text);
    yes += ir.intent == Intent::yes;
    questions += ir.intent == Intent::question;
    for (const auto& h : ir.hits)
      if (h.intent == Intent::objection && std::find(objections.begin(), objections.end(), h.objection) == objections.end())
        objections.push_back(h.objection);
    for (auto& p : preferences(e.text)) prefs.push_back(std::move(p));
  }
  const bool conversation = caller_lines > 0 && outcome != Outcome::voicemail && outcome != Outcome::wrong_number &&
                            outcome != Outcome::no_answer;
  if (conversation) {
    if (outcome == Outcome::demo_scheduled) add("Interest level: high (agreed to a demo)");
    else if (outcome == Outcome::not_interested) add("Interest level: low (not interested)");
    else if (outcome == Outcome::call_back_later) add("Interest level: medium (asked for a callback)");
    else if (yes + questions >= 2) add("Interest level: medium (engaged, no decision)");
    else add("Interest level: low (no decision)");
  }
  if (!objections.empty()) {
    std::string m = "Objections raised: ";
    for (std::size_t i = 0; i < objections.size(); ++i) m += (i ? ", " : "") + std::string(objection_words(objections[i]));
    add(std::move(m));
  }
  if (outcome != Outcome::voicemail && outcome != Outcome::wrong_number)
    for (auto& p : prefs) add(std::move(p));
  return out;
}

CallResult summarize_call(std::span<const model::TranscriptLine> transcript, const CallFacts& facts) {
  const CallFacts f = infer_outcome(transcript, facts);
  CallResult r;
  r.outcome = f.outcome.value_or(Outcome::other);
  r.callback_at = f.callback_at;
  r.do_not_call = f.do_not_call;
  r.summary = extractive_summary(transcript, f);
  r.memories = extract_memories(transcript, f);
  return r;
}

}  // namespace voqo::brain
