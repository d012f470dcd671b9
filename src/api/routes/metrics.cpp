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

/// One CSV field (RFC 4180 §2: quoted when it holds a comma, quote or line
/// break; quotes doubled). A value starting with = + - @ is prefixed with a
/// quote character so a spreadsheet does not run it as a formula (OWASP CSV injection).
std::string csv_field(const json& v) {
  std::string s = v.is_null() ? std::string() : v.is_string() ? v.get<std::string>() : v.dump();
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && !v.is_number()) s.insert(0, "'");
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void csv_row(std::string& out, const json& record, std::span<const char* const> keys) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ',';
    out += csv_field(record.contains(keys[i]) ? record[keys[i]] : json());
  }
  out += "\r\n";
}

/// The export's at most this many calls (the newest); a bigger campaign pages through GET /api/calls?campaignId=.
constexpr size_t kMaxExportCalls = 100'000;

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
      // The items (up to 5,000 hourly periods) are written as text, not built as a DOM: most of the request's time.
      json rest = json{{"period", analytics::to_string(q->period)},
                       {"timeZone", rows->time_zone},
                       {"truncated", rows->truncated},
                       {"peakHours", std::move(*hours)},
                       {"bestDays", std::move(*days)},
                       {"compliance", compliance_json(*all, *recent)}};
      std::string body = rest.dump(-1, ' ', false, json::error_handler_t::replace);
      body.pop_back();  // its closing brace: the items go last
      body.reserve(body.size() + rows->items.size() * 560);
      body += ",\"items\":[";
      for (std::size_t i = 0; i < rows->items.size(); ++i) {
        if (i > 0) body += ',';
        store::append_period_json(body, rows->items[i]);
      }
      body += "]}";
      return HttpResponse::json(200, std::move(body));
    };
  };
  add("GET", "/api/campaigns/{id}/metrics", handler(true));
  // CSV export (issue 18 §10): ?type=calls (default: the campaign's calls, newest first) or
  // ?type=metrics&period=… (the metrics by period, as GET …/metrics gives them).
  add("GET", "/api/campaigns/{id}/export.csv", [this](HttpRequest& req) -> HttpResponse {
    const WorkspaceId& ws = workspace(req);
    auto id = path_id(req, "id", "campaign");
    if (!id) return problem_from(id.error(), req.target);
    if (auto c = st_.campaigns().get(ws, *id); !c) return problem_from(c.error(), req.target);
    std::string type = "calls";
    HttpRequest metrics_req = req;
    metrics_req.query.clear();
    for (const auto& [k, v] : req.query) {
      if (k == "type") type = v;
      else metrics_req.query.emplace_back(k, v);
    }
    std::string out;
    if (type == "calls") {
      if (!metrics_req.query.empty())
        return problem_from(Error::invalid(metrics_req.query.front().first, "unknown query parameter"), req.target);
      static constexpr const char* kCols[] = {"id", "createdAt", "startedAt", "toPhone", "status", "outcome", "duration",
                                              "ringTimeMs", "agentAudioAfterAnswerMs", "abandoned", "agentId",
                                              "swarmAgentId", "summary", "errorMessage"};
      out = "id,createdAt,startedAt,toPhone,status,outcome,duration,ringTimeMs,agentAudioAfterAnswerMs,abandoned,agentId,"
            "swarmAgentId,summary,errorMessage\r\n";
      store::ListQuery q;
      q.limit = store::kMaxPageSize;
      q.conditions.push_back({store::Condition::Op::equals, {"campaign_id"}, *id});
      for (size_t n = 0; n < kMaxExportCalls;) {
        auto page = st_.calls().list(ws, q);
        if (!page) return problem_from(page.error(), req.target);
        for (const auto& r : page->items) csv_row(out, r, kCols);
        n += page->items.size();
        if (page->next_cursor.empty()) break;
        q.cursor = page->next_cursor;
      }
    } else if (type == "metrics") {
      auto q = metrics_query(metrics_req);
      if (!q) return problem_from(q.error(), req.target);
      auto rows = store::AnalyticsRepository(st_.db())
                      .periods(ws, store::MetricsScope{store::MetricsScope::Kind::campaign, *id}, q->period, q->from, q->to);
      if (!rows) return problem_from(rows.error(), req.target);
      static constexpr const char* kCols[] = {"periodStart", "periodEnd", "totalCalls", "connectedCalls", "connectionRate",
                                              "averageDurationS", "appointments", "conversionRate", "appointmentRate",
                                              "callsPerHour", "averageQuality", "scriptAdherence", "averageRingTimeMs",
                                              "abandonRate", "abandonedCalls", "answeredByPerson"};
      out = "periodStart,periodEnd,totalCalls,connectedCalls,connectionRate,averageDurationS,appointments,conversionRate,"
            "appointmentRate,callsPerHour,averageQuality,scriptAdherence,averageRingTimeMs,abandonRate,abandonedCalls,"
            "answeredByPerson\r\n";
      for (const auto& p : rows->items) csv_row(out, store::period_json(p), kCols);
    } else {
      return problem_from(Error::invalid("type", "must be calls or metrics"), req.target);
    }
    HttpResponse r{200, "text/csv; charset=utf-8", std::move(out), {}};
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"campaign-" + *id + "-" + type + ".csv\"");
    return r;
  });
  add("GET", "/api/agents/{id}/metrics", handler(false));
}

}  // namespace voqo::api::rest
