#pragma once
/// The realtime hub (issue 5): clients subscribe to named queries with
/// arguments, receive the query's current result (a snapshot), then every
/// change in order, each with a sequence number; after a reconnect they
/// resume from their last sequence number without loss, or get a fresh
/// snapshot marked `"resync":true` when the bounded history no longer reaches
/// back. Transport-free: api/beast/ carries it over WebSocket and
/// Server-Sent Events; the protocol is documented in docs/REALTIME.md.
///
/// Sequence numbers: one counter for the whole hub, strictly increasing. It
/// starts at the construction time in µs since the Unix epoch, so a seq from
/// an earlier run of the process is always older than the new run's first
/// one, and resuming from it yields a resync rather than a wrong replay.
///
/// Guarantee, per subscription: the client receives a snapshot with seq S
/// (or, on resume, a "resumed" message with seq = fromSeq = S), then exactly
/// the changes of the subscription's topic with seq > S, each once, in seq
/// order, with no gaps. A change with seq > S may already be reflected in the
/// snapshot (it was published while the snapshot was being read); changes are
/// therefore expected to be idempotent (upserts and removes by key). Across
/// the subscriptions of one session, live changes arrive in seq order, but a
/// new subscription's snapshot or replay may carry seqs lower than changes
/// already delivered on another subscription: clients remember the last seq
/// per subscription id and resume each with its own.
///
/// Threads: publish() may be called from any thread; it never waits on a
/// client (outgoing text goes to the transport's `send`, which queues). One
/// internal mutex orders publishes and deliveries; user callbacks `topic` and
/// `snapshot` run without it, `filter` and the transport's `send` run under
/// it (so they must be quick and must not call back into the Hub).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace voqo::realtime {

/// A sequence number: hub-wide, strictly increasing.
using Seq = uint64_t;

/// Bounds that keep one client, one topic and the hub's memory in check.
struct HubLimits {
  /// Active subscriptions per session; one more gets an error message.
  std::size_t max_subscriptions_per_session = 100;
  /// Largest client message in bytes; larger ones close the session (1009).
  std::size_t max_message_bytes = 64 * 1024;
  /// Outgoing bytes handed to the transport and not yet reported sent()
  /// per session; beyond it the session is closed as a slow consumer (1008).
  std::size_t max_queued_bytes = 4u << 20;
  /// Per-topic resume history: at most this many changes ...
  std::size_t history_per_topic = 10'000;
  /// ... of at most this many bytes (JSON text) ...
  std::size_t history_bytes_per_topic = 8u << 20;
  /// ... none older than this.
  std::chrono::milliseconds history_age = std::chrono::minutes(5);
  /// Changes buffered for one subscription while its snapshot is being read;
  /// beyond it the session is closed (1013, try again later).
  std::size_t max_pending_changes = 10'000;
  /// Longest subscription id in bytes.
  std::size_t max_id_bytes = 128;
};

/// A named query clients can subscribe to.
struct QuerySpec {
  /// The query's name in subscribe messages, e.g. "liveCalls".
  std::string name;
  /// Validates `args` (a JSON object) and returns the topic key whose changes
  /// the subscription receives, e.g. "liveCall:<id>". A bad argument is
  /// Error::invalid naming the field ("id"); the client sees "args.id".
  std::function<Result<std::string>(const nlohmann::json& args)> topic;
  /// The query's current result (may read the store; runs on the transport's
  /// worker, never on the publisher's path). Errors go to the client.
  std::function<Result<nlohmann::json>(const nlohmann::json& args)> snapshot;
  /// Optional: the subscriber's view of a change on its topic (nullopt = not
  /// for this subscriber, e.g. liveCalls {status} filtering). Runs under the
  /// hub's lock: keep it cheap. Unset = every change as published.
  std::function<std::optional<nlohmann::json>(const nlohmann::json& args, const nlohmann::json& change)> filter;
};

/// WebSocket close codes the hub asks for (RFC 6455 §7.4.1).
inline constexpr int kClosePolicy = 1008;       ///< slow consumer (outgoing queue over its bound)
inline constexpr int kCloseTooBig = 1009;       ///< client message over max_message_bytes
inline constexpr int kCloseTryLater = 1013;     ///< changes overflowed while a snapshot was read

/// Counters for tests, health and benchmarks (a consistent copy).
struct HubStats {
  std::size_t sessions = 0;
  std::size_t subscriptions = 0;
  std::size_t topics = 0;
  std::size_t history_changes = 0;
  std::size_t history_bytes = 0;
  uint64_t published = 0;         ///< publish() calls
  uint64_t delivered = 0;         ///< messages handed to transports
  uint64_t slow_closed = 0;       ///< sessions closed as slow consumers
  Seq seq = 0;                    ///< the latest seq
};

namespace detail {
struct Core;
struct SessionState;
}  // namespace detail

/// One client connection. Created by Hub::open_session; the transport owns it.
class Session {
 public:
  ~Session();  ///< close()
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Handles one client message (a JSON text; see docs/REALTIME.md): subscribe,
  /// unsubscribe. Replies go to `send`. May block while a snapshot is read:
  /// call it off the io threads, and for one session one message at a time
  /// (the transport reads the next frame after this returns).
  void on_message(std::string_view text);
  /// The transport reports that `bytes` (the sizes of texts given to `send`)
  /// have left its queue; what remains counts against max_queued_bytes.
  /// Any thread, lock-free.
  void sent(std::size_t bytes) noexcept;
  /// The connection is gone: drops every subscription. Idempotent; does not
  /// call the transport's `close`.
  void close();
  /// Whether the session is closed (by close() or by the hub).
  [[nodiscard]] bool closed() const;

  explicit Session(std::shared_ptr<detail::Core> core, std::unique_ptr<detail::SessionState> state);  ///< internal

 private:
  std::shared_ptr<detail::Core> core_;
  std::unique_ptr<detail::SessionState> st_;
};

/// The hub: registered queries, topics with their bounded history, sessions.
/// Sessions keep the hub's state alive, so destruction order does not matter.
class Hub {
 public:
  explicit Hub(HubLimits limits = {});
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  /// Adds (or replaces) a query by name. Call before sessions subscribe to it.
  void register_query(QuerySpec spec);
  /// Publishes a change on a topic (kept in its history for resume, delivered
  /// to its subscribers); returns its seq. Thread-safe; never waits on a
  /// client; O(subscribers of the topic). Topics need not exist beforehand.
  Seq publish(const std::string& topic, nlohmann::json change);
  /// A client connection. `send` receives each outgoing message (a JSON text
  /// beginning `{"seq":N,"type":"T"`, so a transport can label it without
  /// parsing) and must not block (queue it; report written bytes through
  /// Session::sent). `close` asks the transport to drop the client with a
  /// WebSocket close code and reason; it is called at most once, never
  /// under the hub's lock.
  /// `bound_args` are set on every subscription's args, over what the client
  /// sent: the transport puts the subscriber's workspace there (issue 16), so
  /// a query's topic and snapshot only ever see the caller's own tenant.
  std::shared_ptr<Session> open_session(std::function<void(std::string)> send,
                                        std::function<void(int code, std::string reason)> close,
                                        nlohmann::json bound_args = nlohmann::json::object());
  /// The topic a subscription to `query` with `args` would have: validates
  /// as on_message does (for transports that want to answer an HTTP error
  /// before streaming, e.g. SSE). Errors: not_found for an unknown query;
  /// the query's own invalid-argument errors.
  [[nodiscard]] Result<std::string> topic_for(const std::string& query, const nlohmann::json& args) const;
  /// The latest seq assigned (before any publish: the starting point, the
  /// construction time in µs since the Unix epoch).
  [[nodiscard]] Seq current_seq() const;
  [[nodiscard]] HubStats stats() const;
  [[nodiscard]] const HubLimits& limits() const;

 private:
  std::shared_ptr<detail::Core> core_;
};

}  // namespace voqo::realtime
