// Deepgram live streaming over Boost.Beast WebSocket (RFC 6455), TLS by
// OpenSSL. All socket operations run on one I/O thread per connection (an
// implicit strand); the caller's thread only posts work to it and waits on a
// condition variable for results.
#include "speech/providers/deepgram_stt.hpp"

#include "core/call_usage.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/json_parse.hpp"
#include "speech/providers/provider_common.hpp"

namespace voqo::speech {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

Error io_error(std::string message) { return Error{ErrorCode::io, "deepgram: " + std::move(message), {}}; }

/// Where to connect: parsed from a ws:// or wss:// URL.
struct Endpoint {
  bool tls = false;
  std::string host, port, host_header, target;
};

Result<Endpoint> parse_endpoint(std::string_view url, std::string_view path_and_query) {
  Endpoint ep;
  if (url.starts_with("wss://")) {
    ep.tls = true;
    url.remove_prefix(6);
  } else if (url.starts_with("ws://")) {
    url.remove_prefix(5);
  } else {
    return std::unexpected(Error::invalid("baseUrl", "must start with wss:// or ws://"));
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (authority.empty()) return std::unexpected(Error::invalid("baseUrl", "has no host"));
  ep.host_header = std::string(authority);
  if (authority.front() == '[') {  // IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::unexpected(Error::invalid("baseUrl", "malformed IPv6 host"));
    ep.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') ep.port = std::string(authority.substr(close + 2));
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    ep.host = std::string(authority.substr(0, colon));
    ep.port = std::string(authority.substr(colon + 1));
  } else {
    ep.host = std::string(authority);
  }
  if (ep.port.empty()) ep.port = ep.tls ? "443" : "80";
  ep.target = std::string(prefix) + std::string(path_and_query);
  return ep;
}

/// Callbacks from the I/O thread.
struct WsEvents {
  std::function<void()> on_open;                    ///< handshake done (before connect() returns)
  std::function<void(std::string)> on_text;         ///< one text message
  std::function<void(std::string)> on_closed;       ///< once, after on_open, with a reason
};

/// A WebSocket client connection with its own I/O thread.
class WsClient {
 public:
  virtual ~WsClient() = default;
  /// Opens the connection; blocks up to ~timeout.
  virtual Result<void> connect(const Endpoint& ep, std::vector<std::pair<std::string, std::string>> headers,
                               std::chrono::milliseconds timeout) = 0;
  /// Queues one message (sent in order). Thread-safe, non-blocking.
  virtual void send(bool binary, std::string data) = 0;
  /// Sends a close frame once the queued messages are out. Thread-safe.
  virtual void close() = 0;
};

template <bool Tls>
class WsSession final : public WsClient {
  using Next = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  WsSession(ssl::context& tls, WsEvents events, std::string keepalive_text, std::chrono::milliseconds keepalive)
      : ws_(make_stream(ioc_, tls)),
        events_(std::move(events)),
        keepalive_text_(std::move(keepalive_text)),
        keepalive_interval_(keepalive) {}

  ~WsSession() override {
    if (!thread_.joinable()) return;
    close();
    (void)closed_future_.wait_for(std::chrono::seconds(1));
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  Result<void> connect(const Endpoint& ep, std::vector<std::pair<std::string, std::string>> headers,
                       std::chrono::milliseconds timeout) override {
    count_api_call();  // one streaming session = one request (its HTTP Upgrade), core/call_usage.hpp
    ep_ = ep;
    headers_ = std::move(headers);
    timeout_ = timeout;
    auto done = connect_promise_.get_future();
    thread_ = std::thread([this] { ioc_.run(); });
    asio::post(ioc_, [this] { start_resolve(); });
    if (done.wait_for(timeout + std::chrono::milliseconds(500)) != std::future_status::ready) {
      asio::post(ioc_, [this] {  // abandon whatever step is pending; it completes with an error
        resolver_.cancel();
        beast::get_lowest_layer(ws_).cancel();
        finish_connect(std::unexpected(io_error("connect to " + ep_.host_header + " timed out")));
      });
      (void)done.wait_for(std::chrono::seconds(2));
      return std::unexpected(io_error("connect to " + ep_.host_header + " timed out"));
    }
    return done.get();
  }

  void send(bool binary, std::string data) override {
    asio::post(ioc_, [this, binary, d = std::move(data)]() mutable {
      if (!open_ || closing_) return;
      outq_.emplace_back(binary, std::move(d));
      if (!writing_) do_write();
    });
  }

  void close() override {
    asio::post(ioc_, [this] {
      if (!open_) {
        mark_closed("not open");
        return;
      }
      closing_ = true;
      if (!writing_) do_close();
    });
  }

 private:
  static websocket::stream<Next> make_stream(asio::io_context& ioc, ssl::context& tls) {
    if constexpr (Tls) return websocket::stream<Next>(ioc, tls);
    else return websocket::stream<Next>(ioc);
  }

  void finish_connect(Result<void> r) {
    if (connect_done_) return;
    connect_done_ = true;
    if (!r) mark_closed(r.error().message);
    connect_promise_.set_value(std::move(r));
  }

  void start_resolve() {
    resolver_.async_resolve(ep_.host, ep_.port, [this](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec) return finish_connect(std::unexpected(io_error("resolve " + ep_.host + ": " + ec.message())));
      beast::get_lowest_layer(ws_).expires_after(timeout_);
      beast::get_lowest_layer(ws_).async_connect(results, [this](beast::error_code ec2, const tcp::endpoint&) {
        if (ec2) return finish_connect(std::unexpected(io_error("connect " + ep_.host_header + ": " + ec2.message())));
        if constexpr (Tls) {
          if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), ep_.host.c_str()))
            return finish_connect(std::unexpected(io_error("TLS: cannot set SNI host name")));
          ws_.next_layer().set_verify_mode(ssl::verify_peer);
          ws_.next_layer().set_verify_callback(ssl::host_name_verification(ep_.host));
          ws_.next_layer().async_handshake(ssl::stream_base::client, [this](beast::error_code ec3) {
            if (ec3) return finish_connect(std::unexpected(io_error("TLS handshake with " + ep_.host + ": " + ec3.message())));
            start_ws_handshake();
          });
        } else {
          start_ws_handshake();
        }
      });
    });
  }

  void start_ws_handshake() {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout opt{timeout_, websocket::stream_base::none(), false};
    ws_.set_option(opt);
    ws_.set_option(websocket::stream_base::decorator([headers = headers_](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    ws_.async_handshake(response_, ep_.host_header, ep_.target, [this](beast::error_code ec) {
      if (ec) {
        std::string why = ec.message();
        if (response_.result_int() != 0 && response_.result_int() != 101)
          why = "HTTP " + std::to_string(response_.result_int()) + " " + std::string(response_.reason()) +
                (response_.body().empty() ? "" : ": " + response_.body().substr(0, 200));
        return finish_connect(std::unexpected(io_error("WebSocket handshake with " + ep_.host_header + ": " + why)));
      }
      open_ = true;
      last_write_ = Clock::now();
      if (events_.on_open) events_.on_open();
      finish_connect(ok());
      do_read();
      arm_keepalive();
    });
  }

  void do_read() {
    ws_.async_read(rbuf_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        std::string why = ec.message();
        if (ec == websocket::error::closed)
          why = "closed by the server (code " + std::to_string(ws_.reason().code) + ")" +
                (ws_.reason().reason.empty() ? "" : ": " + std::string(ws_.reason().reason.data(), ws_.reason().reason.size()));
        return mark_closed(why);
      }
      if (ws_.got_text() && events_.on_text) events_.on_text(beast::buffers_to_string(rbuf_.data()));
      rbuf_.consume(rbuf_.size());
      do_read();
    });
  }

  void do_write() {
    writing_ = true;
    auto& [binary, data] = outq_.front();
    ws_.binary(binary);
    ws_.async_write(asio::buffer(data), [this](beast::error_code ec, std::size_t) {
      outq_.pop_front();
      last_write_ = Clock::now();
      if (ec) {
        writing_ = false;
        return mark_closed("write failed: " + ec.message());
      }
      if (!outq_.empty()) return do_write();
      writing_ = false;
      if (closing_) do_close();
    });
  }

  void do_close() {
    if (closed_ || close_sent_) return;
    close_sent_ = true;
    keepalive_.cancel();
    ws_.async_close(websocket::close_code::normal, [this](beast::error_code) { mark_closed("closed by the client"); });
  }

  void arm_keepalive() {
    if (keepalive_interval_.count() <= 0) return;
    keepalive_.expires_after(keepalive_interval_ / 4);
    keepalive_.async_wait([this](beast::error_code ec) {
      if (ec || closed_ || closing_) return;
      if (!writing_ && Clock::now() - last_write_ >= keepalive_interval_) {
        outq_.emplace_back(false, keepalive_text_);
        do_write();
      }
      arm_keepalive();
    });
  }

  void mark_closed(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    keepalive_.cancel();
    if (open_ && events_.on_closed) events_.on_closed(why);
    closed_promise_.set_value();
  }

  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{asio::make_work_guard(ioc_)};
  tcp::resolver resolver_{ioc_};
  websocket::stream<Next> ws_;
  asio::steady_timer keepalive_{ioc_};
  beast::flat_buffer rbuf_;
  websocket::response_type response_;
  WsEvents events_;
  std::string keepalive_text_;
  std::chrono::milliseconds keepalive_interval_;
  Endpoint ep_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::chrono::milliseconds timeout_{5000};
  std::promise<Result<void>> connect_promise_;
  std::promise<void> closed_promise_;
  std::future<void> closed_future_ = closed_promise_.get_future();
  std::thread thread_;
  // I/O-thread state.
  std::deque<std::pair<bool, std::string>> outq_;
  bool connect_done_ = false, open_ = false, writing_ = false, closing_ = false, close_sent_ = false, closed_ = false;
  Clock::time_point last_write_{};
};

/// One final segment of an utterance.
struct Segment {
  std::string text;
  double confidence = 0;
  double duration = 0;
};

}  // namespace

struct DeepgramStt::Impl {
  DeepgramConfig cfg;
  ssl::context tls{ssl::context::tls_client};
  std::unique_ptr<WsClient> link;  // touched by the caller's thread only

  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu (written by the I/O thread's callbacks).
  bool link_open = false;
  std::string link_error;
  bool utterance_open = false;
  bool finalizing = false, finalize_acked = false, final_after_finalize = false;
  Clock::time_point last_message{};
  std::vector<Segment> finals;
  std::string interim;
  double interim_confidence = 0;
  double utterance_start_s = 0;  // stream time of this utterance's first sample

  // Caller's thread only.
  uint64_t samples_sent = 0;  // on the current connection
  uint64_t utterance_samples = 0;
  std::chrono::microseconds processing{0};
  std::string raw_text;

  explicit Impl(DeepgramConfig c) : cfg(std::move(c)) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
  }

  std::string query() const {
    std::string q = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1&interim_results=true&punctuate=";
    q += cfg.punctuate ? "true" : "false";
    q += "&model=" + providers::url_encode(cfg.model);
    if (!cfg.language.empty()) q += "&language=" + providers::url_encode(cfg.language);
    return q;
  }

  // I/O thread: one text message from Deepgram.
  void on_text(const std::string& text) {
    const auto j = parse_json_or_discarded(text);
    if (!j.is_object()) return;
    const std::string type = j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
    std::lock_guard lock(mu);
    last_message = Clock::now();
    if (type == "Error") {
      link_error = j.dump();
      cv.notify_all();
      return;
    }
    if (!type.empty() && type != "Results") return;  // Metadata, SpeechStarted, UtteranceEnd
    const bool from_finalize = j.value("from_finalize", false);
    if (utterance_open && j.contains("channel") && j["channel"].is_object()) {
      const double start = j.contains("start") && j["start"].is_number() ? j["start"].get<double>() : -1;
      const double duration = j.contains("duration") && j["duration"].is_number() ? j["duration"].get<double>() : 0;
      const bool stale = start >= 0 && start + duration <= utterance_start_s + 1e-3 && start + duration > 0;
      const auto& alts = j["channel"].value("alternatives", nlohmann::json::array());
      if (!stale && alts.is_array() && !alts.empty() && alts[0].is_object()) {
        const auto& alt = alts[0];
        const std::string transcript = alt.contains("transcript") && alt["transcript"].is_string()
                                           ? alt["transcript"].get<std::string>()
                                           : "";
        const double confidence = alt.contains("confidence") && alt["confidence"].is_number() ? alt["confidence"].get<double>() : 0;
        if (j.value("is_final", false)) {
          if (!transcript.empty()) finals.push_back({transcript, confidence, duration});
          interim.clear();
          if (finalizing) final_after_finalize = true;
        } else {
          interim = transcript;
          interim_confidence = confidence;
        }
      }
    }
    if (from_finalize && finalizing) finalize_acked = true;
    cv.notify_all();
  }

  void on_closed(const std::string& why) {
    std::lock_guard lock(mu);
    link_open = false;
    if (link_error.empty()) link_error = why;
    cv.notify_all();
  }

  Result<void> ensure_link() {
    {
      std::lock_guard lock(mu);
      if (link && link_open) return ok();
    }
    link.reset();  // joins the old connection's thread (mu not held: its callbacks lock it)
    auto ep = parse_endpoint(cfg.base_url, query());
    if (!ep) return std::unexpected(ep.error());
    WsEvents events{
        [this] {
          std::lock_guard lock(mu);
          link_open = true;
          link_error.clear();
        },
        [this](std::string t) { on_text(t); },
        [this](std::string why) { on_closed(why); },
    };
    const std::string keepalive = R"({"type":"KeepAlive"})";
    if (ep->tls) link = std::make_unique<WsSession<true>>(tls, std::move(events), keepalive, cfg.keepalive_interval);
    else link = std::make_unique<WsSession<false>>(tls, std::move(events), keepalive, cfg.keepalive_interval);
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Token " + cfg.api_key},
                                                             {"User-Agent", "voqo"}};
    if (auto r = link->connect(*ep, std::move(headers), cfg.connect_timeout); !r) {
      link.reset();
      return r;
    }
    samples_sent = 0;  // stream time restarts with each connection
    return ok();
  }
};

DeepgramStt::DeepgramStt(DeepgramConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

DeepgramStt::~DeepgramStt() {
  if (impl_->link) {
    impl_->link->send(false, R"({"type":"CloseStream"})");
    impl_->link->close();
    impl_->link.reset();
  }
}

Result<void> DeepgramStt::begin_utterance(AudioFormat format) {
  if (format != kWideband) return std::unexpected(Error{ErrorCode::unsupported, "deepgram: audio must be 16 kHz mono", {}});
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->utterance_open) return std::unexpected(Error::conflict("utterance", "an utterance is already open"));
  }
  const auto t0 = Clock::now();
  if (auto r = impl_->ensure_link(); !r) return r;
  std::lock_guard lock(impl_->mu);
  impl_->utterance_open = true;
  impl_->finalizing = impl_->finalize_acked = impl_->final_after_finalize = false;
  impl_->finals.clear();
  impl_->interim.clear();
  impl_->utterance_start_s = static_cast<double>(impl_->samples_sent) / kWideband.sample_rate_hz;
  impl_->utterance_samples = 0;
  impl_->processing = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  return ok();
}

Result<void> DeepgramStt::accept(std::span<const int16_t> samples_16khz) {
  const auto t0 = Clock::now();
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->utterance_open) return std::unexpected(Error::conflict("utterance", "no utterance is open"));
    if (!impl_->link_open) {
      impl_->utterance_open = false;
      return std::unexpected(io_error("stream closed: " + impl_->link_error));
    }
  }
  if (samples_16khz.empty()) return ok();
  std::string bytes(samples_16khz.size() * 2, '\0');
  for (std::size_t i = 0; i < samples_16khz.size(); ++i) {  // s16le, whatever the host order
    const auto u = static_cast<uint16_t>(samples_16khz[i]);
    bytes[2 * i] = static_cast<char>(u & 0xFF);
    bytes[2 * i + 1] = static_cast<char>(u >> 8);
  }
  impl_->link->send(true, std::move(bytes));
  impl_->samples_sent += samples_16khz.size();
  impl_->utterance_samples += samples_16khz.size();
  impl_->processing += std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  return ok();
}

std::string DeepgramStt::partial() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->utterance_open) return {};
  std::string text;
  for (const auto& s : impl_->finals) text += s.text + " ";
  text += impl_->interim;
  return providers::normalize_transcript(text);
}

Result<Transcript> DeepgramStt::end_utterance() {
  const auto t0 = Clock::now();
  auto& d = *impl_;
  std::unique_lock lock(d.mu);
  if (!d.utterance_open) return std::unexpected(Error::conflict("utterance", "no utterance is open"));
  if (!d.link_open) {
    d.utterance_open = false;
    return std::unexpected(io_error("stream closed: " + d.link_error));
  }
  d.finalizing = true;
  d.finalize_acked = d.final_after_finalize = false;
  d.link->send(false, R"({"type":"Finalize"})");
  const auto deadline = t0 + d.cfg.finalize_timeout;
  for (;;) {
    if (d.finalize_acked || !d.link_open) break;
    const auto now = Clock::now();
    if (now >= deadline) break;
    if (d.final_after_finalize && now - d.last_message >= d.cfg.finalize_settle) break;
    auto wake = deadline;
    if (d.final_after_finalize) wake = std::min(wake, d.last_message + d.cfg.finalize_settle);
    d.cv.wait_until(lock, wake);
  }
  Transcript out;
  std::string raw;
  double weighted = 0, weight = 0;
  for (const auto& s : d.finals) {
    raw += (raw.empty() ? "" : " ") + s.text;
    const double w = s.duration > 0 ? s.duration : 1.0;
    weighted += w * s.confidence;
    weight += w;
  }
  if (raw.empty() && !d.interim.empty()) {  // never finalised in time
    raw = d.interim;
    weighted = d.interim_confidence;
    weight = 1;
  }
  out.text = providers::normalize_transcript(raw);
  out.confidence = out.text.empty() || weight <= 0 ? 0.0 : weighted / weight;
  out.audio_duration = std::chrono::milliseconds(static_cast<int64_t>(d.utterance_samples) * 1000 / kWideband.sample_rate_hz);
  d.raw_text = std::move(raw);
  d.utterance_open = d.finalizing = false;
  d.finals.clear();
  d.interim.clear();
  d.processing += std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  out.processing_time = d.processing;
  return out;
}

std::string DeepgramStt::raw_text() const {
  std::lock_guard lock(impl_->mu);
  return impl_->raw_text;
}

}  // namespace voqo::speech
