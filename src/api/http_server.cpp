// The only translation unit that includes Boost.Beast (it is heavy to compile).
#include "api/http_server.hpp"

#include "api/authenticator.hpp"
#include "api/permissions.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <charconv>
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
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <deque>

#include "api/problem.hpp"
#include "calls/supervisor.hpp"
#include "core/id.hpp"
#include "realtime/hub.hpp"

namespace voqo::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

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

/// A close reason fits a control frame: at most 123 bytes (RFC 6455 §5.5).
std::string close_reason(std::string r) {
  if (r.size() > 123) r.resize(123);
  return r;
}

class PushConnection;

/// Outgoing messages of one connection: filled from any thread (the hub's
/// publishers, the media thread), drained by the connection's strand with
/// one write in flight. Holds no reference to the connection, so a producer
/// never destroys it (the hub calls `send` under its lock).
struct Outbox {
  struct Item {
    std::string data;
    bool binary = false;
    std::size_t hub_bytes = 0;  ///< reported to Session::sent once written
    bool last = false;          ///< close after writing this
  };
  std::mutex mu;
  std::deque<Item> q;
  std::size_t bytes = 0;
  bool writing = false;  // a write is in flight or scheduled
  bool closed = false;   // no more items
  uint64_t dropped = 0;
  net::any_io_executor exec;
  std::weak_ptr<PushConnection> owner;

  /// Queues an item; binary items beyond `binary_cap` queued bytes push out
  /// the oldest (audio: late audio is useless).
  void push(Item item, std::size_t binary_cap = std::numeric_limits<std::size_t>::max());
};

/// A connection that streams server messages: the common write queue, close
/// and teardown of WsConnection and SseConnection. All members on the strand
/// unless noted.
class PushConnection : public Conn, public std::enable_shared_from_this<PushConnection> {
 public:
  PushConnection(ServerState& srv, net::any_io_executor ex)
      : Conn(ex), srv_(srv), out_(std::make_shared<Outbox>()), force_close_(ex), revalidate_(ex) {
    out_->exec = std::move(ex);
  }

  /// Who opened it: the hub session is bound to its workspace, and the
  /// credential is checked again every RealtimeOptions::revalidate_every.
  void set_principal(std::shared_ptr<const Principal> p) { principal_ = std::move(p); }
  ~PushConnection() override { srv_.remove_conn(this); }

  void on_stop() override { begin_close(1001, "server shutting down"); }
  void close() override { teardown(); }

  /// Any thread: stop queueing, flush the write in flight, then close.
  void request_close(int code, std::string reason) {
    {
      std::lock_guard lk(out_->mu);
      if (out_->closed) return;
      out_->closed = true;
    }
    net::post(exec_, [self = shared_from_this(), code, r = std::move(reason)]() mutable {
      self->begin_close(code, std::move(r));
    });
  }

  /// The next queued item, if any (kicked by Outbox::push).
  void write_next() {
    bool have = false, close_now = false;
    {
      std::lock_guard lk(out_->mu);
      if (!torn_ && !out_->q.empty()) {
        current_ = std::move(out_->q.front());
        out_->q.pop_front();
        out_->bytes -= current_.data.size();
        have = true;
      } else if (close_requested_ && !torn_) {
        close_now = true;  // `writing` stays set: nothing more is written
      } else {
        out_->writing = false;
      }
    }
    if (have) {
      do_write();
    } else if (close_now) {
      finish_once();  // everything before the close is written
    }
  }

 protected:
  void register_self() { srv_.add_conn(this, weak_from_this()); out_->owner = weak_from_this(); }

  /// Writes current_ and then calls on_written.
  virtual void do_write() = 0;
  /// Graceful end once the queue is flushed (close frame, FIN), then teardown().
  virtual void finish() = 0;
  /// Closes the socket now.
  virtual void shut() = 0;

  void on_written(beast::error_code ec) {
    if (hub_ && current_.hub_bytes) hub_->sent(current_.hub_bytes);
    const bool last = current_.last;
    current_ = {};
    if (ec || torn_) {
      teardown();
      return;
    }
    if (last) {
      {
        std::lock_guard lk(out_->mu);
        out_->closed = true;
        out_->q.clear();
        out_->bytes = 0;
      }
      close_requested_ = true;
      finish_once();
      return;
    }
    write_next();
  }

  void begin_close(int code, std::string reason) {
    if (close_requested_ || torn_) return;
    close_requested_ = true;
    close_code_ = code;
    close_text_ = close_reason(std::move(reason));
    bool idle = false;
    {
      std::lock_guard lk(out_->mu);
      out_->closed = true;
      out_->dropped += out_->q.size();
      out_->q.clear();
      out_->bytes = 0;
      idle = !out_->writing;
      out_->writing = true;
    }
    // A client that never reads never lets the write in flight finish.
    force_close_.expires_after(std::chrono::seconds(5));
    force_close_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->teardown();
    });
    if (idle) finish_once();
  }

  void finish_once() {
    if (finished_ || torn_) return;
    finished_ = true;
    finish();
  }

  void teardown() {
    if (torn_) return;
    torn_ = true;
    {
      std::lock_guard lk(out_->mu);
      out_->closed = true;
      out_->q.clear();
      out_->bytes = 0;
    }
    force_close_.cancel();
    revalidate_.cancel();
    if (hub_) hub_->close();
    on_teardown();
    shut();
  }
  virtual void on_teardown() {}

  /// The hub's `send` and `close` for this connection; `format` turns a hub
  /// message into the bytes to write.
  /// With `end_on_error`, an error message is the last one written (SSE:
  /// the stream's only subscription failed).
  std::shared_ptr<realtime::Session> open_hub_session(std::string (*format)(std::string&&), bool end_on_error) {
    std::weak_ptr<PushConnection> weak = weak_from_this();
    nlohmann::json bound = nlohmann::json::object();
    if (principal_) bound["workspaceId"] = principal_->workspace.value;
    return srv_.rt.hub->open_session(
        [out = out_, format, end_on_error](std::string text) {
          const std::size_t n = text.size();
          const bool last = end_on_error && text.find("\"type\":\"error\"") < 48;
          out->push(Outbox::Item{format(std::move(text)), false, n, last});
        },
        [weak](int code, std::string reason) {
          if (auto self = weak.lock()) self->request_close(code, std::move(reason));
        },
        std::move(bound));
  }

  /// Checks the credential on a worker every revalidate_every; a revoked key,
  /// an ended session or a removed member closes the connection (WebSocket
  /// 1008 policy violation, RFC 6455 §7.4.1).
  void start_revalidation() {
    if (!principal_ || !srv_.rt.auth) return;
    revalidate_.expires_after(srv_.rt.revalidate_every);
    revalidate_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->torn_) return;
      net::post(*self->srv_.workers, [self] {
        const bool valid = self->srv_.rt.auth->still_valid(*self->principal_);
        net::post(self->exec_, [self, valid] {
          if (self->torn_ || self->close_requested_) return;
          if (!valid) return self->request_close(1008, "the credential was revoked or the session ended");
          self->start_revalidation();
        });
      });
    });
  }

  ServerState& srv_;
  std::shared_ptr<Outbox> out_;
  std::shared_ptr<realtime::Session> hub_;
  std::shared_ptr<const Principal> principal_;
  Outbox::Item current_;
  net::steady_timer force_close_;
  net::steady_timer revalidate_;
  bool close_requested_ = false;
  bool finished_ = false;
  bool torn_ = false;
  int close_code_ = 1000;
  std::string close_text_;
};

void Outbox::push(Item item, std::size_t binary_cap) {
  bool kick = false;
  {
    std::lock_guard lk(mu);
    if (closed) return;
    if (item.binary) {
      while (!q.empty() && bytes + item.data.size() > binary_cap) {
        bytes -= q.front().data.size();
        q.pop_front();
        ++dropped;
      }
    }
    bytes += item.data.size();
    q.push_back(std::move(item));
    if (!writing) writing = kick = true;
  }
  if (kick) {
    net::post(exec, [w = owner] {
      if (auto s = w.lock()) s->write_next();
    });
  }
}

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
    auto conn = std::make_shared<WsConnection>(srv_, std::move(stream_), std::move(audio));
    conn->set_principal(req_.principal);
    conn->start(std::move(req));
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
    auto conn = std::make_shared<SseConnection>(srv_, std::move(stream_));
    conn->set_principal(req_.principal);
    conn->start(sub.dump());
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

}  // namespace

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
