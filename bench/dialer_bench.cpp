// Dialer throughput (issue 4 figures). Both callers run against the same UAS:
// sipp playing tests/data/sipp/answer_hold_1s.xml (answers, holds 1 s,
// sends BYE).
//   --part sipp   sipp as the caller (tests/data/sipp/uac_wait_bye.xml) at a
//                 high offered rate: the reference calls per second.
//   --part voqo   a voqo job (media plane only: greeting + no STT, no
//                 recording) with N contacts: calls per second from the first
//                 dial to the last final job call, peak concurrent calls.
//   --part big    a 10,000-contact campaign: time to all-final, CPU and RSS.
// Flags: --part sipp|voqo|big|all (default all), --contacts N (voqo, default
// 2000), --cps R (offered rate, default 400), --placers N (the dialer's
// placer threads, default 1), --media-threads N (default 1), --codec G722|PCMU (default G722).
#include <sys/resource.h>

#include <atomic>
#include <cstring>
#include <regex>
#include <sstream>

#include "call_bench_support.hpp"
#include "campaign/contact_import.hpp"
#include "campaign/dialer.hpp"
#include "core/log.hpp"
#include "store/store.hpp"

namespace voqo::bench {
namespace {

struct Uas {
  Child process;
  uint16_t port = 0;
};

Uas start_uas(const fs::path& dir) {
  Uas u;
  u.port = free_loopback_port();
  u.process = Child({"/usr/bin/sipp", "-sf", (kSource / "tests/data/sipp/answer_hold_1s.xml").string(), "-i", "127.0.0.1", "-p",
                     std::to_string(u.port), "-mp", std::to_string(free_loopback_port()), "-nostdin", "-max_socket", "60000"},
                    dir / "uas.log");
  std::this_thread::sleep_for(500ms);
  return u;
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/// sipp as the caller: `calls` calls offered at `rate`/s; returns completed calls per second.
double sipp_rate(const fs::path& dir, int calls, int rate) {
  auto uas = start_uas(dir);
  const auto stats = dir / "uac_stats.csv";
  const auto t0 = std::chrono::steady_clock::now();
  Child uac({"/usr/bin/sipp", "-sf", (kSource / "tests/data/sipp/uac_wait_bye.xml").string(), "127.0.0.1:" + std::to_string(uas.port),
             "-i", "127.0.0.1", "-p", std::to_string(free_loopback_port()), "-s", "15555550100", "-r", std::to_string(rate), "-m",
             std::to_string(calls), "-l", "5000", "-nostdin", "-trace_stat", "-stf", stats.string(), "-fd", "1", "-max_socket", "60000"},
            dir / "uac.log");
  while (uac.alive()) std::this_thread::sleep_for(20ms);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The last stats line: SuccessfulCall(C) is a cumulative column.
  std::ifstream in(stats);
  std::string header, line, last;
  std::getline(in, header);
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string f; std::getline(ss, f, ';');) out.push_back(f);
    return out;
  };
  const auto names = split(header), values = split(last);
  long ok = 0, failed = 0;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (names[i] == "SuccessfulCall(C)") ok = std::atol(values[i].c_str());
    if (names[i] == "FailedCall(C)") failed = std::atol(values[i].c_str());
  }
  // Each call holds 1 s; the rate is over the span in which calls were started (minus the hold of the last).
  const double rate_s = ok / std::max(0.001, secs - 1.0);
  std::printf("  sipp UAC: %d calls offered at %d/s: %ld successful, %ld failed in %.2f s → %.1f calls/s completed\n", calls, rate,
              ok, failed, secs, rate_s);
  return rate_s;
}

struct VoqoRun {
  double calls_per_s = 0, seconds = 0, cpu_s = 0;
  long rss_mb = 0;
  std::size_t peak = 0;
  long completed = 0, failed = 0;
};

unsigned g_placers = 1;
int g_media_threads = 1;
std::string g_codec = "G722";  ///< --codec: the one codec voqo's calls offer (the UAS answers G722 or PCMU)

VoqoRun voqo_rate(const fs::path& dir, int contacts, double cps, int max_concurrent) {
  raise_nofile();
  auto uas = start_uas(dir);
  auto st = store::Store::open(dir / ("voqo-" + std::to_string(contacts) + ".db"));
  if (!st) {
    std::fprintf(stderr, "store: %s\n", st.error().message.c_str());
    std::exit(1);
  }
  const WorkspaceId ws = default_workspace(**st);
  auto agent = (*st)->agents().create(ws, {{"name", "Dialer Bench"}, {"systemPrompt", "You say hi and listen quietly."},
                                       {"greetingMessage", "Hi."}, {"responseDelayMs", 0}});
  auto campaign = (*st)->campaigns().create(ws, {{"name", "bench"}});
  std::string csv = "name,phone\n";
  for (int i = 0; i < contacts; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "+1415%07d", 2000000 + i);
    csv += "P" + std::to_string(i) + "," + phone + "\n";
  }
  std::istringstream in(csv);
  auto report = campaign::import_contacts((*st)->uploads(), ws, (*campaign)["id"], "bench.csv", in, {.region = "US"});
  (void)(*st)->settings().put(ws, "callee_local_hours", {{"start", "00:00"}, {"end", "24:00"}});
  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.conversation = false;
  cfg.record = false;
  cfg.detect_answering_machine = false;
  cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(uas.port));
  cfg.trunk->codecs = {g_codec};
  cfg.ring_timeout = std::chrono::seconds(10);
  cfg.media_threads = g_media_threads;
  auto service = calls::CallService::create(**st, cfg);
  if (!service) {
    std::fprintf(stderr, "call service: %s\n", service.error().message.c_str());
    std::exit(1);
  }
  auto dialer = campaign::Dialer::create(**st, **service, nullptr, {.tick = std::chrono::milliseconds(5), .placer_threads = g_placers});
  const double cpu0 = self_cpu_s();
  const auto writes0 = (*st)->db().write_stats();
  const auto t0 = std::chrono::steady_clock::now();
  auto job = (*dialer)->create_job(ws, {{"campaignId", (*campaign)["id"]}, {"uploadId", report->upload_id}, {"agentId", (*agent)["id"]},
                                    {"maxConcurrent", max_concurrent}, {"callsPerSecond", cps},
                                    {"retry", {{"maxAttempts", 1}}}});
  if (!job) {
    std::fprintf(stderr, "job: %s\n", job.error().message.c_str());
    std::exit(1);
  }
  VoqoRun r;
  for (int tick = 0;; ++tick) {
    r.peak = std::max(r.peak, (*service)->active_calls());
    if (tick % 10 != 0) {  // the progress query scans the job's calls: every 200 ms is enough
      std::this_thread::sleep_for(20ms);
      continue;
    }
    auto p = (*dialer)->progress(ws, (*job)["id"]);
    if (p && (p->status == "completed" || p->status == "failed")) {
      r.completed = p->completed;
      r.failed = p->failed;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_s = self_cpu_s() - cpu0;
  r.rss_mb = rss_mb();
  r.calls_per_s = r.completed / std::max(0.001, r.seconds - 1.0);
  std::printf("  voqo job: %d contacts, maxConcurrent %d, %.0f CPS offered: %ld completed, %ld failed in %.2f s → %.1f calls/s; "
              "peak %zu calls at once; CPU %.1f s (%.2f cores), RSS %ld MB\n",
              contacts, max_concurrent, cps, r.completed, r.failed, r.seconds, r.calls_per_s, r.peak, r.cpu_s, r.cpu_s / r.seconds,
              r.rss_mb);
  std::printf("  CPU by thread (s):");
  for (const auto& [name, secs] : thread_cpu_s())
    if (secs >= 0.5) std::printf(" %s %.1f", name.c_str(), secs);
  std::printf("\n");
  const auto writes = (*st)->db().write_stats();
  const double w = static_cast<double>(writes.writes - writes0.writes), t = static_cast<double>(writes.transactions - writes0.transactions);
  std::printf("  SQLite: %.0f writes (%.1f a call) in %.0f transactions (group commit: %.2f writes a transaction)\n", w,
              w / std::max<double>(1, static_cast<double>(r.completed + r.failed)), t, w / std::max(1.0, t));
  dialer->reset();
  service->reset();
  return r;
}

}  // namespace
}  // namespace voqo::bench

int main(int argc, char** argv) {
  using namespace voqo::bench;
  std::string part = "all";
  int contacts = 2000;
  double cps = 400;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--part")) part = argv[i + 1];
    else if (!std::strcmp(argv[i], "--contacts")) contacts = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cps")) cps = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--placers")) g_placers = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--media-threads")) g_media_threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--codec")) g_codec = argv[i + 1];
  }
  voqo::set_log_level("warn");
  const fs::path dir = fs::temp_directory_path() / ("voqo-bench-dialer-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::printf("== Dialer throughput against sipp UAS (answers, holds 1 s, sends BYE), %u cores\n", std::thread::hardware_concurrency());
  double sipp = 0;
  if (part == "sipp" || part == "all") sipp = sipp_rate(dir, std::max(2000, contacts), static_cast<int>(cps));
  if (part == "voqo" || part == "all") {
    auto r = voqo_rate(dir, contacts, cps, 4000);
    if (sipp > 0) std::printf("  ratio voqo/sipp: %.2f (target ≥ 0.5)\n", r.calls_per_s / sipp);
  }
  if (part == "big" || part == "all") {
    std::printf("== A 10,000-contact campaign (media plane only, maxConcurrent 4000)\n");
    (void)voqo_rate(dir, 10000, cps, 4000);
  }
  fs::remove_all(dir);
  return 0;
}
