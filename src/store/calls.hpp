#pragma once
/// The call record (the data model's `calls` row plus migration 2's columns)
/// and the live_calls registry of calls in flight.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// Everything a finished call writes (issue 3 §6).
struct CallRecord {
  std::string id;
  WorkspaceId workspace_id;  ///< the workspace of the agent that took or placed the call
  std::string agent_id;
  std::optional<std::string> contact_id;
  std::string direction;   ///< inbound | outbound
  std::string status;      ///< completed | failed | no_answer | busy | cancelled
  std::string from_phone, to_phone;
  std::optional<std::string> summary;
  nlohmann::json transcript = nlohmann::json::array();  ///< [{speaker, text, startMs, endMs, confidence, interrupted}]
  std::optional<int64_t> duration_s;
  std::optional<std::string> recording_url;
  std::optional<std::string> started_at, ended_at;  ///< ISO-8601 UTC
  std::optional<std::string> outcome;               ///< brain::outcome_label values
  std::optional<std::string> error_message;
  std::optional<int> sip_code;
  nlohmann::json system_info = nlohmann::json::object();
  nlohmann::json turn_metrics = nlohmann::json::array();
  std::optional<std::string> job_id, job_call_id;   ///< set when the dialer placed the call
  // Migration 9: what metrics by period and the compliance figures need
  // (issue 18 §8-9, docs/ANALYTICS.md).
  std::string campaign_id;     ///< the campaign the call was placed for ("" = none)
  std::string swarm_agent_id;  ///< the swarm agent (campaign member) that held it ("" = none)
  /// When the INVITE left (outbound) or arrived (inbound), ISO-8601 UTC: the
  /// instant the call counts at in metrics by period. nullopt = now at insert.
  std::optional<std::string> placed_at;
  /// Outbound: INVITE sent → answer or final failure, ms. Inbound: 0.
  std::optional<int64_t> ring_time_ms;
  /// Answer → the agent's first RTP packet of speech, ms; nullopt when the agent never spoke.
  std::optional<int64_t> agent_audio_after_answer_ms;
  bool answered_by_person = false;  ///< answered, and AMD said human or did not run
  bool abandoned = false;           ///< answered_by_person and no agent audio within 2 s of the answer
  std::string callee_time_zone;     ///< IANA zone of the callee ("" = unknown: the campaign's zone is used)
  std::optional<double> quality_score, script_adherence;  ///< call intelligence, 0–100, when known at insert
  /// Migration 15: call intelligence's count of the caller's objections and
  /// of those the agent answered (intel::ObjectionCounts; 0 ≤ answered ≤
  /// raised, both or neither), when known at insert; the objection-handling
  /// success of docs/ANALYTICS.md counts from them.
  std::optional<int64_t> objections_raised, objections_answered;
  // Migration 13: what the call's work cost (pipeline::ResourceUse has the
  // definitions; issue 18 §2), added to its swarm agent's totals by
  // SwarmRepository::record_result.
  int64_t cpu_ms = 0;        ///< thread CPU time of the call's work, ms
  int64_t memory_bytes = 0;  ///< the call's own memory at its peak, bytes
  int64_t api_calls = 0;     ///< requests to providers made for the call
};

/// A call in flight (live_calls, the live-monitoring spec's table).
struct LiveCall {
  std::string call_id;
  std::string agent_id, agent_name;
  std::string customer_name, customer_phone;
  std::string direction;  ///< inbound | outbound
  std::string status;     ///< connecting | ringing | connected | on-hold | transferring
  std::string start_time; ///< ISO-8601 UTC
  std::string sip_endpoint, session_id, node;
  bool is_recording = false;
  std::string campaign_id, campaign_name;  ///< "" outside campaigns
  std::string workspace_id;  ///< the call's workspace (issue 16): live views and feeds are per workspace
};

class CallStore {
 public:
  explicit CallStore(Database& db) : db_(db) {}
  /// Inserts the finished call and, in the same transaction, counts it in
  /// its agent's statistics (count_in_agent_stats). Errors: database (e.g.
  /// unknown agent id, a call id stored before).
  Result<void> insert(const CallRecord& record);
  /// Whether a call with `outcome` moved the prospect on (Demo Scheduled,
  /// Follow-up Needed, Transferred): what agents.success_rate counts.
  static bool counts_as_success(std::string_view outcome);
  /// Adds `record` to the agent's running sums (agent_call_stats, migration
  /// 5) and sets agents.total_calls (its call records), success_rate
  /// (percent of them that counts_as_success) and avg_call_duration_s (mean
  /// duration of the calls that connected, duration > 0) from them: O(1) per
  /// call, equal to recomputing from the calls table because call records
  /// are only ever inserted. Errors: database.
  static Result<void> count_in_agent_stats(Connection& c, const CallRecord& record);
  /// Registers a call in flight. Errors: database.
  Result<void> live_begin(const LiveCall& call);
  /// Updates a live call's status (and phase when given); a call that ended is left alone.
  Result<void> live_status(const std::string& call_id, const std::string& status,
                           const std::optional<std::string>& phase = std::nullopt);
  /// The same, queued with Database::write_deferred (committed with the next
  /// batch of writes, within 20 ms): for the progress of a call (ringing,
  /// connected, on hold), which the media and SIP threads report and nobody
  /// waits on. Never blocks; an error is logged.
  void live_status_later(const std::string& call_id, const std::string& status,
                         const std::optional<std::string>& phase = std::nullopt);
  /// Marks the live row ended (ended_at = now, kept if already set): the call
  /// ended and its record is written. The row and its live data stay, hidden
  /// from live lists, until LiveRetention purges them (issue 5 §5).
  Result<void> live_end(const std::string& call_id);
  /// The contact with this E.164 phone: {id, name}, or nullopt.
  Result<std::optional<std::pair<std::string, std::string>>> contact_by_phone(const WorkspaceId& ws,
                                                                             const std::string& phone);
  /// Creates a contact (auto_create_contacts) and returns its id.
  Result<std::string> create_contact(const WorkspaceId& ws, const std::string& name, const std::string& phone);
  /// The contents of a contact's memories, oldest first.
  Result<std::vector<std::string>> memories_of(const WorkspaceId& ws, const std::string& contact_id);
  /// The id of the agent of `ws` whose id or name is `id_or_name`, or nullopt.
  Result<std::optional<std::string>> agent_id(const WorkspaceId& ws, const std::string& id_or_name);
  /// The workspace an agent belongs to (for calls that start from an agent
  /// id alone: inbound routing, the CLI), or nullopt.
  Result<std::optional<WorkspaceId>> workspace_of_agent(const std::string& agent_id);
  /// The dialer's {job id, job call id} that placed `call_id`, or nullopt.
  Result<std::optional<std::pair<std::string, std::string>>> job_call_of(const std::string& call_id);
  /// Whether call `call_id`'s recording file is still wanted: its record
  /// names a recording, or its live row has not ended (another node may be
  /// writing it). For the recordings sweep, which knows only file names.
  Result<bool> recording_in_use(const std::string& call_id);
  /// Live rows of `node` left behind by a crash (not ended).
  Result<std::vector<LiveCall>> live_orphans(const std::string& node);

 private:
  Database& db_;
};

}  // namespace voqo::store
