// Analytics by period (issue 18 §8-9), printed, never asserted:
//  [1] µs per stored call: CallStore::insert (which adds the call to its 16
//      period rows and 8 slots) against the rollup alone
//      (AnalyticsRepository::count_call on the same calls), 1,000 calls per
//      transaction as the dialer's group commit batches them;
//  [2] the metrics API's queries (periods, peak hours, best days, compliance
//      totals and last 30 days) for a campaign with N stored calls (default
//      1,000,000 over a year), p50/p95 over 200 runs per period.
// Usage: ./build/bench/bench_analytics [calls]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "store/analytics.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"

using namespace voqo;
using Clock = std::chrono::steady_clock;

namespace {

store::CallRecord synthetic(int i, const WorkspaceId& ws, const std::string& agent, const std::string& campaign,
                            std::mt19937_64& rng, std::chrono::sys_seconds from, int64_t span_s) {
  static const char* outcomes[] = {"Demo Scheduled", "Follow-up Needed", "Not Interested", "Call Back Later", "Voicemail", "Other"};
  store::CallRecord r;
  r.id = "b" + std::to_string(i);
  r.workspace_id = ws;
  r.agent_id = agent;
  r.campaign_id = campaign;
  r.swarm_agent_id = "sa-" + std::to_string(i % 8);
  r.direction = "outbound";
  r.status = rng() % 3 ? "completed" : "no_answer";
  r.from_phone = "+14155550100";
  r.to_phone = "+14155550101";
  r.placed_at = to_iso8601(std::chrono::system_clock::time_point(from + std::chrono::seconds(static_cast<int64_t>(rng() % static_cast<uint64_t>(span_s)))));
  r.answered_by_person = r.status == "completed";
  if (r.answered_by_person) {
    r.outcome = outcomes[rng() % 6];
    r.duration_s = static_cast<int64_t>(rng() % 300);
    r.agent_audio_after_answer_ms = static_cast<int64_t>(rng() % 3000);
    r.abandoned = *r.agent_audio_after_answer_ms > 2000;
  }
  r.ring_time_ms = static_cast<int64_t>(rng() % 20000);
  r.callee_time_zone = "America/New_York";
  return r;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const auto dir = std::filesystem::temp_directory_path() / ("voqo-bench-analytics-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto opened = store::Store::open(dir / "voqo.db");
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  auto& st = **opened;
  const WorkspaceId ws = *st.access().default_workspace();
  const std::string agent = (*st.agents().create(ws, {{"name", "Bench"}, {"systemPrompt", "You call people for a benchmark."}}))["id"];
  const std::string campaign = (*st.campaigns().create(ws, {{"name", "Bench"}}))["id"];
  const auto from = std::chrono::floor<std::chrono::seconds>(*parse_iso8601("2026-01-01T00:00:00Z"));
  const int64_t year = 365LL * 86400;
  std::mt19937_64 rng(42);
  store::CallStore calls(st.db());

  // [1] µs per stored call.
  const int sample = std::min(n, 20000);
  std::vector<store::CallRecord> batch;
  double insert_s = 0;
  int stored = 0;
  std::printf("[1] storing %d calls (1,000 per transaction)...\n", n);
  const auto t_all = Clock::now();
  while (stored < n) {
    batch.clear();
    for (int i = 0; i < 1000 && stored + i < n; ++i) batch.push_back(synthetic(stored + i, ws, agent, campaign, rng, from, year));
    const auto t0 = Clock::now();
    auto ok = st.db().write([&](store::Connection&) -> Result<void> {
      for (const auto& r : batch)
        if (auto w = calls.insert(r); !w) return w;
      return {};
    });
    if (!ok) {
      std::fprintf(stderr, "%s\n", ok.error().message.c_str());
      return 1;
    }
    if (stored < sample) insert_s += std::chrono::duration<double>(Clock::now() - t0).count();
    stored += static_cast<int>(batch.size());
    if (stored % 100000 == 0) std::printf("    %d stored (%.0f s)\n", stored, std::chrono::duration<double>(Clock::now() - t_all).count());
  }
  // The rollup alone on a second database (the same calls once more, 1,000 a transaction).
  auto other = store::Store::open(dir / "rollup.db");
  if (!other) return 1;
  std::mt19937_64 rng2(42);
  double rollup_s = 0;
  for (int done = 0; done < sample;) {
    batch.clear();
    for (int i = 0; i < 1000 && done + i < sample; ++i) batch.push_back(synthetic(done + i, ws, agent, campaign, rng2, from, year));
    const auto t0 = Clock::now();
    (void)(*other)->db().write([&](store::Connection& c) -> Result<void> {
      for (auto& r : batch) {
        r.workspace_id = *(*other)->access().default_workspace();
        if (auto w = store::AnalyticsRepository::count_call(c, r, *r.placed_at); !w) return w;
      }
      return {};
    });
    rollup_s += std::chrono::duration<double>(Clock::now() - t0).count();
    done += static_cast<int>(batch.size());
  }
  const double with_us = insert_s / sample * 1e6, rollup_us = rollup_s / sample * 1e6;
  std::printf("[1] CallStore::insert with the rollup: %.1f µs/call; the rollup alone (count_call): %.1f µs/call; "
              "insert without it ≈ %.1f µs/call (first %d calls)\n",
              with_us, rollup_us, with_us - rollup_us, sample);

  // [2] the metrics API's queries on the campaign with n calls.
  store::AnalyticsRepository repo(st.db());
  const store::MetricsScope scope{store::MetricsScope::Kind::campaign, campaign};
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  // One metrics request as the route answers it: the period rows from
  // `since` (nullopt = all), peak hours, best days, the compliance totals.
  auto measure = [&](analytics::Period p, std::optional<std::chrono::sys_seconds> since, const char* what) -> bool {
    std::vector<double> ms, read_ms, json_ms, dump_ms;
    std::size_t items = 0;
    for (int run = 0; run < 200; ++run) {
      const auto t0 = Clock::now();
      auto rows = repo.periods(ws, scope, p, since, std::nullopt);
      const auto t_read = Clock::now();
      auto hours = repo.slots(ws, scope, "hour");
      auto days = repo.slots(ws, scope, "weekday");
      auto all = repo.totals(ws, scope);
      auto recent = repo.totals(ws, scope, now - std::chrono::days(30));
      const auto t_json = Clock::now();
      // As the metrics route writes them: text, no DOM (store::append_period_json).
      std::string body = "[";
      for (std::size_t i = 0; i < rows->items.size(); ++i) {
        if (i > 0) body += ',';
        store::append_period_json(body, rows->items[i]);
      }
      const auto t_dump = Clock::now();
      body += ']';
      const auto t1 = Clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      read_ms.push_back(std::chrono::duration<double, std::milli>(t_read - t0).count());
      json_ms.push_back(std::chrono::duration<double, std::milli>(t_dump - t_json).count());
      dump_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t_dump).count());
      items = rows->items.size();
      if (!rows || !hours || !days || !all || !recent || body.empty()) return false;
    }
    std::printf("[2] metrics of a campaign with %d calls, period=%s%s (%zu periods): p50 %.2f ms, p95 %.2f ms (target p95 < 50 ms)\n",
                n, std::string(analytics::to_string(p)).c_str(), what, items, percentile(ms, 0.5), percentile(ms, 0.95));
    std::printf("    of which (p50): reading the period rows %.2f ms, building their JSON %.2f ms, writing it %.2f ms\n",
                percentile(read_ms, 0.5), percentile(json_ms, 0.5), percentile(dump_ms, 0.5));
    return true;
  };
  for (analytics::Period p : analytics::kAllPeriods)
    if (!measure(p, std::nullopt, ", all")) return 1;
  // The Swarm overview's hourly view asks for the last 7 days only (web
  // SwarmMetrics.tsx HOURLY_DAYS): the last week of the synthetic year.
  if (!measure(analytics::Period::hourly, from + std::chrono::seconds(year) - std::chrono::days(7), ", last 7 days (the overview)"))
    return 1;
  {
    std::vector<double> ms;
    for (int run = 0; run < 50; ++run) {
      const auto t0 = Clock::now();
      auto a = repo.abandon_rate(ws, campaign, std::nullopt);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!a) return 1;
    }
    std::printf("[2] abandon_rate(campaign, all time) over %d calls (the calls table, covering index): p50 %.1f ms, p95 %.1f ms\n",
                n, percentile(ms, 0.5), percentile(ms, 0.95));
  }
  st.close();
  (*other)->close();
  std::filesystem::remove_all(dir);
  return 0;
}
