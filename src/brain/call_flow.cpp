#include "brain/call_flow.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include "core/log.hpp"

namespace voqo::brain {
namespace {

std::string key_of(std::string_view s) {
  std::string k;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

std::string_view spoken_objection(Objection o) {
  switch (o) {
    case Objection::price: return "price";
    case Objection::competitor: return "competitor";
    case Objection::no_time: return "no time";
    case Objection::send_info: return "send me information";
    default: return "other";
  }
}

/// Logs an unreadable stored condition once per process (the same step and error).
void warn_once(const std::string& phase, const Error& e) {
  static std::mutex mutex;
  static std::set<std::string> seen;
  const std::string key = phase + "\n" + std::string(e.field()) + "\n" + e.message;
  {
    std::lock_guard lock(mutex);
    if (seen.size() > 1000 || !seen.insert(key).second) return;
  }
  spdlog::warn("call flow step '{}': ignoring an unreadable condition ({}: {})", phase, e.field(), e.message);
}

}  // namespace

std::string_view to_string(StepResult r) {
  switch (r) {
    case StepResult::not_reached: return "not_reached";
    case StepResult::reached: return "reached";
    case StepResult::met: return "met";
    case StepResult::not_met: return "not_met";
    case StepResult::skipped: return "skipped";
  }
  return "not_reached";
}

std::vector<std::string> CallFlow::template_ids() const {
  std::vector<std::string> ids;
  for (const auto& s : steps)
    if (!s.template_id.empty() && std::find(ids.begin(), ids.end(), s.template_id) == ids.end()) ids.push_back(s.template_id);
  return ids;
}

StepKind step_kind(std::string_view phase) {
  const std::string k = key_of(phase);
  if (k == "opening" || k == "greeting" || k == "introduction") return StepKind::opening;
  if (k == "discovery" || k == "qualification") return StepKind::discovery;
  if (k == "valueproposition" || k == "presentation" || k == "pitch") return StepKind::value_proposition;
  if (k == "objectionhandling" || k == "objection" || k == "objections") return StepKind::objection;
  if (k == "closing" || k == "close") return StepKind::closing;
  return StepKind::question;
}

CallFlow call_flow_from_rows(const nlohmann::json& steps) {
  CallFlow flow;
  if (!steps.is_array()) return flow;
  for (const auto& row : steps) {
    if (!row.is_object()) continue;
    CallFlowStep s;
    s.phase = text_of(row, "phase");
    if (s.phase.empty()) continue;
    s.description = text_of(row, "description");
    if (auto it = row.find("targetDurationS"); it != row.end() && it->is_number_integer()) s.target_duration_s = it->get<int>();
    s.fallback_script = text_of(row, "fallbackScript");
    if (auto it = row.find("scriptTemplate"); it != row.end() && it->is_object()) {
      s.template_id = text_of(*it, "id");
      s.script = script_template_from_row(*it);
    }
    // Stored conditions are read leniently: one that does not parse is left out.
    if (auto it = row.find("skipConditions"); it != row.end() && !it->is_null()) {
      if (it->is_array()) {
        for (std::size_t i = 0; i < it->size(); ++i) {
          auto c = parse_skip_conditions((*it)[i].is_object() ? (*it)[i] : nlohmann::json(0),
                                         "skipConditions[" + std::to_string(i) + "]");
          if (c) s.skip_conditions.insert(s.skip_conditions.end(), c->begin(), c->end());
          else warn_once(s.phase, c.error());
        }
      } else if (auto c = parse_skip_conditions(*it); c) {
        s.skip_conditions = std::move(*c);
      } else {
        warn_once(s.phase, c.error());
      }
    }
    if (auto it = row.find("successCriteria"); it != row.end()) {
      if (auto c = parse_success_criteria(*it)) s.success = std::move(*c);
      else warn_once(s.phase, c.error());
    }
    flow.steps.push_back(std::move(s));
  }
  return flow;
}

FlowPlan plan_flow(const CallFlow& flow, const ScriptTemplate& base) {
  FlowPlan plan;
  plan.script = base;
  bool has_discovery = false;
  std::vector<std::string> questions;
  std::set<Objection> from_step;
  const auto part = [](const CallFlowStep& s, const std::string ScriptTemplate::*field) -> std::string {
    if (s.script && !blank((*s.script).*field)) return (*s.script).*field;
    return blank(s.fallback_script) ? std::string() : s.fallback_script;
  };
  std::vector<std::size_t> question_steps;
  for (std::size_t at = 0; at < flow.steps.size(); ++at) {
    const CallFlowStep& s = flow.steps[at];
    switch (step_kind(s.phase)) {
      case StepKind::opening:
        if (auto t = part(s, &ScriptTemplate::opening); !t.empty()) {
          plan.script.opening = t;
          plan.opening_phase = s.phase;
          plan.opening_step = at;
        }
        break;
      case StepKind::value_proposition:
        if (auto t = part(s, &ScriptTemplate::value_proposition); !t.empty()) {
          plan.script.value_proposition = t;
          plan.value_phase = s.phase;
          plan.value_step = at;
        }
        break;
      case StepKind::closing:
        if (auto t = part(s, &ScriptTemplate::closing); !t.empty()) {
          plan.script.closing = t;
          plan.closing_phase = s.phase;
          plan.closing_step = at;
        }
        break;
      case StepKind::objection:
        plan.objection_phase = s.phase;
        if (s.script)
          for (const auto& [cat, text] : s.script->objections)
            if (from_step.insert(cat).second) plan.script.objections[cat] = text;
        break;
      case StepKind::discovery:
      case StepKind::question: {
        const std::size_t before = questions.size();
        if (s.script)
          for (const auto& q : s.script->discovery) {
            questions.push_back(q);
            plan.discovery_phases.push_back(s.phase);
            question_steps.push_back(at);
          }
        if (questions.size() == before && !blank(s.fallback_script)) {
          questions.push_back(s.fallback_script);
          plan.discovery_phases.push_back(s.phase);
          question_steps.push_back(at);
        }
        has_discovery = has_discovery || questions.size() > before;
        break;
      }
    }
  }
  // Templates of the other steps answer the objections the objection step does not.
  for (const auto& s : flow.steps)
    if (s.script)
      for (const auto& [cat, text] : s.script->objections)
        if (!from_step.contains(cat)) {
          plan.script.objections[cat] = text;
          from_step.insert(cat);
        }
  if (has_discovery) {
    plan.script.discovery = std::move(questions);
    plan.discovery_steps = std::move(question_steps);
  } else {
    plan.discovery_phases.assign(plan.script.discovery.size(), "discovery");
    plan.discovery_steps.assign(plan.script.discovery.size(), FlowPlan::npos);
  }
  // Voicemail: the first step template that has one.
  for (const auto& s : flow.steps)
    if (s.script && !blank(s.script->voicemail)) {
      plan.script.voicemail = s.script->voicemail;
      break;
    }
  return plan;
}

std::string step_prompt(const CallFlowStep& step, const CallContext& ctx) {
  std::string s = "Current step: " + step.phase + ".\n";
  if (!blank(step.description)) s += "Goal of this step: " + step.description + "\n";
  if (step.target_duration_s > 0) s += "Aim to spend about " + std::to_string(step.target_duration_s) + " seconds on it.\n";
  if (step.script) {
    const ScriptTemplate& t = *step.script;
    s += "Script for this step (adapt the wording, keep the meaning):\n";
    const StepKind kind = step_kind(step.phase);
    const bool all = kind == StepKind::question;
    if (all || kind == StepKind::opening) s += "- Opening: " + substitute(t.opening, ctx) + "\n";
    if (all || kind == StepKind::discovery)
      for (const auto& q : t.discovery) s += "- Question: " + substitute(q, ctx) + "\n";
    if (all || kind == StepKind::value_proposition) s += "- Value proposition: " + substitute(t.value_proposition, ctx) + "\n";
    for (const auto& [cat, text] : t.objections)
      s += "- If they object (" + std::string(spoken_objection(cat)) + "): " + substitute(text, ctx) + "\n";
    for (const auto& [name, text] : t.other_objections) s += "- If they object (" + name + "): " + substitute(text, ctx) + "\n";
    if (all || kind == StepKind::closing) s += "- Closing: " + substitute(t.closing, ctx) + "\n";
  } else if (!blank(step.fallback_script)) {
    s += "Say: " + substitute(step.fallback_script, ctx) + "\n";
  }
  if (step.success && !blank(step.success->described()))
    s += "Done when: " + step.success->described() + ". Then move on to the next step.\n";
  return s;
}

void PhaseTimer::enter(const std::string& phase, Clock::time_point at) {
  if (phase.empty() || phase == current_) return;
  if (!current_.empty()) done_[current_] += std::max(0.0, std::chrono::duration<double>(at - since_).count());
  current_ = phase;
  since_ = at;
}

std::map<std::string, double> PhaseTimer::seconds(Clock::time_point end) const {
  auto out = done_;
  if (!current_.empty()) out[current_] += std::max(0.0, std::chrono::duration<double>(end - since_).count());
  return out;
}

}  // namespace voqo::brain
