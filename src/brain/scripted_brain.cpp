#include "brain/scripted_brain.hpp"

#include "brain/instruction_template.hpp"

#include <algorithm>
#include <cctype>

#include "brain/summary.hpp"
#include "brain/time_phrase.hpp"

namespace voqo::brain {
namespace {

/// A voicemail greeting after the caller already spoke counts only on strong
/// evidence ("leave a message"), not on "not available".
constexpr double kVoicemailMidCall = 0.9;

std::vector<std::string> sentences(std::string_view text) { return split_sentences(text); }

std::string join(const std::vector<std::string>& v, std::size_t from = 0) {
  std::string s;
  for (std::size_t i = from; i < v.size(); ++i) s += (s.empty() ? "" : " ") + v[i];
  return s;
}

/// The question sentences at the end of `q` (from the first sentence after
/// the last one that is not a question): what a re-ask repeats.
std::string question_tail(const std::string& q) {
  const auto parts = split_sentences(q);
  std::size_t from = parts.size();
  while (from > 0 && parts[from - 1].ends_with("?")) --from;
  return from == parts.size() ? q : join(parts, from);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace

ScriptedBrain::ScriptedBrain(CallContext ctx) : ScriptedBrain(ctx, template_for(ctx)) {}

ScriptedBrain::ScriptedBrain(CallContext ctx, ScriptTemplate script) : ctx_(std::move(ctx)), script_(std::move(script)) {
  // The agent's greeting and prompt with their {{variables}} filled in (instruction_template.hpp).
  ctx_.greeting = render_template(ctx_.greeting, ctx_);
  ctx_.system_prompt = render_template(ctx_.system_prompt, ctx_);
  if (ctx_.call_flow && !ctx_.call_flow->steps.empty()) {
    flow_ = plan_flow(*ctx_.call_flow, script_);
    script_ = flow_->script;
    results_.assign(ctx_.call_flow->steps.size(), StepResult::not_reached);
  }
}

bool ScriptedBrain::skip_step(std::size_t step) {
  if (!flow_ || step >= results_.size()) return false;
  if (results_[step] == StepResult::skipped) return true;
  if (results_[step] != StepResult::not_reached) return false;  // already entered: its conditions were checked then
  if (!any_condition_matches(ctx_.call_flow->steps[step].skip_conditions, ctx_, heard_)) return false;
  results_[step] = StepResult::skipped;
  return true;
}

void ScriptedBrain::enter_step(std::size_t step) {
  if (step == step_) return;
  step_ = step;
  step_answers_ = 0;
  if (step < results_.size() && results_[step] == StepResult::not_reached) results_[step] = StepResult::reached;
}

const SuccessCriteria* ScriptedBrain::held_criteria() const {
  if (!flow_ || step_ >= results_.size() || results_[step_] != StepResult::reached) return nullptr;
  if (ask_ != Ask::opening && ask_ != Ask::discovery && ask_ != Ask::value && ask_ != Ask::closing) return nullptr;
  const auto& sc = ctx_.call_flow->steps[step_].success;
  return sc && sc->typed ? &*sc : nullptr;
}

void ScriptedBrain::hold_step(Turn& t, bool unclear) {
  const std::string& fallback = ctx_.call_flow->steps[step_].fallback_script;
  const Ask what = ask_;
  const Phase phase = phase_;
  if (step_answers_ >= 2 && !blank(fallback) && substitute(fallback, ctx_) != question_) {
    ask(t, fallback, what, phase);
    return;
  }
  say(t, unclear ? "Sorry, I didn't catch that." : "Just to be sure.");
  const std::string q = repeat_.empty() ? question_tail(question_) : repeat_;
  ask(t, q, what, phase);
}

void ScriptedBrain::ask_closing(Turn& t) {
  if (flow_ && skip_step(flow_->closing_step)) {
    end(t, script_.goodbye.general, Outcome::follow_up_needed);
    return;
  }
  if (flow_) enter_step(flow_->closing_step);
  ask(t, script_.closing, Ask::closing, Phase::closing);
}

std::string ScriptedBrain::phase() const {
  if (flow_) {
    switch (phase_) {
      case Phase::opening: return flow_->opening_phase;
      case Phase::discovery:
        if (discovery_index_ > 0 && discovery_index_ <= flow_->discovery_phases.size())
          return flow_->discovery_phases[discovery_index_ - 1];
        break;
      case Phase::value_proposition: return flow_->value_phase;
      case Phase::objection: return flow_->objection_phase;
      case Phase::closing: return flow_->closing_phase;
      default: break;
    }
  }
  switch (phase_) {
    case Phase::opening: return "opening";
    case Phase::discovery: return "discovery";
    case Phase::value_proposition: return "value_proposition";
    case Phase::objection: return "objection";
    case Phase::closing: return "closing";
    case Phase::call_back: return "call_back";
    case Phase::goodbye: return "goodbye";
  }
  return "";
}

void ScriptedBrain::say(Turn& t, std::string_view text) const { t.lines.push_back(substitute(text, ctx_)); }

void ScriptedBrain::ask(Turn& t, std::string_view text, Ask what, Phase phase) {
  std::string q = substitute(text, ctx_);
  if (q != question_ || what != ask_) reasks_ = 0;
  t.lines.push_back(q);
  t.question = q;
  ask_ = what;
  phase_ = phase;
}

void ScriptedBrain::end(Turn& t, std::string_view text, Outcome outcome) {
  say(t, text);
  outcome_ = outcome;
  t.reply.outcome = outcome;
  t.reply.end_call = true;
  ended_ = true;
  phase_ = Phase::goodbye;
  ask_ = Ask::none;
  t.question.clear();
  question_.clear();
}

Result<Reply> ScriptedBrain::emit(Turn t, const TextSink& sink, const std::stop_token& stop) {
  std::vector<std::string> all;
  for (const auto& line : t.lines)
    for (auto& s : sentences(line)) all.push_back(std::move(s));
  std::size_t sent = 0;
  for (const auto& s : all) {
    if (stop.stop_requested()) break;
    ++sent;
    if (sink && !sink(s)) break;
  }
  Reply r = std::move(t.reply);
  r.text = join(std::vector<std::string>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(sent)));
  r.phase = phase();
  last_text_ = join(all);
  if (!t.question.empty()) question_ = t.question;
  repeat_.clear();
  if (!t.question.empty() && sent < all.size()) {
    // The question is the tail of the reply: repeat what of it was not sent.
    const auto q = sentences(t.question);
    const std::size_t q_start = all.size() - std::min(all.size(), q.size());
    const std::size_t unheard_from = std::max(q_start, sent);
    repeat_ = join(all, unheard_from);
  }
  return r;
}

void ScriptedBrain::interrupted(std::string_view spoken) {
  if (ended_ || question_.empty()) return;
  const std::size_t q_pos = last_text_.rfind(question_);
  if (q_pos == std::string::npos) return;  // the cut reply asked no question
  const auto q = sentences(question_);
  std::size_t pos = q_pos;
  for (std::size_t i = 0; i < q.size(); ++i) {
    pos = last_text_.find(q[i], pos);
    // A sentence counts as heard when all but its final punctuation was spoken.
    if (pos == std::string::npos || spoken.size() + 1 < pos + q[i].size()) {
      repeat_ = join(q, i);
      return;
    }
    pos += q[i].size();
  }
  repeat_.clear();
}

void ScriptedBrain::next_step(Turn& t, std::string_view ack) {
  const bool early = ask_ == Ask::none || ask_ == Ask::opening || ask_ == Ask::discovery;
  if (!ack.empty()) say(t, ack);
  if (early) {
    const auto step_of = [this](std::size_t i) {
      return flow_ && i < flow_->discovery_steps.size() ? flow_->discovery_steps[i] : FlowPlan::npos;
    };
    while (discovery_index_ < script_.discovery.size() && skip_step(step_of(discovery_index_))) ++discovery_index_;
    if (discovery_index_ < script_.discovery.size()) {
      if (flow_) enter_step(step_of(discovery_index_));
      ask(t, script_.discovery[discovery_index_++], Ask::discovery, Phase::discovery);
      return;
    }
    if (!value_said_) {
      value_said_ = true;
      if (!flow_ || !skip_step(flow_->value_step)) {
        if (flow_) enter_step(flow_->value_step);
        ask(t, script_.value_proposition, Ask::value, Phase::value_proposition);
        return;
      }
    }
  }
  ask_closing(t);
}

void ScriptedBrain::not_interested(Turn& t) {
  if (retried_ || ask_ == Ask::retry) {
    end(t, script_.goodbye.not_interested, Outcome::not_interested);
    return;
  }
  retried_ = true;
  say(t, "I understand.");
  if (!value_said_ && !(flow_ && skip_step(flow_->value_step))) {
    value_said_ = true;
    say(t, "Before you go, just one thing.");
    ask(t, script_.value_proposition, Ask::retry, Phase::value_proposition);
  } else {
    ask(t, "Just so you know, there's no cost and no obligation, and it only takes a few minutes. "
           "Would you be open to a quick look?",
        Ask::retry, Phase::value_proposition);
  }
}

void ScriptedBrain::objection(Turn& t, Objection o) {
  if (answered_.insert(o).second) {
    auto it = script_.objections.find(o);
    const ScriptTemplate fallback = builtin_template("custom");
    const std::string& text = it != script_.objections.end() ? it->second : fallback.objections.at(o);
    ask(t, text, Ask::objection, Phase::objection);
    return;
  }
  switch (o) {
    case Objection::send_info:
      end(t, "Of course, I'll have the details sent over to you. " + script_.goodbye.general, Outcome::follow_up_needed);
      return;
    case Objection::no_time:
      callback(t, std::nullopt);
      return;
    default:
      end(t, script_.goodbye.not_interested, Outcome::not_interested);
      return;
  }
}

void ScriptedBrain::answer_question(Turn& t, const IntentResult& ir) {
  if (ir.topic == "purpose" && !value_said_ && !(flow_ && skip_step(flow_->value_step))) {
    value_said_ = true;
    if (flow_) enter_step(flow_->value_step);
    say(t, "I'm calling about {purpose}.");
    ask(t, script_.value_proposition, Ask::value, Phase::value_proposition);
    return;
  }
  if (ir.topic == "identity") say(t, "This is {agent_name} from {company}.");
  else if (ir.topic == "purpose") say(t, "I'm calling about {purpose}.");
  else if (ir.topic == "price")
    say(t, "Pricing depends on your situation, and our team will walk you through it with no obligation.");
  else if (ir.topic == "number_source")
    say(t, "Your number was on a contact list we were given. If you'd rather not be called, just say so and I'll "
           "remove it.");
  else if (ir.topic == "robot") say(t, "I'm an automated assistant calling on behalf of {company}.");
  else say(t, "That's a good question, and I'll make sure our team covers it with you.");
  if (ask_ != Ask::none && !question_.empty()) {
    const std::string q = repeat_.empty() ? question_tail(question_) : repeat_;
    const Ask what = ask_;
    const int reasks = reasks_;
    ask(t, q, what, phase_);
    reasks_ = reasks;
  } else {
    next_step(t, "");
  }
}

void ScriptedBrain::callback(Turn& t, const std::optional<std::chrono::system_clock::time_point>& at) {
  if (at) {
    callback_at_ = at;
    t.reply.callback_at = at;
    end(t, "No problem, I'll call you back " + describe_time(*at, ctx_.now, ctx_.time_zone) + ". " +
               script_.goodbye.call_back,
        Outcome::call_back_later);
  } else if (!asked_callback_time_) {
    asked_callback_time_ = true;
    ask(t, "Of course. When would be a better time to call you back?", Ask::callback_time, Phase::call_back);
  } else {
    end(t, "No problem, I'll try you again another time. " + script_.goodbye.general, Outcome::call_back_later);
  }
}

void ScriptedBrain::schedule_demo(Turn& t, const std::optional<std::chrono::system_clock::time_point>& at) {
  if (at) {
    callback_at_ = at;
    t.reply.callback_at = at;
    end(t, "Perfect, I've booked you in " + describe_time(*at, ctx_.now, ctx_.time_zone) +
               ", and you'll get a confirmation shortly. " + script_.goodbye.demo_scheduled,
        Outcome::demo_scheduled);
  } else {
    end(t, "Great, our team will reach out to confirm a time that suits you. " + script_.goodbye.demo_scheduled,
        Outcome::demo_scheduled);
  }
}

void ScriptedBrain::reask_or_move_on(Turn& t) {
  if (reasks_ == 0 && !question_.empty()) {
    say(t, "Sorry, I didn't catch that.");
    const std::string q = question_tail(question_);
    ask(t, q, ask_, phase_);
    reasks_ = 1;
    return;
  }
  switch (ask_) {
    case Ask::closing:
      end(t, "I'll have someone from our team follow up with you. " + script_.goodbye.general,
          Outcome::follow_up_needed);
      return;
    case Ask::demo_time: schedule_demo(t, std::nullopt); return;
    case Ask::callback_time: callback(t, std::nullopt); return;
    default: next_step(t, "No problem."); return;
  }
}

std::string ScriptedBrain::coached_line(std::string_view whisper) {
  // Quoted parts: ASCII double quotes, or typographic “ ” (UTF-8).
  static constexpr std::string_view kOpen = "\xE2\x80\x9C", kClose = "\xE2\x80\x9D";
  std::string quoted;
  bool any_quote = false;
  for (std::size_t i = 0; i < whisper.size();) {
    std::string_view close;
    std::size_t body = 0;
    if (whisper[i] == '"') {
      close = "\"";
      body = i + 1;
    } else if (whisper.substr(i, kOpen.size()) == kOpen) {
      close = kClose;
      body = i + kOpen.size();
    } else {
      ++i;
      continue;
    }
    const std::size_t end = whisper.find(close, body);
    if (end == std::string_view::npos) break;  // an unclosed quote: not a quotation
    any_quote = true;
    const std::string part(trim(whisper.substr(body, end - body)));
    if (!part.empty()) quoted += (quoted.empty() ? "" : " ") + part;
    i = end + close.size();
  }
  std::string line = any_quote ? quoted : std::string(trim(whisper));
  if (!line.empty() && !line.ends_with(".") && !line.ends_with("!") && !line.ends_with("?")) line += ".";
  return line;
}

void ScriptedBrain::coach(std::string_view whisper) {
  if (std::string line = coached_line(whisper); !line.empty()) coached_.push_back(std::move(line));
}

std::string ScriptedBrain::closing_line() const { return substitute(script_.goodbye.general, ctx_); }

void ScriptedBrain::say_coached(Turn& t) {
  for (auto& line : coached_) t.lines.push_back(std::move(line));
  coached_.clear();
}

Result<Reply> ScriptedBrain::greet(const TextSink& sink, std::stop_token stop) {
  Turn t;
  say_coached(t);
  std::string opening = ctx_.greeting.empty() ? script_.opening : ctx_.greeting;
  // What the last call left behind (memories, issue 4 §5): a callback the contact asked for is acknowledged.
  for (const auto& m : ctx_.memories)
    if (m.starts_with("Callback requested")) {
      opening = "Hi {contact_name}, this is {agent_name} from {company}, calling you back as you asked. "
                "Do you have a quick minute now?";
      break;
    }
  if (flow_ && skip_step(flow_->opening_step)) {
    // The opening step is skipped (the agent's greeting with it): introduce the call and go on to the next step.
    say(t, "Hi {contact_name}, this is {agent_name} from {company}.");
    next_step(t, "");
    return emit(std::move(t), sink, stop);
  }
  if (flow_) enter_step(flow_->opening_step);
  ask(t, opening, Ask::opening, Phase::opening);
  return emit(std::move(t), sink, stop);
}

Result<Reply> ScriptedBrain::respond(std::string_view caller_text, const TextSink& sink, std::stop_token stop) {
  Turn t;
  say_coached(t);
  ++turns_;
  if (ended_) {
    say(t, "Goodbye!");
    t.reply.end_call = true;
    t.reply.outcome = outcome_;
    return emit(std::move(t), sink, stop);
  }
  if (blank(caller_text)) {
    const SuccessCriteria* sc = held_criteria();
    if (sc && ++step_answers_ >= sc->max_turns) results_[step_] = StepResult::not_met;
    if (++silences_ == 1) {
      say(t, "Hello, are you still there?");
      if (sc && results_[step_] == StepResult::not_met) {
        next_step(t, "");
      } else if (!question_.empty()) {
        const std::string q = repeat_.empty() ? question_tail(question_) : repeat_;
        const int reasks = reasks_;
        ask(t, q, ask_, phase_);
        reasks_ = reasks;
      }
    } else if (caller_spoke_) {
      end(t, "It sounds like this isn't a good time. I'll try you again another time. Goodbye!",
          Outcome::follow_up_needed);
    } else {
      end(t, "I'll try you again another time. Goodbye!", Outcome::no_answer);
    }
    return emit(std::move(t), sink, stop);
  }
  silences_ = 0;
  const IntentResult ir = detect_intent(caller_text);
  t.reply.intent = std::string(intent_name(ir.intent));
  heard_.insert(ir.intent);
  // The pending step's success criterion: this answer may meet it.
  const SuccessCriteria* criteria = held_criteria();
  if (criteria && criteria->met_by(ir.intent, ++step_answers_)) {
    results_[step_] = StepResult::met;
    criteria = nullptr;
  }
  const std::optional<TimePhrase> when = parse_time_phrase(caller_text, ctx_.now, ctx_.time_zone);
  const std::optional<std::chrono::system_clock::time_point> at =
      when ? std::optional(when->at) : std::nullopt;
  const bool first_words = !caller_spoke_;
  caller_spoke_ = true;
  const bool repeat_pending = !repeat_.empty();

  switch (ir.intent) {
    case Intent::voicemail_greeting:
      if (first_words || ir.confidence > kVoicemailMidCall) {
        end(t, script_.voicemail, Outcome::voicemail);
        return emit(std::move(t), sink, stop);
      }
      break;
    case Intent::stop_calling:
      do_not_call_ = true;
      t.reply.do_not_call = true;
      end(t, script_.goodbye.do_not_call, Outcome::not_interested);
      return emit(std::move(t), sink, stop);
    case Intent::wrong_number:
      end(t, script_.goodbye.wrong_number, Outcome::wrong_number);
      return emit(std::move(t), sink, stop);
    case Intent::asks_for_human: {
      std::string target;
      if (ctx_.variables.is_object() && ctx_.variables.contains("transfer_to") && ctx_.variables["transfer_to"].is_string())
        target = ctx_.variables["transfer_to"].get<std::string>();
      if (!target.empty()) {
        say(t, "Of course. I'll transfer you to a colleague now, one moment please.");
        t.reply.transfer_to = target;
        t.reply.outcome = outcome_ = Outcome::transferred;
        ended_ = true;
        phase_ = Phase::goodbye;
        ask_ = Ask::none;
        question_.clear();
      } else {
        end(t, "I'm not able to transfer you right now, but I'll have a colleague call you back personally. " +
                   script_.goodbye.general,
            Outcome::follow_up_needed);
      }
      return emit(std::move(t), sink, stop);
    }
    default: break;
  }

  // A time given when one was asked for.
  const bool refusal = ir.intent == Intent::no || ir.intent == Intent::not_interested ||
                       ir.intent == Intent::call_back_later || ir.intent == Intent::objection;
  if (at && !repeat_pending && !refusal && (ask_ == Ask::closing || ask_ == Ask::demo_time)) {
    schedule_demo(t, at);
    return emit(std::move(t), sink, stop);
  }
  if (at && !repeat_pending && ask_ == Ask::callback_time && ir.intent != Intent::no &&
      ir.intent != Intent::not_interested) {
    callback(t, at);
    return emit(std::move(t), sink, stop);
  }

  switch (ir.intent) {
    case Intent::call_back_later: callback(t, at); return emit(std::move(t), sink, stop);
    case Intent::not_interested: not_interested(t); return emit(std::move(t), sink, stop);
    case Intent::objection: objection(t, ir.objection); return emit(std::move(t), sink, stop);
    case Intent::question: answer_question(t, ir); return emit(std::move(t), sink, stop);
    default: break;
  }

  if (repeat_pending) {
    // The caller answered a question they never heard: ask it again.
    say(t, "Sorry about that.");
    const std::string q = repeat_;
    const int reasks = reasks_;
    ask(t, q, ask_, phase_);
    reasks_ = reasks;
    return emit(std::move(t), sink, stop);
  }

  const Intent i = ir.intent;
  const bool unclear = i == Intent::unclear;
  if (criteria) {
    if (step_answers_ < criteria->max_turns) {
      hold_step(t, unclear);
      return emit(std::move(t), sink, stop);
    }
    results_[step_] = StepResult::not_met;
    reasks_ = 1;  // moves on now: no further re-ask of an unclear answer
  }
  switch (ask_) {
    case Ask::none:
    case Ask::opening:
      if (i == Intent::no) callback(t, std::nullopt);
      else if (unclear) reask_or_move_on(t);
      else next_step(t, i == Intent::yes ? "Great." : "");
      break;
    case Ask::discovery:
      if (unclear) reask_or_move_on(t);
      else next_step(t, i == Intent::yes ? "Great." : i == Intent::no ? "Okay." : discovery_index_ % 2 ? "Got it." : "Thanks, that's helpful.");
      break;
    case Ask::value:
    case Ask::objection:
    case Ask::retry:
      if (i == Intent::no) not_interested(t);
      else if (unclear) reask_or_move_on(t);
      else {
        say(t, "Great.");
        ask_closing(t);
      }
      break;
    case Ask::closing:
      if (i == Intent::no) not_interested(t);
      else if (unclear || i == Intent::greeting) reask_or_move_on(t);
      else ask(t, "Great! What day and time should I put you down for?", Ask::demo_time, Phase::closing);
      break;
    case Ask::demo_time:
      if (i == Intent::no)
        end(t, "No problem. Our team will reach out to find a time that suits you. " + script_.goodbye.general,
            Outcome::follow_up_needed);
      else if (unclear) reask_or_move_on(t);
      else schedule_demo(t, std::nullopt);
      break;
    case Ask::callback_time:
      if (unclear && reasks_ == 0) reask_or_move_on(t);
      else callback(t, std::nullopt);
      break;
  }
  return emit(std::move(t), sink, stop);
}

Result<CallResult> ScriptedBrain::finish(std::span<const model::TranscriptLine> transcript, std::stop_token) {
  CallFacts facts;
  facts.outcome = outcome_;
  facts.callback_at = callback_at_;
  facts.do_not_call = do_not_call_;
  facts.time_zone = ctx_.time_zone;
  facts.now = ctx_.now;
  facts.contact_name = ctx_.contact_name;
  const bool caller_in_transcript = std::any_of(transcript.begin(), transcript.end(), [](const model::TranscriptLine& e) {
    return e.speaker != "agent" && !blank(e.text);
  });
  if (!facts.outcome && caller_spoke_ && !caller_in_transcript) facts.outcome = Outcome::follow_up_needed;
  CallResult result = summarize_call(transcript, facts);
  if (flow_) {
    const auto& steps = ctx_.call_flow->steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      StepResult r = results_[i];
      const bool typed = steps[i].success && steps[i].success->typed;
      if (r == StepResult::reached && typed) r = StepResult::not_met;  // the call left it undecided
      if (r == StepResult::not_reached && step_kind(steps[i].phase) == StepKind::objection && !answered_.empty())
        r = StepResult::reached;
      result.flow_steps.push_back({steps[i].phase, std::string(to_string(r))});
    }
  }
  return result;
}

}  // namespace voqo::brain
