// Server-Sent Events (Boost.Beast tcp_stream).
#include "api/beast/sse.hpp"

#include <array>

#include <boost/asio/write.hpp>

#include "api/beast/push_connection.hpp"

namespace voqo::api::transport {

namespace {

/// A Server-Sent Events stream of one subscription (WHATWG HTML §9.2): each
/// hub message becomes `id: <seq>`, `event: <type>`, `data: <json>`. The body
/// is close-delimited (RFC 9112 §6.3); an error event ends the stream.
class SseConnection final : public PushConnection {
 public:
  SseConnection(ServerState& srv, beast::tcp_stream&& stream)
      : PushConnection(srv, stream.get_executor()), stream_(std::move(stream)), heartbeat_(exec_) {}

  void start(std::string subscribe) {
    register_self();
    stream_.expires_never();
    out_->push(Outbox::Item{std::string("HTTP/1.1 200 OK\r\nServer: voqo\r\nContent-Type: text/event-stream\r\n"
                                        "Cache-Control: no-cache\r\nConnection: close\r\n"
                                        "X-Accel-Buffering: no\r\n\r\nretry: 2000\n\n"),
                            false, 0, false});
    hub_ = open_hub_session([](std::string&& text) { return to_event(text); }, true);
    net::post(*srv_.workers, [self = self(), subscribe = std::move(subscribe)] { self->hub_->on_message(subscribe); });
    start_revalidation();
    read_some();
    tick();
  }

  /// `{"seq":N,"type":"T",...}` → `id: N\nevent: T\ndata: {...}\n\n` (the hub
  /// begins every message so; its JSON has no raw newlines).
  static std::string to_event(const std::string& text) {
    std::string_view v(text);
    std::string_view seq, type;
    if (v.starts_with("{\"seq\":")) {
      auto rest = v.substr(7);
      seq = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), seq.size() + 9));  // ,"type":"
      type = rest.substr(0, rest.find('"'));
    }
    std::string out;
    out.reserve(text.size() + seq.size() + type.size() + 24);
    out.append("id: ").append(seq).append("\nevent: ").append(type).append("\ndata: ").append(text).append("\n\n");
    return out;
  }

 private:
  std::shared_ptr<SseConnection> self() { return std::static_pointer_cast<SseConnection>(shared_from_this()); }

  /// Reads (and discards) until the client goes away.
  void read_some() {
    stream_.async_read_some(net::buffer(sink_), [self = self()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->teardown();
        return;
      }
      self->read_some();
    });
  }

  void tick() {
    heartbeat_.expires_after(srv_.rt.sse_heartbeat);
    heartbeat_.async_wait([self = self()](beast::error_code ec) {
      if (ec || self->torn_) return;
      bool busy = false;
      {
        std::lock_guard lk(self->out_->mu);
        busy = !self->out_->q.empty();  // busy streams need no heartbeat
      }
      if (!busy) self->out_->push(Outbox::Item{": keep-alive\n\n", false, 0, false});
      self->tick();
    });
  }

  void do_write() override {
    net::async_write(stream_, net::buffer(current_.data),
                     [self = self()](beast::error_code ec, std::size_t) { self->on_written(ec); });
  }

  void finish() override {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    teardown();
  }

  void shut() override {
    heartbeat_.cancel();
    stream_.close();
  }

  beast::tcp_stream stream_;
  net::steady_timer heartbeat_;
  std::array<char, 512> sink_{};
};

}  // namespace

void start_sse_stream(ServerState& srv, beast::tcp_stream&& stream, std::shared_ptr<const Principal> principal,
                      std::string subscribe) {
  auto conn = std::make_shared<SseConnection>(srv, std::move(stream));
  conn->set_principal(std::move(principal));
  conn->start(std::move(subscribe));
}

}  // namespace voqo::api::transport
