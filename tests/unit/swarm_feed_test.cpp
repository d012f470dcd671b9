// The swarm's realtime recent-calls feed (live/swarm_feed.hpp, issue 18
// §8/§10): a new recent call is appended once; when the call's intelligence
// is stored after the dialer's result (its sentiment and quality), the row
// already published is published again as an upsert carrying them.
#include <gtest/gtest.h>

#include <mutex>

#include "live/swarm_feed.hpp"
#include "realtime/hub.hpp"
#include "store/analytics.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "store/swarm.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using namespace voqo;
using nlohmann::json;

namespace {

class SwarmFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(opened) << opened.error().message;
    st_ = std::move(*opened);
    ws_ = test::default_workspace(*st_);
    auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
    ASSERT_TRUE(camp) << camp.error().message;
    campaign_ = (*camp)["id"];
    auto agent = st_->agents().create(ws_, {{"name", "Ava"}, {"systemPrompt", "You call people about houses."}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_ = (*agent)["id"];
    auto m = st_->swarm().add_member(ws_, campaign_, {{"voiceAgentId", agent_}, {"name", "Ava 1"}});
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_TRUE(st_->swarm().set_status(ws_, campaign_, "active", "campaign_started", "started"));
    feed_ = std::make_unique<live::SwarmFeed>(*st_, hub_);
    session_ = hub_.open_session(
        [this](std::string text) {
          std::lock_guard lock(mutex_);
          received_.push_back(json::parse(text));
        },
        [](int, std::string) {});
  }

  /// A member places call `id`, it is stored, and the dialer records its result (the feed's row).
  void call(const std::string& id) {
    auto claimed = st_->db().write([&](store::Connection& c) -> Result<bool> {
      auto m = store::SwarmRepository::claim_member(c, campaign_, "jc-" + id, id, "Jane");
      if (!m) return std::unexpected(m.error());
      return m->has_value();
    });
    ASSERT_TRUE(claimed && *claimed);
    store::CallRecord r;
    r.id = id;
    r.workspace_id = ws_;
    r.agent_id = agent_;
    r.campaign_id = campaign_;
    r.direction = "outbound";
    r.status = "completed";
    r.answered_by_person = true;
    r.outcome = "Call Back Later";
    r.duration_s = 45;
    ASSERT_TRUE(store::CallStore(st_->db()).insert(r));
    store::SwarmCallResult res{ws_, campaign_, id, "jc-" + id, "completed", "Call Back Later", 45, "", "done", true};
    auto ok = st_->db().write([&](store::Connection& c) { return store::SwarmRepository::record_result(c, res); });
    ASSERT_TRUE(ok) << ok.error().message;
  }

  std::vector<json> changes(const std::string& kind) {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    for (const auto& m : received_)
      if (m.value("type", "") == "change" && m.value("id", "") == "recent" && m["data"].value("kind", "") == kind)
        out.push_back(m["data"]["call"]);
    return out;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  realtime::Hub hub_;
  std::unique_ptr<live::SwarmFeed> feed_;
  std::shared_ptr<realtime::Session> session_;
  WorkspaceId ws_;
  std::string campaign_, agent_;
  std::mutex mutex_;
  std::vector<json> received_;
};

TEST_F(SwarmFeedTest, ARecentCallIsAppendedOnceAndUpsertedWhenItsSentimentArrivesLater) {
  session_->on_message(json{{"type", "subscribe"},
                            {"id", "recent"},
                            {"query", "swarmRecentCalls"},
                            {"args", {{"campaignId", campaign_}, {"workspaceId", ws_.value}}}}
                           .dump());
  call("call-1");
  feed_->refresh(ws_, campaign_);
  ASSERT_EQ(changes("append").size(), 1u);
  EXPECT_TRUE(changes("append")[0]["sentiment"].is_null());
  feed_->refresh(ws_, campaign_);
  EXPECT_EQ(changes("append").size(), 1u) << "appended once";
  EXPECT_TRUE(changes("upsert").empty()) << "nothing changed";

  auto stored = st_->db().write([&](store::Connection& c) {
    return store::AnalyticsRepository::record_intelligence_in(c, "call-1", {.quality = 72, .sentiment = "negative"});
  });
  ASSERT_TRUE(stored) << stored.error().message;
  feed_->refresh(ws_, campaign_);
  ASSERT_EQ(changes("upsert").size(), 1u);
  EXPECT_EQ(changes("upsert")[0]["callId"], "call-1");
  EXPECT_EQ(changes("upsert")[0]["sentiment"], "negative");
  EXPECT_EQ(changes("upsert")[0]["qualityScore"], 72.0);
  feed_->refresh(ws_, campaign_);
  EXPECT_EQ(changes("upsert").size(), 1u) << "published once per change";
  EXPECT_EQ(changes("append").size(), 1u);
}

}  // namespace
