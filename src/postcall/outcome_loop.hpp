#pragma once
/// The outcome loop (issue 4 §5): what happens after each call, durably.
///
/// The loop is one of the call service's observers (calls::CallEvents,
/// wired by cli/runtime.cpp): it reads what a call left behind as the typed
/// calls::CallOutcome, never the record's systemInfo by key. post_call()
/// (CallEvents::call_ended) runs once per stored call record, in one write
/// transaction:
///  - the contact is created or updated by phone (setting auto_create_contacts);
///  - memories (setting save_memories) from CallOutcome::memories (facts the
///    brain extracted: callback time, interest, objections, preferences),
///    source "auto", call_id = the call; re-running replaces them;
///  - CallOutcome::do_not_call → the number joins do_not_call (source "call"),
///    unless list_do_not_call() listed it during the call already;
///  - the follow-up SMS from the sms_template setting ({caller_name},
///    {call_summary}, {agent_name}) is queued in sms_messages, or recorded as
///    skipped with the reason (sms_enabled off, the call was not answered or
///    reached voicemail, no phone, the number is on the do-not-call list,
///    sms_skip_silent and the caller never spoke); the SmsSender (sms.hpp)
///    then sends it and sets calls.sms_sent / sms_sent_at;
///  - a "call.ended" webhook event is queued when the agent has a webhookUrl;
///  - calls.postcall_at is set.
/// Event ids are derived from the call id, so running it again (recover())
/// adds nothing twice.
///
/// Webhooks (WebhookOutbox) are delivered from the webhook_events table by a
/// background thread: POST with JSON body, headers X-Voqo-Event,
/// X-Voqo-Event-Id (= idempotency key, also "Idempotency-Key"), X-Voqo-Timestamp
/// and X-Voqo-Signature: "t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>"
/// (setting webhook_secret); 2xx = delivered, anything else retried with
/// exponential backoff and full jitter; events of one call are delivered in
/// seq order (a failing one holds back the later ones of that call only).
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "calls/call_events.hpp"
#include "calls/call_outcome.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace voqo::postcall {

struct OutcomeLoopConfig {
  /// Webhook retry: delay before attempt n (n ≥ 2) is uniform in [0, min(max, base·2^(n-2))].
  std::chrono::milliseconds webhook_backoff_base{1000};
  std::chrono::milliseconds webhook_backoff_max{std::chrono::minutes(10)};
  int webhook_max_attempts = 20;            ///< then status "failed"
  std::chrono::milliseconds webhook_timeout{10000};
  int sms_max_attempts = 5;
  /// SMS retry: attempt n (n ≥ 2) waits min(max, base·2^(n-2)) after the previous one.
  std::chrono::milliseconds sms_backoff_base{5000};
  std::chrono::milliseconds sms_backoff_max{std::chrono::minutes(5)};
  /// recover() of a call that ended longer ago than this still writes the
  /// contact, memories and do-not-call entry, but records the SMS as skipped
  /// and queues no webhook (no follow-up texts days late, no event floods
  /// after an upgrade or a long outage).
  std::chrono::milliseconds recover_follow_up_max_age{std::chrono::hours(24)};
};

class OutcomeLoop : public calls::CallEvents {
 public:
  /// Starts the webhook and SMS delivery threads (webhooks.hpp, sms.hpp);
  /// generates each workspace's webhook_secret setting when it is empty. `store` must
  /// outlive the loop; the destructor stops and joins both threads. Every
  /// method is thread-safe and does database work only (never the network).
  /// Errors: database.
  static Result<std::unique_ptr<OutcomeLoop>> create(store::Store& store, OutcomeLoopConfig config = {});
  ~OutcomeLoop() override = default;

  // calls::CallEvents (on the call service's worker and finaliser threads;
  // each blocks on one store write): the methods below, errors logged. A
  // post-call run that fails leaves calls.postcall_at null, so recover()
  // runs it at the next start.
  void call_answered(const calls::CallInfo& call, std::chrono::system_clock::time_point answered_at) override;
  void do_not_call_heard(const calls::CallInfo& call) override;
  void call_ended(const calls::CallOutcome& outcome) override;

  /// The call was answered at `answered_at`: queues "call.started" (payload
  /// {event, id, call: {id, agentId, direction, fromPhone, toPhone, startedAt,
  /// jobId}}) for the agent's webhookUrl. Errors: invalid_argument field "id"
  /// or "workspaceId" (missing), database.
  virtual Result<void> queue_call_started(const calls::CallInfo& call, std::chrono::system_clock::time_point answered_at) = 0;
  /// The call record is stored: runs the loop above for `outcome` (the call
  /// record itself is read for the call.ended webhook's payload). Errors:
  /// invalid_argument field "id"/"workspaceId", not_found (no such record),
  /// database (the call keeps postcall_at null and recover() runs it again).
  virtual Result<void> post_call(const calls::CallOutcome& outcome) = 0;
  /// The callee asked never to be called again, heard during the call
  /// (calls::CallEvents::do_not_call_heard; issue 15 §11): their number
  /// (to_phone of an outbound call, from_phone of an inbound one, E.164 with
  /// the default_region setting) joins do_not_call at once, source "call",
  /// call_id = the call, so a crash before the end of the call cannot lose
  /// it. Idempotent, with post_call() too (a listed number keeps its row).
  /// A call without a phone number (a SIP URI) lists nothing.
  /// Errors: invalid_argument field "id", database.
  virtual Result<void> list_do_not_call(const calls::CallInfo& call) = 0;
  /// A job reached a final state: queues "job.completed" (payload {event, id,
  /// job: the job's API JSON}) for the job's agent's webhookUrl.
  virtual Result<void> job_completed(const nlohmann::json& job) = 0;
  /// Runs post_call() for stored calls whose postcall_at is null (after a
  /// crash), each record read back as a CallOutcome
  /// (calls::call_outcome_from_record). Returns how many.
  virtual Result<int> recover() = 0;
  /// Wakes the delivery threads (tests; new events wake them anyway).
  virtual void poke() = 0;
};

}  // namespace voqo::postcall
