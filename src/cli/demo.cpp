// `voqo demo`: the main job on the embedded defaults (issue 4 §8). Creates
// the demo agent and campaign, starts simulated callees on loopback as the
// SIP trunk, runs the campaign with several calls at once, shows progress,
// prints the results, then serves the API until Ctrl-C (or exits: --exit).
#include "cli/demo.hpp"

#include "cli/access_commands.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/handlers.hpp"
#include "api/http_server.hpp"
#include "cli/campaign_run.hpp"
#include "cli/demo_data.hpp"
#include "cli/runtime.hpp"
#include "core/log.hpp"
#include "net/local_port.hpp"
#include "speech/audio.hpp"

extern char** environ;

namespace voqo::cli {
namespace {

using json = nlohmann::json;

/// A child process whose stdout we read for its "listening" line.
struct Child {
  pid_t pid = -1;
  int out = -1;
  std::string name;

  ~Child() { stop(); }
  void stop() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      for (int i = 0; i < 40; ++i) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) {
          pid = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
      pid = -1;
    }
    if (out >= 0) ::close(out);
    out = -1;
  }
};

/// Spawns `argv` with stdout on a pipe (stderr inherited), or with stdout and
/// stderr appended to `log` when given (a chatty child must never block on a
/// pipe nobody reads). Errors: io.
Result<void> spawn(Child& child, const std::vector<std::string>& argv, const std::filesystem::path& log = {}) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(Error{ErrorCode::io, "pipe failed", {}});
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (log.empty()) {
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child must not inherit our blocked SIGINT/SIGTERM.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  const int rc = ::posix_spawnp(&child.pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    child.pid = -1;
    return std::unexpected(Error{ErrorCode::io, "cannot start " + argv[0] + ": " + std::strerror(rc), {}});
  }
  child.out = fds[0];
  return {};
}

/// Reads the child's stdout until a line containing `marker`; returns that line.
Result<std::string> wait_for_line(Child& child, std::string_view marker, std::chrono::seconds timeout) {
  std::string buf;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{child.out, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char tmp[512];
    const ssize_t n = ::read(child.out, tmp, sizeof tmp);
    if (n <= 0) break;
    buf.append(tmp, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = buf.find('\n')) != std::string::npos; buf.erase(0, nl + 1)) {
      std::string line = buf.substr(0, nl);
      if (line.find(marker) != std::string::npos) return line;
    }
  }
  return std::unexpected(Error{ErrorCode::io, child.name + " did not start (no \"" + std::string(marker) + "\" line)", {}});
}

/// The port at the end of "... 127.0.0.1:PORT".
int port_of(const std::string& line) {
  const auto colon = line.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(line.c_str() + colon + 1);
}

/// baresip (Debian baresip-core) as an auto-answering callee speaking `wav`.
Result<void> start_baresip(Child& child, const std::filesystem::path& dir, const std::filesystem::path& wav, int port) {
  std::filesystem::create_directories(dir / "rec");
  std::ofstream(dir / "config") << "poll_method epoll\nsip_listen 127.0.0.1:" << port
                                << "\naudio_player aufile,/dev/null\naudio_source aufile," << wav.string()
                                << "\naudio_alert aufile,/dev/null\nmodule_path /usr/lib/baresip/modules\n"
                                   "module g711.so\nmodule g722.so\nmodule aufile.so\nmodule sndfile.so\n"
                                   "module account.so\nmodule menu.so\nsnd_path "
                                << (dir / "rec").string() << "\n";
  std::ofstream(dir / "accounts") << "<sip:callee@127.0.0.1:" << port << ">;regint=0;answermode=auto\n";
  child.name = "baresip";
  if (auto r = spawn(child, {"baresip", "-f", dir.string()}, dir / "baresip.log"); !r) return r;
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  if (::waitpid(child.pid, nullptr, WNOHANG) == child.pid) {
    child.pid = -1;
    std::ifstream log(dir / "baresip.log");
    std::string text((std::istreambuf_iterator<char>(log)), {});
    if (text.size() > 400) text = "..." + text.substr(text.size() - 400);
    return std::unexpected(Error{ErrorCode::io, "baresip exited at start (is baresip-core installed? port " +
                                                    std::to_string(port) + " taken?); its log:\n" + text, {}});
  }
  return {};
}

}  // namespace

int run_demo(const DemoOptions& o) {
  StopSignal signals;
  const auto& stop = signals.flag();
  std::ostream& say = o.json ? std::cerr : std::cout;

  auto opened = store::Store::open(o.db);
  if (!opened) {
    std::cerr << "voqo: cannot open database " << o.db << ": " << opened.error().message << "\n";
    return 1;
  }
  const auto csv = examples_dir() / "demo-contacts.csv";
  // The demo runs in the Default workspace (enterprise: no limits).
  auto demo_ws = (*opened)->access().default_workspace();
  if (!demo_ws) {
    std::cerr << "voqo: " << demo_ws.error().message << "\n";
    return 1;
  }
  const WorkspaceId ws = *demo_ws;
  auto demo = seed_demo_data(**opened, ws, csv);
  if (!demo) {
    std::cerr << "voqo: cannot set up the demo data: " << demo.error().message << "\n";
    return 1;
  }
  if (demo->imported > 0 || demo->rejected > 0)
    say << "Imported " << demo->imported << " contacts from " << csv.string() << "; rejected " << demo->rejected
        << " row(s):\n" << demo->rejections;

  // The callees: one callee-sim process (personas by the number's last digit), or baresip per recording.
  // The baresip callees' configs and recordings: removed on every way out, after the callees stop
  // (declared before them, so destroyed after them).
  struct RemovedAtExit {
    std::filesystem::path path;
    ~RemovedAtExit() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove_all(path, ignored);
    }
  } baresip_dir;
  std::vector<std::unique_ptr<Child>> callees;
  std::vector<std::string> baresip_targets;
  std::string trunk;
  if (o.callee == "baresip") {
    std::vector<std::filesystem::path> wavs;
    if (std::filesystem::is_directory(o.voices))
      for (const auto& e : std::filesystem::directory_iterator(o.voices))
        if (e.path().extension() == ".wav") {
          // baresip's aufile plays 8 or 16 kHz mono PCM; anything else would leave the callee mute.
          auto audio = speech::read_wav(e.path());
          if (audio && audio->format.channels == 1 &&
              (audio->format.sample_rate_hz == 8000 || audio->format.sample_rate_hz == 16000))
            wavs.push_back(e.path());
          else
            say << "Skipping " << e.path().filename().string() << ": not an 8 or 16 kHz mono PCM WAV\n";
        }
    std::sort(wavs.begin(), wavs.end());
    if (wavs.empty()) {
      std::cerr << "voqo: --callee baresip needs --voices DIR with .wav recordings (8 or 16 kHz mono)\n";
      return 2;
    }
    baresip_dir.path = std::filesystem::temp_directory_path() / ("voqo-demo-baresip-" + std::to_string(::getpid()));
    for (std::size_t i = 0; i < wavs.size() && i < 8; ++i) {
      auto child = std::make_unique<Child>();
      // The free port is probed, then bound by baresip: another process can
      // take it in between (baresip then exits at start), so try a few.
      int port = 0;
      Result<void> started = std::unexpected(Error{ErrorCode::io, "baresip did not start", {}});
      for (int attempt = 0; attempt < 4 && !started; ++attempt) {
        port = net::free_loopback_port();
        started = start_baresip(*child, baresip_dir.path / std::to_string(i), wavs[i], port);
      }
      if (!started) {
        std::cerr << "voqo: " << started.error().message << "\n";
        return 1;
      }
      baresip_targets.push_back("127.0.0.1:" + std::to_string(port));
      callees.push_back(std::move(child));
    }
    trunk = "sip:" + baresip_targets.front();
    say << "Callees: " << callees.size() << " baresip processes speaking the recordings in " << o.voices << "\n";
  } else {
    auto child = std::make_unique<Child>();
    child->name = "callee-sim";
    if (auto r = spawn(*child, {o.self, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", "0", "--log-level", "warn"}); !r) {
      std::cerr << "voqo: " << r.error().message << "\n";
      return 1;
    }
    auto line = wait_for_line(*child, "listening", std::chrono::seconds(30));
    if (!line) {
      std::cerr << "voqo: " << line.error().message << "\n";
      return 1;
    }
    trunk = "sip:127.0.0.1:" + std::to_string(port_of(*line));
    say << "Callees: voqo callee-sim on " << trunk << " (persona by the number's last digit; see examples/README.md)\n";
    callees.push_back(std::move(child));
  }

  calls::CallServiceConfig cc;
  cc.sip_listen_ip = "127.0.0.1";
  cc.sip_port = o.sip_port;
  cc.ring_timeout = std::chrono::seconds(8);
  cc.recordings_dir = o.recordings.empty() ? std::filesystem::absolute(o.db).parent_path() / "recordings"
                                           : std::filesystem::absolute(o.recordings);
  auto parsed_trunk = telephony::parse_trunk_uri(trunk);
  if (!parsed_trunk) {
    std::cerr << "voqo: " << parsed_trunk.error().message << "\n";
    return 1;
  }
  cc.trunk = *parsed_trunk;
  campaign::DialerConfig dc;
  // The callees are simulators on loopback, not people: their "local hours" do not apply.
  dc.enforce_callee_hours = false;
  if (!baresip_targets.empty())
    dc.route = [targets = baresip_targets](const std::string& e164) {
      const std::size_t i = e164.empty() ? 0 : static_cast<std::size_t>(e164.back() - '0') % targets.size();
      return "sip:callee@" + targets[i];  // baresip's account is sip:callee@host:port
    };
  Runtime rt;
  if (auto r = start_runtime(rt, std::move(*opened), cc, dc); !r) {
    std::cerr << "voqo: cannot start telephony: " << r.error().message << "\n";
    return 1;
  }

  if (!is_loopback_host(o.server.bind_address))
    if (auto ready = prepare_operator_access(*rt.store, o.server.bind_address, "", !o.api_key.empty(), std::cerr);
        !ready) {
      std::cerr << "voqo: " << ready.error().message << "\n";
      return 2;
    }
  rt.start_auth(auth_config(o.api_key));
  api::Router router;
  api::RestApi rest(router, *rt.store, rt.api_config(cc.recordings_dir));
  mount_dashboard(router, o.web_root);
  api::HttpServer server(o.server, router, rt.realtime_options());
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "voqo: " << e.what() << " (use --port 0 for any free port)\n";
    return 1;
  }
  const std::string base = "http://" + o.server.bind_address + ":" + std::to_string(server.port());
  say << "voqo listening on " << base << " (database " << o.db << "; API at /api)\n";
  if (is_loopback_host(o.server.bind_address)) {
    // Printed on its own line to stdout, so the dashboard needs no manual step (issue 16 §9).
    auto link = prepare_operator_access(*rt.store, o.server.bind_address, base, !o.api_key.empty(), std::cerr);
    if (!link) std::cerr << "voqo: no sign-in link: " << link.error().message << "\n";
    else if (*link) std::cout << "Sign in to the dashboard (one use, 15 minutes):\n" << **link << std::endl;
  }

  auto job = rt.dialer->create_job(ws, {{"campaignId", demo->campaign_id},
                                    {"uploadId", demo->upload_id},
                                    {"agentId", demo->agent_id},
                                    {"maxConcurrent", o.concurrency},
                                    {"callsPerSecond", 2},
                                    {"retry", {{"maxAttempts", 2}, {"backoffMinutes", 0}}}});
  if (!job) {
    std::cerr << "voqo: cannot start the campaign: " << job.error().message << "\n";
    return 1;
  }
  const std::string job_id = (*job)["id"];
  say << "Campaign started: job " << job_id << ", agent '" << demo->agent_name << "', " << o.concurrency
      << " calls at once (callee-local hours are not enforced for simulated callees)\n";
  const bool settled = watch_job(rt, ws, job_id, say, true, stop);
  auto report = job_report(*rt.store, ws, job_id);
  if (!report) {
    std::cerr << "voqo: " << report.error().message << "\n";
    return 1;
  }
  if (o.json) {
    json out = *report;
    out["api"] = base;
    out["recordings"] = cc.recordings_dir.string();
    std::cout << out.dump(2) << std::endl;
  } else {
    std::cout << "\n";
    print_report(*report, std::cout);
    std::cout << "\nTranscripts, summaries and outcomes: " << base << "/api/calls?jobId=" << job_id
              << "  (one call: /api/calls/{callId})\n"
              << "Recordings (stereo WAV, left caller, right agent): " << cc.recordings_dir.string()
              << "  or " << base << "/api/calls/{callId}/recording\n"
              << "Dial decisions: " << base << "/api/jobs/" << job_id << "/events\n";
  }
  if (settled && !o.exit_after && !stop.load()) {
    say << "Serving the API until Ctrl-C (--exit to stop after the report)\n";
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  server.stop();
  rt.shutdown();
  for (auto& c : callees) c->stop();
  return settled ? 0 : 1;
}

}  // namespace voqo::cli
