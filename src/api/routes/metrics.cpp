// Metrics by period and compliance figures (issue 18 §8-9, docs/ANALYTICS.md):
// GET /api/campaigns/{id}/metrics and GET /api/agents/{id}/metrics.
#include "api/rest_kit.hpp"
#include "core/time.hpp"
#include "store/analytics.hpp"

namespace voqo::api::rest {

namespace {

struct MetricsQuery {
  analytics::Period period = analytics::Period::daily;
  std::optional<std::chrono::sys_seconds> from, to;
};

/// period (default daily), from, to (ISO-8601; from before to). Errors: 422
/// naming the parameter; an unknown parameter is named too.
Result<MetricsQuery> metrics_query(const HttpRequest& req) {
  MetricsQuery q;
  for (const auto& [key, value] : req.query) {
    if (key == "period") {
      auto p = analytics::parse_period(value);
      if (!p) return std::unexpected(p.error());
      q.period = *p;
    } else if (key == "from" || key == "to") {
      auto t = parse_iso8601(value);
      if (!t) return std::unexpected(Error::invalid(key, "must be an ISO-8601 instant such as 2026-11-01T00:00:00Z"));
      (key == "from" ? q.from : q.to) = std::chrono::floor<std::chrono::seconds>(*t);
    } else {
      return std::unexpected(Error::invalid(key, "unknown query parameter"));
    }
  }
  if (q.from && q.to && *q.to <= *q.from) return std::unexpected(Error::invalid("to", "must be after from"));
  return q;
}

json compliance_json(const store::AbandonFigures& all, const store::AbandonFigures& last30) {
  auto figures = [](const store::AbandonFigures& a) {
    json ring = a.ring_samples > 0 ? json(static_cast<double>(a.sum_ring_time_ms) / static_cast<double>(a.ring_samples))
                                   : json(nullptr);
    auto rate = a.rate_percent();
    return json{{"abandonRate", rate ? json(*rate) : json(nullptr)},
                {"abandonedCalls", a.abandoned},
                {"answeredByPerson", a.answered_by_person},
                {"averageRingTimeMs", ring}};
  };
  json out = figures(all);
  out["last30Days"] = figures(last30);
  return out;
}

}  // namespace

void Api::metrics() {
  auto handler = [this](bool campaign) {
    return [this, campaign](HttpRequest& req) -> HttpResponse {
      const WorkspaceId& ws = workspace(req);
      auto id = path_id(req, "id", campaign ? "campaign" : "agent");
      if (!id) return problem_from(id.error(), req.target);
      // Another workspace's campaign or agent: 404, like any of its objects.
      auto owner = campaign ? st_.campaigns().get(ws, *id) : st_.agents().records().get(ws, *id);
      if (!owner) return problem_from(owner.error(), req.target);
      auto q = metrics_query(req);
      if (!q) return problem_from(q.error(), req.target);
      store::AnalyticsRepository repo(st_.db());
      const store::MetricsScope scope{campaign ? store::MetricsScope::Kind::campaign : store::MetricsScope::Kind::agent, *id};
      auto rows = repo.periods(ws, scope, q->period, q->from, q->to);
      if (!rows) return problem_from(rows.error(), req.target);
      auto hours = repo.slots(ws, scope, "hour");
      if (!hours) return problem_from(hours.error(), req.target);
      auto days = repo.slots(ws, scope, "weekday");
      if (!days) return problem_from(days.error(), req.target);
      const auto since = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - std::chrono::days(30);
      auto all = repo.totals(ws, scope);  // every call, from the monthly rows
      if (!all) return problem_from(all.error(), req.target);
      auto recent = repo.totals(ws, scope, since);  // the last 30 local days, from the daily rows
      if (!recent) return problem_from(recent.error(), req.target);
      json items = json::array();
      for (const auto& p : rows->items) items.push_back(store::period_json(p));
      return json_response(200, json{{"period", analytics::to_string(q->period)},
                                     {"timeZone", rows->time_zone},
                                     {"items", std::move(items)},
                                     {"truncated", rows->truncated},
                                     {"peakHours", std::move(*hours)},
                                     {"bestDays", std::move(*days)},
                                     {"compliance", compliance_json(*all, *recent)}});
    };
  };
  add("GET", "/api/campaigns/{id}/metrics", handler(true));
  add("GET", "/api/agents/{id}/metrics", handler(false));
}

}  // namespace voqo::api::rest
