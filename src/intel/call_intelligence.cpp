#include "intel/call_intelligence.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>

#include "brain/intent.hpp"

namespace voqo::intel {
namespace {

// ---- thresholds and weights (docs/INTELLIGENCE.md §3–§6) ----
constexpr double kTalkShareLimit = 0.70;          // coaching talk_share (issue 5)
constexpr int64_t kTalkShareMinMs = 30'000;       // ... once 30 s of speech exist
constexpr int64_t kMonologueMs = 45'000;          // coaching monologue (issue 5)
constexpr double kTrendDelta = 0.25;              // sentiment trend
constexpr double kBalancedLow = 0.30, kBalancedHigh = 0.60;  // positive balanced_conversation
constexpr int64_t kBalancedMinMs = 60'000;
constexpr int kSpeechLevel = 20;                  // meter ≥ 20 (−48 dBFS) = speech
constexpr int kEnergyMedium = 47, kEnergyHigh = 67;  // −26 dBFS nominal ±6 dB

bool is_caller_speaker(std::string_view s) { return s == "caller" || s == "customer" || s == "user"; }

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

/// Content words that carry no topic for the "does the reply address it" test.
bool weak_word(std::string_view t) {
  return brain::is_stop_word(t) ||
         one_of(t, {"too", "much", "many", "how", "why", "where", "when", "which", "who", "whats", "hows", "whos",
                    "tell", "want", "need", "think", "sure", "one", "more", "lot", "make", "say", "said", "also",
                    "should", "thing", "things", "something", "anything", "now", "here", "good", "great", "uhm",
                    "hey", "hi", "hello", "mhm", "huh", "yea", "nope", "nah", "okay", "ok", "sounds", "let", "lets",
                    "going", "id", "ill", "youll", "theyre", "dont", "doesnt", "isnt", "arent", "wont", "cant",
                    "wouldnt", "didnt", "dollar"});
}

/// A light suffix-stripping stemmer: enough to match "cost"/"costs", "work"/"working".
std::string stem(std::string t) {
  auto strip = [&](std::string_view suf, std::size_t min_rest) {
    if (t.size() >= suf.size() + min_rest && t.ends_with(suf)) {
      t.resize(t.size() - suf.size());
      return true;
    }
    return false;
  };
  if (strip("ing", 3) || strip("ed", 3)) return t;
  if (t.ends_with("ss")) return t;
  if (!strip("es", 3)) strip("s", 3);
  return t;
}

std::vector<std::string> content_stems(const std::vector<std::string>& toks) {
  std::vector<std::string> out;
  for (const auto& t : toks)
    if (!weak_word(t)) out.push_back(stem(t));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int count_hedges(const std::vector<std::string>& toks) {
  int n = 0;
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const std::string& t = toks[i];
    if (one_of(t, {"maybe", "perhaps", "probably", "possibly", "guess", "um", "uh", "uhm", "er", "erm", "hmm"})) ++n;
    if (i + 1 < toks.size()) {
      const std::string& u = toks[i + 1];
      if ((t == "i" && u == "think") || (t == "not" && u == "sure") || (t == "sort" && u == "of") ||
          (t == "kind" && u == "of") || (t == "dont" && u == "know"))
        ++n;
    }
  }
  return n;
}

bool any_token(const std::vector<std::string>& toks, std::initializer_list<std::string_view> set) {
  return std::any_of(toks.begin(), toks.end(), [&](const std::string& t) { return one_of(t, set); });
}

bool shares_stem(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& s : a)
    if (std::binary_search(b.begin(), b.end(), s)) return true;
  return false;
}

/// Does agent reply `reply` (tokens, stems) address caller line `ask`?
bool addresses(const std::vector<std::string>& reply_toks, const std::vector<std::string>& reply_stems,
               const std::vector<std::string>& ask_toks, const std::vector<std::string>& ask_stems, bool objection,
               std::string_view category, std::string_view topic) {
  if (shares_stem(ask_stems, reply_stems)) return true;
  if (objection) {
    if (any_token(reply_toks, {"understand", "understandable", "appreciate", "fair", "totally", "concern", "concerns",
                               "hear", "sense", "point", "valid"}))
      return true;
    if (category == "price")
      return any_token(reply_toks, {"price", "pricing", "cost", "costs", "budget", "afford", "affordable", "value",
                                    "worth", "investment", "roi", "return", "save", "saves", "saving", "savings",
                                    "discount", "cheaper", "free", "fee", "fees", "pay", "month", "plan", "money"});
    if (category == "competitor")
      return any_token(reply_toks, {"already", "current", "currently", "switch", "switching", "compare",
                                    "comparison", "different", "difference", "alongside", "complement", "provider",
                                    "existing", "replace", "instead"});
    if (category == "no_time")
      return any_token(reply_toks, {"time", "quick", "quickly", "minute", "minutes", "brief", "briefly", "later",
                                    "back", "schedule", "busy", "moment", "seconds", "short"});
    if (category == "send_info")
      return any_token(reply_toks, {"email", "send", "information", "info", "details", "brochure", "address",
                                    "inbox"});
    return false;
  }
  if (topic == "price" && any_token(reply_toks, {"price", "pricing", "cost", "costs", "dollar", "dollars", "fee",
                                                 "fees", "month", "monthly", "free", "plan", "pay", "budget",
                                                 "charge", "euros", "pounds"}))
    return true;
  if (topic == "identity" && any_token(reply_toks, {"name", "calling", "from", "im"})) return true;
  if (topic == "purpose" && any_token(reply_toks, {"calling", "reason", "because", "about", "wanted", "reach"}))
    return true;
  if (topic == "number_source" &&
      any_token(reply_toks, {"number", "list", "records", "public", "contact", "database", "website", "referred"}))
    return true;
  if (topic == "robot" && any_token(reply_toks, {"ai", "assistant", "virtual", "automated", "robot", "human",
                                                 "artificial", "bot", "computer"}))
    return true;
  // A yes/no question answered with yes/no.
  if (!ask_toks.empty() && one_of(ask_toks.front(), {"do", "does", "did", "is", "are", "can", "could", "will",
                                                     "would", "have", "has", "was", "were", "should"}) &&
      !reply_toks.empty() &&
      one_of(reply_toks.front(), {"yes", "yeah", "no", "nope", "sure", "absolutely", "definitely", "of", "correct",
                                  "unfortunately", "actually"}))
    return true;
  return false;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

int pct(double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 100.0))); }

std::string mmss(int64_t ms) {
  int64_t s = std::max<int64_t>(ms, 0) / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

std::string quote(std::string_view text) {
  std::string t(text.substr(0, 80));
  if (text.size() > 80) t += "…";
  return "“" + t + "”";
}

bool is_objection_step(std::string_view name) { return name.find("objection") != std::string_view::npos; }

bool rejecting(std::string_view intent) {
  return intent == "not_interested" || intent == "stop_calling" || intent == "wrong_number";
}

}  // namespace

// ---- enum spellings ----
std::string_view to_string(PhaseStatus s) {
  switch (s) {
    case PhaseStatus::pending: return "pending";
    case PhaseStatus::active: return "active";
    case PhaseStatus::completed: return "completed";
    case PhaseStatus::skipped: return "skipped";
  }
  return "pending";
}
std::string_view to_string(ObjectiveStatus s) {
  switch (s) {
    case ObjectiveStatus::pending: return "pending";
    case ObjectiveStatus::in_progress: return "in_progress";
    case ObjectiveStatus::completed: return "completed";
    case ObjectiveStatus::failed: return "failed";
  }
  return "pending";
}
std::string_view to_string(ActionType t) {
  switch (t) {
    case ActionType::immediate: return "immediate";
    case ActionType::next: return "next";
    case ActionType::follow_up: return "follow-up";
  }
  return "next";
}
std::string_view to_string(CoachingType t) {
  switch (t) {
    case CoachingType::positive: return "positive";
    case CoachingType::warning: return "warning";
    case CoachingType::suggestion: return "suggestion";
  }
  return "suggestion";
}
std::string_view to_string(Trend t) {
  switch (t) {
    case Trend::improving: return "improving";
    case Trend::stable: return "stable";
    case Trend::declining: return "declining";
  }
  return "stable";
}
std::string_view to_string(VoiceEnergy e) {
  switch (e) {
    case VoiceEnergy::low: return "LOW";
    case VoiceEnergy::medium: return "MEDIUM";
    case VoiceEnergy::high: return "HIGH";
  }
  return "LOW";
}
std::string_view to_string(ResponseQuality q) {
  switch (q) {
    case ResponseQuality::poor: return "POOR";
    case ResponseQuality::fair: return "FAIR";
    case ResponseQuality::good: return "GOOD";
    case ResponseQuality::excellent: return "EXCELLENT";
  }
  return "FAIR";
}
std::string_view to_string(InterestSignals s) {
  switch (s) {
    case InterestSignals::weak: return "WEAK";
    case InterestSignals::moderate: return "MODERATE";
    case InterestSignals::strong: return "STRONG";
  }
  return "WEAK";
}

nlohmann::json to_json(const Insights& in) {
  using nlohmann::json;
  auto opt = [](const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); };
  auto moment = [](const std::optional<SentimentMoment>& m) {
    return m ? json{{"text", m->text}, {"at", m->at_ms}} : json(nullptr);
  };
  json phases = json::array();
  for (const auto& p : in.phases)
    phases.push_back({{"name", p.name}, {"status", to_string(p.status)}, {"startTime", opt(p.start_ms)},
                      {"endTime", opt(p.end_ms)}, {"duration", p.duration_s}, {"quality", p.quality}});
  json objectives = json::array();
  for (const auto& o : in.objectives)
    objectives.push_back({{"key", o.key}, {"title", o.title}, {"status", to_string(o.status)}});
  json actions = json::array();
  for (const auto& a : in.next_actions)
    actions.push_back(
        {{"type", to_string(a.type)}, {"action", a.action}, {"reason", a.reason}, {"priority", a.priority}});
  json coaching = json::array();
  for (const auto& c : in.coaching)
    coaching.push_back({{"key", c.key}, {"type", to_string(c.type)}, {"title", c.title},
                        {"description", c.description}, {"priority", c.priority}, {"isActive", c.is_active}});
  const SentimentSummary& s = in.sentiment;
  const Metrics& m = in.metrics;
  return json{
      {"phases", std::move(phases)},
      {"objectives", std::move(objectives)},
      {"nextActions", std::move(actions)},
      {"coaching", std::move(coaching)},
      {"sentiment",
       {{"positive", s.positive}, {"neutral", s.neutral}, {"negative", s.negative}, {"overall", s.overall},
        {"trend", to_string(s.trend)}, {"lastPositive", moment(s.last_positive)},
        {"lastNegative", moment(s.last_negative)}}},
      {"metrics",
       {{"scriptAdherence", m.script_adherence}, {"agentConfidence", m.agent_confidence},
        {"conversationQuality", m.conversation_quality}, {"prospectEngagement", m.prospect_engagement},
        {"voiceEnergy", to_string(m.voice_energy)}, {"responseQuality", to_string(m.response_quality)},
        {"questionFrequency", m.question_frequency}, {"interestSignals", to_string(m.interest_signals)},
        {"conversionProbability", m.conversion_probability},
        {"demoAcceptanceProbability", m.demo_acceptance_probability},
        {"immediateCloseProbability", m.immediate_close_probability}}},
  };
}

// ---- CallIntelligence ----
CallIntelligence::CallIntelligence(IntelConfig config) : config_(std::move(config)) {
  if (config_.phases.empty()) config_.phases = {"opening", "discovery", "value_proposition", "objection", "closing"};
  for (const auto& name : config_.phases) {
    if (name.empty() || phase_index(name) >= 0) continue;
    PhaseState p;
    p.info.name = name;
    phases_.push_back(std::move(p));
  }
  planned_ = phases_.size();
}

int CallIntelligence::phase_index(std::string_view name) const {
  for (std::size_t i = 0; i < phases_.size(); ++i)
    if (phases_[i].info.name == name) return static_cast<int>(i);
  return -1;
}

void CallIntelligence::enter_phase(std::string_view name, int64_t at_ms) {
  int idx = phase_index(name);
  if (idx < 0) {
    PhaseState p;
    p.info.name = std::string(name);
    p.info.planned = false;
    phases_.push_back(std::move(p));
    idx = static_cast<int>(phases_.size()) - 1;
  }
  if (idx == active_) return;
  if (active_ >= 0) {
    PhaseState& p = phases_[static_cast<std::size_t>(active_)];
    p.info.status = PhaseStatus::completed;
    p.info.end_ms = at_ms;
    p.accumulated_ms += std::max<int64_t>(0, at_ms - p.entered_ms);
  }
  for (int i = 0; i < idx; ++i)
    if (phases_[static_cast<std::size_t>(i)].info.status == PhaseStatus::pending)
      phases_[static_cast<std::size_t>(i)].info.status = PhaseStatus::skipped;
  PhaseState& q = phases_[static_cast<std::size_t>(idx)];
  q.info.status = PhaseStatus::active;
  if (!q.info.start_ms) q.info.start_ms = at_ms;
  q.info.end_ms.reset();
  q.entered_ms = at_ms;
  active_ = idx;
}

void CallIntelligence::apply_caller_intent(Line& l, std::string_view intent, bool from_brain) {
  l.intent = std::string(intent);
  l.brain_intent = from_brain;
  const std::size_t idx = static_cast<std::size_t>(&l - lines_.data());
  if (intent == "question" && !l.is_question) {
    l.is_question = true;
    asks_.push_back({idx, false});
  }
  if (intent == "objection" && !l.is_objection) {
    l.is_objection = true;
    asks_.push_back({idx, true});
  }
}

Sentiment CallIntelligence::on_transcript(const model::TranscriptLine& entry) {
  if (blank(entry.text)) return {};
  Line l;
  l.agent = !is_caller_speaker(entry.speaker);
  l.text = entry.text;
  l.start_ms = entry.start_ms;
  l.end_ms = std::max(entry.end_ms, entry.start_ms);
  l.interrupted = entry.interrupted;
  l.sentiment = analyse_sentiment(entry.text);
  const std::vector<std::string> toks = brain::tokenize(entry.text);
  l.words = static_cast<int>(toks.size());
  l.stems = content_stems(toks);
  clock_ms_ = std::max(clock_ms_, l.end_ms);
  if (active_ < 0 && planned_ > 0 && !finished_) enter_phase(phases_.front().info.name, l.start_ms);
  l.phase = active_;
  const std::size_t idx = lines_.size();
  if (l.agent) {
    l.hedges = count_hedges(toks);
    lines_.push_back(std::move(l));
    judge_asks(idx);
  } else {
    const brain::IntentResult ir = brain::detect_intent(entry.text);
    lines_.push_back(std::move(l));
    Line& c = lines_.back();
    c.topic = ir.topic;
    c.intent = std::string(brain::intent_name(ir.intent));
    if (ir.intent == brain::Intent::question || ir.has(brain::Intent::question) ||
        entry.text.find('?') != std::string::npos) {
      c.is_question = true;
      asks_.push_back({idx, false});
    }
    if (ir.intent == brain::Intent::objection || ir.has(brain::Intent::objection)) {
      c.is_objection = true;
      brain::Objection cat = ir.objection;
      for (const auto& h : ir.hits)
        if (cat == brain::Objection::none && h.intent == brain::Intent::objection) cat = h.objection;
      c.objection = std::string(brain::objection_name(cat));
      asks_.push_back({idx, true});
    }
    last_turn_caller_line_ = idx;
  }
  return lines_[idx].sentiment;
}

void CallIntelligence::judge_asks(std::size_t agent_line) {
  const Line& a = lines_[agent_line];
  const std::vector<std::string> reply_toks = brain::tokenize(a.text);
  for (Ask& ask : asks_) {
    if (ask.line >= agent_line || ask.state == Ask::State::answered) continue;
    const Line& q = lines_[ask.line];
    const bool ok = addresses(reply_toks, a.stems, brain::tokenize(q.text), q.stems, ask.objection, q.objection,
                              q.topic);
    if (ok) {
      ask.state = Ask::State::answered;
      ask.answered_by = agent_line;
    } else {
      ask.state = Ask::State::ignored;
    }
  }
}

void CallIntelligence::on_agent_turn(std::string_view phase, std::string_view intent) {
  if (finished_) return;
  if (!intent.empty() && last_turn_caller_line_ && *last_turn_caller_line_ < lines_.size())
    apply_caller_intent(lines_[*last_turn_caller_line_], intent, true);
  last_turn_caller_line_.reset();
  if (!phase.empty()) enter_phase(phase, clock_ms_);
}

void CallIntelligence::on_levels(int agent_gain, int /*customer_gain*/) {
  agent_levels_[level_count_ % agent_levels_.size()] = std::clamp(agent_gain, 0, 100);
  ++level_count_;
}

Insights CallIntelligence::update(int64_t now_ms) { return compute(now_ms); }

Insights CallIntelligence::finish(int64_t now_ms) {
  clock_ms_ = std::max(clock_ms_, now_ms);
  if (!finished_) {
    if (active_ >= 0) {
      PhaseState& p = phases_[static_cast<std::size_t>(active_)];
      p.info.status = PhaseStatus::completed;
      p.info.end_ms = now_ms;
      p.accumulated_ms += std::max<int64_t>(0, now_ms - p.entered_ms);
      active_ = -1;
    }
    for (auto& p : phases_)
      if (p.info.status == PhaseStatus::pending) p.info.status = PhaseStatus::skipped;
    finished_ = true;
  }
  return compute(now_ms);
}

std::optional<std::size_t> CallIntelligence::latest_ask(bool objection) const {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < asks_.size(); ++i)
    if (asks_[i].objection == objection && (!best || asks_[i].line >= asks_[*best].line)) best = i;
  return best;
}

std::optional<std::size_t> CallIntelligence::reaction_after(std::size_t agent_line) const {
  for (std::size_t i = agent_line + 1; i < lines_.size(); ++i)
    if (!lines_[i].agent) return i;
  return std::nullopt;
}

bool CallIntelligence::objection_raised() const {
  return std::any_of(asks_.begin(), asks_.end(), [](const Ask& a) { return a.objection; });
}

namespace {
int closing_index(const std::vector<std::string>& planned) {
  for (std::size_t i = 0; i < planned.size(); ++i)
    if (planned[i] == "closing") return static_cast<int>(i);
  return planned.empty() ? -1 : static_cast<int>(planned.size()) - 1;
}
}  // namespace

bool CallIntelligence::demo_accepted() const {
  // The last decisive caller answer given in the closing step is a yes.
  std::vector<std::string> planned;
  for (std::size_t i = 0; i < planned_; ++i) planned.push_back(phases_[i].info.name);
  const int closing = closing_index(planned);
  bool accepted = false;
  for (const Line& l : lines_) {
    if (l.agent || l.phase != closing || closing < 0) continue;
    if (l.intent == "yes") accepted = true;
    else if (l.intent == "no" || rejecting(l.intent) || l.intent == "call_back_later") accepted = false;
  }
  return accepted;
}

std::string CallIntelligence::objective_title(std::string_view phase) const {
  const std::string& p = config_.purpose;
  const bool support = p == "support", tech = p == "technical", appt = p == "appointment", sales = p == "sales";
  if (phase == "opening")
    return sales ? "Confirm the contact and their interest"
                 : support ? "Identify the caller" : tech ? "Identify the caller and their system" : "Confirm the contact";
  if (phase == "discovery")
    return sales ? "Discover the prospect's needs"
           : support ? "Understand the issue"
           : tech    ? "Diagnose the problem"
           : appt    ? "Find out what the appointment is for"
                     : "Discover the caller's needs";
  if (phase == "value_proposition")
    return sales ? "Present the value proposition"
           : support ? "Offer a solution"
           : tech    ? "Walk through the fix"
           : appt    ? "Offer suitable times"
                     : "Present the offer";
  if (is_objection_step(phase)) return support || tech ? "Address concerns" : "Handle objections";
  if (phase == "closing")
    return sales ? "Book a demo or meeting"
           : support ? "Confirm the issue is resolved"
           : tech    ? "Confirm the fix works"
           : appt    ? "Book the appointment"
                     : "Agree a next step";
  std::string words(phase);
  std::replace(words.begin(), words.end(), '_', ' ');
  return "Complete the “" + words + "” step";
}

namespace {
std::string objective_key(std::string_view purpose, std::string_view phase) {
  if (phase == "opening") return "confirm_contact";
  if (phase == "discovery") return "discover_needs";
  if (phase == "value_proposition") return "present_value";
  if (is_objection_step(phase)) return "handle_objections";
  if (phase == "closing") {
    if (purpose == "sales") return "book_meeting";
    if (purpose == "appointment") return "book_appointment";
    if (purpose == "support") return "confirm_resolution";
    if (purpose == "technical") return "confirm_fix";
    return "close";
  }
  return std::string(phase);
}
}  // namespace

CallIntelligence::AgentRun CallIntelligence::last_agent_run() const {
  AgentRun run;
  std::optional<std::size_t> end;
  for (std::size_t i = lines_.size(); i-- > 0;)
    if (lines_[i].agent) {
      end = i;
      break;
    }
  if (!end) return run;
  std::size_t b = *end;
  while (b > 0 && lines_[b - 1].agent) --b;
  run.start_ms = lines_[b].start_ms;
  run.ms = lines_[*end].end_ms - run.start_ms;
  return run;
}

int64_t CallIntelligence::talk_ms() const {
  int64_t ms = 0;
  for (const Line& l : lines_) ms += l.end_ms - l.start_ms;
  return ms;
}

Insights CallIntelligence::compute(int64_t now_ms) {
  clock_ms_ = std::max(clock_ms_, now_ms);
  Insights out;
  out.at_ms = now_ms;
  out.finished = finished_;
  out.current_phase = active_ >= 0 ? phases_[static_cast<std::size_t>(active_)].info.name : "";
  compute_phases(out, now_ms);
  compute_sentiment(out);
  compute_metrics(out, now_ms);
  compute_objectives(out);
  compute_actions(out);
  compute_coaching(out);
  for (const Ask& a : asks_)
    if (a.objection) {
      ++out.objections.raised;
      out.objections.answered += a.state == Ask::State::answered ? 1 : 0;
    }
  return out;
}

void CallIntelligence::compute_phases(Insights& out, int64_t now_ms) const {
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    const PhaseState& ps = phases_[i];
    PhaseInsight p = ps.info;
    int64_t ms = ps.accumulated_ms;
    if (static_cast<int>(i) == active_) ms += std::max<int64_t>(0, now_ms - ps.entered_ms);
    p.duration_s = static_cast<int>((ms + 500) / 1000);
    int64_t agent_ms = 0, caller_ms = 0;
    double score_sum = 0;
    int caller_lines = 0, lines = 0;
    for (const Line& l : lines_) {
      if (l.phase != static_cast<int>(i)) continue;
      ++lines;
      (l.agent ? agent_ms : caller_ms) += l.end_ms - l.start_ms;
      if (!l.agent) {
        ++caller_lines;
        score_sum += l.sentiment.score;
      }
    }
    if (lines > 0) {
      const double sentiment = caller_lines ? 50.0 * (1.0 + score_sum / caller_lines) : 50.0;
      const int64_t total = agent_ms + caller_ms;
      const double balance =
          total > 0 ? 100.0 * std::min(1.0, static_cast<double>(caller_ms) / (0.3 * static_cast<double>(total)))
                    : (caller_lines ? 100.0 : 0.0);
      p.quality = pct((sentiment + balance) / 2);
    }
    out.phases.push_back(std::move(p));
  }
}

void CallIntelligence::compute_sentiment(Insights& out) const {
  SentimentSummary& s = out.sentiment;
  std::vector<double> scores;
  std::array<int, 3> counts{};  // positive, neutral, negative
  for (const Line& l : lines_) {
    if (l.agent) continue;
    scores.push_back(l.sentiment.score);
    if (l.sentiment.label == "positive") {
      ++counts[0];
      s.last_positive = SentimentMoment{l.text, l.start_ms};
    } else if (l.sentiment.label == "negative") {
      ++counts[2];
      s.last_negative = SentimentMoment{l.text, l.start_ms};
    } else {
      ++counts[1];
    }
  }
  const std::size_t n = scores.size();
  if (n == 0) return;  // 0 / 100 / 0, stable
  // Largest-remainder rounding so the three percentages sum to exactly 100.
  std::array<int, 3> pcts{};
  std::array<double, 3> rem{};
  int sum = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    const double exact = 100.0 * counts[k] / static_cast<double>(n);
    pcts[k] = static_cast<int>(std::floor(exact));
    rem[k] = exact - pcts[k];
    sum += pcts[k];
  }
  while (sum < 100) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < 3; ++k)
      if (rem[k] > rem[best]) best = k;
    ++pcts[best];
    rem[best] = -1;
    ++sum;
  }
  s.positive = pcts[0];
  s.neutral = pcts[1];
  s.negative = pcts[2];
  double total = 0;
  for (double x : scores) total += x;
  s.overall = std::round(total / static_cast<double>(n) * 1000.0) / 1000.0;
  if (n >= 4) {
    const std::size_t k = std::min<std::size_t>(3, n / 2);
    double recent = 0, previous = 0;
    for (std::size_t i = 0; i < k; ++i) {
      recent += scores[n - 1 - i];
      previous += scores[n - 1 - k - i];
    }
    s.recent_mean = recent / static_cast<double>(k);
    s.previous_mean = previous / static_cast<double>(k);
    const double d = s.recent_mean - s.previous_mean;
    s.trend = d <= -kTrendDelta ? Trend::declining : d >= kTrendDelta ? Trend::improving : Trend::stable;
  }
}

void CallIntelligence::compute_metrics(Insights& out, int64_t now_ms) const {
  Metrics& m = out.metrics;
  int64_t agent_ms = 0, caller_ms = 0;
  int agent_lines = 0, interrupted = 0, agent_words = 0, hedges = 0, questions = 0;
  for (const Line& l : lines_) {
    if (l.agent) {
      agent_ms += l.end_ms - l.start_ms;
      ++agent_lines;
      interrupted += l.interrupted ? 1 : 0;
      agent_words += l.words;
      hedges += l.hedges;
    } else {
      caller_ms += l.end_ms - l.start_ms;
      questions += l.is_question ? 1 : 0;
    }
  }
  const int64_t total = agent_ms + caller_ms;
  const double agent_share = total > 0 ? static_cast<double>(agent_ms) / static_cast<double>(total) : 0.0;
  const double caller_share = total > 0 ? 1.0 - agent_share : 0.0;
  m.agent_talk_share = agent_share;

  // Script adherence: steps covered among the planned steps up to the furthest reached.
  int furthest = -1;
  for (std::size_t i = 0; i < planned_; ++i) {
    const PhaseStatus st = phases_[i].info.status;
    if (phases_[i].info.start_ms && (st == PhaseStatus::active || st == PhaseStatus::completed))
      furthest = static_cast<int>(i);
  }
  if (furthest >= 0) {
    int denom = 0, covered = 0;
    const bool objections = objection_raised();
    for (int i = 0; i <= furthest; ++i) {
      const PhaseInsight& p = phases_[static_cast<std::size_t>(i)].info;
      const bool entered = p.start_ms.has_value();
      if (is_objection_step(p.name) && !objections && !entered) continue;  // conditional step
      ++denom;
      covered += entered ? 1 : 0;
    }
    m.script_adherence = denom ? pct(100.0 * covered / denom) : 0;
  }

  // Agent confidence: barge-ins and hedging words.
  if (agent_lines > 0 && agent_words > 0) {
    const double i = static_cast<double>(interrupted) / agent_lines;
    const double h = static_cast<double>(hedges) / agent_words;
    m.agent_confidence = pct(100.0 * (1.0 - 0.4 * i) * (1.0 - std::min(0.5, 5.0 * h)));
  }

  // Responsiveness: judged caller questions/objections that the agent addressed.
  int judged = 0, answered = 0;
  for (const Ask& a : asks_) {
    if (a.state == Ask::State::waiting) continue;
    ++judged;
    answered += a.state == Ask::State::answered ? 1 : 0;
  }
  const double responsiveness = judged ? static_cast<double>(answered) / judged : 1.0;

  if (total > 0) {
    const double balance = 100.0 * (1.0 - 2.0 * std::abs(agent_share - 0.5));
    m.conversation_quality = pct((balance + 50.0 * (1.0 + out.sentiment.overall) + 100.0 * responsiveness) / 3.0);
  }

  const double minutes = static_cast<double>(std::max<int64_t>(now_ms, 60'000)) / 60'000.0;
  const double qpm = questions / minutes;
  m.question_frequency = std::round(qpm * 100.0) / 100.0;
  if (total > 0) m.prospect_engagement = pct(100.0 * (0.6 * std::min(1.0, caller_share / 0.5) + 0.4 * std::min(1.0, qpm)));

  // Response quality: responsiveness, uninterrupted replies, non-negative reactions.
  if (agent_lines > 0) {
    int reactions = 0, non_negative = 0;
    for (std::size_t i = 1; i < lines_.size(); ++i) {
      if (lines_[i].agent || !lines_[i - 1].agent) continue;
      ++reactions;
      non_negative += lines_[i].sentiment.label != "negative" ? 1 : 0;
    }
    const double r = (responsiveness + (1.0 - static_cast<double>(interrupted) / agent_lines) +
                      (reactions ? static_cast<double>(non_negative) / reactions : 1.0)) / 3.0;
    m.response_quality = r < 0.5    ? ResponseQuality::poor
                         : r < 0.7  ? ResponseQuality::fair
                         : r < 0.85 ? ResponseQuality::good
                                    : ResponseQuality::excellent;
  }

  // Voice energy: mean agent meter level over speech samples of the last 30 s.
  {
    const std::size_t n = std::min(level_count_, agent_levels_.size());
    int sum = 0, speech = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (agent_levels_[i] >= kSpeechLevel) {
        sum += agent_levels_[i];
        ++speech;
      }
    const double mean = speech ? static_cast<double>(sum) / speech : 0.0;
    m.voice_energy = mean >= kEnergyHigh ? VoiceEnergy::high : mean >= kEnergyMedium ? VoiceEnergy::medium : VoiceEnergy::low;
  }

  // Interest signals and the three probabilities.
  std::vector<std::string> planned;
  for (std::size_t i = 0; i < planned_; ++i) planned.push_back(phases_[i].info.name);
  const int closing = closing_index(planned);
  int score = 0;
  for (const Line& l : lines_) {
    if (l.agent) continue;
    if (l.intent == "yes") score += l.phase == 0 ? 1 : l.phase == closing ? 3 : 2;
    else if (l.intent == "question") score += l.topic == "price" ? 2 : 1;
    else if (l.intent == "objection" || l.intent == "no") score -= 1;
    else if (l.intent == "not_interested") score -= 3;
    else if (l.intent == "stop_calling" || l.intent == "wrong_number" || l.intent == "voicemail_greeting") score -= 5;
    if (l.sentiment.label == "positive") score += 1;
    else if (l.sentiment.label == "negative") score -= 1;
  }
  for (const Ask& a : asks_) {
    if (!a.objection || !a.answered_by) continue;
    const auto r = reaction_after(*a.answered_by);
    if (r && !rejecting(lines_[*r].intent) && lines_[*r].sentiment.label != "negative") score += 1;
  }
  m.interest_score = score;
  m.interest_signals = score >= 5 ? InterestSignals::strong : score >= 1 ? InterestSignals::moderate : InterestSignals::weak;
  const double accepted = demo_accepted() ? 1.0 : 0.0;
  m.conversion_probability = pct(100.0 * sigmoid(-1.5 + 0.5 * score));
  m.demo_acceptance_probability = pct(100.0 * sigmoid(-1.0 + 0.5 * score + 2.5 * accepted));
  m.immediate_close_probability = pct(100.0 * sigmoid(-4.0 + 0.4 * score + 1.5 * accepted));
}

void CallIntelligence::compute_objectives(Insights& out) const {
  std::vector<std::string> planned;
  for (std::size_t i = 0; i < planned_; ++i) planned.push_back(phases_[i].info.name);
  const int closing = closing_index(planned);
  for (std::size_t i = 0; i < planned_; ++i) {
    const PhaseInsight& p = phases_[i].info;
    Objective o;
    o.key = objective_key(config_.purpose, p.name);
    o.title = objective_title(p.name);
    o.phase = p.name;
    const bool entered = p.start_ms.has_value();
    const bool active = p.status == PhaseStatus::active;
    bool failed_here = false;
    for (const Line& l : lines_)
      if (!l.agent && l.phase == static_cast<int>(i)) {
        failed_here = failed_here || rejecting(l.intent) || l.intent == "voicemail_greeting";
      }
    using S = ObjectiveStatus;
    if (is_objection_step(p.name) && objection_raised()) {
      const Ask& a = asks_[*latest_ask(true)];
      const std::optional<std::size_t> r = a.answered_by ? reaction_after(*a.answered_by) : std::nullopt;
      const Line* react = r ? &lines_[*r] : nullptr;
      const bool repeated = react && react->is_objection && react->objection == lines_[a.line].objection;
      if (react && (rejecting(react->intent) || repeated)) o.status = S::failed;
      else if (react) o.status = S::completed;
      else if (finished_) o.status = a.answered_by ? S::completed : S::failed;
      else o.status = S::in_progress;
    } else if (static_cast<int>(i) == closing && closing > 0) {
      bool decided_no = false;
      for (const Line& l : lines_)
        if (!l.agent && l.phase == closing) {
          if (l.intent == "yes") decided_no = false;
          else if (l.intent == "no" || rejecting(l.intent)) decided_no = true;
        }
      if (demo_accepted()) o.status = S::completed;
      else if (decided_no) o.status = S::failed;
      else if (active && !finished_) o.status = S::in_progress;
      else o.status = entered ? S::failed : S::pending;
    } else if (i == 0) {
      bool said_yes = false, later = false;
      for (const Line& l : lines_) said_yes = said_yes || (!l.agent && l.phase == 0 && l.intent == "yes");
      for (std::size_t j = 1; j < planned_; ++j) later = later || phases_[j].info.start_ms.has_value();
      if (failed_here) o.status = S::failed;
      else if (said_yes || later) o.status = S::completed;
      else if (finished_) o.status = entered ? S::failed : S::pending;
      else o.status = entered ? S::in_progress : S::pending;
    } else {
      if (active) o.status = S::in_progress;
      else if (entered) o.status = S::completed;
      else o.status = S::pending;
    }
    out.objectives.push_back(std::move(o));
  }
}

void CallIntelligence::compute_actions(Insights& out) const {
  auto& acts = out.next_actions;
  auto add = [&](ActionType t, std::string action, std::string reason, int priority) {
    acts.push_back({t, std::move(action), std::move(reason), priority});
  };
  const Line* last = nullptr;
  for (auto it = lines_.rbegin(); it != lines_.rend(); ++it)
    if (!it->agent) {
      last = &*it;
      break;
    }
  std::vector<std::string> planned;
  for (std::size_t i = 0; i < planned_; ++i) planned.push_back(phases_[i].info.name);
  const int closing = closing_index(planned);
  const std::string close_title = closing >= 0 ? objective_title(planned[static_cast<std::size_t>(closing)]) : "";
  const bool accepted = demo_accepted();

  if (!finished_) {
    if (last && last->intent == "stop_calling")
      add(ActionType::immediate, "Confirm the removal and end the call politely", "The caller asked not to be called again", 10);
    if (last && last->intent == "asks_for_human")
      add(ActionType::immediate, "Transfer the call to a human colleague", "The caller asked to speak to a person", 9);
    if (last && last->intent == "wrong_number")
      add(ActionType::immediate, "Apologise and end the call", "The caller says this is a wrong number", 9);
    if (auto k = latest_ask(true); k && asks_[*k].state != Ask::State::answered) {
      const Line& q = lines_[asks_[*k].line];
      add(ActionType::immediate,
          q.objection.empty() ? "Address the caller's objection" : "Address the caller's " + q.objection + " objection",
          quote(q.text) + " at " + mmss(q.start_ms) + " has not been addressed yet", 9);
    }
    if (auto k = latest_ask(false); k && asks_[*k].state != Ask::State::answered) {
      const Line& q = lines_[asks_[*k].line];
      add(ActionType::immediate, "Answer the caller's question",
          quote(q.text) + " at " + mmss(q.start_ms) + " has not been answered yet", 8);
    }
    if (last && last->intent == "call_back_later" && !accepted)
      add(ActionType::immediate, "Agree a specific callback time", "The caller asked to be called back later", 7);
    const AgentRun run = last_agent_run();
    if (run.ms > kMonologueMs)
      add(ActionType::immediate, "Pause and ask the caller a question",
          "The agent spoke for " + std::to_string(run.ms / 1000) + " s without a caller turn", 7);
    else if (talk_ms() >= kTalkShareMinMs && out.metrics.agent_talk_share > kTalkShareLimit)
      add(ActionType::immediate, "Pause and let the caller talk",
          "The agent has " + std::to_string(pct(100 * out.metrics.agent_talk_share)) + "% of the talk time", 7);
    if (last && last->sentiment.label == "negative")
      add(ActionType::immediate, "Acknowledge the caller's concern",
          "The caller's last line was negative: " + quote(last->text), 6);

    if (accepted) {
      add(ActionType::next, "Confirm the date, time and attendees", "The caller agreed: " + close_title, 6);
    } else if (out.metrics.interest_signals == InterestSignals::strong && closing >= 0 &&
               !phases_[static_cast<std::size_t>(closing)].info.start_ms) {
      add(ActionType::next, close_title,
          "Strong interest signals (score " + std::to_string(out.metrics.interest_score) + ")", 7);
    } else {
      const bool objection_open = [&] {
        auto k = latest_ask(true);
        return k && asks_[*k].state != Ask::State::answered;
      }();
      bool added = false;
      for (std::size_t i = static_cast<std::size_t>(std::max(active_ + 1, 0)); i < planned_ && active_ >= 0; ++i) {
        const PhaseInsight& p = phases_[i].info;
        if (p.status == PhaseStatus::completed || p.status == PhaseStatus::active) continue;
        if (is_objection_step(p.name) && !objection_open) continue;
        add(ActionType::next, "Move on to: " + objective_title(p.name),
            "The next step after “" + phases_[static_cast<std::size_t>(active_)].info.name + "” in the call flow", 5);
        added = true;
        break;
      }
      if (!added && active_ == closing && closing >= 0)
        add(ActionType::next, close_title, "The call is in its closing step", 6);
    }
  }

  bool dnc = false, callback = false, send_info = false;
  std::string decisive;
  for (const Line& l : lines_) {
    if (l.agent) continue;
    dnc = dnc || l.intent == "stop_calling";
    callback = callback || l.intent == "call_back_later";
    send_info = send_info || (l.is_objection && l.objection == "send_info");
    if (l.intent == "yes" || l.intent == "not_interested") decisive = l.intent;
  }
  if (dnc) add(ActionType::follow_up, "Add the number to the do-not-call list", "The caller asked not to be called again", 10);
  if (accepted) {
    if (config_.purpose == "support" || config_.purpose == "technical")
      add(ActionType::follow_up, "Send a summary of the resolution", "The caller confirmed: " + close_title, 5);
    else
      add(ActionType::follow_up, "Send the calendar invitation and a confirmation", "The caller agreed: " + close_title, 7);
  }
  if (callback && !accepted) add(ActionType::follow_up, "Schedule the callback", "The caller asked to be called back later", 7);
  if (send_info) add(ActionType::follow_up, "Email the information the caller asked for", "The caller asked for information to be sent", 6);
  if (!dnc && decisive == "not_interested")
    add(ActionType::follow_up, "Record the call as not interested; no follow-up for now", "The caller said they are not interested", 3);

  std::stable_sort(acts.begin(), acts.end(), [](const NextAction& a, const NextAction& b) {
    if (a.type != b.type) return static_cast<int>(a.type) < static_cast<int>(b.type);
    return a.priority > b.priority;
  });
}

void CallIntelligence::compute_coaching(Insights& out) {
  struct Rule {
    std::string key;
    CoachingType type;
    std::string title;
    std::string description;
    int priority;
    bool fires;
  };
  std::vector<Rule> rules;
  const Metrics& m = out.metrics;
  const SentimentSummary& s = out.sentiment;
  int64_t agent_ms = 0, caller_ms = 0;
  int caller_lines = 0, caller_words = 0;
  for (const Line& l : lines_) {
    (l.agent ? agent_ms : caller_ms) += l.end_ms - l.start_ms;
    if (!l.agent) {
      ++caller_lines;
      caller_words += l.words;
    }
  }
  const int64_t total = agent_ms + caller_ms;
  const int share = pct(100.0 * m.agent_talk_share);

  // Warnings (issue 5 §3).
  rules.push_back({"talk_share", CoachingType::warning, "Agent is talking too much",
                   "The agent has " + std::to_string(share) + "% of the talk time (" + std::to_string(agent_ms / 1000) +
                       " s of " + std::to_string(total / 1000) + " s); ask an open question and let the caller talk.",
                   7, total >= kTalkShareMinMs && m.agent_talk_share > kTalkShareLimit});
  {
    const AgentRun run = last_agent_run();
    rules.push_back({"monologue", CoachingType::warning, "Monologue over 45 seconds",
                     "The agent spoke for " + std::to_string(run.ms / 1000) + " s without a caller turn (from " +
                         mmss(run.start_ms) + "); keep turns under 45 s and check in with a question.",
                     8, run.ms > kMonologueMs});
  }
  {
    auto k = latest_ask(true);
    const bool fires = k && asks_[*k].state == Ask::State::ignored;
    const Line* q = k ? &lines_[asks_[*k].line] : nullptr;
    rules.push_back({"objection_unanswered", CoachingType::warning, "Objection left unanswered",
                     q ? "The caller's " + (q->objection.empty() ? std::string() : q->objection + " ") + "objection " +
                             quote(q->text) + " (" + mmss(q->start_ms) +
                             ") was not addressed; acknowledge it and answer before moving on."
                       : std::string(),
                     9, fires});
  }
  {
    auto k = latest_ask(false);
    const bool fires = k && asks_[*k].state == Ask::State::ignored;
    const Line* q = k ? &lines_[asks_[*k].line] : nullptr;
    rules.push_back({"question_ignored", CoachingType::warning, "Caller's question was not answered",
                     q ? "The caller asked " + quote(q->text) + " (" + mmss(q->start_ms) +
                             ") and the agent's reply did not answer it; answer the question directly."
                       : std::string(),
                     8, fires});
  }
  {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "Caller sentiment fell from %+.2f to %+.2f over the latest caller lines; acknowledge the concern "
                  "and ask what matters to them.",
                  s.previous_mean, s.recent_mean);
    rules.push_back({"sentiment_declining", CoachingType::warning, "Caller sentiment is falling", buf, 7,
                     s.trend == Trend::declining});
  }
  // Suggestions.
  std::vector<std::string> planned;
  for (std::size_t i = 0; i < planned_; ++i) planned.push_back(phases_[i].info.name);
  const int closing = closing_index(planned);
  {
    const double mean_words = caller_lines ? static_cast<double>(caller_words) / caller_lines : 0.0;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "The caller answers in %.1f words on average; ask open questions (what, how, why) to get them "
                  "talking.",
                  mean_words);
    rules.push_back({"ask_open_questions", CoachingType::suggestion, "Ask open questions", buf, 5,
                     caller_lines >= 3 && mean_words < 4.0});
  }
  {
    const bool closing_entered = closing >= 0 && phases_[static_cast<std::size_t>(closing)].info.start_ms;
    const std::string close_title = closing >= 0 ? objective_title(planned[static_cast<std::size_t>(closing)]) : "";
    rules.push_back({"propose_next_step", CoachingType::suggestion, "Propose the next step",
                     "Interest signals are strong (score " + std::to_string(m.interest_score) + "); move to: " +
                         close_title + ".",
                     6, m.interest_signals == InterestSignals::strong && !closing_entered && !demo_accepted()});
  }
  // Positive.
  rules.push_back({"balanced_conversation", CoachingType::positive, "Balanced conversation",
                   "Talk time is balanced: agent " + std::to_string(share) + "%, caller " +
                       std::to_string(100 - share) + "%.",
                   3, total >= kBalancedMinMs && m.agent_talk_share >= kBalancedLow && m.agent_talk_share <= kBalancedHigh});
  {
    int asked = 0, answered = 0, ignored = 0;
    for (const Ask& a : asks_)
      if (!a.objection) {
        ++asked;
        answered += a.state == Ask::State::answered ? 1 : 0;
        ignored += a.state == Ask::State::ignored ? 1 : 0;
      }
    rules.push_back({"questions_answered", CoachingType::positive, "Caller's questions answered",
                     "The agent answered " + std::to_string(answered) + " of " + std::to_string(asked) +
                         " caller question(s).",
                     3, answered > 0 && ignored == 0});
  }
  {
    bool handled = false;
    if (auto k = latest_ask(true); k && asks_[*k].answered_by) {
      const auto r = reaction_after(*asks_[*k].answered_by);
      const Line& q = lines_[asks_[*k].line];
      handled = r && !rejecting(lines_[*r].intent) && lines_[*r].sentiment.label != "negative" &&
                !(lines_[*r].is_objection && lines_[*r].objection == q.objection);
    }
    rules.push_back({"objection_handled", CoachingType::positive, "Objection handled",
                     "The agent addressed the caller's objection and the caller stayed in the conversation.", 4,
                     handled});
  }
  {
    char buf[120];
    std::snprintf(buf, sizeof buf, "Caller sentiment is positive (%+.2f over %d lines).", s.overall, caller_lines);
    rules.push_back({"positive_rapport", CoachingType::positive, "Good rapport", buf, 2,
                     caller_lines >= 3 && s.overall >= 0.2 && s.trend != Trend::declining});
  }

  for (Rule& r : rules) {
    auto it = std::find_if(coaching_.begin(), coaching_.end(), [&](const Coaching& c) { return c.key == r.key; });
    const bool active = r.fires && !finished_;
    if (it == coaching_.end()) {
      if (!r.fires) continue;
      coaching_.push_back({r.key, r.type, r.title, r.description, r.priority, active});
    } else {
      if (r.fires) it->description = r.description;  // keep the text that explained it while inactive
      it->is_active = active;
    }
  }
  if (finished_)
    for (Coaching& c : coaching_) c.is_active = false;
  out.coaching = coaching_;
}

}  // namespace voqo::intel
