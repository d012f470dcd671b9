// Call capacity of one voqo process (issue 3), three parts:
//
// (a) media plane: CallService with conversation=false (the agent speaks a
//     short greeting, every call is recorded as stereo WAV, no STT), G.722,
//     dialing a sipp UAS (tests/data/sipp/answer_hold_echo.xml) that answers,
//     holds until our BYE and echoes our RTP back (-rtp_echo), so every call
//     sends and receives 50 packets/s. The number of concurrent calls is
//     ramped through --steps (setup paced at --rate calls/s); at each step,
//     once all streams run and the greetings are synthesised, the media
//     engine's stats are reset and read after --measure s: send lateness
//     p50/p99/max (how late each 20 ms send is against its ideal time),
//     ticks processed against the ticks due (< 1 when streams miss their
//     20 ms sends), and the CPU of voqo (all
//     threads, and its media threads), and of sipp (same 2 cores). The
//     answer is the largest step with p99 ≤ 5 ms and no ticks missed.
// (b) full pipeline: N concurrent conversations (pocketsphinx, deterministic
//     brain, flite) with baresip callees speaking the fixture WAV, N from
//     --conv-steps; calls start --spread s apart in total so turns do not
//     line up. Per N: turn latency p95 (response gap − silence threshold,
//     and ownOverheadUs); the answer is the first N whose p95 gap is ≥ 20 %
//     above N = 1.
// (c) one baresip process as the callee of many media-plane calls (auto
//     answer, aufile source, no recording unless --baresip-record): steps
//     from --baresip-steps, each held --hold s; per step our received-packet
//     ratio, concealed (lost/late) frames, RFC 3550 interarrival jitter of
//     what baresip sends, what baresip reports lost of ours (RTCP), and
//     baresip's CPU. Audio counts as broken at ≥ 1 % concealed or p95 jitter
//     > 10 ms.
//
// (t) diagnostic (not in "all"): the media engine alone, N streams to a
//     loopback sink; how regular each stream's 20 ms tick really is.
//
// Usage: bench_capacity [--part t|a|b|c|all] [--tick-steps 1,10,100] [--steps 100,250,500,1000,1500]
//          [--measure 10] [--rate 50] [--media-threads 2] [--max-rss-mb 12000]
//          [--conv-steps 1,2,4,8] [--spread 6] [--baresip-steps 10,25,50,100]
//          [--hold 15] [--silence 700] [--codec G722|PCMU|PCMA]  (parts a and c)
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "call_bench_support.hpp"
#include "store/store.hpp"

using namespace voqo;
using namespace voqo::bench;

namespace {

struct Env {
  fs::path dir;
  std::unique_ptr<store::Store> store;
  WorkspaceId ws;  ///< the Default workspace: the agent and its calls
};

Env make_env(const std::string& tag) {
  Env e;
  e.dir = fs::temp_directory_path() / ("voqo_capacity_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(e.dir);
  auto st = store::Store::open(e.dir / "voqo.db");
  if (!st) {
    std::fprintf(stderr, "store: %s\n", st.error().message.c_str());
    std::exit(1);
  }
  e.store = std::move(*st);
  e.ws = default_workspace(*e.store);
  return e;
}

/// --codec: the one codec the calls offer (G722 by default; PCMU/PCMA as a
/// G.711-only trunk would carry).
std::string g_codec = "G722";

calls::CallServiceConfig media_plane_config(const Env& e, const std::string& trunk_uri, int media_threads) {
  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.media_threads = media_threads;
  cfg.rtp_port_min = 10000;
  cfg.rtp_port_max = 60000;
  cfg.recordings_dir = e.dir / "recordings";
  cfg.conversation = false;
  cfg.detect_answering_machine = false;
  cfg.ring_timeout = std::chrono::seconds(20);
  cfg.trunk = telephony::SipTrunk{trunk_uri, "udp", "", "", "+15550001111"};
  cfg.trunk->codecs = {g_codec};
  cfg.brain_factory = [](const brain::CallContext& c) { return std::make_unique<EchoOkBrain>(c); };
  return cfg;
}

/// Places calls until `target` are placed, `rate` per second. Returns false on a placement error.
bool place_up_to(calls::CallService& svc, const WorkspaceId& ws, std::vector<std::string>& ids, std::size_t target, double rate,
                 const std::string& to, Records& records) {
  const auto period = std::chrono::microseconds(static_cast<int64_t>(1e6 / rate));
  auto next = std::chrono::steady_clock::now();
  while (ids.size() < target) {
    auto id = svc.place_call(records.with({ws, "Capacity", to, nlohmann::json::object(), "Peer"}));
    if (!id) {
      std::fprintf(stderr, "place_call #%zu: %s\n", ids.size() + 1, id.error().message.c_str());
      return false;
    }
    ids.push_back(*id);
    next += period;
    std::this_thread::sleep_until(next);
  }
  return true;
}

/// Waits until the media engine runs `n` streams (calls answered). Returns the count reached.
std::size_t wait_streams(const calls::CallService& svc, std::size_t n, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (svc.media_engine().stats().streams >= n) break;
    std::this_thread::sleep_for(100ms);
  }
  return svc.media_engine().stats().streams;
}

/// Hangs up in batches of 4 and waits for each batch's records: CallService
/// finalises a call on its worker pool, and CallPipeline::finish() blocks that
/// worker until tasks on the same pool run; with worker_threads (8) calls
/// ending at once every worker waits and the pool deadlocks (reported in
/// bench/README.md). Batches keep the bench clear of it.
void hang_up_all(calls::CallService& svc, std::vector<std::string>& ids, Records& records, std::size_t expected) {
  std::size_t asked = 0;
  for (std::size_t i = 0; i < ids.size(); i += 4) {
    for (std::size_t j = i; j < std::min(ids.size(), i + 4); ++j, ++asked) (void)svc.hang_up(ids[j]);
    if (records.wait_for(asked, 20s) < asked) {
      std::fprintf(stderr, "only %zu of %zu hung-up calls ended\n", records.wait_for(0, 0ms), asked);
      break;
    }
  }
  (void)expected;
  ids.clear();
}

/// Received-side audio figures over finished media-plane calls.
struct RxSummary {
  std::size_t calls = 0, completed = 0;
  double sent = 0, received = 0, concealed = 0, lost = 0, peer_lost = 0;
  std::vector<double> jitter_ms, concealed_pct;
};
RxSummary rx_summary(const std::vector<nlohmann::json>& records) {
  RxSummary s;
  for (const auto& r : records) {
    ++s.calls;
    if (r.value("status", "") != "completed") continue;
    ++s.completed;
    const auto rtp = r["systemInfo"].value("rtp", nlohmann::json::object());
    const double sent = rtp.value("packetsSent", 0.0), rec = rtp.value("packetsReceived", 0.0),
                 conc = rtp.value("packetsConcealed", 0.0);
    s.sent += sent;
    s.received += rec;
    s.concealed += conc;
    s.lost += rtp.value("packetsLost", 0.0);
    s.peer_lost += rtp.value("peerReportedLost", 0.0);
    s.jitter_ms.push_back(rtp.value("jitterUs", 0.0) / 1000);
    if (sent > 0) s.concealed_pct.push_back(100 * conc / sent);
  }
  return s;
}
void print_rx(const RxSummary& s) {
  std::printf("    %zu calls, %zu completed; received/sent %.4f, lost %.0f, concealed %.3f %% (p95 per call %.3f %%), "
              "jitter p50/p95/max %.2f/%.2f/%.2f ms, peer-reported lost %.0f\n",
              s.calls, s.completed, s.sent > 0 ? s.received / s.sent : 0, s.lost, s.sent > 0 ? 100 * s.concealed / s.sent : 0,
              percentile(s.concealed_pct, 0.95), percentile(s.jitter_ms, 0.5), percentile(s.jitter_ms, 0.95),
              s.jitter_ms.empty() ? 0 : *std::max_element(s.jitter_ms.begin(), s.jitter_ms.end()), s.peer_lost);
}

// ---- (a) -------------------------------------------------------------------

int part_a(int argc, char** argv) {
  const auto steps = int_list(flag(argc, argv, "steps", "100,250,500,1000,1500"));
  const int measure_s = std::atoi(flag(argc, argv, "measure", "10").c_str());
  const double rate = std::atof(flag(argc, argv, "rate", "50").c_str());
  const int media_threads = std::atoi(flag(argc, argv, "media-threads", "2").c_str());
  const long max_rss_mb = std::atol(flag(argc, argv, "max-rss-mb", "12000").c_str());
  std::printf("\n== (a) media plane: conversation=false, %s, recording on, sipp UAS with -rtp_echo; "
              "%d media threads, setup %.0f calls/s, %d s per step ==\n", g_codec.c_str(), media_threads, rate, measure_s);
  Env env = make_env("a");
  (void)env.store->agents().create(
      env.ws, {{"name", "Capacity"}, {"systemPrompt", "Capacity test."}, {"greetingMessage", "Hello, this is a capacity test."}});
  const uint16_t sip_port = free_loopback_port(), media_port = static_cast<uint16_t>(free_loopback_port() & ~1u);
  Child sipp({"/usr/bin/sipp", "-sf", (kSource / "tests/data/sipp/answer_hold_echo.xml").string(), "-i", "127.0.0.1",
              "-p", std::to_string(sip_port), "-mp", std::to_string(media_port), "-rtp_echo", "-nostdin"},
             env.dir / "sipp.log");
  std::this_thread::sleep_for(500ms);
  if (!sipp.alive()) {
    std::fprintf(stderr, "sipp did not start: %s\n", (env.dir / "sipp.log").c_str());
    return 1;
  }
  auto service = calls::CallService::create(*env.store, media_plane_config(env, "sip:127.0.0.1:" + std::to_string(sip_port), media_threads));
  if (!service) {
    std::fprintf(stderr, "call service: %s\n", service.error().message.c_str());
    return 1;
  }
  auto& svc = **service;
  Records records(*env.store);
  std::vector<std::string> ids;
  std::printf("  %6s %8s %8s %8s %9s %10s %7s %7s %7s %7s %7s\n", "calls", "p50 ms", "p99 ms", "max ms", ">5ms %",
              "ticks/due", "voqo%", "media%", "sip%", "sipp%", "RSS MB");
  int best = 0;
  for (int step : steps) {
    const auto t_setup = std::chrono::steady_clock::now();
    if (!place_up_to(svc, env.ws, ids, static_cast<std::size_t>(step), rate, "+14155550123", records)) break;
    const std::size_t running = wait_streams(svc, static_cast<std::size_t>(step), std::chrono::seconds(30));
    const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();
    std::this_thread::sleep_for(3s);  // greetings synthesised and queued
    auto& engine = svc.media_engine();
    engine.reset_stats();
    const double cpu0 = process_cpu_s(::getpid()), peer0 = process_cpu_s(sipp.pid());
    auto th0 = thread_cpu_s();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(measure_s));
    const auto s = engine.stats();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto th1 = thread_cpu_s();
    const double cpu = (process_cpu_s(::getpid()) - cpu0) / wall * 100, peer = (process_cpu_s(sipp.pid()) - peer0) / wall * 100;
    const double media = (th1["voqo-media"] - th0["voqo-media"]) / wall * 100, sipthr = (th1["voqo-sip"] - th0["voqo-sip"]) / wall * 100;
    const double due = static_cast<double>(s.streams) * wall * 1000 / telephony::kPtimeMs;
    std::printf("  %6zu %8.2f %8.2f %8.2f %9.3f %10.3f %7.1f %7.1f %7.1f %7.1f %7ld   (setup %.1f s)\n", s.streams,
                s.send_lateness_p50_ms, s.send_lateness_p99_ms, s.send_lateness_max_ms,
                s.frames ? 100.0 * static_cast<double>(s.late_over_5ms) / static_cast<double>(s.frames) : 0,
                due > 0 ? static_cast<double>(s.frames) / due : 0, cpu, media, sipthr, peer, rss_mb(), setup_s);
    std::fflush(stdout);
    if (running < static_cast<std::size_t>(step)) {
      std::printf("  only %zu of %d calls answered: stopping\n", running, step);
      break;
    }
    if (s.send_lateness_p99_ms <= 5.0 && due > 0 && static_cast<double>(s.frames) / due >= 0.99) best = step;
    if (s.send_lateness_p99_ms > 20.0) {
      std::printf("  p99 > 20 ms: stopping the ramp\n");
      break;
    }
    if (rss_mb() > max_rss_mb) {
      std::printf("  RSS %ld MB > --max-rss-mb %ld: stopping the ramp\n", rss_mb(), max_rss_mb);
      break;
    }
  }
  const std::size_t expected = ids.size();
  hang_up_all(svc, ids, records, expected);
  std::printf("  received audio over the whole ramp (per call, from the call records):\n");
  print_rx(rx_summary(records.take()));
  std::printf("  => largest step with send lateness p99 <= 5 ms and every tick on time: %d concurrent calls\n", best);
  service->reset();
  sipp.stop();
  if (!has_flag(argc, argv, "keep")) fs::remove_all(env.dir);
  return 0;
}

// ---- (b) -------------------------------------------------------------------

int part_b(int argc, char** argv) {
  const auto steps = int_list(flag(argc, argv, "conv-steps", "1,2,4,8"));
  const double spread_s = std::atof(flag(argc, argv, "spread", "6").c_str());
  const int silence_ms = std::atoi(flag(argc, argv, "silence", "700").c_str());
  std::printf("\n== (b) full pipeline: N concurrent conversations with baresip callees (pocketsphinx, flite slt, "
              "silence %d ms, response delay 0) ==\n", silence_ms);
  Env env = make_env("b");
  (void)env.store->agents().create(env.ws, bench_agent("Capacity", silence_ms, "slt"));
  const CalleeVoice voice = make_callee_wav(env.dir / "callee.wav",
                                            {"001.wav", "sense_and_sensibility_01_austen_64kb-0880.wav",
                                             "sense_and_sensibility_01_austen_64kb-0930.wav",
                                             "sense_and_sensibility_01_austen_64kb-0890.wav"},
                                            3.0, 3.0, 1.5);
  const int max_n = steps.empty() ? 1 : *std::max_element(steps.begin(), steps.end());
  Baresip callee = start_baresip(env.dir / "baresip", voice.path, max_n + 4);
  if (!callee.child.alive()) {
    std::fprintf(stderr, "baresip did not start\n");
    return 1;
  }
  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.recordings_dir = env.dir / "recordings";
  cfg.detect_answering_machine = false;
  cfg.trunk = telephony::SipTrunk{"sip:127.0.0.1:" + std::to_string(callee.sip_port), "udp", "", "", "+15550001111"};
  cfg.brain_factory = [](const brain::CallContext& c) { return std::make_unique<EchoOkBrain>(c); };
  auto service = calls::CallService::create(*env.store, cfg);
  if (!service) {
    std::fprintf(stderr, "call service: %s\n", service.error().message.c_str());
    return 1;
  }
  std::printf("  %4s %6s %6s %10s %10s %10s %10s %8s %8s %8s\n", "N", "turns", "intr", "gap p50", "gap p95", "own p50",
              "own p95", "stt p95", "voqo%", "bsip%");
  double base_p95 = 0;
  int knee = 0;
  for (int n : steps) {
    // Stagger: calls start spread_s / n apart (run_conversations waits 100 ms between placements; add the rest).
    Records records(*env.store);
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> placed;
    const double cpu0 = process_cpu_s(::getpid()), peer0 = process_cpu_s(callee.child.pid());
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      auto id = (*service)->place_call(records.with({env.ws, "Capacity", callee.uri(), nlohmann::json::object(), "Callee"}));
      if (id) placed.emplace_back(*id, std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>((voice.duration_s - 0.5) * 1000)));
      else std::fprintf(stderr, "place_call: %s\n", id.error().message.c_str());
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(spread_s * 1000 / n)));
    }
    for (const auto& [id, at] : placed) {
      std::this_thread::sleep_until(at);
      (void)(*service)->hang_up(id);
    }
    if (records.wait_for(placed.size(), 30s) < placed.size())
      std::printf("  N=%d: only %zu of %zu call records came back\n", n, records.wait_for(0, 0ms), placed.size());
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = (process_cpu_s(::getpid()) - cpu0) / wall * 100, peer = (process_cpu_s(callee.child.pid()) - peer0) / wall * 100;
    int turns = 0, intr = 0;
    auto table = turn_stages(records.take(), {}, &turns, &intr);
    const auto& gap = table.row("    same, minus silence threshold and response delay");
    const auto& own = table.row("[6] ownOverheadUs (voqo's own share)");
    const auto& stt = table.row("[2] STT finalize compute (sttComputeUs)");
    const double p95 = percentile(gap, 0.95);
    if (n == steps.front()) base_p95 = p95;
    std::printf("  %4d %6d %6d %10.1f %10.1f %10.2f %10.2f %8.1f %8.1f %8.1f\n", n, turns, intr, percentile(gap, 0.5), p95,
                percentile(own, 0.5), percentile(own, 0.95), percentile(stt, 0.95), cpu, peer);
    std::fflush(stdout);
    if (knee == 0 && n != steps.front() && base_p95 > 0 && p95 >= 1.2 * base_p95) knee = n;
  }
  if (knee) std::printf("  => turn latency p95 (gap beyond the silence threshold) is >= 20 %% above N=%d from N=%d\n", steps.front(), knee);
  else std::printf("  => turn latency p95 stayed within 20 %% of N=%d over the steps run\n", steps.front());
  service->reset();
  callee.child.stop();
  fs::remove_all(env.dir);
  return 0;
}

// ---- (c) -------------------------------------------------------------------

int part_c(int argc, char** argv) {
  const auto steps = int_list(flag(argc, argv, "baresip-steps", "10,25,50,100"));
  const int hold_s = std::atoi(flag(argc, argv, "hold", "15").c_str());
  const bool record = has_flag(argc, argv, "baresip-record");
  std::printf("\n== (c) one baresip process (auto-answer, aufile source%s) as callee of N media-plane calls, %d s each ==\n",
              record ? ", recording" : ", no recording", hold_s);
  Env env = make_env("c");
  (void)env.store->agents().create(
      env.ws, {{"name", "Capacity"}, {"systemPrompt", "Capacity test."}, {"greetingMessage", "Hello, this is a capacity test."}});
  // The callee talks all the time: the five audiobook sentences back to back, a minute in all.
  const CalleeVoice voice = make_callee_wav(env.dir / "callee.wav",
                                            {"sense_and_sensibility_01_austen_64kb-0870.wav", "sense_and_sensibility_01_austen_64kb-0880.wav",
                                             "sense_and_sensibility_01_austen_64kb-0890.wav", "sense_and_sensibility_01_austen_64kb-0920.wav",
                                             "sense_and_sensibility_01_austen_64kb-0930.wav", "sense_and_sensibility_01_austen_64kb-0870.wav",
                                             "sense_and_sensibility_01_austen_64kb-0880.wav", "sense_and_sensibility_01_austen_64kb-0890.wav",
                                             "sense_and_sensibility_01_austen_64kb-0920.wav", "sense_and_sensibility_01_austen_64kb-0930.wav"},
                                            0.2, 0.3, 5.0);
  const int max_n = steps.empty() ? 1 : *std::max_element(steps.begin(), steps.end());
  Baresip callee = start_baresip(env.dir / "baresip", voice.path, max_n + 8, record);
  if (!callee.child.alive()) {
    std::fprintf(stderr, "baresip did not start\n");
    return 1;
  }
  auto service = calls::CallService::create(*env.store, media_plane_config(env, "sip:127.0.0.1:" + std::to_string(callee.sip_port), 2));
  if (!service) {
    std::fprintf(stderr, "call service: %s\n", service.error().message.c_str());
    return 1;
  }
  auto& svc = **service;
  int best = 0;
  for (int n : steps) {
    Records records(*env.store);
    std::vector<std::string> ids;
    if (!place_up_to(svc, env.ws, ids, static_cast<std::size_t>(n), 20, callee.uri(), records)) break;
    const std::size_t running = wait_streams(svc, static_cast<std::size_t>(n), std::chrono::seconds(20));
    const double peer0 = process_cpu_s(callee.child.pid()), cpu0 = process_cpu_s(::getpid());
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(hold_s));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double peer = (process_cpu_s(callee.child.pid()) - peer0) / wall * 100, cpu = (process_cpu_s(::getpid()) - cpu0) / wall * 100;
    const auto lateness = svc.media_engine().stats();
    hang_up_all(svc, ids, records, static_cast<std::size_t>(n));
    const RxSummary rx = rx_summary(records.take());
    std::printf("  N=%d: %zu answered; baresip CPU %.1f %%, voqo CPU %.1f %% (send p99 %.2f ms)\n", n, running, peer, cpu,
                lateness.send_lateness_p99_ms);
    print_rx(rx);
    std::fflush(stdout);
    svc.media_engine().reset_stats();
    const bool broken = running < static_cast<std::size_t>(n) || rx.completed < static_cast<std::size_t>(n) ||
                        (rx.sent > 0 && rx.concealed / rx.sent >= 0.01) || percentile(rx.jitter_ms, 0.95) > 10;
    if (broken) {
      std::printf("  audio broken at N=%d\n", n);
      break;
    }
    best = n;
    std::this_thread::sleep_for(2s);
  }
  std::printf("  => one baresip process carried %d concurrent calls with clean audio (compare (a))\n", best);
  service->reset();
  callee.child.stop();
  fs::remove_all(env.dir);
  return 0;
}

// ---- (t) tick regularity of the media engine alone ------------------------

/// Records when each stream's on_frame runs.
class TickRecorder final : public telephony::MediaHandler {
 public:
  void on_frame(std::span<const int16_t>, std::span<int16_t>, uint64_t) override { at.push_back(std::chrono::steady_clock::now()); }
  void on_dtmf(char, int) override {}
  std::vector<std::chrono::steady_clock::time_point> at;  // media thread only; read after stop()
};

/// MediaEngine without SIP: N streams sending G.722 to a loopback sink for
/// --tick-seconds; prints how regular each stream's 20 ms tick is (the
/// interval between on_frame calls) next to the engine's own lateness figure.
int part_t(int argc, char** argv) {
  const auto steps = int_list(flag(argc, argv, "tick-steps", "1,10,100"));
  const int seconds = std::atoi(flag(argc, argv, "tick-seconds", "5").c_str());
  const int threads = std::atoi(flag(argc, argv, "media-threads", "2").c_str());
  std::printf("\n== (t) media engine tick regularity: %d media threads, streams to a loopback sink, %d s ==\n", threads, seconds);
  int sink = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(sink, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(sink, reinterpret_cast<sockaddr*>(&a), &len);
  std::printf("  %7s %10s %10s %10s %10s %10s %10s %10s %10s\n", "streams", "ticks/s", "<15ms %", ">25ms %", "int p1", "int p99",
              "eng p50", "eng p99", "first 2s");
  for (int n : steps) {
    auto engine = telephony::MediaEngine::create({threads, "127.0.0.1", 40000, 60000});
    if (!engine) return 1;
    std::vector<std::shared_ptr<TickRecorder>> rec;
    std::vector<std::shared_ptr<telephony::MediaStream>> streams;
    for (int i = 0; i < n; ++i) {
      auto ports = (*engine)->allocate_ports();
      if (!ports) return 1;
      telephony::StreamConfig sc;
      sc.ports = *ports;
      std::memcpy(&sc.remote_rtp, &a, sizeof a);
      std::memcpy(&sc.remote_rtcp, &a, sizeof a);
      sc.cname = "bench";
      rec.push_back(std::make_shared<TickRecorder>());
      rec.back()->at.reserve(static_cast<std::size_t>(seconds) * 60);
      auto s = (*engine)->start_stream(sc, rec.back());
      if (!s) return 1;
      streams.push_back(*s);
    }
    std::this_thread::sleep_for(500ms);
    (*engine)->reset_stats();
    const std::size_t skip = 25;  // the first 0.5 s
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    const auto st = (*engine)->stats();
    for (auto& s : streams) s->stop();
    engine->reset();
    std::vector<double> intervals;
    double ticks = 0, span = 0;
    for (const auto& r : rec) {
      for (std::size_t i = skip + 1; i < r->at.size(); ++i)
        intervals.push_back(std::chrono::duration<double, std::milli>(r->at[i] - r->at[i - 1]).count());
      if (r->at.size() > skip + 1) {
        ticks += static_cast<double>(r->at.size() - skip - 1);
        span += std::chrono::duration<double>(r->at.back() - r->at[skip]).count();
      }
    }
    const double short_pct = 100.0 * static_cast<double>(std::count_if(intervals.begin(), intervals.end(), [](double v) { return v < 15; })) / static_cast<double>(std::max<std::size_t>(1, intervals.size()));
    const double long_pct = 100.0 * static_cast<double>(std::count_if(intervals.begin(), intervals.end(), [](double v) { return v > 25; })) / static_cast<double>(std::max<std::size_t>(1, intervals.size()));
    double first_2s = 0;  // mean ticks of a stream in its first 2 s (100 due)
    for (const auto& r : rec)
      first_2s += static_cast<double>(std::count_if(r->at.begin(), r->at.end(), [&](auto t) { return t - r->at.front() < 2s; }));
    std::printf("  %7d %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %10.1f\n", n, span > 0 ? ticks / span : 0, short_pct, long_pct,
                percentile(intervals, 0.01), percentile(intervals, 0.99), st.send_lateness_p50_ms, st.send_lateness_p99_ms,
                first_2s / static_cast<double>(n));
  }
  ::close(sink);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  spdlog::set_level(has_flag(argc, argv, "debug") ? spdlog::level::debug : spdlog::level::err);
  const rlim_t nofile = raise_nofile();
  const std::string part = flag(argc, argv, "part", "all");
  g_codec = flag(argc, argv, "codec", "G722");
  std::printf("bench_capacity: %ld cores, RLIMIT_NOFILE %lu\n", sysconf(_SC_NPROCESSORS_ONLN), static_cast<unsigned long>(nofile));
  int rc = 0;
  if (part == "t") rc |= part_t(argc, argv);
  if (part == "a" || part == "all") rc |= part_a(argc, argv);
  if (part == "b" || part == "all") rc |= part_b(argc, argv);
  if (part == "c" || part == "all") rc |= part_c(argc, argv);
  return rc;
}
