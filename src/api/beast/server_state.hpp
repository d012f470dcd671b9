#pragma once
/// Internal to api/beast/: what the HTTP server's connections share. `Conn`
/// is any connection the server tracks for stop() (HTTP sessions and the
/// WebSocket or SSE connections they hand their socket to); `ServerState`
/// holds the configuration, the Router, the io_context with its I/O threads,
/// the worker and slow-work pools, and the connection registry. Boost.Asio
/// only: the Beast transports are http_session.cpp, websocket.cpp and sse.cpp.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/error.hpp>

#include "api/http_server.hpp"

namespace voqo::api::transport {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

/// A connection the server tracks for stop(): HTTP sessions and the
/// upgraded (WebSocket) or streaming (SSE) connections they hand over to.
class Conn {
 public:
  explicit Conn(net::any_io_executor ex) : exec_(std::move(ex)) {}
  virtual ~Conn() = default;
  /// Server is stopping: let go of idle or streaming connections. On the strand.
  virtual void on_stop() = 0;
  /// Close now, whatever is going on. On the strand.
  virtual void close() = 0;
  /// The connection's strand (kept: the stream may have been handed over).
  [[nodiscard]] const net::any_io_executor& executor() const { return exec_; }

 protected:
  net::any_io_executor exec_;
};

/// Everything the server shares between threads. (HttpServer::Impl derives
/// from it; being at namespace scope, Session can name it.)
struct ServerState {
  ServerState(ServerConfig c, const Router& r, RealtimeOptions rt_opts)
      : config(std::move(c)), router(r), rt(std::move(rt_opts)) {}

  ServerConfig config;
  const Router& router;
  const RealtimeOptions rt;

  // Declared before the io_context: sessions destroyed with the io_context's
  // pending handlers still unregister themselves here.
  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::unordered_map<Conn*, std::weak_ptr<Conn>> sessions;

  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::mutex state_mu;
  std::condition_variable state_cv;
  enum class State { idle, running, stopping, stopped } state = State::idle;

  uint16_t bound_port = 0;

  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  std::unique_ptr<net::steady_timer> accept_retry;
  std::vector<std::thread> io_threads;
  std::optional<net::thread_pool> workers;  // destroyed first
  std::optional<net::thread_pool> slow_workers;  // Lane::slow handlers
  /// Lane::slow requests admitted (waiting for their body, queued or
  /// running); at most slow_threads + slow_queue.
  std::atomic<unsigned> slow_admitted{0};

  /// Admits one more slow request, or false when the slow lane is full.
  bool admit_slow() {
    const unsigned cap = std::max(1u, config.slow_threads) + config.slow_queue;
    unsigned n = slow_admitted.load();
    do {
      if (n >= cap) return false;
    } while (!slow_admitted.compare_exchange_weak(n, n + 1));
    return true;
  }

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void request_done() {
    // seq_cst pairs with stop(): either stop() sees 0, or we see stopping.
    if (in_flight.fetch_sub(1) == 1 && stopping.load()) {
      std::lock_guard lk(state_mu);
      state_cv.notify_all();
    }
  }
  template <class F>
  void for_each_session(F&& f);
  void add_conn(Conn* c, std::weak_ptr<Conn> w) {
    std::lock_guard lk(sessions_mu);
    sessions.emplace(c, std::move(w));
  }
  void remove_conn(Conn* c) {
    std::lock_guard lk(sessions_mu);
    sessions.erase(c);
    if (sessions.empty()) sessions_cv.notify_all();
  }
};

}  // namespace voqo::api::transport
