// A blocking WebSocket client for tests (see ws_client.hpp).
#include "support/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace voqo::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buf;
  bool reading = false;      // an async_read is pending
  bool read_done = false;    // ... and has completed
  beast::error_code read_ec;
  bool is_closed = false;
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() {
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

int WsClient::connect(uint16_t port, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  Impl& m = *impl_;
  beast::error_code ec;
  m.ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  m.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  m.ws.read_message_max(64u << 20);
  websocket::response_type res;
  m.ws.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
  if (ec) {
    m.is_closed = true;
    // Boost 1.74's handshake leaves `res` empty when the server declines:
    // ask again as plain HTTP (same upgrade headers) to learn the status.
    tcp::socket s(m.ioc);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return -1;
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
    req.set(beast::http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(beast::http::field::upgrade, "websocket");
    req.set(beast::http::field::connection, "Upgrade");
    req.set(beast::http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(beast::http::field::sec_websocket_version, "13");
    for (const auto& [k, v] : headers) req.set(k, v);
    beast::http::write(s, req, ec);
    beast::flat_buffer b;
    beast::http::response<beast::http::string_body> r;
    if (!ec) beast::http::read(s, b, r, ec);
    return ec ? -1 : static_cast<int>(r.result_int());
  }
  return static_cast<int>(res.result_int());
}

bool WsClient::send_text(const std::string& text) {
  beast::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(net::buffer(text), ec);
  return !ec;
}

bool WsClient::send_binary(const std::string& bytes) {
  beast::error_code ec;
  impl_->ws.binary(true);
  impl_->ws.write(net::buffer(bytes), ec);
  return !ec;
}

std::optional<WsMessage> WsClient::read(std::chrono::milliseconds timeout) {
  Impl& m = *impl_;
  if (m.is_closed) return std::nullopt;
  if (!m.reading) {
    m.reading = true;
    m.read_done = false;
    m.ws.async_read(m.buf, [&m](beast::error_code ec, std::size_t) {
      m.read_ec = ec;
      m.read_done = true;
    });
  }
  m.ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!m.read_done && std::chrono::steady_clock::now() < deadline) {
    m.ioc.run_one_until(deadline);
  }
  if (!m.read_done) return std::nullopt;
  m.reading = false;
  if (m.read_ec) {
    m.is_closed = true;
    return std::nullopt;
  }
  WsMessage out{!m.ws.got_text(), beast::buffers_to_string(m.buf.data())};
  m.buf.consume(m.buf.size());
  return out;
}

void WsClient::close() {
  Impl& m = *impl_;
  if (m.is_closed) return;
  beast::error_code ec;
  if (m.reading) {
    // A read is pending: let it see the server's answer to our close frame.
    m.ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
    m.ioc.restart();
    m.ioc.run_for(std::chrono::seconds(2));
  } else {
    m.ws.close(websocket::close_code::normal, ec);
  }
  m.is_closed = true;
}

bool WsClient::closed() const { return impl_->is_closed; }
bool WsClient::closed_cleanly() const { return impl_->is_closed && impl_->read_ec == websocket::error::closed; }
int WsClient::close_code() const { return static_cast<int>(impl_->ws.reason().code); }
std::string WsClient::close_reason() const { return std::string(impl_->ws.reason().reason.c_str()); }

void WsClient::set_receive_buffer(int bytes) {
  beast::error_code ec;
  impl_->ws.next_layer().set_option(net::socket_base::receive_buffer_size(bytes), ec);
}

}  // namespace voqo::test
