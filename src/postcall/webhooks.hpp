#pragma once
/// Webhooks (issue 4 §5): the webhook_events outbox and its delivery thread.
///
/// Events are rows written in the same transaction as the state they report
/// (enqueue_webhook() on the caller's Connection), so an event exists exactly
/// when its cause was committed. WebhookOutbox delivers them:
///  - POST <url>, body = the stored payload (JSON) byte for byte, headers
///    Content-Type: application/json, X-Voqo-Event, X-Voqo-Event-Id and
///    Idempotency-Key (= the row id, stable across retries: receivers dedupe
///    on it), X-Voqo-Attempt (1, 2, ...), X-Voqo-Timestamp (Unix seconds) and
///    X-Voqo-Signature: "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>." + body)>"
///    (RFC 2104 HMAC with SHA-256, FIPS 180-4; secret = setting webhook_secret);
///  - the receiver's address is guarded as every URL a user can aim
///    (net::AddressGuard): loopback, private, link-local and metadata
///    addresses are refused before connecting unless the setting
///    allow_private_tool_hosts is on (read at each delivery round); the
///    connection is direct (no proxy from the environment) and redirects are
///    not followed (a 3xx is a failed delivery);
///  - any 2xx = delivered; anything else (other status, refused address,
///    DNS/connect/TLS error, timeout) = a failure: failure_count,
///    last_status_code (null when no response), last_error (the status line
///    "HTTP 503 Service Unavailable" or the transport error; never the
///    reply's body) and next_attempt_at are written, and attempt
///    n ≥ 2 waits a uniform random delay in [0, min(max, base·2^(n-2))]
///    ("full jitter", so receivers that come back are not hit by every sender
///    at once); after max_attempts the row is "failed";
///  - per call, events go out in seq order: an event waits while an earlier
///    event of the same call is still pending (a receiver that is down for a
///    while and comes back receives every event of a call once, in order).
///    Events of other calls are not held back.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "postcall/delivery_worker.hpp"
#include "store/store.hpp"
#include "store/webhook_events.hpp"

namespace voqo::postcall {

/// Delivery settings (from OutcomeLoopConfig).
struct WebhookConfig {
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(10)};
  int max_attempts = 20;
  std::chrono::milliseconds timeout{10000};
};

/// The outbox's write side lives in store/ (store/webhook_events.hpp).
using store::derived_event_id;
using store::enqueue_webhook;
using store::WebhookEvent;

/// Lower-case hex HMAC-SHA256 of `message` under `key` (RFC 2104, RFC 4231).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// The X-Voqo-Signature value: "t=<unix_seconds>,v1=" + hmac_sha256_hex(secret, "<unix_seconds>." + body).
std::string webhook_signature(std::string_view secret, int64_t unix_seconds, std::string_view body);

/// The webhook_secret setting; when it is empty, 32 random bytes
/// (libsodium randombytes) are stored as "whsec_" + 64 hex characters first.
/// Errors: database.
Result<std::string> ensure_webhook_secret(store::Store& store, const WorkspaceId& ws);

/// Full-jitter delay before attempt `attempt` (≥ 2): uniform in
/// [0, min(max, base·2^(attempt-2))] ms. Attempt 1 (and below) waits 0.
std::chrono::milliseconds webhook_backoff(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                          std::mt19937_64& rng);

/// The delivery side of webhook_events.
class WebhookOutbox {
 public:
  WebhookOutbox(store::Store& store, WebhookConfig config);
  ~WebhookOutbox();
  WebhookOutbox(const WebhookOutbox&) = delete;
  WebhookOutbox& operator=(const WebhookOutbox&) = delete;

  /// Starts the delivery thread.
  void start();
  /// Stops and joins it (a request in flight is aborted).
  void stop();
  /// Wakes it (an event was queued).
  void poke() { worker_.poke(); }

  /// Delivers, on the calling thread, every event that is due and not held
  /// back by an earlier pending event of its call, repeating while deliveries
  /// unblock more. Returns when the next deliverable event is due (nullopt =
  /// none pending). Errors: database.
  Result<std::optional<std::chrono::system_clock::time_point>> deliver_due(std::stop_token stop = {});

 private:
  store::Store& store_;
  WebhookConfig config_;
  std::mt19937_64 rng_;
  DeliveryWorker worker_;
};

}  // namespace voqo::postcall
