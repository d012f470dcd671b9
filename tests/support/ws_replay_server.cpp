// WsReplayServer: Boost.Beast WebSocket server, all I/O on one thread.
#include "support/ws_replay_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <stdexcept>

namespace voqo::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string WsConnectionRecord::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : headers)
    if (k == key) return v;
  return {};
}

struct WsReplayServer::Impl {
  struct Conn {
    explicit Conn(tcp::socket s) : ws(std::move(s)) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    std::size_t index = 0;  // into records
    std::size_t binary_frames = 0;
    std::deque<std::string> outq;
    bool writing = false, close_after_writes = false;
  };

  std::vector<WsScriptStep> script;
  int reject_status = 0;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<WsConnectionRecord> records;  // guarded by mu
  std::size_t next_step = 0;                // I/O thread only

  void do_accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed
      auto c = std::make_shared<Conn>(std::move(socket));
      http::async_read(c->ws.next_layer(), c->buffer, c->request, [this, c](beast::error_code ec2, std::size_t) {
        if (!ec2) on_upgrade(c);
      });
      do_accept();
    });
  }

  void on_upgrade(const std::shared_ptr<Conn>& c) {
    {
      std::lock_guard lock(mu);
      WsConnectionRecord rec;
      rec.target = std::string(c->request.target());
      for (const auto& f : c->request) rec.headers.emplace_back(lower(std::string_view(f.name_string().data(), f.name_string().size())), std::string(f.value()));
      c->index = records.size();
      records.push_back(std::move(rec));
    }
    cv.notify_all();
    if (reject_status != 0 || !websocket::is_upgrade(c->request)) {
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(reject_status != 0 ? reject_status : 400), 11);
      res->set(http::field::content_type, "application/json");
      res->body() = R"({"err_code":"REJECTED","err_msg":"rejected by WsReplayServer"})";
      res->prepare_payload();
      http::async_write(c->ws.next_layer(), *res, [c, res](beast::error_code, std::size_t) {
        beast::error_code ignored;
        c->ws.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
      return;
    }
    c->ws.async_accept(c->request, [this, c](beast::error_code ec) {
      if (!ec) do_read(c);
    });
  }

  void do_read(const std::shared_ptr<Conn>& c) {
    c->buffer.consume(c->buffer.size());
    c->ws.async_read(c->buffer, [this, c](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::closed) {
          std::lock_guard lock(mu);
          records[c->index].client_closed = true;
        }
        cv.notify_all();
        return;
      }
      WsFrame frame{c->ws.got_binary(), beast::buffers_to_string(c->buffer.data())};
      if (frame.binary) ++c->binary_frames;
      {
        std::lock_guard lock(mu);
        records[c->index].frames.push_back(frame);
      }
      cv.notify_all();
      run_script(c, frame);
      do_read(c);
    });
  }

  // A frame fires at most one step (the next one in script order).
  void run_script(const std::shared_ptr<Conn>& c, const WsFrame& frame) {
    if (next_step < script.size()) {
      const auto& step = script[next_step];
      const bool fire = (step.after_binary_frames > 0 && frame.binary && c->binary_frames >= step.after_binary_frames) ||
                        (!step.on_text_containing.empty() && !frame.binary &&
                         frame.data.find(step.on_text_containing) != std::string::npos);
      if (!fire) return;
      ++next_step;
      for (const auto& r : step.replies) c->outq.push_back(r);
      if (step.close_after) c->close_after_writes = true;
      if (!c->writing) do_write(c);
    }
  }

  void do_write(const std::shared_ptr<Conn>& c) {
    if (c->outq.empty()) {
      c->writing = false;
      if (c->close_after_writes) {
        c->close_after_writes = false;
        c->ws.async_close(websocket::close_code::normal, [c](beast::error_code) {});
      }
      return;
    }
    c->writing = true;
    c->ws.text(true);
    c->ws.async_write(asio::buffer(c->outq.front()), [this, c](beast::error_code ec, std::size_t) {
      c->outq.pop_front();
      if (ec) {
        c->writing = false;
        return;
      }
      do_write(c);
    });
  }
};

WsReplayServer::WsReplayServer(std::vector<WsScriptStep> script, int reject_status) : impl_(std::make_unique<Impl>()) {
  impl_->script = std::move(script);
  impl_->reject_status = reject_status;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->do_accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

WsReplayServer::~WsReplayServer() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string WsReplayServer::base_url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

std::vector<WsConnectionRecord> WsReplayServer::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->records;
}

bool WsReplayServer::wait_until(const std::function<bool(const std::vector<WsConnectionRecord>&)>& done,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return done(impl_->records); });
}

}  // namespace voqo::test
