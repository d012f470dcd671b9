// HTTP/1.1 sessions (Boost.Beast http): header-time routing and admission,
// body limits and spooling, lanes, file windows with byte ranges, lingering close.
#include "api/beast/http_session.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "api/authenticator.hpp"
#include "api/beast/sse.hpp"
#include "api/beast/websocket.hpp"
#include "api/permissions.hpp"
#include "api/problem.hpp"
#include "calls/supervisor.hpp"
#include "core/id.hpp"
#include "realtime/hub.hpp"

namespace voqo::api::transport {

namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

// ---- realtime: WebSocket and SSE connections --------------------------------------------------

/// Whether the server answers to `host` (a Host header): an IP literal or
/// localhost (DNS rebinding needs a name that resolves to us), or a name in
/// `allowed` ("*" = any). The port is ignored.
bool host_allowed(std::string_view host, const std::vector<std::string>& allowed) {
  if (host.empty()) return true;  // HTTP/1.0: the connection's address is all there is
  std::string_view name = host;
  if (name.front() == '[') return name.find(']') != std::string_view::npos;  // an IPv6 literal
  if (auto colon = name.rfind(':'); colon != std::string_view::npos) name = name.substr(0, colon);
  std::string lower(name);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "localhost" || lower.ends_with(".localhost")) return true;
  if (!lower.empty() && lower.find_first_not_of("0123456789.") == std::string::npos) return true;  // IPv4 literal
  for (const auto& a : allowed) {
    if (a == "*") return true;
    std::string l(a);
    for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (l == lower) return true;
  }
  return false;
}

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerChunk = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

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

/// A File (Beast's File concept) showing only bytes [begin, end) of an open
/// file: its size is the window's, reads start at `begin` and stop at `end`.
/// With http::basic_file_body it streams a byte range (RFC 9110 §14) the way
/// http::file_body streams a whole file, 4 KiB at a time. Read-only.
class FileWindow {
 public:
  FileWindow() = default;

  /// Opens `path` read-only (close-on-exec) and shows [offset, offset +
  /// length). Errors: the open's, or EINVAL-like `short_read` when the file
  /// is shorter than the window.
  void open_window(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t length,
                   beast::error_code& ec) {
    beast::error_code ignored;
    file_.close(ignored);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ec.assign(errno, beast::system_category());
      return;
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    file_.native_handle(fd);
    const std::uint64_t size = file_.size(ec);
    if (ec) return;
    if (offset > size || length > size - offset) {
      ec = http::error::short_read;
      return;
    }
    begin_ = offset;
    end_ = offset + length;
    file_.seek(begin_, ec);
  }

  // The File concept.
  [[nodiscard]] bool is_open() const { return file_.is_open(); }
  void close(beast::error_code& ec) { file_.close(ec); }
  void open(char const*, beast::file_mode, beast::error_code& ec) { ec = boost::system::errc::make_error_code(boost::system::errc::not_supported); }
  std::uint64_t size(beast::error_code& ec) const {
    ec = {};
    return end_ - begin_;
  }
  std::uint64_t pos(beast::error_code& ec) const { return file_.pos(ec) - begin_; }
  void seek(std::uint64_t offset, beast::error_code& ec) { file_.seek(begin_ + offset, ec); }
  std::size_t read(void* buffer, std::size_t n, beast::error_code& ec) const {
    const std::uint64_t at = file_.pos(ec);
    if (ec) return 0;
    const std::uint64_t left = at < end_ ? end_ - at : 0;
    return file_.read(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(n, left)), ec);
  }
  std::size_t write(void const*, std::size_t, beast::error_code& ec) {
    ec = boost::system::errc::make_error_code(boost::system::errc::bad_file_descriptor);
    return 0;
  }

 private:
  beast::file file_;
  std::uint64_t begin_ = 0, end_ = 0;
};

using FileWindowBody = http::basic_file_body<FileWindow>;

/// One TCP connection: reads requests one after another (keep-alive), hands
/// each to the worker pool and writes the response back on its strand.
class Session : public Conn, public std::enable_shared_from_this<Session> {
 public:
  Session(ServerState& srv, tcp::socket&& socket)
      : Conn(socket.get_executor()), srv_(srv), stream_(std::move(socket)) {}

  ~Session() override {
    remove_spool_file();
    release_slow_slot();
    srv_.remove_conn(this);
  }

  void start() {
    srv_.add_conn(this, weak_from_this());
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  /// Server is stopping: drop connections that are between requests. On the strand.
  void on_stop() override {
    if (state_ == State::reading_header) close();
  }

  /// Close now, whatever is going on. On the strand.
  void close() override {
    if (state_ == State::closed) return;
    state_ = State::closed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

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

    // A transfer coding we cannot frame (e.g. "xchunked"): Beast would read
    // no body and take the body for the next request (RFC 9112 §6.3: 400 and close).
    if (auto bad = transfer_coding_problem(req_.headers)) {
      send_error(problem(bad->status, {}, bad->detail, {}, raw_path), true);
      return;
    }

    if (!split_target(req_.target, req_.path, req_.query)) {
      send_error(problem(400, {}, "malformed request target"), true);
      return;
    }
    if (!host_allowed(req_.header("host"), srv_.config.allowed_hosts)) {
      send_error(problem(421, "Misdirected Request",
                         "this server does not answer to Host " + std::string(req_.header("host")) +
                             " (allow it with --allowed-host)",
                         {}, raw_path),
                 has_body);
      return;
    }
    req_.principal.reset();
    if (auto ep = realtime_endpoint(); ep != Endpoint::none) {
      serve_realtime(ep, has_body, raw_path);
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
    if (route_->options.authorize) {
      if (auto refused = route_->options.authorize(req_)) {
        send_error(std::move(*refused), has_body);
        return;
      }
    }
    if (route_->options.lane == Lane::slow) {
      // Admitted (or not) before the body is read: a refused upload costs nothing.
      if (!srv_.admit_slow()) {
        auto res = problem(503, {}, "the server is busy with slow requests (speech previews, imports); retry later",
                           {}, raw_path);
        res.headers.emplace_back("Retry-After", std::to_string(srv_.config.slow_retry_after_s));
        send_error(std::move(res), has_body);
        return;
      }
      slow_slot_ = true;
    }

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

  // ---- realtime endpoints ----------------------------------------------------------------

  enum class Endpoint { none, websocket, sse, audio };

  Endpoint realtime_endpoint() {
    const std::string& p = req_.path;
    if (srv_.rt.hub && p == "/api/realtime") return Endpoint::websocket;
    if (srv_.rt.hub && p == "/api/realtime/events") return Endpoint::sse;
    constexpr std::string_view pre = "/api/live-calls/", post = "/audio";
    if (srv_.rt.open_supervisor_audio && p.size() > pre.size() + post.size() && p.starts_with(pre) &&
        p.ends_with(post)) {
      std::string_view id = std::string_view(p).substr(pre.size(), p.size() - pre.size() - post.size());
      if (id.find('/') == std::string_view::npos) return Endpoint::audio;
    }
    return Endpoint::none;
  }

  void serve_realtime(Endpoint ep, bool has_body, std::string_view raw_path) {
    if (req_.method != "GET") {
      auto res = problem(405, {}, req_.method + " is not allowed here; allowed: GET", {}, raw_path);
      res.headers.emplace_back("Allow", "GET");
      send_error(std::move(res), has_body);
      return;
    }
    if (has_body) {
      send_error(problem(400, {}, "a GET request has no body here", {}, raw_path), true);
      return;
    }
    const char* pattern = ep == Endpoint::websocket ? "/api/realtime"
                          : ep == Endpoint::sse     ? "/api/realtime/events"
                                                    : "/api/live-calls/{id}/audio";
    if (!srv_.rt.auth) {
      send_error(problem(503, {}, "realtime endpoints need the server's authenticator", {}, raw_path), false);
      return;
    }
    if (auto refused = srv_.rt.auth->admit(req_, permission_for("GET", pattern), false)) {
      send_error(std::move(*refused), false);
      return;
    }
    if (ep == Endpoint::sse) {
      start_sse(raw_path);
      return;
    }
    if (!websocket::is_upgrade(header_parser_->get())) {
      auto r = problem(426, "Upgrade Required", "this endpoint speaks WebSocket (RFC 6455) only", {}, raw_path);
      r.headers.emplace_back("Upgrade", "websocket");
      r.headers.emplace_back("Connection", "Upgrade");
      send_error(std::move(r), false);
      return;
    }
    if (ep == Endpoint::websocket) {
      upgrade(nullptr);
      return;
    }
    // Audio: opening the leg may block (it finds the call): on a worker.
    state_ = State::busy;
    std::string call_id(req_.path.substr(16, req_.path.size() - 16 - 6));
    net::post(*srv_.workers, [self = shared_from_this(), call_id = std::move(call_id)]() mutable {
      Result<std::shared_ptr<calls::SupervisorAudio>> leg{std::unexpected(Error{})};
      try {
        leg = self->srv_.rt.open_supervisor_audio(self->req_.principal->workspace, call_id);
      } catch (const std::exception& e) {
        leg = std::unexpected(Error{ErrorCode::internal, e.what(), {}});
      }
      if (leg && !*leg) leg = std::unexpected(Error::not_found("no live call " + call_id));
      net::post(self->exec_, [self, leg = std::move(leg)]() mutable {
        if (self->state_ == State::closed) {
          if (leg) (*leg)->leave();
          self->finish_request();
          return;
        }
        if (!leg) {
          std::string_view raw = std::string_view(self->req_.target).substr(0, self->req_.target.find('?'));
          self->send_error(problem_from(leg.error(), raw), false);
          return;
        }
        self->upgrade(std::move(*leg));
      });
    });
  }

  /// Hands the socket to a WebSocket connection (realtime, or audio when `audio`).
  void upgrade(std::shared_ptr<calls::SupervisorAudio> audio) {
    auto req = header_parser_->release();
    header_parser_.reset();
    state_ = State::closed;  // the stream is no longer ours
    finish_request();
    start_websocket(srv_, std::move(stream_), std::move(req), req_.principal, std::move(audio));
  }

  void start_sse(std::string_view raw_path) {
    std::string query;
    nlohmann::json args = nlohmann::json::object();
    std::optional<realtime::Seq> from;
    std::string_view last_id = req_.header("last-event-id");
    for (const auto& [k, v] : req_.query) {
      if (k == "query") {
        query = v;
      } else if (k == "lastEventId") {
        if (last_id.empty()) last_id = v;
      } else if (k != "ticket") {
        args[k] = v;
      }
    }
    if (query.empty()) {
      send_error(problem(422, {}, "the query parameter \"query\" is required", {{"query", "required"}}, raw_path),
                 false);
      return;
    }
    if (!last_id.empty()) {
      realtime::Seq v = 0;
      auto [ptr, ec] = std::from_chars(last_id.data(), last_id.data() + last_id.size(), v);
      if (ec != std::errc() || ptr != last_id.data() + last_id.size()) {
        send_error(problem(422, {}, "Last-Event-ID must be a sequence number",
                           {{"Last-Event-ID", "not a non-negative integer"}}, raw_path),
                   false);
        return;
      }
      from = v;
    }
    if (req_.principal) args["workspaceId"] = req_.principal->workspace.value;  // as the hub session binds it
    if (auto t = srv_.rt.hub->topic_for(query, args); !t) {
      Error e = t.error();
      if (e.code == ErrorCode::not_found) e.fields = {{"query", e.message}};
      send_error(problem_from(e, raw_path), false);
      return;
    }
    nlohmann::json sub{{"type", "subscribe"}, {"id", "sse"}, {"query", query}, {"args", std::move(args)}};
    if (from) sub["fromSeq"] = *from;
    state_ = State::closed;  // the stream is no longer ours
    finish_request();
    start_sse_stream(srv_, std::move(stream_), req_.principal, sub.dump());
  }

  // ---- handling --------------------------------------------------------------------------

  void run_handler_async() {
    state_ = State::busy;
    stream_.expires_never();
    const Lane lane = route_->options.lane;
    if (lane == Lane::io) {  // never blocks: answered right here, whatever the pools are doing
      run_handler();
      write_response();
      return;
    }
    net::thread_pool& pool = lane == Lane::slow ? *srv_.slow_workers : *srv_.workers;
    net::post(pool, [self = shared_from_this()]() mutable {
      Session& s = *self;
      s.run_handler();
      s.release_slow_slot();
      net::post(s.stream_.get_executor(), [self = std::move(self)] { self->write_response(); });
    });
  }

  /// Gives back this request's place in the slow lane, if it holds one.
  void release_slow_slot() {
    if (!slow_slot_) return;
    slow_slot_ = false;
    srv_.slow_admitted.fetch_sub(1);
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
    file_sr_.reset();
    file_res_.reset();
    const bool bodiless = out.status / 100 == 1 || out.status == 204 || out.status == 304;
    FileWindow window;
    if (out.file && !bodiless && !head_) {
      // Opened here, on the worker: the file is streamed, never read whole.
      beast::error_code ec;
      window.open_window(out.file->path, out.file->offset, out.file->length, ec);
      if (ec) {
        spdlog::error("cannot send {} (bytes {}+{}) for {}: {}", out.file->path.string(), out.file->offset,
                      out.file->length, req_.path, ec.message());
        out = problem(500, {}, kInternalDetail, {}, req_.path);
      }
    }
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(out.status));
    res_.set(http::field::server, "voqo");
    if (!out.content_type.empty()) res_.set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) {
      if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
      res_.insert(name, value);
    }
    if (!bodiless) {
      res_.content_length(out.file ? out.file->length : out.body.size());
      // HEAD: same header as GET, no body (RFC 9110 §9.3.2).
      if (!head_) res_.body() = std::move(out.body);
    }
    res_.keep_alive(keep_alive_ && !close_after_ && !stopping);
    if (window.is_open()) {
      file_res_.emplace(std::move(res_.base()));
      beast::error_code ec;
      file_res_->body().reset(std::move(window), ec);  // size = the window's length
    }
  }

  // ---- writing ---------------------------------------------------------------------------

  void write_response() {
    if (state_ == State::closed) {
      file_res_.reset();
      finish_request();
      return;
    }
    state_ = State::writing;
    if (file_res_) {
      file_sr_.emplace(*file_res_);
      write_file_some();
      return;
    }
    stream_.expires_after(std::chrono::seconds(std::max(srv_.config.idle_timeout_s, 1u)));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  /// Streams a file response a piece at a time: the client must take some of
  /// it every idle_timeout_s (a download may take as long as it needs; a
  /// client that stops reading is dropped).
  void write_file_some() {
    stream_.expires_after(std::chrono::seconds(std::max(srv_.config.idle_timeout_s, 1u)));
    http::async_write_some(stream_, *file_sr_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && !self->file_sr_->is_done()) {
        self->write_file_some();
        return;
      }
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    const bool keep = file_res_ ? file_res_->keep_alive() : res_.keep_alive();
    file_sr_.reset();
    file_res_.reset();  // closes the file
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
    release_slow_slot();
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
    release_slow_slot();
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
  std::optional<http::response<FileWindowBody>> file_res_;          // a file response, instead of res_
  std::optional<http::response_serializer<FileWindowBody>> file_sr_;  // writing file_res_
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
  bool slow_slot_ = false;    // holds a place in the slow lane (ServerState::slow_admitted)
};

}  // namespace

void start_http_session(ServerState& srv, tcp::socket&& socket) {
  std::make_shared<Session>(srv, std::move(socket))->start();
}

}  // namespace voqo::api::transport
