#pragma once
/// The live-monitoring tables (issue 5; migration 4): what a supervisor sees of
/// a call in progress — transcript, audio levels, call intelligence (phases,
/// objectives, next actions, coaching, sentiment, metrics), the system's
/// configuration and cost, supervisor actions — and, when the call ends, its
/// summary in call_analytics. Rows are keyed by the call id (live_calls.call_id,
/// written by CallStore::live_begin); every child row is deleted with its
/// live_calls row (ON DELETE CASCADE) when LiveRetention purges a call that
/// ended more than the retention period ago.
///
/// JSON: camelCase of the columns (agentGain, isFinal, callTimeMs, ...);
/// booleans as true/false; JSON columns (details, analytics lists) parsed.
/// Errors: invalid_argument (Error::invalid naming the field, e.g.
/// "phases[1].status", when a value breaks a column's type or CHECK
/// constraint), not_found (no live_calls row for the call id), database.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "model/transcript_line.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// One live_transcripts row: a transcript line as it forms
/// (model::TranscriptLine: interim hypotheses of an utterance share
/// `entry_id` with the final line that replaces them; entry_id 1–200
/// characters, speaker agent | caller | supervisor, call times ≥ 0,
/// confidence 0–1) plus its sentiment.
struct LiveTranscriptRow {
  model::TranscriptLine line;
  std::string sentiment;  ///< positive | neutral | negative | "" (none yet)
};

/// The supervisor actions of the live-monitoring specification, in its spelling.
inline constexpr std::string_view kSupervisorActions[] = {"COACH_AGENT",   "JOIN_CALL", "TAKE_OVER",
                                                          "RELEASE",       "TRANSFER_CALL", "END_CALL",
                                                          "ADD_NOTE",      "BOOKMARK_MOMENT", "FLAG_FOR_REVIEW"};
/// The live_calls.status values (the specification's call states).
inline constexpr std::string_view kLiveCallStatuses[] = {"connecting", "ringing", "connected", "on-hold", "transferring"};

/// "m:ss" of a call time in ms (the specification's transcript timestamp;
/// minutes keep counting past 59: 75 min 3 s = "75:03"). Negative → "0:00".
std::string call_clock(int64_t ms);

class LiveStore {
 public:
  explicit LiveStore(Database& db) : db_(db) {}

  /// Inserts or replaces the line keyed by (call_id, entry_id); `order` (1, 2,
  /// ...) is assigned at the first insert and kept, so an interim line and its
  /// final share one row and one place. A final line is never replaced by a
  /// late interim one. `timestamp` = call_clock(start_ms). Returns the row:
  /// {id, callId, entryId, speaker, text, timestamp, startMs, endMs, sentiment
  /// (null when none), confidence, isFinal, interrupted, order, createdAt, updatedAt}.
  Result<nlohmann::json> upsert_transcript(const std::string& call_id, const LiveTranscriptRow& row);

  /// Audio meters (every 200 ms): agentGain and customerGain 0–100,
  /// currentSpeaker agent | caller | supervisor | "" (nobody → null),
  /// duration in s (≥ 0). Errors: not_found when the call is unknown or ended.
  Result<void> update_levels(const std::string& call_id, int agent_gain, int customer_gain,
                             const std::string& current_speaker, int duration_s);

  /// Replaces the call's intelligence in one transaction. Each key present
  /// replaces that part; a missing key leaves it as it was:
  ///   phases      [{name, status: pending|active|completed|skipped, startTime?: string,
  ///                 endTime?: string, duration?: s ≥ 0, quality?: 0–100}]
  ///   objectives  [{key (unique), title, status: pending|in_progress|completed|failed}]
  ///   nextActions [{type: immediate|next|follow-up, action, reason?, priority?: 1–10}]
  ///   coaching    [{key (unique), type: positive|warning|suggestion, title, description?,
  ///                 priority: 1–10, isActive?: bool (true)}]
  ///   sentiment   {positive, neutral, negative: % 0–100, overall: positive|neutral|negative,
  ///                trend: improving|stable|declining, lastPositive: {text, at}|null,
  ///                lastNegative: {text, at}|null} | null (removes it)
  ///   metrics     {scriptAdherence, agentConfidence, conversationQuality, prospectEngagement: 0–100,
  ///                voiceEnergy: LOW|MEDIUM|HIGH, responseQuality: POOR|FAIR|GOOD|EXCELLENT,
  ///                questionFrequency ≥ 0 (questions per minute), interestSignals: WEAK|MODERATE|STRONG,
  ///                conversionProbability, demoAcceptanceProbability, immediateCloseProbability: 0–100}
  ///                (every field optional) | null
  /// Unknown keys are rejected (Error::invalid naming e.g. "phases[0].foo").
  Result<void> save_insights(const std::string& call_id, const nlohmann::json& insights);

  /// Merges into the call's system configuration: {sipProvider, sipStatus,
  /// sttProvider, sttStatus, llmProvider, llmStatus, ttsProvider, ttsStatus
  /// (strings), apiLatencyMs ≥ 0 (integer), errorRate % 0–100, queueDepth ≥ 0
  /// (integer), costPerMinute ≥ 0, totalCost ≥ 0}; keys absent keep their value.
  Result<void> save_system_config(const std::string& call_id, const nlohmann::json& config);

  /// Appends a supervisor action (action ∈ kSupervisorActions, details a JSON
  /// object, supervisor id and name 1–200 characters, call time ≥ 0 ms) with
  /// the next `order` and timestamp = now (ISO-8601 UTC). Returns {id, callId,
  /// action, details, supervisorId, supervisorName, timestamp, callTimeMs, order}.
  Result<nlohmann::json> record_supervisor_action(const WorkspaceId& ws, const std::string& call_id,
                                                  const std::string& action,
                                                  const nlohmann::json& details, const std::string& supervisor_id,
                                                  const std::string& supervisor_name, int64_t call_time_ms);

  /// The call ended (issue 5 §5), in one transaction: coaching
  /// recommendations become inactive; the call_analytics record is written
  /// (replaced when finish runs again) from the live data: talk times and
  /// entries of the final transcript, final phase, objectives completed of
  /// total, overall sentiment, script adherence and conversion probability,
  /// the phases/objectives/nextActions/coaching/sentiment/metrics/
  /// systemConfig/supervisorActions as they were, and `analytics` (any JSON
  /// object the caller adds, e.g. outcome) as `details`; live_calls.ended_at is
  /// set if not already (CallStore::live_end may have set it). In the same
  /// transaction the call's intelligence figures go to its calls row, its
  /// metrics by period and its recent-calls row
  /// (AnalyticsRepository::record_intelligence_in): quality, script
  /// adherence, the overall sentiment label, and the objection counts from
  /// `analytics.objections` {raised, answered} (intel::ObjectionCounts;
  /// absent = not measured, null on the call; 422 naming
  /// "objections.raised"/"objections.answered" when not integers with
  /// 0 ≤ answered ≤ raised). Then the
  /// campaign's quality check (SwarmConfigRepository::quality_check_in):
  /// returns its alert when the call was flagged for review now.
  Result<std::optional<nlohmann::json>> finish(const std::string& call_id, const nlohmann::json& analytics);

  /// Deletes the live rows (and by cascade all their live data) of calls
  /// that ended before `cutoff`. Returns how many calls were purged.
  Result<int> purge_ended_before(std::chrono::system_clock::time_point cutoff);

  /// Everything about one call (ended ones too, until purged): {"call": the
  /// live_calls row, "transcript": [...] (by order), "phases", "objectives",
  /// "nextActions", "coaching" (lists by order), "sentiment": {...}|null,
  /// "metrics": {...}|null, "systemConfig": {...}|null, "supervisorActions": [...]}.
  Result<nlohmann::json> live_call(const WorkspaceId& ws, const std::string& call_id);

  /// The live_calls row of one call ({callId, status, endedAt, ...}). Errors: not_found.
  Result<nlohmann::json> call_row(const WorkspaceId& ws, const std::string& call_id);

  /// Calls in progress (not ended), newest first; `status` filters on
  /// live_calls.status (must be one of kLiveCallStatuses: else invalid "status").
  Result<nlohmann::json> live_calls(const WorkspaceId& ws, const std::optional<std::string>& status);

  /// The call's transcript lines by order (an empty array for an unknown call).
  Result<nlohmann::json> transcript(const WorkspaceId& ws, const std::string& call_id);

  /// The call's supervisor actions by order (an empty array for an unknown call).
  Result<nlohmann::json> supervisor_actions(const WorkspaceId& ws, const std::string& call_id);

  /// Milliseconds since the call's live_calls start_time (the supervisor's
  /// "now" in the call, for actions recorded without the call's own clock).
  Result<int64_t> call_time_ms(const WorkspaceId& ws, const std::string& call_id);

  /// The call_analytics record: {id, callId, agentId, agentName, customerPhone,
  /// campaignId, startedAt, endedAt, duration (s), finalPhase, transcriptEntries,
  /// agentTalkMs, callerTalkMs, agentTalkShare (% or null), overallSentiment,
  /// objectivesCompleted, objectivesTotal, scriptAdherence, conversionProbability,
  /// coachingCount, supervisorActionCount, phases, objectives, nextActions,
  /// coaching, sentiment, metrics, systemConfig, supervisorActions, details,
  /// createdAt}. Errors: not_found.
  Result<nlohmann::json> analytics(const WorkspaceId& ws, const std::string& call_id);

 private:
  Database& db_;
};

/// The retention job (issue 5 §5: live rows purged one hour after the call
/// ends): a thread that calls purge_ended_before(now − retention) every
/// `interval`, and once at start.
class LiveRetention {
 public:
  struct Options {
    std::chrono::milliseconds retention = std::chrono::hours(1);
    std::chrono::milliseconds interval = std::chrono::minutes(1);
    /// The clock (tests may move time); default system_clock::now.
    std::function<std::chrono::system_clock::time_point()> now;
  };
  LiveRetention(LiveStore& store, Options options);
  ~LiveRetention();  ///< stops
  LiveRetention(const LiveRetention&) = delete;
  LiveRetention& operator=(const LiveRetention&) = delete;

  /// Starts the thread (no-op when running).
  void start();
  /// Stops and joins the thread (no-op when stopped). Safe to call twice.
  void stop();
  /// One purge now, on the calling thread. Returns the calls purged.
  Result<int> run_once();
  /// Calls purged since construction.
  int64_t purged() const;

 private:
  LiveStore& store_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int64_t purged_ = 0;
  std::thread thread_;
};

}  // namespace voqo::store
