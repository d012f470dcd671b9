#pragma once
/// Calls: one object that places and answers calls for agents — the SIP user
/// agent, the media engine, the speech engines and brains, and the call
/// record in the store (DESIGN.md: calls/ sits between campaign/ and the
/// pipeline). `voqo call`, `POST /api/calls` and the dialer use it; what a
/// call does is told to its CallEvents observers (call_events.hpp), ending
/// with a typed CallOutcome (call_outcome.hpp) beside the stored record.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "calls/call_events.hpp"
#include "calls/call_outcome.hpp"
#include "calls/supervisor.hpp"
#include "core/error.hpp"
#include "store/store.hpp"
#include "telephony/media_engine.hpp"
#include "telephony/sip_agent.hpp"

namespace voqo::calls {

struct CallServiceConfig {
  std::string sip_listen_ip = "0.0.0.0";  ///< SIP and RTP bind address
  uint16_t sip_port = 5060;               ///< UDP and TCP; 0 = any free port
  std::string media_ip;                   ///< SDP c= address ("" = the local address facing the peer)
  int media_threads = 1;
  uint16_t rtp_port_min = 16384, rtp_port_max = 32766;
  int worker_threads = 8;                 ///< STT/TTS/brain/store pool
  std::filesystem::path recordings_dir;   ///< where <call id>.wav go
  std::optional<telephony::SipTrunk> trunk;  ///< --trunk; else the sip_trunk setting
  std::chrono::seconds ring_timeout{30};
  std::chrono::seconds rtp_timeout{60};   ///< SipUserAgent::Config::rtp_timeout (0 = never)
  /// SipUserAgent::Config's per-source INVITE rate limit (INVITEs/s, burst; 0 = none).
  double invite_rate_per_source = 50, invite_burst = 100;
  std::string node = "local";             ///< this node's name in live_calls
  bool record = true;                     ///< write stereo recordings
  bool conversation = true;               ///< false: greeting + recording only (PipelineConfig::conversation)
  bool detect_answering_machine = true;   ///< outbound AMD (beep + long greeting)
  /// Who hears every call's events (calls/call_events.hpp: order, threads,
  /// and that call_ended comes after the record is stored), called in this
  /// order for each event: cli/runtime.cpp puts the outcome loop
  /// (postcall::OutcomeLoop) before the live monitor (live::LiveMonitor).
  /// Set before create(); null entries are skipped.
  std::vector<std::shared_ptr<CallEvents>> observers;
  /// Overrides the brain the settings choose (embedding, benchmarks, tests of the telephony alone).
  std::function<std::unique_ptr<brain::Brain>(const brain::CallContext&)> brain_factory;
};

/// An answered call is abandoned when a person answered (AMD said human or
/// did not run) and the agent's first audio came later than this after the
/// answer, or never: Ofcom's "abandoned call" (no live agent within 2 s of
/// the called person's greeting) and the US FTC Telemarketing Sales Rule's
/// 2-second rule (16 CFR 310.4(b)(4)(iii)). Issue 18 §9; docs/ANALYTICS.md.
inline constexpr int64_t kAbandonAfterMs = 2000;

/// One outbound call request.
struct PlaceCall {
  WorkspaceId workspace;     ///< the workspace placing the call: the agent, contact, trunk and settings are its own
  std::string agent;         ///< agent id or name (in `workspace`)
  std::string to;            ///< phone number (normalised to E.164 with default_region) or a sip: URI
  nlohmann::json variables = nlohmann::json::object();  ///< batch contact variables for the brain
  std::string contact_name;  ///< used when the contact is created
  /// The call's id, chosen by the caller so it can be recorded before the
  /// INVITE leaves (the dialer writes it into job_calls first); "" = new id.
  std::string call_id;
  std::string job_id, job_call_id;          ///< the dialer's attempt this call is ("" = none)
  std::string campaign_id, campaign_name;   ///< shown in live_calls; campaign_id is also stored on the call
  std::string swarm_agent_id;  ///< the swarm agent (campaign member) placing the call ("" = none): calls.swarm_agent_id
  std::optional<std::chrono::seconds> ring_timeout;  ///< overrides the service's
  std::string time_zone;  ///< the callee's IANA zone (the dialer's, from the number); "" = UTC
  /// A swarm agent's variant (issue 18 §2): its voice instead of the agent's voiceId ("" = the agent's).
  std::string voice_id;
  /// false: no recording is written for this call (a campaign with
  /// recordingEnabled off), and its record's systemInfo.recording says
  /// "disabled by the campaign".
  bool record = true;
  /// This call's own observer (null = none): every event of this call, after
  /// the service's observers; its call_ended comes once the record is stored
  /// and the call no longer counts as in progress. The dialer learns the end
  /// of its attempts here.
  std::shared_ptr<CallEvents> events;
};

class CallService {
 public:
  /// Starts SIP (binds the port), the media engine and the worker pool.
  /// Errors: io (port in use), invalid_argument (bad config).
  static Result<std::unique_ptr<CallService>> create(store::Store& store, CallServiceConfig config);
  ~CallService();

  /// Validates the request (agent exists and is enabled: 404/409 with field
  /// "agentId"; a phone that does not normalise: 422 field "to"; no trunk: 422
  /// field "trunk"), writes the live_calls row, dials, and returns the new
  /// call id at once. The call's events go to the service's observers and
  /// to `request.events`; a call refused here has none.
  Result<std::string> place_call(const PlaceCall& request);

  /// Hangs up a call in progress. Errors: not_found.
  Result<void> hang_up(const std::string& call_id);

  /// A supervisor's command to a call in progress (issue 5 §4; see
  /// SupervisorCommand and pipeline::CallPipeline's controls):
  /// coach → the brain's next turn (text required); take_over / release;
  /// transfer → status "transferring", REFER to `target` (E.164 after
  /// normalisation with the default region, or a sip:/sips: URI), outcome
  /// "Transferred" once the peer reports success (a failure resumes the call);
  /// end_call → the closing line (`text` or the brain's closing_line()), then
  /// BYE; before the answer it hangs up at once. Returns when the command is
  /// queued. Errors: not_found (no call in progress with that id, or it has
  /// ended); invalid_argument with field "text" (coach without text) or
  /// "target" (missing or malformed transfer target); conflict (transfer
  /// before the call is answered).
  Result<void> supervise(const std::string& call_id, const SupervisorCommand& cmd);

  /// JOIN_CALL: the supervisor's audio leg (SupervisorAudio; at most
  /// pipeline::CallPipeline::kMaxSupervisors at once per call). Release it
  /// when the call ends. Errors: not_found (as supervise), conflict (full).
  /// A call of another workspace than `ws` is not found.
  Result<std::shared_ptr<SupervisorAudio>> join_audio(const WorkspaceId& ws, const std::string& call_id);

  /// What a crash of this node left behind (run at start-up, before any call):
  /// live_calls rows become failed call records with error "interrupted"
  /// that keep what was already stored — the final transcript lines of
  /// live_transcripts (agent and caller, in order) and the recording written
  /// so far, its WAV header repaired from the file's size
  /// (pipeline::repair_recording), recordingUrl and duration (s of audio) set
  /// when it holds audio, the file removed when it holds none. Then
  /// recordings without audio (at most a header: calls never answered, or cut
  /// before their first audio) are removed from recordings_dir unless a call
  /// record points at them or another node's call in progress owns them, and
  /// the folder is narrowed to 0700. Returns the calls closed.
  Result<int> recover_interrupted();

  [[nodiscard]] std::size_t active_calls() const;
  /// How many more calls workspace `ws` may have in progress now: its tier's
  /// concurrentCalls (with the workspace's overrides, issue 16 §5) less its
  /// calls in progress; nullopt = no limit. place_call refuses a call past it
  /// (403 naming `concurrentCalls`); the dialer waits.
  [[nodiscard]] std::optional<std::size_t> call_room(const WorkspaceId& ws) const;
  /// Speech decoders held by calls (Engines::stt_decoders_in_use), for leak checks.
  [[nodiscard]] std::size_t stt_decoders_in_use() const;
  [[nodiscard]] uint16_t sip_port() const;
  /// The media engine carrying this service's calls (send-timing stats() and
  /// reset_stats() for benchmarks and /metrics). Valid as long as the service.
  [[nodiscard]] const telephony::MediaEngine& media_engine() const;
  [[nodiscard]] telephony::MediaEngine& media_engine();

  struct Impl;

 private:
  explicit CallService(std::unique_ptr<Impl> impl);
  /// recover_interrupted()'s sweep of recordings_dir (recordings without audio).
  void remove_empty_recordings();
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::calls
