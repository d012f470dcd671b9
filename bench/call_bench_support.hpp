#pragma once
/// Shared pieces of the call benchmarks (bench_turn_latency, bench_capacity):
/// peer processes (sipp, baresip), the callee's speaking WAV, a deterministic
/// brain, CPU accounting from /proc and percentiles. Header-only, bench use.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "calls/call_service.hpp"
#include "net/local_port.hpp"
#include "speech/audio.hpp"
#include "store/store.hpp"

extern char** environ;

namespace voqo::bench {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline const fs::path kSource = VOQO_BENCH_SOURCE;              ///< the repository
inline const fs::path kFixtures = VOQO_BENCH_FIXTURES;          ///< /work/shared/fixtures
inline const fs::path kBaresipTemplate = VOQO_BENCH_BARESIP;    ///< shared/peers/baresip-callee

/// A child process (peer), killed (SIGTERM, then SIGKILL) when destroyed.
class Child {
 public:
  Child() = default;
  /// Starts argv[0] (a path) with stdout/stderr appended to `log`. pid() == -1 on failure.
  Child(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  Child(Child&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
  Child& operator=(Child&& o) noexcept {
    stop();
    pid_ = std::exchange(o.pid_, -1);
    return *this;
  }
  ~Child() { stop(); }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 40; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) != 0) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

/// A free UDP port on loopback (net/local_port.hpp).
using net::free_loopback_port;

/// Raises RLIMIT_NOFILE to its hard limit (each call holds RTP+RTCP sockets,
/// the recording and the peer's). Returns the soft limit now in force.
inline rlim_t raise_nofile() {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

/// The callee's voice: `lead_s` of silence, then each fixture utterance
/// followed by `gap_s` of silence, then `tail_s` of silence. 16 kHz mono.
/// Returns the path written and, in `speech_ends_s`, where each utterance ends.
struct CalleeVoice {
  fs::path path;
  std::vector<double> speech_starts_s, speech_ends_s;
  double duration_s = 0;
};
inline CalleeVoice make_callee_wav(const fs::path& out, const std::vector<std::string>& files, double lead_s,
                                   double gap_s, double tail_s) {
  CalleeVoice v;
  v.path = out;
  speech::PcmAudio audio{{16000, 1}, {}};
  auto silence = [&](double s) { audio.samples.insert(audio.samples.end(), static_cast<std::size_t>(s * 16000), 0); };
  silence(lead_s);
  for (const auto& f : files) {
    auto a = speech::read_wav(kFixtures / "speech" / f);
    if (!a || a->format.sample_rate_hz != 16000 || a->format.channels != 1) {
      std::fprintf(stderr, "fixture %s: not 16 kHz mono\n", f.c_str());
      std::exit(1);
    }
    v.speech_starts_s.push_back(static_cast<double>(audio.samples.size()) / 16000.0);
    audio.samples.insert(audio.samples.end(), a->samples.begin(), a->samples.end());
    v.speech_ends_s.push_back(static_cast<double>(audio.samples.size()) / 16000.0);
    silence(gap_s);
  }
  silence(tail_s);
  v.duration_s = static_cast<double>(audio.samples.size()) / 16000.0;
  if (auto w = speech::write_wav(out, audio); !w) {
    std::fprintf(stderr, "write %s: %s\n", out.c_str(), w.error().message.c_str());
    std::exit(1);
  }
  return v;
}

/// A baresip callee (shared/peers/baresip-callee recipe): auto-answers,
/// speaks `wav` (aufile source), records what it hears into `dir`/rec.
/// `max_calls` sets call_max_calls (baresip's default is 4).
struct Baresip {
  Child child;
  uint16_t sip_port = 0;
  fs::path dir;
  [[nodiscard]] std::string uri() const { return "sip:callee@127.0.0.1:" + std::to_string(sip_port); }
};
inline Baresip start_baresip(const fs::path& dir, const fs::path& wav, int max_calls, bool record = true) {
  Baresip b;
  b.dir = dir;
  b.sip_port = free_loopback_port();
  const uint16_t console = free_loopback_port();
  fs::create_directories(dir / "rec");
  auto subst = [&](std::string text) {
    auto rep = [&](const std::string& from, const std::string& to) {
      for (std::size_t p; (p = text.find(from)) != std::string::npos;) text.replace(p, from.size(), to);
    };
    rep("@SIP_PORT@", std::to_string(b.sip_port));
    rep("@VOICE_WAV@", wav.string());
    rep("@CONSOLE_PORT@", std::to_string(console));
    rep("@RECORD_DIR@", (dir / "rec").string());
    return text;
  };
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  std::string config = subst(slurp(kBaresipTemplate / "config"));
  if (!record) {  // no sndfile module: nothing written per call
    for (std::size_t p; (p = config.find("module sndfile.so")) != std::string::npos;) config.replace(p, 17, "");
  }
  config += "\ncall_max_calls " + std::to_string(max_calls) + "\n";
  std::ofstream(dir / "config") << config;
  std::ofstream(dir / "accounts") << subst(slurp(kBaresipTemplate / "accounts"));
  b.child = Child({"/usr/bin/baresip", "-f", dir.string()}, dir / "baresip.log");
  std::this_thread::sleep_for(800ms);  // module loading; SIP listens after that
  return b;
}

/// Replies with a short fixed sentence after every caller turn, so the
/// agent has finished speaking before the callee's next utterance. No
/// compute: brainComputeUs measures the pipeline's hand-off only.
class EchoOkBrain final : public brain::Brain {
 public:
  explicit EchoOkBrain(brain::CallContext c, std::string reply = "Okay, go on.") : ctx_(std::move(c)), reply_(std::move(reply)) {}
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token) override { return say(ctx_.greeting, sink); }
  Result<brain::Reply> respond(std::string_view, const brain::TextSink& sink, std::stop_token) override {
    return say(reply_, sink);
  }
  void interrupted(std::string_view) override {}
  std::string phase() const override { return ""; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override {
    return brain::CallResult{};
  }

 private:
  static brain::Reply say(const std::string& text, const brain::TextSink& sink) {
    brain::Reply r;
    r.text = text;
    if (!text.empty()) sink(text);
    return r;
  }
  brain::CallContext ctx_;
  std::string reply_;
};

/// CPU time (user + system) in seconds of a process, or of the threads of
/// this process whose name starts with `thread_prefix`.
inline double clock_ticks() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }
inline double cpu_seconds_of_stat(const std::string& stat_line) {
  const auto close = stat_line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat_line.substr(close + 2));
  std::string f;
  double ut = 0, st = 0;
  for (int i = 3; i <= 15 && in >> f; ++i) {
    if (i == 14) ut = std::atof(f.c_str());
    if (i == 15) st = std::atof(f.c_str());
  }
  return (ut + st) / clock_ticks();
}
inline double process_cpu_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  return cpu_seconds_of_stat(line);
}
/// Per thread-name CPU seconds of this process (names as pthread_setname_np set them).
inline std::map<std::string, double> thread_cpu_s() {
  std::map<std::string, double> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc/self/task", ec)) {
    std::ifstream c(e.path() / "comm"), s(e.path() / "stat");
    std::string name, line;
    std::getline(c, name);
    std::getline(s, line);
    out[name] += cpu_seconds_of_stat(line);
  }
  return out;
}
inline long rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string k;
  long v = 0;
  while (in >> k) {
    if (k == "VmRSS:") {
      in >> v;
      return v / 1024;
    }
  }
  return 0;
}

/// Nearest-rank percentile of `v` (sorted copy); 0 for an empty set.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

/// Collects finished call records: a call placed with(request) hands its
/// stored record here when it ends (PlaceCall::events, on a finaliser thread).
class Records {
 public:
  explicit Records(store::Store& store) : store_(store) {}
  calls::PlaceCall with(calls::PlaceCall request) {
    request.events = calls::when_ended([this](const calls::CallOutcome& o) {
      nlohmann::json r = nlohmann::json::object();
      if (auto got = store_.calls().get(o.workspace, o.call_id)) r = *got;
      std::lock_guard lock(m_);
      done_.push_back(std::move(r));
      cv_.notify_all();
    });
    return request;
  }
  /// Waits until `n` records arrived or `timeout` passed; returns how many arrived.
  std::size_t wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_);
    cv_.wait_for(lock, timeout, [&] { return done_.size() >= n; });
    return done_.size();
  }
  std::vector<nlohmann::json> take() {
    std::lock_guard lock(m_);
    return std::exchange(done_, {});
  }

 private:
  store::Store& store_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<nlohmann::json> done_;
};

/// "--name value" from argv, else `fallback`.
inline std::string flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}
inline bool has_flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == "--" + name) return true;
  return false;
}
/// "100,250,500" → {100, 250, 500}.
inline std::vector<int> int_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(std::atoi(item.c_str()));
  return out;
}

// ---- Conversations with baresip callees and their turn metrics ------------

/// The Default workspace of `st`, where the benchmarks' agents live (every
/// repository takes a workspace, issue 16). Exits when there is none.
inline WorkspaceId default_workspace(store::Store& st) {
  auto ws = st.access().default_workspace();
  if (!ws) {
    std::fprintf(stderr, "default workspace: %s\n", ws.error().message.c_str());
    std::exit(1);
  }
  return *ws;
}

/// Places `concurrent` calls at once (100 ms apart) from workspace `ws` to the callees `uris`
/// (round robin), hangs each up just before its callee's WAV ends (the last
/// reply has been spoken by then) and returns the finished call records.
inline std::vector<nlohmann::json> run_conversations(calls::CallService& svc, store::Store& store, const WorkspaceId& ws,
                                                     const std::vector<std::string>& uris,
                                                     const CalleeVoice& voice, int concurrent, const std::string& agent) {
  Records records(store);
  struct Placed {
    std::string id;
    std::chrono::steady_clock::time_point hang_up_at;
  };
  std::vector<Placed> placed;
  for (int i = 0; i < concurrent; ++i) {
    auto id = svc.place_call(
        records.with({ws, agent, uris[static_cast<std::size_t>(i) % uris.size()], nlohmann::json::object(), "Callee"}));
    if (!id) {
      std::fprintf(stderr, "place_call: %s\n", id.error().message.c_str());
      continue;
    }
    placed.push_back({*id, std::chrono::steady_clock::now() +
                               std::chrono::milliseconds(static_cast<int64_t>((voice.duration_s - 0.5) * 1000))});
    std::this_thread::sleep_for(100ms);
  }
  for (const auto& p : placed) {
    std::this_thread::sleep_until(p.hang_up_at);
    (void)svc.hang_up(p.id);  // not_found when the call already ended
  }
  if (records.wait_for(placed.size(), 30s) < placed.size()) std::fprintf(stderr, "some calls did not end\n");
  return records.take();
}

/// Reads a call's stereo recording (left caller, right agent, 16 kHz; sample
/// 0 = the first media frame after answer, the frame clock of turnMetrics).
/// Returns per-20 ms-frame RMS levels in dBFS for both channels.
struct FrameLevels {
  std::vector<double> caller, agent;
};
inline FrameLevels recording_levels(const fs::path& wav) {
  FrameLevels out;
  auto a = speech::read_wav(wav);
  if (!a || a->format.channels != 2) return out;
  const std::size_t frames = a->samples.size() / 640;
  for (std::size_t f = 0; f < frames; ++f) {
    double l = 0, r = 0;
    for (std::size_t i = 0; i < 320; ++i) {
      const double x = a->samples[f * 640 + 2 * i], y = a->samples[f * 640 + 2 * i + 1];
      l += x * x;
      r += y * y;
    }
    auto db = [](double e) { return 10 * std::log10(e / 320.0 / (32768.0 * 32768.0) + 1e-12); };
    out.caller.push_back(db(l));
    out.agent.push_back(db(r));
  }
  return out;
}

/// Per-stage samples (ms) over the turns of `records`; printed as p50/p95/max.
struct StageTable {
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  std::vector<double>& row(const std::string& name) {
    for (auto& [n, v] : rows)
      if (n == name) return v;
    rows.emplace_back(name, std::vector<double>{});
    return rows.back().second;
  }
  void print(FILE* out = stdout) const {
    std::fprintf(out, "  %-58s %6s %9s %9s %9s\n", "stage (ms)", "n", "p50", "p95", "max");
    for (const auto& [name, v] : rows) {
      if (v.empty()) continue;
      std::fprintf(out, "  %-58s %6zu %9.2f %9.2f %9.2f\n", name.c_str(), v.size(), percentile(v, 0.5), percentile(v, 0.95),
                   *std::max_element(v.begin(), v.end()));
    }
  }
};

/// The stages of each agent turn (see turn_latency_bench.cpp for what each
/// measures). `recordings` = the CallService recordings_dir ("" = skip the
/// recording cross-check).
inline StageTable turn_stages(const std::vector<nlohmann::json>& records, const fs::path& recordings, int* turns_out = nullptr,
                              int* interrupted_out = nullptr) {
  StageTable t;
  int turns = 0, interrupted = 0;
  for (const auto& r : records) {
    for (const auto& e : r.value("transcript", nlohmann::json::array()))
      if (e.value("speaker", "") == "agent" && e.value("interrupted", false)) ++interrupted;
    const auto metrics = r.value("turnMetrics", nlohmann::json::array());
    FrameLevels levels;
    if (!recordings.empty() && !metrics.empty()) levels = recording_levels(recordings / (r.value("id", "") + ".wav"));
    for (const auto& m : metrics) {
      ++turns;
      auto us = [&](const char* k) { return static_cast<double>(m.value(k, int64_t{0})); };
      const double silence_us = us("silenceThresholdMs") * 1000, delay_us = us("responseDelayMs") * 1000;
      const double last = us("lastCallerAudioUs"), eot = us("endOfTurnUs"), fin = us("finalTranscriptUs");
      const double brain = us("brainFirstTextUs"), audio = us("firstAudioUs"), packet = us("firstPacketUs");
      t.row("[1] end-of-turn decision - silence threshold").push_back((eot - last - silence_us) / 1000);
      t.row("[2] STT finalize compute (sttComputeUs)").push_back(us("sttComputeUs") / 1000);
      t.row("    STT hand-off: queue + tail accept (final-eot-compute)").push_back((fin - eot - us("sttComputeUs")) / 1000);
      t.row("[3] brain to first text (brainComputeUs)").push_back(us("brainComputeUs") / 1000);
      t.row("    brain hand-off: control queue (first text-final-compute)").push_back((brain - fin - us("brainComputeUs")) / 1000);
      t.row("[4] TTS to first audio (ttsComputeUs)").push_back(us("ttsComputeUs") / 1000);
      t.row("    TTS hand-off (first audio-first text-compute)").push_back((audio - brain - us("ttsComputeUs")) / 1000);
      t.row("[5] first packet after first audio (firstPacket-firstAudio)").push_back((packet - audio - delay_us) / 1000);
      t.row("[6] ownOverheadUs (voqo's own share)").push_back(us("ownOverheadUs") / 1000);
      t.row("    response gap: firstPacket - lastCallerAudio").push_back((packet - last) / 1000);
      t.row("    same, minus silence threshold and response delay").push_back((packet - last - silence_us - delay_us) / 1000);
      if (levels.caller.empty()) continue;
      // Cross-check on the recording (frame clock): where the caller's
      // utterance really ended — the last frame above -60 dBFS (the fixtures'
      // noise floor is about -45 dBFS, the callee WAV's gaps are digital
      // silence) searched back from the end-of-turn decision — and where the
      // agent's voice became audible (> -50 dBFS).
      const auto vad_end = static_cast<std::size_t>(last / 20000);
      std::size_t energy_end = 0;
      for (std::size_t f = vad_end + static_cast<std::size_t>(silence_us / 20000) - 1; f + 75 > vad_end && f > 0; --f)
        if (f < levels.caller.size() && levels.caller[f] > -60) {
          energy_end = f + 1;
          break;
        }
      const auto pkt = static_cast<std::size_t>(packet / 20000);
      std::size_t onset = 0;
      for (std::size_t f = pkt; f < levels.agent.size() && f < pkt + 100; ++f)
        if (levels.agent[f] > -50) {
          onset = f;
          break;
        }
      if (energy_end > 0) t.row("    rec: VAD end - utterance end (<0: noise tail unvoiced)").push_back((static_cast<double>(vad_end) - static_cast<double>(energy_end)) * 20);
      if (onset > 0) t.row("    rec: audible agent onset - firstPacket").push_back(static_cast<double>(onset) * 20 - packet / 1000);
      if (energy_end > 0 && onset > 0)
        t.row("    rec: audible reply - utterance end (gap heard)").push_back((static_cast<double>(onset) - static_cast<double>(energy_end)) * 20);
    }
  }
  if (turns_out) *turns_out = turns;
  if (interrupted_out) *interrupted_out = interrupted;
  return t;
}

/// An agent for conversations: no response delay, `silence_ms` end-of-turn,
/// flite `voice`, a one-word greeting (spoken 2 s after answer, before the
/// callee's first utterance).
inline nlohmann::json bench_agent(const std::string& name, int silence_ms, const std::string& voice) {
  return {{"name", name},
          {"systemPrompt", "You are a benchmark agent."},
          {"greetingMessage", "Hi."},
          {"responseDelayMs", 0},
          {"silenceThresholdMs", silence_ms},
          {"voiceProvider", "flite"},
          {"voiceId", voice}};
}

}  // namespace voqo::bench
