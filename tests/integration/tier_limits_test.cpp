// A workspace's tier bounds its calls in progress (issue 16 §5:
// concurrentCalls), in the call service — a call past it is refused with 403
// naming the limit — while other workspaces are not affected. The calls ring
// a SIP peer that never answers, so they stay in progress until hung up.
#include <gtest/gtest.h>

#include <thread>

#include "calls/call_service.hpp"
#include "store/store.hpp"
#include "support/sip_test_support.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using namespace voqo;
using namespace std::chrono_literals;

namespace {

TEST(TierLimits, AWorkspacesCallsInProgressStopAtItsTiersConcurrentCalls) {
  test::TempDir dir;
  auto opened = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& st = **opened;
  auto small = st.access().create_workspace("Small", "free");  // free: 2 calls at once
  ASSERT_TRUE(small);
  const WorkspaceId ws = small->id;
  ASSERT_TRUE(st.agents().create(ws, {{"name", "Caller"}, {"systemPrompt", "You call people for a small business."}}));
  const WorkspaceId big = test::default_workspace(st);
  ASSERT_TRUE(st.agents().create(big, {{"name", "Caller"}, {"systemPrompt", "You call people for a big business."}}));

  test::UdpSocket silent("127.0.0.1");  // receives the INVITEs and never answers
  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.ring_timeout = 60s;
  cfg.conversation = false;
  auto trunk = telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(silent.port()));
  ASSERT_TRUE(trunk);
  cfg.trunk = *trunk;
  auto service = calls::CallService::create(st, cfg);
  ASSERT_TRUE(service) << service.error().message;
  auto& svc = **service;

  EXPECT_EQ(svc.call_room(ws), std::optional<std::size_t>(2));
  EXPECT_EQ(svc.call_room(big), std::nullopt) << "enterprise: no limit";
  std::vector<std::string> placed;
  for (const char* to : {"+14155550101", "+14155550102"}) {
    auto id = svc.place_call({ws, "Caller", to, nlohmann::json::object(), ""});
    ASSERT_TRUE(id) << id.error().message;
    placed.push_back(*id);
  }
  EXPECT_EQ(svc.call_room(ws), std::optional<std::size_t>(0));
  auto third = svc.place_call({ws, "Caller", "+14155550103", nlohmann::json::object(), ""});
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::forbidden);
  EXPECT_EQ(third.error().field(), "concurrentCalls");
  // Another workspace places its calls whatever the small one does.
  auto other = svc.place_call({big, "Caller", "+14155550104", nlohmann::json::object(), ""});
  ASSERT_TRUE(other) << other.error().message;
  placed.push_back(*other);
  // A server admin raises the limit: a third call goes through.
  ASSERT_TRUE(st.access().update_workspace(ws, {{"limits", {{"concurrentCalls", 3}}}}));
  auto raised = svc.place_call({ws, "Caller", "+14155550105", nlohmann::json::object(), ""});
  ASSERT_TRUE(raised) << raised.error().message;
  placed.push_back(*raised);
  for (const auto& id : placed) (void)svc.hang_up(id);
  for (int i = 0; i < 200 && svc.active_calls() > 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(svc.active_calls(), 0u);
  EXPECT_EQ(svc.call_room(ws), std::optional<std::size_t>(3));
}

}  // namespace
