// voqo: one binary. Subcommands: serve, demo, migrate, import, call, config, analytics rebuild.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <iostream>

#include "api/handlers.hpp"
#include "api/http_server.hpp"
#include "calls/call_service.hpp"
#include "campaign/contact_import.hpp"
#include "cli/access_commands.hpp"
#include "cli/commands.hpp"
#include "cli/campaign_run.hpp"
#include "cli/demo.hpp"
#include "cli/runtime.hpp"
#include "core/log.hpp"
#include "model/phone.hpp"
#include "store/calls.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

namespace {

using namespace voqo;

struct Options {
  std::string db = "./voqo.db";
  std::string log_level = "info";
  // serve / demo
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string api_key;
  uint64_t max_upload_mb = 256;
  unsigned threads = 0;
  std::string web_root;  ///< the dashboard's files ("" = find_web_root's search)
  std::vector<std::string> allowed_hosts;  ///< Host names answered besides IP literals and localhost
  // import, call, campaign start: the workspace they act in (by name)
  std::string workspace = "Default";
  // import
  std::string file, campaign, region;
  bool json = false;
  // call / SIP
  std::string to, agent, trunk;
  std::string sip_ip = "0.0.0.0";
  uint16_t sip_port = 5060;
  std::string media_ip;
  int ring_timeout_s = 30;
  int rtp_timeout_s = 60;
  std::string recordings;
  bool no_sip = false;
  // campaign start
  int max_concurrent = 5, max_attempts = 3, backoff_minutes = 30;
  double calls_per_second = 1;
  std::string calling_window;
  // demo
  bool exit_after = false;
  std::string callee = "sim", voices;
  int concurrency = 4;
};

std::unique_ptr<store::Store> open_store(const Options& o);

/// SIP and media settings shared by serve, demo and call.
calls::CallServiceConfig call_config(const Options& o) {
  calls::CallServiceConfig c;
  c.sip_listen_ip = o.sip_ip;
  c.sip_port = o.sip_port;
  c.media_ip = o.media_ip;
  c.ring_timeout = std::chrono::seconds(o.ring_timeout_s);
  c.rtp_timeout = std::chrono::seconds(o.rtp_timeout_s);
  c.recordings_dir = o.recordings.empty() ? std::filesystem::path(o.db).parent_path() / "recordings" : std::filesystem::path(o.recordings);
  if (c.recordings_dir.is_relative()) c.recordings_dir = std::filesystem::absolute(c.recordings_dir);
  if (!o.trunk.empty()) {
    auto t = telephony::parse_trunk_uri(o.trunk);
    if (!t) {
      std::cerr << "voqo: --trunk: " << t.error().message << "\n";
      std::exit(2);
    }
    c.trunk = *t;
  }
  return c;
}

/// `voqo call +E164 --agent NAME`: places one call, waits for it to end and
/// prints the call record. Exit status 0 when the call record was written
/// (whatever its status), 1 when the call could not be placed.
int call_cmd(const Options& o) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGUSR1);  // wakes the waiter when the call ends
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  cli::Runtime rt;
  if (auto r = cli::start_runtime(rt, open_store(o), call_config(o)); !r) {
    std::cerr << "voqo: cannot start SIP: " << r.error().message << "\n";
    return 1;
  }
  auto ws = cli::workspace_by_name(*rt.store, o.workspace);
  if (!ws) {
    std::cerr << "voqo: --workspace: " << ws.error().message << "\n";
    return 2;
  }
  auto* service = &rt.calls;
  std::mutex m;
  std::condition_variable cv;
  bool ended = false;
  calls::PlaceCall request{*ws, o.agent, o.to, nlohmann::json::object(), ""};
  request.events = calls::when_ended([&](const calls::CallOutcome&) {
    std::lock_guard lock(m);
    ended = true;
    cv.notify_all();
  });
  auto id = (*service)->place_call(request);
  if (!id) {
    std::cerr << "voqo: " << id.error().message;
    if (!id.error().field().empty()) std::cerr << " (" << id.error().field() << ")";
    std::cerr << "\n";
    return 1;
  }
  if (!o.json) std::cerr << "voqo: call " << *id << " to " << o.to << " placed (Ctrl-C hangs up)\n";
  // Wait for the end of the call, or a signal (which hangs up).
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (sig == SIGUSR1) return;
    (void)(*service)->hang_up(*id);
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return ended; });
  }
  pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  // The stored record, as GET /api/calls/{id} shows it ({} if it could not be written).
  nlohmann::json record = nlohmann::json::object();
  if (auto stored = rt.store->calls().get(*ws, *id)) record = *stored;
  rt.shutdown();
  std::cout << record.dump(o.json ? -1 : 2) << std::endl;
  return 0;
}

/// Environment first (VOQO_*), flags override (DESIGN.md: later wins).
void apply_env(Options& o) {
  if (const char* v = std::getenv("VOQO_DB")) o.db = v;
  if (const char* v = std::getenv("VOQO_API_KEY")) o.api_key = v;
  if (const char* v = std::getenv("VOQO_LOG_LEVEL")) o.log_level = v;
  if (const char* v = std::getenv("VOQO_HOST")) o.host = v;
  if (const char* v = std::getenv("VOQO_PORT")) o.port = static_cast<uint16_t>(std::atoi(v));
  if (const char* v = std::getenv("VOQO_ALLOWED_HOSTS")) {
    std::string all = v;
    for (std::size_t at = 0; at <= all.size();) {
      const auto comma = std::min(all.find(',', at), all.size());
      if (comma > at) o.allowed_hosts.push_back(all.substr(at, comma - at));
      at = comma + 1;
    }
  }
}

std::unique_ptr<store::Store> open_store(const Options& o) {
  auto st = store::Store::open(o.db);
  if (!st) {
    std::cerr << "voqo: cannot open database " << o.db << ": " << st.error().message << "\n";
    std::exit(1);
  }
  return std::move(*st);
}

/// The HTTP server settings shared by serve and demo (--host, --port, --threads, --max-upload-mb).
api::ServerConfig server_config(const Options& o) {
  api::ServerConfig config;
  config.bind_address = o.host;
  config.port = o.port;
  config.io_threads = o.threads;
  config.worker_threads = o.threads ? std::max(4u, 2 * o.threads) : 0;
  config.max_upload_bytes = o.max_upload_mb << 20;
  config.allowed_hosts = o.allowed_hosts;
  // Owner-only, beside the database, and emptied of what a crash left (issue 15 §8, §10).
  auto spool = cli::prepare_upload_spool(o.db);
  if (!spool) {
    std::cerr << "voqo: cannot prepare the upload spool: " << spool.error().message << "\n";
    std::exit(1);
  }
  config.spool_dir = *spool;
  return config;
}

int serve(const Options& o) {
  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Telephony: SIP on --sip-port (UDP and TCP), RTP, the call pipeline, the dialer.
  const auto call_cfg = call_config(o);
  cli::Runtime rt;
  std::optional<calls::CallServiceConfig> telephony;
  if (!o.no_sip) telephony = call_cfg;
  if (auto r = cli::start_runtime(rt, open_store(o), telephony); !r) {
    std::cerr << "voqo: cannot start SIP on " << o.sip_ip << ":" << o.sip_port << ": " << r.error().message
              << " (use --sip-port, or --no-sip to run without telephony)\n";
    return 1;
  }
  // Secure by default (issue 16 §9): no user, no listening beyond loopback.
  if (!cli::is_loopback_host(o.host))
    if (auto ready = cli::prepare_operator_access(*rt.store, o.host, "", !o.api_key.empty(), std::cerr); !ready) {
      std::cerr << "voqo: " << ready.error().message << "\n";
      return 2;
    }
  rt.start_auth(cli::auth_config(o.api_key));
  api::Router router;
  api::RestApi rest(router, *rt.store, rt.api_config(call_cfg.recordings_dir));
  const bool dashboard = cli::mount_dashboard(router, o.web_root);
  api::HttpServer server(server_config(o), router, rt.realtime_options());
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "voqo: " << e.what() << "\n";
    return 1;
  }
  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  const std::string base = "http://" + host + ":" + std::to_string(server.port());
  std::cout << "voqo listening on " << base << "  (database " << o.db
            << (dashboard ? "; dashboard at /" : "; dashboard not built") << "; API at /api, OpenAPI at /api/openapi.json; Ctrl-C stops)"
            << std::endl;
  if (cli::is_loopback_host(o.host)) {
    auto link = cli::prepare_operator_access(*rt.store, o.host, base, !o.api_key.empty(), std::cerr);
    if (!link) std::cerr << "voqo: no sign-in link: " << link.error().message << "\n";
    else if (*link) std::cout << "Sign in (one use, 15 minutes):\n" << **link << std::endl;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "voqo: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", finishing in-flight requests" << std::endl;
  server.stop();
  rt.shutdown();  // stops the dialer, hangs up calls in progress and writes their records
  std::cout << "voqo: stopped cleanly" << std::endl;
  return 0;
}

/// `voqo campaign start --campaign NAME --agent NAME`: runs a job for the
/// campaign's latest upload in this process, with live progress, and prints
/// each contact's result. Ctrl-C stops dialing; the job stays running in the
/// database and resumes when a server (or this command) runs again.
int campaign_start_cmd(const Options& o) {
  cli::StopSignal signals;
  const auto& stop = signals.flag();
  std::ostream& say = o.json ? std::cerr : std::cout;
  auto st = open_store(o);
  auto ws = cli::workspace_by_name(*st, o.workspace);
  if (!ws) {
    std::cerr << "voqo: --workspace: " << ws.error().message << "\n";
    return 2;
  }
  store::ListQuery q;
  q.limit = 1;
  q.conditions.push_back({store::Condition::Op::equals, {"name"}, o.campaign});
  auto found = st->campaigns().list(*ws, q);
  if (!found || found->items.empty()) {
    std::cerr << "voqo: no campaign named '" << o.campaign << "' (create one with voqo import FILE --campaign NAME)\n";
    return 2;
  }
  const std::string campaign_id = found->items[0]["id"];
  store::ListQuery uq;
  uq.limit = store::kMaxPageSize;
  uq.conditions.push_back({store::Condition::Op::equals, {"campaign_id"}, campaign_id});
  auto uploads = st->upload_records().list(*ws, uq);
  if (!uploads || uploads->items.empty()) {
    std::cerr << "voqo: campaign '" << o.campaign << "' has no uploaded contacts\n";
    return 2;
  }
  const std::string upload_id = uploads->items.back()["id"];  // the latest upload
  store::CallStore lookup(st->db());
  auto agent = lookup.agent_id(*ws, o.agent);
  if (!agent || !*agent) {
    std::cerr << "voqo: no agent named '" << o.agent << "'\n";
    return 2;
  }
  cli::Runtime rt;
  if (auto r = cli::start_runtime(rt, std::move(st), call_config(o)); !r) {
    std::cerr << "voqo: cannot start telephony: " << r.error().message << "\n";
    return 1;
  }
  nlohmann::json body = {{"campaignId", campaign_id},          {"uploadId", upload_id},
                         {"agentId", **agent},                 {"maxConcurrent", o.max_concurrent},
                         {"callsPerSecond", o.calls_per_second},
                         {"retry", {{"maxAttempts", o.max_attempts}, {"backoffMinutes", o.backoff_minutes}}}};
  if (!o.calling_window.empty()) {
    auto w = nlohmann::json::parse(o.calling_window, nullptr, false);
    if (w.is_discarded()) {
      std::cerr << "voqo: --calling-window must be JSON, e.g. '{\"start\":\"09:00\",\"end\":\"17:00\",\"timezone\":\"America/New_York\"}'\n";
      return 2;
    }
    body["callingWindow"] = w;
  }
  auto job = rt.dialer->create_job(*ws, body);
  if (!job) {
    std::cerr << "voqo: " << job.error().message;
    if (!job.error().field().empty()) std::cerr << " (" << job.error().field() << ")";
    std::cerr << "\n";
    return 2;
  }
  const std::string job_id = (*job)["id"];
  say << "Job " << job_id << " started: campaign '" << o.campaign << "', agent '" << o.agent << "'\n";
  const bool settled = cli::watch_job(rt, *ws, job_id, say, true, stop, false);
  auto report = cli::job_report(*rt.store, *ws, job_id);
  if (report) {
    if (o.json) std::cout << report->dump(2) << std::endl;
    else cli::print_report(*report, std::cout);
  }
  if (!settled) say << "Stopped; the job stays running and resumes when voqo serve runs on this database.\n";
  rt.shutdown();
  return settled ? 0 : 1;
}

int migrate_cmd(const Options& o) {
  auto db = store::Database::open_sqlite(o.db);
  if (!db) {
    std::cerr << "voqo: " << db.error().message << "\n";
    return 1;
  }
  auto applied = store::migrate(**db);
  if (!applied) {
    std::cerr << "voqo: " << applied.error().message << "\n";
    return 1;
  }
  auto version = store::schema_version(**db);
  std::cout << "database " << o.db << " at schema version " << (version ? *version : 0) << " (" << *applied
            << " migration" << (*applied == 1 ? "" : "s") << " applied)\n";
  (*db)->close();
  return 0;
}

int import_cmd(const Options& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << "voqo: cannot read " << o.file << "\n";
    return 1;
  }
  auto st = open_store(o);
  auto ws = cli::workspace_by_name(*st, o.workspace);
  if (!ws) {
    std::cerr << "voqo: --workspace: " << ws.error().message << "\n";
    return 2;
  }
  std::string region = o.region.empty() ? st->settings().default_region(*ws) : o.region;
  if (!model::is_valid_region(region)) {
    std::cerr << "voqo: --region " << region << " is not an ISO 3166-1 region code (e.g. US, GB, DE)\n";
    return 2;
  }
  // The campaign is found by name, or created.
  store::ListQuery q;
  q.limit = 1;
  q.conditions.push_back({store::Condition::Op::equals, {"name"}, o.campaign});
  auto found = st->campaigns().list(*ws, q);
  if (!found) {
    std::cerr << "voqo: " << found.error().message << "\n";
    return 1;
  }
  std::string campaign_id;
  if (!found->items.empty()) {
    campaign_id = found->items[0]["id"];
  } else {
    auto created = st->campaigns().create(*ws, {{"name", o.campaign}});
    if (!created) {
      std::cerr << "voqo: cannot create campaign: " << created.error().message << "\n";
      return 2;
    }
    campaign_id = (*created)["id"];
  }
  const std::string filename = std::filesystem::path(o.file).filename().string();
  auto report = campaign::import_contacts(st->uploads(), *ws, campaign_id, filename, in,
                                          campaign::ImportOptions{.region = region});
  if (!report) {
    if (o.json) std::cout << nlohmann::json{{"error", report.error().message}}.dump() << "\n";
    std::cerr << "voqo: import failed, nothing stored: " << report.error().message << "\n";
    return 1;
  }
  if (o.json) {
    auto out = api::import_report_json(*report);
    if (out["rejectedTruncated"].get<bool>()) {
      // The in-memory report keeps the first rows only; every rejection is stored, so list them all.
      out["rejected"] = nlohmann::json::array();
      store::ListQuery q;
      q.limit = store::kMaxPageSize;
      q.conditions = {{store::Condition::Op::equals, {"upload_id"}, report->upload_id},
                      {store::Condition::Op::equals, {"severity"}, std::string("error")}};
      do {
        auto page = st->upload_rejections().list(*ws, q);
        if (!page) {
          std::cerr << "voqo: " << page.error().message << "\n";
          return 1;
        }
        for (const auto& r : page->items)
          out["rejected"].push_back({{"line", r["line"]}, {"column", r["column"]}, {"reason", r["reason"]}});
        q.cursor = page->next_cursor;
      } while (!q.cursor.empty());
      out["rejectedTruncated"] = false;
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Imported " << report->imported << " of " << report->total_rows << " rows from " << filename
            << " into campaign '" << o.campaign << "' (upload " << report->upload_id << ")\n"
            << "  phone column: " << report->phone_column << ", name column: "
            << (report->name_column.empty() ? "(none)" : report->name_column) << ", delimiter '"
            << (report->delimiter == '\t' ? std::string("\\t") : std::string(1, report->delimiter)) << "', region "
            << region << "\n";
  if (report->rejected_total > 0) {
    std::cout << "Rejected " << report->rejected_total << " row(s)"
              << (report->rejected_total > report->rejected.size()
                      ? " (first " + std::to_string(report->rejected.size()) + " below; all with --json or GET /api/uploads/" +
                            report->upload_id + "/rejections)"
                      : "")
              << ":\n";
    for (const auto& r : report->rejected)
      std::cout << "  line " << r.line << (r.column.empty() ? "" : ", " + r.column) << ": " << r.reason << "\n";
  }
  for (const auto& w : report->warnings)
    std::cout << "  warning, line " << w.line << (w.column.empty() ? "" : ", " + w.column) << ": " << w.reason << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  apply_env(o);
  CLI::App app{"voqo: self-hosted AI voice agents"};
  app.require_subcommand(1);
  app.add_option("--db", o.db, "SQLite database file")->capture_default_str();
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off")->capture_default_str();

  auto add_server_flags = [&](CLI::App* cmd) {
    cmd->add_option("--port,-p", o.port, "TCP port (0 = any free port)")->capture_default_str();
    cmd->add_option("--host", o.host, "Address to bind")->capture_default_str();
    cmd->add_option("--api-key", o.api_key,
                    "Deprecated: an admin key of the Default workspace (env VOQO_API_KEY); use `voqo key create`");
    cmd->add_option("--max-upload-mb", o.max_upload_mb, "Largest CSV upload, MiB")->capture_default_str();
    cmd->add_option("--allowed-host", o.allowed_hosts,
                    "A Host name this server answers to besides IP addresses and localhost (repeatable; \"*\" = any; "
                    "env VOQO_ALLOWED_HOSTS, comma-separated)");
    cmd->add_option("--threads", o.threads, "I/O threads (0 = cores); handler workers are max(4, 2 × this)")->capture_default_str();
    cmd->add_option("--web-root", o.web_root, "The built dashboard (web/dist) to serve at / (default: env VOQO_WEB_ROOT, "
                    "share/voqo/web beside the binary, then the source tree's web/dist)");
  };
  auto* serve_cmd = app.add_subcommand("serve", "Run the API server");
  add_server_flags(serve_cmd);
  auto* demo_cmd = app.add_subcommand("demo", "The main job: run a sample campaign against simulated callees, report, serve");
  add_server_flags(demo_cmd);
  demo_cmd->add_flag("--exit", o.exit_after, "Stop after the report instead of serving the API");
  demo_cmd->add_flag("--json", o.json, "Print the report as JSON {calls:[{contact, phone, outcome, status, duration, summary}]}");
  demo_cmd->add_option("--callee", o.callee, "Callees: sim (voqo callee-sim personas) or baresip")->check(CLI::IsMember({"sim", "baresip"}))->capture_default_str();
  demo_cmd->add_option("--voices", o.voices, "With --callee baresip: folder of .wav recordings the callees speak");
  demo_cmd->add_option("--concurrency", o.concurrency, "Calls at once")->check(CLI::Range(1, 100))->capture_default_str();
  demo_cmd->add_option("--sip-port", o.sip_port, "Our SIP port on loopback (0 = any free port)");
  demo_cmd->add_option("--recordings", o.recordings, "Directory for call recordings (default: recordings/ beside the database)");
  auto* campaign_cmd = app.add_subcommand("campaign", "Run campaigns");
  campaign_cmd->require_subcommand(1);
  auto* campaign_start = campaign_cmd->add_subcommand("start", "Call a campaign's latest contact list with an agent; report each result");
  campaign_start->add_option("--campaign", o.campaign, "Campaign name")->required();
  campaign_start->add_option("--agent", o.agent, "Agent name or id")->required();
  campaign_start->add_flag("--json", o.json, "Print the report as JSON");
  campaign_start->add_option("--max-concurrent", o.max_concurrent, "Calls at once")->capture_default_str();
  campaign_start->add_option("--cps", o.calls_per_second, "New calls per second (the trunk's CPS limit)")->capture_default_str();
  campaign_start->add_option("--max-attempts", o.max_attempts, "Attempts per contact (no answer, busy, failed)")->capture_default_str();
  campaign_start->add_option("--backoff-minutes", o.backoff_minutes, "Minutes between attempts")->capture_default_str();
  campaign_start->add_option("--calling-window", o.calling_window, "JSON {start, end, timezone, daysOfWeek}");
  auto* migrate = app.add_subcommand("migrate", "Apply database migrations and print the schema version");
  auto* import = app.add_subcommand("import", "Import a CSV of contacts into a campaign");
  import->add_option("file", o.file, "CSV file")->required()->check(CLI::ExistingFile);
  import->add_option("--campaign", o.campaign, "Campaign name (created if missing)")->required();
  import->add_option("--region", o.region, "Region for numbers without country code (default: setting default_region)");
  import->add_flag("--json", o.json, "Print the report as JSON");
  auto* call = app.add_subcommand("call", "Place one call and print its record when it ends");
  call->add_option("to", o.to, "Number to call (E.164, or national with the default region) or a sip: URI")->required();
  call->add_option("--agent", o.agent, "Agent name or id")->required();
  call->add_flag("--json", o.json, "Print the call record as one line of JSON");
  auto add_sip_flags = [&](CLI::App* cmd) {
    cmd->add_option("--trunk", o.trunk, "SIP trunk, e.g. sip:127.0.0.1:5090 (default: the sip_trunk setting)");
    cmd->add_option("--sip-ip", o.sip_ip, "Address SIP and RTP bind to")->capture_default_str();
    cmd->add_option("--sip-port", o.sip_port, "SIP port, UDP and TCP (0 = any free port)")->capture_default_str();
    cmd->add_option("--media-ip", o.media_ip, "Address written in SDP (default: the local address facing the peer)");
    cmd->add_option("--ring-timeout", o.ring_timeout_s, "Seconds to ring before giving up (no_answer)")->capture_default_str();
    cmd->add_option("--rtp-timeout", o.rtp_timeout_s,
                    "Hang up an answered call after this many seconds without RTP from the peer (0 = never)")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    cmd->add_option("--recordings", o.recordings, "Directory for call recordings (default: recordings/ beside the database)");
  };
  add_sip_flags(call);
  add_sip_flags(campaign_start);
  add_sip_flags(serve_cmd);
  serve_cmd->add_flag("--no-sip", o.no_sip, "Run the API without telephony (POST /api/calls answers 503)");
  auto callee_sim = cli::add_callee_sim_command(app);
  auto user_create = cli::add_user_command(app, o.db);
  auto key_create = cli::add_key_command(app, o.db);
  auto analytics_rebuild = cli::add_analytics_command(app, o.db);
  for (auto* sub : {import, call, campaign_start})
    sub->add_option("--workspace", o.workspace, "Workspace name (default: Default)");
  auto* config = app.add_subcommand("config", "Print the effective configuration");
  for (auto* sub : {serve_cmd, demo_cmd, migrate, import, call, config, campaign_start}) {
    sub->add_option("--db", o.db, "SQLite database file");
    sub->add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off");
  }

  CLI11_PARSE(app, argc, argv);
  set_log_level(o.log_level);

  if (*serve_cmd) return serve(o);
  if (*demo_cmd) {
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    cli::DemoOptions d;
    d.self = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : std::string(argv[0]);
    d.db = o.db;
    d.server = server_config(o);
    d.api_key = o.api_key;
    d.web_root = o.web_root;
    d.sip_port = o.sip_port == 5060 ? 0 : o.sip_port;
    d.recordings = o.recordings;
    d.exit_after = o.exit_after;
    d.json = o.json;
    d.callee = o.callee;
    d.voices = o.voices;
    d.concurrency = o.concurrency;
    return cli::run_demo(d);
  }
  if (*campaign_start) return campaign_start_cmd(o);
  if (*migrate) return migrate_cmd(o);
  if (*import) return import_cmd(o);
  if (*call) return call_cmd(o);
  if (*callee_sim.command) return callee_sim.run();
  if (*user_create.command) return user_create.run();
  if (*key_create.command) return key_create.run();
  if (*analytics_rebuild.command) return analytics_rebuild.run();
  if (*config) {
    std::cout << nlohmann::json{{"db", o.db}, {"host", o.host}, {"port", o.port}, {"apiKey", o.api_key.empty() ? "" : "(set)"},
                                {"maxUploadMb", o.max_upload_mb}, {"threads", o.threads}, {"logLevel", o.log_level}}
                     .dump(2)
              << "\n";
    return 0;
  }
  return 0;
}
