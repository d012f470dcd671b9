#include "telephony/media_engine.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/log.hpp"
#include "telephony/codec.hpp"
#include "telephony/jitter_buffer.hpp"
#include "telephony/resampler.hpp"
#include "telephony/rtp.hpp"

namespace voqo::telephony {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPhases = 4;                 // 4 × 5 ms slots per 20 ms frame
constexpr auto kSlotPeriod = std::chrono::milliseconds(5);
constexpr int kRtcpIntervalTicks = 250;    // 5 s (RFC 3550 §6.2 minimum interval)
constexpr uint32_t kRtpClockPerFrame = 160;  // 8000 Hz × 20 ms, all our codecs (RFC 3551 §4.5.2)
constexpr int kDtmfDurationTicks = 5;      // 100 ms tone
constexpr int kDtmfGapTicks = 3;           // 60 ms between digits
constexpr int kLatchPackets = 3;           // in-sequence packets before latching onto a source not in the SDP
constexpr std::size_t kHistogramBuckets = 1001;  // 0.1 ms buckets, last = ≥ 100 ms

uint64_t ntp_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t seconds = static_cast<uint64_t>(ts.tv_sec) + 2208988800ULL;  // 1900 → 1970
  const uint64_t fraction = (static_cast<uint64_t>(ts.tv_nsec) << 32) / 1000000000ULL;
  return seconds << 32 | fraction;
}

bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

socklen_t address_length(const sockaddr_storage& a) {
  return a.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

/// Datagrams read from one socket in one recvmmsg(2) call, with the kernel's
/// receive time of each (SO_TIMESTAMPNS, socket(7)): the interarrival jitter
/// (RFC 3550 §6.4.1, A.8), which sizes the jitter buffer, is the network's, not
/// the network's plus however long the media thread took to get to the packet
/// (bench_capacity, 1,000 calls saturating the media threads: 22 ms median
/// measured at read time, 5 ms by the kernel's stamps). The stamps are wall
/// clock: a clock step shows as one outlier. A short batch also tells the
/// socket is drained without a second, empty read.
struct RxBatch {
  static constexpr int kSize = 8;
  std::array<std::array<uint8_t, 2048>, kSize> buffers{};
  std::array<sockaddr_storage, kSize> from{};
  std::array<iovec, kSize> iov{};
  std::array<std::array<char, CMSG_SPACE(sizeof(timespec))>, kSize> control{};
  std::array<mmsghdr, kSize> msgs{};

  /// Reads up to kSize datagrams without blocking; returns how many (0 when none).
  int receive(int fd) {
    for (std::size_t i = 0; i < kSize; ++i) {
      iov[i] = {buffers[i].data(), buffers[i].size()};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i].data();
      msgs[i].msg_hdr.msg_controllen = control[i].size();
    }
    const int n = ::recvmmsg(fd, msgs.data(), kSize, MSG_DONTWAIT, nullptr);
    return n < 0 ? 0 : n;
  }
  [[nodiscard]] std::span<const uint8_t> data(int i) const {
    return {buffers[static_cast<std::size_t>(i)].data(), msgs[static_cast<std::size_t>(i)].msg_len};
  }
  /// The kernel's receive time of datagram i in µs (CLOCK_REALTIME), or now
  /// when the socket gave none.
  int64_t arrival_us(int i) {
    auto& h = msgs[static_cast<std::size_t>(i)].msg_hdr;
    timespec ts{};
    cmsghdr* c = CMSG_FIRSTHDR(&h);
    while (c != nullptr && !(c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)) c = CMSG_NXTHDR(&h, c);
    if (c != nullptr) std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    else clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
  }
};

}  // namespace

struct MediaStream::Impl {
  MediaEngine::Worker* worker = nullptr;
  StreamStats* stats = nullptr;
  StreamConfig cfg;
  std::shared_ptr<MediaHandler> handler;
  std::unique_ptr<AudioCodec> encoder, decoder;
  std::optional<Resampler> upsample, downsample;  // narrowband codecs only
  JitterBuffer jitter;
  RtpReceptionStats reception;
  int phase = 0;
  uint64_t tick = 0;
  std::atomic<bool> stopped{false};
  bool closed = false;

  // Receive side.
  bool latched = false;
  sockaddr_storage learn_from{};  // a source other than the SDP address, being learned
  uint32_t learn_ssrc = 0;
  uint16_t learn_seq = 0;
  int learn_count = 0;
  uint32_t peer_ssrc = 0;
  uint32_t last_dtmf_end_ts = 0;
  bool dtmf_seen = false;
  std::vector<int16_t> fifo;      // decoded caller audio at 16 kHz
  std::vector<int16_t> decoded;   // scratch at codec rate
  std::array<int16_t, kFrameSamples16k> last_frame{};
  int consecutive_lost = 0;
  uint32_t peer_last_sr = 0;
  Clock::time_point peer_last_sr_at{};

  // Send side.
  uint32_t ssrc = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  bool first_packet = true;
  uint32_t octets_sent = 0;
  std::array<int16_t, kFrameSamples16k> agent{};
  std::vector<int16_t> narrow;    // agent audio at codec rate
  std::string payload, packet, rtcp;

  // DTMF send queue (filled by any thread) and the event being sent.
  std::mutex dtmf_mutex;
  std::string dtmf_pending;
  int dtmf_event = -1;
  int dtmf_ticks = 0;
  int dtmf_gap = 0;
  uint32_t dtmf_start_ts = 0;

  void on_rtp_datagram(std::span<const uint8_t> data, const sockaddr_storage& from, int64_t arrival_us);
  void on_rtcp_datagram(std::span<const uint8_t> data);
  void receive_rtp(RxBatch& rx);
  void process_tick();
  void fill_caller_frame();
  bool send_dtmf_packet();
  void send_audio_packet();
  /// Whether a packet may go to the peer now (StreamConfig::unlatched_send_limit); counts it.
  bool may_send() {
    if (latched || cfg.unlatched_send_limit <= 0 || unlatched_sent < cfg.unlatched_send_limit) {
      if (!latched) ++unlatched_sent;
      return true;
    }
    stats->packets_withheld.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  int unlatched_sent = 0;  ///< packets sent before the stream latched
  void send_rtcp(bool bye);
  void close_sockets();
};

struct MediaEngine::Worker {
  std::thread thread;
  int epoll_fd = -1, timer_fd = -1, wake_fd = -1;
  std::atomic<bool> running{true};
  std::mutex mutex;
  std::vector<std::shared_ptr<MediaStream>> incoming;
  // The streams, one list per 5 ms phase (media thread only): a slot walks only
  // its own phase's streams.
  std::array<std::vector<std::shared_ptr<MediaStream>>, kPhases> by_phase;
  std::atomic<std::size_t> count{0};
  // Set by start_stream / MediaStream::stop, so the loop looks for new or
  // stopped streams only when there are some, not on every wake-up (with
  // 1,000 calls it wakes thousands of times a second for received packets).
  std::atomic<bool> has_incoming{false}, has_stopped{false};
  // MediaStream::play_soon requests (guarded by `mutex`; identity only: a
  // pointer is used once it is found among by_phase's streams).
  std::vector<const MediaStream::Impl*> advance;
  std::atomic<bool> has_advance{false};
  uint64_t slot_index = 0;
  Clock::time_point base{};
  std::array<std::atomic<uint64_t>, kHistogramBuckets> lateness{};
  std::atomic<uint64_t> frames{0};
  std::atomic<uint32_t> max_lateness_us{0};

  void run();
  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }
  void adopt_new_streams();
  void drop_stopped_streams();
  /// Moves the streams that asked to play soon into `phase` (the slot being processed).
  void advance_into(int phase);
};

// ---- MediaStream -----------------------------------------------------------

MediaStream::~MediaStream() {
  if (impl_ && !impl_->closed) impl_->close_sockets();
}

const std::string& MediaStream::codec() const { return impl_->cfg.codec; }
int MediaStream::codec_rate_hz() const { return impl_->decoder->sample_rate_hz(); }

Result<void> MediaStream::send_dtmf(std::string_view digits) {
  if (impl_->cfg.telephone_event_pt < 0)
    return std::unexpected(Error::invalid("digits", "the peer did not negotiate telephone-event (RFC 4733)"));
  for (char c : digits)
    if (dtmf_event(c) < 0) return std::unexpected(Error::invalid("digits", std::string("not a DTMF digit: '") + c + "'"));
  std::lock_guard lock(impl_->dtmf_mutex);
  impl_->dtmf_pending.append(digits);
  return {};
}

void MediaStream::play_soon() {
  auto* w = impl_->worker;
  if (w == nullptr || impl_->stopped.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(w->mutex);
    w->advance.push_back(impl_.get());
  }
  w->has_advance.store(true, std::memory_order_release);
}

void MediaStream::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->worker->has_stopped.store(true, std::memory_order_release);
  impl_->worker->wake();
}

void MediaStream::Impl::close_sockets() {
  if (closed) return;
  closed = true;
  if (cfg.ports.rtp_fd >= 0) ::close(cfg.ports.rtp_fd);
  if (cfg.ports.rtcp_fd >= 0) ::close(cfg.ports.rtcp_fd);
  cfg.ports.rtp_fd = cfg.ports.rtcp_fd = -1;
}

void MediaStream::Impl::on_rtp_datagram(std::span<const uint8_t> data, const sockaddr_storage& from, int64_t arrival_us) {
  if (looks_like_rtcp(data)) {  // rtcp-mux (RFC 5761)
    on_rtcp_datagram(data);
    return;
  }
  auto pkt = parse_rtp(data);
  if (!pkt) {
    stats->malformed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Symmetric RTP (RFC 4961) with latching: once latched, send to where the
  // peer sends from and accept only that source. A packet from the SDP
  // address latches at once; another source (a peer behind NAT) only after
  // kLatchPackets packets in sequence from it with one SSRC, so that one
  // stray or forged datagram cannot take the call's audio or inject DTMF.
  const auto& h = pkt->header;
  if (!latched) {
    if (!same_address(from, cfg.remote_rtp)) {
      if (learn_count > 0 && same_address(from, learn_from) && h.ssrc == learn_ssrc &&
          h.sequence == static_cast<uint16_t>(learn_seq + 1)) {
        ++learn_count;
      } else {
        learn_from = from;
        learn_ssrc = h.ssrc;
        learn_count = 1;
      }
      learn_seq = h.sequence;
      if (learn_count < kLatchPackets) {
        stats->malformed.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    latched = true;
    cfg.remote_rtp = from;
  } else if (!same_address(from, cfg.remote_rtp)) {
    stats->malformed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  peer_ssrc = h.ssrc;
  if (cfg.telephone_event_pt >= 0 && h.payload_type == cfg.telephone_event_pt) {
    auto ev = parse_telephone_event(pkt->payload);
    if (!ev) return;
    // RFC 4733 §2.5.2.1: the end packet is sent three times; report it once.
    if (ev->end && (!dtmf_seen || h.timestamp != last_dtmf_end_ts)) {
      dtmf_seen = true;
      last_dtmf_end_ts = h.timestamp;
      if (char d = dtmf_char(ev->event)) handler->on_dtmf(d, ev->duration / 8);
    }
    return;
  }
  reception.on_packet(h.sequence, h.timestamp, static_cast<uint32_t>(arrival_us / 125));
  jitter.put(h, pkt->payload);
  stats->packets_received.fetch_add(1, std::memory_order_relaxed);
}

void MediaStream::Impl::on_rtcp_datagram(std::span<const uint8_t> data) {
  auto s = parse_rtcp(data);
  if (!s) {
    stats->malformed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (s->has_sender_report) {
    peer_last_sr = s->last_sr;
    peer_last_sr_at = Clock::now();
  }
  if (s->report && s->report->ssrc == ssrc) {
    stats->peer_reported_lost.store(static_cast<uint32_t>(std::max(0, s->report->cumulative_lost)), std::memory_order_relaxed);
    stats->peer_jitter_us.store(s->report->jitter * 125, std::memory_order_relaxed);
  }
}

void MediaStream::Impl::fill_caller_frame() {
  while (fifo.size() < kFrameSamples16k) {
    uint8_t pt = 0;
    std::span<const uint8_t> payload;
    const auto status = jitter.get(pt, payload);
    if (status == JitterBuffer::Status::packet && pt == cfg.payload_type) {
      decoded.clear();
      (void)decoder->decode(payload, decoded);
      if (upsample) (void)upsample->process(decoded, fifo);
      else fifo.insert(fifo.end(), decoded.begin(), decoded.end());
      consecutive_lost = 0;
      continue;
    }
    if (status == JitterBuffer::Status::lost) {
      // Loss concealment: repeat the last frame, halving it for each
      // consecutive loss (silent after ~4), which masks single losses without
      // the buzz of repeating a frame at full level.
      stats->packets_concealed.fetch_add(1, std::memory_order_relaxed);
      ++consecutive_lost;
      const int shift = std::min(consecutive_lost, 15);
      for (auto& s : last_frame) s = static_cast<int16_t>(s >> shift);
      fifo.insert(fifo.end(), last_frame.begin(), last_frame.end());
      continue;
    }
    // Empty (not started / paused) or a payload type we do not decode (e.g.
    // comfort noise): 20 ms of silence.
    fifo.resize(fifo.size() + kFrameSamples16k, 0);
    if (status == JitterBuffer::Status::empty) break;
  }
}

bool MediaStream::Impl::send_dtmf_packet() {
  if (dtmf_event < 0) {
    if (dtmf_gap > 0) {
      --dtmf_gap;
      return false;
    }
    std::lock_guard lock(dtmf_mutex);
    if (dtmf_pending.empty()) return false;
    dtmf_event = telephony::dtmf_event(dtmf_pending.front());
    dtmf_pending.erase(0, 1);
    dtmf_ticks = 0;
    dtmf_start_ts = timestamp;
  }
  ++dtmf_ticks;
  const bool end = dtmf_ticks >= kDtmfDurationTicks;
  TelephoneEvent ev{static_cast<uint8_t>(dtmf_event), end, 10,
                    static_cast<uint16_t>(dtmf_ticks * kRtpClockPerFrame)};
  payload.clear();
  write_telephone_event(ev, payload);
  RtpHeader h{dtmf_ticks == 1, static_cast<uint8_t>(cfg.telephone_event_pt), 0, dtmf_start_ts, ssrc};
  const int copies = end ? 3 : 1;  // RFC 4733 §2.5.1.4: the end packet three times
  for (int i = 0; i < copies; ++i) {
    h.sequence = sequence++;
    if (!may_send()) continue;
    write_rtp(h, {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, packet);
    ::sendto(cfg.ports.rtp_fd, packet.data(), packet.size(), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&cfg.remote_rtp), address_length(cfg.remote_rtp));
    stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
  }
  if (end) {
    dtmf_event = -1;
    dtmf_gap = kDtmfGapTicks;
  }
  return true;
}

void MediaStream::Impl::send_audio_packet() {
  payload.clear();
  std::span<const int16_t> pcm(agent);
  if (downsample) {
    narrow.clear();
    (void)downsample->process(agent, narrow);
    pcm = narrow;
  }
  (void)encoder->encode(pcm, payload);
  RtpHeader h{first_packet, static_cast<uint8_t>(cfg.payload_type), sequence++, timestamp, ssrc};
  first_packet = false;
  if (!may_send()) return;  // the sequence still advances: the peer sees loss, not a restart
  write_rtp(h, {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, packet);
  ::sendto(cfg.ports.rtp_fd, packet.data(), packet.size(), MSG_DONTWAIT,
           reinterpret_cast<const sockaddr*>(&cfg.remote_rtp), address_length(cfg.remote_rtp));
  stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
  octets_sent += static_cast<uint32_t>(payload.size());
}

void MediaStream::Impl::send_rtcp(bool bye) {
  RtcpSenderInfo sender{ssrc, ntp_now(), timestamp,
                        static_cast<uint32_t>(stats->packets_sent.load(std::memory_order_relaxed)), octets_sent};
  std::optional<RtcpReportBlock> report;
  if (reception.received() > 0) {
    uint32_t dlsr = 0;
    if (peer_last_sr != 0)
      dlsr = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - peer_last_sr_at).count() * 65536 / 1000000);
    report = reception.report(peer_ssrc, peer_last_sr, dlsr);
    stats->packets_lost.store(static_cast<uint64_t>(std::max<int64_t>(0, reception.lost())), std::memory_order_relaxed);
  }
  if (!may_send()) return;
  write_rtcp(sender, ssrc, report, cfg.cname, bye, rtcp);
  ::sendto(cfg.ports.rtcp_fd, rtcp.data(), rtcp.size(), MSG_DONTWAIT,
           reinterpret_cast<const sockaddr*>(&cfg.remote_rtcp), address_length(cfg.remote_rtcp));
}

void MediaStream::Impl::receive_rtp(RxBatch& rx) {
  // Bounded (8 × 8 datagrams a wake-up) so that one flooded socket cannot
  // starve the other streams; the kernel drops what overflows its buffer.
  for (int round = 0; round < 8; ++round) {
    const int n = rx.receive(cfg.ports.rtp_fd);
    for (int i = 0; i < n; ++i) on_rtp_datagram(rx.data(i), rx.from[static_cast<std::size_t>(i)], rx.arrival_us(i));
    if (n < RxBatch::kSize) break;
  }
}

void MediaStream::Impl::process_tick() {
  fill_caller_frame();
  agent.fill(0);
  handler->on_frame(std::span<const int16_t>(fifo.data(), kFrameSamples16k), agent, tick);
  std::copy_n(fifo.begin(), kFrameSamples16k, last_frame.begin());
  fifo.erase(fifo.begin(), fifo.begin() + kFrameSamples16k);
  if (!send_dtmf_packet()) send_audio_packet();
  timestamp += kRtpClockPerFrame;
  ++tick;
  if (tick % 50 == 0) {
    const double jitter_ms = reception.jitter_units() / 8.0;
    jitter.adapt(jitter_ms);
    // A hostile or restarting sender's timestamps can push the estimate past
    // what 32 bits of µs hold; converting that would be undefined: saturate.
    stats->jitter_us.store(static_cast<uint32_t>(std::min(jitter_ms * 1000, 4.0e9)), std::memory_order_relaxed);
  }
  if (tick % kRtcpIntervalTicks == 0) send_rtcp(false);
}

// ---- Worker ----------------------------------------------------------------

void MediaEngine::Worker::advance_into(int phase) {
  std::vector<const MediaStream::Impl*> asked;
  {
    std::lock_guard lock(mutex);
    asked.swap(advance);
  }
  auto& into = by_phase[static_cast<std::size_t>(phase)];
  for (const auto* impl : asked) {
    // Found by identity before it is touched: a stream dropped since it asked is not here.
    for (int p = 0; p < kPhases; ++p) {
      if (p == phase) continue;  // already due in this slot
      auto& from = by_phase[static_cast<std::size_t>(p)];
      auto it = std::find_if(from.begin(), from.end(), [&](const auto& s) { return s->impl_.get() == impl; });
      if (it == from.end()) continue;
      (*it)->impl_->phase = phase;
      into.push_back(std::move(*it));
      if (it != from.end() - 1) *it = std::move(from.back());
      from.pop_back();
      break;
    }
  }
}

void MediaEngine::Worker::adopt_new_streams() {
  if (!has_incoming.exchange(false, std::memory_order_acq_rel)) return;
  std::vector<std::shared_ptr<MediaStream>> fresh;
  {
    std::lock_guard lock(mutex);
    fresh.swap(incoming);
  }
  for (auto& s : fresh) {
    auto* impl = s->impl_.get();
    // The emptiest phase, so that sends stay spread as calls come and go.
    impl->phase = 0;
    for (int p = 1; p < kPhases; ++p)
      if (by_phase[static_cast<std::size_t>(p)].size() < by_phase[static_cast<std::size_t>(impl->phase)].size()) impl->phase = p;
    const int on = 1;
    setsockopt(impl->cfg.ports.rtp_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = impl;  // RTP: the impl pointer; RTCP: the pointer with the low bit set
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, impl->cfg.ports.rtp_fd, &ev);
    ev.data.ptr = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(impl) | 1);
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, impl->cfg.ports.rtcp_fd, &ev);
    by_phase[static_cast<std::size_t>(impl->phase)].push_back(std::move(s));
  }
}

void MediaEngine::Worker::drop_stopped_streams() {
  if (!has_stopped.exchange(false, std::memory_order_acq_rel)) return;
  std::size_t left = 0;
  for (auto& streams : by_phase) {
    std::erase_if(streams, [&](const std::shared_ptr<MediaStream>& s) {
      auto* impl = s->impl_.get();
      if (!impl->stopped.load(std::memory_order_acquire)) return false;
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, impl->cfg.ports.rtp_fd, nullptr);
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, impl->cfg.ports.rtcp_fd, nullptr);
      impl->send_rtcp(true);  // RFC 3550 §6.6: BYE when leaving
      impl->close_sockets();
      impl->handler.reset();
      return true;
    });
    left += streams.size();
  }
  count.store(left, std::memory_order_relaxed);
}

void MediaEngine::Worker::run() {
  std::array<epoll_event, 256> events{};
  std::array<uint8_t, 2048> buffer{};
  auto rx_owner = std::make_unique<RxBatch>();  // 17 KB: off the stack
  RxBatch& rx = *rx_owner;
  uint64_t expirations_pending = 0;
  // The slot clock: an absolute periodic timer from `base`, so slot n's ideal
  // time is exactly base + n × 5 ms.
  base = Clock::now();
  {
    const auto first = std::chrono::duration_cast<std::chrono::nanoseconds>((base + kSlotPeriod).time_since_epoch()).count();
    itimerspec spec{};
    spec.it_interval.tv_nsec = 5'000'000;
    spec.it_value.tv_sec = first / 1'000'000'000;
    spec.it_value.tv_nsec = first % 1'000'000'000;
    timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
  }
  while (running.load(std::memory_order_relaxed)) {
    const int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 100);
    bool tick_due = false;
    for (int i = 0; i < n; ++i) {
      void* p = events[static_cast<std::size_t>(i)].data.ptr;
      if (p == nullptr) {  // wake fd
        uint64_t v;
        [[maybe_unused]] auto r = ::read(wake_fd, &v, sizeof v);
        continue;
      }
      if (p == this) {  // timer fd
        uint64_t expirations = 0;
        if (::read(timer_fd, &expirations, sizeof expirations) == sizeof expirations) expirations_pending += expirations;
        tick_due = expirations_pending > 0;
        continue;
      }
      const bool is_rtcp = reinterpret_cast<uintptr_t>(p) & 1;
      auto* impl = reinterpret_cast<MediaStream::Impl*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t{1});
      if (impl->stopped.load(std::memory_order_relaxed) || impl->closed) continue;
      if (!is_rtcp) {
        impl->receive_rtp(rx);
        continue;
      }
      for (int k = 0; k < 64; ++k) {  // drain, bounded so one flooded socket cannot starve the rest
        const ssize_t got = ::recv(impl->cfg.ports.rtcp_fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got < 0) break;
        impl->on_rtcp_datagram(std::span<const uint8_t>(buffer.data(), static_cast<std::size_t>(got)));
      }
    }
    adopt_new_streams();
    drop_stopped_streams();
    if (!tick_due) continue;
    // Each timer expiration is one 5 ms slot; after a stall, the slots that
    // passed are processed in order (late, never skipped). Lateness is
    // measured against the slot's ideal time on the timer's own clock.
    for (uint64_t k = 0; k < expirations_pending; ++k) {
      ++slot_index;
      const int phase = static_cast<int>(slot_index % kPhases);
      const auto ideal = base + kSlotPeriod * static_cast<int64_t>(slot_index);
      if (has_advance.exchange(false, std::memory_order_acq_rel)) advance_into(phase);
      for (auto& s : by_phase[static_cast<std::size_t>(phase)]) {
        auto* impl = s->impl_.get();
        if (impl->stopped.load(std::memory_order_relaxed)) continue;
        impl->process_tick();
        const auto late_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ideal).count();
        const std::size_t bucket =
            std::min<std::size_t>(static_cast<std::size_t>(std::max<int64_t>(0, late_us) / 100), kHistogramBuckets - 1);
        lateness[bucket].fetch_add(1, std::memory_order_relaxed);
        frames.fetch_add(1, std::memory_order_relaxed);
        if (late_us > 0 && static_cast<uint32_t>(late_us) > max_lateness_us.load(std::memory_order_relaxed))
          max_lateness_us.store(static_cast<uint32_t>(late_us), std::memory_order_relaxed);
      }
    }
    expirations_pending = 0;
  }
  for (auto& streams : by_phase) {
    for (auto& s : streams) {
      s->impl_->send_rtcp(true);
      s->impl_->close_sockets();
      s->impl_->handler.reset();
    }
    streams.clear();
  }
}

// ---- MediaEngine -----------------------------------------------------------

MediaEngine::MediaEngine(Config config) : config_(std::move(config)) {}

Result<std::unique_ptr<MediaEngine>> MediaEngine::create(Config config) {
  if (config.threads < 1) return std::unexpected(Error::invalid("mediaThreads", "must be at least 1"));
  if (config.port_min < 1024 || config.port_max <= config.port_min)
    return std::unexpected(Error::invalid("rtpPorts", "need 1024 ≤ min < max"));
  std::unique_ptr<MediaEngine> engine(new MediaEngine(std::move(config)));
  engine->next_port_ = static_cast<uint16_t>(engine->config_.port_min & ~1);
  for (int i = 0; i < engine->config_.threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    w->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->epoll_fd < 0 || w->timer_fd < 0 || w->wake_fd < 0)
      return std::unexpected(Error{ErrorCode::io, std::string("media engine: ") + std::strerror(errno), {}});
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = w.get();
    epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->timer_fd, &ev);
    ev.data.ptr = nullptr;
    epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &ev);
    engine->workers_.push_back(std::move(w));
  }
  for (auto& w : engine->workers_) {
    auto* raw = w.get();
    w->thread = std::thread([raw] {
      pthread_setname_np(pthread_self(), "voqo-media");
      raw->run();
    });
  }
  return engine;
}

MediaEngine::~MediaEngine() {
  for (auto& w : workers_) {
    w->running = false;
    w->wake();
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
    ::close(w->epoll_fd);
    ::close(w->timer_fd);
    ::close(w->wake_fd);
  }
}

namespace {
Result<int> bind_udp(const std::string& ip, uint16_t port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (ip.find(':') != std::string::npos) {
    auto& a6 = reinterpret_cast<sockaddr_in6&>(addr);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(port);
    if (inet_pton(AF_INET6, ip.c_str(), &a6.sin6_addr) != 1) return std::unexpected(Error::invalid("rtpIp", "not an IP address: " + ip));
    len = sizeof a6;
  } else {
    auto& a4 = reinterpret_cast<sockaddr_in&>(addr);
    a4.sin_family = AF_INET;
    a4.sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &a4.sin_addr) != 1) return std::unexpected(Error::invalid("rtpIp", "not an IP address: " + ip));
    len = sizeof a4;
  }
  const int fd = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(Error{ErrorCode::io, std::string("socket: ") + std::strerror(errno), {}});
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    ::close(fd);
    return std::unexpected(Error{ErrorCode::io, std::string("bind: ") + std::strerror(errno), {}});
  }
  return fd;
}
}  // namespace

Result<RtpPorts> MediaEngine::allocate_ports(const std::string& ip_in) {
  const std::string& ip = ip_in.empty() ? config_.bind_ip : ip_in;
  std::lock_guard lock(port_mutex_);
  const int range = (config_.port_max - config_.port_min) / 2;
  for (int attempt = 0; attempt < range; ++attempt) {
    const uint16_t port = next_port_;
    next_port_ = static_cast<uint16_t>(next_port_ + 2);
    if (next_port_ + 1 > config_.port_max) next_port_ = static_cast<uint16_t>(config_.port_min & ~1);
    auto rtp = bind_udp(ip, port);
    if (!rtp) {
      if (rtp.error().code == ErrorCode::invalid_argument) return std::unexpected(rtp.error());
      continue;
    }
    auto rtcp = bind_udp(ip, static_cast<uint16_t>(port + 1));
    if (!rtcp) {
      ::close(*rtp);
      continue;
    }
    return RtpPorts{*rtp, *rtcp, port};
  }
  return std::unexpected(Error{ErrorCode::io, "no free RTP port pair in " + std::to_string(config_.port_min) + "–" +
                                                  std::to_string(config_.port_max), {}});
}

void MediaEngine::release_ports(RtpPorts& ports) {
  if (ports.rtp_fd >= 0) ::close(ports.rtp_fd);
  if (ports.rtcp_fd >= 0) ::close(ports.rtcp_fd);
  ports.rtp_fd = ports.rtcp_fd = -1;
}

Result<std::shared_ptr<MediaStream>> MediaEngine::start_stream(StreamConfig config, std::shared_ptr<MediaHandler> handler) {
  auto enc = make_codec(config.codec);
  if (!enc) return std::unexpected(enc.error());
  auto dec = make_codec(config.codec);
  if (!dec) return std::unexpected(dec.error());
  std::shared_ptr<MediaStream> stream(new MediaStream());
  stream->impl_ = std::make_unique<MediaStream::Impl>();
  auto& impl = *stream->impl_;
  impl.stats = &stream->stats_;
  impl.cfg = std::move(config);
  impl.handler = std::move(handler);
  impl.encoder = std::move(*enc);
  impl.decoder = std::move(*dec);
  const int rate = impl.decoder->sample_rate_hz();
  if (rate != 16000) {
    auto up = Resampler::create(rate, 16000);
    auto down = Resampler::create(16000, rate);
    if (!up || !down) return std::unexpected(up ? down.error() : up.error());
    impl.upsample.emplace(std::move(*up));
    impl.downsample.emplace(std::move(*down));
  }
  impl.fifo.reserve(4 * kFrameSamples16k);
  impl.decoded.reserve(2 * kFrameSamples16k);
  impl.narrow.reserve(2 * kFrameSamples16k);
  impl.payload.reserve(1024);
  impl.packet.reserve(1100);
  uint32_t random[3];
  int ur = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (ur >= 0) {
    [[maybe_unused]] auto r = ::read(ur, random, sizeof random);
    ::close(ur);
  }
  impl.ssrc = random[0];  // RFC 3550 §8.1: random SSRC, sequence and timestamp
  impl.sequence = static_cast<uint16_t>(random[1]);
  impl.timestamp = random[2];
  // The least-loaded worker takes it.
  Worker* best = workers_.front().get();
  for (auto& w : workers_)
    if (w->count.load() < best->count.load()) best = w.get();
  impl.worker = best;
  impl.handler->attach([weak = std::weak_ptr<MediaStream>(stream)] {
    if (auto s = weak.lock()) s->play_soon();
  });
  {
    std::lock_guard lock(best->mutex);
    best->incoming.push_back(stream);
  }
  best->has_incoming.store(true, std::memory_order_release);
  best->count.fetch_add(1, std::memory_order_relaxed);
  best->wake();
  return stream;
}

MediaEngineStats MediaEngine::stats() const {
  MediaEngineStats s;
  std::array<uint64_t, kHistogramBuckets> merged{};
  uint32_t max_us = 0;
  for (auto& w : workers_) {
    for (std::size_t i = 0; i < kHistogramBuckets; ++i) merged[i] += w->lateness[i].load(std::memory_order_relaxed);
    s.frames += w->frames.load(std::memory_order_relaxed);
    s.streams += w->count.load(std::memory_order_relaxed);
    max_us = std::max(max_us, w->max_lateness_us.load(std::memory_order_relaxed));
  }
  for (std::size_t i = 50; i < kHistogramBuckets; ++i) s.late_over_5ms += merged[i];
  auto percentile = [&](double p) {
    const auto want = static_cast<uint64_t>(p * static_cast<double>(s.frames));
    uint64_t seen = 0;
    for (std::size_t i = 0; i < kHistogramBuckets; ++i) {
      seen += merged[i];
      if (seen > want) return static_cast<double>(i) / 10.0 + 0.1;
    }
    return 100.0;
  };
  if (s.frames > 0) {
    s.send_lateness_p50_ms = percentile(0.50);
    s.send_lateness_p99_ms = percentile(0.99);
  }
  s.send_lateness_max_ms = max_us / 1000.0;
  return s;
}

void MediaEngine::reset_stats() {
  for (auto& w : workers_) {
    for (auto& b : w->lateness) b.store(0, std::memory_order_relaxed);
    w->frames.store(0);
    w->max_lateness_us.store(0);
  }
}

}  // namespace voqo::telephony
