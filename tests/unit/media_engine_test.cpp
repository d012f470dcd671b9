// Two media streams of one MediaEngine talk to each other over loopback:
// audio goes through G.722 / PCMU and the jitter buffer, DTMF digits go as
// RFC 4733 telephone-events both ways, and RTCP reports arrive.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "telephony/media_engine.hpp"

namespace voqo::telephony {
namespace {

/// Plays a 440 Hz tone (or silence) and records what it hears and the digits.
class ToneHandler final : public MediaHandler {
 public:
  explicit ToneHandler(bool play) : play_(play) {}
  void on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t tick) override {
    double energy = 0;
    for (int16_t s : caller) energy += static_cast<double>(s) * s;
    if (energy / static_cast<double>(caller.size()) > 1e6) heard_frames.fetch_add(1);
    frames.fetch_add(1);
    if (!play_) return;
    for (std::size_t i = 0; i < agent.size(); ++i, ++phase_)
      agent[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440.0 * static_cast<double>(phase_) / 16000.0));
  }
  void on_dtmf(char digit, int duration_ms) override {
    std::lock_guard lock(mutex);
    digits += digit;
    durations.push_back(duration_ms);
  }
  std::atomic<int> frames{0}, heard_frames{0};
  std::mutex mutex;
  std::string digits;
  std::vector<int> durations;

 private:
  bool play_;
  uint64_t phase_ = 0;
};

sockaddr_storage loopback(uint16_t port) {
  sockaddr_storage s{};
  auto& a = reinterpret_cast<sockaddr_in&>(s);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return s;
}

void talk(const std::string& codec, int payload_type) {
  auto engine = MediaEngine::create({2, "127.0.0.1", 40000, 40100});
  ASSERT_TRUE(engine) << engine.error().message;
  auto pa = (*engine)->allocate_ports();
  auto pb = (*engine)->allocate_ports();
  ASSERT_TRUE(pa && pb);
  auto speaker = std::make_shared<ToneHandler>(true);
  auto listener = std::make_shared<ToneHandler>(false);
  StreamConfig a{*pa, loopback(pb->port), loopback(pb->port + 1), codec, payload_type, 101, "a@test"};
  StreamConfig b{*pb, loopback(pa->port), loopback(pa->port + 1), codec, payload_type, 101, "b@test"};
  auto sa = (*engine)->start_stream(a, speaker);
  auto sb = (*engine)->start_stream(b, listener);
  ASSERT_TRUE(sa && sb);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ASSERT_TRUE((*sa)->send_dtmf("12#"));
  ASSERT_TRUE((*sb)->send_dtmf("9"));
  EXPECT_FALSE((*sa)->send_dtmf("x")) << "not a DTMF digit";
  std::this_thread::sleep_for(std::chrono::milliseconds(5600));  // past the first RTCP interval (5 s)
  const auto& stats = (*sb)->stats();
  EXPECT_GT(stats.packets_received.load(), 250u);
  EXPECT_EQ(stats.malformed.load(), 0u);
  EXPECT_EQ(stats.packets_concealed.load(), 0u) << "nothing is lost on loopback";
  // The listener heard the tone in most frames (after the jitter buffer's prefetch).
  EXPECT_GT(listener->heard_frames.load(), listener->frames.load() * 8 / 10);
  EXPECT_EQ(speaker->heard_frames.load(), 0) << "the listener sends silence";
  {
    std::lock_guard lock(listener->mutex);
    EXPECT_EQ(listener->digits, "12#");
    for (int d : listener->durations) EXPECT_EQ(d, 100);
  }
  {
    std::lock_guard lock(speaker->mutex);
    EXPECT_EQ(speaker->digits, "9");
  }
  EXPECT_GT((*sa)->stats().packets_sent.load(), 250u);
  (*sa)->stop();
  (*sb)->stop();
  const auto es = (*engine)->stats();
  EXPECT_GT(es.frames, 500u);
  std::printf("[ figure ] %s: send lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms over %llu frames\n", codec.c_str(),
              es.send_lateness_p50_ms, es.send_lateness_p99_ms, es.send_lateness_max_ms,
              static_cast<unsigned long long>(es.frames));
}

TEST(MediaEngine, G722AudioAndDtmfFlowBothWaysOverLoopback) { talk("G722", 9); }
TEST(MediaEngine, PcmuAudioAndDtmfFlowBothWaysOverLoopback) { talk("PCMU", 0); }

TEST(MediaEngine, RefusesAnUnknownCodecAndAnEmptyPortRange) {
  auto engine = MediaEngine::create({1, "127.0.0.1", 40200, 40204});
  ASSERT_TRUE(engine);
  auto p = (*engine)->allocate_ports();
  ASSERT_TRUE(p);
  StreamConfig c{*p, loopback(9), loopback(10), "opus", 111, -1, "x"};
  EXPECT_FALSE((*engine)->start_stream(c, std::make_shared<ToneHandler>(false)));
  MediaEngine::release_ports(*p);
  EXPECT_FALSE(MediaEngine::create({0, "127.0.0.1", 40200, 40204})) << "no media threads";
  auto dtmf_less = (*engine)->allocate_ports();
  ASSERT_TRUE(dtmf_less);
  StreamConfig d{*dtmf_less, loopback(9), loopback(10), "PCMU", 0, -1, "x"};
  auto s = (*engine)->start_stream(d, std::make_shared<ToneHandler>(false));
  ASSERT_TRUE(s);
  EXPECT_FALSE((*s)->send_dtmf("1")) << "the peer did not negotiate telephone-event";
  (*s)->stop();
}

/// Logs its name at each tick; "A" asks to play soon at its 20th tick.
class OrderHandler final : public MediaHandler {
 public:
  OrderHandler(char name, std::string& log, std::mutex& mutex) : name_(name), log_(log), mutex_(mutex) {}
  void on_frame(std::span<const int16_t>, std::span<int16_t>, uint64_t tick) override {
    {
      std::lock_guard lock(mutex_);
      log_ += name_;
      if (name_ == 'A' && tick == 20) log_ += '*';
    }
    if (name_ == 'A' && tick == 20) play_soon_();
  }
  void on_dtmf(char, int) override {}
  void attach(std::function<void()> play_soon) override { play_soon_ = std::move(play_soon); }

 private:
  char name_;
  std::string& log_;
  std::mutex& mutex_;
  std::function<void()> play_soon_;
};

TEST(MediaEngine, PlaySoonMovesTheStreamToTheNextSlot) {
  // One media thread, three streams on the 5 ms phases 0, 1 and 2: each 20 ms
  // they tick in the order A B C. When A asks to play soon (at its tick 20,
  // marked *), its next tick comes in the very next slot, with B's (after
  // it), not three slots later: from then on the order is B A C.
  auto engine = MediaEngine::create({1, "127.0.0.1", 40300, 40320});
  ASSERT_TRUE(engine) << engine.error().message;
  std::string log;
  std::mutex mutex;
  std::vector<std::shared_ptr<MediaStream>> streams;
  std::vector<RtpPorts> ports;
  for (int i = 0; i < 3; ++i) {
    auto p = (*engine)->allocate_ports();
    ASSERT_TRUE(p);
    ports.push_back(*p);
  }
  for (int i = 0; i < 3; ++i) {
    StreamConfig c{ports[static_cast<std::size_t>(i)], loopback(ports[static_cast<std::size_t>((i + 1) % 3)].port),
                   loopback(ports[static_cast<std::size_t>((i + 1) % 3)].port + 1), "PCMU", 0, 101, "order@test"};
    auto s = (*engine)->start_stream(c, std::make_shared<OrderHandler>(static_cast<char>('A' + i), log, mutex));
    ASSERT_TRUE(s);
    streams.push_back(*s);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (auto& s : streams) s->stop();
  std::lock_guard lock(mutex);
  const auto mark = log.find('*');
  ASSERT_NE(mark, std::string::npos) << log;
  ASSERT_GE(mark, 6u) << log;
  EXPECT_EQ(log.substr(mark - 6, 6), "BCABCA") << "before: " << log.substr(0, mark);
  ASSERT_GE(log.size(), mark + 13) << log;
  EXPECT_EQ(log.substr(mark + 1, 12), "BACBACBACBAC") << "after: " << log.substr(mark + 1);
}

}  // namespace
}  // namespace voqo::telephony
