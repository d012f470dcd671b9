#include "telephony/sip_agent.hpp"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <unistd.h>

#include "core/log.hpp"
#include "telephony/sdp_offer.hpp"
#include "telephony/sdp_session.hpp"

// libre last: its headers define macros (e.g. true/false helpers) that other headers dislike.
#include <re.h>

namespace voqo::telephony {
namespace {

constexpr int kTelephoneEventPt = 101;
/// The SIP thread's housekeeping tick (ring timeouts; the media timeout every 1 s), ms.
constexpr int kHousekeepingMs = 100;
std::atomic<bool> g_agent_exists{false};

/// mem_deref() that keeps the pointer's type: `p = deref(p)` releases and nulls.
template <class T>
T* deref(T* p) {
  mem_deref(p);
  return nullptr;
}

std::string to_string(const pl& p) { return std::string(p.p ? p.p : "", p.l); }

/// A command for the SIP thread, pushed through libre's mqueue.
using Command = std::function<void()>;

std::string status_for_failure(int code) {
  if (code == 486 || code == 600) return "busy";
  if (code == 408 || code == 480 || code == 487) return "no_answer";
  return "failed";
}

std::string host_of(const sa& addr) {
  char buf[64] = {};
  sa_ntop(&addr, buf, sizeof buf);
  return buf;
}

class LibreUserAgent;
void sip_exit_handler(void* arg);
void housekeeping_handler(void* arg);
void ring_timeout(class LibreCall* call);

/// SipCall over libre: one dialog (a `sipsess`), its SDP session and media
/// stream. Lives on the SIP thread; LibreUserAgent::calls_ keeps it alive
/// while libre holds its pointer.
class LibreCall final : public SipCall, public std::enable_shared_from_this<LibreCall> {
 public:
  LibreCall(LibreUserAgent& agent, std::shared_ptr<SipCallObserver> observer, bool outbound)
      : agent_(agent), observer_(std::move(observer)), outbound_(outbound) {
    tmr_init(&ring_timer_);
  }
  ~LibreCall() override;

  void hangup() override;
  void transfer(const std::string& target) override;
  Result<void> send_dtmf(const std::string& digits) override {
    auto m = media();
    if (!m) return std::unexpected(Error::conflict("digits", "media has not started"));
    return m->send_dtmf(digits);
  }
  std::shared_ptr<MediaStream> media() const override {
    std::lock_guard lock(mutex_);
    return media_;
  }
  std::string call_id() const override {
    std::lock_guard lock(mutex_);
    return call_id_;
  }

  // SIP-thread side.
  /// Opens sdp_ at `local_ip` and our RTP port with the trunk's codecs; returns our offer.
  Result<mbuf*> build_sdp(const sa& local_ip);
  /// Starts the media stream as sdp_'s negotiation decided.
  Result<void> start_media_from_sdp();
  void finish(CallEnd end);
  void release_sip();

  LibreUserAgent& agent_;
  std::shared_ptr<SipCallObserver> observer_;
  bool outbound_;
  sipsess* sess_ = nullptr;
  SdpSession sdp_;  ///< our audio stream and the peer's last description (sdp_session.hpp)
  sipsub* refer_ = nullptr;
  tmr ring_timer_;  ///< incoming: the delayed answer
  /// Outbound: when an unanswered INVITE is given up (checked by the agent's
  /// housekeeping tick, not a libre timer: libre 1.1 inserts a timer by
  /// walking its sorted list from the tail, past every later timer, and a
  /// busy trunk leaves tens of thousands of 32 s transaction timers there).
  std::optional<std::chrono::steady_clock::time_point> ring_deadline_;
  RtpPorts ports_;
  bool answered_ = false;
  bool ended_ = false;
  bool held_ = false;  ///< the peer's last offer put us on hold (SIP thread)
  uint64_t rx_packets_seen_ = 0;                  ///< packets_received at the last media check (SIP thread)
  std::chrono::steady_clock::time_point rx_at_;   ///< when that count last moved, or the answer / unhold
  bool hangup_requested_ = false;
  std::chrono::seconds ring_timeout_{30};
  std::string media_ip_;
  SipTrunk trunk_;
  mutable std::mutex mutex_;
  std::shared_ptr<MediaStream> media_;
  std::string call_id_;
};

/// SipUserAgent over libre: the SIP stack (`sip`, `sipsess_sock`), its own
/// thread running libre's main loop, and the admission of inbound INVITEs.
class LibreUserAgent final : public SipUserAgent {
 public:
  LibreUserAgent(Config config, MediaEngine& media) : config_(std::move(config)), media_(media) {}
  ~LibreUserAgent() override {
    if (thread_.joinable()) {
      post([this] { shutdown(); });
      thread_.join();
    }
    g_agent_exists = false;
  }

  Result<void> start() {
    std::promise<Result<void>> ready;
    auto fut = ready.get_future();
    thread_ = std::thread([this, &ready] { run(ready); });
    auto r = fut.get();
    if (!r && thread_.joinable()) thread_.join();
    return r;
  }

  Result<std::shared_ptr<SipCall>> dial(const std::string& to, const SipTrunk& trunk, std::chrono::seconds ring_timeout,
                                        std::shared_ptr<SipCallObserver> observer) override;
  void set_incoming_handler(std::function<IncomingDecision(const IncomingCall&)> handler) override {
    std::lock_guard lock(handler_mutex_);
    incoming_ = std::move(handler);
  }
  uint16_t udp_port() const override { return udp_port_; }
  uint16_t tcp_port() const override { return tcp_port_; }
  std::size_t active_calls() const override { return active_.load(); }

  void post(Command cmd) {
    auto* heap = new Command(std::move(cmd));
    if (!mq_ || mqueue_push(mq_, 0, heap) != 0) {
      delete heap;  // the loop is gone; nothing to do
    }
  }

  // SIP thread.
  void run(std::promise<Result<void>>& ready);
  void shutdown();
  void release();
  void on_incoming(const sip_msg* msg);
  /// Every second: ends answered calls whose peer sent no RTP for config_.rtp_timeout.
  void check_media();
  /// Every housekeeping tick: CANCELs outbound calls unanswered past their ring timeout.
  void check_ring_deadlines();
  void forget(LibreCall* call) {
    calls_.erase(call);
    active_.store(calls_.size());
  }
  /// The per-source INVITE rate limit (Config::invite_rate_per_source): takes
  /// a token from `ip`'s bucket; false when it is empty.
  bool admit_invite(const std::string& ip);
  /// Replies `code` to an INVITE we had accepted to handle, and ends the call
  /// with the observer (on_ended "failed"), so that what it prepared is released.
  void reject_accepted(const sip_msg* msg, const std::shared_ptr<LibreCall>& call, uint16_t code, const char* reason);

  Config config_;
  MediaEngine& media_;
  std::thread thread_;
  mqueue* mq_ = nullptr;
  sip* sip_ = nullptr;
  sipsess_sock* sess_sock_ = nullptr;
  sipevent_sock* event_sock_ = nullptr;
  dnsc* dnsc_ = nullptr;
  tmr shutdown_timer_{};
  tmr housekeeping_timer_{};
  uint64_t housekeeping_ticks_ = 0;
  uint16_t udp_port_ = 0, tcp_port_ = 0;
  std::map<LibreCall*, std::shared_ptr<LibreCall>> calls_;  // SIP thread only: keeps calls alive while libre holds their pointer
  /// INVITE token buckets per source address (SIP thread only).
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Bucket> invite_buckets_;
  Bucket overflow_bucket_;  ///< shared by new sources once kMaxRateSources are tracked
  std::atomic<std::size_t> active_{0};
  std::mutex handler_mutex_;
  std::function<IncomingDecision(const IncomingCall&)> incoming_;
};

// ---- libre callbacks ---------------------------------------------------------

int auth_handler(char** user, char** pass, const char* realm, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  if (call->trunk_.username.empty()) return EAUTH;
  int err = str_dup(user, call->trunk_.username.c_str());
  err |= str_dup(pass, call->trunk_.password.c_str());
  return err;
}

int offer_handler(mbuf** descp, const sip_msg* msg, void* arg) {
  // A re-INVITE (e.g. hold): decode the new offer and answer it.
  auto* call = static_cast<LibreCall*>(arg);
  if (!call->sdp_.decode(msg->mb, true)) return EBADMSG;
  // RFC 3264 §8.4: hold is a sendonly (or inactive) offer; RFC 2543 used c=0.0.0.0.
  if (const bool held = call->sdp_.remote_holds(); held != call->held_) {
    call->held_ = held;
    call->rx_at_ = std::chrono::steady_clock::now();
    call->observer_->on_hold(held);
  }
  auto answer = call->sdp_.encode(false);
  if (!answer) return ENOMEM;
  *descp = *answer;
  return 0;
}

int answer_handler(const sip_msg* msg, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  if (!call->sdp_.decode(msg->mb, false)) {
    spdlog::warn("sip: malformed SDP answer in {} {}", msg->scode, to_string(msg->reason));
    return EBADMSG;
  }
  return 0;
}

void progress_handler(const sip_msg* msg, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  bool early = false;
  if (msg->scode == 183 && mbuf_get_left(msg->mb) > 0 && !call->media()) {
    if (call->sdp_.decode(msg->mb, false) && call->start_media_from_sdp()) early = true;
  }
  call->observer_->on_progress(msg->scode, early);
}

void established_handler(const sip_msg* msg, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  call->ring_deadline_.reset();
  call->answered_ = true;
  call->rx_at_ = std::chrono::steady_clock::now();
  if (!call->media()) {
    if (auto r = call->start_media_from_sdp(); !r) {
      spdlog::warn("sip: cannot start media: {}", r.error().message);
      call->finish({"failed", 0, "media: " + r.error().message, true, false});
      return;
    }
  }
  auto m = call->media();
  call->observer_->on_answered(m->codec(), m->codec_rate_hz());
}

void close_handler(int err, const sip_msg* msg, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  CallEnd end;
  end.answered = call->answered_;
  if (call->answered_) {
    end.status = "completed";
    // libre's sipsess answers a BYE with 200 and closes with ECONNRESET and no message.
    end.remote_hangup = err == ECONNRESET || (msg && msg->req);
    end.reason = end.remote_hangup ? "BYE from peer" : (err ? std::string("session error: ") + std::strerror(err) : "session closed");
  } else if (!call->outbound_ && err == ECONNRESET && !msg) {
    // libre answers the caller's CANCEL with 487 and closes with ECONNRESET (RFC 3261 §9.2).
    end.status = "cancelled";
    end.remote_hangup = true;
    end.reason = "CANCEL from caller";
  } else if (msg && !msg->req && msg->scode >= 300) {
    end.sip_code = msg->scode;
    end.status = status_for_failure(msg->scode);
    end.reason = "SIP " + std::to_string(msg->scode) + " " + to_string(msg->reason);
    if (msg->scode == 401 || msg->scode == 407) end.reason += " (digest authentication failed)";
  } else {
    end.status = "failed";
    end.reason = err == ETIMEDOUT ? "no response from peer (timeout)" : std::string("SIP error: ") + std::strerror(err);
  }
  call->sess_ = deref(call->sess_);  // libre: the session is closed; release our reference
  call->finish(std::move(end));
}

void ring_timeout(LibreCall* call) {
  if (call->answered_ || call->ended_) return;
  call->release_sip();  // dereferencing an unanswered session sends CANCEL
  call->finish({"no_answer", 0, "no answer within " + std::to_string(call->ring_timeout_.count()) + " s", false, false});
}

/// IncomingDecision::answer_after elapsed: 200 OK with the SDP answer, then media.
void answer_timer_handler(void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  if (call->ended_ || !call->sess_) return;
  auto encoded = call->sdp_.encode(false);
  mbuf* answer = encoded ? *encoded : nullptr;
  if (!answer || sipsess_answer(call->sess_, 200, "OK", answer, nullptr) != 0) {
    mem_deref(answer);
    call->finish({"failed", 0, "cannot answer the call", false, false});
    return;
  }
  mem_deref(answer);
  if (auto r = call->start_media_from_sdp(); !r) {
    spdlog::warn("sip: inbound media: {}", r.error().message);
    call->finish({"failed", 0, r.error().message, false, false});
  }
}

void refer_notify_handler(sip* s, const sip_msg* msg, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  (void)sip_treply(nullptr, s, msg, 200, "OK");
  // RFC 3515 §2.4.5: the NOTIFY body is a message/sipfrag status line.
  const std::string body(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  const auto space = body.find(' ');
  const int code = space == std::string::npos ? 0 : std::atoi(body.c_str() + space + 1);
  if (code >= 200 && code < 300) {
    call->observer_->on_transfer(true, body.substr(0, body.find('\r')));
    call->hangup_requested_ = true;
    call->release_sip();
    call->finish({"completed", 0, "transferred", true, false});
  } else if (code >= 300) {
    call->observer_->on_transfer(false, body.substr(0, body.find('\r')));
  }
}

void refer_close_handler(int err, const sip_msg* msg, const sipevent_substate* substate, void* arg) {
  auto* call = static_cast<LibreCall*>(arg);
  call->refer_ = deref(call->refer_);
  if (msg && msg->scode >= 300)
    call->observer_->on_transfer(false, "REFER rejected: " + std::to_string(msg->scode) + " " + to_string(msg->reason));
  else if (err)
    call->observer_->on_transfer(false, std::string("REFER failed: ") + std::strerror(err));
}

void connect_handler(const sip_msg* msg, void* arg) { static_cast<LibreUserAgent*>(arg)->on_incoming(msg); }

void mqueue_handler(int id, void* data, void* arg) {
  std::unique_ptr<Command> cmd(static_cast<Command*>(data));
  (*cmd)();
}

// ---- LibreCall -------------------------------------------------------------

LibreCall::~LibreCall() {
  if (ports_.rtp_fd >= 0) MediaEngine::release_ports(ports_);
}

void LibreCall::release_sip() {
  tmr_cancel(&ring_timer_);
  ring_deadline_.reset();
  refer_ = deref(refer_);
  sess_ = deref(sess_);  // CANCEL before answer, BYE after (libre sipsess destructor)
}

void LibreCall::finish(CallEnd end) {
  if (ended_) return;
  ended_ = true;
  release_sip();
  std::shared_ptr<MediaStream> m;
  {
    std::lock_guard lock(mutex_);
    m = media_;
  }
  if (m) m->stop();
  sdp_.close();
  // A call that ended before its media started (busy, no answer, cancelled)
  // gives its RTP/RTCP ports back now, not when the last owner of the
  // SipCall lets go of it (the call service may hold it a while longer).
  if (ports_.rtp_fd >= 0) MediaEngine::release_ports(ports_);
  ports_ = {};
  auto self = shared_from_this();
  agent_.forget(this);
  observer_->on_ended(end);
}

Result<mbuf*> LibreCall::build_sdp(const sa& local_ip) {
  if (auto opened = sdp_.open(local_ip, ports_.port, trunk_.codecs); !opened) return std::unexpected(opened.error());
  return sdp_.encode(true);
}

Result<void> LibreCall::start_media_from_sdp() {
  StreamConfig sc;
  sc.ports = ports_;
  if (auto negotiated = sdp_.negotiate(trunk_.codecs, sc); !negotiated) return std::unexpected(negotiated.error());
  sc.cname = "voqo@" + media_ip_;
  if (!outbound_) sc.unlatched_send_limit = agent_.config_.inbound_unlatched_burst;
  auto stream = agent_.media_.start_stream(sc, observer_->media_handler());
  if (!stream) return std::unexpected(stream.error());
  ports_ = {};  // the stream owns the sockets now
  std::lock_guard lock(mutex_);
  media_ = std::move(*stream);
  return {};
}

void LibreCall::hangup() {
  auto self = shared_from_this();
  agent_.post([self] {
    if (self->ended_) return;
    self->hangup_requested_ = true;
    const bool answered = self->answered_;
    self->release_sip();
    self->finish({answered ? "completed" : "cancelled", 0, answered ? "hung up by agent" : "cancelled before answer",
                  answered, false});
  });
}

void LibreCall::transfer(const std::string& target) {
  auto self = shared_from_this();
  agent_.post([self, target] {
    if (self->ended_ || !self->sess_ || !self->answered_) {
      self->observer_->on_transfer(false, "call not established");
      return;
    }
    std::string uri = target;
    if (uri.rfind("sip:", 0) != 0 && uri.rfind("sips:", 0) != 0) {
      auto parsed = parse_trunk_uri(self->trunk_.uri);
      const std::string host = parsed ? parsed->uri.substr(4) : "invalid";
      uri = "sip:" + target + "@" + host;
    }
    int err = sipevent_drefer(&self->refer_, self->agent_.event_sock_, sipsess_dialog(self->sess_), "voqo", auth_handler,
                              self.get(), false, refer_notify_handler, refer_close_handler, self.get(),
                              "Refer-To: <%s>\r\n", uri.c_str());
    if (err) self->observer_->on_transfer(false, std::string("REFER: ") + std::strerror(err));
  });
}

// ---- LibreUserAgent --------------------------------------------------------

void LibreUserAgent::run(std::promise<Result<void>>& ready) {
  pthread_setname_np(pthread_self(), "voqo-sip");
  auto fail = [&](const std::string& what, int err) {
    ready.set_value(std::unexpected(Error{ErrorCode::io, what + ": " + std::strerror(err), {}}));
  };
  if (int err = libre_init()) return fail("libre_init", err);
  sa nsv[4];
  uint32_t nsn = 4;
  char domain[64] = {};
  if (dns_srv_get(domain, sizeof domain, nsv, &nsn) != 0 || nsn == 0) {
    sa_set_str(&nsv[0], "127.0.0.1", 53);
    nsn = 1;
  }
  int err = dnsc_alloc(&dnsc_, nullptr, nsv, nsn);
  tmr_init(&shutdown_timer_);
  // libre keeps transactions and sessions in hash tables of lists; every
  // incoming message walks one bucket. A finished transaction lingers 32 s
  // over UDP (Timers D and J = 64·T1, RFC 3261 §17), so at 500 calls/s there
  // are ~16,000 server transactions from BYEs alone, hundreds per bucket of
  // 32. Buckets are 24 bytes; 4,096 of them keep walks short. (The SIP
  // thread's top cost in the dialer bench, list_apply, is libre's timer list
  // instead, which no setting reaches: bench/README.md, "Campaigns".)
  constexpr uint32_t kTransactionBuckets = 4096, kSessionBuckets = 4096, kTcpConnectionBuckets = 256;
  err = err ? err
            : sip_alloc(&sip_, dnsc_, kTransactionBuckets, kTransactionBuckets, kTcpConnectionBuckets,
                        config_.user_agent.c_str(), sip_exit_handler, this);
  sa laddr{};
  err = err ? err : sa_set_str(&laddr, config_.listen_ip.c_str(), config_.port);
  if (!err && sa_is_any(&laddr)) {
    // libre's SIP transports need a concrete address (it goes into Via and
    // Contact): "any" means the interface of the default route.
    sa def{};
    if (net_default_source_addr_get(sa_af(&laddr), &def) == 0) {
      sa_set_port(&def, config_.port);
      laddr = def;
    }
  }
  // With port 0, TCP takes the port UDP got, so one port serves both. That
  // port may be held on TCP by someone else (a CI run failed so): then both
  // transports go and another ephemeral port is tried.
  const int tries = config_.udp && config_.tcp && config_.port == 0 ? 20 : 1;
  for (int attempt = 0; !err && attempt < tries; ++attempt) {
    if (attempt > 0) sip_transp_flush(sip_);
    if (config_.udp) err = sip_transp_add(sip_, SIP_TRANSP_UDP, &laddr);
    if (err || !config_.tcp) break;
    sa tcp_addr = laddr;
    if (config_.udp && config_.port == 0) {
      sa bound{};
      if (sip_transp_laddr(sip_, &bound, SIP_TRANSP_UDP, nullptr) == 0) sa_set_port(&tcp_addr, sa_port(&bound));
    }
    err = sip_transp_add(sip_, SIP_TRANSP_TCP, &tcp_addr);
    if (err != EADDRINUSE || attempt + 1 == tries) break;
    err = 0;  // taken on TCP: another port
  }
  err = err ? err : sipsess_listen(&sess_sock_, sip_, kSessionBuckets, connect_handler, this);
  err = err ? err : sipevent_listen(&event_sock_, sip_, 32, 32, nullptr, nullptr);
  err = err ? err : mqueue_alloc(&mq_, mqueue_handler, this);
  if (err) {
    if (sip_) sip_close(sip_, true);
    event_sock_ = deref(event_sock_);
    sess_sock_ = deref(sess_sock_);
    sip_ = deref(sip_);
    dnsc_ = deref(dnsc_);
    mq_ = deref(mq_);
    libre_close();
    return fail("SIP transport on " + config_.listen_ip + ":" + std::to_string(config_.port), err);
  }
  sa bound{};
  if (config_.udp && sip_transp_laddr(sip_, &bound, SIP_TRANSP_UDP, nullptr) == 0) udp_port_ = sa_port(&bound);
  if (config_.tcp && sip_transp_laddr(sip_, &bound, SIP_TRANSP_TCP, nullptr) == 0) tcp_port_ = sa_port(&bound);
  tmr_init(&housekeeping_timer_);
  tmr_start(&housekeeping_timer_, kHousekeepingMs, housekeeping_handler, this);
  ready.set_value({});
  re_main(nullptr);
  mq_ = deref(mq_);
  libre_close();
}

void release_handler(void* arg) { static_cast<LibreUserAgent*>(arg)->release(); }

// libre calls this from inside the mem_deref that ended the last
// transaction: freeing the stack now would pull it from under that call, so
// the release runs from the timer list right after.
void sip_exit_handler(void* arg) {
  auto* agent = static_cast<LibreUserAgent*>(arg);
  tmr_start(&agent->shutdown_timer_, 0, release_handler, agent);
}

void shutdown_timeout_handler(void* arg) {
  auto* agent = static_cast<LibreUserAgent*>(arg);
  if (agent->sip_) sip_close(agent->sip_, true);  // give up on what is left; calls the exit handler
}

void housekeeping_handler(void* arg) {
  auto* agent = static_cast<LibreUserAgent*>(arg);
  agent->check_ring_deadlines();
  ++agent->housekeeping_ticks_;
  if (agent->config_.rtp_timeout.count() > 0 && agent->housekeeping_ticks_ % (1000 / kHousekeepingMs) == 0)
    agent->check_media();
  if (agent->housekeeping_ticks_ % (60'000 / kHousekeepingMs) == 0) {
    // Forget sources idle for a minute (their bucket is full again by then).
    const auto idle_since = std::chrono::steady_clock::now() - std::chrono::seconds(60);
    std::erase_if(agent->invite_buckets_, [&](const auto& kv) { return kv.second.at < idle_since; });
  }
  tmr_start(&agent->housekeeping_timer_, kHousekeepingMs, housekeeping_handler, agent);
}

void LibreUserAgent::check_ring_deadlines() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<LibreCall>> expired;
  for (auto& [raw, call] : calls_)
    if (call->ring_deadline_ && now >= *call->ring_deadline_) expired.push_back(call);
  for (auto& call : expired) ring_timeout(call.get());
}

void LibreUserAgent::check_media() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<LibreCall>> silent;
  for (auto& [raw, call] : calls_) {
    if (!call->answered_ || call->ended_ || call->held_) continue;
    auto media = call->media();
    if (!media) continue;
    const uint64_t received = media->stats().packets_received.load(std::memory_order_relaxed);
    if (received != call->rx_packets_seen_) {
      call->rx_packets_seen_ = received;
      call->rx_at_ = now;
    } else if (now - call->rx_at_ >= config_.rtp_timeout) {
      silent.push_back(call);
    }
  }
  const std::string why = "media timeout: no RTP from the peer for " + std::to_string(config_.rtp_timeout.count()) + " s";
  for (auto& call : silent) {
    spdlog::warn("sip: call {}: {}; hanging up", call->call_id(), why);
    call->release_sip();  // BYE
    call->finish({"completed", 0, why, true, false});
  }
}

void LibreUserAgent::shutdown() {
  tmr_cancel(&housekeeping_timer_);
  // End every call (BYE/CANCEL), then let the transactions finish (a CANCEL
  // still wants its 487 ACKed, a BYE its 200) before stopping the loop; at
  // most 2 s.
  while (!calls_.empty()) {
    auto call = calls_.begin()->second;
    const bool answered = call->answered_;
    call->finish({answered ? "completed" : "cancelled", 0, "server shutting down", answered, false});
  }
  if (!sip_) {
    release();
    return;
  }
  tmr_start(&shutdown_timer_, 2000, shutdown_timeout_handler, this);
  sip_close(sip_, false);
}

void LibreUserAgent::release() {
  tmr_cancel(&shutdown_timer_);
  event_sock_ = deref(event_sock_);
  sess_sock_ = deref(sess_sock_);
  sip_ = deref(sip_);
  dnsc_ = deref(dnsc_);
  re_cancel();
}

Result<std::shared_ptr<SipCall>> LibreUserAgent::dial(const std::string& to, const SipTrunk& trunk, std::chrono::seconds ring_timeout,
                                             std::shared_ptr<SipCallObserver> observer) {
  if (to.empty()) return std::unexpected(Error::invalid("to", "empty destination"));
  if (trunk.codecs.empty()) return std::unexpected(Error::invalid("codecs", "the trunk offers no codec"));
  for (const auto& name : trunk.codecs)
    if (!static_payload_type(name))
      return std::unexpected(Error::invalid("codecs", "unsupported codec " + name + " (G722, PCMU or PCMA)"));
  std::string to_uri;
  if (to.rfind("sip:", 0) == 0) {
    to_uri = to;
  } else {
    if (trunk.uri.empty())
      return std::unexpected(Error::invalid("trunk", "no SIP trunk configured: set the sip_trunk setting or pass --trunk sip:host:port"));
    auto t = parse_trunk_uri(trunk.uri);
    if (!t) return std::unexpected(t.error());
    to_uri = "sip:" + to + "@" + t->uri.substr(4);
  }
  if (trunk.transport == "tcp" && to_uri.find("transport=") == std::string::npos) to_uri += ";transport=tcp";
  uri parsed{};
  pl p{to_uri.c_str(), to_uri.size()};
  if (uri_decode(&parsed, &p) != 0) return std::unexpected(Error::invalid("to", "not a SIP URI: " + to_uri));
  auto call = std::make_shared<LibreCall>(*this, std::move(observer), true);
  call->trunk_ = trunk;
  call->ring_timeout_ = ring_timeout;
  std::promise<Result<void>> done;
  auto fut = done.get_future();
  post([this, call, to_uri, &done] {
    // The local address facing the peer: for SDP and From.
    sa dst{};
    uri u{};
    pl up{to_uri.c_str(), to_uri.size()};
    uri_decode(&u, &up);
    std::string host = to_string(u.host);
    sa local{};
    if (sa_set_str(&dst, host.c_str(), u.port ? u.port : 5060) != 0 ||
        sip_transp_laddr(sip_, &local, call->trunk_.transport == "tcp" ? SIP_TRANSP_TCP : SIP_TRANSP_UDP, &dst) != 0 ||
        sa_is_any(&local)) {
      sa_set_str(&local, config_.listen_ip == "0.0.0.0" ? "127.0.0.1" : config_.listen_ip.c_str(), 0);
    }
    call->media_ip_ = config_.media_ip.empty() ? host_of(local) : config_.media_ip;
    auto ports = media_.allocate_ports(config_.listen_ip);
    if (!ports) return done.set_value(std::unexpected(ports.error()));
    call->ports_ = *ports;
    sa media_addr{};
    sa_set_str(&media_addr, call->media_ip_.c_str(), 0);
    auto sdp = call->build_sdp(media_addr);
    if (!sdp) return done.set_value(std::unexpected(sdp.error()));
    const std::string caller = call->trunk_.caller_id.empty() ? "voqo" : call->trunk_.caller_id;
    const std::string from_uri = "sip:" + caller + "@" + host_of(local);
    calls_[call.get()] = call;
    active_.store(calls_.size());
    int err = sipsess_connect(&call->sess_, sess_sock_, to_uri.c_str(), nullptr, from_uri.c_str(), "voqo", nullptr, 0,
                              "application/sdp", *sdp, auth_handler, call.get(), false, offer_handler, answer_handler,
                              progress_handler, established_handler, nullptr, nullptr, close_handler, call.get(), nullptr);
    mem_deref(*sdp);
    if (err) {
      forget(call.get());
      return done.set_value(std::unexpected(Error{ErrorCode::io, std::string("INVITE: ") + std::strerror(err), {}}));
    }
    call->call_id_ = sip_dialog_callid(sipsess_dialog(call->sess_));
    call->ring_deadline_ = std::chrono::steady_clock::now() + call->ring_timeout_;
    done.set_value({});
  });
  if (auto r = fut.get(); !r) return std::unexpected(r.error());
  return call;
}

/// Checks an INVITE that libre's lenient parser let through (RFC 4475 §3.1.2,
/// §3.3 torture cases). Returns 0 when usable, else the status to reject with.
uint16_t check_invite(const sip_msg* msg, const char*& reason) {
  // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory.
  if (!msg->callid.l || !msg->from.auri.l || !msg->to.auri.l || !msg->cseq.met.l ||
      !sip_msg_hdr(msg, SIP_HDR_MAX_FORWARDS) || !sip_msg_hdr(msg, SIP_HDR_VIA)) {
    reason = "Missing Mandatory Header";
    return 400;
  }
  // RFC 3261 §7.3.1: only headers whose value is a comma list may repeat.
  for (auto id : {SIP_HDR_CALL_ID, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CSEQ, SIP_HDR_MAX_FORWARDS, SIP_HDR_CONTENT_LENGTH,
                  SIP_HDR_CONTENT_TYPE}) {
    if (sip_msg_hdr_count(msg, id) > 1) {
      reason = "Repeated Single-Valued Header";
      return 400;
    }
  }
  // RFC 3261 §20.14: Content-Length is 1*DIGIT; §18.3: over UDP, a body
  // shorter than it means a truncated message, which is discarded (400 here).
  if (msg->clen.l) {
    for (std::size_t i = 0; i < msg->clen.l; ++i)
      if (msg->clen.p[i] < '0' || msg->clen.p[i] > '9') {
        reason = "Bad Content-Length";
        return 400;
      }
    if (msg->tp == SIP_TRANSP_UDP && pl_u32(&msg->clen) > mbuf_get_left(msg->mb)) {
      reason = "Content-Length Past The Datagram";
      return 400;
    }
  }
  // RFC 3261 §19.1.5: a Request-URI carries no headers ("?...").
  if (pl_strchr(&msg->ruri, '?')) {
    reason = "Headers In Request-URI";
    return 400;
  }
  // RFC 3261 §25.1 quoted-string: an unterminated quote in To/From's display name.
  for (auto id : {SIP_HDR_FROM, SIP_HDR_TO}) {
    const sip_hdr* h = sip_msg_hdr(msg, id);
    bool quoted = false;
    for (std::size_t i = 0; h && i < h->val.l; ++i) {
      if (quoted && h->val.p[i] == '\\') ++i;
      else if (h->val.p[i] == '"') quoted = !quoted;
    }
    if (quoted) {
      reason = "Unterminated Quoted String";
      return 400;
    }
  }
  // A body we would negotiate must be SDP (RFC 3261 §21.4.13: 415 with Accept).
  if (mbuf_get_left(msg->mb) > 0 && msg->ctyp.type.l && !msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
    reason = "Unsupported Media Type";
    return 415;
  }
  // Our answer is SDP: a caller whose Accept excludes it gets 406 (RFC 3261 §21.4.7, RFC 4475 §3.3.15).
  if (const sip_hdr* accept = sip_msg_hdr(msg, SIP_HDR_ACCEPT)) {
    std::string value = to_string(accept->val);
    for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (value.find("application/sdp") == std::string::npos && value.find("application/*") == std::string::npos &&
        value.find("*/*") == std::string::npos) {
      reason = "Not Acceptable";
      return 406;
    }
  }
  return 0;
}

bool LibreUserAgent::admit_invite(const std::string& ip) {
  if (config_.invite_rate_per_source <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  Bucket* b = nullptr;
  if (auto it = invite_buckets_.find(ip); it != invite_buckets_.end()) {
    b = &it->second;
  } else if (invite_buckets_.size() < kMaxRateSources) {
    b = &invite_buckets_.emplace(ip, Bucket{config_.invite_burst, now}).first->second;
  } else {
    b = &overflow_bucket_;
  }
  const double elapsed = std::chrono::duration<double>(now - b->at).count();
  b->tokens = std::min(config_.invite_burst, b->tokens + elapsed * config_.invite_rate_per_source);
  b->at = now;
  if (b->tokens < 1) return false;
  b->tokens -= 1;
  return true;
}

void LibreUserAgent::reject_accepted(const sip_msg* msg, const std::shared_ptr<LibreCall>& call, uint16_t code, const char* reason) {
  (void)sip_treply(nullptr, sip_, msg, code, reason);
  spdlog::warn("sip: INVITE {} accepted by the handler but rejected: {} {}", call->call_id_, code, reason);
  call->sdp_.close();
  if (call->ports_.rtp_fd >= 0) MediaEngine::release_ports(call->ports_);
  call->ended_ = true;
  forget(call.get());
  call->observer_->on_ended({"failed", code, "SIP " + std::to_string(code) + " " + reason + " (sent)", false, false});
}

void LibreUserAgent::on_incoming(const sip_msg* msg) {
  const std::string source = host_of(msg->src);
  if (!admit_invite(source)) {
    // Logged at debug: a flood would otherwise flood the log too.
    spdlog::debug("sip: INVITE from {} over its rate limit", source);
    (void)sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                      "Retry-After: 1\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  const char* bad_reason = "";
  if (const uint16_t code = check_invite(msg, bad_reason)) {
    spdlog::info("sip: INVITE from {} rejected: {} {}", source, code, bad_reason);
    if (code == 415)
      (void)sip_treplyf(nullptr, nullptr, sip_, msg, false, code, bad_reason, "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n");
    else
      (void)sip_treply(nullptr, sip_, msg, code, bad_reason);
    return;
  }
  {
    // The SDP offer, checked before anything is allocated for the call (sdp_offer.hpp).
    const std::string_view body(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
    if (const SdpOfferCheck offer = check_sdp_offer(body, msg->dst, SipTrunk{}.codecs); offer.code != 0) {
      spdlog::info("sip: INVITE from {} rejected: {} {}", source, offer.code, offer.reason);
      (void)sip_treply(nullptr, sip_, msg, offer.code, offer.reason);
      return;
    }
  }
  IncomingCall in{to_string(msg->from.uri.user), to_string(msg->from.auri), to_string(msg->uri.user), to_string(msg->callid),
                  source};
  IncomingDecision decision;
  {
    std::lock_guard lock(handler_mutex_);
    if (incoming_) decision = incoming_(in);
    else decision = {nullptr, 480, "Temporarily Unavailable"};
  }
  if (!decision.observer) {
    if (decision.retry_after_s > 0)
      (void)sip_treplyf(nullptr, nullptr, sip_, msg, false, static_cast<uint16_t>(decision.reject_code),
                        decision.reject_reason.c_str(), "Retry-After: %d\r\nContent-Length: 0\r\n\r\n",
                        decision.retry_after_s);
    else
      (void)sip_treply(nullptr, sip_, msg, static_cast<uint16_t>(decision.reject_code), decision.reject_reason.c_str());
    return;
  }
  // From here on every reject goes through reject_accepted(): the handler
  // prepared a call (engines, a live row) that must be released.
  auto call = std::make_shared<LibreCall>(*this, decision.observer, false);
  call->call_id_ = in.call_id;
  call->media_ip_ = config_.media_ip.empty() ? host_of(msg->dst) : config_.media_ip;
  auto ports = media_.allocate_ports(config_.listen_ip);
  if (!ports) return reject_accepted(msg, call, 503, "Service Unavailable");
  call->ports_ = *ports;
  sa media_addr{};
  sa_set_str(&media_addr, call->media_ip_.c_str(), 0);
  auto offer = call->build_sdp(media_addr);
  if (!offer) return reject_accepted(msg, call, 500, "Internal Server Error");
  mem_deref(*offer);
  mbuf* answer = nullptr;
  if (!call->sdp_.decode(msg->mb, true) || !call->sdp_.usable_offer(call->trunk_.codecs))
    return reject_accepted(msg, call, 488, "Not Acceptable Here");  // RFC 3261 §21.4.26 (checked above; kept as a guard)
  // With an answer delay: 180 Ringing now (no SDP), the 200 with the answer later.
  const bool ring_first = decision.answer_after.has_value();
  if (!ring_first) {
    auto encoded = call->sdp_.encode(false);
    if (!encoded) return reject_accepted(msg, call, 500, "Internal Server Error");
    answer = *encoded;
  }
  calls_[call.get()] = call;
  active_.store(calls_.size());
  int err = sipsess_accept(&call->sess_, sess_sock_, msg, ring_first ? 180 : 200, ring_first ? "Ringing" : "OK", "voqo",
                           "application/sdp", answer, auth_handler, call.get(), false, offer_handler, answer_handler,
                           established_handler, nullptr, nullptr, close_handler, call.get(), nullptr);
  mem_deref(answer);
  if (err) return reject_accepted(msg, call, 500, "Internal Server Error");
  call->observer_->on_incoming_accepted(call);
  if (ring_first) {
    if (*decision.answer_after != kRingForever)
      tmr_start(&call->ring_timer_, static_cast<uint64_t>(std::max<int64_t>(0, decision.answer_after->count())),
                answer_timer_handler, call.get());
    return;
  }
  if (auto r = call->start_media_from_sdp(); !r) {
    spdlog::warn("sip: inbound media: {}", r.error().message);
    call->finish({"failed", 0, r.error().message, false, false});
  }
}

}  // namespace

Result<SipTrunk> parse_trunk_uri(const std::string& text) {
  SipTrunk t;
  if (text.rfind("sip:", 0) != 0) return std::unexpected(Error::invalid("trunk", "a trunk is a sip: URI, e.g. sip:127.0.0.1:5090"));
  std::string rest = text.substr(4);
  if (auto semi = rest.find(';'); semi != std::string::npos) {
    const std::string params = rest.substr(semi);
    if (params.find("transport=tcp") != std::string::npos) t.transport = "tcp";
    rest = rest.substr(0, semi);
  }
  if (auto at = rest.find('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (rest.empty()) return std::unexpected(Error::invalid("trunk", "the trunk URI has no host"));
  t.uri = "sip:" + rest;
  return t;
}

Result<std::unique_ptr<SipUserAgent>> SipUserAgent::create(Config config, MediaEngine& media) {
  if (g_agent_exists.exchange(true)) return std::unexpected(Error::conflict("sip", "a SIP user agent already runs in this process"));
  auto agent = std::make_unique<LibreUserAgent>(std::move(config), media);
  if (auto r = agent->start(); !r) {
    g_agent_exists = false;
    return std::unexpected(r.error());
  }
  return std::unique_ptr<SipUserAgent>(std::move(agent));
}

}  // namespace voqo::telephony
