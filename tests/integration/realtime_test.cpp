// The realtime endpoints over real loopback sockets: WebSocket /api/realtime,
// SSE /api/realtime/events and the supervisor's audio WebSocket, served by
// HttpServer with a Hub whose queries read a small in-memory "store".
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/api_key.hpp"
#include "api/authenticator.hpp"
#include "api/http_server.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "calls/supervisor.hpp"
#include "realtime/hub.hpp"
#include "support/http_client.hpp"
#include "support/ws_client.hpp"

using namespace voqo;
using namespace voqo::api;
using voqo::test::WsClient;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// A supervisor's audio leg that records what it was given.
class FakeSupervisorAudio : public calls::SupervisorAudio {
 public:
  void speak(std::span<const int16_t> pcm) override {
    std::lock_guard lk(mu);
    spoken.insert(spoken.end(), pcm.begin(), pcm.end());
  }
  void set_listener(std::function<void(std::span<const int16_t>)> f) override {
    std::lock_guard lk(mu);
    listener = std::move(f);
  }
  void leave() override { left = true; }
  /// The call's audio reaching the supervisor (as the media thread would).
  bool play(std::span<const int16_t> pcm) {
    std::function<void(std::span<const int16_t>)> f;
    {
      std::lock_guard lk(mu);
      f = listener;
    }
    if (f) f(pcm);
    return static_cast<bool>(f);
  }
  std::size_t spoken_size() {
    std::lock_guard lk(mu);
    return spoken.size();
  }
  std::mutex mu;
  std::vector<int16_t> spoken;
  std::function<void(std::span<const int16_t>)> listener;
  std::atomic<bool> left{false};
};

template <class F>
bool eventually(F&& f, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

class RealtimeTest : public ::testing::Test {
 protected:
  /// A new key of the Default workspace (or `ws`) with `scopes`: its secret.
  std::string key_with(const std::vector<std::string>& scopes, std::optional<WorkspaceId> ws = {}) {
    const auto k = access::generate_api_key();
    auto rec = store_->access().create_api_key(ws ? *ws : workspace_, "rt", k.prefix, k.hash, scopes, std::nullopt,
                                               std::nullopt, "test");
    EXPECT_TRUE(rec);
    return k.secret;
  }

  void start(realtime::HubLimits limits = {}) {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    store_ = std::move(*st);
    workspace_ = *store_->access().default_workspace();
    auth_ = std::make_unique<Authenticator>(*store_, AuthConfig{});
    key_ = key_with({"admin"});
    bearer_ = {{"Authorization", "Bearer " + key_}};
    hub_ = std::make_unique<realtime::Hub>(limits);
    hub_->register_query(realtime::QuerySpec{
        .name = "liveCall",
        .topic = [](const json& a) -> Result<std::string> {
          if (!a.contains("id") || !a["id"].is_string() || a["id"].get<std::string>().empty()) {
            return std::unexpected(Error::invalid("id", "id is required"));
          }
          return "liveCall:" + a["id"].get<std::string>();
        },
        .snapshot = [this](const json& a) -> Result<json> {
          std::lock_guard lk(mu_);
          auto it = calls_.find(a["id"].get<std::string>());
          if (it == calls_.end()) return std::unexpected(Error::not_found("no live call " + a["id"].get<std::string>()));
          return it->second;
        },
        .filter = {}});
    RealtimeOptions rt;
    rt.hub = hub_.get();
    rt.auth = auth_.get();
    rt.revalidate_every = 100ms;
    rt.open_supervisor_audio = [this](const WorkspaceId& ws,
                                      const std::string& id) -> Result<std::shared_ptr<calls::SupervisorAudio>> {
      if (ws != workspace_) return std::unexpected(Error::not_found("no live call " + id));
      if (id != "c1") return std::unexpected(Error::not_found("no live call " + id));
      return audio_;
    };
    ServerConfig cfg;
    cfg.port = 0;
    cfg.io_threads = 2;
    cfg.worker_threads = 2;
    server_ = std::make_unique<HttpServer>(cfg, router_, std::move(rt));
    server_->start();
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) server_->stop();  // with connections still open
    auth_.reset();
    if (store_) store_->close();
  }

  realtime::Seq update(const std::string& id, json call) {
    call["id"] = id;
    {
      std::lock_guard lk(mu_);
      calls_[id] = call;
    }
    return hub_->publish("liveCall:" + id, call);
  }

  static json next(WsClient& c, std::chrono::milliseconds t = 5s) {
    auto m = c.read(t);
    if (!m) return json();
    EXPECT_FALSE(m->binary);
    return json::parse(m->data);
  }

  static std::string sub(const std::string& id, const std::string& call, std::optional<realtime::Seq> from = {}) {
    json m{{"type", "subscribe"}, {"id", id}, {"query", "liveCall"}, {"args", {{"id", call}}}};
    if (from) m["fromSeq"] = *from;
    return m.dump();
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  WorkspaceId workspace_;
  std::unique_ptr<Authenticator> auth_;
  std::string key_;
  std::vector<std::pair<std::string, std::string>> bearer_;  ///< the admin key's header
  std::mutex mu_;
  std::map<std::string, json> calls_;
  Router router_;
  std::unique_ptr<realtime::Hub> hub_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<FakeSupervisorAudio> audio_ = std::make_shared<FakeSupervisorAudio>();
  uint16_t port_ = 0;
};

TEST_F(RealtimeTest, WebSocketSnapshotThenOrderedChangesThenUnsubscribe) {
  start();
  update("c1", {{"status", "connecting"}});
  WsClient c;
  ASSERT_EQ(c.connect(port_, "/api/realtime", bearer_), 101);
  ASSERT_TRUE(c.send_text(sub("s1", "c1")));
  json snap = next(c);
  ASSERT_EQ(snap["type"], "snapshot") << snap;
  EXPECT_EQ(snap["data"]["status"], "connecting");
  std::vector<realtime::Seq> seqs;
  for (const char* st : {"ringing", "connected"}) seqs.push_back(update("c1", {{"status", st}}));
  json a = next(c), b = next(c);
  EXPECT_EQ(a["type"], "change");
  EXPECT_EQ(a["data"]["status"], "ringing");
  EXPECT_EQ(a["seq"].get<realtime::Seq>(), seqs[0]);
  EXPECT_EQ(b["data"]["status"], "connected");
  EXPECT_EQ(b["seq"].get<realtime::Seq>(), seqs[1]);
  EXPECT_GT(seqs[0], snap["seq"].get<realtime::Seq>());
  ASSERT_TRUE(c.send_text(R"({"type":"unsubscribe","id":"s1"})"));
  EXPECT_EQ(next(c)["type"], "unsubscribed");
  update("c1", {{"status", "on-hold"}});
  EXPECT_FALSE(c.read(300ms));  // nothing more
}

TEST_F(RealtimeTest, CredentialsAreKeysOrTicketsAndAForeignOriginIsRefused) {
  start();
  update("c1", {});
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime"), 401);
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", {{"Authorization", "Bearer nope"}}), 401);
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime?apiKey=" + key_), 401) << "keys never travel in URLs";
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime?ticket=forged"), 401);
  EXPECT_EQ(WsClient().connect(port_, "/api/live-calls/c1/audio"), 401);
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", bearer_), 101);
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", {{"X-API-Key", key_}}), 101);
  // A key without live:read may not watch; one with live:read may not listen in (live:control).
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", {{"X-API-Key", key_with({"agents:read"})}}), 403);
  EXPECT_EQ(WsClient().connect(port_, "/api/live-calls/c1/audio", {{"X-API-Key", key_with({"live:read"})}}), 403);
  // Issue 16 §7: a page of another origin cannot open the feed, whatever the browser carries.
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", {{"X-API-Key", key_}, {"Origin", "http://evil.example"}}), 403);
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", {{"X-API-Key", key_}, {"Origin", "http://127.0.0.1:" + std::to_string(port_)}}), 101)
      << "the server's own origin";
  // A browser opens it with a ticket for exactly that path (60 s).
  Principal p;
  p.workspace = workspace_;
  p.id = "no-such-key";
  auto ticket = auth_->issue_ticket(p, "/api/realtime");
  ASSERT_TRUE(ticket) << ticket.error().message;
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime?ticket=" + ticket->first), 401)
      << "a ticket is worth what its key still is";
  auto rec = store_->access().api_key_by_hash(access::api_key_hash(key_));
  ASSERT_TRUE(rec && *rec);
  p.id = (*rec)->id;
  ticket = auth_->issue_ticket(p, "/api/realtime");
  ASSERT_TRUE(ticket) << ticket.error().message;
  WsClient c;
  ASSERT_EQ(c.connect(port_, "/api/realtime?ticket=" + ticket->first), 101);
  c.send_text(sub("s", "c1"));
  EXPECT_EQ(next(c)["type"], "snapshot");
  EXPECT_EQ(WsClient().connect(port_, "/api/live-calls/c1/audio?ticket=" + ticket->first), 401)
      << "a ticket is for one path";
  auto sse = test::http_request(port_, "GET", "/api/realtime/events?query=liveCall&id=c1");
  EXPECT_EQ(sse.status, 401);
  EXPECT_EQ(sse.header("www-authenticate"), "Bearer realm=\"voqo\"");
}

TEST_F(RealtimeTest, ARevokedKeysOpenSocketIsClosedWithinASecond) {
  start();
  update("c1", {});
  const std::string key = key_with({"live:read"});
  WsClient c;
  ASSERT_EQ(c.connect(port_, "/api/realtime", {{"X-API-Key", key}}), 101);
  ASSERT_TRUE(c.send_text(sub("s", "c1")));
  ASSERT_EQ(next(c)["type"], "snapshot");
  auto rec = store_->access().api_key_by_hash(access::api_key_hash(key));
  ASSERT_TRUE(rec && *rec);
  ASSERT_TRUE(store_->access().revoke_api_key(workspace_, (*rec)->id));
  // The server checks every revalidate_every (100 ms here, 500 ms by default):
  // the close frame arrives well within the issue's second.
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {
    auto m = c.read(100ms);
    closed = c.closed();
    (void)m;
  }
  EXPECT_TRUE(closed) << "the revoked key's socket is still open";
  EXPECT_EQ(c.close_code(), 1008);
  EXPECT_EQ(WsClient().connect(port_, "/api/realtime", {{"X-API-Key", key}}), 401) << "and the next attempt is refused";
}

TEST_F(RealtimeTest, EndpointsNeedAnUpgradeAndAreOffWithoutAHub) {
  start();
  auto plain = test::http_request(port_, "GET", "/api/realtime", {}, bearer_);
  EXPECT_EQ(plain.status, 426);
  EXPECT_EQ(plain.header("upgrade"), "websocket");
  EXPECT_EQ(test::http_request(port_, "POST", "/api/realtime", "{}", bearer_).status, 405);

  Router empty;
  ServerConfig cfg;
  cfg.port = 0;
  HttpServer bare(cfg, empty);  // existing users: no realtime options
  bare.start();
  EXPECT_EQ(WsClient().connect(bare.port(), "/api/realtime"), 404);
  EXPECT_EQ(test::http_request(bare.port(), "GET", "/api/realtime/events?query=liveCall&id=c1").status, 404);
  EXPECT_EQ(test::http_request(bare.port(), "GET", "/api/live-calls/c1/audio").status, 404);
  bare.stop();
}

TEST_F(RealtimeTest, ResumesAfterTenSecondDisconnectWithEveryMissedChangeOnce) {
  start();
  update("c1", {{"n", 0}});
  realtime::Seq last = 0;
  {
    WsClient c;
    ASSERT_EQ(c.connect(port_, "/api/realtime", bearer_), 101);
    c.send_text(sub("s1", "c1"));
    last = next(c)["seq"].get<realtime::Seq>();
    update("c1", {{"n", 1}});
    json ch = next(c);
    ASSERT_EQ(ch["data"]["n"], 1);
    last = ch["seq"].get<realtime::Seq>();
    c.close();
  }
  // Ten seconds away while the call keeps changing (and other calls too).
  std::vector<realtime::Seq> missed;
  const auto until = std::chrono::steady_clock::now() + 10s;
  for (int n = 2; std::chrono::steady_clock::now() < until; ++n) {
    missed.push_back(update("c1", {{"n", n}}));
    update("c2", {{"n", n}});
    std::this_thread::sleep_for(100ms);
  }
  WsClient c;
  ASSERT_EQ(c.connect(port_, "/api/realtime", bearer_), 101);
  c.send_text(sub("s1", "c1", last));
  json r = next(c);
  ASSERT_EQ(r["type"], "resumed") << r;
  EXPECT_EQ(r["seq"].get<realtime::Seq>(), last);
  for (std::size_t i = 0; i < missed.size(); ++i) {
    json m = next(c);
    ASSERT_EQ(m["type"], "change") << m;
    ASSERT_EQ(m["seq"].get<realtime::Seq>(), missed[i]);
    ASSERT_EQ(m["data"]["n"].get<int>(), static_cast<int>(i) + 2);
  }
  EXPECT_FALSE(c.read(300ms));  // once: nothing repeated
  const auto live = update("c1", {{"n", -1}});
  EXPECT_EQ(next(c)["seq"].get<realtime::Seq>(), live);
}

TEST_F(RealtimeTest, BadInputGetsErrorsAndTheConnectionStaysUsable) {
  start();
  update("c1", {});
  WsClient c;
  ASSERT_EQ(c.connect(port_, "/api/realtime", bearer_), 101);
  struct Case {
    std::string text, field;
  };
  for (const Case& k : std::vector<Case>{
           {"{\"type\":\"subscribe\",", ""},  // malformed JSON: no field
           {R"({"type":"subscribe","id":"a","query":"nosuch"})", "query"},
           {R"({"type":"subscribe","query":"liveCall","args":{"id":"c1"}})", "id"},
           {R"({"type":"subscribe","id":"a","query":"liveCall","args":{"id":7}})", "args.id"},
           {R"({"type":"subscribe","id":"a","query":"liveCall","args":"c1"})", "args"},
       }) {
    ASSERT_TRUE(c.send_text(k.text));
    json e = next(c);
    EXPECT_EQ(e["type"], "error") << k.text;
    EXPECT_TRUE(e.contains("seq"));
    EXPECT_FALSE(e["message"].get<std::string>().empty());
    if (!k.field.empty()) {
      EXPECT_EQ(e["field"], k.field) << k.text;
    }
  }
  ASSERT_TRUE(c.send_text(sub("ok", "c1")));
  EXPECT_EQ(next(c)["type"], "snapshot");
}

TEST_F(RealtimeTest, TenThousandSubscribesFromOneClientGetErrorsServerStaysHealthy) {
  start();
  update("c1", {});
  WsClient spam;
  ASSERT_EQ(spam.connect(port_, "/api/realtime", bearer_), 101);
  // All sent before reading (one thread per client): the ~1 MB of answers
  // waits in socket buffers and the server's bounded queue.
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(spam.send_text(sub("s" + std::to_string(i), "c1")));
  std::size_t snapshots = 0, errors = 0;
  for (int i = 0; i < 10'000; ++i) {
    json m = next(spam, 20s);
    if (m.is_null()) break;
    if (m["type"] == "snapshot") ++snapshots;
    if (m["type"] == "error") ++errors;
  }
  EXPECT_EQ(snapshots, 100u);
  EXPECT_EQ(errors, 9'900u);
  EXPECT_EQ(hub_->stats().subscriptions, 100u);
  // Everyone else is served, and the spammer still gets its 100 topics' changes.
  WsClient other;
  ASSERT_EQ(other.connect(port_, "/api/realtime", bearer_), 101);
  other.send_text(sub("x", "c1"));
  EXPECT_EQ(next(other)["type"], "snapshot");
  update("c1", {{"status", "ringing"}});
  EXPECT_EQ(next(other)["type"], "change");
  std::size_t changes = 0;
  while (auto m = spam.read(2s)) changes += json::parse(m->data)["type"] == "change";
  EXPECT_EQ(changes, 100u);
}

TEST_F(RealtimeTest, OversizedFrameIsRefusedWith1009) {
  start();
  update("c1", {});
  WsClient big, other;
  ASSERT_EQ(big.connect(port_, "/api/realtime", bearer_), 101);
  ASSERT_EQ(other.connect(port_, "/api/realtime", bearer_), 101);
  big.send_text(std::string(100 * 1024, ' '));
  EXPECT_FALSE(big.read(5s));
  EXPECT_TRUE(big.closed());
  EXPECT_EQ(big.close_code(), 1009);
  EXPECT_TRUE(big.closed_cleanly()) << "the rest of the message is drained, not reset";
  other.send_text(sub("s", "c1"));
  EXPECT_EQ(next(other)["type"], "snapshot");
}

TEST_F(RealtimeTest, SlowConsumerIsClosedWith1008WhileAnotherKeepsReceiving) {
  start();
  update("c1", {});
  WsClient slow, fast;
  ASSERT_EQ(slow.connect(port_, "/api/realtime", bearer_), 101);
  ASSERT_EQ(fast.connect(port_, "/api/realtime", bearer_), 101);
  slow.send_text(sub("s", "c1"));
  ASSERT_EQ(next(slow)["type"], "snapshot");  // then it stops reading
  fast.send_text(sub("f", "c1"));
  ASSERT_EQ(next(fast)["type"], "snapshot");

  std::atomic<int> fast_got{0};
  std::atomic<bool> fast_broken{false};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    int expect_n = 0;
    while (!stop.load()) {
      auto m = fast.read(200ms);
      if (!m) {
        if (fast.closed()) fast_broken = true;
        continue;
      }
      json j = json::parse(m->data);
      if (j["type"] != "change" || j["data"]["n"] != expect_n++) fast_broken = true;
      ++fast_got;
    }
  });
  const std::string pad(1024, 'x');
  int published = 0;
  // Publish ~1 KB changes, pacing on the fast reader, until the hub drops the
  // slow one (its kernel buffers plus 4 MiB of queue) — at most 100 MB.
  while (hub_->stats().slow_closed == 0 && published < 100'000) {
    for (int i = 0; i < 256; ++i) update("c1", {{"n", published++}, {"pad", pad}});
    ASSERT_TRUE(eventually([&] { return fast_got.load() >= published || fast_broken.load(); }));
  }
  ASSERT_EQ(hub_->stats().slow_closed, 1u) << "published " << published;
  // The slow client drains what reached it, then sees the close frame.
  std::size_t drained = 0;
  while (slow.read(5s)) ++drained;
  EXPECT_TRUE(slow.closed());
  EXPECT_EQ(slow.close_code(), 1008);
  EXPECT_NE(slow.close_reason().find("slow consumer"), std::string::npos) << slow.close_reason();
  EXPECT_LT(drained, static_cast<std::size_t>(published));
  // The fast one got everything, in order, and still does.
  for (int i = 0; i < 100; ++i) update("c1", {{"n", published++}});
  EXPECT_TRUE(eventually([&] { return fast_got.load() >= published; }));
  stop = true;
  reader.join();
  EXPECT_FALSE(fast_broken.load());
  EXPECT_EQ(fast_got.load(), published);
  EXPECT_EQ(hub_->stats().sessions, 1u);
}

/// A raw SSE reader: sends the request, then collects what arrives.
class SseReader {
 public:
  SseReader(uint16_t port, const std::string& target, const std::string& extra_headers = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" + extra_headers +
                      "\r\n";
    (void)::write(fd_, req.data(), req.size());
  }
  ~SseReader() { ::close(fd_); }
  /// Waits until the stream holds `n` events (blank-line separated, comments aside).
  std::vector<std::map<std::string, std::string>> events(std::size_t n, std::chrono::milliseconds limit = 5s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto ev = parse();
      if (ev.size() >= n || eof_ || std::chrono::steady_clock::now() > end) return ev;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        ssize_t r = ::read(fd_, buf, sizeof buf);
        if (r <= 0) eof_ = true;
        else data_.append(buf, static_cast<std::size_t>(r));
      }
    }
  }
  std::string head() const { return data_.substr(0, data_.find("\r\n\r\n")); }
  bool eof() const { return eof_; }

 private:
  std::vector<std::map<std::string, std::string>> parse() const {
    std::vector<std::map<std::string, std::string>> out;
    auto body = data_.find("\r\n\r\n");
    if (body == std::string::npos) return out;
    std::string_view rest = std::string_view(data_).substr(body + 4);
    for (std::size_t e; (e = rest.find("\n\n")) != std::string_view::npos; rest.remove_prefix(e + 2)) {
      std::map<std::string, std::string> ev;
      std::string_view block = rest.substr(0, e);
      while (!block.empty()) {
        auto nl = block.find('\n');
        std::string_view line = block.substr(0, nl);
        if (auto c = line.find(": "); c != std::string_view::npos && !line.starts_with(":")) {
          ev[std::string(line.substr(0, c))] = std::string(line.substr(c + 2));
        }
        block.remove_prefix(nl == std::string_view::npos ? block.size() : nl + 1);
      }
      if (ev.contains("data")) out.push_back(std::move(ev));
    }
    return out;
  }
  int fd_ = -1;
  std::string data_;
  bool eof_ = false;
};

TEST_F(RealtimeTest, ServerSentEventsStreamAndResumeWithLastEventId) {
  start();
  update("c1", {{"status", "ringing"}});
  std::string last_id;
  {
    SseReader r(port_, "/api/realtime/events?query=liveCall&id=c1", "Authorization: Bearer " + key_ + "\r\n");
    auto ev = r.events(1);
    ASSERT_EQ(ev.size(), 1u) << r.head();
    EXPECT_NE(r.head().find("200"), std::string::npos);
    EXPECT_NE(r.head().find("text/event-stream"), std::string::npos);
    EXPECT_EQ(ev[0]["event"], "snapshot");
    json snap = json::parse(ev[0]["data"]);
    EXPECT_EQ(ev[0]["id"], std::to_string(snap["seq"].get<realtime::Seq>()));
    EXPECT_EQ(snap["data"]["status"], "ringing");
    auto s = update("c1", {{"status", "connected"}});
    ev = r.events(2);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1]["event"], "change");
    EXPECT_EQ(ev[1]["id"], std::to_string(s));
    last_id = ev[1]["id"];
  }
  ASSERT_TRUE(eventually([&] { return hub_->stats().sessions == 0; }));
  auto missed = update("c1", {{"status", "on-hold"}});
  SseReader again(port_, "/api/realtime/events?query=liveCall&id=c1",
                  "Authorization: Bearer " + key_ + "\r\nLast-Event-ID: " + last_id + "\r\n");
  auto ev = again.events(2);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0]["event"], "resumed");
  EXPECT_EQ(ev[1]["event"], "change");
  EXPECT_EQ(ev[1]["id"], std::to_string(missed));

  // Bad requests are answered before streaming.
  EXPECT_EQ(test::http_request(port_, "GET", "/api/realtime/events?query=nosuch", {}, bearer_).status, 404);
  auto bad = test::http_request(port_, "GET", "/api/realtime/events?query=liveCall", {}, bearer_);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(json::parse(bad.body)["field"], "id");
  EXPECT_EQ(test::http_request(port_, "GET", "/api/realtime/events?query=liveCall&id=c1&lastEventId=x", {}, bearer_).status,
            422);
  // A snapshot error ends the stream with an error event.
  SseReader ghost(port_, "/api/realtime/events?query=liveCall&id=ghost", "Authorization: Bearer " + key_ + "\r\n");
  auto gev = ghost.events(1);
  ASSERT_EQ(gev.size(), 1u);
  EXPECT_EQ(gev[0]["event"], "error");
  ghost.events(2, 3s);
  EXPECT_TRUE(ghost.eof());
}

TEST_F(RealtimeTest, SupervisorAudioBridgesPcmBothWays) {
  start();
  EXPECT_EQ(WsClient().connect(port_, "/api/live-calls/nobody/audio", bearer_), 404);
  WsClient c;
  ASSERT_EQ(c.connect(port_, "/api/live-calls/c1/audio", bearer_), 101);
  // Supervisor → call: 20 ms at 16 kHz, little-endian.
  std::vector<int16_t> mic(320);
  for (std::size_t i = 0; i < mic.size(); ++i) mic[i] = static_cast<int16_t>(i * 97 - 15000);
  std::string wire(mic.size() * 2, '\0');
  for (std::size_t i = 0; i < mic.size(); ++i) {
    wire[2 * i] = static_cast<char>(static_cast<uint16_t>(mic[i]) & 0xff);
    wire[2 * i + 1] = static_cast<char>(static_cast<uint16_t>(mic[i]) >> 8);
  }
  ASSERT_TRUE(c.send_binary(wire));
  ASSERT_TRUE(eventually([&] { return audio_->spoken_size() >= mic.size(); }));
  {
    std::lock_guard lk(audio_->mu);
    EXPECT_EQ(audio_->spoken, mic);
  }
  // Call → supervisor.
  ASSERT_TRUE(eventually([&] { return audio_->play(mic); }));
  auto m = c.read(5s);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->binary);
  EXPECT_EQ(m->data, wire);
  EXPECT_FALSE(audio_->left.load());
  c.close();
  EXPECT_TRUE(eventually([&] { return audio_->left.load(); }));
}

}  // namespace
