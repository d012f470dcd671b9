// The HTTP server: binds, accepts, runs the I/O threads and the worker
// pools, and stops gracefully. The connections are the Beast transports of
// this folder (http_session.cpp, websocket.cpp, sse.cpp); this file needs
// Boost.Asio only.
#include "api/http_server.hpp"

#include <stdexcept>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "api/beast/http_session.hpp"
#include "api/beast/server_state.hpp"

namespace voqo::api::transport {

// ---- Impl ----------------------------------------------------------------------------------

void ServerState::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ServerState::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // EMFILE and friends: back off briefly instead of spinning.
    spdlog::warn("accept failed: {}", ec.message());
    if (!accept_retry) accept_retry = std::make_unique<net::steady_timer>(acceptor.get_executor());
    accept_retry->expires_after(std::chrono::milliseconds(50));
    accept_retry->async_wait([this](beast::error_code tec) {
      if (!tec && !stopping.load()) do_accept();
    });
    return;
  }
  beast::error_code oec;
  socket.set_option(tcp::no_delay(true), oec);
  start_http_session(*this, std::move(socket));
  do_accept();
}

template <class F>
void ServerState::for_each_session(F&& f) {
  std::vector<std::shared_ptr<Conn>> live;
  {
    std::lock_guard lk(sessions_mu);
    live.reserve(sessions.size());
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) {
    net::post(s->executor(), [s, f] { f(*s); });
  }
}

}  // namespace voqo::api::transport

namespace voqo::api {

using namespace transport;  // net, beast, tcp, ServerState, Conn

struct HttpServer::Impl : ServerState {
  using ServerState::ServerState;
};

// ---- HttpServer ----------------------------------------------------------------------------

HttpServer::HttpServer(ServerConfig config, const Router& router, RealtimeOptions realtime)
    : impl_(std::make_unique<Impl>(std::move(config), router, std::move(realtime))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  Impl& s = *impl_;
  {
    std::lock_guard lk(s.state_mu);
    if (s.state != ServerState::State::idle) throw std::runtime_error("HttpServer::start called twice");
    s.state = ServerState::State::running;
  }
  try {
    beast::error_code ec;
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(s.config.bind_address, std::to_string(s.config.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve bind address " + s.config.bind_address + ": " + ec.message());
    }
    tcp::endpoint ep = results.begin()->endpoint();
    s.acceptor.open(ep.protocol(), ec);
    if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(ep, ec);
    if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + s.config.bind_address + ":" +
                               std::to_string(s.config.port) + ": " + ec.message());
    }
    s.bound_port = s.acceptor.local_endpoint().port();
  } catch (...) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    std::lock_guard lk(s.state_mu);
    s.state = ServerState::State::stopped;
    s.state_cv.notify_all();
    throw;
  }

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned n_io = s.config.io_threads ? s.config.io_threads : cores;
  // Handlers block (SQLite, a long import holding the write lock): more
  // workers than cores keeps reads answering while writes wait.
  const unsigned n_workers = s.config.worker_threads ? s.config.worker_threads : std::max(4u, 2 * cores);
  s.workers.emplace(n_workers);
  s.slow_workers.emplace(std::max(1u, s.config.slow_threads));
  s.work.emplace(s.ioc.get_executor());
  net::dispatch(s.acceptor.get_executor(), [&s] { s.do_accept(); });
  s.io_threads.reserve(n_io);
  for (unsigned i = 0; i < n_io; ++i) {
    s.io_threads.emplace_back([&s] {
      for (;;) {
        try {
          s.ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("unexpected exception on an HTTP io thread: {}", e.what());
        }
      }
    });
  }
  spdlog::info("HTTP server listening on {}:{} ({} io threads, {} workers, {} for slow requests)",
               s.config.bind_address, s.bound_port, n_io, n_workers, std::max(1u, s.config.slow_threads));
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::stop() {
  Impl& s = *impl_;
  {
    std::unique_lock lk(s.state_mu);
    if (s.state == ServerState::State::idle) {
      s.state = ServerState::State::stopped;
      s.state_cv.notify_all();
      return;
    }
    if (s.state != ServerState::State::running) {
      s.state_cv.wait(lk, [&] { return s.state == ServerState::State::stopped; });
      return;
    }
    s.state = ServerState::State::stopping;
  }
  s.stopping.store(true);

  // 1. Stop accepting; drop connections idling between requests.
  net::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
    if (s.accept_retry) s.accept_retry->cancel();
  });
  s.for_each_session([](Conn& c) { c.on_stop(); });

  // 2. Let in-flight requests finish and their responses be written.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(s.config.shutdown_grace_s);
  {
    std::unique_lock lk(s.state_mu);
    if (!s.state_cv.wait_until(lk, deadline, [&] { return s.in_flight.load() <= 0; })) {
      spdlog::warn("HTTP server stopping with {} request(s) still in flight after {} s", s.in_flight.load(),
                   s.config.shutdown_grace_s);
    }
  }

  // 3. Close every connection, wait briefly for them to go, then stop the loop.
  s.for_each_session([](Conn& c) { c.close(); });
  {
    std::unique_lock lk(s.sessions_mu);
    s.sessions_cv.wait_for(lk, std::chrono::seconds(1), [&] { return s.sessions.empty(); });
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  // A handler still running past the grace period is waited for: the Router
  // it uses belongs to the caller.
  s.workers->stop();
  s.workers->join();
  s.slow_workers->stop();
  s.slow_workers->join();

  std::lock_guard lk(s.state_mu);
  s.state = ServerState::State::stopped;
  s.state_cv.notify_all();
  spdlog::info("HTTP server stopped");
}

void HttpServer::wait() {
  Impl& s = *impl_;
  std::unique_lock lk(s.state_mu);
  s.state_cv.wait(lk, [&] { return s.state == ServerState::State::stopped; });
}

}  // namespace voqo::api
