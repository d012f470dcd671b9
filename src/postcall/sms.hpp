#pragma once
/// Follow-up SMS (issue 4 §5): the senders and the sms_messages outbox.
///
/// The outcome loop writes one sms_messages row per call (status "queued",
/// or "skipped" with the reason). SmsOutbox sends queued rows on its own
/// thread through the SmsSender the `sms_provider` setting names:
///  - "outbox" (default, embedded): nothing leaves the machine; the row is
///    marked sent (provider "outbox", sent_at set) and the API lists it;
///  - "twilio": Twilio's Messages API (POST /2010-04-01/Accounts/{AccountSid}/
///    Messages.json, form-encoded To/From/Body, HTTP Basic AccountSid:AuthToken;
///    https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
/// On "sent" the call's calls.sms_sent / sms_sent_at are set in the same
/// transaction. Network errors, 429 and 5xx are retried (attempt n ≥ 2 waits
/// min(max, base·2^(n-2)) after the previous one) up to max_attempts, then
/// the row is "failed"; any other answer is final.
#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/settings_snapshot.hpp"
#include "postcall/delivery_worker.hpp"
#include "store/store.hpp"

namespace voqo::postcall {

/// One message to send.
struct SmsRequest {
  std::string to;    ///< E.164
  std::string from;  ///< our number as recorded at queue time (Twilio sends from its configured `from`)
  std::string body;
};

/// What a send attempt came to.
struct SmsSendResult {
  enum class Kind {
    sent,    ///< the provider accepted it
    failed,  ///< final: the provider refused it (bad number, bad credentials, ...)
    retry,   ///< transient: network, 429, 5xx; try again later
  };
  Kind kind = Kind::failed;
  std::string provider_message_id;  ///< Twilio's SID ("SM…"); "" for the outbox
  std::string provider_status;      ///< Twilio's status ("queued", "accepted", ...)
  std::string from;                 ///< sender actually used ("" = unchanged)
  std::string error;                ///< why, for failed / retry
  std::optional<int> http_status;   ///< the provider's HTTP status, when one came back
};

/// Sends one SMS. Implementations are called from the SMS thread only.
class SmsSender {
 public:
  virtual ~SmsSender() = default;
  /// "outbox" or "twilio" (the sms_messages.provider value).
  [[nodiscard]] virtual std::string_view provider() const = 0;
  /// One attempt. `stop` aborts a request in flight (result: retry).
  virtual SmsSendResult send(const SmsRequest& request, std::stop_token stop = {}) = 0;
};

/// The embedded outbox: every message is "sent" at once (kept in
/// sms_messages for the API; no network).
class OutboxSmsSender final : public SmsSender {
 public:
  [[nodiscard]] std::string_view provider() const override { return "outbox"; }
  SmsSendResult send(const SmsRequest& request, std::stop_token stop = {}) override;
};

/// Twilio account settings (`sms_provider.twilio`).
struct TwilioConfig {
  std::string account_sid;  ///< "AC…", the Basic-auth user and part of the path
  std::string auth_token;   ///< the Basic-auth password
  std::string from;         ///< a Twilio number (E.164) or alphanumeric sender id
  std::string base_url = "https://api.twilio.com";  ///< no trailing path; tests point it at a local server
  std::chrono::milliseconds timeout{15000};
};

/// Twilio Messages API client (one POST per send).
///  - 2xx with JSON {"sid", "status"}: sent (status failed/undelivered: failed
///    with the body's error_message);
///  - Twilio's error JSON {"code", "message", "more_info", "status"} on
///    4xx (except 429): failed, error "Twilio error <code>: <message> (<more_info>)";
///  - 429, 5xx, DNS/connect/TLS/timeout: retry.
class TwilioSmsSender final : public SmsSender {
 public:
  explicit TwilioSmsSender(TwilioConfig config) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view provider() const override { return "twilio"; }
  SmsSendResult send(const SmsRequest& request, std::stop_token stop = {}) override;
  /// The request URL: base_url + "/2010-04-01/Accounts/{AccountSid}/Messages.json".
  [[nodiscard]] std::string messages_url() const;

 private:
  TwilioConfig config_;
};

/// The sender the `sms_provider` setting names (model::SmsProviderSettings:
/// provider outbox|twilio, twilio {account_sid, auth_token, from, base_url}).
/// Errors: invalid_argument naming the missing or unknown field by its
/// setting path (e.g. "sms_provider.twilio.accountSid").
Result<std::unique_ptr<SmsSender>> make_sms_sender(const model::SmsProviderSettings& sms_provider);

/// application/x-www-form-urlencoded serialisation (WHATWG URL Standard §5.2:
/// ASCII alphanumerics and *-._ kept, space → '+', every other byte %XX).
std::string form_urlencode(const std::vector<std::pair<std::string, std::string>>& fields);

/// Fills the sms_template variables {caller_name}, {call_summary} and
/// {agent_name} (every occurrence; unknown {names} are left as written) and
/// cuts the result to `max_chars` Unicode code points (Twilio's Body limit is
/// 1600), ending a cut body with "…".
std::string render_sms_template(std::string_view tmpl, std::string_view caller_name, std::string_view call_summary,
                                std::string_view agent_name, std::size_t max_chars = 1600);

/// Retry schedule of the SMS outbox.
struct SmsOutboxConfig {
  int max_attempts = 5;
  std::chrono::milliseconds backoff_base{5000};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(5)};
};

/// The delivery side of sms_messages: a thread that sends queued rows.
class SmsOutbox {
 public:
  SmsOutbox(store::Store& store, SmsOutboxConfig config);
  ~SmsOutbox();
  SmsOutbox(const SmsOutbox&) = delete;
  SmsOutbox& operator=(const SmsOutbox&) = delete;

  /// Starts the sending thread.
  void start();
  /// Stops and joins it.
  void stop();
  /// Wakes it (a row was queued).
  void poke() { worker_.poke(); }

  /// One pass on the calling thread: sends every queued row that is due.
  /// Returns when the next queued row is due (nullopt = none queued).
  /// Errors: database.
  Result<std::optional<std::chrono::system_clock::time_point>> run_due(std::stop_token stop = {});

 private:
  store::Store& store_;
  SmsOutboxConfig config_;
  DeliveryWorker worker_;
};

}  // namespace voqo::postcall
