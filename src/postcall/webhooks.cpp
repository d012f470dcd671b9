// Webhooks: the webhook_events outbox (queue, sign, deliver, retry).
#include "postcall/webhooks.hpp"

#include <map>

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <vector>

#include "core/time.hpp"
#include "net/http_client.hpp"

namespace voqo::postcall {
namespace {

using Clock = std::chrono::system_clock;

/// Pending events of a call wait for the earlier pending events of that call.
constexpr const char* kDeliverable =
    "e.status = 'pending' AND (e.call_id IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_events p "
    "WHERE p.call_id = e.call_id AND p.status = 'pending' AND p.seq < e.seq))";

struct DueEvent {
  std::string id, event, url, payload, call_id, workspace_id;
  int64_t seq = 0;
  int attempts = 0;
};

Result<std::vector<DueEvent>> due_events(store::Database& db, const std::string& now) {
  return db.read([&](store::Connection& c) -> Result<std::vector<DueEvent>> {
    auto st = c.prepare(std::string("SELECT e.id, e.event, e.url, e.payload, e.attempts, e.seq, e.call_id, "
                                    "e.workspace_id FROM webhook_events e WHERE ") +
                        kDeliverable + " AND e.next_attempt_at <= ? ORDER BY e.seq LIMIT 100");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, now);
    std::vector<DueEvent> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto& s = **st;
      DueEvent e{std::string(s.column_text(0)), std::string(s.column_text(1)), std::string(s.column_text(2)),
                 std::string(s.column_text(3)), std::string(s.column_text(6)), std::string(s.column_text(7)),
                 s.column_int(5),
                 static_cast<int>(s.column_int(4))};
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<std::optional<Clock::time_point>> next_due(store::Database& db) {
  return db.read([&](store::Connection& c) -> Result<std::optional<Clock::time_point>> {
    auto st = c.prepare(std::string("SELECT min(e.next_attempt_at) FROM webhook_events e WHERE ") + kDeliverable);
    if (!st) return std::unexpected(st.error());
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row || (*st)->is_null(0)) return std::optional<Clock::time_point>{};
    return parse_iso8601((*st)->column_text(0));
  });
}

/// Whether an earlier event of the same call is still pending, read just
/// before sending: the batch was selected a moment ago and the order per call
/// is the receiver's contract, so it is checked again at the last moment.
Result<bool> held_back(store::Database& db, const DueEvent& e) {
  if (e.call_id.empty()) return false;
  return db.read([&](store::Connection& c) -> Result<bool> {
    auto st = c.prepare("SELECT 1 FROM webhook_events WHERE call_id = ? AND status = 'pending' AND seq < ? LIMIT 1");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, e.call_id);
    (*st)->bind_int(2, e.seq);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    return *row;
  });
}

/// Writes the outcome of one attempt.
Result<void> record_attempt(store::Database& db, const DueEvent& e, bool delivered, std::optional<int> status,
                            const std::string& error, Clock::time_point next_attempt, int max_attempts) {
  return db.write([&](store::Connection& c) -> Result<void> {
    const std::string now = now_iso8601();
    if (delivered) {
      auto st = c.prepare(
          "UPDATE webhook_events SET status = 'delivered', attempts = attempts + 1, last_status_code = ?, "
          "delivered_at = ? WHERE id = ? AND status = 'pending'");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_int(1, status.value_or(0));
      (*st)->bind_text(2, now);
      (*st)->bind_text(3, e.id);
      if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
      return {};
    }
    auto st = c.prepare(
        "UPDATE webhook_events SET status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END, "
        "attempts = attempts + 1, failure_count = failure_count + 1, last_status_code = ?, last_error = ?, "
        "next_attempt_at = ? WHERE id = ? AND status = 'pending'");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_int(1, max_attempts);
    if (status) s.bind_int(2, *status);
    else s.bind_null(2);
    s.bind_text(3, error);
    s.bind_text(4, to_iso8601(next_attempt));
    s.bind_text(5, e.id);
    if (auto done = s.step(); !done) return std::unexpected(done.error());
    return {};
  });
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  hex.pop_back();
  return hex;
}

std::string webhook_signature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text = t;
  signed_text += '.';
  signed_text += body;
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

Result<std::string> ensure_webhook_secret(store::Store& store, const WorkspaceId& ws) {
  return store.db().write([&](store::Connection&) -> Result<std::string> {
    auto current = store.settings().snapshot(ws);
    if (!current) return std::unexpected(current.error());
    if (!current->webhook_secret.empty()) return current->webhook_secret;
    if (sodium_init() < 0) return std::unexpected(Error{ErrorCode::internal, "libsodium failed to initialise", {}});
    std::array<unsigned char, 32> raw{};
    randombytes_buf(raw.data(), raw.size());
    std::string hex(raw.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
    hex.pop_back();
    const std::string secret = "whsec_" + hex;
    if (auto put = store.settings().put(ws, "webhook_secret", secret); !put) return std::unexpected(put.error());
    return secret;
  });
}

std::chrono::milliseconds webhook_backoff(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                          std::mt19937_64& rng) {
  if (attempt < 2) return std::chrono::milliseconds(0);
  const int shift = std::min(attempt - 2, 40);
  const double grown = static_cast<double>(base.count()) * static_cast<double>(int64_t{1} << shift);
  const auto cap = static_cast<int64_t>(std::min(grown, static_cast<double>(max.count())));
  if (cap <= 0) return std::chrono::milliseconds(0);
  std::uniform_int_distribution<int64_t> pick(0, cap);
  return std::chrono::milliseconds(pick(rng));
}

WebhookOutbox::WebhookOutbox(store::Store& store, WebhookConfig config)
    : store_(store), config_(config), rng_(std::random_device{}()) {}

WebhookOutbox::~WebhookOutbox() { stop(); }

void WebhookOutbox::start() {
  worker_.start("webhook outbox", [this](std::stop_token st) -> std::optional<Clock::time_point> {
    auto next = deliver_due(st);
    if (!next) {
      spdlog::error("webhook outbox: {}", next.error().message);
      return Clock::now() + std::chrono::seconds(5);
    }
    return *next;
  });
}

void WebhookOutbox::stop() { worker_.stop(); }

Result<std::optional<Clock::time_point>> WebhookOutbox::deliver_due(std::stop_token stop) {
  for (;;) {
    if (stop.stop_requested()) return std::optional<Clock::time_point>{};
    auto due = due_events(store_.db(), now_iso8601());
    if (!due) return std::unexpected(due.error());
    if (due->empty()) return next_due(store_.db());
    // Each event is signed with its workspace's secret and guarded by its
    // workspace's opt-in for private hosts (read once per batch and workspace).
    struct Signing {
      std::string key;
      bool allow_private = false;
    };
    std::map<std::string, Signing> signing;
    std::size_t held_count = 0;
    for (const auto& e : *due) {
      if (stop.stop_requested()) return std::optional<Clock::time_point>{};
      auto [it, fresh] = signing.try_emplace(e.workspace_id);
      if (fresh) {
        const WorkspaceId ws(e.workspace_id);
        auto secret = ensure_webhook_secret(store_, ws);
        it->second.key = secret ? *secret : std::string{};
        // The one opt-in for every URL a user can aim (custom functions too); unreadable = off.
        auto settings = store_.settings().snapshot(ws);
        it->second.allow_private = settings && settings->allow_private_tool_hosts;
      }
      const std::string& key = it->second.key;
      const bool allow_private = it->second.allow_private;
      auto held = held_back(store_.db(), e);
      if (!held) return std::unexpected(held.error());
      if (*held) {
        spdlog::error("webhook {} {} (seq {}) selected while an earlier event of call {} is pending; holding it back",
                      e.event, e.id, e.seq, e.call_id);
        ++held_count;
        continue;
      }
      const int attempt = e.attempts + 1;
      const int64_t t =
          std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
      net::HttpRequest req;
      req.method = "POST";
      req.url = e.url;
      req.timeout = config_.timeout;
      req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
      req.guard = net::user_target_guard(allow_private);
      req.body = e.payload;
      req.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "voqo-webhooks/1"},
                     {"X-Voqo-Event", e.event},
                     {"X-Voqo-Event-Id", e.id},
                     {"Idempotency-Key", e.id},
                     {"X-Voqo-Attempt", std::to_string(attempt)},
                     {"X-Voqo-Timestamp", std::to_string(t)},
                     {"X-Voqo-Signature", webhook_signature(key, t, e.payload)}};
      auto response = net::perform(req, {}, stop);
      if (!response && stop.stop_requested()) return std::optional<Clock::time_point>{};  // not the receiver's fault
      bool delivered = false;
      std::optional<int> status;
      std::string error;
      if (!response) {
        error = response.error().message;
        if (response.error().code == ErrorCode::invalid_argument && !allow_private)
          error += " (webhooks to loopback and private networks need the setting allow_private_tool_hosts)";
      } else {
        status = response->status;
        delivered = response->status >= 200 && response->status < 300;
        // Only the status line: the body is the receiver's data, not ours to
        // keep or show (an internal service's reply must not surface here).
        if (!delivered) error = response->status_line();
        if (response->status >= 300 && response->status < 400) error += " (redirects are not followed)";
      }
      const auto next_attempt = Clock::now() + webhook_backoff(attempt + 1, config_.backoff_base, config_.backoff_max, rng_);
      if (!delivered)
        spdlog::warn("webhook {} {} (seq {}) to {}: attempt {} failed: {}", e.event, e.id, e.seq, e.url, attempt, error);
      if (auto ok = record_attempt(store_.db(), e, delivered, status, error, next_attempt, config_.max_attempts); !ok)
        return std::unexpected(ok.error());
    }
    if (held_count == due->size()) return std::optional<Clock::time_point>{Clock::now() + std::chrono::milliseconds(200)};
  }
}

}  // namespace voqo::postcall
