// Metrics by period (store/analytics.hpp, issue 18 §8): the rows kept as each
// call is stored equal a brute-force SQL recomputation over the calls, in two
// time zones across their DST changes, also after call intelligence re-scored
// some of the calls; `rebuild` gives the same rows; call intelligence's
// figures (quality, adherence, objections raised and handled) move them
// idempotently; the abandon rate counts what docs/ANALYTICS.md says.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "analytics/periods.hpp"
#include "core/time.hpp"
#include "store/analytics.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using namespace voqo;
using namespace std::chrono;
using analytics::Period;

namespace {

sys_seconds at(const std::string& iso) { return floor<seconds>(parse_iso8601(iso).value()); }
std::string iso(sys_seconds t) { return to_iso8601(system_clock::time_point(t)); }

/// Runs `sql` with text parameters and returns every row as text columns.
std::vector<std::vector<std::string>> query(store::Database& db, const std::string& sql,
                                            const std::vector<std::string>& args = {}) {
  auto rows = db.read([&](store::Connection& c) -> Result<std::vector<std::vector<std::string>>> {
    auto st = c.prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (std::size_t i = 0; i < args.size(); ++i) (*st)->bind_text(static_cast<int>(i + 1), args[i]);
    std::vector<std::vector<std::string>> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return out;
      std::vector<std::string> cols;
      for (int i = 0; i < (*st)->column_count(); ++i) {
        auto v = (*st)->column_text(i);
        cols.emplace_back(v.data() ? std::string(v) : std::string("NULL"));
      }
      out.push_back(std::move(cols));
    }
  });
  EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().message);
  return rows ? *rows : std::vector<std::vector<std::string>>{};
}

void exec(store::Database& db, const std::string& sql) {
  auto r = db.write([&](store::Connection& c) { return c.exec(sql); });
  ASSERT_TRUE(r) << sql << ": " << r.error().message;
}

/// The period boundaries from `from` to `to`, found by another road than
/// analytics::period_start: local calendar dates stepped one by one and turned
/// into instants with TimeZone::to_sys (days, Mondays, 1sts), and for hours
/// every UTC hour (both zones here are whole hours off UTC).
std::vector<sys_seconds> boundaries(Period p, const TimeZone& z, sys_days from, sys_days to) {
  std::vector<sys_seconds> out;
  if (p == Period::hourly) {
    for (sys_seconds t = from; t < to; t += hours(1)) out.push_back(t);
    return out;
  }
  for (local_days d{from.time_since_epoch()}; d < local_days{to.time_since_epoch()}; d += days(1)) {
    const year_month_day ymd{d};
    const bool starts = p == Period::daily || (p == Period::weekly && weekday{d} == Monday) ||
                        (p == Period::monthly && ymd.day() == day{1});
    if (starts) out.push_back(z.to_sys(local_seconds{d}));
  }
  return out;
}

class AnalyticsRollup : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(opened) << opened.error().message;
    st_ = std::move(*opened);
    ws_ = test::default_workspace(*st_);
    // The campaign's zone comes from campaigns.active_hours (migration 8, swarm campaigns).
    for (const auto& [name, zone] : {std::pair{"New York", "America/New_York"}, std::pair{"London", "Europe/London"}}) {
      auto c = st_->campaigns().create(ws_, {{"name", name}});
      ASSERT_TRUE(c) << c.error().message;
      const std::string id = (*c)["id"];
      exec(st_->db(), "UPDATE campaigns SET active_hours = '{\"start\":\"09:00\",\"end\":\"17:00\",\"timezone\":\"" +
                          std::string(zone) + "\",\"daysOfWeek\":[1,2,3,4,5]}' WHERE id = '" + id + "'");
      campaigns_.push_back({id, zone});
    }
    for (const char* name : {"Agent A", "Agent B"}) {
      auto a = st_->agents().create(ws_, {{"name", name}, {"systemPrompt", "You call people about houses."}});
      ASSERT_TRUE(a) << a.error().message;
      agents_.push_back((*a)["id"]);
    }
  }

  /// `n` synthetic calls, deterministic, spread over late October to early
  /// November and March 2026 (both zones' DST changes: London 29 March and
  /// 25 October, New York 8 March and 1 November).
  void store_calls(int n, bool one_transaction = true) {
    std::mt19937_64 rng(18);
    std::mt19937_64 objections_rng(15);  // its own, so the other figures are what they were before migration 15
    auto pick = [&](auto& v) -> const auto& { return v[rng() % v.size()]; };
    const std::vector<std::pair<sys_seconds, sys_seconds>> windows = {
        {at("2026-10-20T00:00:00Z"), at("2026-11-10T00:00:00Z")}, {at("2026-03-01T00:00:00Z"), at("2026-04-05T00:00:00Z")}};
    const std::vector<std::string> statuses = {"completed", "completed", "completed", "failed", "no_answer", "busy"};
    const std::vector<std::string> outcomes = {"Demo Scheduled", "Follow-up Needed", "Not Interested", "Call Back Later",
                                               "Wrong Number", "No Answer", "Voicemail", "Transferred", "Other"};
    const std::vector<std::string> zones = {"America/New_York", "Europe/London", ""};
    const std::vector<std::string> swarm = {"", "sa-1", "sa-2", "sa-3"};
    auto write_all = [&]() -> Result<void> {
      store::CallStore calls(st_->db());
      for (int i = 0; i < n; ++i) {
        store::CallRecord r;
        r.id = "call-" + std::to_string(i);
        r.workspace_id = ws_;
        r.agent_id = pick(agents_);
        r.direction = "outbound";
        r.status = pick(statuses);
        r.from_phone = "+14155550100";
        r.to_phone = "+1415555" + std::to_string(1000 + i % 9000);
        const auto& w = windows[rng() % windows.size()];
        r.placed_at = iso(w.first + seconds(rng() % static_cast<uint64_t>((w.second - w.first).count())));
        const int c = static_cast<int>(rng() % 3);  // 2: no campaign
        if (c < 2) {
          r.campaign_id = campaigns_[static_cast<std::size_t>(c)].first;
          // Swarm agents belong to one campaign each: sa-1 to New York, sa-2 and sa-3 to London.
          const std::string& s = pick(swarm);
          if (!s.empty() && (s == "sa-1") == (c == 0)) r.swarm_agent_id = s;
        }
        if (r.status == "completed") {
          r.answered_by_person = rng() % 5 != 0;
          r.outcome = r.answered_by_person ? pick(outcomes) : "Voicemail";
          r.duration_s = static_cast<int64_t>(rng() % 600);
          if (rng() % 4 != 0) r.agent_audio_after_answer_ms = static_cast<int64_t>(rng() % 4000);
          r.abandoned = r.answered_by_person && (!r.agent_audio_after_answer_ms || *r.agent_audio_after_answer_ms > 2000);
        } else if (r.status != "failed") {
          r.outcome = "No Answer";
        }
        if (rng() % 10 != 0) r.ring_time_ms = static_cast<int64_t>(rng() % 30000);
        r.callee_time_zone = pick(zones);
        if (rng() % 2) r.quality_score = static_cast<double>(rng() % 1001) / 10.0;
        if (rng() % 2) r.script_adherence = static_cast<double>(rng() % 101);
        std::tie(r.objections_raised, r.objections_answered) = random_objections(objections_rng);
        if (auto ok = calls.insert(r); !ok) return ok;
      }
      return {};
    };
    if (one_transaction) {
      auto ok = st_->db().write([&](store::Connection&) { return write_all(); });
      ASSERT_TRUE(ok) << ok.error().message;
    } else {
      ASSERT_TRUE(write_all());
    }
  }

  /// Call intelligence's objection counts for one call: none measured (a
  /// quarter), none raised, or 1-3 raised with 0..all of them answered.
  static std::pair<std::optional<int64_t>, std::optional<int64_t>> random_objections(std::mt19937_64& rng) {
    if (rng() % 4 == 0) return {std::nullopt, std::nullopt};
    const int64_t raised = static_cast<int64_t>(rng() % 4);
    const int64_t answered = raised ? static_cast<int64_t>(rng() % static_cast<uint64_t>(raised + 1)) : 0;
    // Half of those raised get every objection answered, so "handled" is common enough to be tested.
    return {raised, raised && rng() % 2 ? raised : answered};
  }

  /// Every row of the rollup tables, in key order, without updated_at.
  std::vector<std::vector<std::string>> snapshot() {
    auto rows = query(st_->db(),
                      "SELECT workspace_id, scope_key, coalesce(campaign_id, ''), coalesce(agent_id, ''), "
                      "coalesce(swarm_agent_id, ''), period, period_start, time_zone, total_calls, connected_calls, "
                      "interested, qualified, conversions, appointments, sum_duration_s, sum_ring_time_ms, ring_samples, "
                      "abandoned_calls, answered_by_person, printf('%.6f', sum_quality), quality_samples, "
                      "printf('%.6f', sum_script_adherence), adherence_samples, objections_raised, objections_handled "
                      "FROM swarm_performance_metrics "
                      "ORDER BY workspace_id, scope_key, period, period_start");
    auto slots = query(st_->db(), "SELECT *, 'slot' FROM swarm_call_slots ORDER BY workspace_id, scope_key, kind, slot");
    rows.insert(rows.end(), slots.begin(), slots.end());
    return rows;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  WorkspaceId ws_;
  std::vector<std::pair<std::string, std::string>> campaigns_;  ///< {id, zone}
  std::vector<std::string> agents_;
};

// The "done when": 10,000 synthetic calls across a DST change in two
// time zones; every hourly, daily, weekly and monthly figure equals a
// brute-force SQL recomputation (GROUP BY over the calls, each call's period
// start found independently and put in a temporary table).
TEST_F(AnalyticsRollup, TenThousandCallsAcrossDstInTwoZonesEqualABruteForceRecomputation) {
  store_calls(10000);
  // Call intelligence re-scores every 7th call after it was stored (new
  // quality, adherence, objections, or none): the rows move by the difference.
  {
    std::mt19937_64 rng(7);
    auto rescored = st_->db().write([&](store::Connection& c) -> Result<void> {
      for (int i = 0; i < 10000; i += 7) {
        store::IntelligenceFigures f;
        if (rng() % 3) f.quality = static_cast<double>(rng() % 101);
        if (rng() % 3) f.adherence = static_cast<double>(rng() % 101);
        std::tie(f.objections_raised, f.objections_answered) = random_objections(rng);
        if (auto r = store::AnalyticsRepository::record_intelligence_in(c, "call-" + std::to_string(i), f); !r) return r;
      }
      return {};
    });
    ASSERT_TRUE(rescored) << rescored.error().message;
  }
  ASSERT_GT(std::stoll(query(st_->db(), "SELECT count(*) FROM calls WHERE objections_raised > 0 AND "
                                       "objections_answered = objections_raised AND outcome = 'Demo Scheduled'")[0][0]),
            0)
      << "the synthetic calls include handled objections";
  // Each call's period start in each zone, by binary search in boundary lists (a
  // table of the test's own: a TEMP one would be the writer connection's alone).
  exec(st_->db(), "CREATE TABLE expected_period (call_id TEXT, zone TEXT, period TEXT, period_start TEXT)");
  const auto calls = query(st_->db(), "SELECT id, placed_at FROM calls");
  ASSERT_EQ(calls.size(), 10000u);
  const sys_days from = sys_days{2026y / February / 1}, to = sys_days{2026y / December / 31};
  auto filled = st_->db().write([&](store::Connection& c) -> Result<void> {
    auto ins = c.prepare("INSERT INTO expected_period VALUES (?, ?, ?, ?)");
    if (!ins) return std::unexpected(ins.error());
    for (const char* name : {"America/New_York", "Europe/London", "UTC"}) {
      const TimeZone z = TimeZone::locate(name).value();
      for (Period p : analytics::kAllPeriods) {
        const auto edges = boundaries(p, z, from, to);
        for (const auto& call : calls) {
          const sys_seconds t = at(call[1]);
          auto it = std::upper_bound(edges.begin(), edges.end(), t);
          if (it == edges.begin()) return std::unexpected(Error::invalid("placed_at", call[1] + " before the boundaries"));
          (*ins)->bind_text(1, call[0]);
          (*ins)->bind_text(2, name);
          (*ins)->bind_text(3, std::string(analytics::to_string(p)));
          (*ins)->bind_text(4, iso(*(it - 1)));
          if (auto r = (*ins)->step(); !r) return std::unexpected(r.error());
          (*ins)->reset();
        }
      }
    }
    return {};
  });
  ASSERT_TRUE(filled) << filled.error().message;

  // The definitions of docs/ANALYTICS.md, written out in SQL.
  const std::string connected = "(c.status = 'completed' AND c.answered_by_person = 1)";
  const std::string interested =
      "(" + connected + " AND c.outcome IN ('Demo Scheduled','Follow-up Needed','Call Back Later','Transferred'))";
  const std::string sums =
      "count(*), sum(CASE WHEN " + connected + " THEN 1 ELSE 0 END), "
      "sum(CASE WHEN " + connected + " AND c.outcome IN ('Demo Scheduled','Follow-up Needed','Call Back Later','Transferred') THEN 1 ELSE 0 END), "
      "sum(CASE WHEN " + connected + " AND c.outcome IN ('Demo Scheduled','Follow-up Needed','Transferred') THEN 1 ELSE 0 END), "
      "sum(CASE WHEN " + connected + " AND c.outcome IN ('Demo Scheduled','Transferred') THEN 1 ELSE 0 END), "
      "sum(CASE WHEN " + connected + " AND c.outcome = 'Demo Scheduled' THEN 1 ELSE 0 END), "
      "sum(CASE WHEN " + connected + " THEN coalesce(c.duration, 0) ELSE 0 END), "
      "coalesce(sum(c.ring_time_ms), 0), count(c.ring_time_ms), "
      "sum(CASE WHEN c.answered_by_person = 1 AND c.abandoned = 1 THEN 1 ELSE 0 END), sum(c.answered_by_person), "
      "printf('%.6f', coalesce(sum(c.quality_score), 0)), count(c.quality_score), "
      "printf('%.6f', coalesce(sum(c.script_adherence), 0)), count(c.script_adherence), "
      // Objection-handling success: calls with an objection, and of them those with every one answered and interested.
      "sum(CASE WHEN c.objections_raised > 0 THEN 1 ELSE 0 END), "
      "sum(CASE WHEN c.objections_raised > 0 AND c.objections_answered = c.objections_raised AND " + interested +
      " THEN 1 ELSE 0 END)";
  const std::string stored =
      "total_calls, connected_calls, interested, qualified, conversions, appointments, sum_duration_s, "
      "sum_ring_time_ms, ring_samples, abandoned_calls, answered_by_person, printf('%.6f', sum_quality), "
      "quality_samples, printf('%.6f', sum_script_adherence), adherence_samples, objections_raised, objections_handled";
  struct Scope {
    std::string key, where, zone;
  };
  std::vector<Scope> scopes = {{"w", "1 = 1", "UTC"}};
  for (const auto& a : agents_) scopes.push_back({"a:" + a, "c.agent_id = '" + a + "'", "UTC"});
  for (const auto& [id, zone] : campaigns_) scopes.push_back({"c:" + id, "c.campaign_id = '" + id + "'", zone});
  scopes.push_back({"s:sa-1", "c.swarm_agent_id = 'sa-1'", "America/New_York"});
  scopes.push_back({"s:sa-2", "c.swarm_agent_id = 'sa-2'", "Europe/London"});
  int compared = 0;
  for (const auto& s : scopes) {
    for (Period p : analytics::kAllPeriods) {
      const std::string period(analytics::to_string(p));
      const auto expected = query(st_->db(),
                                  "SELECT e.period_start, " + sums + " FROM calls c JOIN expected_period e ON e.call_id = c.id "
                                  "WHERE e.zone = ? AND e.period = ? AND " + s.where +
                                  " GROUP BY e.period_start ORDER BY e.period_start",
                                  {s.zone, period});
      const auto actual = query(st_->db(),
                                "SELECT period_start, " + stored + " FROM swarm_performance_metrics "
                                "WHERE workspace_id = ? AND scope_key = ? AND period = ? ORDER BY period_start",
                                {ws_.value, s.key, period});
      ASSERT_FALSE(expected.empty()) << s.key << " " << period;
      EXPECT_EQ(actual, expected) << s.key << " " << period;
      compared += static_cast<int>(expected.size());
      const auto zone = query(st_->db(), "SELECT DISTINCT time_zone FROM swarm_performance_metrics WHERE scope_key = ?", {s.key});
      ASSERT_EQ(zone.size(), 1u);
      EXPECT_EQ(zone[0][0], s.zone);
    }
  }
  EXPECT_GT(compared, 5000) << "hourly rows over ~8 weeks in 7 scopes";

  // The local days across the changes hold 25 and 23 hours, and their rows say so.
  store::AnalyticsRepository repo(st_->db());
  const store::MetricsScope ny{store::MetricsScope::Kind::campaign, campaigns_[0].first};
  auto days = repo.periods(ws_, ny, Period::daily, at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z"));
  ASSERT_TRUE(days);
  ASSERT_EQ(days->items.size(), 1u);
  EXPECT_EQ(days->time_zone, "America/New_York");
  EXPECT_EQ(days->items[0].period_start, "2026-11-01T04:00:00.000Z");
  EXPECT_EQ(days->items[0].period_end, "2026-11-02T05:00:00.000Z");
  const store::MetricsScope london{store::MetricsScope::Kind::campaign, campaigns_[1].first};
  auto spring = repo.periods(ws_, london, Period::daily, at("2026-03-29T00:00:00Z"), at("2026-03-29T00:00:01Z"));
  ASSERT_TRUE(spring);
  ASSERT_EQ(spring->items.size(), 1u);
  EXPECT_EQ(spring->items[0].period_start, "2026-03-29T00:00:00.000Z");
  EXPECT_EQ(spring->items[0].period_end, "2026-03-29T23:00:00.000Z");

  // Peak hours and best days: the callee's local hour and weekday (their
  // zone, else the campaign's), from the zone's offset at the instant.
  for (const auto& [id, campaign_zone] : campaigns_) {
    std::map<std::pair<std::string, int>, int64_t> want;
    for (const auto& row : query(st_->db(), "SELECT placed_at, coalesce(callee_time_zone, '') FROM calls WHERE campaign_id = ?", {id})) {
      const TimeZone z = TimeZone::locate(row[1].empty() ? campaign_zone : row[1]).value();
      const sys_seconds t = at(row[0]);
      const int64_t local_s = (t + z.offset(t)).time_since_epoch().count();
      const int64_t day_number = local_s >= 0 ? local_s / 86400 : (local_s - 86399) / 86400;
      ++want[{"hour", static_cast<int>((local_s - day_number * 86400) / 3600)}];
      ++want[{"weekday", static_cast<int>(((day_number % 7) + 7 + 4) % 7)}];  // 1970-01-01 was a Thursday (4)
    }
    std::map<std::pair<std::string, int>, int64_t> got;
    for (const auto& row : query(st_->db(), "SELECT kind, slot, total_calls FROM swarm_call_slots WHERE scope_key = ?", {"c:" + id}))
      got[{row[0], std::stoi(row[1])}] = std::stoll(row[2]);
    EXPECT_EQ(got, want) << id;
  }
}

TEST_F(AnalyticsRollup, RebuildGivesTheIncrementalRows) {
  store_calls(2000, false);
  const auto incremental = snapshot();
  ASSERT_GT(incremental.size(), 1000u);
  store::AnalyticsRepository repo(st_->db());
  auto all = repo.rebuild(std::nullopt, std::nullopt);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(*all, 2000);
  EXPECT_EQ(snapshot(), incremental);
  // One campaign: its rows (and its swarm agents') spoiled, then rebuilt; the others untouched.
  const std::string campaign = campaigns_[1].first;
  exec(st_->db(), "UPDATE swarm_performance_metrics SET total_calls = 0 WHERE scope_key IN ('c:" + campaign + "', 's:sa-2')");
  exec(st_->db(), "DELETE FROM swarm_call_slots WHERE scope_key = 's:sa-3'");
  EXPECT_NE(snapshot(), incremental);
  auto one = repo.rebuild(ws_, campaign);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_GT(*one, 0);
  EXPECT_LT(*one, 2000);
  EXPECT_EQ(snapshot(), incremental);
  // An unknown campaign, or one of another workspace, is not found.
  EXPECT_EQ(repo.rebuild(std::nullopt, std::string("nope")).error().code, ErrorCode::not_found);
  EXPECT_EQ(repo.rebuild(WorkspaceId("other"), campaign).error().code, ErrorCode::not_found);
}

TEST_F(AnalyticsRollup, CallIntelligenceMovesTheRowsOnceHoweverOftenItIsWritten) {
  store::CallStore calls(st_->db());
  store::CallRecord r;
  r.id = "intel-1";
  r.workspace_id = ws_;
  r.agent_id = agents_[0];
  r.campaign_id = campaigns_[0].first;
  r.direction = "outbound";
  r.status = "completed";
  r.answered_by_person = true;
  r.outcome = "Demo Scheduled";
  r.duration_s = 120;
  r.placed_at = "2026-11-01T15:00:00.000Z";
  ASSERT_TRUE(calls.insert(r));
  auto write = [&](std::optional<double> q, std::optional<double> a) {
    auto ok = st_->db().write([&](store::Connection& c) {
      return store::AnalyticsRepository::record_intelligence_in(c, "intel-1", {.quality = q, .adherence = a});
    });
    ASSERT_TRUE(ok) << ok.error().message;
  };
  auto sums = [&] {
    return query(st_->db(), "SELECT sum_quality, quality_samples, sum_script_adherence, adherence_samples "
                            "FROM swarm_performance_metrics WHERE scope_key = ? AND period = 'daily'",
                 {"c:" + campaigns_[0].first});
  };
  write(80, 90);
  write(80, 90);
  ASSERT_EQ(sums().size(), 1u);
  EXPECT_EQ(sums()[0], (std::vector<std::string>{"80.0", "1", "90.0", "1"}));
  write(60, std::nullopt);  // re-analysed: the new figures replace the old
  EXPECT_EQ(sums()[0], (std::vector<std::string>{"60.0", "1", "0.0", "0"}));
  const auto before = snapshot();
  store::AnalyticsRepository repo(st_->db());
  ASSERT_TRUE(repo.rebuild(ws_, std::nullopt));
  EXPECT_EQ(snapshot(), before) << "the rebuild reads the figures back from the call";
  write(10, 10);  // a call not stored is left alone
  auto none = st_->db().write([&](store::Connection& c) {
    return store::AnalyticsRepository::record_intelligence_in(c, "missing", {.quality = 1, .adherence = 1});
  });
  EXPECT_TRUE(none);
}

// Objection-handling success (docs/ANALYTICS.md): a call counts in
// objections_raised when the callee raised an objection, and in
// objections_handled when the agent also answered every one and the call
// ended interested; writing the intelligence again moves the rows once.
TEST_F(AnalyticsRollup, ObjectionsRaisedAndHandledMoveByTheDifferenceAndCountOnce) {
  store::CallStore calls(st_->db());
  auto store_call = [&](const std::string& id, const std::string& outcome) {
    store::CallRecord r;
    r.id = id;
    r.workspace_id = ws_;
    r.agent_id = agents_[0];
    r.campaign_id = campaigns_[1].first;
    r.direction = "outbound";
    r.status = "completed";
    r.answered_by_person = true;
    r.outcome = outcome;
    r.duration_s = 90;
    r.placed_at = "2026-11-02T11:00:00.000Z";
    ASSERT_TRUE(calls.insert(r));
  };
  store_call("obj-1", "Call Back Later");  // interested
  store_call("obj-2", "Not Interested");
  auto write = [&](const std::string& id, std::optional<int64_t> raised, std::optional<int64_t> answered) {
    return st_->db().write([&](store::Connection& c) {
      return store::AnalyticsRepository::record_intelligence_in(
          c, id, {.quality = 70, .objections_raised = raised, .objections_answered = answered, .sentiment = "neutral"});
    });
  };
  // {raised, handled} of the campaign's daily, weekly and monthly rows and the workspace's daily row.
  auto counts = [&] {
    std::vector<std::vector<std::string>> out;
    for (const std::string& key : {"c:" + campaigns_[1].first, std::string("w")})
      for (const auto& row : query(st_->db(),
                                   "SELECT period, objections_raised, objections_handled FROM swarm_performance_metrics "
                                   "WHERE scope_key = ? AND period IN ('daily','weekly','monthly') ORDER BY period",
                                   {key}))
        out.push_back(row);
    return out;
  };
  auto all = [](const std::string& raised, const std::string& handled) {
    std::vector<std::vector<std::string>> out;
    for (int scope = 0; scope < 2; ++scope)
      for (const char* p : {"daily", "monthly", "weekly"}) out.push_back({p, raised, handled});
    return out;
  };
  EXPECT_EQ(counts(), all("0", "0")) << "stored without intelligence: nothing raised";

  ASSERT_TRUE(write("obj-1", 2, 1));  // raised, one of two answered: not handled
  EXPECT_EQ(counts(), all("1", "0"));
  ASSERT_TRUE(write("obj-1", 2, 1));  // the same again: nothing moves
  EXPECT_EQ(counts(), all("1", "0"));
  ASSERT_TRUE(write("obj-1", 2, 2));  // re-scored: both answered, and the call ended interested
  EXPECT_EQ(counts(), all("1", "1"));
  ASSERT_TRUE(write("obj-1", 2, 2));
  ASSERT_TRUE(write("obj-1", 3, 3));  // more objections, all answered: still one call raised, one handled
  EXPECT_EQ(counts(), all("1", "1"));
  ASSERT_TRUE(write("obj-2", 1, 1));  // every objection answered, but not interested: raised, not handled
  EXPECT_EQ(counts(), all("2", "1"));
  ASSERT_TRUE(write("obj-2", 0, 0));  // re-analysed: no objection after all
  EXPECT_EQ(counts(), all("1", "1"));
  ASSERT_TRUE(write("obj-1", std::nullopt, std::nullopt));  // withdrawn: counts in neither
  EXPECT_EQ(counts(), all("0", "0"));
  ASSERT_TRUE(write("obj-1", 1, 1));
  ASSERT_TRUE(write("obj-2", 4, 2));
  EXPECT_EQ(counts(), all("2", "1"));
  EXPECT_EQ(query(st_->db(), "SELECT objections_raised, objections_answered, sentiment FROM calls WHERE id = 'obj-2'"),
            (std::vector<std::vector<std::string>>{{"4", "2", "neutral"}}));

  // The API's figure: handled ÷ raised in percent.
  store::AnalyticsRepository repo(st_->db());
  auto rows = repo.periods(ws_, {store::MetricsScope::Kind::campaign, campaigns_[1].first}, Period::monthly, std::nullopt,
                           std::nullopt);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->items.size(), 1u);
  EXPECT_DOUBLE_EQ(store::period_json(rows->items[0])["objectionHandlingSuccess"].get<double>(), 50.0);

  // The rebuild counts the same from the calls.
  const auto before = snapshot();
  ASSERT_TRUE(repo.rebuild(ws_, std::nullopt));
  EXPECT_EQ(snapshot(), before);

  // Counts that cannot be: refused with the field named, nothing moved.
  for (auto [raised, answered, field] : {std::tuple<std::optional<int64_t>, std::optional<int64_t>, const char*>{1, 2, "objections.answered"},
                                         {1, std::nullopt, "objections.answered"},
                                         {std::nullopt, 0, "objections.raised"},
                                         {-1, -1, "objections.answered"}}) {
    auto bad = write("obj-1", raised, answered);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(bad.error().field(), field);
  }
  EXPECT_EQ(snapshot(), before);
}

TEST_F(AnalyticsRollup, AbandonRateCountsPersonAnsweredCallsSince) {
  store::CallStore calls(st_->db());
  int n = 0;
  auto call = [&](const std::string& placed, bool person, bool abandoned, std::optional<int64_t> ring) {
    store::CallRecord r;
    r.id = "ab-" + std::to_string(++n);
    r.workspace_id = ws_;
    r.agent_id = agents_[0];
    r.campaign_id = campaigns_[0].first;
    r.direction = "outbound";
    r.status = person ? "completed" : "no_answer";
    r.answered_by_person = person;
    r.abandoned = abandoned;
    r.ring_time_ms = ring;
    r.placed_at = placed;
    ASSERT_TRUE(calls.insert(r));
  };
  call("2026-10-01T10:00:00.000Z", true, true, 4000);
  call("2026-11-01T10:00:00.000Z", true, false, 6000);
  call("2026-11-02T10:00:00.000Z", true, true, 8000);
  call("2026-11-03T10:00:00.000Z", false, false, 15000);
  store::AnalyticsRepository repo(st_->db());
  auto all = repo.abandon_rate(ws_, campaigns_[0].first, std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->abandoned, 2);
  EXPECT_EQ(all->answered_by_person, 3);
  EXPECT_NEAR(all->rate_percent().value(), 66.6667, 0.001);
  EXPECT_EQ(all->sum_ring_time_ms, 33000);
  EXPECT_EQ(all->ring_samples, 4);
  auto recent = repo.abandon_rate(ws_, campaigns_[0].first, at("2026-10-15T00:00:00Z"));
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->abandoned, 1);
  EXPECT_EQ(recent->answered_by_person, 2);
  auto other = repo.abandon_rate(WorkspaceId("other"), campaigns_[0].first, std::nullopt);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->answered_by_person, 0) << "another workspace sees none of the campaign's calls";
  EXPECT_FALSE(other->rate_percent());
}

}  // namespace

namespace {

// The metrics API writes its items as text (append_period_json); that text
// is the same object as period_json, the reference: every field, nulls for
// zero denominators, numbers that parse back to the same doubles.
TEST(PeriodJsonText, ParsesBackToThePeriodJsonOfTheSameSums) {
  std::mt19937_64 rng(7);
  std::vector<store::PeriodSums> cases(2);  // all zeros; then one of a DST day
  cases[1].period_start = "2026-03-08T05:00:00.000Z";
  cases[1].period_end = "2026-03-09T04:00:00.000Z";  // 23 h
  cases[1].total_calls = 7;
  for (int i = 0; i < 500; ++i) {
    store::PeriodSums p;
    p.period_start = iso(at("2026-01-01T00:00:00Z") + std::chrono::hours(i));
    p.period_end = iso(at("2026-01-01T00:00:00Z") + std::chrono::hours(i + 1 + static_cast<int>(rng() % 40)));
    auto n = [&](int64_t max) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(max + 1)); };
    p.total_calls = n(1000);
    p.connected_calls = n(p.total_calls);
    p.interested = n(p.connected_calls), p.qualified = n(p.interested), p.conversions = n(p.qualified);
    p.appointments = n(p.conversions);
    p.sum_duration_s = n(1'000'000), p.sum_ring_time_ms = n(100'000'000), p.ring_samples = n(p.total_calls);
    p.answered_by_person = n(p.total_calls), p.abandoned_calls = n(p.answered_by_person);
    p.quality_samples = n(p.total_calls), p.adherence_samples = n(p.total_calls);
    p.sum_quality = static_cast<double>(rng() % 100000) / 7.0, p.sum_script_adherence = static_cast<double>(rng() % 100000) / 3.0;
    p.objections_raised = n(50), p.objections_handled = n(p.objections_raised);
    cases.push_back(p);
    // As periods() gives them: with the period's length in hours already computed.
    p.hours = std::chrono::duration<double, std::ratio<3600>>(at(p.period_end) - at(p.period_start)).count();
    cases.push_back(p);
  }
  for (const auto& p : cases) {
    std::string text;
    store::append_period_json(text, p);
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << text;
    EXPECT_EQ(parsed, store::period_json(p)) << text << "\n" << store::period_json(p).dump();
    EXPECT_EQ(parsed.dump(), store::period_json(p).dump()) << "the same numbers, to the last digit";
  }
}

}  // namespace
