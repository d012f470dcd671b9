// The Twilio Messages API client against a local server replaying Twilio's
// documented exchanges: the "Send an SMS message" example of
// https://www.twilio.com/docs/messaging/api/message-resource (request To/From/
// Body, 201 response with the Message resource), the REST error shape
// {code, message, more_info, status} (error 21211, "Invalid 'To' Phone
// Number", https://www.twilio.com/docs/api/errors/21211), and the retry rules
// for 429/5xx — then the same client driven by the outcome loop's SMS thread.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "core/id.hpp"
#include "core/time.hpp"
#include "postcall/outcome_loop.hpp"
#include "postcall/sms.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/replay_server.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAccountSid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kPath = "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json";

// Twilio's documented response to "Send an SMS message" (Message resource, 201).
constexpr const char* kCreated = R"({
  "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "api_version": "2010-04-01",
  "body": "Hi there",
  "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
  "date_sent": "Thu, 24 Aug 2023 05:01:45 +0000",
  "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
  "direction": "outbound-api",
  "error_code": null,
  "error_message": null,
  "from": "+15557122661",
  "num_media": "0",
  "num_segments": "1",
  "price": null,
  "price_unit": null,
  "messaging_service_sid": "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "status": "queued",
  "subresource_uris": {
    "media": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Media.json"
  },
  "to": "+15558675310",
  "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"
})";

// Twilio's REST error body for error 21211.
constexpr const char* kInvalidTo =
    R"({"code": 21211, "message": "The 'To' number +15551234 is not a valid phone number.", )"
    R"("more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})";

std::string http(const std::string& status_line, const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nTwilio-Request-Id: RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" + body;
}

test::ReplayExchange post(const std::string& raw) { return {"POST", kPath, raw, {}, 0ms}; }

postcall::TwilioSmsSender sender(const test::ReplayServer& server) {
  postcall::TwilioConfig c;
  c.account_sid = kAccountSid;
  c.auth_token = "your_auth_token";
  c.from = "+15557122661";
  c.base_url = server.base_url();
  c.timeout = 5s;
  return postcall::TwilioSmsSender(c);
}

TEST(twilio_sms, CreateMessagePostsTheFormWithBasicAuthAndReadsTheSid) {
  test::ReplayServer server({post(http("201 Created", kCreated))});
  auto s = sender(server);
  const auto r = s.send({"+15558675310", "", "Hi there"});
  EXPECT_EQ(r.kind, postcall::SmsSendResult::Kind::sent) << r.error;
  EXPECT_EQ(r.provider_message_id, "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(r.provider_status, "queued");
  EXPECT_EQ(r.from, "+15557122661");
  EXPECT_EQ(r.http_status, 201);

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, kPath);
  EXPECT_EQ(reqs[0].header("content-type"), "application/x-www-form-urlencoded");
  // base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:your_auth_token") (RFC 7617)
  EXPECT_EQ(reqs[0].header("authorization"),
            "Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp5b3VyX2F1dGhfdG9rZW4=");
  EXPECT_EQ(reqs[0].body, "To=%2B15558675310&From=%2B15557122661&Body=Hi+there");
}

TEST(twilio_sms, InvalidToIsAFinalFailureCarryingTwiliosMessage) {
  test::ReplayServer server({post(http("400 Bad Request", kInvalidTo))});
  auto s = sender(server);
  const auto r = s.send({"+15551234", "", "Hi there"});
  EXPECT_EQ(r.kind, postcall::SmsSendResult::Kind::failed);
  EXPECT_EQ(r.error,
            "Twilio error 21211: The 'To' number +15551234 is not a valid phone number. "
            "(https://www.twilio.com/docs/errors/21211)");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_TRUE(r.provider_message_id.empty());
}

TEST(twilio_sms, RateLimitsServerErrorsAndNetworkFailuresAreRetried) {
  test::ReplayServer server(
      {post(http("429 Too Many Requests",
                 R"({"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429})")),
       post(http("503 Service Unavailable", R"({"status": 503, "message": "Service Unavailable"})"))});
  auto s = sender(server);
  const auto limited = s.send({"+15558675310", "", "Hi there"});
  EXPECT_EQ(limited.kind, postcall::SmsSendResult::Kind::retry);
  EXPECT_NE(limited.error.find("20429"), std::string::npos) << limited.error;
  const auto down = s.send({"+15558675310", "", "Hi there"});
  EXPECT_EQ(down.kind, postcall::SmsSendResult::Kind::retry);
  EXPECT_EQ(down.http_status, 503);

  postcall::TwilioConfig c;
  c.account_sid = kAccountSid;
  c.auth_token = "t";
  c.from = "+15557122661";
  c.base_url = "http://127.0.0.1:9";  // nothing listens
  c.timeout = 3s;
  postcall::TwilioSmsSender unreachable(c);
  const auto refused = unreachable.send({"+15558675310", "", "Hi there"});
  EXPECT_EQ(refused.kind, postcall::SmsSendResult::Kind::retry);
  EXPECT_FALSE(refused.http_status.has_value());
}

// ---- through the outcome loop -------------------------------------------------

class twilio_sms_outbox : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    auto agent = st_->agents().create(test::default_workspace(*st_), {{"name", "Ava"}, {"systemPrompt", "You are a helpful sales agent."}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_id_ = (*agent)["id"];
  }
  void TearDown() override {
    loop_.reset();
    st_.reset();
  }

  void start(const test::ReplayServer& server) {
    ASSERT_TRUE(st_->settings().put(test::default_workspace(*st_), 
        "sms_provider", {{"provider", "twilio"},
                         {"twilio",
                          {{"accountSid", kAccountSid},
                           {"authToken", "your_auth_token"},
                           {"from", "+15557122661"},
                           {"baseUrl", server.base_url()}}}}));
    postcall::OutcomeLoopConfig config;
    config.sms_backoff_base = 20ms;
    config.sms_backoff_max = 100ms;
    auto made = postcall::OutcomeLoop::create(*st_, config);
    ASSERT_TRUE(made) << made.error().message;
    loop_ = std::move(*made);
  }

  std::string end_call() {
    store::CallRecord r;
    r.id = new_id();
    r.workspace_id = test::default_workspace(*st_);
    r.agent_id = agent_id_;
    r.direction = "inbound";
    r.status = "completed";
    r.from_phone = "+14155550123";
    r.to_phone = "+14155550100";
    r.summary = "Demo booked";
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

  std::vector<std::string> sms_row(const std::string& call_id) {
    return st_->db().read([&](store::Connection& c) {
      std::vector<std::string> out;
      auto st = c.prepare(
          "SELECT status, provider, provider_message_id, attempts, from_phone, error_message, sent_at "
          "FROM sms_messages WHERE call_id = ?");
      EXPECT_TRUE(st);
      (*st)->bind_text(1, call_id);
      auto row = (*st)->step();
      if (row && *row)
        for (int i = 0; i < 7; ++i)
          out.emplace_back((*st)->is_null(i) ? "<null>" : std::string((*st)->column_text(i)));
      return out;
    });
  }

  bool eventually(const std::function<bool()>& pred) {
    for (auto end = std::chrono::steady_clock::now() + 15s; std::chrono::steady_clock::now() < end;) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  std::unique_ptr<postcall::OutcomeLoop> loop_;
  std::string agent_id_;
};

TEST_F(twilio_sms_outbox, A503IsRetriedThenTheSidIsStoredAndTheCallMarkedSent) {
  test::ReplayServer server({post(http("503 Service Unavailable", R"({"status": 503, "message": "Service Unavailable"})")),
                             post(http("201 Created", kCreated))});
  start(server);
  const auto id = end_call();
  ASSERT_TRUE(eventually([&] { return sms_row(id).at(0) != "queued"; }));
  const auto row = sms_row(id);
  EXPECT_EQ(row[0], "sent") << row[5];
  EXPECT_EQ(row[1], "twilio");
  EXPECT_EQ(row[2], "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(row[3], "2");
  EXPECT_EQ(row[4], "+15557122661");
  EXPECT_NE(row[6], "<null>");
  EXPECT_EQ(st_->calls().get(test::default_workspace(*st_), id).value()["smsSent"], true);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].body, reqs[0].body) << "the retry sends the same message";
  EXPECT_EQ(reqs[1].body.rfind("To=%2B14155550123&From=%2B15557122661&Body=", 0), 0u) << reqs[1].body;
}

TEST_F(twilio_sms_outbox, ARefusedMessageIsFailedOnceWithTheReason) {
  test::ReplayServer server({post(http("400 Bad Request", kInvalidTo))});
  start(server);
  const auto id = end_call();
  ASSERT_TRUE(eventually([&] { return sms_row(id).at(0) != "queued"; }));
  const auto row = sms_row(id);
  EXPECT_EQ(row[0], "failed");
  EXPECT_EQ(row[3], "1");
  EXPECT_NE(row[5].find("21211"), std::string::npos) << row[5];
  EXPECT_EQ(row[6], "<null>");
  EXPECT_EQ(st_->calls().get(test::default_workspace(*st_), id).value()["smsSent"], false);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server.requests().size(), 1u) << "a final failure is not retried";
}

}  // namespace
