#pragma once
/// Internal to api/beast/: a connection that streams server messages — the
/// write queue (`Outbox`, filled from any thread), close and teardown, the
/// hub session and the periodic credential check shared by the realtime and
/// audio WebSockets (websocket.cpp) and Server-Sent Events (sse.cpp).
#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "api/authenticator.hpp"
#include "api/beast/server_state.hpp"
#include "realtime/hub.hpp"

namespace voqo::api::transport {

/// A close reason fits a control frame: at most 123 bytes (RFC 6455 §5.5).
inline std::string close_reason(std::string r) {
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

inline void Outbox::push(Item item, std::size_t binary_cap) {
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

}  // namespace voqo::api::transport
