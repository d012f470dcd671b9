// The outcome loop: one write transaction per finished call (contact,
// memories, do-not-call, SMS row, webhook row, postcall_at), and the two
// delivery threads (webhooks.hpp, sms.hpp) that drain the outboxes.
#include "postcall/outcome_loop.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <set>

#include "core/id.hpp"
#include "core/time.hpp"
#include "model/phone.hpp"
#include "postcall/sms.hpp"
#include "postcall/webhooks.hpp"

namespace voqo::postcall {
namespace {

using nlohmann::json;
using store::Connection;

std::string str(const json& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

/// Runs `sql` with text parameters ("" binds NULL when `empty_as_null`).
Result<void> exec(Connection& c, const char* sql, std::initializer_list<std::string> args, bool empty_as_null = false) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  int i = 1;
  for (const auto& a : args) {
    if (empty_as_null && a.empty()) (*st)->bind_null(i++);
    else (*st)->bind_text(i++, a);
  }
  if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
  return {};
}

/// First row of a query as text columns (empty when no row).
Result<std::vector<std::string>> first_row(Connection& c, const char* sql, std::initializer_list<std::string> args) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  int i = 1;
  for (const auto& a : args) (*st)->bind_text(i++, a);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  std::vector<std::string> out;
  if (*row)
    for (int col = 0; col < (*st)->column_count(); ++col) out.emplace_back((*st)->column_text(col));
  return out;
}

/// Lists `phone` (E.164) on do_not_call for `call_id`, source "call"; a
/// number already listed keeps its row (the mid-call and post-call writes
/// of one request are one entry).
Result<void> insert_do_not_call(Connection& c, const WorkspaceId& ws, const std::string& phone, const std::string& call_id,
                              const std::string& now) {
  return exec(c,
              "INSERT INTO do_not_call (id, phone, reason, source, call_id, created_at, workspace_id) "
              "VALUES (?, ?, ?, 'call', ?, ?, ?) ON CONFLICT (workspace_id, phone) DO NOTHING",
              {new_id(), phone, "asked not to be called again during the call", call_id, now, ws.value});
}

/// The workspace named in a call's or job's JSON (`workspaceId`, as the store writes it).
Result<WorkspaceId> workspace_of(const json& o, const char* what) {
  const std::string ws = str(o, "workspaceId");
  if (ws.empty()) return std::unexpected(Error::invalid("workspaceId", std::string(what) + " needs its workspace"));
  return WorkspaceId(ws);
}

/// The other party's number as the call has it (to of an outbound call, from of an inbound one).
const std::string& their_raw_phone(const std::string& direction, const std::string& from, const std::string& to) {
  return direction == "outbound" ? to : from;
}

/// That number in E.164 ("" when there is none or it is not a phone number, e.g. a SIP URI).
std::string their_phone(const std::string& raw, const std::string& region) {
  if (raw.empty()) return {};
  auto p = model::normalize_phone(raw, region);
  return p ? p->e164 : std::string{};
}

std::string clean_summary(std::string s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) s.pop_back();
  return s.empty() ? "no summary is available" : s;
}

class Loop final : public OutcomeLoop {
 public:
  Loop(store::Store& st, OutcomeLoopConfig config)
      : store_(st),
        config_(config),
        webhooks_(st, WebhookConfig{config.webhook_backoff_base, config.webhook_backoff_max, config.webhook_max_attempts,
                                    config.webhook_timeout}),
        sms_(st, SmsOutboxConfig{config.sms_max_attempts, config.sms_backoff_base, config.sms_backoff_max}) {}

  ~Loop() override {
    webhooks_.stop();
    sms_.stop();
  }

  void start() {
    webhooks_.start();
    sms_.start();
  }

  Result<void> queue_call_started(const calls::CallInfo& call, std::chrono::system_clock::time_point answered_at) override {
    if (call.call_id.empty()) return std::unexpected(Error::invalid("id", "call.started needs the call's id"));
    if (call.workspace_id.empty()) return std::unexpected(Error::invalid("workspaceId", "call.started needs its workspace"));
    const json small = {{"id", call.call_id},         {"agentId", or_null(call.agent_id)},
                        {"direction", call.direction}, {"fromPhone", call.from_phone},
                        {"toPhone", call.to_phone},    {"startedAt", to_iso8601(answered_at)},
                        {"jobId", or_null(call.job_id)}};
    return queue_event(WorkspaceId(call.workspace_id), "call.started", call.call_id, call.agent_id, call.call_id,
                       call.job_id, "call", small);
  }

  Result<void> job_completed(const json& job) override {
    const std::string id = str(job, "id");
    if (id.empty()) return std::unexpected(Error::invalid("id", "job.completed needs the job's id"));
    auto ws = workspace_of(job, "job.completed");
    if (!ws) return std::unexpected(ws.error());
    return queue_event(*ws, "job.completed", id, str(job, "agentId"), "", id, "job", job);
  }

  Result<void> post_call(const calls::CallOutcome& outcome) override {
    if (outcome.call_id.empty()) return std::unexpected(Error::invalid("id", "the post-call step needs the call's id"));
    if (outcome.workspace.empty()) return std::unexpected(Error::invalid("workspaceId", "the post-call step needs the call's workspace"));
    auto ran = run(outcome, false);
    if (!ran) return std::unexpected(ran.error());
    return {};
  }

  Result<void> list_do_not_call(const calls::CallInfo& call) override {
    if (call.call_id.empty()) return std::unexpected(Error::invalid("id", "a do-not-call request needs the call's id"));
    if (call.workspace_id.empty()) return std::unexpected(Error::invalid("workspaceId", "a do-not-call request needs its workspace"));
    const WorkspaceId ws(call.workspace_id);
    const std::string phone = their_phone(their_raw_phone(call.direction, call.from_phone, call.to_phone),
                                          store_.settings().default_region(ws));
    if (phone.empty()) return {};
    return store_.db().write([&](Connection& c) { return insert_do_not_call(c, ws, phone, call.call_id, now_iso8601()); });
  }

  Result<int> recover() override {
    using Pending = std::pair<WorkspaceId, std::string>;
    auto ids = store_.db().read([](Connection& c) -> Result<std::vector<Pending>> {
      auto st = c.prepare("SELECT workspace_id, id FROM calls WHERE postcall_at IS NULL ORDER BY created_at, id");
      if (!st) return std::unexpected(st.error());
      std::vector<Pending> out;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        out.emplace_back(WorkspaceId(std::string((*st)->column_text(0))), std::string((*st)->column_text(1)));
      }
      return out;
    });
    if (!ids) return std::unexpected(ids.error());
    int count = 0;
    for (const auto& [ws, id] : *ids) {
      auto record = store_.calls().get(ws, id);
      if (!record) {
        spdlog::error("outcome loop: recovering call {}: {}", id, record.error().message);
        continue;
      }
      auto outcome = calls::call_outcome_from_record(*record);
      if (!outcome) {
        spdlog::error("outcome loop: recovering call {}: {}", id, outcome.error().message);
        continue;
      }
      auto ran = run(*outcome, true);
      if (!ran) spdlog::error("outcome loop: recovering call {}: {}", id, ran.error().message);
      else if (*ran) ++count;
    }
    if (count > 0) spdlog::info("outcome loop: recovered {} call(s) whose post-call work had not run", count);
    return count;
  }

  void poke() override {
    webhooks_.poke();
    sms_.poke();
  }

 private:
  /// The agent's webhookUrl ("" when none or the agent is gone).
  std::string webhook_url(const WorkspaceId& ws, const std::string& agent_id) {
    if (agent_id.empty()) return {};
    auto agent = store_.agents().config(ws, agent_id);
    return agent ? agent->webhook_url.value_or("") : std::string{};
  }

  Result<void> queue_event(const WorkspaceId& ws, const std::string& event, const std::string& subject,
                           const std::string& agent_id, const std::string& call_id, const std::string& job_id,
                           const char* key, const json& body) {
    const std::string url = webhook_url(ws, agent_id);
    if (url.empty()) return {};
    WebhookEvent e{derived_event_id(subject, event), event, url, agent_id, call_id, job_id, json::object(), ws};
    e.payload = {{"event", event}, {"id", e.id}, {"createdAt", now_iso8601()}, {key, body}};
    auto added = store_.db().write([&](Connection& c) { return enqueue_webhook(c, e); });
    if (!added) return std::unexpected(added.error());
    if (*added) webhooks_.poke();
    return {};
  }

  /// The whole post-call step for one stored call, in one transaction.
  /// `recovering`: skip calls already done, and stale ones get no follow-up.
  /// Returns whether it ran.
  Result<bool> run(const calls::CallOutcome& o, bool recovering) {
    const WorkspaceId& ws = o.workspace;
    const std::string& call_id = o.call_id;
    // The settings one run reads (one query, before the write transaction).
    auto settings = store_.settings().snapshot(ws);
    if (!settings) return std::unexpected(settings.error());
    const model::SettingsSnapshot& s = *settings;
    bool sms_queued = false, hook_queued = false;
    auto ran = store_.db().write([&](Connection& c) -> Result<bool> {
      auto done = first_row(c, "SELECT postcall_at IS NOT NULL FROM calls WHERE workspace_id = ? AND id = ?",
                            {ws.value, call_id});
      if (!done) return std::unexpected(done.error());
      if (done->empty()) return std::unexpected(Error::not_found("no call " + call_id));
      if (recovering && (*done)[0] == "1") return false;
      const std::string& agent_id = o.agent_id;
      std::optional<model::AgentConfig> agent;  // none when the agent is gone
      if (auto a = store_.agents().config(c, ws, agent_id)) agent = std::move(*a);
      const bool outbound = o.direction == "outbound";
      const std::string& their_raw = their_raw_phone(o.direction, o.from_phone, o.to_phone);
      const std::string& our_phone = outbound ? o.from_phone : o.to_phone;
      const std::string phone = their_phone(their_raw, s.default_region);  // E.164, or "" (no number, a SIP URI, ...)
      const std::string now = now_iso8601();

      // The contact: the call's own, else by phone, else created.
      std::string contact_id, contact_name;
      if (const std::string cid = o.contact_id.value_or(""); !cid.empty()) {
        auto row = first_row(c, "SELECT id, name FROM contacts WHERE workspace_id = ? AND id = ?", {ws.value, cid});
        if (!row) return std::unexpected(row.error());
        if (!row->empty()) contact_id = (*row)[0], contact_name = (*row)[1];
      }
      if (contact_id.empty() && !phone.empty()) {
        auto row = first_row(c, "SELECT id, name FROM contacts WHERE workspace_id = ? AND phone = ?", {ws.value, phone});
        if (!row) return std::unexpected(row.error());
        if (!row->empty()) contact_id = (*row)[0], contact_name = (*row)[1];
      }
      if (contact_id.empty() && !phone.empty() && s.auto_create_contacts) {
        contact_id = new_id();
        contact_name = phone;
        if (auto ok = exec(c,
                           "INSERT INTO contacts (id, name, phone, notes, tags, created_at, updated_at, workspace_id) "
                           "VALUES (?, ?, ?, NULL, '[]', ?, ?, ?)",
                           {contact_id, contact_name, phone, now, now, ws.value});
            !ok)
          return std::unexpected(ok.error());
      } else if (!contact_id.empty()) {
        if (auto ok = exec(c, "UPDATE contacts SET updated_at = ? WHERE id = ?", {now, contact_id}); !ok)
          return std::unexpected(ok.error());
      }

      // Memories: this call's automatic ones are replaced as a whole.
      if (s.save_memories && !contact_id.empty()) {
        if (auto ok = exec(c, "DELETE FROM memories WHERE call_id = ? AND source = 'auto'", {call_id}); !ok)
          return std::unexpected(ok.error());
        std::set<std::string> seen;
        for (std::string text : o.memories) {
            while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
            text.erase(0, text.find_first_not_of(" \t\r\n"));
            if (text.empty() || text.size() > 10000 || !seen.insert(text).second) continue;
            if (auto ok = exec(c,
                               "INSERT INTO memories (id, contact_id, content, source, call_id, created_at, "
                               "workspace_id) VALUES (?, ?, ?, 'auto', ?, ?, ?)",
                               {new_id(), contact_id, text, call_id, now, ws.value});
                !ok)
              return std::unexpected(ok.error());
          }
      }

      // Do-not-call: the callee asked (usually listed already, by list_do_not_call() during the call).
      const bool asked_dnc = o.do_not_call;
      if (asked_dnc && !phone.empty())
        if (auto ok = insert_do_not_call(c, ws, phone, call_id, now); !ok) return std::unexpected(ok.error());
      bool listed = false;
      if (!phone.empty()) {
        auto row = first_row(c, "SELECT id FROM do_not_call WHERE workspace_id = ? AND phone = ?", {ws.value, phone});
        if (!row) return std::unexpected(row.error());
        listed = !row->empty();
      }

      if (auto ok = exec(c, "UPDATE calls SET postcall_at = ?, contact_id = coalesce(contact_id, ?) WHERE id = ?",
                         {now, contact_id, call_id}, true);
          !ok)
        return std::unexpected(ok.error());

      // Follow-ups of a call recovered long after it ended are not sent.
      bool stale = false;
      if (recovering) stale = std::chrono::system_clock::now() - o.ended_at > config_.recover_follow_up_max_age;

      // The follow-up SMS: one row per call, queued or skipped with the reason.
      auto existing = first_row(c, "SELECT id FROM sms_messages WHERE call_id = ?", {call_id});
      if (!existing) return std::unexpected(existing.error());
      if (existing->empty()) {
        std::string skip;
        if (!s.sms_enabled) skip = "sms_enabled is off";
        else if (o.status != calls::CallStatus::completed)
          skip = "the call was not answered (status " + std::string(calls::call_status_label(o.status)) + ")";
        else if (o.outcome == brain::Outcome::voicemail) skip = "the call reached voicemail";
        else if (phone.empty()) skip = "no phone number to text";
        else if (listed) skip = "the number is on the do-not-call list";
        else if (s.sms_skip_silent && !o.caller_spoke) skip = "the caller never spoke (sms_skip_silent)";
        else if (stale) skip = "recovered too long after the call ended to follow up";
        const std::string caller =
            contact_name.empty() || contact_name == phone ? std::string("there") : contact_name;
        const std::string body =
            render_sms_template(s.sms_template, caller, clean_summary(o.summary), agent ? agent->name : std::string());
        const bool twilio = s.sms_provider.provider == "twilio";
        const std::string from = twilio ? s.sms_provider.twilio.from : our_phone;
        auto st = c.prepare(
            "INSERT INTO sms_messages (id, call_id, contact_id, agent_id, to_phone, from_phone, body, provider, "
            "status, error_message, attempts, created_at, updated_at, workspace_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)");
        if (!st) return std::unexpected(st.error());
        auto& q = **st;
        auto text_or_null = [&q](int i, const std::string& v) {
          if (v.empty()) q.bind_null(i);
          else q.bind_text(i, v);
        };
        q.bind_text(1, derived_event_id(call_id, "sms"));
        q.bind_text(2, call_id);
        text_or_null(3, contact_id);
        text_or_null(4, agent_id);
        q.bind_text(5, phone.empty() ? their_raw : phone);  // NOT NULL: "" when there is no number
        text_or_null(6, from);
        q.bind_text(7, body);
        q.bind_text(8, twilio ? "twilio" : "outbox");
        q.bind_text(9, skip.empty() ? "queued" : "skipped");
        text_or_null(10, skip);
        q.bind_text(11, now);
        q.bind_text(12, now);
        q.bind_text(13, ws.value);
        if (auto done = q.step(); !done) return std::unexpected(done.error());
        sms_queued = skip.empty();
      }

      // The call.ended webhook, with the call as it now stands.
      const std::string url = agent ? agent->webhook_url.value_or("") : std::string();
      if (!url.empty() && !stale) {
        auto fresh = store_.calls().get(c, ws, call_id);
        if (!fresh) return std::unexpected(fresh.error());
        WebhookEvent e{derived_event_id(call_id, "call.ended"), "call.ended", url, agent_id, call_id,
                       str(*fresh, "jobId"), json::object(), ws};
        json contact = contact_id.empty() ? json(nullptr)
                                          : json{{"id", contact_id}, {"name", contact_name}, {"phone", phone}};
        e.payload = {{"event", e.event}, {"id", e.id}, {"createdAt", now}, {"call", *fresh}, {"contact", contact}};
        auto added = enqueue_webhook(c, e);
        if (!added) return std::unexpected(added.error());
        hook_queued = *added;
      }
      return true;
    });
    if (!ran) return std::unexpected(ran.error());
    if (sms_queued) sms_.poke();
    if (hook_queued) webhooks_.poke();
    return *ran;
  }

  store::Store& store_;
  OutcomeLoopConfig config_;
  WebhookOutbox webhooks_;
  SmsOutbox sms_;
};

}  // namespace

void OutcomeLoop::call_answered(const calls::CallInfo& call, std::chrono::system_clock::time_point answered_at) {
  if (auto r = queue_call_started(call, answered_at); !r)
    spdlog::warn("call {}: call.started: {}", call.call_id, r.error().message);
}

void OutcomeLoop::do_not_call_heard(const calls::CallInfo& call) {
  if (auto r = list_do_not_call(call); !r)
    spdlog::error("call {}: do-not-call request not listed during the call: {} (listed after the call)", call.call_id,
                  r.error().message);
}

void OutcomeLoop::call_ended(const calls::CallOutcome& outcome) {
  if (auto r = post_call(outcome); !r)
    spdlog::warn("call {}: outcome loop: {} (retried at next start)", outcome.call_id, r.error().message);
}

Result<std::unique_ptr<OutcomeLoop>> OutcomeLoop::create(store::Store& store, OutcomeLoopConfig config) {
  // Every workspace has its signing secret before its first event, so a
  // receiver can be set up first (a workspace created later gets one at its
  // first delivery, or when its settings are read).
  auto workspaces = store.access().workspaces();
  if (!workspaces) return std::unexpected(workspaces.error());
  for (const auto& w : *workspaces)
    if (auto secret = ensure_webhook_secret(store, w.id); !secret) return std::unexpected(secret.error());
  auto loop = std::make_unique<Loop>(store, config);
  loop->start();
  return std::unique_ptr<OutcomeLoop>(std::move(loop));
}

}  // namespace voqo::postcall
