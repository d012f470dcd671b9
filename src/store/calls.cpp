#include "store/calls.hpp"

#include <algorithm>

#include "core/id.hpp"
#include "core/time.hpp"
#include "store/analytics.hpp"

namespace voqo::store {
namespace {
void bind_optional(Statement& st, int i, const std::optional<std::string>& v) {
  if (v) st.bind_text(i, *v);
  else st.bind_null(i);
}
}  // namespace

Result<void> CallStore::insert(const CallRecord& r) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare(
        "INSERT INTO calls (id, agent_id, contact_id, direction, status, from_phone, to_phone, summary, transcript, "
        "duration, recording_url, started_at, ended_at, created_at, outcome, error_message, sip_code, system_info, "
        "turn_metrics, job_id, job_call_id, workspace_id, campaign_id, swarm_agent_id, placed_at, ring_time_ms, "
        "agent_audio_after_answer_ms, answered_by_person, abandoned, callee_time_zone, quality_score, script_adherence, "
        "cpu_ms, memory_bytes, api_calls, objections_raised, objections_answered) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, r.id);
    s.bind_text(2, r.agent_id);
    bind_optional(s, 3, r.contact_id);
    s.bind_text(4, r.direction);
    s.bind_text(5, r.status);
    s.bind_text(6, r.from_phone);
    s.bind_text(7, r.to_phone);
    bind_optional(s, 8, r.summary);
    s.bind_text(9, r.transcript.dump());
    if (r.duration_s) s.bind_int(10, *r.duration_s);
    else s.bind_null(10);
    bind_optional(s, 11, r.recording_url);
    bind_optional(s, 12, r.started_at);
    bind_optional(s, 13, r.ended_at);
    s.bind_text(14, now_iso8601());
    bind_optional(s, 15, r.outcome);
    bind_optional(s, 16, r.error_message);
    if (r.sip_code) s.bind_int(17, *r.sip_code);
    else s.bind_null(17);
    s.bind_text(18, r.system_info.dump());
    s.bind_text(19, r.turn_metrics.dump());
    bind_optional(s, 20, r.job_id);
    bind_optional(s, 21, r.job_call_id);
    s.bind_text(22, r.workspace_id.value);
    auto text_or_null = [&](int i, const std::string& v) { v.empty() ? s.bind_null(i) : s.bind_text(i, v); };
    auto int_or_null = [&](int i, const std::optional<int64_t>& v) { v ? s.bind_int(i, *v) : s.bind_null(i); };
    auto real_or_null = [&](int i, const std::optional<double>& v) { v ? s.bind_double(i, *v) : s.bind_null(i); };
    text_or_null(23, r.campaign_id);
    text_or_null(24, r.swarm_agent_id);
    // The instant the rollups use: the same text in the row and in them.
    const std::string placed_at = r.placed_at.value_or(now_iso8601());
    s.bind_text(25, placed_at);
    int_or_null(26, r.ring_time_ms);
    int_or_null(27, r.agent_audio_after_answer_ms);
    s.bind_int(28, r.answered_by_person ? 1 : 0);
    s.bind_int(29, r.abandoned ? 1 : 0);
    text_or_null(30, r.callee_time_zone);
    real_or_null(31, r.quality_score);
    real_or_null(32, r.script_adherence);
    s.bind_int(33, std::max<int64_t>(0, r.cpu_ms));
    s.bind_int(34, std::max<int64_t>(0, r.memory_bytes));
    s.bind_int(35, std::max<int64_t>(0, r.api_calls));
    int_or_null(36, r.objections_raised);
    int_or_null(37, r.objections_answered);
    if (auto done = s.step(); !done) return std::unexpected(done.error());
    if (auto counted_in = AnalyticsRepository::count_call(c, r, placed_at); !counted_in) return counted_in;
    return count_in_agent_stats(c, r);
  });
}

bool CallStore::counts_as_success(std::string_view outcome) {
  return outcome == "Demo Scheduled" || outcome == "Follow-up Needed" || outcome == "Transferred";
}

Result<void> CallStore::count_in_agent_stats(Connection& c, const CallRecord& r) {
  const bool success = r.outcome && counts_as_success(*r.outcome);
  const int64_t seconds = r.duration_s.value_or(0);
  auto sums = c.prepare(
      "INSERT INTO agent_call_stats (agent_id, calls, successes, connected, connected_seconds, workspace_id) "
      "VALUES (?1, 1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (agent_id) DO UPDATE SET calls = calls + 1, successes = successes + excluded.successes, "
      "connected = connected + excluded.connected, connected_seconds = connected_seconds + excluded.connected_seconds");
  if (!sums) return std::unexpected(sums.error());
  (*sums)->bind_text(1, r.agent_id);
  (*sums)->bind_int(2, success ? 1 : 0);
  (*sums)->bind_int(3, seconds > 0 ? 1 : 0);
  (*sums)->bind_int(4, seconds > 0 ? seconds : 0);
  (*sums)->bind_text(5, r.workspace_id.value);
  if (auto done = (*sums)->step(); !done) return std::unexpected(done.error());
  auto st = c.prepare(
      "UPDATE agents SET total_calls = s.calls, success_rate = 100.0 * s.successes / s.calls, "
      "avg_call_duration_s = CASE WHEN s.connected > 0 THEN 1.0 * s.connected_seconds / s.connected ELSE 0 END "
      "FROM agent_call_stats s WHERE agents.id = ?1 AND s.agent_id = ?1");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, r.agent_id);
  if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
  return {};
}

Result<void> CallStore::live_begin(const LiveCall& l) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare(
        "INSERT INTO live_calls (id, call_id, agent_id, agent_name, customer_name, customer_phone, direction, status, "
        "start_time, is_recording, sip_endpoint, session_id, node, updated_at, campaign_id, campaign_name, "
        "workspace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, new_id());
    s.bind_text(2, l.call_id);
    s.bind_text(3, l.agent_id);
    s.bind_text(4, l.agent_name);
    s.bind_text(5, l.customer_name);
    s.bind_text(6, l.customer_phone);
    s.bind_text(7, l.direction);
    s.bind_text(8, l.status);
    s.bind_text(9, l.start_time);
    s.bind_int(10, l.is_recording ? 1 : 0);
    s.bind_text(11, l.sip_endpoint);
    s.bind_text(12, l.session_id);
    s.bind_text(13, l.node);
    s.bind_text(14, now_iso8601());
    if (l.campaign_id.empty()) s.bind_null(15);
    else s.bind_text(15, l.campaign_id);
    if (l.campaign_name.empty()) s.bind_null(16);
    else s.bind_text(16, l.campaign_name);
    s.bind_text(17, l.workspace_id);
    if (auto done = s.step(); !done) return std::unexpected(done.error());
    return {};
  });
}

namespace {
Result<void> update_live_status(Connection& c, const std::string& call_id, const std::string& status,
                                const std::optional<std::string>& phase) {
  auto st = c.prepare(
      "UPDATE live_calls SET status = ?, current_phase = coalesce(?, current_phase), updated_at = ? "
      "WHERE call_id = ? AND ended_at IS NULL");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, status);
  bind_optional(**st, 2, phase);
  (*st)->bind_text(3, now_iso8601());
  (*st)->bind_text(4, call_id);
  if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
  return {};
}
}  // namespace

Result<void> CallStore::live_status(const std::string& call_id, const std::string& status,
                                    const std::optional<std::string>& phase) {
  return db_.write([&](Connection& c) { return update_live_status(c, call_id, status, phase); });
}

void CallStore::live_status_later(const std::string& call_id, const std::string& status,
                                  const std::optional<std::string>& phase) {
  db_.write_deferred([call_id, status, phase](Connection& c) { return update_live_status(c, call_id, status, phase); },
                     "live status of call " + call_id);
}

Result<void> CallStore::live_end(const std::string& call_id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare("UPDATE live_calls SET ended_at = coalesce(ended_at, ?), updated_at = ? WHERE call_id = ?");
    if (!st) return std::unexpected(st.error());
    const std::string now = now_iso8601();
    (*st)->bind_text(1, now);
    (*st)->bind_text(2, now);
    (*st)->bind_text(3, call_id);
    if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
    return {};
  });
}

Result<std::vector<LiveCall>> CallStore::live_orphans(const std::string& node) {
  return db_.read([&](Connection& c) -> Result<std::vector<LiveCall>> {
    auto st = c.prepare(
        "SELECT call_id, agent_id, agent_name, customer_name, customer_phone, direction, status, start_time, "
        "sip_endpoint, session_id, node, workspace_id, coalesce(campaign_id, '') FROM live_calls "
        "WHERE node = ? AND ended_at IS NULL");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, node);
    std::vector<LiveCall> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto& s = **st;
      auto text = [&](int i) { return std::string(s.column_text(i)); };
      LiveCall l;
      l.call_id = text(0);
      l.workspace_id = text(11);
      l.agent_id = text(1);
      l.agent_name = text(2);
      l.customer_name = text(3);
      l.customer_phone = text(4);
      l.direction = text(5);
      l.status = text(6);
      l.start_time = text(7);
      l.sip_endpoint = text(8);
      l.session_id = text(9);
      l.node = text(10);
      l.campaign_id = text(12);
      out.push_back(std::move(l));
    }
    return out;
  });
}

namespace {
/// Runs a one-column query and collects the text values.
Result<std::vector<std::string>> texts(Database& db, const char* sql, const std::vector<std::string>& args) {
  return db.read([&](Connection& c) -> Result<std::vector<std::string>> {
    auto st = c.prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (std::size_t i = 0; i < args.size(); ++i) (*st)->bind_text(static_cast<int>(i + 1), args[i]);
    std::vector<std::string> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      for (int col = 0; col < (*st)->column_count(); ++col) out.emplace_back((*st)->column_text(col));
    }
    return out;
  });
}
}  // namespace

Result<std::optional<std::pair<std::string, std::string>>> CallStore::contact_by_phone(const WorkspaceId& ws,
                                                                                        const std::string& phone) {
  auto rows = texts(db_, "SELECT id, name FROM contacts WHERE workspace_id = ? AND phone = ?", {ws.value, phone});
  if (!rows) return std::unexpected(rows.error());
  if (rows->size() < 2) return std::optional<std::pair<std::string, std::string>>{};
  return std::optional<std::pair<std::string, std::string>>{std::pair{(*rows)[0], (*rows)[1]}};
}

Result<std::optional<std::pair<std::string, std::string>>> CallStore::job_call_of(const std::string& call_id) {
  auto rows = texts(db_, "SELECT job_id, id FROM job_calls WHERE attempt_call_id = ?", {call_id});
  if (!rows) return std::unexpected(rows.error());
  if (rows->size() < 2) return std::optional<std::pair<std::string, std::string>>{};
  return std::optional<std::pair<std::string, std::string>>{std::pair{(*rows)[0], (*rows)[1]}};
}

Result<std::string> CallStore::create_contact(const WorkspaceId& ws, const std::string& name, const std::string& phone) {
  const std::string id = new_id();
  auto r = db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare(
        "INSERT INTO contacts (id, name, phone, notes, tags, created_at, updated_at, workspace_id) "
        "VALUES (?, ?, ?, NULL, '[]', ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    const std::string now = now_iso8601();
    (*st)->bind_text(1, id);
    (*st)->bind_text(2, name);
    (*st)->bind_text(3, phone);
    (*st)->bind_text(4, now);
    (*st)->bind_text(5, now);
    (*st)->bind_text(6, ws.value);
    if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return id;
}

Result<std::vector<std::string>> CallStore::memories_of(const WorkspaceId& ws, const std::string& contact_id) {
  return texts(db_, "SELECT content FROM memories WHERE workspace_id = ? AND contact_id = ? ORDER BY created_at, id",
               {ws.value, contact_id});
}

Result<std::optional<std::string>> CallStore::agent_id(const WorkspaceId& ws, const std::string& id_or_name) {
  auto rows = texts(db_, "SELECT id FROM agents WHERE workspace_id = ? AND (id = ? OR name = ?)",
                    {ws.value, id_or_name, id_or_name});
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{rows->front()};
}

Result<bool> CallStore::recording_in_use(const std::string& call_id) {
  auto rows = texts(db_,
                    "SELECT 1 FROM calls WHERE id = ?1 AND recording_url IS NOT NULL "
                    "UNION ALL SELECT 1 FROM live_calls WHERE call_id = ?1 AND ended_at IS NULL",
                    {call_id});
  if (!rows) return std::unexpected(rows.error());
  return !rows->empty();
}

Result<std::optional<WorkspaceId>> CallStore::workspace_of_agent(const std::string& agent_id) {
  auto rows = texts(db_, "SELECT workspace_id FROM agents WHERE id = ?", {agent_id});
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<WorkspaceId>{};
  return std::optional<WorkspaceId>{WorkspaceId(rows->front())};
}

}  // namespace voqo::store
