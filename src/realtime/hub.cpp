// The realtime hub: see hub.hpp and docs/REALTIME.md.
#include "realtime/hub.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/json_parse.hpp"

namespace voqo::realtime {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace detail {

/// One published change, shared by the history and pending buffers.
struct Change {
  Seq seq = 0;
  Clock::time_point at;
  json data;
  std::string text;  // data.dump(), once
};
using ChangePtr = std::shared_ptr<const Change>;

struct Sub {
  SessionState* session = nullptr;
  std::string id, id_json;
  std::shared_ptr<const QuerySpec> spec;
  json args;
  std::string topic;
  bool pending = false;               // snapshot being read: buffer changes
  std::vector<ChangePtr> buffer;
};

struct Topic {
  std::deque<ChangePtr> history;
  std::size_t bytes = 0;
  Seq floor = 0;  // every change on this topic with seq > floor is in history
  std::vector<Sub*> subs;
};

struct SessionState {
  std::function<void(std::string)> send;
  std::function<void(int, std::string)> close;
  std::unordered_map<std::string, std::unique_ptr<Sub>> subs;
  std::atomic<std::size_t> queued{0};
  std::atomic<bool> closed{false};
  Seq last_seq = 0;  // highest seq handed to send (errors carry it)
  json bound_args = json::object();  // set by the transport; override the client's args
};

struct Core {
  explicit Core(HubLimits l) : limits(l) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    seq = static_cast<Seq>(std::max<int64_t>(us, 1));
    pruned_floor = seq;
  }

  const HubLimits limits;
  mutable std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const QuerySpec>> queries;
  std::unordered_map<std::string, Topic> topics;
  std::unordered_set<SessionState*> sessions;
  Seq seq = 0;
  Seq pruned_floor = 0;  // a topic created now knows nothing at or below this
  Clock::time_point last_sweep = Clock::now();
  uint64_t published = 0, delivered = 0, slow_closed = 0;
  std::size_t history_changes = 0, history_bytes = 0;

  // Work for after the lock is released (see Locked).
  std::vector<SessionState*> dead;
  std::vector<std::function<void()>> deferred;

  Topic& topic(const std::string& key) {
    auto [it, inserted] = topics.try_emplace(key);
    if (inserted) it->second.floor = pruned_floor;
    return it->second;
  }

  void pop_front(Topic& t) {
    const ChangePtr& c = t.history.front();
    t.floor = c->seq;
    t.bytes -= c->text.size();
    history_bytes -= c->text.size();
    --history_changes;
    t.history.pop_front();
  }

  void evict(Topic& t, Clock::time_point now) {
    while (!t.history.empty() &&
           (t.history.size() > limits.history_per_topic || t.bytes > limits.history_bytes_per_topic ||
            now - t.history.front()->at > limits.history_age)) {
      pop_front(t);
    }
  }

  /// Drops a topic nobody listens to and that remembers nothing.
  void maybe_prune(std::unordered_map<std::string, Topic>::iterator it) {
    if (it->second.subs.empty() && it->second.history.empty()) {
      pruned_floor = std::max(pruned_floor, it->second.floor);
      topics.erase(it);
    }
  }

  void sweep(Clock::time_point now) {
    last_sweep = now;
    for (auto it = topics.begin(); it != topics.end();) {
      auto next = std::next(it);
      evict(it->second, now);
      maybe_prune(it);
      it = next;
    }
  }

  void remove_sub(Sub& s) {
    auto it = topics.find(s.topic);
    if (it == topics.end()) return;
    auto& v = it->second.subs;
    if (auto p = std::find(v.begin(), v.end(), &s); p != v.end()) {
      *p = v.back();
      v.pop_back();
    }
    maybe_prune(it);
  }

  /// Closes a session from inside the hub: stops deliveries now; its
  /// subscriptions go and the transport's close runs once the lock is released.
  void kill(SessionState& s, int code, std::string reason) {
    if (s.closed.exchange(true)) return;
    dead.push_back(&s);
    if (s.close) deferred.emplace_back([f = std::move(s.close), code, r = std::move(reason)] { f(code, r); });
  }

  void deliver(SessionState& s, std::string text, Seq seq) {
    if (s.closed.load(std::memory_order_relaxed)) return;
    const std::size_t q = s.queued.fetch_add(text.size()) + text.size();
    if (q > limits.max_queued_bytes) {
      ++slow_closed;
      kill(s, kClosePolicy,
           "slow consumer: more than " + std::to_string(limits.max_queued_bytes) + " bytes queued");
      return;
    }
    s.last_seq = std::max(s.last_seq, seq);
    ++delivered;
    s.send(std::move(text));
  }

  static std::string head(Seq seq, std::string_view type, const std::string& id_json) {
    std::string out;
    out.reserve(64 + id_json.size());
    out += "{\"seq\":";
    out += std::to_string(seq);
    out += ",\"type\":\"";
    out += type;
    out += "\",\"id\":";
    out += id_json;
    return out;
  }

  static std::string with_data(std::string msg, std::string_view data) {
    msg.reserve(msg.size() + data.size() + 10);
    msg += ",\"data\":";
    msg += data;
    msg += '}';
    return msg;
  }

  /// A change to one subscriber, respecting its filter and pending state.
  void deliver_change(Sub& sub, const ChangePtr& c) {
    SessionState& s = *sub.session;
    if (s.closed.load(std::memory_order_relaxed)) return;
    if (sub.pending) {
      if (sub.buffer.size() >= limits.max_pending_changes) {
        kill(s, kCloseTryLater, "too many changes while reading the snapshot of '" + sub.id + "'");
        return;
      }
      sub.buffer.push_back(c);
      return;
    }
    if (sub.spec->filter) {
      std::optional<json> view;
      try {
        view = sub.spec->filter(sub.args, c->data);
      } catch (...) {
        view.reset();
      }
      if (!view) return;
      deliver(s, with_data(head(c->seq, "change", sub.id_json), view->dump()), c->seq);
    } else {
      deliver(s, with_data(head(c->seq, "change", sub.id_json), c->text), c->seq);
    }
  }

  void send_error(SessionState& s, const json& id, std::string_view message, std::string_view field = {}) {
    std::string msg = head(s.last_seq, "error", id.dump());
    json extra{{"message", message}};
    if (!field.empty()) extra["field"] = field;
    msg += ',';
    std::string e = extra.dump();
    msg.append(e, 1, e.size() - 1);  // splice the object's members
    deliver(s, std::move(msg), s.last_seq);
  }
};

/// Holds the hub's lock; on release removes dead sessions' subscriptions,
/// unlocks, then runs deferred transport callbacks (close) without the lock.
class Locked {
 public:
  explicit Locked(Core& c) : c_(c), lk_(c.mu) {}
  ~Locked() {
    for (SessionState* s : c_.dead) {
      for (auto& [id, sub] : s->subs) c_.remove_sub(*sub);
      s->subs.clear();
      c_.sessions.erase(s);
    }
    c_.dead.clear();
    auto todo = std::move(c_.deferred);
    c_.deferred.clear();
    lk_.unlock();
    for (auto& f : todo) f();
  }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  Core& c_;
  std::unique_lock<std::mutex> lk_;
};

}  // namespace detail

using detail::Core;
using detail::Locked;

// ---- Session ---------------------------------------------------------------------------------

Session::Session(std::shared_ptr<Core> core, std::unique_ptr<detail::SessionState> state)
    : core_(std::move(core)), st_(std::move(state)) {}

Session::~Session() { close(); }

void Session::sent(std::size_t bytes) noexcept { st_->queued.fetch_sub(bytes); }

bool Session::closed() const { return st_->closed.load(); }

void Session::close() {
  Locked lk(*core_);
  if (st_->closed.exchange(true)) {
    // Killed by the hub: Locked has already (or is about to) clean up.
    return;
  }
  core_->dead.push_back(st_.get());
}

void Session::on_message(std::string_view text) {
  Core& c = *core_;
  detail::SessionState& s = *st_;
  const HubLimits& lim = c.limits;
  auto fail = [&](const json& id, std::string_view message, std::string_view field = {}) {
    Locked lk(c);
    c.send_error(s, id, message, field);
  };
  if (s.closed.load()) return;
  if (text.size() > lim.max_message_bytes) {
    Locked lk(c);
    c.kill(s, kCloseTooBig, "message exceeds " + std::to_string(lim.max_message_bytes) + " bytes");
    return;
  }
  // At most kMaxJsonDepth levels (issue 15): copying "args" below, or
  // dumping it, recurses once per level.
  if (auto deep = check_json_depth(text); !deep) return fail(nullptr, deep.error().message);
  auto parsed = parse_json(text);
  if (!parsed) return fail(nullptr, "malformed JSON");
  json msg = std::move(*parsed);
  if (!msg.is_object()) return fail(nullptr, "a message must be a JSON object");
  json id = nullptr;
  if (auto it = msg.find("id"); it != msg.end() && it->is_string()) id = *it;
  auto type_it = msg.find("type");
  if (type_it == msg.end() || !type_it->is_string()) return fail(id, "\"type\" must be a string", "type");
  const std::string type = type_it->get<std::string>();
  if (type != "subscribe" && type != "unsubscribe") {
    return fail(id, "unknown message type '" + type + "' (expected subscribe or unsubscribe)", "type");
  }
  if (id.is_null()) return fail(nullptr, "\"id\" must be a string", "id");
  const std::string sid = id.get<std::string>();
  if (sid.empty() || sid.size() > lim.max_id_bytes) {
    return fail(id, "\"id\" must be 1 to " + std::to_string(lim.max_id_bytes) + " bytes", "id");
  }

  if (type == "unsubscribe") {
    Locked lk(c);
    if (s.closed.load()) return;
    auto it = s.subs.find(sid);
    if (it == s.subs.end()) return c.send_error(s, id, "no subscription '" + sid + "'", "id");
    c.remove_sub(*it->second);
    s.subs.erase(it);
    c.deliver(s, Core::head(s.last_seq, "unsubscribed", id.dump()) + "}", s.last_seq);
    return;
  }

  // ---- subscribe: validate ----
  auto q_it = msg.find("query");
  if (q_it == msg.end() || !q_it->is_string()) return fail(id, "\"query\" must be a string", "query");
  const std::string query = q_it->get<std::string>();
  json args = json::object();
  if (auto a = msg.find("args"); a != msg.end() && !a->is_null()) {
    if (!a->is_object()) return fail(id, "\"args\" must be an object", "args");
    args = *a;
  }
  for (const auto& [k, v] : s.bound_args.items()) args[k] = v;
  std::optional<Seq> from;
  if (auto f = msg.find("fromSeq"); f != msg.end() && !f->is_null()) {
    if (!f->is_number_unsigned()) return fail(id, "\"fromSeq\" must be a non-negative integer", "fromSeq");
    from = f->get<Seq>();
  }
  std::shared_ptr<const QuerySpec> spec;
  {
    Locked lk(c);
    if (auto it = c.queries.find(query); it != c.queries.end()) spec = it->second;
  }
  if (!spec) return fail(id, "unknown query '" + query + "'", "query");
  Result<std::string> topic{std::unexpected(Error{})};
  try {
    topic = spec->topic(args);
  } catch (const std::exception& e) {
    topic = std::unexpected(Error::invalid("args", e.what()));
  }
  if (!topic) {
    const auto f = topic.error().field();
    return fail(id, topic.error().message, f.empty() ? std::string("args") : "args." + std::string(f));
  }

  // ---- register (and resume from history when it reaches back) ----
  detail::Sub* sub = nullptr;  // owned by s.subs: touch it only under the lock
  Seq snap_seq = 0;
  const json snap_args = args;
  {
    Locked lk(c);
    if (s.closed.load()) return;
    if (s.subs.contains(sid)) return c.send_error(s, id, "subscription id '" + sid + "' is already in use", "id");
    if (s.subs.size() >= lim.max_subscriptions_per_session) {
      return c.send_error(s, id, "too many subscriptions (at most " +
                                     std::to_string(lim.max_subscriptions_per_session) + " per connection)");
    }
    auto owned = std::make_unique<detail::Sub>();
    sub = owned.get();
    sub->session = &s;
    sub->id = sid;
    sub->id_json = id.dump();
    sub->spec = spec;
    sub->args = std::move(args);
    sub->topic = *topic;
    s.subs.emplace(sid, std::move(owned));
    detail::Topic& t = c.topic(sub->topic);
    c.evict(t, Clock::now());
    t.subs.push_back(sub);
    if (from && *from >= t.floor && *from <= c.seq) {
      // Everything after `from` is in the history: replay it, then go live.
      auto first = std::upper_bound(t.history.begin(), t.history.end(), *from,
                                    [](Seq v, const detail::ChangePtr& ch) { return v < ch->seq; });
      c.deliver(s, Core::head(*from, "resumed", sub->id_json) + "}", *from);
      for (auto it = first; it != t.history.end(); ++it) c.deliver_change(*sub, *it);
      return;
    }
    sub->pending = true;
    snap_seq = c.seq;
  }

  // ---- snapshot, off the lock; changes meanwhile are buffered ----
  Result<json> data{std::unexpected(Error{})};
  try {
    data = spec->snapshot(snap_args);
  } catch (const std::exception& e) {
    data = std::unexpected(Error{ErrorCode::internal, std::string("snapshot failed: ") + e.what(), {}});
  }
  Locked lk(c);
  if (s.closed.load()) return;  // sub was freed with the session
  if (!data) {
    c.remove_sub(*sub);
    s.subs.erase(sid);
    const auto f = data.error().field();
    return c.send_error(s, id, data.error().message, f.empty() ? std::string_view{} : f);
  }
  std::string m = Core::head(snap_seq, "snapshot", sub->id_json);
  if (from) m += ",\"resync\":true";
  c.deliver(s, Core::with_data(std::move(m), data->dump()), snap_seq);
  sub->pending = false;
  auto buffered = std::move(sub->buffer);
  sub->buffer.clear();
  for (const auto& ch : buffered) c.deliver_change(*sub, ch);
}

// ---- Hub -------------------------------------------------------------------------------------

Hub::Hub(HubLimits limits) : core_(std::make_shared<Core>(limits)) {}
Hub::~Hub() = default;

void Hub::register_query(QuerySpec spec) {
  auto p = std::make_shared<const QuerySpec>(std::move(spec));
  Locked lk(*core_);
  core_->queries[p->name] = std::move(p);
}

Seq Hub::publish(const std::string& topic, json change) {
  auto c = std::make_shared<detail::Change>();
  c->text = change.dump();
  c->data = std::move(change);
  c->at = Clock::now();
  Core& core = *core_;
  Locked lk(core);
  const Seq seq = ++core.seq;
  c->seq = seq;
  ++core.published;
  detail::Topic& t = core.topic(topic);
  core.history_bytes += c->text.size();
  ++core.history_changes;
  t.bytes += c->text.size();
  t.history.push_back(c);
  core.evict(t, c->at);
  const detail::ChangePtr shared = std::move(c);
  for (detail::Sub* sub : t.subs) core.deliver_change(*sub, shared);
  if (shared->at - core.last_sweep > std::chrono::seconds(1)) core.sweep(shared->at);
  return seq;
}

std::shared_ptr<Session> Hub::open_session(std::function<void(std::string)> send,
                                           std::function<void(int, std::string)> close, json bound_args) {
  auto st = std::make_unique<detail::SessionState>();
  st->send = std::move(send);
  st->close = std::move(close);
  if (bound_args.is_object()) st->bound_args = std::move(bound_args);
  auto* raw = st.get();
  auto session = std::make_shared<Session>(core_, std::move(st));
  Locked lk(*core_);
  raw->last_seq = core_->seq;
  core_->sessions.insert(raw);
  return session;
}

Result<std::string> Hub::topic_for(const std::string& query, const json& args) const {
  std::shared_ptr<const QuerySpec> spec;
  {
    std::lock_guard lk(core_->mu);
    if (auto it = core_->queries.find(query); it != core_->queries.end()) spec = it->second;
  }
  if (!spec) return std::unexpected(Error::not_found("unknown query '" + query + "'"));
  try {
    return spec->topic(args);
  } catch (const std::exception& e) {
    return std::unexpected(Error::invalid("args", e.what()));
  }
}

Seq Hub::current_seq() const {
  std::lock_guard lk(core_->mu);
  return core_->seq;
}

HubStats Hub::stats() const {
  std::lock_guard lk(core_->mu);
  HubStats st;
  st.sessions = core_->sessions.size();
  for (auto* s : core_->sessions) st.subscriptions += s->subs.size();
  st.topics = core_->topics.size();
  st.history_changes = core_->history_changes;
  st.history_bytes = core_->history_bytes;
  st.published = core_->published;
  st.delivered = core_->delivered;
  st.slow_closed = core_->slow_closed;
  st.seq = core_->seq;
  return st;
}

const HubLimits& Hub::limits() const { return core_->limits; }

}  // namespace voqo::realtime
