// A campaign's configuration (issue 18 §6) in the store: one per campaign,
// PUT creates then changes, the checks the table's rules cannot say, its
// application to a call's agent (a member's variant still wins), the quality
// check flagging a stored call once with its alert and webhook, and the
// escalation's activity row and webhook.
#include <gtest/gtest.h>

#include "model/swarm_configuration.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

class SwarmConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    ws_ = test::default_workspace(*st_);
    auto agent = st_->agents().create(ws_, {{"name", "Closer"}, {"systemPrompt", "You sell solar panels."}, {"webhookUrl", "https://hooks.example.com/a"}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_ = (*agent)["id"];
    auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
    ASSERT_TRUE(camp) << camp.error().message;
    campaign_ = (*camp)["id"];
  }
  store::SwarmConfigRepository& configs() { return st_->swarm_configurations(); }
  int64_t count(const std::string& sql) {
    return st_->db().read([&](store::Connection& c) -> int64_t {
      auto s = c.prepare(sql);
      EXPECT_TRUE(s);
      auto row = (*s)->step();
      EXPECT_TRUE(row && *row);
      return (*s)->column_int(0);
    });
  }
  void call(const std::string& id) {
    store::CallStore calls(st_->db());
    store::CallRecord r;
    r.id = id;
    r.workspace_id = ws_;
    r.agent_id = agent_;
    r.campaign_id = campaign_;
    r.direction = "outbound";
    r.status = "completed";
    r.placed_at = "2026-12-01T15:00:00.000Z";
    ASSERT_TRUE(calls.insert(r));
  }
  Result<std::optional<json>> check(const std::string& id, std::optional<double> q) {
    return st_->db().write([&](store::Connection& c) { return store::SwarmConfigRepository::quality_check_in(c, id, q); });
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  WorkspaceId ws_;
  std::string agent_, campaign_;
};

TEST_F(SwarmConfigTest, PutCreatesThenChangesAndDeleteRemoves) {
  EXPECT_EQ(configs().get(ws_, campaign_).error().code, ErrorCode::not_found);
  auto made = configs().put(ws_, campaign_, {{"temperature", 0.2}, {"personality", "FRIENDLY"}, {"escalationKeywords", {"Cancel"}}});
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_TRUE(made->second);
  EXPECT_EQ(made->first["campaignId"], campaign_);
  EXPECT_EQ(made->first["successThreshold"], 60);
  EXPECT_EQ(made->first["escalateOnHumanRequest"], true);
  EXPECT_EQ(made->first["supervisorAlerts"], true);
  auto changed = configs().put(ws_, campaign_, {{"maxTokens", 300}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_FALSE(changed->second);
  EXPECT_EQ(changed->first["maxTokens"], 300);
  EXPECT_EQ(changed->first["personality"], "FRIENDLY") << "fields not given are kept";
  EXPECT_EQ(changed->first["id"], made->first["id"]);
  auto typed = configs().for_campaign(ws_, campaign_);
  ASSERT_TRUE(typed && *typed);
  EXPECT_EQ((*typed)->triggers.keywords, std::vector<std::string>{"cancel"}) << "keywords are matched lower-case";
  ASSERT_TRUE(configs().remove(ws_, campaign_));
  EXPECT_FALSE(*configs().for_campaign(ws_, campaign_));
  EXPECT_EQ(configs().remove(ws_, campaign_).error().code, ErrorCode::not_found);
}

TEST_F(SwarmConfigTest, BadBodiesAreRefusedNamingTheField) {
  auto field = [&](json body) {
    auto r = configs().put(ws_, campaign_, body);
    EXPECT_FALSE(r) << body.dump();
    return r ? std::string() : std::string(r.error().field());
  };
  EXPECT_EQ(field({{"temperature", 2.5}}), "temperature");
  EXPECT_EQ(field({{"maxTokens", 10}}), "maxTokens");
  EXPECT_EQ(field({{"personality", "GRUMPY"}}), "personality");
  EXPECT_EQ(field({{"objectionStyle", "LOUD"}}), "objectionStyle");
  EXPECT_EQ(field({{"speakingRate", 3}}), "speakingRate");
  EXPECT_EQ(field({{"successThreshold", 101}}), "successThreshold");
  EXPECT_EQ(field({{"alertWebhookUrl", "ftp://x"}}), "alertWebhookUrl");
  EXPECT_EQ(field({{"autoTransfer", true}}), "transferNumber");
  EXPECT_EQ(field({{"transferNumber", "call Bob"}}), "transferNumber");
  EXPECT_EQ(field({{"escalationKeywords", "cancel"}}), "escalationKeywords");
  EXPECT_EQ(field({{"escalationKeywords", {""}}}), "escalationKeywords");
  EXPECT_EQ(field({{"escalationKeywords", {std::string(101, 'x')}}}), "escalationKeywords");
  json many = json::array();
  for (int i = 0; i < 51; ++i) many.push_back("k" + std::to_string(i));
  EXPECT_EQ(field({{"escalationKeywords", many}}), "escalationKeywords");
  EXPECT_EQ(field({{"campaignId", "other"}}), "campaignId");
  EXPECT_EQ(configs().get(ws_, campaign_).error().code, ErrorCode::not_found) << "nothing was stored";
  // A transfer number given earlier satisfies autoTransfer later; SIP URIs are accepted.
  ASSERT_TRUE(configs().put(ws_, campaign_, {{"transferNumber", "sip:desk@pbx.example.com"}}));
  EXPECT_TRUE(configs().put(ws_, campaign_, {{"autoTransfer", true}}));
}

TEST_F(SwarmConfigTest, AnotherWorkspacesCampaignIsNotFound) {
  auto other = st_->access().create_workspace("Tenant B", "enterprise");
  ASSERT_TRUE(other);
  ASSERT_TRUE(configs().put(ws_, campaign_, {{"tone", "warm"}}));
  EXPECT_EQ(configs().get(other->id, campaign_).error().code, ErrorCode::not_found);
  EXPECT_EQ(configs().put(other->id, campaign_, {{"tone", "cold"}}).error().code, ErrorCode::not_found);
  EXPECT_EQ(configs().remove(other->id, campaign_).error().code, ErrorCode::not_found);
  EXPECT_EQ((*configs().get(ws_, campaign_))["tone"], "warm");
}

TEST(SwarmConfiguration, OverridesTheAgentButNotTheMembersVariant) {
  auto c = model::swarm_configuration_from_json({{"model", "gpt-4o-mini"}, {"temperature", 0.1}, {"maxTokens", 120},
                                                 {"systemPrompt", "Be brief."}, {"voiceProvider", "espeak-ng"},
                                                 {"voiceModel", "en-us"}, {"speakingRate", 1.2}, {"language", "en-GB"},
                                                 {"personality", "CONSULTATIVE"}, {"tone", "calm"}, {"formality", "formal"},
                                                 {"objectionStyle", "EMPATHETIC"}, {"maxCallDurationMin", 4},
                                                 {"clarity", 0.6}});
  ASSERT_TRUE(c) << c.error().message;
  model::AgentConfig agent;
  model::SettingsSnapshot settings;
  settings.llm.model = "base-model";
  json vars = {{"personalityProfile", "FRIENDLY"}};  // the member's variant
  model::apply_swarm_configuration(*c, agent, settings, vars);
  EXPECT_EQ(settings.llm.model, "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(agent.temperature, 0.1);
  EXPECT_EQ(agent.max_tokens, 120);
  EXPECT_EQ(agent.system_prompt, "Be brief.");
  EXPECT_EQ(agent.voice.provider, "espeak-ng");
  EXPECT_EQ(agent.voice.id, "en-us");
  EXPECT_DOUBLE_EQ(agent.voice.speech_rate, 1.2);
  EXPECT_EQ(agent.voice.clarity, 0.6);  // the voice provider's clarity, not a brain variable
  EXPECT_FALSE(vars.contains("voiceClarity"));
  EXPECT_EQ(agent.language, "en-GB");
  EXPECT_EQ(agent.max_call_duration_min, 4);
  EXPECT_EQ(vars["personalityProfile"], "FRIENDLY");
  EXPECT_EQ(vars["tone"], "calm");
  EXPECT_EQ(vars["formality"], "formal");
  EXPECT_EQ(vars["objectionStyle"], "EMPATHETIC");
  // Unset fields keep the agent's values.
  model::AgentConfig untouched;
  model::SettingsSnapshot s2;
  json v2 = json::object();
  model::apply_swarm_configuration(*model::swarm_configuration_from_json(json::object()), untouched, s2, v2);
  EXPECT_EQ(untouched, model::AgentConfig{});
  EXPECT_TRUE(v2.empty());
}

TEST_F(SwarmConfigTest, TheQualityCheckFlagsACallUnderTheThresholdOnceWithItsAlert) {
  call("q-low");
  call("q-high");
  // No configuration, or the check off: nothing is flagged.
  EXPECT_FALSE(*check("q-low", 10));
  ASSERT_TRUE(configs().put(ws_, campaign_, {{"successThreshold", 70}, {"alertWebhookUrl", "https://alerts.example.com/x"}}));
  EXPECT_FALSE(*check("q-low", 10));
  ASSERT_TRUE(configs().put(ws_, campaign_, {{"qualityCheck", true}}));
  EXPECT_FALSE(*check("q-high", 70)) << "at the threshold is not under it";
  EXPECT_FALSE(*check("q-low", std::nullopt)) << "no score, no verdict";
  auto flagged = check("q-low", 42.5);
  ASSERT_TRUE(flagged) << flagged.error().message;
  ASSERT_TRUE(*flagged);
  EXPECT_EQ((**flagged)["kind"], "quality");
  EXPECT_EQ((**flagged)["callId"], "q-low");
  EXPECT_EQ((**flagged)["successThreshold"], 70);
  EXPECT_FALSE(*check("q-low", 42.5)) << "flagged once";
  auto rec = st_->calls().get(ws_, "q-low");
  ASSERT_TRUE(rec);
  EXPECT_EQ((*rec)["flaggedForReview"], true);
  EXPECT_NE((*rec)["reviewReason"].get<std::string>().find("under the campaign's success threshold 70"), std::string::npos);
  EXPECT_EQ((*st_->calls().get(ws_, "q-high"))["flaggedForReview"], false);
  EXPECT_EQ(count("SELECT count(*) FROM swarm_activity_logs WHERE activity_type = 'alert' AND call_id = 'q-low'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE event = 'call.flagged' AND call_id = 'q-low' "
                  "AND url = 'https://alerts.example.com/x'"),
            1);
  // The review queue: GET /api/calls?flaggedForReview=true.
  auto page = st_->calls().list(ws_, store::ListQuery{.limit = 10, .conditions = {{store::Condition::Op::equals, {"flagged_for_review"}, int64_t{1}}}});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0]["id"], "q-low");
}

TEST_F(SwarmConfigTest, AnEscalationLeavesAnActivityRowAndOneWebhookAlertsOffLeaveNoWebhook) {
  ASSERT_TRUE(configs().put(ws_, campaign_, {{"escalationKeywords", {"refund"}}}));
  json alert = {{"trigger", "keyword"}, {"detail", "refund"}, {"utterance", "I want a refund"}, {"transferTo", nullptr}};
  ASSERT_TRUE(configs().record_escalation(ws_, campaign_, "e-1", agent_, "", alert));
  ASSERT_TRUE(configs().record_escalation(ws_, campaign_, "e-1", agent_, "", alert));  // a replay
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE event = 'call.escalated' AND call_id = 'e-1' "
                  "AND url = 'https://hooks.example.com/a'"),
            1)
      << "the agent's webhookUrl without an alertWebhookUrl; once per call";
  EXPECT_GE(count("SELECT count(*) FROM swarm_activity_logs WHERE activity_type = 'escalation' AND call_id = 'e-1' "
                  "AND status = 'warning' AND message LIKE '%keyword: refund%'"),
            1);
  ASSERT_TRUE(configs().put(ws_, campaign_, {{"supervisorAlerts", false}}));
  ASSERT_TRUE(configs().record_escalation(ws_, campaign_, "e-2", agent_, "", alert));
  EXPECT_EQ(count("SELECT count(*) FROM webhook_events WHERE call_id = 'e-2'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM swarm_activity_logs WHERE activity_type = 'escalation' AND call_id = 'e-2'"), 1);
}

}  // namespace
