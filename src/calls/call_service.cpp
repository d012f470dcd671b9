#include "calls/call_service.hpp"

#include "access/tiers.hpp"

#include <map>
#include <mutex>
#include <regex>

#include "calls/engines.hpp"
#include "calls/escalation.hpp"
#include "core/id.hpp"
#include "core/ip_network.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "core/worker_pool.hpp"
#include "core/private_files.hpp"
#include "model/phone.hpp"
#include "pipeline/call_pipeline.hpp"
#include "pipeline/recording.hpp"
#include "store/calls.hpp"

namespace voqo::calls {

namespace {

/// Retry-After (s) of a 503 for an inbound call over max_concurrent_calls.
constexpr int kRetryAfterBusyS = 5;

nlohmann::json transcript_json(const std::vector<model::TranscriptLine>& entries) {
  auto out = nlohmann::json::array();
  for (const auto& e : entries)
    out.push_back({{"speaker", e.speaker}, {"text", e.text}, {"startMs", e.start_ms}, {"endMs", e.end_ms},
                   {"confidence", e.confidence}, {"interrupted", e.interrupted}});
  return out;
}

/// CallService::join_audio's leg: the pipeline's leg behind the contract's interface.
class SupervisorAudioLeg final : public SupervisorAudio {
 public:
  explicit SupervisorAudioLeg(std::shared_ptr<pipeline::SupervisorLeg> leg) : leg_(std::move(leg)) {}
  ~SupervisorAudioLeg() override { leg_->leave(); }
  void speak(std::span<const int16_t> pcm_16khz) override { leg_->speak(pcm_16khz); }
  void set_listener(std::function<void(std::span<const int16_t>)> on_frame) override {
    leg_->set_listener(std::move(on_frame));
  }
  void leave() override { leg_->leave(); }

 private:
  std::shared_ptr<pipeline::SupervisorLeg> leg_;
};

}  // namespace

struct ActiveCall;

struct CallService::Impl {
  store::Store& store;
  store::CallStore calls;
  CallServiceConfig cfg;
  std::unique_ptr<WorkerPool> pool;
  /// Ends calls: finalize() waits for the call's stages on `pool`, so it must
  /// never occupy a `pool` thread itself (many calls ending at once would
  /// take every worker and wait for each other).
  std::unique_ptr<WorkerPool> finalizers;
  std::unique_ptr<telephony::MediaEngine> media;
  std::unique_ptr<telephony::SipUserAgent> sip;
  Engines engines;
  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<ActiveCall>> active;

  Impl(store::Store& s, CallServiceConfig c) : store(s), calls(s.db()), cfg(std::move(c)), engines(cfg.brain_factory) {}
  /// The trunk for outbound calls: the configured one, else settings.sip_trunk.
  telephony::SipTrunk trunk(const model::SettingsSnapshot& settings) const;
  /// Creates the call's record, engines, pipeline and live row (both
  /// directions); `settings` are the agent's workspace's, read once for the call.
  Result<std::shared_ptr<ActiveCall>> prepare(const model::AgentConfig& agent, const model::SettingsSnapshot& settings,
                                              const std::string& direction,
                                              const std::string& from_phone, const std::string& to_phone,
                                              std::string contact_name, bool match_contact, const nlohmann::json& variables,
                                              const std::string& sip_endpoint, const PlaceCall* links = nullptr,
                                              const std::string& session_id = "",
                                              const model::SwarmConfiguration* configuration = nullptr,
                                              const std::string& transfer_to = "");
  /// The call in progress with this id, its pipeline and SIP handle (copied
  /// under the lock: finalize() releases them). Errors: not_found (also once ended).
  Result<std::shared_ptr<ActiveCall>> live_call(const std::string& call_id, std::shared_ptr<pipeline::CallPipeline>& pipeline,
                                                std::shared_ptr<telephony::SipCall>& sip);
  /// The agent for an id or name. Errors: not_found or conflict (disabled), field "agentId".
  Result<model::AgentConfig> find_agent(const WorkspaceId& ws, const std::string& id_or_name);
  /// Routes an INVITE to the agent assigned to the dialed number, after the
  /// source policy (403) and the concurrent-call cap (503, Retry-After).
  telephony::IncomingDecision incoming(const telephony::IncomingCall& in);
  /// Whether an INVITE from `ip` may be taken (sip_inbound_sources, loopback, the trunk's address).
  bool admits_source(const std::string& ip);
  /// Where an inbound call goes: the workspace whose inbound_numbers name the
  /// dialed user (an exact number before any workspace's "*"), its agent, and
  /// the dialed number in E.164 when it is one.
  struct InboundRoute {
    WorkspaceId workspace;
    std::string agent;
    std::string dialed;
  };
  std::optional<InboundRoute> route_inbound(const std::string& to_user);
  /// Calls in progress of workspace `ws`.
  std::size_t calls_in(const WorkspaceId& ws) const;
  /// The tier's limit on calls in progress of `ws` (nullopt = none).
  std::optional<std::size_t> tier_call_limit(const WorkspaceId& ws) const;
  /// Where call `id`'s stereo recording is written.
  std::filesystem::path recording_path(const std::string& id) const { return cfg.recordings_dir / (id + ".wav"); }
  void finalize(const std::shared_ptr<ActiveCall>& call, const telephony::CallEnd& end);
  /// What the ended call left behind (its record is filled in already).
  CallOutcome outcome_of(ActiveCall& call, const telephony::CallEnd& end, const pipeline::PipelineResult& res,
                         std::chrono::system_clock::time_point ended) const;
};

/// One call: observes SIP, owns the pipeline, writes the record at the end.
struct ActiveCall final : telephony::SipCallObserver, std::enable_shared_from_this<ActiveCall> {
  CallService::Impl& svc;
  store::CallRecord record;
  std::string agent_name;
  int silence_threshold_ms = 1000;
  std::shared_ptr<pipeline::CallPipeline> pipeline;
  std::shared_ptr<telephony::SipCall> sip;
  std::mutex mutex;
  std::chrono::system_clock::time_point answered_at{};
  bool answered = false;
  bool outbound = false;
  /// When the INVITE left (outbound; steady clock): ring time runs from here.
  std::chrono::steady_clock::time_point invite_at{};
  bool transferred = false;  ///< a REFER succeeded (outcome Transferred)
  bool record_audio = false;  ///< the service records and the call's campaign allows it (PlaceCall::record)
  nlohmann::json system_info = nlohmann::json::object();
  std::atomic<bool> ended{false};
  /// The campaign's call flow this call walks (null = none) and the time in each of its steps (under `mutex`).
  std::shared_ptr<const brain::CallFlow> flow;
  brain::PhaseTimer phases;

  // The call's event channel (call_events.hpp): the observers' calls for
  // this call, one at a time, in order; held back until call_created is out
  // and, from the answer, until call_answered is.
  CallInfo info;
  std::shared_ptr<CallEvents> own_observer;  ///< PlaceCall::events
  std::mutex events_mutex;
  bool created = false;
  bool answer_pending = false;
  std::size_t answer_slot = 0;  ///< where call_answered goes among `held` (answered before created)
  bool ringing_reported = false;
  std::vector<std::function<void(CallEvents&)>> held;

  explicit ActiveCall(CallService::Impl& s) : svc(s) {}

  bool observed() const { return !svc.cfg.observers.empty() || own_observer; }
  /// Every observer of this call, the service's first (events_mutex held).
  void deliver_locked(const std::function<void(CallEvents&)>& fn) {
    for (const auto& o : svc.cfg.observers) fn(*o);
    if (own_observer) fn(*own_observer);
  }
  void flush_held_locked() {
    auto pending = std::move(held);
    held.clear();
    for (auto& fn : pending) deliver_locked(fn);
  }
  void emit(std::function<void(CallEvents&)> fn) {
    if (!observed()) return;
    std::lock_guard lock(events_mutex);
    if (!created || answer_pending) {
      held.push_back(std::move(fn));
      return;
    }
    deliver_locked(fn);
  }
  /// call_created with the SIP Call-ID, then whatever waited for it.
  void emit_created(const std::string& session_id) {
    std::lock_guard lock(events_mutex);
    info.session_id = session_id;
    created = true;
    if (!observed()) return;
    deliver_locked([this](CallEvents& o) { o.call_created(info); });
    if (!answer_pending) flush_held_locked();
  }
  /// The answer (SIP thread): later events wait for call_answered.
  void hold_for_answer() {
    if (!observed()) return;
    std::lock_guard lock(events_mutex);
    answer_pending = true;
    answer_slot = held.size();
  }
  /// call_answered (once; a worker or the finaliser), then what waited for it.
  void emit_answered() {
    if (!observed()) return;
    std::lock_guard lock(events_mutex);
    if (!answer_pending) return;
    answer_pending = false;
    std::function<void(CallEvents&)> fn = [call = info, at = answered_at](CallEvents& o) { o.call_answered(call, at); };
    if (!created) {
      held.insert(held.begin() + static_cast<std::ptrdiff_t>(std::min(answer_slot, held.size())), std::move(fn));
      return;
    }
    deliver_locked(fn);
    flush_held_locked();
  }
  void status(std::string s) {
    emit([id = record.id, s = std::move(s)](CallEvents& o) { o.call_status(id, s); });
  }

  std::shared_ptr<telephony::MediaHandler> media_handler() override { return pipeline; }
  /// Inbound calls get their handle here (outbound ones from dial()), so the
  /// agent can hang up and transfer them too.
  void on_incoming_accepted(std::weak_ptr<telephony::SipCall> call) override { sip = call.lock(); }
  void on_progress(int code, bool early_media) override {
    if (early_media) system_info["earlyMedia"] = true;
    if (ringing_reported) return;  // SIP thread only; a 180 then a 183 is one "ringing"
    ringing_reported = true;
    status("ringing");
    svc.calls.live_status_later(record.id, "ringing");
  }
  void on_answered(const std::string& codec, int rate) override {
    {
      std::lock_guard lock(mutex);
      answered = true;
      answered_at = std::chrono::system_clock::now();
      // Ring time (issue 18 §9): INVITE sent → answer; inbound calls are answered at once.
      record.ring_time_ms = outbound ? std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                 std::chrono::steady_clock::now() - invite_at)
                                                                 .count())
                                     : 0;
      system_info["codec"] = codec;
      system_info["codecSampleRateHz"] = rate;
      if (rate < 16000) {
        // pocketsphinx's model is 16 kHz: narrowband audio is upsampled and recognised worse.
        system_info["narrowband"] = true;
        system_info["warning"] = "narrowband call (" + codec + ", 8 kHz): speech recognition is less accurate than over G.722";
        spdlog::warn("call {}: narrowband codec {} negotiated; STT accuracy will suffer (prefer G722)", record.id, codec);
      }
    }
    spdlog::info("call {}: answered ({})", record.id, codec);
    // call_answered may block on the store (the outcome loop's call.started):
    // it runs on the pool, and the events after it wait for it.
    hold_for_answer();
    if (observed()) svc.pool->post([self = shared_from_this()] { self->emit_answered(); });
    status("connected");
    pipeline->on_answered();
    svc.calls.live_status_later(record.id, "connected");
  }
  void on_ended(const telephony::CallEnd& end) override {
    ended.store(true);
    spdlog::info("call {}: ended {} ({})", record.id, end.status, end.reason);
    svc.finalizers->post([self = shared_from_this(), end] { self->svc.finalize(self, end); });
  }
  void on_hold(bool held) override {
    spdlog::info("call {}: {} by the peer", record.id, held ? "on hold" : "off hold");
    const std::string now = held ? "on-hold" : "connected";
    status(now);
    svc.calls.live_status_later(record.id, now);
  }
  void on_transfer(bool ok, const std::string& reason) override {
    spdlog::info("call {}: transfer {}: {}", record.id, ok ? "accepted" : "failed", reason);
    std::shared_ptr<pipeline::CallPipeline> p;
    {
      std::lock_guard lock(mutex);
      system_info["transfer"] = {{"ok", ok}, {"detail", reason}};
      if (ok) transferred = true;
      p = pipeline;
    }
    if (ok) return;
    svc.calls.live_status_later(record.id, "connected");
    status("connected");
    if (p) p->transfer_failed(reason);
  }
};

telephony::SipTrunk CallService::Impl::trunk(const model::SettingsSnapshot& settings) const {
  if (cfg.trunk) return *cfg.trunk;
  const model::SipTrunkSettings& s = settings.sip_trunk;
  telephony::SipTrunk t;
  t.uri = s.uri;
  t.transport = s.transport;
  t.username = s.username;
  t.password = s.password;
  t.caller_id = s.caller_id;
  if (!s.codecs.empty()) t.codecs = s.codecs;
  return t;
}

void CallService::Impl::finalize(const std::shared_ptr<ActiveCall>& call, const telephony::CallEnd& end) {
  pipeline::PipelineResult res = call->pipeline->finish();
  auto& r = call->record;
  bool answered_call = false;
  {
    std::lock_guard lock(call->mutex);
    answered_call = call->answered;
  }
  if (!answered_call && call->record_audio && !cfg.recordings_dir.empty()) {
    // Never answered: the recording holds a header and no audio; keep no empty file.
    std::error_code ec;
    std::filesystem::remove(recording_path(r.id), ec);
  }
  const auto ended = std::chrono::system_clock::now();
  r.status = end.status;
  if (end.sip_code) r.sip_code = end.sip_code;
  r.error_message = res.end_reason.empty() ? end.reason : res.end_reason;
  {
    std::lock_guard lock(call->mutex);
    if (call->answered) {
      r.started_at = to_iso8601(call->answered_at);
      r.ended_at = to_iso8601(ended);
      r.duration_s = std::chrono::duration_cast<std::chrono::seconds>(ended - call->answered_at).count();
      if (call->record_audio) r.recording_url = "/api/calls/" + r.id + "/recording";
    }
    r.system_info = call->system_info;
    // Ring time of a call never answered: INVITE sent → its final failure.
    if (!call->answered && call->outbound && call->invite_at != std::chrono::steady_clock::time_point{})
      r.ring_time_ms = std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - call->invite_at).count());
    // Abandoned (Ofcom's abandoned call, the FTC TSR's 2 s): answered by a
    // person (AMD said human or did not run) and no agent audio within 2 s.
    r.agent_audio_after_answer_ms = res.agent_audio_after_answer_ms;
    r.answered_by_person = call->answered && res.amd_verdict != "machine";
    r.abandoned = r.answered_by_person && (!r.agent_audio_after_answer_ms || *r.agent_audio_after_answer_ms > kAbandonAfterMs);
  }
  r.transcript = transcript_json(res.transcript);
  // What the call's work cost (issue 18 §2; pipeline::ResourceUse).
  r.cpu_ms = res.usage.cpu_ms, r.memory_bytes = res.usage.memory_bytes, r.api_calls = res.usage.api_calls;
  if (call->answered) {
    r.outcome = std::string(brain::outcome_label(call->transferred ? brain::Outcome::transferred : res.result.outcome));
    if (!res.result.summary.empty()) r.summary = res.result.summary;
  } else if (end.status == "no_answer" || end.status == "busy") {
    r.outcome = std::string(brain::outcome_label(brain::Outcome::no_answer));
  }
  for (const auto& t : res.turns) r.turn_metrics.push_back(turn_metrics_entry(t, call->silence_threshold_ms));
  r.system_info["remoteHangup"] = end.remote_hangup;
  r.system_info["callerSpoke"] = res.caller_spoke;
  if (res.result.callback_at) r.system_info["callbackAt"] = to_iso8601(*res.result.callback_at);
  if (res.result.do_not_call) r.system_info["doNotCall"] = true;
  if (!res.result.memories.empty()) r.system_info["memories"] = res.result.memories;
  if (call->sip) {
    if (auto m = call->sip->media()) {
      const auto& s = m->stats();
      r.system_info["rtp"] = {{"packetsSent", s.packets_sent.load()},       {"packetsReceived", s.packets_received.load()},
                              {"packetsLost", s.packets_lost.load()},       {"packetsConcealed", s.packets_concealed.load()},
                              {"malformed", s.malformed.load()},            {"jitterUs", s.jitter_us.load()},
                              {"peerReportedLost", s.peer_reported_lost.load()}};
    }
    r.system_info["sipCallId"] = call->sip->call_id();
  }
  // The time in each step of the campaign's call flow (issue 18 §5), with the template figures.
  std::optional<store::CallFlowUse> flow_use;
  if (call->flow && call->answered) {
    flow_use.emplace();
    flow_use->ws = r.workspace_id;
    flow_use->campaign_id = call->info.campaign_id;
    flow_use->template_ids = call->flow->template_ids();
    {
      std::lock_guard lock(call->mutex);
      flow_use->phase_seconds = call->phases.seconds(ended);
    }
    const std::string o = r.outcome.value_or("");
    flow_use->success = store::CallStore::counts_as_success(o);
    r.system_info["phaseSeconds"] = flow_use->phase_seconds;
    // What became of each step (skipped, met, not met: brain/call_flow.hpp StepResult).
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& st : res.result.flow_steps) steps.push_back({{"phase", st.phase}, {"result", st.result}});
    if (!steps.empty()) r.system_info["callFlowSteps"] = std::move(steps);
  }
  // The record and the end of the live row in one transaction (one WAL commit per call fewer).
  if (auto ok = store.db().write([&](store::Connection& c) -> Result<void> {
        if (auto stored = calls.insert(r); !stored) {
          spdlog::error("call {}: cannot store the call record: {}", r.id, stored.error().message);
          return {};  // the live row still ends
        }
        if (flow_use)
          if (auto used = store::ScriptTemplateRepository::record_call(c, *flow_use); !used)
            spdlog::error("call {}: cannot update the call flow's figures: {}", r.id, used.error().message);
        return calls.live_end(r.id);
      });
      !ok)
    spdlog::error("call {}: cannot end the live call: {}", r.id, ok.error().message);
  // Only now, with the record committed, do observers learn of the end
  // (call_events.hpp: the dialer's and the outcome loop's crash safety).
  const CallOutcome outcome = outcome_of(*call, end, res, ended);
  call->emit_answered();  // a call that ended before its answer's event ran
  CallEvents* own = call->own_observer.get();
  call->emit([&outcome, own](CallEvents& o) {
    if (&o != own) o.call_ended(outcome);
  });
  std::shared_ptr<pipeline::CallPipeline> pipeline;
  std::shared_ptr<telephony::SipCall> sip;
  {
    std::lock_guard lock(mutex);
    active.erase(r.id);
    std::lock_guard call_lock(call->mutex);
    pipeline = std::move(call->pipeline);
    sip = std::move(call->sip);
  }
  // The call's own observer (the dialer) once it no longer counts as in progress.
  if (own)
    call->emit([outcome, own](CallEvents& o) {
      if (&o == own) o.call_ended(outcome);
    });
}

CallOutcome CallService::Impl::outcome_of(ActiveCall& call, const telephony::CallEnd& end,
                                          const pipeline::PipelineResult& res,
                                          std::chrono::system_clock::time_point ended) const {
  const store::CallRecord& r = call.record;
  CallOutcome o;
  o.call_id = r.id;
  o.workspace = r.workspace_id;
  o.agent_id = r.agent_id;
  o.contact_id = r.contact_id;
  o.job_id = r.job_id.value_or("");
  o.job_call_id = r.job_call_id.value_or("");
  o.direction = r.direction;
  o.from_phone = r.from_phone;
  o.to_phone = r.to_phone;
  {
    std::lock_guard lock(call.mutex);
    if (call.answered) o.started_at = call.answered_at;
  }
  o.ended_at = ended;
  o.duration_s = r.duration_s;
  o.status = parse_call_status(end.status);
  if (end.sip_code) o.sip_code = end.sip_code;
  o.end_reason = r.error_message.value_or("");
  o.remote_hangup = end.remote_hangup;
  o.invalid_number = end.sip_code && sip_code_means_invalid_number(end.sip_code);
  if (r.outcome) o.outcome = brain::parse_outcome(*r.outcome);
  o.summary = r.summary.value_or("");
  o.callback_at = res.result.callback_at;
  o.do_not_call = res.result.do_not_call;
  o.memories = res.result.memories;
  o.caller_spoke = res.caller_spoke;
  o.amd_verdict = res.amd_verdict;
  o.turns = res.turns;
  o.silence_threshold_ms = call.silence_threshold_ms;
  return o;
}


Result<std::shared_ptr<ActiveCall>> CallService::Impl::prepare(const model::AgentConfig& agent,
                                                               const model::SettingsSnapshot& settings,
                                                               const std::string& direction,
                                                               const std::string& from_phone, const std::string& to_phone,
                                                               std::string contact_name, bool match_contact,
                                                               const nlohmann::json& variables,
                                                               const std::string& sip_endpoint, const PlaceCall* links,
                                                               const std::string& session_id,
                                                               const model::SwarmConfiguration* configuration,
                                                               const std::string& transfer_to) {
  const bool outbound = direction == "outbound";
  auto call = std::make_shared<ActiveCall>(*this);
  if (links) call->own_observer = links->events;
  auto& r = call->record;
  r.id = links && !links->call_id.empty() ? links->call_id : new_id();
  if (links && !links->job_id.empty()) r.job_id = links->job_id;
  if (links && !links->job_call_id.empty()) r.job_call_id = links->job_call_id;
  r.agent_id = agent.id;
  r.workspace_id = WorkspaceId(agent.workspace_id);
  r.placed_at = now_iso8601();  // inbound: the INVITE arrived; outbound: reset as it leaves
  call->outbound = outbound;
  if (links) {
    r.campaign_id = links->campaign_id;
    r.swarm_agent_id = links->swarm_agent_id;
    r.callee_time_zone = links->time_zone;
  }
  const WorkspaceId& ws = r.workspace_id;
  r.direction = direction;
  r.from_phone = from_phone;
  r.to_phone = to_phone;
  call->agent_name = agent.name;
  call->silence_threshold_ms = agent.silence_threshold_ms;

  // The contact: matched by phone, created when auto_create_contacts is on.
  const std::string& their_phone = outbound ? to_phone : from_phone;
  if (match_contact && !their_phone.empty()) {
    if (auto c = calls.contact_by_phone(ws, their_phone); c && *c) {
      r.contact_id = (*c)->first;
      contact_name = (*c)->second;
    } else {
      if (settings.auto_create_contacts)
        if (auto id = calls.create_contact(ws, contact_name.empty() ? their_phone : contact_name, their_phone))
          r.contact_id = *id;
    }
  }
  std::vector<std::string> memories;
  if (r.contact_id)
    if (auto m = calls.memories_of(ws, *r.contact_id)) memories = *m;

  EngineRequest er{agent, settings, contact_name, their_phone, memories, variables, outbound, r.id, cfg.conversation,
                   links ? links->time_zone : std::string()};
  // A campaign's call flow (issue 18 §5) drives the brain's phases.
  if (links && !links->campaign_id.empty()) {
    // {{campaign.name}} of the agent's instruction template (issue 19 §2).
    if (auto campaign = store.campaigns().get(ws, links->campaign_id); campaign && (*campaign)["name"].is_string())
      er.campaign_name = (*campaign)["name"].get<std::string>();
    const std::string script_version =
        variables.is_object() && variables.contains("scriptVersion") && variables["scriptVersion"].is_string()
            ? variables["scriptVersion"].get<std::string>()
            : std::string();
    auto rows = store.script_templates().flow_for_call(ws, links->campaign_id, script_version);
    if (!rows) return std::unexpected(rows.error());
    if (!rows->empty()) call->flow = er.call_flow = std::make_shared<const brain::CallFlow>(brain::call_flow_from_rows(*rows));
  }
  auto built = engines.build(store, er);
  if (!built) return std::unexpected(built.error());
  call->system_info = built->system_info;
  if (configuration && links) {
    // The campaign's escalation triggers (issue 18 §6) watch the callee's
    // turns: an alert (activity, webhook, realtime) and, with a target, the hand-off.
    call->system_info["configuration"] = configuration->id;
    std::weak_ptr<ActiveCall> weak_call = call;
    built->brain = escalating_brain(
        std::move(built->brain), configuration->triggers, transfer_to,
        [weak_call, transfer_to, campaign = links->campaign_id, member = links->swarm_agent_id](const Escalation& e) {
          auto c = weak_call.lock();
          if (!c) return;
          nlohmann::json alert = {{"trigger", e.trigger}, {"detail", e.detail}, {"utterance", e.utterance},
                                  {"transferTo", transfer_to.empty() ? nlohmann::json(nullptr) : nlohmann::json(transfer_to)},
                                  {"at", now_iso8601()}};
          spdlog::info("call {}: escalation ({}: {})", c->record.id, e.trigger, e.detail);
          {
            std::lock_guard lock(c->mutex);
            c->system_info["escalation"] = alert;
          }
          if (auto ok = c->svc.store.swarm_configurations().record_escalation(c->record.workspace_id, campaign, c->record.id,
                                                                              c->record.agent_id, member, alert);
              !ok)
            spdlog::warn("call {}: cannot record its escalation: {}", c->record.id, ok.error().message);
          c->emit([id = c->record.id, detail = alert.dump()](CallEvents& o) { o.event(id, "escalation", detail); });
        });
  }
  call->record_audio = cfg.record && (!links || links->record);
  if (cfg.record && links && !links->record) call->system_info["recording"] = "disabled by the campaign";
  pipeline::PipelineConfig pc = built->pipeline;
  pc.outbound = outbound;
  pc.conversation = cfg.conversation;
  pc.detect_answering_machine = cfg.detect_answering_machine;
  if (call->record_audio && !cfg.recordings_dir.empty()) pc.recording_path = recording_path(r.id);
  std::weak_ptr<ActiveCall> weak = call;
  pipeline::PipelineHooks hooks;
  hooks.hang_up = [weak] {
    if (auto c = weak.lock(); c && c->sip) c->sip->hangup();
  };
  hooks.transfer = [weak](const std::string& target) {
    if (auto c = weak.lock(); c && c->sip) c->sip->transfer(target);
  };
  hooks.on_event = [weak](const std::string& name, const std::string& detail) {
    auto c = weak.lock();
    if (!c) return;
    spdlog::debug("call {}: {} {}", c->record.id, name, detail);
    if (name == "phase") {
      c->svc.calls.live_status_later(c->record.id, "connected", detail);
      std::lock_guard lock(c->mutex);
      c->phases.enter(detail, std::chrono::system_clock::now());
    }
    if (name == "transfer") {
      c->svc.calls.live_status_later(c->record.id, "transferring");
      c->status("transferring");
    }
    c->emit([id = c->record.id, name, detail](CallEvents& o) { o.event(id, name, detail); });
  };
  if (call->observed()) {
    hooks.on_live_line = [weak](const model::TranscriptLine& line) {
      if (auto c = weak.lock()) c->emit([id = c->record.id, line](CallEvents& o) { o.transcript(id, line); });
    };
    hooks.on_levels = [weak](int agent_gain, int customer_gain, std::string_view speaker) {
      if (auto c = weak.lock())
        c->emit([id = c->record.id, agent_gain, customer_gain, speaker = std::string(speaker)](CallEvents& o) {
          o.levels(id, agent_gain, customer_gain, speaker);
        });
    };
  }
  // After each brain turn: agent_turn, and a "stop calling me" reported at
  // once (do_not_call_heard), not after the call, which a crash may never reach.
  hooks.on_turn = [weak, dnc_reported = std::make_shared<std::atomic<bool>>(false)](const brain::Reply& reply) {
    auto c = weak.lock();
    if (!c) return;
    if (reply.do_not_call && !dnc_reported->exchange(true))
      c->emit([self = c.get()](CallEvents& o) { o.do_not_call_heard(self->info); });  // info read under the channel lock
    c->emit([id = c->record.id, reply](CallEvents& o) { o.agent_turn(id, reply); });
  };
  auto pipeline = pipeline::CallPipeline::create(pc, std::move(built->stt), built->tts, std::move(built->brain), *pool,
                                                 std::move(hooks));
  if (!pipeline) return std::unexpected(pipeline.error());
  call->pipeline = *pipeline;

  store::LiveCall live{r.id, r.agent_id, call->agent_name, contact_name, their_phone, direction,
                       outbound ? "connecting" : "ringing", now_iso8601(), sip_endpoint, session_id, cfg.node, call->record_audio};
  live.workspace_id = ws.value;
  if (links) {
    live.campaign_id = links->campaign_id;
    live.campaign_name = links->campaign_name;
  }
  if (auto ok = calls.live_begin(live); !ok) return std::unexpected(ok.error());
  CallInfo& info = call->info;
  info.call_id = r.id;
  info.workspace_id = ws.value;
  info.agent_id = r.agent_id;
  info.agent_name = call->agent_name;
  info.contact_id = r.contact_id;
  info.customer_name = contact_name;
  info.customer_phone = their_phone;
  info.direction = direction;
  info.from_phone = from_phone;
  info.to_phone = to_phone;
  info.campaign_id = live.campaign_id;
  info.campaign_name = live.campaign_name;
  info.job_id = r.job_id.value_or("");
  info.job_call_id = r.job_call_id.value_or("");
  info.sip_endpoint = sip_endpoint;
  info.session_id = session_id;
  info.is_recording = live.is_recording;
  info.started_at = live.start_time;
  std::lock_guard lock(mutex);
  active[r.id] = call;
  return call;
}

Result<model::AgentConfig> CallService::Impl::find_agent(const WorkspaceId& ws, const std::string& id_or_name) {
  auto id = calls.agent_id(ws, id_or_name);
  if (!id) return std::unexpected(id.error());
  if (!*id) {
    Error e = Error::not_found("no agent with id or name '" + id_or_name + "'");
    e.fields.push_back({"agentId", "unknown agent"});
    return std::unexpected(e);
  }
  auto agent = store.agents().config(ws, **id);
  if (!agent) return std::unexpected(agent.error());
  if (!agent->enabled) return std::unexpected(Error::conflict("agentId", "the agent is disabled"));
  return agent;
}

bool CallService::Impl::admits_source(const std::string& ip) {
  // Until trunks carry their own (issue 21), the server admits a source that
  // any workspace's sip_inbound_sources or trunk admits; loopback always.
  auto workspaces = store.settings().snapshots_across_workspaces({"sip_inbound_sources", "sip_trunk"});
  std::vector<std::string> networks, hosts;
  if (workspaces)
    for (const auto& [ws, s] : *workspaces) networks.insert(networks.end(), s.sip_inbound_sources.begin(), s.sip_inbound_sources.end());
  if (cfg.trunk) hosts.push_back(cfg.trunk->uri);
  if (workspaces)
    for (const auto& [ws, s] : *workspaces)
      if (!s.sip_trunk.uri.empty()) hosts.push_back(s.sip_trunk.uri);
  for (auto& uri : hosts) {
    // The trunk's host as parse_trunk_uri leaves it ("sip:host[:port]" or
    // "sip:[v6]:port": no user part or parameters, which a setting may carry).
    std::string host;
    if (auto parsed = telephony::parse_trunk_uri(uri)) {
      const std::string rest = parsed->uri.substr(4);
      host = rest.front() == '[' ? rest.substr(1, rest.find(']') - 1) : rest.substr(0, rest.find(':'));
    }
    uri = host;
  }
  const std::string first_host = hosts.empty() ? std::string() : hosts.front();
  auto policy = InboundSourcePolicy::make(networks, first_host);
  if (!policy) {
    spdlog::error("sip_inbound_sources: {}", policy.error().message);
    return false;
  }
  if (policy->admits(ip)) return true;
  for (std::size_t i = 1; i < hosts.size(); ++i)
    if (auto one = InboundSourcePolicy::make({}, hosts[i]); one && one->admits(ip)) return true;
  return false;
}

std::optional<CallService::Impl::InboundRoute> CallService::Impl::route_inbound(const std::string& to_user) {
  auto routes = store.settings().snapshots_across_workspaces({"inbound_numbers", "default_region"});
  if (!routes) return std::nullopt;
  // An exact number wins over a workspace's "*" catch-all.
  for (bool catch_all : {false, true})
    for (const auto& [ws, s] : *routes) {
      const auto& table = s.inbound_numbers;
      std::string dialed = to_user;
      if (auto p = model::normalize_phone(to_user, s.default_region)) dialed = p->e164;
      const std::vector<std::string> numbers =
          catch_all ? std::vector<std::string>{"*"} : std::vector<std::string>{to_user, dialed};
      for (const auto& number : numbers)
        if (auto it = table.find(number); it != table.end()) return InboundRoute{ws, it->second, dialed};
    }
  return std::nullopt;
}

std::size_t CallService::Impl::calls_in(const WorkspaceId& ws) const {
  std::lock_guard lock(mutex);
  std::size_t n = 0;
  for (const auto& [id, c] : active)
    if (c->record.workspace_id == ws) ++n;
  return n;
}

std::optional<std::size_t> CallService::Impl::tier_call_limit(const WorkspaceId& ws) const {
  auto w = store.access().workspace(ws);
  if (!w) return std::nullopt;
  auto tier = access::parse_tier(w->tier);
  access::TierLimits limits = access::limits_of(tier ? *tier : access::Tier::free);
  if (auto applied = access::apply_overrides(limits, w->limits)) limits = *applied;
  if (!limits.concurrent_calls) return std::nullopt;
  return static_cast<std::size_t>(*limits.concurrent_calls);
}

telephony::IncomingDecision CallService::Impl::incoming(const telephony::IncomingCall& in) {
  // The inbound source policy first (docs/SECURITY.md): an INVITE from
  // outside sip_inbound_sources (default loopback) and the trunks allocates nothing.
  if (!admits_source(in.source_ip)) {
    spdlog::info("inbound call from {} ({}): source not in sip_inbound_sources, 403", in.source_ip, in.from_user);
    return {nullptr, 403, "Forbidden"};
  }
  // settings.inbound_numbers of each workspace: dialed number (as dialed, or
  // in E.164) → agent id or name; "*" catches the rest.
  auto route = route_inbound(in.to_user);
  if (!route) {
    spdlog::info("inbound call to {} from {}: no agent assigned (settings.inbound_numbers)", in.to_user, in.from_user);
    return {nullptr, 404, "Not Found"};
  }
  const WorkspaceId& ws = route->workspace;
  // The workspace's settings, read once for this call.
  auto settings = store.settings().snapshot(ws);
  if (!settings) {
    spdlog::error("inbound call to {}: settings of workspace {}: {}", in.to_user, ws.value, settings.error().message);
    return {nullptr, 503, "Service Unavailable"};
  }
  // The workspace's cap on calls in progress (setting max_concurrent_calls).
  if (const int64_t cap = settings->max_concurrent_calls; cap > 0) {
    const std::size_t now = calls_in(ws);
    if (now >= static_cast<std::size_t>(cap)) {
      spdlog::warn("inbound call from {}: {} calls in progress (max_concurrent_calls), 503", in.from_user, now);
      return {nullptr, 503, "Service Unavailable", std::nullopt, kRetryAfterBusyS};
    }
  }
  if (auto limit = tier_call_limit(ws); limit && calls_in(ws) >= *limit) {
    spdlog::warn("inbound call from {}: the workspace is at its tier's {} calls (concurrentCalls), 503", in.from_user, *limit);
    return {nullptr, 503, "Service Unavailable", std::nullopt, kRetryAfterBusyS};
  }
  auto agent = find_agent(ws, route->agent);
  if (!agent) {
    spdlog::info("inbound call to {}: {}", in.to_user, agent.error().message);
    return agent.error().code == ErrorCode::conflict ? telephony::IncomingDecision{nullptr, 480, "Temporarily Unavailable"}
                                                     : telephony::IncomingDecision{nullptr, 404, "Not Found"};
  }
  std::string caller = in.from_user;
  bool is_phone = false;
  if (auto p = model::normalize_phone(in.from_user, settings->default_region)) {
    caller = p->e164;
    is_phone = true;
  }
  auto call = prepare(*agent, *settings, "inbound", caller, route->dialed, "", is_phone, nlohmann::json::object(), in.from_uri,
                      nullptr, in.call_id);
  if (!call) {
    spdlog::warn("inbound call from {}: {}", in.from_user, call.error().message);
    return {nullptr, 503, "Service Unavailable"};
  }
  (*call)->emit_created(in.call_id);
  (*call)->status("ringing");
  spdlog::info("call {}: inbound from {} to {} for agent {}", (*call)->record.id, caller, route->dialed,
               (*call)->agent_name);
  return {*call, 0, ""};
}

CallService::CallService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CallService::~CallService() {
  // Hang up what is still running and let the records be written.
  std::vector<std::shared_ptr<ActiveCall>> left;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [id, c] : impl_->active) left.push_back(c);
  }
  for (auto& c : left)
    if (c->sip) c->sip->hangup();
  for (int i = 0; i < 200 && active_calls() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  impl_->sip.reset();    // ends anything left (on_ended → finalize on the pool)
  impl_->finalizers.reset();  // runs the queued finalizations (they use the pool)
  impl_->pool.reset();
  impl_->media.reset();
}

Result<std::unique_ptr<CallService>> CallService::create(store::Store& store, CallServiceConfig config) {
  auto impl = std::make_unique<Impl>(store, std::move(config));
  auto& d = *impl;
  // Half the workers run only turn-critical tasks (end of turn, replies,
  // greetings); the other half streaming recognition and the rest, at nice 5.
  d.pool = std::make_unique<WorkerPool>(d.cfg.worker_threads, "voqo-call",
                                        LaneSplit{.urgent_threads = d.cfg.worker_threads / 2, .background_nice = 5});
  d.finalizers = std::make_unique<WorkerPool>(std::max(2, d.cfg.worker_threads), "voqo-finish");
  auto media = telephony::MediaEngine::create(
      {d.cfg.media_threads, d.cfg.sip_listen_ip, d.cfg.rtp_port_min, d.cfg.rtp_port_max});
  if (!media) return std::unexpected(media.error());
  d.media = std::move(*media);
  telephony::SipUserAgent::Config sc;
  sc.listen_ip = d.cfg.sip_listen_ip;
  sc.port = d.cfg.sip_port;
  sc.media_ip = d.cfg.media_ip;
  sc.rtp_timeout = d.cfg.rtp_timeout;
  sc.invite_rate_per_source = d.cfg.invite_rate_per_source;
  sc.invite_burst = d.cfg.invite_burst;
  auto sip = telephony::SipUserAgent::create(sc, *d.media);
  if (!sip) return std::unexpected(sip.error());
  d.sip = std::move(*sip);
  d.sip->set_incoming_handler([impl = &d](const telephony::IncomingCall& in) { return impl->incoming(in); });
  std::unique_ptr<CallService> service(new CallService(std::move(impl)));
  spdlog::info("SIP listening on {}:{} (udp/tcp)", service->impl_->cfg.sip_listen_ip, service->sip_port());
  return service;
}

Result<std::string> CallService::place_call(const PlaceCall& request) {
  auto& d = *impl_;
  if (request.workspace.empty()) return std::unexpected(Error::invalid("workspace", "a call needs its workspace"));
  auto agent = d.find_agent(request.workspace, request.agent);
  if (!agent) return std::unexpected(agent.error());
  if (auto limit = d.tier_call_limit(request.workspace); limit && d.calls_in(request.workspace) >= *limit)
    return std::unexpected(Error::forbidden("concurrentCalls", "this workspace's tier allows " + std::to_string(*limit) +
                                                                   " calls at once (limit concurrentCalls)"));

  // The workspace's settings, read once for this call.
  auto settings = d.store.settings().snapshot(request.workspace);
  if (!settings) return std::unexpected(settings.error());
  // The campaign's configuration (issue 18 §6) overrides the agent's
  // settings; the swarm agent's own variant (voice, personality) wins over it.
  std::optional<model::SwarmConfiguration> configuration;
  nlohmann::json variables = request.variables;
  std::string escalate_to;
  if (!request.campaign_id.empty()) {
    auto found = d.store.swarm_configurations().for_campaign(request.workspace, request.campaign_id);
    if (!found) return std::unexpected(found.error());
    configuration = std::move(*found);
  }
  if (configuration) {
    model::apply_swarm_configuration(*configuration, *agent, *settings, variables);
    if (const std::string t = configuration->transfer_target(); !t.empty()) {
      if (auto target = model::transfer_target(t, settings->default_region)) escalate_to = *target;
      else spdlog::warn("campaign {}: transferNumber {} is not usable ({}): escalations only alert", request.campaign_id, t,
                        target.error().message);
    }
  }
  if (!request.voice_id.empty()) agent->voice.id = request.voice_id;  // a swarm agent's variant
  // A sip: URI is dialed as is; anything else is a phone number for the trunk.
  const bool is_uri = request.to.rfind("sip:", 0) == 0;
  std::string to = request.to;
  if (!is_uri) {
    auto phone = model::normalize_phone(to, settings->default_region);
    if (!phone) return std::unexpected(Error::invalid("to", phone.error().message));
    to = phone->e164;
  }
  const telephony::SipTrunk trunk = d.trunk(*settings);
  if (!is_uri && trunk.uri.empty())
    return std::unexpected(Error::invalid("trunk", "no SIP trunk configured: set the sip_trunk setting or pass --trunk sip:host:port"));

  auto call = d.prepare(*agent, *settings, "outbound", trunk.caller_id, to, request.contact_name, !is_uri, variables,
                        trunk.uri, &request, "", configuration ? &*configuration : nullptr, escalate_to);
  if (!call) return std::unexpected(call.error());
  auto& r = (*call)->record;
  {
    std::lock_guard lock((*call)->mutex);
    (*call)->invite_at = std::chrono::steady_clock::now();
    r.placed_at = now_iso8601();
  }
  auto sip_call = d.sip->dial(to, trunk, request.ring_timeout.value_or(d.cfg.ring_timeout), *call);
  if (!sip_call) {
    {
      std::lock_guard lock(d.mutex);
      d.active.erase(r.id);
    }
    (void)d.calls.live_end(r.id);
    return std::unexpected(sip_call.error());
  }
  (*call)->sip = *sip_call;
  (*call)->emit_created((*sip_call)->call_id());
  spdlog::info("call {}: dialing {} for agent {}", r.id, to, (*call)->agent_name);
  return r.id;
}

Result<void> CallService::hang_up(const std::string& call_id) {
  std::shared_ptr<ActiveCall> c;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->active.find(call_id);
    if (it == impl_->active.end()) return std::unexpected(Error::not_found("no call in progress with id " + call_id));
    c = it->second;
  }
  if (c->sip) c->sip->hangup();
  return {};
}

Result<std::shared_ptr<ActiveCall>> CallService::Impl::live_call(const std::string& call_id,
                                                                 std::shared_ptr<pipeline::CallPipeline>& pipeline,
                                                                 std::shared_ptr<telephony::SipCall>& sip) {
  std::lock_guard lock(mutex);
  auto it = active.find(call_id);
  if (it == active.end() || it->second->ended.load() || !it->second->pipeline)
    return std::unexpected(Error::not_found("no call in progress with id " + call_id));
  pipeline = it->second->pipeline;
  sip = it->second->sip;
  return it->second;
}

Result<void> CallService::supervise(const std::string& call_id, const SupervisorCommand& cmd) {
  auto& d = *impl_;
  std::shared_ptr<pipeline::CallPipeline> p;
  std::shared_ptr<telephony::SipCall> sip;
  auto call = d.live_call(call_id, p, sip);
  if (!call) return std::unexpected(call.error());
  bool answered = false;
  {
    std::lock_guard lock((*call)->mutex);
    answered = (*call)->answered;
  }
  switch (cmd.kind) {
    case SupervisorCommand::Kind::coach:
      if (cmd.text.find_first_not_of(" \t\r\n") == std::string::npos)
        return std::unexpected(Error::invalid("text", "a coaching whisper needs text"));
      p->coach(cmd.text);
      return {};
    case SupervisorCommand::Kind::take_over: p->take_over(); return {};
    case SupervisorCommand::Kind::release: p->release(); return {};
    case SupervisorCommand::Kind::transfer: {
      auto target = model::transfer_target(cmd.target, d.store.settings().default_region((*call)->record.workspace_id));
      if (!target) return std::unexpected(target.error());
      if (!answered) return std::unexpected(Error{ErrorCode::conflict, "the call is not connected yet", {}});
      p->transfer(*target);
      return {};
    }
    case SupervisorCommand::Kind::end_call:
      if (!answered) {
        if (sip) sip->hangup();
      } else {
        p->end_call(cmd.text);
      }
      return {};
  }
  return std::unexpected(Error::bad_request("unknown supervisor command"));
}

Result<std::shared_ptr<SupervisorAudio>> CallService::join_audio(const WorkspaceId& ws, const std::string& call_id) {
  std::shared_ptr<pipeline::CallPipeline> p;
  std::shared_ptr<telephony::SipCall> sip;
  auto call = impl_->live_call(call_id, p, sip);
  if (!call) return std::unexpected(call.error());
  if ((*call)->record.workspace_id != ws) return std::unexpected(Error::not_found("no call " + call_id + " in progress"));
  auto leg = p->join();
  if (!leg) return std::unexpected(leg.error());
  return std::shared_ptr<SupervisorAudio>(std::make_shared<SupervisorAudioLeg>(std::move(*leg)));
}

namespace {

bool truthy(const nlohmann::json& v) { return v.is_boolean() ? v.get<bool>() : v.is_number() && v != 0; }

/// The call-record transcript of a call cut by a crash: its final agent and
/// caller lines in live_transcripts, in order (interim hypotheses and
/// supervisor lines are not part of a call's transcript).
nlohmann::json stored_transcript(store::LiveStore& live, const WorkspaceId& ws, const std::string& call_id) {
  auto out = nlohmann::json::array();
  auto rows = live.transcript(ws, call_id);
  if (!rows) {
    spdlog::warn("recover {}: transcript: {}", call_id, rows.error().message);
    return out;
  }
  for (const auto& l : *rows) {
    const std::string speaker = l.value("speaker", "");
    if (!truthy(l.value("isFinal", nlohmann::json(false))) || (speaker != "agent" && speaker != "caller")) continue;
    out.push_back({{"speaker", speaker},
                   {"text", l.value("text", "")},
                   {"startMs", l.value("startMs", int64_t{0})},
                   {"endMs", l.value("endMs", int64_t{0})},
                   {"confidence", l.value("confidence", 1.0)},
                   {"interrupted", truthy(l.value("interrupted", nlohmann::json(false)))}});
  }
  return out;
}

}  // namespace

Result<int> CallService::recover_interrupted() {
  auto& d = *impl_;
  auto orphans = d.calls.live_orphans(d.cfg.node);
  if (!orphans) return std::unexpected(orphans.error());
  int n = 0;
  for (const auto& l : *orphans) {
    store::CallRecord r;
    r.id = l.call_id;
    r.workspace_id = WorkspaceId(l.workspace_id);
    r.agent_id = l.agent_id;
    r.direction = l.direction;
    r.status = "failed";
    (l.direction == "inbound" ? r.from_phone : r.to_phone) = l.customer_phone;
    r.error_message = "interrupted";
    r.started_at = l.start_time;
    r.placed_at = l.start_time;
    r.campaign_id = l.campaign_id;
    if (auto job = d.calls.job_call_of(l.call_id); job && *job) {
      r.job_id = (*job)->first;
      r.job_call_id = (*job)->second;
    }
    // What the call had already left: its transcript lines, and the
    // recording up to the crash (a WAV again once its header has its sizes).
    r.transcript = stored_transcript(d.store.live(), r.workspace_id, l.call_id);
    if (!d.cfg.recordings_dir.empty()) {
      const auto wav = d.recording_path(l.call_id);
      auto audio = pipeline::repair_recording(wav);
      if (audio && *audio > 0) {
        r.recording_url = "/api/calls/" + r.id + "/recording";
        r.duration_s = pipeline::recording_seconds(*audio);
      } else if (audio) {
        std::error_code ec;
        std::filesystem::remove(wav, ec);  // a header and no audio: nothing to keep
      } else if (audio.error().code != ErrorCode::not_found) {
        spdlog::warn("recover {}: recording: {}", l.call_id, audio.error().message);
      }
    }
    if (auto ok = d.calls.insert(r); !ok) spdlog::warn("recover {}: {}", l.call_id, ok.error().message);
    (void)d.calls.live_end(l.call_id);
    // Its live data becomes history like any ended call's (call_analytics).
    if (auto ok = d.store.live().finish(l.call_id, {{"status", "failed"}, {"errorMessage", "interrupted"}}); !ok)
      spdlog::warn("recover {}: analytics: {}", l.call_id, ok.error().message);
    ++n;
  }
  if (d.cfg.record && !d.cfg.recordings_dir.empty()) remove_empty_recordings();
  return n;
}

void CallService::remove_empty_recordings() {
  auto& d = *impl_;
  const auto& dir = d.cfg.recordings_dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  if (auto narrowed = restrict_mode(dir, kPrivateDirMode); !narrowed)
    spdlog::warn("recordings: {} (recordings stay readable by others)", narrowed.error().message);
  int removed = 0;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    std::error_code fec;
    if (path.extension() != ".wav" || !it->is_regular_file(fec)) continue;
    const auto size = it->file_size(fec);
    if (fec || size > pipeline::kWavHeaderBytes) continue;
    const std::string id = path.stem().string();
    {
      std::lock_guard lock(d.mutex);
      if (d.active.contains(id)) continue;
    }
    // A record that points at it keeps it (an answered call that recorded
    // nothing still has its WAV), and so does another node's call in
    // progress (a shared folder) that may be writing it.
    if (auto kept = d.calls.recording_in_use(id); !kept || *kept) continue;
    if (std::filesystem::remove(path, fec)) ++removed;
  }
  if (removed > 0) spdlog::info("recordings: removed {} recording(s) without audio left in {}", removed, dir.string());
}

std::optional<std::size_t> CallService::call_room(const WorkspaceId& ws) const {
  auto limit = impl_->tier_call_limit(ws);
  if (!limit) return std::nullopt;
  const std::size_t now = impl_->calls_in(ws);
  return now >= *limit ? 0 : *limit - now;
}

std::size_t CallService::active_calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->active.size();
}

std::size_t CallService::stt_decoders_in_use() const { return impl_->engines.stt_decoders_in_use(); }

const telephony::MediaEngine& CallService::media_engine() const { return *impl_->media; }
telephony::MediaEngine& CallService::media_engine() { return *impl_->media; }

uint16_t CallService::sip_port() const { return impl_->sip->udp_port() ? impl_->sip->udp_port() : impl_->sip->tcp_port(); }

}  // namespace voqo::calls
