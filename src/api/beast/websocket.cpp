// The realtime and audio WebSockets (Boost.Beast websocket).
#include "api/beast/websocket.hpp"

#include <span>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "api/beast/push_connection.hpp"
#include "calls/supervisor.hpp"

namespace voqo::api::transport {

namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

/// A WebSocket connection: the realtime protocol (text frames to and from a
/// hub Session) or a supervisor's audio leg (binary PCM frames).
class WsConnection final : public PushConnection {
 public:
  WsConnection(ServerState& srv, beast::tcp_stream&& stream, std::shared_ptr<calls::SupervisorAudio> audio)
      : PushConnection(srv, stream.get_executor()), ws_(std::move(stream)), audio_(std::move(audio)) {}
  ~WsConnection() override {
    if (audio_) audio_->leave();
  }

  void start(http::request<http::empty_body> req) {
    register_self();
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(30);
    t.idle_timeout = std::chrono::seconds(std::max(srv_.config.idle_timeout_s, 10u));
    t.keep_alive_pings = true;  // a ping at half the idle time keeps live clients open
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "voqo"); }));
    // The message cap is ours, not Beast's read_message_max: Beast 1.81 refuses an
    // oversized message with 1009 and then closes the socket with the rest of the
    // message unread (its teardown stops draining after one read), so the kernel
    // answers with RST and the client often never sees the 1009. Ours closes through
    // async_close, which discards the rest of the message and waits for the peer's
    // close frame (RFC 6455 §7.1.1).
    max_message_ = audio_ ? 64 * 1024 : srv_.rt.hub->limits().max_message_bytes;
    ws_.read_message_max(0);
    ws_.async_accept(req, [self = self()](beast::error_code ec) { self->on_accept(ec); });
  }

 private:
  std::shared_ptr<WsConnection> self() { return std::static_pointer_cast<WsConnection>(shared_from_this()); }

  void on_accept(beast::error_code ec) {
    if (ec) {
      teardown();
      return;
    }
    if (audio_) {
      const std::size_t cap = srv_.rt.max_audio_queued_bytes;
      audio_->set_listener([out = out_, cap](std::span<const int16_t> pcm) {
        std::string bytes(pcm.size() * 2, '\0');
        for (std::size_t i = 0; i < pcm.size(); ++i) {  // little-endian on the wire
          const auto v = static_cast<uint16_t>(pcm[i]);
          bytes[2 * i] = static_cast<char>(v & 0xff);
          bytes[2 * i + 1] = static_cast<char>(v >> 8);
        }
        out->push(Outbox::Item{std::move(bytes), true, 0, false}, cap);
      });
    } else {
      hub_ = open_hub_session([](std::string&& text) { return std::move(text); }, false);
    }
    start_revalidation();
    read_next();
  }

  /// Reads the next message piecewise, so that one larger than max_message_ is
  /// refused (1009, RFC 6455 §7.4.1) once that many bytes arrived, not buffered.
  void read_next() {
    const std::size_t room = max_message_ + 1 - std::min(rbuf_.size(), max_message_);
    ws_.async_read_some(rbuf_, std::min<std::size_t>(room, 16 * 1024),
                        [self = self()](beast::error_code ec, std::size_t) { self->on_read_some(ec); });
  }

  void on_read_some(beast::error_code ec) {
    if (ec) {  // peer closed, timeout, or we tore down
      teardown();
      return;
    }
    if (rbuf_.size() > max_message_) {
      rbuf_.consume(rbuf_.size());
      return refuse(websocket::close_code::too_big,
                    "a message may hold at most " + std::to_string(max_message_) + " bytes");
    }
    if (!ws_.is_message_done()) return read_next();
    on_message();
  }

  /// A whole message is in rbuf_.
  void on_message() {
    if (audio_) {
      if (ws_.got_text()) return refuse(websocket::close_code::bad_payload, "send binary PCM frames");
      const auto data = rbuf_.data();
      const std::size_t n = data.size();
      if (n % 2) return refuse(websocket::close_code::bad_payload, "PCM frames hold whole 16-bit samples");
      pcm_.resize(n / 2);
      const auto* p = static_cast<const unsigned char*>(data.data());
      for (std::size_t i = 0; i < pcm_.size(); ++i) {
        pcm_[i] = static_cast<int16_t>(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      }
      rbuf_.consume(n);
      if (!pcm_.empty()) audio_->speak(pcm_);
      read_next();
      return;
    }
    if (!ws_.got_text()) return refuse(websocket::close_code::unknown_data, "binary frames are not accepted here");
    std::string text = beast::buffers_to_string(rbuf_.data());
    rbuf_.consume(rbuf_.size());
    // on_message may read the store (a snapshot): on a worker, one at a time.
    net::post(*srv_.workers, [self = self(), text = std::move(text)] {
      self->hub_->on_message(text);
      net::post(self->exec_, [self] {
        if (!self->torn_) self->read_next();
      });
    });
  }

  void refuse(websocket::close_code code, std::string reason) {
    request_close(static_cast<int>(code), std::move(reason));
  }

  void do_write() override {
    ws_.binary(current_.binary);
    ws_.async_write(net::buffer(current_.data),
                    [self = self()](beast::error_code ec, std::size_t) { self->on_written(ec); });
  }

  void finish() override {
    if (torn_) return;
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_), close_text_),
                    [self = self()](beast::error_code) { self->teardown(); });
  }

  void shut() override {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

  void on_teardown() override {
    if (audio_) {
      audio_->set_listener({});
      audio_->leave();
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer rbuf_;
  std::size_t max_message_ = 0;  // bytes in one message, see start()
  std::shared_ptr<calls::SupervisorAudio> audio_;
  std::vector<int16_t> pcm_;
};

}  // namespace

void start_websocket(ServerState& srv, beast::tcp_stream&& stream, http::request<http::empty_body>&& req,
                     std::shared_ptr<const Principal> principal, std::shared_ptr<calls::SupervisorAudio> audio) {
  auto conn = std::make_shared<WsConnection>(srv, std::move(stream), std::move(audio));
  conn->set_principal(std::move(principal));
  conn->start(std::move(req));
}

}  // namespace voqo::api::transport
