// The realtime hub without a transport: a fake client records what `send`
// and `close` receive.
#include "realtime/hub.hpp"

#include <gtest/gtest.h>

#include <memory>

#include <map>
#include <mutex>
#include <thread>

using namespace voqo::realtime;
using json = nlohmann::json;

namespace {

/// A client: records messages; acknowledges bytes as sent unless `stalled`.
struct FakeClient {
  std::mutex mu;
  std::vector<json> got;
  std::optional<std::pair<int, std::string>> closed_with;
  bool stalled = false;
  std::shared_ptr<Session> session;

  FakeClient(Hub& hub, bool stall = false) : stalled(stall) {
    session = hub.open_session(
        [this](std::string text) {
          std::lock_guard lk(mu);
          got.push_back(json::parse(text));
          EXPECT_EQ(text.rfind("{\"seq\":", 0), 0u) << text;  // transports label frames from this prefix
          if (!stalled) pending_ack += text.size();
        },
        [this](int code, std::string reason) {
          std::lock_guard lk(mu);
          closed_with.emplace(code, std::move(reason));
        });
  }
  void send(const json& j) { send_text(j.dump()); }
  void send_text(std::string_view t) {
    session->on_message(t);
    ack();
  }
  void ack() {
    std::size_t n;
    {
      std::lock_guard lk(mu);
      n = std::exchange(pending_ack, 0);
    }
    session->sent(n);
  }
  std::vector<json> take() {
    std::lock_guard lk(mu);
    return std::exchange(got, {});
  }
  json subscribe(const std::string& id, const std::string& query, json args = json::object(),
                 std::optional<Seq> from = std::nullopt) {
    json m{{"type", "subscribe"}, {"id", id}, {"query", query}, {"args", std::move(args)}};
    if (from) m["fromSeq"] = *from;
    send(m);
    std::lock_guard lk(mu);  // the first message; the rest stay for take()
    EXPECT_FALSE(got.empty());
    if (got.empty()) return json();
    json first = got.front();
    got.erase(got.begin());
    return first;
  }
  std::size_t pending_ack = 0;
};

/// A store of calls: liveCall {id} → topic liveCall:<id>; liveCalls {status?} filtered.
struct World {
  std::mutex mu;
  std::map<std::string, json> calls;
  std::function<void()> during_snapshot;  // runs inside snapshot(), e.g. to publish
  Hub hub;

  explicit World(HubLimits limits = {}) : hub(limits) {
    hub.register_query(QuerySpec{
        .name = "liveCall",
        .topic = [](const json& a) -> voqo::Result<std::string> {
          auto it = a.find("id");
          if (it == a.end() || !it->is_string() || it->get<std::string>().empty()) {
            return std::unexpected(voqo::Error::invalid("id", "id must be a non-empty string"));
          }
          return "liveCall:" + it->get<std::string>();
        },
        .snapshot = [this](const json& a) -> voqo::Result<json> {
          if (during_snapshot) during_snapshot();
          std::lock_guard lk(mu);
          auto it = calls.find(a["id"].get<std::string>());
          if (it == calls.end()) return std::unexpected(voqo::Error::not_found("no live call"));
          return it->second;
        },
        .filter = {}});
    hub.register_query(QuerySpec{
        .name = "liveCalls",
        .topic = [](const json& a) -> voqo::Result<std::string> {
          if (a.contains("status") && !a["status"].is_string()) {
            return std::unexpected(voqo::Error::invalid("status", "status must be a string"));
          }
          return std::string("liveCalls");
        },
        .snapshot = [this](const json& a) -> voqo::Result<json> {
          std::lock_guard lk(mu);
          json out = json::array();
          for (auto& [id, c] : calls) {
            if (!a.contains("status") || c["status"] == a["status"]) out.push_back(c);
          }
          return out;
        },
        .filter = [](const json& a, const json& change) -> std::optional<json> {
          if (a.contains("status") && change.value("status", "") != a["status"]) return std::nullopt;
          return change;
        }});
  }
  Seq update(const std::string& id, json call) {
    call["id"] = id;
    {
      std::lock_guard lk(mu);
      calls[id] = call;
    }
    hub.publish("liveCalls", call);
    return hub.publish("liveCall:" + id, call);
  }
};

TEST(RealtimeHub, SnapshotThenChangesInSeqOrder) {
  World w;
  w.update("c1", {{"status", "ringing"}});
  FakeClient cl(w.hub);
  json snap = cl.subscribe("s1", "liveCall", {{"id", "c1"}});
  ASSERT_EQ(snap["type"], "snapshot");
  EXPECT_EQ(snap["id"], "s1");
  EXPECT_EQ(snap["data"]["status"], "ringing");
  EXPECT_FALSE(snap.contains("resync"));
  const Seq s0 = snap["seq"].get<Seq>();
  EXPECT_EQ(s0, w.hub.current_seq());

  w.update("c1", {{"status", "connected"}});
  w.update("c2", {{"status", "ringing"}});  // another topic: not delivered
  w.update("c1", {{"status", "on-hold"}});
  auto msgs = cl.take();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0]["type"], "change");
  EXPECT_EQ(msgs[0]["id"], "s1");
  EXPECT_EQ(msgs[0]["data"]["status"], "connected");
  EXPECT_EQ(msgs[1]["data"]["status"], "on-hold");
  EXPECT_GT(msgs[0]["seq"].get<Seq>(), s0);
  EXPECT_GT(msgs[1]["seq"].get<Seq>(), msgs[0]["seq"].get<Seq>());
}

TEST(RealtimeHub, FilterGivesEachSubscriberItsView) {
  World w;
  FakeClient cl(w.hub);
  EXPECT_EQ(cl.subscribe("ringing", "liveCalls", {{"status", "ringing"}})["type"], "snapshot");
  EXPECT_EQ(cl.subscribe("all", "liveCalls")["type"], "snapshot");
  w.update("c1", {{"status", "ringing"}});
  w.update("c1", {{"status", "connected"}});
  auto msgs = cl.take();
  std::map<std::string, int> per_id;
  for (auto& m : msgs) ++per_id[m["id"].get<std::string>()];
  EXPECT_EQ(per_id["all"], 2);
  EXPECT_EQ(per_id["ringing"], 1);
}

TEST(RealtimeHub, ChangeDuringSnapshotIsDeliveredAfterItNeverBefore) {
  World w;
  w.update("c1", {{"status", "ringing"}});
  Seq during = 0;
  w.during_snapshot = [&] {
    w.during_snapshot = nullptr;
    // A publisher racing the snapshot: the change lands before the store read.
    during = w.update("c1", {{"status", "connected"}});
  };
  FakeClient cl(w.hub);
  cl.send({{"type", "subscribe"}, {"id", "s1"}, {"query", "liveCall"}, {"args", {{"id", "c1"}}}});
  auto msgs = cl.take();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0]["type"], "snapshot");
  EXPECT_EQ(msgs[1]["type"], "change");
  EXPECT_EQ(msgs[1]["seq"].get<Seq>(), during);
  EXPECT_LT(msgs[0]["seq"].get<Seq>(), during);
  // Idempotent: the snapshot already shows it, the change repeats it.
  EXPECT_EQ(msgs[1]["data"]["status"], "connected");
}

TEST(RealtimeHub, ConcurrentPublishersNeverLoseOrReorderAroundSnapshot) {
  World w;
  std::atomic<bool> stop{false};
  std::thread pub([&] {
    for (int i = 0; !stop.load(); ++i) w.update("c1", {{"n", i}});
  });
  // Owned here: a client that subscribed before the first update is skipped
  // below, and must still be freed (LeakSanitizer found it leaked).
  std::vector<std::unique_ptr<FakeClient>> clients;
  for (int k = 0; k < 20; ++k) {
    auto cl = std::make_unique<FakeClient>(w.hub);
    cl->send({{"type", "subscribe"}, {"id", "s"}, {"query", "liveCall"}, {"args", {{"id", "c1"}}}});
    clients.push_back(std::move(cl));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  pub.join();
  const Seq last = w.hub.current_seq();
  for (auto& cl : clients) {
    auto msgs = cl->take();
    ASSERT_FALSE(msgs.empty());
    if (msgs[0]["type"] == "error") continue;  // subscribed before the first update: no call yet
    ASSERT_EQ(msgs[0]["type"], "snapshot");
    Seq prev = msgs[0]["seq"].get<Seq>();
    int prev_n = msgs[0]["data"]["n"].get<int>();
    for (std::size_t i = 1; i < msgs.size(); ++i) {
      ASSERT_GT(msgs[i]["seq"].get<Seq>(), prev);
      // Every change on the topic (they are consecutive n on one topic)
      // after the snapshot's state, possibly repeating the snapshot's own.
      const int n = msgs[i]["data"]["n"].get<int>();
      ASSERT_TRUE(n == prev_n + 1 || (i == 1 && n <= prev_n + 1)) << n << " after " << prev_n;
      prev = msgs[i]["seq"].get<Seq>();
      prev_n = n;
    }
    EXPECT_LE(prev, last);
  }
}

TEST(RealtimeHub, ResumeReplaysEveryMissedChangeExactlyOnce) {
  World w;
  w.update("c1", {{"n", 0}});
  Seq last_seen;
  {
    FakeClient cl(w.hub);
    last_seen = cl.subscribe("s1", "liveCall", {{"id", "c1"}})["seq"].get<Seq>();
    w.update("c1", {{"n", 1}});
    last_seen = cl.take().back()["seq"].get<Seq>();
  }  // disconnect
  std::vector<Seq> missed;
  for (int i = 2; i < 12; ++i) {
    missed.push_back(w.update("c1", {{"n", i}}));
    w.update("other", {{"n", i}});
  }
  FakeClient again(w.hub);
  json first = again.subscribe("s1", "liveCall", {{"id", "c1"}}, last_seen);
  EXPECT_EQ(first["type"], "resumed");
  EXPECT_EQ(first["seq"].get<Seq>(), last_seen);
  auto msgs = again.take();
  ASSERT_EQ(msgs.size(), missed.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(msgs[i]["type"], "change");
    EXPECT_EQ(msgs[i]["seq"].get<Seq>(), missed[i]);
    EXPECT_EQ(msgs[i]["data"]["n"], static_cast<int>(i) + 2);
  }
  // Live again afterwards.
  Seq live = w.update("c1", {{"n", 99}});
  auto after = again.take();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["seq"].get<Seq>(), live);
}

TEST(RealtimeHub, ResyncWhenHistoryNoLongerReachesBack) {
  World w(HubLimits{.history_per_topic = 5});
  w.update("c1", {{"n", 0}});
  FakeClient cl(w.hub);
  const Seq seen = cl.subscribe("s1", "liveCall", {{"id", "c1"}})["seq"].get<Seq>();
  cl.session->close();
  for (int i = 1; i <= 6; ++i) w.update("c1", {{"n", i}});  // 6 > 5: the first is gone
  FakeClient again(w.hub);
  json m = again.subscribe("s1", "liveCall", {{"id", "c1"}}, seen);
  EXPECT_EQ(m["type"], "snapshot");
  EXPECT_EQ(m["resync"], true);
  EXPECT_EQ(m["data"]["n"], 6);
  EXPECT_TRUE(again.take().empty());

  // Just inside the window: a replay of 5.
  FakeClient third(w.hub);
  json r = third.subscribe("s1", "liveCall", {{"id", "c1"}}, w.hub.current_seq() - 2 * 5);
  EXPECT_EQ(r["type"], "resumed");
  EXPECT_EQ(third.take().size(), 5u);
}

TEST(RealtimeHub, ResyncAfterAgeOrRestartOrFutureSeq) {
  World w(HubLimits{.history_age = std::chrono::milliseconds(20)});
  const Seq s = w.update("c1", {{"n", 1}});
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  w.update("c2", {{"n", 1}});
  FakeClient cl(w.hub);
  cl.send({{"type", "subscribe"}, {"id", "s"}, {"query", "liveCall"}, {"args", {{"id", "c1"}}}, {"fromSeq", s - 1}});
  auto m = cl.take();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["resync"], true) << m[0];  // the change at `s` aged out

  // A seq from a hub that ran before this one (a server restart).
  World later;
  later.update("c1", {{"n", 1}});
  FakeClient c2(later.hub);
  EXPECT_EQ(c2.subscribe("s", "liveCall", {{"id", "c1"}}, s)["resync"], true);
  // A seq from the future.
  EXPECT_EQ(c2.subscribe("t", "liveCall", {{"id", "c1"}}, later.hub.current_seq() + 10)["resync"], true);
}

TEST(RealtimeHub, BadInputGetsErrorsNamingTheField) {
  World w;
  w.update("c1", {});
  FakeClient cl(w.hub);
  auto one = [&](std::string_view text) {
    cl.send_text(text);
    auto m = cl.take();
    EXPECT_EQ(m.size(), 1u) << text;
    return m.empty() ? json() : m[0];
  };
  json e = one("{not json");
  EXPECT_EQ(e["type"], "error");
  EXPECT_TRUE(e["id"].is_null());
  EXPECT_NE(e["message"].get<std::string>().find("malformed"), std::string::npos);
  EXPECT_TRUE(e.contains("seq"));
  EXPECT_EQ(one("[1,2]")["type"], "error");
  EXPECT_EQ(one(R"({"type":"subscribe","query":"liveCall","args":{"id":"c1"}})")["field"], "id");
  EXPECT_EQ(one(R"({"type":"subscribe","id":7,"query":"liveCall"})")["field"], "id");
  EXPECT_EQ(one(R"({"id":"s1","query":"liveCall"})")["field"], "type");
  EXPECT_EQ(one(R"({"type":"hello","id":"s1"})")["field"], "type");
  json uq = one(R"({"type":"subscribe","id":"s1","query":"deadCalls"})");
  EXPECT_EQ(uq["field"], "query");
  EXPECT_EQ(uq["id"], "s1");
  EXPECT_NE(uq["message"].get<std::string>().find("deadCalls"), std::string::npos);
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1"})")["field"], "query");
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1","query":"liveCall","args":{}})")["field"], "args.id");
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1","query":"liveCall","args":[1]})")["field"], "args");
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1","query":"liveCalls","args":{"status":3}})")["field"], "args.status");
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1","query":"liveCall","args":{"id":"c1"},"fromSeq":-1})")["field"],
            "fromSeq");
  EXPECT_EQ(one(R"({"type":"subscribe","id":"","query":"liveCall","args":{"id":"c1"}})")["field"], "id");
  EXPECT_EQ(one(R"({"type":"subscribe","id":")" + std::string(200, 'x') + R"(","query":"liveCalls"})")["field"], "id");
  EXPECT_EQ(one(R"({"type":"unsubscribe","id":"nope"})")["field"], "id");
  json nf = one(R"({"type":"subscribe","id":"s9","query":"liveCall","args":{"id":"ghost"}})");
  EXPECT_EQ(nf["type"], "error");  // the snapshot's own error
  EXPECT_EQ(w.hub.stats().subscriptions, 0u);
  // Still healthy: a good subscription works, a duplicate id is refused.
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1","query":"liveCall","args":{"id":"c1"}})")["type"], "snapshot");
  EXPECT_EQ(one(R"({"type":"subscribe","id":"s1","query":"liveCalls"})")["field"], "id");
  EXPECT_FALSE(cl.closed_with);
}

TEST(RealtimeHub, UnsubscribeStopsChangesAndCloseDropsSubscriptions) {
  World w;
  w.update("c1", {});
  FakeClient cl(w.hub);
  cl.subscribe("s1", "liveCall", {{"id", "c1"}});
  cl.subscribe("s2", "liveCalls");
  EXPECT_EQ(w.hub.stats().subscriptions, 2u);
  cl.send({{"type", "unsubscribe"}, {"id", "s1"}});
  auto m = cl.take();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["type"], "unsubscribed");
  w.update("c1", {});
  m = cl.take();
  ASSERT_EQ(m.size(), 1u);  // only s2's
  EXPECT_EQ(m[0]["id"], "s2");
  cl.session->close();
  EXPECT_TRUE(cl.session->closed());
  EXPECT_EQ(w.hub.stats().subscriptions, 0u);
  EXPECT_EQ(w.hub.stats().sessions, 0u);
  w.update("c1", {});
  EXPECT_TRUE(cl.take().empty());
  EXPECT_FALSE(cl.closed_with);  // the transport closed it: no callback
}

TEST(RealtimeHub, TenThousandSubscribesFromOneClientAreBounded) {
  World w;
  FakeClient cl(w.hub);
  std::size_t snapshots = 0, errors = 0;
  for (int i = 0; i < 10'000; ++i) {
    cl.send({{"type", "subscribe"}, {"id", "s" + std::to_string(i)}, {"query", "liveCalls"}});
    for (auto& m : cl.take()) {
      if (m["type"] == "snapshot") ++snapshots;
      if (m["type"] == "error") {
        ++errors;
        EXPECT_NE(m["message"].get<std::string>().find("too many subscriptions"), std::string::npos);
      }
    }
  }
  EXPECT_EQ(snapshots, 100u);
  EXPECT_EQ(errors, 9'900u);
  const auto st = w.hub.stats();
  EXPECT_EQ(st.subscriptions, 100u);
  EXPECT_LE(st.topics, 1u);
  // Other clients are unaffected.
  FakeClient other(w.hub);
  EXPECT_EQ(other.subscribe("x", "liveCalls")["type"], "snapshot");
}

TEST(RealtimeHub, SlowConsumerIsClosedOthersKeepReceiving) {
  World w(HubLimits{.max_queued_bytes = 64 * 1024});
  w.update("c1", {});
  FakeClient slow(w.hub, /*stall=*/true), fast(w.hub);
  slow.subscribe("s", "liveCall", {{"id", "c1"}});
  fast.subscribe("s", "liveCall", {{"id", "c1"}});
  const std::string pad(1000, 'x');
  int published = 0;
  for (; published < 1000 && !slow.closed_with; ++published) {
    w.update("c1", {{"pad", pad}, {"n", published}});
    fast.ack();
  }
  ASSERT_TRUE(slow.closed_with);
  EXPECT_EQ(slow.closed_with->first, kClosePolicy);
  EXPECT_NE(slow.closed_with->second.find("slow consumer"), std::string::npos);
  EXPECT_TRUE(slow.session->closed());
  EXPECT_LT(slow.take().size(), 70u);  // bounded by 64 KiB of ~1 KB messages
  EXPECT_EQ(w.hub.stats().slow_closed, 1u);
  for (int i = 0; i < 100; ++i, ++published) {
    w.update("c1", {{"pad", pad}, {"n", published}});
    fast.ack();
  }
  auto got = fast.take();
  EXPECT_EQ(got.size(), static_cast<std::size_t>(published));
  EXPECT_FALSE(fast.closed_with);
  EXPECT_EQ(w.hub.stats().sessions, 1u);
}

TEST(RealtimeHub, OversizedMessageClosesWith1009) {
  World w;
  FakeClient cl(w.hub);
  cl.send_text(std::string(70 * 1024, ' '));
  ASSERT_TRUE(cl.closed_with);
  EXPECT_EQ(cl.closed_with->first, kCloseTooBig);
  EXPECT_TRUE(cl.session->closed());
}

TEST(RealtimeHub, TooManyChangesDuringSnapshotClosesWith1013) {
  World w(HubLimits{.max_pending_changes = 10});
  w.update("c1", {});
  w.during_snapshot = [&] {
    w.during_snapshot = nullptr;
    for (int i = 0; i < 11; ++i) w.update("c1", {{"n", i}});
  };
  FakeClient cl(w.hub);
  cl.send({{"type", "subscribe"}, {"id", "s1"}, {"query", "liveCall"}, {"args", {{"id", "c1"}}}});
  ASSERT_TRUE(cl.closed_with);
  EXPECT_EQ(cl.closed_with->first, kCloseTryLater);
  EXPECT_TRUE(cl.take().empty());
  EXPECT_EQ(w.hub.stats().subscriptions, 0u);
}

TEST(RealtimeHub, QuietTopicsArePrunedHistoryIsBounded) {
  World w(HubLimits{.history_per_topic = 100});
  for (int i = 0; i < 1000; ++i) w.hub.publish("t", {{"n", i}});
  auto st = w.hub.stats();
  EXPECT_EQ(st.history_changes, 100u);
  FakeClient cl(w.hub);
  for (int i = 0; i < 50; ++i) {
    cl.send({{"type", "subscribe"}, {"id", "s" + std::to_string(i)}, {"query", "liveCall"},
             {"args", {{"id", "nobody" + std::to_string(i)}}}});  // not found: no topic stays
  }
  EXPECT_EQ(w.hub.stats().topics, 1u);
}

}  // namespace
