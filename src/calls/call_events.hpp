#pragma once
/// One event channel per call (issue 17 §3; DESIGN.md "Events, not
/// polling"): everything a call tells the rest of voqo — the live monitor
/// (live/), the outcome loop (postcall/), the dialer (campaign/) — goes
/// through the CallEvents observers of its CallService
/// (CallServiceConfig::observers, in their order) and, for a call placed
/// with one, the per-call observer of PlaceCall::events (after them).
///
/// Order for one call (one call's events never overlap; a later one starts
/// after every observer returned from the earlier one):
///   call_created — outbound once the INVITE is sent (so session_id holds the
///     SIP Call-ID), inbound when the INVITE is accepted (then call_status
///     "ringing");
///   call_status "ringing" (outbound: the first 180/183);
///   call_answered, then call_status "connected" (the 2xx);
///   transcript lines (interims then their final, model::TranscriptLine's
///     rules), levels every 200 ms of media, agent_turn after each brain turn,
///     event for each pipeline event (phase, barge_in, amd, dtmf, transfer,
///     supervisor, ..., plus "transfer_failed"), call_status "transferring"
///     when a REFER is sent and "connected" again when it fails,
///     do_not_call_heard at most once, at the turn the callee asks;
///   call_ended last, exactly once, with the typed CallOutcome — AFTER the
///     call record (and the end of its live_calls row) is committed to the
///     store. Crash safety rests on this: an observer that acts on the end
///     (the dialer's job-call result, the outcome loop's post-call write)
///     finds the record stored, and a crash before call_ended is recovered
///     from that record (Dialer::recover, OutcomeLoop::recover). The per-call
///     observer's call_ended comes once the call no longer counts as in
///     progress (CallService::active_calls, call_room).
/// A call that is never created (place_call returns an error) has no
/// events. Events reported before call_created, or after the answer before
/// call_answered was delivered, are held and delivered in order after it.
/// "on-hold" is reported when the peer holds the call by re-INVITE.
///
/// Threads: events are delivered on the thread that produced them — the SIP
/// thread (created, status), an API or dialer thread (created), the call
/// service's worker pool (answered, transcript, levels, agent_turn, event,
/// do_not_call_heard) and its finaliser threads (ended) — never on the media
/// thread; different calls' events may arrive concurrently, so
/// implementations must be thread-safe. Events on the SIP thread (created
/// and status of an inbound call) must return quickly (queue heavy work);
/// the others may block on the store (they hold only their own call's
/// channel). Observers must not call back into the CallService from an
/// event. Every method has an empty default: implement what you consume.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "brain/brain.hpp"
#include "calls/call_outcome.hpp"
#include "model/transcript_line.hpp"

namespace voqo::calls {

/// A call as it starts (live_calls' first row, status "connecting"), and the
/// ids the outcome loop needs at its answer. Field names follow the
/// live-monitoring specification's live_calls table and the calls table.
struct CallInfo {
  std::string call_id;
  std::string workspace_id;    ///< the call's workspace: live feeds go to its subscribers only
  std::string agent_id, agent_name;
  std::optional<std::string> contact_id;  ///< the contact matched or created by phone, if any
  std::string customer_name;   ///< the contact's name, "" when unknown
  std::string customer_phone;  ///< the other party: E.164 (or the SIP URI dialed)
  std::string direction;       ///< inbound | outbound
  std::string from_phone, to_phone;  ///< as the call record has them
  std::string campaign_id, campaign_name;  ///< "" outside a campaign
  std::string job_id, job_call_id;         ///< the dialer's attempt, "" when none
  std::string sip_endpoint;    ///< the remote SIP URI
  std::string session_id;      ///< the SIP Call-ID
  bool is_recording = false;
  std::string started_at;      ///< ISO-8601 UTC, when the call was created
};

/// Receives the events of calls (see the order and threads above).
class CallEvents {
 public:
  virtual ~CallEvents() = default;
  /// The call exists (live_calls status "connecting", or "ringing" inbound).
  virtual void call_created(const CallInfo& call) { (void)call; }
  /// The call was answered at `answered_at` (calls.started_at): the
  /// conversation starts. Before call_status "connected".
  virtual void call_answered(const CallInfo& call, std::chrono::system_clock::time_point answered_at) {
    (void)call, (void)answered_at;
  }
  /// live_calls.status: "ringing" | "connected" | "on-hold" | "transferring".
  virtual void call_status(const std::string& call_id, std::string_view status) { (void)call_id, (void)status; }
  /// An interim or final transcript line.
  virtual void transcript(const std::string& call_id, const model::TranscriptLine& line) { (void)call_id, (void)line; }
  /// Audio levels, every 200 ms while connected: 0–100 each (agent_gain,
  /// customer_gain), and who is speaking now ("agent" | "caller" | "" = nobody).
  virtual void levels(const std::string& call_id, int agent_gain, int customer_gain, std::string_view current_speaker) {
    (void)call_id, (void)agent_gain, (void)customer_gain, (void)current_speaker;
  }
  /// The brain finished a turn (greet or respond): its call-flow phase, the
  /// caller intent it detected ("" = none), the settled outcome if any.
  virtual void agent_turn(const std::string& call_id, const brain::Reply& reply) { (void)call_id, (void)reply; }
  /// Something notable happened ("barge_in", "amd", "supervisor", ...), as
  /// pipeline::PipelineHooks::on_event reports it, plus "transfer_failed".
  virtual void event(const std::string& call_id, std::string_view name, std::string_view detail) {
    (void)call_id, (void)name, (void)detail;
  }
  /// The callee asked never to be called again (a brain turn's
  /// Reply::do_not_call), reported at once, while the call goes on, so that
  /// the do-not-call entry does not wait for the end of the call, which a
  /// crash may never reach (issue 15 §11). At most once per call; the
  /// outcome's do_not_call says it again at the end (consumers must be
  /// idempotent).
  virtual void do_not_call_heard(const CallInfo& call) { (void)call; }
  /// The call ended and its record is stored (see above): what it left
  /// behind, typed. Exactly once per created call, last.
  virtual void call_ended(const CallOutcome& outcome) { (void)outcome; }
};

/// An observer of the end only, for PlaceCall::events (`voqo call`, tests):
/// runs `fn` with the outcome, on the finaliser thread, once the record is stored.
inline std::shared_ptr<CallEvents> when_ended(std::function<void(const CallOutcome&)> fn) {
  struct Ended final : CallEvents {
    explicit Ended(std::function<void(const CallOutcome&)> f) : fn(std::move(f)) {}
    void call_ended(const CallOutcome& outcome) override { fn(outcome); }
    std::function<void(const CallOutcome&)> fn;
  };
  return std::make_shared<Ended>(std::move(fn));
}

}  // namespace voqo::calls
