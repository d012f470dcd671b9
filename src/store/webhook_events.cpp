// The webhook_events outbox's write side (webhook_events.hpp).
#include "store/webhook_events.hpp"

#include <array>

#include <sodium.h>

#include "core/time.hpp"

namespace voqo::store {

namespace {

void bind_or_null(Statement& s, int i, const std::string& v) {
  if (v.empty()) s.bind_null(i);
  else s.bind_text(i, v);
}

}  // namespace

std::string derived_event_id(std::string_view subject_id, std::string_view event) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string input(subject_id);
  input += '\x1f';
  input += event;
  std::array<unsigned char, 24> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                     nullptr, 0);
  std::string id(24, '\0');
  id[0] = kAlphabet[10 + hash[0] % 26];
  for (std::size_t i = 1; i < id.size(); ++i) id[i] = kAlphabet[hash[i] % 36];
  return id;
}

Result<bool> enqueue_webhook(Connection& c, const WebhookEvent& e) {
  auto st = c.prepare(
      "INSERT INTO webhook_events (id, seq, event, url, agent_id, call_id, job_id, payload, status, attempts, "
      "failure_count, next_attempt_at, created_at, workspace_id) "
      "SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, 'pending', 0, 0, ?, ?, ? FROM webhook_events "
      "WHERE true ON CONFLICT (id) DO NOTHING");
  if (!st) return std::unexpected(st.error());
  auto& s = **st;
  const std::string now = now_iso8601();
  s.bind_text(1, e.id);
  s.bind_text(2, e.event);
  s.bind_text(3, e.url);
  bind_or_null(s, 4, e.agent_id);
  bind_or_null(s, 5, e.call_id);
  bind_or_null(s, 6, e.job_id);
  s.bind_text(7, e.payload.dump());
  s.bind_text(8, now);
  s.bind_text(9, now);
  s.bind_text(10, e.workspace.value);
  if (auto done = s.step(); !done) return std::unexpected(done.error());
  return c.changes() > 0;
}

}  // namespace voqo::store
