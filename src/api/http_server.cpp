// The only translation unit that includes Boost.Beast (it is heavy to compile).
#include "api/http_server.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "api/problem.hpp"
#include "core/id.hpp"

namespace voqo::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerChunk = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void lower_in_place(std::string& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

std::string_view to_sv(beast::string_view s) { return {s.data(), s.size()}; }

const beast::error_category& http_error_category() {
  static const beast::error_category& cat = http::make_error_code(http::error::bad_target).category();
  return cat;
}

constexpr std::string_view kInternalDetail = "An internal error occurred; see the server log.";

class Session;

/// Everything the server shares between threads. (HttpServer::Impl derives
/// from it; being at namespace scope, Session can name it.)
struct ServerState {
  ServerState(ServerConfig c, const Router& r) : config(std::move(c)), router(r) {}

  ServerConfig config;
  const Router& router;

  // Declared before the io_context: sessions destroyed with the io_context's
  // pending handlers still unregister themselves here.
  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

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
};

/// One TCP connection: reads requests one after another (keep-alive), hands
/// each to the worker pool and writes the response back on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerState& srv, tcp::socket&& socket) : srv_(srv), stream_(std::move(socket)) {}

  ~Session() {
    remove_spool_file();
    std::lock_guard lk(srv_.sessions_mu);
    srv_.sessions.erase(this);
    if (srv_.sessions.empty()) srv_.sessions_cv.notify_all();
  }

  void start() {
    {
      std::lock_guard lk(srv_.sessions_mu);
      srv_.sessions.emplace(this, weak_from_this());
    }
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  /// Server is stopping: drop connections that are between requests. On the strand.
  void on_stop() {
    if (state_ == State::reading_header) close();
  }

  /// Close now, whatever is going on. On the strand.
  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  auto executor() { return stream_.get_executor(); }

 private:
  enum class State { reading_header, reading_body, busy, writing, lingering, closed };

  // ---- reading ---------------------------------------------------------------------------

  void read_header() {
    if (srv_.stopping.load(std::memory_order_relaxed)) {
      graceful_close();
      return;
    }
    state_ = State::reading_header;
    header_parser_.emplace();
    header_parser_->header_limit(kHeaderLimit);
    // Body limits are checked per route once the header is known.
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(std::chrono::seconds(srv_.config.idle_timeout_s));
    http::async_read_header(stream_, buffer_, *header_parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (state_ == State::closed) return;
    if (ec) {
      if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
          ec.category() != http_error_category()) {
        // Client went away, timed out (beast::error::timeout) or we closed it.
        close();
        return;
      }
      begin_request_accounting();
      keep_alive_ = false;
      version_ = 11;
      head_ = false;
      if (ec == http::error::header_limit) {
        send_error(problem(431, {}, "request header exceeds " + std::to_string(kHeaderLimit) + " bytes"), true);
      } else {
        send_error(problem(400, {}, "malformed request: " + ec.message()), true);
      }
      return;
    }
    begin_request_accounting();

    auto& h = header_parser_->get();
    keep_alive_ = header_parser_->keep_alive();
    version_ = h.version();
    head_ = h.method() == http::verb::head;
    req_.method.assign(to_sv(h.method_string()));
    req_.target.assign(to_sv(h.target()));
    req_.headers.clear();
    for (const auto& f : h) {
      auto& kv = req_.headers.emplace_back();
      kv.first.assign(to_sv(f.name_string()));
      lower_in_place(kv.first);
      kv.second.assign(to_sv(f.value()));
    }
    req_.params.clear();
    req_.body.clear();
    req_.body_file.clear();
    req_.body_size = 0;
    req_.remote_address = remote_;

    const bool has_body = !header_parser_->is_done();
    std::string_view raw_path = std::string_view(req_.target).substr(0, req_.target.find('?'));

    if (!split_target(req_.target, req_.path, req_.query)) {
      send_error(problem(400, {}, "malformed request target"), true);
      return;
    }
    RouteMatch m = srv_.router.match(req_.method, req_.path);
    if (!m.route) {
      if (m.allowed_methods.empty()) {
        send_error(problem(404, {}, "no route for " + req_.method + " " + req_.path, {}, raw_path), has_body);
      } else {
        std::string allow;
        for (const auto& a : m.allowed_methods) {
          if (!allow.empty()) allow += ", ";
          allow += a;
        }
        auto res = problem(405, {}, req_.method + " is not allowed here; allowed: " + allow, {}, raw_path);
        res.headers.emplace_back("Allow", std::move(allow));
        send_error(std::move(res), has_body);
      }
      return;
    }
    route_ = m.route;
    req_.params = std::move(m.params);

    if (!has_body) {
      run_handler_async();
      return;
    }

    const bool expect_continue =
        iequals(to_sv(header_parser_->get()[http::field::expect]), "100-continue");
    const bool spool = route_->options.spool_body;
    const std::uint64_t limit = spool ? srv_.config.max_upload_bytes : srv_.config.max_body_bytes;
    if (auto cl = header_parser_->content_length(); cl && *cl > limit) {
      // Refuse before reading a byte of the body (RFC 9110 §15.5.14).
      send_error(too_large(limit, raw_path), true);
      return;
    }
    body_limit_ = limit;

    if (spool) {
      spool_path_ = srv_.config.spool_dir / ("voqo-upload-" + voqo::new_id() + ".part");
      file_parser_.emplace(std::move(*header_parser_));
      file_parser_->body_limit(limit);
      // Owner-only (uploads hold contact data), and never an existing file.
      beast::error_code fec;
      int fd = ::open(spool_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) {
        fec = beast::error_code(errno, beast::system_category());
      } else {
        beast::file f;
        f.native_handle(fd);
        file_parser_->get().body().reset(std::move(f), fec);
      }
      if (fec) {
        spdlog::error("cannot create spool file {}: {}", spool_path_.string(), fec.message());
        spool_path_.clear();
        file_parser_.reset();
        send_error(problem(500, {}, kInternalDetail, {}, raw_path), true);
        return;
      }
    } else {
      string_parser_.emplace(std::move(*header_parser_));
      string_parser_->body_limit(limit);
    }
    header_parser_.reset();

    state_ = State::reading_body;
    if (expect_continue) {
      // RFC 9110 §10.1.1: the client waits for this before sending the body.
      stream_.expires_after(std::chrono::seconds(srv_.config.idle_timeout_s));
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code wec, std::size_t) {
                         if (wec) {
                           self->abort_request();
                           return;
                         }
                         self->read_body_some();
                       });
      return;
    }
    read_body_some();
  }

  void read_body_some() {
    if (state_ == State::closed) {
      abort_request();
      return;
    }
    // Progress-based timeout: each chunk of body must arrive within idle_timeout_s.
    stream_.expires_after(std::chrono::seconds(srv_.config.idle_timeout_s));
    auto cb = [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); };
    if (file_parser_) {
      http::async_read_some(stream_, buffer_, *file_parser_, std::move(cb));
    } else {
      http::async_read_some(stream_, buffer_, *string_parser_, std::move(cb));
    }
  }

  void on_body(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::body_limit && state_ != State::closed) {
        close_body_file();
        remove_spool_file();
        std::string_view raw_path = std::string_view(req_.target).substr(0, req_.target.find('?'));
        send_error(too_large(body_limit_, raw_path), true);
        return;
      }
      if (ec.category() == http_error_category() && ec != http::error::partial_message &&
          ec != http::error::end_of_stream && state_ != State::closed) {
        close_body_file();
        remove_spool_file();
        send_error(problem(400, {}, "malformed request body: " + ec.message()), true);
        return;
      }
      abort_request();
      return;
    }
    const bool done = file_parser_ ? file_parser_->is_done() : string_parser_->is_done();
    if (!done) {
      read_body_some();
      return;
    }
    if (file_parser_) {
      beast::error_code sec;
      req_.body_size = file_parser_->get().body().file().size(sec);
      close_body_file();
      req_.body_file = spool_path_;
    } else {
      req_.body = std::move(string_parser_->get().body());
      req_.body_size = req_.body.size();
      string_parser_.reset();
    }
    run_handler_async();
  }

  // ---- handling --------------------------------------------------------------------------

  void run_handler_async() {
    state_ = State::busy;
    stream_.expires_never();
    net::post(*srv_.workers, [self = shared_from_this()]() mutable {
      Session& s = *self;
      s.run_handler();
      net::post(s.stream_.get_executor(), [self = std::move(self)] { self->write_response(); });
    });
  }

  /// On a worker thread; the strand is idle meanwhile.
  void run_handler() {
    HttpResponse out;
    try {
      out = route_->handler(req_);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {}", req_.method, req_.path, e.what());
      out = problem(500, {}, kInternalDetail, {}, req_.path);
    } catch (...) {
      spdlog::error("handler for {} {} threw a non-exception", req_.method, req_.path);
      out = problem(500, {}, kInternalDetail, {}, req_.path);
    }
    remove_spool_file();
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("{} {} {} → {}", req_.remote_address, req_.method, req_.target, out.status);
    }
    build_response(std::move(out));
  }

  void build_response(HttpResponse&& out) {
    const bool stopping = srv_.stopping.load(std::memory_order_relaxed);
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(out.status));
    res_.set(http::field::server, "voqo");
    if (!out.content_type.empty()) res_.set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) {
      if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
      res_.insert(name, value);
    }
    const bool bodiless = out.status / 100 == 1 || out.status == 204 || out.status == 304;
    if (!bodiless) {
      res_.content_length(out.body.size());
      // HEAD: same header as GET, no body (RFC 9110 §9.3.2).
      if (!head_) res_.body() = std::move(out.body);
    }
    res_.keep_alive(keep_alive_ && !close_after_ && !stopping);
  }

  // ---- writing ---------------------------------------------------------------------------

  void write_response() {
    if (state_ == State::closed) {
      finish_request();
      return;
    }
    state_ = State::writing;
    stream_.expires_after(std::chrono::seconds(std::max(srv_.config.idle_timeout_s, 1u)));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    const bool keep = res_.keep_alive();
    res_.body().clear();
    finish_request();
    if (ec || state_ == State::closed) {
      close();
      return;
    }
    if (linger_) {
      linger();
      return;
    }
    if (!keep) {
      graceful_close();
      return;
    }
    read_header();
  }

  /// Replies without running a handler; `unread_body` when the request's
  /// body has not been consumed, so the connection must close afterwards.
  void send_error(HttpResponse res, bool unread_body) {
    header_parser_.reset();
    string_parser_.reset();
    file_parser_.reset();
    close_after_ = unread_body;
    linger_ = unread_body;
    build_response(std::move(res));
    write_response();
  }

  HttpResponse too_large(std::uint64_t limit, std::string_view instance) {
    return problem(413, {}, "request body exceeds " + std::to_string(limit) + " bytes", {}, instance);
  }

  // ---- closing ---------------------------------------------------------------------------

  /// After an early error response: stop sending, then read and discard what
  /// the client still sends for a short while, so that it sees our response
  /// rather than a reset (the "lingering close" of RFC 9112 §9.6). Memory
  /// stays at one small buffer whatever the client sends.
  void linger() {
    state_ = State::lingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.consume(buffer_.size());
    stream_.expires_after(kLingerTime);
    linger_read();
  }

  void linger_read() {
    stream_.async_read_some(buffer_.prepare(kLingerChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || self->state_ == State::closed) {
                                self->close();
                                return;
                              }
                              self->linger_read();
                            });
  }

  void graceful_close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  void begin_request_accounting() {
    counted_ = true;
    close_after_ = false;
    linger_ = false;
    srv_.in_flight.fetch_add(1);
  }

  void finish_request() {
    if (counted_) {
      counted_ = false;
      srv_.request_done();
    }
  }

  /// The connection failed mid-request: nothing to answer.
  void abort_request() {
    close_body_file();
    remove_spool_file();
    string_parser_.reset();
    finish_request();
    close();
  }

  void close_body_file() {
    if (!file_parser_) return;
    beast::error_code ec;
    file_parser_->get().body().file().close(ec);
    file_parser_.reset();
  }

  void remove_spool_file() {
    if (spool_path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(spool_path_, ec);
    spool_path_.clear();
  }

  ServerState& srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> string_parser_;
  std::optional<http::request_parser<http::file_body>> file_parser_;
  http::response<http::string_body> res_;
  HttpRequest req_;
  const Route* route_ = nullptr;
  std::filesystem::path spool_path_;
  std::string remote_;
  std::uint64_t body_limit_ = 0;
  State state_ = State::reading_header;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool close_after_ = false;  // close after this response
  bool linger_ = false;       // ... and drain the unread body first
  bool counted_ = false;      // counted in in_flight
};

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
  std::make_shared<Session>(*this, std::move(socket))->start();
  do_accept();
}

template <class F>
void ServerState::for_each_session(F&& f) {
  std::vector<std::shared_ptr<Session>> live;
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

}  // namespace

struct HttpServer::Impl : ServerState {
  using ServerState::ServerState;
};

// ---- HttpServer ----------------------------------------------------------------------------

HttpServer::HttpServer(ServerConfig config, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(config), router)) {}

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
  spdlog::info("HTTP server listening on {}:{} ({} io threads, {} workers)", s.config.bind_address,
               s.bound_port, n_io, n_workers);
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
  s.for_each_session([](Session& session) { session.on_stop(); });

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
  s.for_each_session([](Session& session) { session.close(); });
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
