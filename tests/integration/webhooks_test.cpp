// Webhook delivery end to end: the outcome loop's delivery thread against a
// local receiver that is down (port closed, then answering 503) for a while
// and then comes back. Every event arrives exactly once (by X-Voqo-Event-Id),
// in seq order per call, signed with the webhook_secret; the rows keep the
// attempts, failures and last status. And the SSRF guard: loopback, private
// and metadata receivers are refused without a connection unless the setting
// allow_private_tool_hosts is on (the receivers here are on loopback, so the
// delivery tests turn it on); no redirect is followed, no proxy from the
// environment is used, and a failed reply's body is kept nowhere.
#include <gtest/gtest.h>
#include <sodium.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/id.hpp"
#include "core/time.hpp"
#include "postcall/outcome_loop.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/connection_counter.hpp"
#include "support/replay_server.hpp"
#include "support/test_support.hpp"
#include "support/webhook_receiver.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;
using namespace std::chrono_literals;

namespace {

using Rows = std::vector<std::vector<std::string>>;

class webhooks : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
  }
  void TearDown() override {
    loop_.reset();
    st_.reset();
  }

  /// An agent with `webhook_url`, and the loop started. `allow_private`:
  /// the setting allow_private_tool_hosts (the receivers are on loopback).
  void start(const std::string& webhook_url, postcall::OutcomeLoopConfig config, bool allow_private = true) {
    allow_private_hosts(allow_private);
    agent_id_ = agent_with(webhook_url);
    auto made = postcall::OutcomeLoop::create(*st_, config);
    ASSERT_TRUE(made) << made.error().message;
    loop_ = std::move(*made);
  }

  void allow_private_hosts(bool on) {
    auto put = st_->settings().put(test::default_workspace(*st_), "allow_private_tool_hosts", on);
    ASSERT_TRUE(put) << put.error().message;
  }

  std::string agent_with(const std::string& webhook_url) {
    const std::string name = agents_made_++ == 0 ? "Ava" : "Ava " + std::to_string(agents_made_);  // names are unique
    auto agent = st_->agents().create(test::default_workspace(*st_), 
        {{"name", name}, {"systemPrompt", "You are a helpful sales agent."}, {"webhookUrl", webhook_url}});
    EXPECT_TRUE(agent) << agent.error().message;
    return agent ? std::string((*agent)["id"]) : std::string();
  }

  static postcall::OutcomeLoopConfig fast(int max_attempts) {
    postcall::OutcomeLoopConfig c;
    c.webhook_backoff_base = 10ms;
    c.webhook_backoff_max = 150ms;
    c.webhook_max_attempts = max_attempts;
    c.webhook_timeout = 3s;
    return c;
  }

  /// Answers the call (call.started), stores its record and ends it (call.ended).
  std::string run_call(int n) {
    store::CallRecord r;
    r.id = new_id();
    r.workspace_id = test::default_workspace(*st_);
    r.agent_id = agent_id_;
    r.direction = "inbound";
    r.status = "completed";
    r.from_phone = "+1415555010" + std::to_string(n);
    r.to_phone = "+14155550100";
    r.summary = "Call " + std::to_string(n);
    const auto answered_at = std::chrono::system_clock::now();
    r.started_at = to_iso8601(answered_at);
    calls::CallInfo info;
    info.call_id = r.id;
    info.workspace_id = r.workspace_id.value;
    info.agent_id = agent_id_;
    info.direction = "inbound";
    info.from_phone = r.from_phone;
    info.to_phone = r.to_phone;
    EXPECT_TRUE(loop_->queue_call_started(info, answered_at));
    r.ended_at = now_iso8601();
    r.system_info = {{"callerSpoke", true}};
    store::CallStore calls(st_->db());
    EXPECT_TRUE(calls.insert(r));
    auto stored = st_->calls().get(test::default_workspace(*st_), r.id);
    EXPECT_TRUE(stored);
    auto outcome = calls::call_outcome_from_record(*stored);
    EXPECT_TRUE(outcome);
    EXPECT_TRUE(loop_->post_call(*outcome));
    return r.id;
  }

  Rows rows(const std::string& sql) {
    return st_->db().read([&](store::Connection& c) {
      Rows out;
      auto st = c.prepare(sql);
      EXPECT_TRUE(st) << st.error().message;
      if (!st) return out;
      for (;;) {
        auto row = (*st)->step();
        if (!row || !*row) break;
        std::vector<std::string> r;
        for (int col = 0; col < (*st)->column_count(); ++col)
          r.emplace_back((*st)->is_null(col) ? "<null>" : std::string((*st)->column_text(col)));
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  bool eventually(const std::function<bool()>& pred, std::chrono::seconds limit = 20s) {
    for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }

  int count(const std::string& sql) { return std::stoi(rows(sql).at(0).at(0)); }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  std::unique_ptr<postcall::OutcomeLoop> loop_;
  std::string agent_id_;
  int agents_made_ = 0;
};

/// Checks X-Voqo-Signature independently: HMAC-SHA256(secret, t + "." + body).
void expect_signed(const test::ReceivedHook& h, const std::string& secret) {
  const auto sig = h.header("x-voqo-signature");
  ASSERT_EQ(sig.rfind("t=", 0), 0u) << sig;
  const auto comma = sig.find(",v1=");
  ASSERT_NE(comma, std::string::npos) << sig;
  const std::string t = sig.substr(2, comma - 2);
  EXPECT_EQ(t, h.header("x-voqo-timestamp"));
  const std::string message = t + "." + h.body;
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  EXPECT_EQ(sig.substr(comma + 4), std::string(hex));
}

TEST_F(webhooks, ReceiverDownThenBackGetsEveryEventOnceInOrderPerCall) {
  test::WebhookReceiver receiver(200);
  receiver.close_port();  // down: connections refused
  start(receiver.url(), fast(10000));

  std::vector<std::string> calls;
  for (int n = 1; n <= 3; ++n) calls.push_back(run_call(n));
  ASSERT_TRUE(loop_->job_completed(
      {{"id", "job-1"}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agent_id_}, {"status", "completed"}}));
  ASSERT_EQ(count("SELECT count(*) FROM webhook_events"), 7);

  // While it is down: the first event of each call keeps failing without a
  // status; the later event of the same call is held back (never attempted).
  ASSERT_TRUE(eventually([&] {
    return count("SELECT count(*) FROM webhook_events WHERE event IN ('call.started', 'job.completed') AND "
                 "failure_count >= 2 AND last_status_code IS NULL AND last_error IS NOT NULL") == 4;
  })) << "connection refused is a failure";
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE event = 'call.ended' AND attempts > 0"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE status = 'delivered'"), 0);

  // Up but unhealthy: 503s are recorded as the last status.
  receiver.set_status(503);
  receiver.open_port();
  ASSERT_TRUE(eventually([&] {
    return count("SELECT count(*) FROM webhook_events WHERE event IN ('call.started', 'job.completed') AND "
                 "last_status_code = 503") == 4;
  }));
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE event = 'call.ended' AND attempts > 0"), 0);

  // Healthy again: everything drains.
  receiver.set_status(200);
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM webhook_events WHERE status = 'delivered'") == 7; }));

  const auto secret = st_->settings().get(test::default_workspace(*st_), "webhook_secret").value().get<std::string>();
  ASSERT_FALSE(secret.empty());
  const auto got = receiver.received();
  std::map<std::string, int> accepted;                        // event id → 2xx answers
  std::map<std::string, std::vector<std::string>> per_call;  // call id → events accepted, in arrival order
  std::map<std::string, bool> started_accepted;
  for (const auto& h : got) {
    expect_signed(h, secret);
    const auto id = h.header("x-voqo-event-id");
    EXPECT_EQ(h.header("idempotency-key"), id);
    EXPECT_EQ(h.header("content-type"), "application/json");
    const auto body = json::parse(h.body);
    EXPECT_EQ(body["id"], id);
    EXPECT_EQ(body["event"], h.header("x-voqo-event"));
    if (body["event"] == "job.completed") {
      EXPECT_EQ(body["job"]["id"], "job-1");
    } else {
      const std::string call_id = body["call"]["id"];
      if (body["event"] == "call.ended") {
        EXPECT_TRUE(started_accepted[call_id]) << "call.ended of " << call_id << " sent before call.started was accepted";
      }
      if (h.answered == 200) {
        per_call[call_id].push_back(body["event"]);
        if (body["event"] == "call.started") started_accepted[call_id] = true;
      }
    }
    if (h.answered == 200) ++accepted[id];
  }
  auto ids = rows("SELECT id FROM webhook_events");
  ASSERT_EQ(accepted.size(), ids.size());
  for (const auto& r : ids) EXPECT_EQ(accepted[r[0]], 1) << "event " << r[0] << " accepted exactly once";
  for (const auto& c : calls) EXPECT_EQ(per_call[c], (std::vector<std::string>{"call.started", "call.ended"})) << c;

  // The rows tell the story.
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE attempts = failure_count + 1 AND last_status_code = 200 "
                  "AND delivered_at IS NOT NULL"),
            7);
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE event IN ('call.started', 'job.completed') AND "
                  "failure_count >= 3 AND last_error LIKE 'HTTP 503%'"),
            4)
      << "refused, then 503, then delivered";
  // Attempts carry their number.
  for (const auto& h : got) {
    if (h.answered == 200) {
      EXPECT_GE(std::stoi(h.header("x-voqo-attempt")), 1);
    }
  }
}

TEST_F(webhooks, ExhaustedEventIsFailedAndStopsHoldingBackItsCall) {
  test::WebhookReceiver receiver(500);
  start(receiver.url(), fast(3));
  const auto call_id = run_call(1);
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM webhook_events WHERE status = 'failed'") == 2; }));
  auto r = rows("SELECT event, attempts, failure_count, last_status_code, last_error FROM webhook_events ORDER BY seq");
  ASSERT_EQ(r.size(), 2u);
  for (const auto& row : r) {
    EXPECT_EQ(row[1], "3");
    EXPECT_EQ(row[2], "3");
    EXPECT_EQ(row[3], "500");
    EXPECT_EQ(row[4].rfind("HTTP 500", 0), 0u) << row[4];
  }
  std::vector<std::string> order;
  for (const auto& h : receiver.received()) order.push_back(h.header("x-voqo-event"));
  EXPECT_EQ(order, (std::vector<std::string>{"call.started", "call.started", "call.started", "call.ended",
                                             "call.ended", "call.ended"}));
  std::vector<std::string> attempts;
  for (const auto& h : receiver.received()) attempts.push_back(h.header("x-voqo-attempt"));
  EXPECT_EQ(attempts, (std::vector<std::string>{"1", "2", "3", "1", "2", "3"}));
  (void)call_id;
}

TEST_F(webhooks, LocalPrivateAndMetadataReceiversAreRefusedWithoutAConnectionUnlessAllowed) {
  test::WebhookReceiver receiver(200);  // 127.0.0.1
  test::ConnectionCounter v6("::1");
  const std::string port = std::to_string(receiver.port());
  const std::vector<std::string> urls = {receiver.url(), "http://localhost:" + port + "/hooks", v6.url() + "/hooks",
                                         "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1:9/hooks",
                                         "http://[::ffff:127.0.0.1]:" + port + "/hooks"};
  start(urls[0], fast(1), /*allow_private=*/false);  // the default: off
  std::vector<std::string> agents = {agent_id_};
  for (std::size_t i = 1; i < urls.size(); ++i) agents.push_back(agent_with(urls[i]));
  for (std::size_t i = 0; i < agents.size(); ++i)
    ASSERT_TRUE(loop_->job_completed(
        {{"id", "job-" + std::to_string(i)}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agents[i]}}));
  loop_->poke();
  ASSERT_TRUE(eventually([&] {
    return count("SELECT count(*) FROM webhook_events WHERE status = 'failed'") == static_cast<int>(urls.size());
  }));
  for (const auto& r : rows("SELECT url, last_error, last_status_code FROM webhook_events ORDER BY seq")) {
    EXPECT_NE(r[1].find("refused to connect to private address"), std::string::npos) << r[0] << ": " << r[1];
    EXPECT_NE(r[1].find("allow_private_tool_hosts"), std::string::npos) << r[0] << ": " << r[1];
    EXPECT_EQ(r[2], "<null>") << r[0];
  }
  EXPECT_TRUE(receiver.received().empty());
  EXPECT_EQ(v6.connections(), 0);

  // The opt-in (read at each delivery) lets the loopback receiver have the next events.
  allow_private_hosts(true);
  ASSERT_TRUE(loop_->job_completed(
      {{"id", "job-allowed-1"}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agents[0]}}));
  ASSERT_TRUE(loop_->job_completed({{"id", "job-allowed-2"}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agents[1]}}));  // via "localhost"
  loop_->poke();
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM webhook_events WHERE status = 'delivered'") == 2; }));
  EXPECT_EQ(receiver.received().size(), 2u);
}

TEST_F(webhooks, FailedReplyKeepsOnlyItsStatusLineInTheRowAndTheLog) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  test::WebhookReceiver receiver(500);  // answers "HTTP/1.1 500 Status" with the body {"error":"unavailable"}
  start(receiver.url(), fast(1));
  ASSERT_TRUE(loop_->job_completed({{"id", "job-1"}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agent_id_}}));
  loop_->poke();
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM webhook_events WHERE status = 'failed'") == 1; }));
  loop_.reset();  // the delivery thread is joined before the logger is put back
  spdlog::set_default_logger(previous);
  ASSERT_EQ(receiver.received().size(), 1u);
  auto r = rows("SELECT last_error, last_status_code FROM webhook_events");
  EXPECT_EQ(r[0][0], "HTTP 500 Status");
  EXPECT_EQ(r[0][1], "500");
  EXPECT_NE(log.str().find("HTTP 500 Status"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("unavailable"), std::string::npos) << log.str();
}

TEST_F(webhooks, RedirectIsAFailedDeliveryAndIsNotFollowed) {
  test::WebhookReceiver receiver(200);
  test::ReplayServer redirector(
      {{"POST", "/hooks", "HTTP/1.1 302 Found\r\nLocation: " + receiver.url() + "\r\nContent-Length: 0\r\n\r\n", {}, {}}});
  start(redirector.base_url() + "/hooks", fast(1));
  ASSERT_TRUE(loop_->job_completed({{"id", "job-1"}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agent_id_}}));
  loop_->poke();
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM webhook_events WHERE status = 'failed'") == 1; }));
  auto r = rows("SELECT last_error, last_status_code FROM webhook_events");
  EXPECT_EQ(r[0][0], "HTTP 302 Found (redirects are not followed)");
  EXPECT_EQ(r[0][1], "302");
  EXPECT_EQ(redirector.requests().size(), 1u);
  EXPECT_TRUE(receiver.received().empty());
}

TEST_F(webhooks, DeliveryGoesDirectWhateverTheProxyEnvironmentSays) {
  test::ConnectionCounter proxy("127.0.0.1");
  const std::string p = proxy.url();
  test::ScopedEnv env({{"http_proxy", p}, {"HTTP_PROXY", p}, {"https_proxy", p}, {"HTTPS_PROXY", p},
                       {"all_proxy", p}, {"ALL_PROXY", p}, {"no_proxy", std::nullopt}, {"NO_PROXY", std::nullopt}});
  test::WebhookReceiver receiver(200);
  start(receiver.url(), fast(1));
  ASSERT_TRUE(loop_->job_completed({{"id", "job-1"}, {"workspaceId", test::default_workspace(*st_).value}, {"agentId", agent_id_}}));
  loop_->poke();
  ASSERT_TRUE(eventually([&] { return count("SELECT count(*) FROM webhook_events WHERE status <> 'pending'") == 1; }));
  loop_.reset();  // no thread reads the environment when it is restored
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE status = 'delivered'"), 1);
  EXPECT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(proxy.connections(), 0);
}

}  // namespace
