#pragma once
/// Embedded call intelligence for live monitoring (issue 5 §3): call-flow
/// phases, objectives, next actions, sentiment, performance metrics and
/// coaching, recomputed from the final transcript, the brain's turns and the
/// audio levels. Every formula, threshold and rule, with its rationale and
/// source, is in docs/INTELLIGENCE.md; the comments below summarise.
///
/// Inputs, in call order: on_transcript() for each final line, on_agent_turn()
/// after each brain turn, on_levels() every 200 ms; update() after each final
/// line and at least every 5 s; finish() once at call end. Times are ms since
/// the answer of the call. The phase clock is the latest time seen (a line's
/// end_ms or an update's now_ms): on_agent_turn() has no time of its own.
///
/// Caller lines are classified with brain::detect_intent() (intent.hpp) and
/// analysed with analyse_sentiment() (AFINN-165, sentiment.hpp). A non-empty
/// intent passed to on_agent_turn() is the brain's reading of the caller line
/// it answered and replaces the local one for that line. Speakers "caller",
/// "customer" and "user" are the caller; every other speaker ("agent", a
/// supervisor who joined) is the agent side.
///
/// Deterministic: the same inputs give the same Insights; no threads, no I/O,
/// no clock reads. Thread-compatible (one instance per call, one thread at a time).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "intel/sentiment.hpp"
#include "model/transcript_line.hpp"

namespace voqo::intel {

/// The call flow an agent follows.
struct IntelConfig {
  std::vector<std::string> phases;  ///< the agent's call-flow steps in order, e.g. {"opening","discovery","value_proposition","objection","closing"}; empty = that default (the scripted brain's flow)
  std::string purpose;              ///< agents.purpose (sales | support | appointment | technical | custom)
};

/// call_phases.status
enum class PhaseStatus { pending, active, completed, skipped };
/// call_objectives.status
enum class ObjectiveStatus { pending, in_progress, completed, failed };
/// next_actions.type
enum class ActionType { immediate, next, follow_up };
/// coaching_recommendations.type
enum class CoachingType { positive, warning, suggestion };
/// sentiment_analysis.trend
enum class Trend { improving, stable, declining };
enum class VoiceEnergy { low, medium, high };
enum class ResponseQuality { poor, fair, good, excellent };
enum class InterestSignals { weak, moderate, strong };

/// The specification's spellings: "pending" | "active" | "completed" | "skipped".
std::string_view to_string(PhaseStatus s);
/// "pending" | "in_progress" | "completed" | "failed".
std::string_view to_string(ObjectiveStatus s);
/// "immediate" | "next" | "follow-up".
std::string_view to_string(ActionType t);
/// "positive" | "warning" | "suggestion".
std::string_view to_string(CoachingType t);
/// "improving" | "stable" | "declining".
std::string_view to_string(Trend t);
/// "LOW" | "MEDIUM" | "HIGH".
std::string_view to_string(VoiceEnergy e);
/// "POOR" | "FAIR" | "GOOD" | "EXCELLENT".
std::string_view to_string(ResponseQuality q);
/// "WEAK" | "MODERATE" | "STRONG".
std::string_view to_string(InterestSignals s);

/// One call-flow step (call_phases). Steps the brain reports that are not in
/// IntelConfig::phases ("goodbye", "call_back") are appended in order of
/// first appearance with planned = false.
struct PhaseInsight {
  std::string name;
  PhaseStatus status = PhaseStatus::pending;
  std::optional<int64_t> start_ms;  ///< first entry, ms in call
  std::optional<int64_t> end_ms;    ///< last exit (none while active)
  int duration_s = 0;               ///< time spent in the step over all visits, rounded seconds
  int quality = 0;                  ///< 0–100: mean of caller sentiment and turn balance in the step; 0 without speech
  bool planned = true;              ///< in IntelConfig::phases
};

/// One call objective (call_objectives), one per planned step.
struct Objective {
  std::string key;    ///< stable: confirm_contact, discover_needs, present_value, handle_objections, book_meeting, ... or the step name
  std::string title;  ///< by purpose, e.g. "Book a demo or meeting"
  ObjectiveStatus status = ObjectiveStatus::pending;
  std::string phase;  ///< the step it belongs to
};

/// A recommended next action (next_actions).
struct NextAction {
  ActionType type = ActionType::next;
  std::string action;
  std::string reason;
  int priority = 5;  ///< 1–10, 10 most urgent
};

/// A coaching recommendation (coaching_recommendations). `key` is stable: the
/// same rule updates its row (description, is_active) instead of adding one.
struct Coaching {
  std::string key;  ///< talk_share, monologue, objection_unanswered, question_ignored, sentiment_declining, ...
  CoachingType type = CoachingType::suggestion;
  std::string title;
  std::string description;
  int priority = 5;  ///< 1–10
  bool is_active = true;
};

/// A caller line remembered as the latest positive or negative moment.
struct SentimentMoment {
  std::string text;
  int64_t at_ms = 0;  ///< the line's start, ms in call
};

/// The caller's sentiment over the call (sentiment_analysis).
struct SentimentSummary {
  int positive = 0;  ///< percent of caller lines labelled positive
  int neutral = 100; ///< ... neutral (100 before the caller speaks); the three sum to 100
  int negative = 0;
  double overall = 0;  ///< mean caller line score, −1..1
  Trend trend = Trend::stable;
  std::optional<SentimentMoment> last_positive;
  std::optional<SentimentMoment> last_negative;
  double recent_mean = 0;    ///< mean score of the last k caller lines (trend; not in the JSON)
  double previous_mean = 0;  ///< mean score of the k lines before them (not in the JSON)
};

/// live_performance_metrics.
struct Metrics {
  int script_adherence = 0;      ///< 0–100: share of the call-flow steps up to the furthest reached that were covered
  int agent_confidence = 0;      ///< 0–100: from hedging words and barge-ins
  int conversation_quality = 0;  ///< 0–100: mean of turn balance, caller sentiment and responsiveness
  int prospect_engagement = 0;   ///< 0–100: caller talk ratio and question rate
  VoiceEnergy voice_energy = VoiceEnergy::low;
  ResponseQuality response_quality = ResponseQuality::fair;
  double question_frequency = 0;  ///< caller questions per minute (over max(call time, 1 min)), 2 decimals
  InterestSignals interest_signals = InterestSignals::weak;
  int conversion_probability = 0;          ///< 0–100
  int demo_acceptance_probability = 0;     ///< 0–100
  int immediate_close_probability = 0;    ///< 0–100
  int interest_score = 0;                  ///< the signal sum behind the three (not in the JSON)
  double agent_talk_share = 0;             ///< agent talk time / all talk time, 0..1 (not in the JSON)
};

/// The caller's objections over the call (issue 18 §8's objection-handling
/// success, docs/ANALYTICS.md). An objection is a caller line classified as
/// one (§2 of docs/INTELLIGENCE.md: detect_intent(), or the brain's intent
/// "objection"); it is answered once an agent line after it addressed it (the
/// same judgement as objection_unanswered's: an objection first judged
/// ignored and addressed by a later agent line counts as answered). Not in
/// the JSON (the live tables have no place for it): the live monitor passes
/// it to the archive (LiveStore::finish's "objections").
struct ObjectionCounts {
  int raised = 0;    ///< caller objection lines
  int answered = 0;  ///< of them, addressed by a later agent line (0 ≤ answered ≤ raised)
};

/// Everything the live tables show, camelCase JSON via to_json().
struct Insights {
  int64_t at_ms = 0;          ///< the now_ms it was computed for
  bool finished = false;      ///< computed by finish()
  std::string current_phase;  ///< the active step ("" when none)
  std::vector<PhaseInsight> phases;
  std::vector<Objective> objectives;
  std::vector<NextAction> next_actions;  ///< immediate first, then next, then follow-up; by priority within each
  std::vector<Coaching> coaching;        ///< every recommendation raised so far, in order of first raise
  SentimentSummary sentiment;
  Metrics metrics;
  ObjectionCounts objections;  ///< not in the JSON
};

/// {"phases":[{name,status,startTime,endTime,duration,quality}],
///  "objectives":[{key,title,status}],
///  "nextActions":[{type,action,reason,priority}],
///  "coaching":[{key,type,title,description,priority,isActive}],
///  "sentiment":{positive,neutral,negative,overall,trend,lastPositive:{text,at}|null,lastNegative},
///  "metrics":{scriptAdherence,agentConfidence,conversationQuality,prospectEngagement,voiceEnergy,
///             responseQuality,questionFrequency,interestSignals,conversionProbability,
///             demoAcceptanceProbability,immediateCloseProbability}}
/// (times in ms in call, duration in s).
nlohmann::json to_json(const Insights& insights);

/// The call intelligence of one call.
class CallIntelligence {
 public:
  explicit CallIntelligence(IntelConfig config);

  /// A final transcript line (model::TranscriptLine: speaker "agent"|"caller",
  /// text, start_ms, end_ms, confidence, interrupted). Returns that line's
  /// sentiment. A blank line is ignored (neutral, 0 hits). The first line
  /// activates the first step when the brain has not reported one yet.
  Sentiment on_transcript(const model::TranscriptLine& line);

  /// The brain finished a turn: its phase after the turn and the caller intent
  /// it detected (brain/intent.hpp intent_name(): "yes","no","objection",
  /// "not_interested","call_back_later","question",... or ""). A new phase
  /// completes the active step, skips pending steps before the new one and
  /// activates it; "" keeps the phase.
  void on_agent_turn(std::string_view phase, std::string_view intent);

  /// Audio levels 0–100 (pipeline::meter_percent(), every 200 ms); the last
  /// 30 s of agent levels make the voice energy.
  void on_levels(int agent_gain, int customer_gain);

  /// Recomputes at call time now_ms (ms since answer). Called after each final
  /// line and at least every 5 s.
  Insights update(int64_t now_ms);

  /// At call end: the active step completed, pending planned steps skipped,
  /// open objectives settled, only follow-up actions kept, every coaching
  /// recommendation is_active = false. Later update() calls return the same
  /// finished state (at their now_ms).
  Insights finish(int64_t now_ms);

 private:
  struct Line {
    bool agent = false;
    std::string text;
    int64_t start_ms = 0, end_ms = 0;
    bool interrupted = false;
    Sentiment sentiment;
    std::string intent;         ///< effective: the brain's when given, else detect_intent()'s
    bool brain_intent = false;  ///< `intent` came from on_agent_turn()
    std::string objection;      ///< category ("price", ...; "" generic) when the line is an objection
    bool is_objection = false;
    bool is_question = false;
    std::string topic;          ///< question topic (intent.hpp)
    int phase = -1;             ///< index of the step active when the line arrived
    int words = 0;
    int hedges = 0;
    std::vector<std::string> stems;  ///< content-word stems
  };
  /// A caller question or objection waiting for, or judged by, the agent's reply.
  struct Ask {
    std::size_t line = 0;
    bool objection = false;
    enum class State { waiting, answered, ignored } state = State::waiting;
    std::optional<std::size_t> answered_by;  ///< the agent line that addressed it
  };

  struct AgentRun {
    int64_t start_ms = 0;
    int64_t ms = 0;  ///< from the run's first start to its last end
  };
  /// The most recent run of consecutive agent lines (no caller line between).
  AgentRun last_agent_run() const;
  /// Total talk time of all lines, ms.
  int64_t talk_ms() const;
  void enter_phase(std::string_view name, int64_t at_ms);
  int phase_index(std::string_view name) const;
  void judge_asks(std::size_t agent_line);
  void apply_caller_intent(Line& l, std::string_view intent, bool from_brain);
  Insights compute(int64_t now_ms);
  void compute_phases(Insights& out, int64_t now_ms) const;
  void compute_sentiment(Insights& out) const;
  void compute_metrics(Insights& out, int64_t now_ms) const;
  void compute_objectives(Insights& out) const;
  void compute_actions(Insights& out) const;
  void compute_coaching(Insights& out);
  bool demo_accepted() const;
  bool objection_raised() const;
  std::optional<std::size_t> latest_ask(bool objection) const;
  std::optional<std::size_t> reaction_after(std::size_t agent_line) const;
  std::string objective_title(std::string_view phase) const;

  struct PhaseState {
    PhaseInsight info;
    int64_t entered_ms = 0;
    int64_t accumulated_ms = 0;
  };
  IntelConfig config_;
  std::vector<PhaseState> phases_;
  std::size_t planned_ = 0;
  int active_ = -1;
  int64_t clock_ms_ = 0;
  std::vector<Line> lines_;
  std::vector<Ask> asks_;
  std::optional<std::size_t> last_turn_caller_line_;  ///< caller line the next on_agent_turn() intent applies to
  std::array<int, 150> agent_levels_{};  ///< ring of the last 30 s of agent levels
  std::size_t level_count_ = 0;
  std::vector<Coaching> coaching_;
  bool finished_ = false;
};

}  // namespace voqo::intel
