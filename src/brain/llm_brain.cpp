#include "brain/llm_brain.hpp"

#include "brain/instruction_template.hpp"

#include "brain/call_flow.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "brain/time_phrase.hpp"
#include "core/json_parse.hpp"
#include "core/time.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

constexpr std::string_view kEndCall = "end_call";
constexpr std::string_view kTransferCall = "transfer_call";
constexpr std::string_view kScheduleCallback = "schedule_callback";
constexpr std::string_view kDoNotCall = "add_to_do_not_call";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// ---- time zone ------------------------------------------------------------

// The callee's zone (time_phrase.hpp reads the system tz database); UTC when
// the name is unknown.
TimeZone zone_of(const CallContext& ctx) {
  auto zone = TimeZone::locate(ctx.time_zone.empty() ? "UTC" : ctx.time_zone);
  return zone ? *zone : TimeZone::utc();
}

std::string offset_text(std::chrono::seconds offset) {
  const long total = static_cast<long>(offset.count()) / 60;
  const int hours = static_cast<int>(std::clamp(std::labs(total) / 60, 0L, 23L));
  const int minutes = static_cast<int>(std::labs(total) % 60);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", total < 0 ? '-' : '+', hours, minutes);
  return buf;
}

// "Tuesday, March 4, 2025, 2:05 PM (America/New_York, UTC-05:00)".
std::string local_date_time(const CallContext& ctx) {
  using namespace std::chrono;
  const TimeZone zone = zone_of(ctx);
  const sys_seconds now = floor<seconds>(ctx.now);
  const seconds offset = zone.offset(now);
  const auto local = now.time_since_epoch() + offset;
  const sys_days day{floor<days>(local)};
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day.time_since_epoch()};
  static constexpr std::array<const char*, 7> kDays = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
  static constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",
                                                          "May",     "June",     "July",      "August",
                                                          "September", "October", "November", "December"};
  const unsigned hour = static_cast<unsigned>(hms.hours().count());
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s, %s %u, %d, %u:%02u %s (%s, UTC%s)", kDays[weekday{day}.c_encoding()],
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<unsigned>(ymd.day()),
                static_cast<int>(ymd.year()), hour % 12 == 0 ? 12 : hour % 12,
                static_cast<unsigned>(hms.minutes().count()), hour < 12 ? "AM" : "PM", zone.name().c_str(),
                offset_text(offset).c_str());
  return buf;
}

// An ISO-8601 time from the model; one without an offset is local to the
// callee (a bare date: 10:00 local, time_phrase.hpp's default).
std::optional<system_clock::time_point> parse_when(std::string_view when, const CallContext& ctx) {
  using namespace std::chrono;
  when = trim(when);
  if (auto tp = parse_iso8601(when); tp && when.size() > 10) return tp;
  std::string local(when);
  if (local.size() == 10) local += "T10:00:00";
  auto as_utc = parse_iso8601(local + "Z");  // the wall-clock fields, read as if UTC
  if (!as_utc) return std::nullopt;
  const local_seconds wall{floor<seconds>(as_utc->time_since_epoch())};
  return system_clock::time_point(zone_of(ctx).to_sys(wall));
}

// ---- sentence streaming ----------------------------------------------------

bool is_abbreviation(std::string_view before_dot) {
  std::size_t start = before_dot.find_last_of(" \t\n(\"'");
  std::string word(before_dot.substr(start == std::string_view::npos ? 0 : start + 1));
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 14> kAbbrev = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs",
                                                               "e.g", "i.e", "etc", "approx", "no", "prof"};
  if (word.size() == 1 && std::isalpha(static_cast<unsigned char>(word[0]))) return true;  // an initial: "J. Smith"
  return std::find(kAbbrev.begin(), kAbbrev.end(), word) != kAbbrev.end();
}

// Splits streamed text into sentences and hands each to the sink at once.
class SentenceStream {
 public:
  explicit SentenceStream(const TextSink& sink) : sink_(sink) {}

  bool push(std::string_view delta) {
    pending_.append(delta);
    std::size_t i = scanned_;
    while (i < pending_.size() && !stopped_) {
      const char c = pending_[i];
      std::size_t end = std::string::npos;  // one past the sentence
      if (c == '\n') {
        end = i + 1;
      } else if (c == '.' || c == '!' || c == '?') {
        std::size_t j = i + 1;
        while (j < pending_.size() && std::string_view(".!?\"')]").find(pending_[j]) != std::string_view::npos) ++j;
        if (j == pending_.size()) break;  // need the next character to decide
        if (std::isspace(static_cast<unsigned char>(pending_[j])) &&
            !(c == '.' && is_abbreviation(std::string_view(pending_).substr(0, i))))
          end = j;
        i = j - 1;
      }
      ++i;
      if (end != std::string::npos) {
        emit(std::string_view(pending_).substr(0, end));
        pending_.erase(0, end);
        i = 0;
      }
    }
    scanned_ = std::min(i, pending_.size());
    return !stopped_;
  }

  bool flush() {
    if (!stopped_) emit(pending_);
    pending_.clear();
    scanned_ = 0;
    return !stopped_;
  }

  [[nodiscard]] const std::string& spoken() const { return spoken_; }
  [[nodiscard]] bool stopped() const { return stopped_; }

 private:
  void emit(std::string_view raw) {
    // Markdown emphasis and code marks are never spoken.
    std::string text;
    for (char ch : raw)
      if (ch != '*' && ch != '`' && ch != '#') text += ch == '\n' ? ' ' : ch;
    std::string_view sentence = trim(text);
    if (sentence.empty()) return;
    if (!spoken_.empty()) spoken_ += ' ';
    spoken_ += sentence;
    if (sink_ && !sink_(sentence)) stopped_ = true;
  }

  const TextSink& sink_;
  std::string pending_;
  std::size_t scanned_ = 0;
  std::string spoken_;
  bool stopped_ = false;
};

// ---- built-in tools ----------------------------------------------------------

std::vector<ToolSpec> builtin_specs() {
  json labels = json::array();
  for (Outcome o : all_outcomes()) labels.push_back(std::string(outcome_label(o)));
  return {
      {std::string(kEndCall),
       "Hang up after your current sentence. Use it when the conversation is over; say goodbye first.",
       {{"type", "object"},
        {"properties",
         {{"reason", {{"type", "string"}, {"description", "Why the call is ending"}}},
          {"outcome", {{"type", "string"}, {"enum", labels}, {"description", "How the call went"}}}}},
        {"required", {"reason", "outcome"}}}},
      {std::string(kTransferCall), "Transfer the caller to a human or another number after your current sentence.",
       {{"type", "object"},
        {"properties",
         {{"to", {{"type", "string"}, {"minLength", 3}, {"description", "E.164 phone number or SIP URI"}}}}},
        {"required", {"to"}}}},
      {std::string(kScheduleCallback), "Schedule a call back at the time the caller asked for.",
       {{"type", "object"},
        {"properties",
         {{"when",
           {{"type", "string"},
            {"description", "ISO-8601 date and time with UTC offset, e.g. 2025-03-05T15:00:00-05:00"}}},
          {"reason", {{"type", "string"}}}}},
        {"required", {"when"}}}},
      {std::string(kDoNotCall), "The caller asked never to be called again: put them on the do-not-call list.",
       {{"type", "object"}, {"properties", json::object()}}},
  };
}

bool is_builtin(std::string_view name) {
  return name == kEndCall || name == kTransferCall || name == kScheduleCallback || name == kDoNotCall;
}

std::string tool_error(std::string_view message) {
  return json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

LlmBrain::LlmBrain(LlmBrainConfig config, CallContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      chat_(ChatEndpoint{config_.base_url, config_.api_key, config_.timeout, true}),
      tools_([this] {
        std::vector<CustomFunction> fns;
        for (const CustomFunction& f : config_.functions)
          if (!is_builtin(f.name)) fns.push_back(f);
        return fns;
      }(), config_.allow_private_tool_hosts) {
  // The agent's prompt and greeting with their {{variables}} filled in
  // (instruction_template.hpp): the model and the caller never see the braces.
  context_.system_prompt = render_template(context_.system_prompt, context_);
  context_.greeting = render_template(context_.greeting, context_);
  if (context_.call_flow && !context_.call_flow->steps.empty()) {
    // The first step the call opens with: skipped ones (by the call's variables) are passed over.
    skipped_.assign(context_.call_flow->steps.size(), false);
    step_ = next_unskipped(0, context_.call_flow->steps.size() - 1);
  }
  history_.push_back({"system", system_message(), {}, {}});
}

LlmBrain::~LlmBrain() = default;

std::string LlmBrain::system_message() const {
  const CallContext& c = context_;
  std::string s;
  if (!trim(c.system_prompt).empty()) s += std::string(trim(c.system_prompt)) + "\n\n";
  s += "## Call context\n";
  if (!c.agent_name.empty()) s += "- You are " + c.agent_name + ".\n";
  const std::string who = c.contact_name.empty() ? "the contact" : c.contact_name;
  const std::string phone = c.contact_phone.empty() ? "" : " (" + c.contact_phone + ")";
  if (c.direction == "inbound")
    s += "- This is an inbound call: " + who + phone + " called you.\n";
  else
    s += "- This is an outbound call: you called " + who + phone + ".\n";
  const std::string purpose = c.purpose == "custom" ? c.custom_purpose : c.purpose;
  if (!purpose.empty()) s += "- Purpose of the call: " + purpose + ".\n";
  s += "- Now it is " + local_date_time(c) + " for the contact.\n";
  if (!c.language.empty()) s += "- Speak in the language of locale " + c.language + ".\n";
  // The campaign's configuration and the swarm agent's variant (issue 18 §6, §2).
  if (c.variables.is_object()) {
    auto var = [&c](const char* name) {
      auto it = c.variables.find(name);
      return it != c.variables.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (const std::string v = var("personalityProfile"); !v.empty()) s += "- Personality: " + v + ".\n";
    if (const std::string v = var("tone"); !v.empty()) s += "- Tone: " + v + ".\n";
    if (const std::string v = var("formality"); !v.empty()) s += "- Formality: " + v + ".\n";
    if (const std::string v = var("objectionStyle"); !v.empty()) s += "- When the contact objects, answer in a " + v + " way.\n";
  }
  if (!c.memories.empty()) {
    s += "\nWhat you know about this contact:\n";
    for (const std::string& m : c.memories) s += "- " + std::string(trim(m)) + "\n";
  }
  if (c.call_flow && !c.call_flow->steps.empty()) {
    // Issue 18 §5: the campaign's call flow, and the current step's script.
    const auto& steps = c.call_flow->steps;
    const std::size_t at = std::min(step_, steps.size() - 1);
    s += "\n## Call flow\nSteps, in order:";
    for (std::size_t i = 0; i < steps.size(); ++i) s += (i ? ", " : " ") + steps[i].phase;
    s += ".\n";
    std::string skipped;
    for (std::size_t i = 0; i < steps.size() && i < skipped_.size(); ++i)
      if (skipped_[i]) skipped += (skipped.empty() ? "" : ", ") + steps[i].phase;
    if (!skipped.empty()) s += "Skipped (their skip conditions matched; do not cover them): " + skipped + ".\n";
    s += step_prompt(steps[at], c);
  }
  s += "\n## How to speak\n"
       "You are on a live phone call; everything you write is spoken aloud by a speech synthesiser.\n"
       "- Answer in one to three short spoken sentences, then let the caller talk.\n"
       "- Plain words only: no markdown, lists, emoji, headings or URLs.\n"
       "- Say numbers, dates and times the way a person would say them.\n"
       "- If you did not understand, ask the caller to repeat.\n"
       "- Use the end_call tool when the conversation is over, transfer_call when the caller wants a human, "
       "schedule_callback when they ask to be called back later, and add_to_do_not_call if they ask never to be "
       "called again.\n";
  return s;
}

std::vector<ToolSpec> LlmBrain::tool_specs() const {
  std::vector<ToolSpec> specs = builtin_specs();
  for (ToolSpec& t : tools_.specs()) specs.push_back(std::move(t));
  return specs;
}

Result<Reply> LlmBrain::greet(const TextSink& sink, std::stop_token stop) {
  phase_ = "opening";
  if (context_.call_flow && !context_.call_flow->steps.empty()) phase_ = context_.call_flow->steps[step_].phase;
  if (!trim(context_.greeting).empty()) {
    last_turn_.clear();
    SentenceStream out(sink);
    out.push(context_.greeting);
    out.flush();
    Reply reply;
    reply.text = out.spoken();
    reply.phase = phase_;
    history_.push_back({"assistant", reply.text, {}, {}});
    last_turn_.push_back({history_.size() - 1, 0, reply.text.size()});
    last_turn_text_ = reply.text;
    return reply;
  }
  add_coaching();
  history_.push_back({"user",
                      context_.direction == "inbound"
                          ? "(You have just answered the incoming call. Greet the caller.)"
                          : "(The contact has just answered your call. Greet them and open the conversation.)",
                      {}, {}});
  return run_turn(sink, stop);
}

Result<Reply> LlmBrain::respond(std::string_view caller_text, const TextSink& sink, std::stop_token stop) {
  if (phase_ != "closing") phase_ = "conversation";
  if (context_.call_flow && !context_.call_flow->steps.empty()) {
    const auto& steps = context_.call_flow->steps;
    heard_.insert(detect_intent(caller_text).intent);
    if (skipped_.size() != steps.size()) skipped_.assign(steps.size(), false);
    step_ = next_unskipped(std::min(step_ + 1, steps.size() - 1), step_);
    history_.front().content = system_message();
    if (phase_ != "closing") phase_ = steps[step_].phase;
  }
  add_coaching();
  history_.push_back({"user", std::string(caller_text), {}, {}});
  return run_turn(sink, stop);
}

void LlmBrain::coach(std::string_view whisper) {
  if (!trim(whisper).empty()) coaching_.emplace_back(trim(whisper));
}

void LlmBrain::add_coaching() {
  for (const std::string& w : coaching_) history_.push_back({"system", std::string(kCoachingPrefix) + w, {}, {}});
  coaching_.clear();
}

Result<Reply> LlmBrain::run_turn(const TextSink& sink, std::stop_token stop) {
  Reply reply;
  last_turn_.clear();
  SentenceStream out(sink);
  for (int round = 0;; ++round) {
    const bool tools_allowed = round < config_.max_tool_rounds;
    ChatRequest req;
    req.model = config_.model;
    req.messages = history_;
    req.temperature = context_.temperature;
    if (context_.max_tokens > 0) req.max_tokens = context_.max_tokens;
    if (tools_allowed) req.tools = tool_specs();

    const std::size_t before = out.spoken().size();
    auto completion = chat_.stream(req, [&out](std::string_view delta) { return out.push(delta); }, stop);
    const bool aborted = out.stopped() || stop.stop_requested();
    if (!completion && !aborted) return std::unexpected(completion.error());
    if (!aborted) out.flush();

    // What this round said (as sent to the sink), and its place in reply.text.
    const std::size_t begin = before == 0 ? 0 : std::min(before + 1, out.spoken().size());
    ChatMessage message{"assistant", out.spoken().substr(begin), {}, {}};
    // Calls from a stream that was cut are never made, so never recorded
    // (an assistant tool_calls message must be followed by its results).
    if (completion && tools_allowed && !aborted) message.tool_calls = completion->tool_calls;
    if (!message.content.empty() || !message.tool_calls.empty()) {
      history_.push_back(message);
      last_turn_.push_back({history_.size() - 1, begin, out.spoken().size()});
    }
    if (aborted || message.tool_calls.empty()) break;

    bool only_builtin = true;
    for (const ToolCall& call : message.tool_calls) {
      std::string result;
      if (is_builtin(call.name)) {
        auto parsed = call.arguments.empty() ? Result<json>(json::object()) : parse_json(call.arguments);
        json args = parsed ? std::move(*parsed) : json();
        const std::vector<ToolSpec> builtins = builtin_specs();
        const auto spec = std::ranges::find_if(builtins, [&](const ToolSpec& t) { return t.name == call.name; });
        std::string problems = !parsed           ? parsed.error().message
                               : args.is_object() ? validate_arguments(spec->parameters, args)
                                                  : std::string("(root): must be a JSON object");
        if (!problems.empty()) {
          result = tool_error("invalid arguments for " + call.name + ": " + problems);
        } else if (call.name == kEndCall) {
          reply.end_call = true;
          phase_ = "closing";
          if (auto o = parse_outcome(args.value("outcome", ""))) reply.outcome = outcome_ = *o;
          result = R"({"ok":true,"note":"The call ends after your next words."})";
        } else if (call.name == kTransferCall) {
          reply.transfer_to = args["to"].get<std::string>();
          reply.outcome = outcome_ = Outcome::transferred;
          phase_ = "closing";
          result = R"({"ok":true,"note":"The caller is transferred after your next words."})";
        } else if (call.name == kScheduleCallback) {
          if (auto when = parse_when(args["when"].get<std::string>(), context_)) {
            reply.callback_at = callback_at_ = *when;
            if (!reply.outcome) reply.outcome = Outcome::call_back_later;
            if (!outcome_) outcome_ = Outcome::call_back_later;
            result = json{{"ok", true}, {"scheduledFor", to_iso8601(*when)}}.dump();
          } else {
            result = tool_error("invalid arguments for schedule_callback: /when: not an ISO-8601 date-time");
          }
        } else {  // add_to_do_not_call
          reply.do_not_call = do_not_call_ = true;
          result = R"({"ok":true})";
        }
      } else {
        only_builtin = false;
        result = tools_.call(call, stop).content;
      }
      history_.push_back({"tool", std::move(result), {}, call.id});
    }
    if (stop.stop_requested()) break;
    // "Goodbye!" together with end_call: nothing is left to say.
    if (only_builtin && !message.content.empty()) break;
  }
  reply.text = out.spoken();
  reply.phase = phase_;
  last_turn_text_ = reply.text;
  return reply;
}

void LlmBrain::interrupted(std::string_view spoken) {
  if (last_turn_.empty()) return;
  spoken = trim(spoken);
  // Where the cut falls in the turn's text; a `spoken` that is not a prefix
  // of it (re-normalised by TTS) is kept whole in the first message.
  const bool prefix = std::string_view(last_turn_text_).starts_with(spoken);
  const std::size_t cut = prefix ? spoken.size() : 0;
  std::vector<std::size_t> erase;
  bool marked = false;
  for (std::size_t k = 0; k < last_turn_.size(); ++k) {
    const Spoken& part = last_turn_[k];
    ChatMessage& m = history_[part.index];
    if (prefix && cut >= part.end && part.end > part.begin) continue;  // heard in full
    if (!marked) {
      std::string heard = prefix ? std::string(trim(std::string_view(last_turn_text_).substr(part.begin, cut > part.begin ? cut - part.begin : 0)))
                                 : std::string(spoken);
      m.content = heard.empty() ? std::string(kInterruptedMarker) : heard + " " + std::string(kInterruptedMarker);
      marked = true;
    } else if (m.tool_calls.empty()) {
      erase.push_back(part.index);  // never heard
    } else {
      m.content.clear();  // keep the calls: their tool results follow
    }
  }
  for (auto it = erase.rbegin(); it != erase.rend(); ++it)
    history_.erase(history_.begin() + static_cast<std::ptrdiff_t>(*it));
  last_turn_.clear();
}

std::string LlmBrain::phase() const { return phase_; }

std::size_t LlmBrain::next_unskipped(std::size_t from, std::size_t stay) {
  const auto& steps = context_.call_flow->steps;
  for (std::size_t i = from; i < steps.size(); ++i) {
    if (i == stay) return i;  // the step the call is on stays
    if (!skipped_[i] && !any_condition_matches(steps[i].skip_conditions, context_, heard_)) return i;
    skipped_[i] = true;
  }
  return stay;
}

Result<CallResult> LlmBrain::finish(std::span<const model::TranscriptLine> transcript, std::stop_token stop) {
  CallResult result;
  if (context_.call_flow)
    for (std::size_t i = 0; i < context_.call_flow->steps.size(); ++i)
      result.flow_steps.push_back({context_.call_flow->steps[i].phase,
                                   i < skipped_.size() && skipped_[i] ? "skipped"
                                   : i <= step_ && !skipped_.empty() ? "reached"
                                                                      : "not_reached"});
  result.outcome = outcome_.value_or(Outcome::other);
  result.callback_at = callback_at_;
  result.do_not_call = do_not_call_;
  const bool caller_spoke = std::any_of(transcript.begin(), transcript.end(), [](const model::TranscriptLine& e) {
    return e.speaker == "caller" && !trim(e.text).empty();
  });
  if (!caller_spoke) return result;

  std::string labels;
  for (Outcome o : all_outcomes()) labels += (labels.empty() ? "\"" : ", \"") + std::string(outcome_label(o)) + "\"";
  std::string lines;
  for (const model::TranscriptLine& e : transcript) {
    lines += (e.speaker == "agent" ? "Agent: " : "Caller: ") + e.text;
    lines += e.interrupted ? " (cut off by the caller)\n" : "\n";
  }
  ChatRequest req;
  req.model = config_.model;
  req.temperature = 0.2;
  req.max_tokens = 600;
  req.json_object = true;
  req.messages = {
      {"system",
       "You review a finished phone call between an AI voice agent" +
           (context_.agent_name.empty() ? std::string() : " (" + context_.agent_name + ")") +
           " and a contact. It is now " + local_date_time(context_) +
           " for the contact. Reply with one JSON object and nothing else:\n"
           "{\"outcome\": one of [" + labels + "],\n"
           " \"summary\": \"two or three sentences\",\n"
           " \"memories\": [\"short facts worth knowing on the next call: interest, objections, preferences, "
           "agreed times\"],\n"
           " \"callbackAt\": \"ISO-8601 date-time with UTC offset when a call back was agreed, else null\",\n"
           " \"doNotCall\": true only when the contact asked never to be called again}",
       {}, {}},
      {"user", "Transcript:\n" + lines, {}, {}}};

  auto completion = chat_.complete(req, stop);
  if (!completion && completion.error().message.starts_with("LLM HTTP 400")) {
    req.json_object = false;  // a server without JSON mode
    completion = chat_.complete(req, stop);
  }
  auto fail = [](Error error) -> Result<CallResult> { return std::unexpected(std::move(error)); };
  if (!completion) return fail(completion.error());
  const std::string& text = completion->content;
  const auto open = text.find('{');
  const auto close = text.rfind('}');
  json j = open == std::string::npos || close == std::string::npos || close < open
               ? json()
               : parse_json_or_discarded(text.substr(open, close - open + 1));
  if (!j.is_object() || !(j.contains("summary") || j.contains("outcome")))
    return fail(Error{ErrorCode::io, "the LLM's call summary is not the JSON asked for", {}});

  if (auto it = j.find("outcome"); !outcome_ && it != j.end() && it->is_string())
    result.outcome = parse_outcome(it->get<std::string>()).value_or(Outcome::other);
  if (auto it = j.find("summary"); it != j.end() && it->is_string()) result.summary = std::string(trim(it->get<std::string>()));
  if (auto it = j.find("memories"); it != j.end() && it->is_array())
    for (const json& m : *it)
      if (m.is_string() && !trim(m.get<std::string>()).empty() && result.memories.size() < 10)
        result.memories.emplace_back(trim(m.get<std::string>()));
  if (auto it = j.find("callbackAt"); !result.callback_at && it != j.end() && it->is_string())
    result.callback_at = parse_when(it->get<std::string>(), context_);
  if (auto it = j.find("doNotCall"); it != j.end() && it->is_boolean()) result.do_not_call |= it->get<bool>();
  return result;
}

}  // namespace voqo::brain
