#include "cli/runtime.hpp"

#include "api/static_files.hpp"
#include "calls/engines.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/private_files.hpp"

namespace voqo::cli {

StopSignal::StopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  waiter_ = std::thread([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    stop_ = true;
  });
}

StopSignal::~StopSignal() {
  if (!stop_.exchange(true)) pthread_kill(waiter_.native_handle(), SIGTERM);
  waiter_.join();
}

void Runtime::shutdown() {
  if (live) live->set_dialer(nullptr);  // the monitor reads job progress from the dialer
  swarm.reset();
  dialer.reset();
  lead_poller.reset();
  calls.reset();
  if (live) live->stop();
  outcomes.reset();
  live.reset();
  retention.reset();
  hub.reset();
  auth.reset();
  if (store) store->close();
  store.reset();
}

void Runtime::start_auth(api::AuthConfig config) { auth = std::make_unique<api::Authenticator>(*store, std::move(config)); }

api::ApiConfig Runtime::api_config(std::filesystem::path recordings_dir) const {
  api::ApiConfig c{.auth = auth.get(), .calls = calls.get(), .dialer = dialer.get(),
                   .swarm = swarm.get(), .recordings_dir = std::move(recordings_dir)};
  // Voice previews use engines of their own (built on first use), so they work without telephony too.
  c.tts_preview = [st = store.get(), engines = std::make_shared<calls::Engines>()](
                      const WorkspaceId& ws, const std::string& provider, const speech::Voice& voice,
                      std::string_view text) { return engines->preview_wav(*st, ws, provider, voice, text); };
  if (live && calls) {
    c.live_action = [m = live.get()](const WorkspaceId& ws, const std::string& call_id, const std::string& action,
                                     const nlohmann::json& details, const std::string& supervisor_id,
                                     const std::string& supervisor_name) {
      return m->act(ws, call_id, action, details, supervisor_id, supervisor_name);
    };
  }
  return c;
}

bool mount_dashboard(api::Router& router, const std::string& web_root) {
  auto root = api::find_web_root(web_root);
  if (root) spdlog::info("dashboard: serving {}", root->string());
  else if (!web_root.empty()) spdlog::warn("dashboard: --web-root {} has no index.html", web_root);
  else spdlog::info("dashboard: not built (scripts/build-web); / explains how to build it");
  router.set_fallback(api::static_site(root));
  return root.has_value();
}

api::RealtimeOptions Runtime::realtime_options() const {
  api::RealtimeOptions o;
  o.hub = hub.get();
  o.auth = auth.get();
  if (calls) {
    o.open_supervisor_audio = [svc = calls.get()](const WorkspaceId& ws, const std::string& call_id) {
      return svc->join_audio(ws, call_id);
    };
  }
  return o;
}

namespace {

bool is_spool_file(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return name.starts_with("voqo-upload-") && name.ends_with(".part");
}

/// Removes spool files in `dir` last modified before `older_than` (none:
/// all) and owned by this user. Returns how many.
int remove_spool_files(const std::filesystem::path& dir, std::optional<std::filesystem::file_time_type> older_than) {
  int removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    struct stat st {};
    if (!is_spool_file(p) || ::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid()) continue;
    std::error_code fec;
    if (older_than && !(std::filesystem::last_write_time(p, fec) < *older_than && !fec)) continue;
    if (std::filesystem::remove(p, fec)) ++removed;
  }
  return removed;
}

}  // namespace

Result<std::filesystem::path> prepare_upload_spool(const std::filesystem::path& db) {
  const auto dir = std::filesystem::absolute(db).parent_path() / "spool";
  if (auto made = create_private_directories(dir); !made) return std::unexpected(made.error());
  if (auto narrowed = restrict_mode(dir, kPrivateDirMode); !narrowed) return std::unexpected(narrowed.error());
  if (int n = remove_spool_files(dir, std::nullopt); n > 0)
    spdlog::info("upload spool: removed {} file(s) of uploads cut short by the last shutdown from {}", n, dir.string());
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  if (!ec && tmp != dir) {
    const auto cutoff = std::filesystem::file_time_type::clock::now() - kStaleSpoolAge;
    if (int n = remove_spool_files(tmp, cutoff); n > 0)
      spdlog::info("upload spool: removed {} stale upload file(s) from {}", n, tmp.string());
  }
  return dir;
}

Result<void> start_runtime(Runtime& rt, std::unique_ptr<store::Store> store,
                           std::optional<calls::CallServiceConfig> calls, campaign::DialerConfig dialer) {
  rt.store = std::move(store);
  rt.hub = std::make_unique<realtime::Hub>();
  auto monitor = live::LiveMonitor::create(*rt.store, *rt.hub);
  if (!monitor) return std::unexpected(monitor.error());
  rt.live = std::move(*monitor);
  rt.retention = std::make_unique<store::LiveRetention>(rt.store->live(), store::LiveRetention::Options{});
  rt.retention->start();
  rt.lead_poller = std::make_unique<campaign::LeadSourcePoller>(*rt.store);
  rt.lead_poller->start();
  auto outcomes = postcall::OutcomeLoop::create(*rt.store);
  if (!outcomes) return std::unexpected(outcomes.error());
  rt.outcomes = std::move(*outcomes);
  if (!calls) {
    if (auto n = rt.outcomes->recover(); n && *n > 0) spdlog::info("outcome loop: ran for {} call(s) left by the last run", *n);
    // Campaigns can be built and edited; without a dialer they do not run.
    rt.swarm = std::make_unique<campaign::SwarmService>(*rt.store, nullptr, campaign::SwarmConfig{.run_thread = false});
    return {};
  }
  // Every call's events (calls/call_events.hpp), in this order: the outcome
  // loop (call.started, "stop calling me" listed when heard — issue 15 §11 —
  // and the post-call step once the record is stored), then the live monitor.
  // The dialer hears the end of its own attempts through PlaceCall::events.
  calls->observers = {rt.outcomes, rt.live};
  auto service = calls::CallService::create(*rt.store, std::move(*calls));
  if (!service) return std::unexpected(service.error());
  rt.calls = std::move(*service);
  rt.live->set_call_service(rt.calls.get());
  if (auto n = rt.calls->recover_interrupted(); n && *n > 0)
    spdlog::warn("closed {} call(s) interrupted by the last shutdown as failed (\"interrupted\")", *n);
  if (auto n = rt.outcomes->recover(); n && *n > 0) spdlog::info("outcome loop: ran for {} call(s) left by the last run", *n);
  auto clock = dialer.clock;  // the swarm's start/end dates and cooldowns follow the dialer's clock
  auto d = campaign::Dialer::create(*rt.store, *rt.calls, rt.outcomes.get(), std::move(dialer));
  if (!d) return std::unexpected(d.error());
  rt.dialer = std::move(*d);
  rt.live->set_dialer(rt.dialer.get());
  campaign::SwarmConfig swarm;
  swarm.clock = std::move(clock);
  rt.swarm = std::make_unique<campaign::SwarmService>(*rt.store, rt.dialer.get(), std::move(swarm));
  return {};
}

}  // namespace voqo::cli
