// Follow-up SMS: the outbox and Twilio senders and the sms_messages sending loop.
#include "postcall/sms.hpp"

#include <map>

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/json_parse.hpp"
#include "core/time.hpp"
#include "net/http_client.hpp"

namespace voqo::postcall {
namespace {

using Clock = std::chrono::system_clock;

std::string base64(std::string_view in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string percent_encode(std::string_view s, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' || c == '-' ||
        c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string string_field(const nlohmann::json& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// Delay before attempt `n` (n ≥ 2): min(max, base·2^(n-2)).
std::chrono::milliseconds sms_backoff(int n, const SmsOutboxConfig& c) {
  if (n < 2) return std::chrono::milliseconds(0);
  const int shift = std::min(n - 2, 30);
  const auto grown = c.backoff_base.count() * (int64_t{1} << shift);
  return std::chrono::milliseconds(std::min<int64_t>(grown, c.backoff_max.count()));
}

struct QueuedSms {
  std::string id, call_id, to, from, body, workspace_id;
  int attempts = 0;
  Clock::time_point due;
};

Result<std::vector<QueuedSms>> queued(store::Database& db, const SmsOutboxConfig& config) {
  return db.read([&](store::Connection& c) -> Result<std::vector<QueuedSms>> {
    auto st = c.prepare(
        "SELECT id, call_id, to_phone, from_phone, body, attempts, updated_at, workspace_id FROM sms_messages "
        "WHERE status = 'queued' ORDER BY created_at, id LIMIT 500");
    if (!st) return std::unexpected(st.error());
    std::vector<QueuedSms> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto& s = **st;
      QueuedSms q{std::string(s.column_text(0)), std::string(s.column_text(1)), std::string(s.column_text(2)),
                  std::string(s.column_text(3)), std::string(s.column_text(4)), std::string(s.column_text(7)),
                  static_cast<int>(s.column_int(5)), {}};
      const auto updated = parse_iso8601(s.column_text(6)).value_or(Clock::now());
      q.due = q.attempts == 0 ? updated : updated + sms_backoff(q.attempts + 1, config);
      out.push_back(std::move(q));
    }
    return out;
  });
}

Result<void> record(store::Database& db, const QueuedSms& q, const SmsSendResult& r, std::string_view provider,
                    int max_attempts) {
  return db.write([&](store::Connection& c) -> Result<void> {
    const std::string now = now_iso8601();
    if (r.kind == SmsSendResult::Kind::sent) {
      auto st = c.prepare(
          "UPDATE sms_messages SET status = 'sent', provider = ?, provider_message_id = ?, "
          "from_phone = coalesce(?, from_phone), attempts = attempts + 1, sent_at = ?, error_message = NULL, "
          "updated_at = ? WHERE id = ? AND status = 'queued'");
      if (!st) return std::unexpected(st.error());
      auto& s = **st;
      s.bind_text(1, provider);
      if (r.provider_message_id.empty()) s.bind_null(2);
      else s.bind_text(2, r.provider_message_id);
      if (r.from.empty()) s.bind_null(3);
      else s.bind_text(3, r.from);
      s.bind_text(4, now);
      s.bind_text(5, now);
      s.bind_text(6, q.id);
      if (auto done = s.step(); !done) return std::unexpected(done.error());
      if (q.call_id.empty()) return {};
      auto call = c.prepare("UPDATE calls SET sms_sent = 1, sms_sent_at = ? WHERE id = ?");
      if (!call) return std::unexpected(call.error());
      (*call)->bind_text(1, now);
      (*call)->bind_text(2, q.call_id);
      if (auto done = (*call)->step(); !done) return std::unexpected(done.error());
      return {};
    }
    const bool give_up = r.kind == SmsSendResult::Kind::failed || q.attempts + 1 >= max_attempts;
    std::string error = r.error;
    if (r.kind == SmsSendResult::Kind::retry && give_up)
      error = "gave up after " + std::to_string(q.attempts + 1) + " attempts: " + r.error;
    auto st = c.prepare(
        "UPDATE sms_messages SET status = ?, provider = ?, attempts = attempts + 1, error_message = ?, updated_at = ? "
        "WHERE id = ? AND status = 'queued'");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, give_up ? "failed" : "queued");
    s.bind_text(2, provider);
    s.bind_text(3, error);
    s.bind_text(4, now);
    s.bind_text(5, q.id);
    if (auto done = s.step(); !done) return std::unexpected(done.error());
    return {};
  });
}

/// A sender that refuses everything with a configuration error (final).
class MisconfiguredSender final : public SmsSender {
 public:
  MisconfiguredSender(std::string provider, std::string error)
      : provider_(std::move(provider)), error_(std::move(error)) {}
  [[nodiscard]] std::string_view provider() const override { return provider_; }
  SmsSendResult send(const SmsRequest&, std::stop_token) override {
    SmsSendResult r;
    r.kind = SmsSendResult::Kind::failed;
    r.error = error_;
    return r;
  }

 private:
  std::string provider_, error_;
};

}  // namespace

SmsSendResult OutboxSmsSender::send(const SmsRequest& request, std::stop_token) {
  SmsSendResult r;
  r.kind = SmsSendResult::Kind::sent;
  r.provider_status = "sent";
  r.from = request.from;
  return r;
}

std::string TwilioSmsSender::messages_url() const {
  std::string base = config_.base_url.empty() ? std::string("https://api.twilio.com") : config_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/2010-04-01/Accounts/" + percent_encode(config_.account_sid, false) + "/Messages.json";
}

SmsSendResult TwilioSmsSender::send(const SmsRequest& request, std::stop_token stop) {
  SmsSendResult r;
  const std::string from = config_.from.empty() ? request.from : config_.from;
  net::HttpRequest http;
  http.method = "POST";
  http.url = messages_url();
  http.timeout = config_.timeout;
  http.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
  http.headers = {{"Authorization", "Basic " + base64(config_.account_sid + ":" + config_.auth_token)},
                  {"Content-Type", "application/x-www-form-urlencoded"},
                  {"Accept", "application/json"}};
  http.body = form_urlencode({{"To", request.to}, {"From", from}, {"Body", request.body}});
  auto response = net::perform(http, {}, stop);
  if (!response) {
    // A URL the client refuses is a configuration error: retrying cannot help.
    r.kind = response.error().code == ErrorCode::io ? SmsSendResult::Kind::retry : SmsSendResult::Kind::failed;
    r.error = "Twilio request failed: " + response.error().message;
    return r;
  }
  r.http_status = response->status;
  const auto body = parse_json_or_discarded(response->body);
  if (response->status >= 200 && response->status < 300) {
    r.provider_message_id = string_field(body, "sid");
    r.provider_status = string_field(body, "status");
    if (r.provider_message_id.empty()) {
      // Accepted but unreadable: sending again could text the person twice.
      r.kind = SmsSendResult::Kind::failed;
      r.error = "Twilio answered " + std::to_string(response->status) + " without a message sid";
      return r;
    }
    if (r.provider_status == "failed" || r.provider_status == "undelivered" || r.provider_status == "canceled") {
      r.kind = SmsSendResult::Kind::failed;
      const std::string why = string_field(body, "error_message");
      r.error = "Twilio message " + r.provider_status + (why.empty() ? "" : ": " + why);
      return r;
    }
    r.kind = SmsSendResult::Kind::sent;
    r.from = string_field(body, "from").empty() ? from : string_field(body, "from");
    return r;
  }
  const bool transient = response->status == 429 || response->status >= 500;
  r.kind = transient ? SmsSendResult::Kind::retry : SmsSendResult::Kind::failed;
  std::string message = string_field(body, "message");
  if (body.is_object() && body.contains("code") && !body["code"].is_null()) {
    const std::string code = body["code"].is_number() ? std::to_string(body["code"].get<int64_t>()) : body["code"].dump();
    r.error = "Twilio error " + code + ": " + (message.empty() ? "HTTP " + std::to_string(response->status) : message);
    if (const auto more = string_field(body, "more_info"); !more.empty()) r.error += " (" + more + ")";
  } else {
    r.error = "Twilio answered HTTP " + std::to_string(response->status) + (message.empty() ? "" : ": " + message);
  }
  return r;
}

Result<std::unique_ptr<SmsSender>> make_sms_sender(const model::SmsProviderSettings& setting) {
  const std::string& provider = setting.provider;
  if (provider == "outbox") return std::unique_ptr<SmsSender>(std::make_unique<OutboxSmsSender>());
  if (provider != "twilio")
    return std::unexpected(Error::invalid("sms_provider.provider", "must be outbox or twilio, not '" + provider + "'"));
  const model::TwilioSettings& t = setting.twilio;
  TwilioConfig c;
  c.account_sid = t.account_sid;
  c.auth_token = t.auth_token;
  c.from = t.from;
  if (!t.base_url.empty()) c.base_url = t.base_url;
  for (auto [value, name] : {std::pair{&c.account_sid, "accountSid"}, {&c.auth_token, "authToken"}, {&c.from, "from"}})
    if (value->empty())
      return std::unexpected(
          Error::invalid(std::string("sms_provider.twilio.") + name, "is required when provider is twilio"));
  return std::unique_ptr<SmsSender>(std::make_unique<TwilioSmsSender>(std::move(c)));
}

std::string form_urlencode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name, true);
    out += '=';
    out += percent_encode(value, true);
  }
  return out;
}

std::string render_sms_template(std::string_view tmpl, std::string_view caller_name, std::string_view call_summary,
                                std::string_view agent_name, std::size_t max_chars) {
  const std::pair<std::string_view, std::string_view> vars[] = {
      {"{caller_name}", caller_name}, {"{call_summary}", call_summary}, {"{agent_name}", agent_name}};
  std::string out;
  out.reserve(tmpl.size() + call_summary.size());
  for (std::size_t i = 0; i < tmpl.size();) {
    bool replaced = false;
    if (tmpl[i] == '{')
      for (const auto& [name, value] : vars)
        if (tmpl.substr(i, name.size()) == name) {
          out += value;
          i += name.size();
          replaced = true;
          break;
        }
    if (!replaced) out += tmpl[i++];
  }
  // Cut at a code-point boundary (bytes that are not UTF-8 continuation bytes).
  std::size_t points = 0, cut = std::string::npos;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if ((static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue;
    if (points == (max_chars > 0 ? max_chars - 1 : 0)) cut = i;
    if (++points > max_chars) {
      out.resize(cut);
      out += "\u2026";
      break;
    }
  }
  return out;
}

SmsOutbox::SmsOutbox(store::Store& store, SmsOutboxConfig config) : store_(store), config_(config) {}

SmsOutbox::~SmsOutbox() { stop(); }

void SmsOutbox::start() {
  worker_.start("sms outbox", [this](std::stop_token st) -> std::optional<Clock::time_point> {
    auto next = run_due(st);
    if (!next) {
      spdlog::error("sms outbox: {}", next.error().message);
      return Clock::now() + std::chrono::seconds(5);
    }
    return *next;
  });
}

void SmsOutbox::stop() { worker_.stop(); }

Result<std::optional<Clock::time_point>> SmsOutbox::run_due(std::stop_token stop) {
  auto rows = queued(store_.db(), config_);
  if (!rows) return std::unexpected(rows.error());
  std::optional<Clock::time_point> next;
  // Each workspace sends through its own provider and credentials.
  std::map<std::string, std::unique_ptr<SmsSender>> senders;
  for (const auto& q : *rows) {
    if (stop.stop_requested()) return next;
    const auto now = Clock::now();
    if (q.due > now) {
      next = next ? std::min(*next, q.due) : q.due;
      continue;
    }
    auto& sender = senders[q.workspace_id];
    if (!sender) {
      auto settings = store_.settings().snapshot(WorkspaceId(q.workspace_id));
      if (!settings) return std::unexpected(settings.error());
      auto made = make_sms_sender(settings->sms_provider);
      if (made) sender = std::move(*made);
      else
        sender = std::make_unique<MisconfiguredSender>(settings->sms_provider.provider == "twilio" ? "twilio" : "outbox",
                                                       "sms_provider setting: " + made.error().message);
    }
    const auto result = sender->send({q.to, q.from, q.body}, stop);
    if (result.kind != SmsSendResult::Kind::sent)
      spdlog::warn("sms {} (call {}): {}", q.id, q.call_id, result.error);
    if (auto ok = record(store_.db(), q, result, sender->provider(), config_.max_attempts); !ok)
      return std::unexpected(ok.error());
    if (result.kind == SmsSendResult::Kind::retry && q.attempts + 1 < config_.max_attempts) {
      const auto due = Clock::now() + sms_backoff(q.attempts + 2, config_);
      next = next ? std::min(*next, due) : due;
    }
  }
  return next;
}

}  // namespace voqo::postcall
