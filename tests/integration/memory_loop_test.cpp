// The outcome loop across two real calls (issue 4 §5): a callee (voqo
// callee-sim, persona "call me back next Tuesday afternoon") talks to an agent
// on the scripted brain; after the call the outcome loop saves the callback as
// a memory of the contact (source auto, with the call id), and the next call to
// the same number opens with it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "calls/call_service.hpp"
#include "postcall/outcome_loop.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

class MemoryLoopTest : public test::SipSuite {};

TEST_F(MemoryLoopTest, TheSecondCallUsesTheMemoryTheFirstOneLeft) {
  auto agent = store_->agents().create(test::default_workspace(*store_), {{"name", "Rita"},
                                        {"systemPrompt", "You are Rita, calling homeowners about a free valuation."},
                                        {"template", "property_sales"},
                                        {"purpose", "sales"},
                                        {"responseDelayMs", 200}});
  ASSERT_TRUE(agent) << agent.error().message;
  const auto sim_port = test::free_loopback_port();
  test::Subprocess sim({VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(sim_port),
                        "--log-level", "warn"});
  ASSERT_TRUE(sim.wait_for_line("callee-sim listening", std::chrono::seconds(60))) << sim.output();

  auto created = postcall::OutcomeLoop::create(*store_);
  ASSERT_TRUE(created) << created.error().message;
  std::shared_ptr<postcall::OutcomeLoop> loop = std::move(*created);
  auto cfg = loopback_config();
  cfg.brain_factory = {};  // the scripted brain
  cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(sim_port));
  cfg.observers = {loop};  // its post-call step runs before the call's own observer hears the end
  auto service = calls::CallService::create(*store_, cfg);
  for (int i = 0; i < 5 && !service && service.error().code == ErrorCode::io; ++i) service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;

  // Ends in 2: the callee-sim's "call me back next Tuesday afternoon" persona.
  const std::string phone = "+14155550142";
  auto call = [&] {
    std::mutex m;
    std::condition_variable cv;
    std::optional<json> record;
    calls::PlaceCall req;
    req.workspace = test::default_workspace(*store_);
    req.agent = "Rita";
    req.to = phone;
    req.contact_name = "Grace Hopper";
    req.time_zone = "America/Los_Angeles";
    auto id = (*service)->place_call(test::with_record(req, *store_, [&](const json& r) {
      std::lock_guard lock(m);
      record = r;
      cv.notify_all();
    }));
    EXPECT_TRUE(id) << id.error().message;
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(120), [&] { return record.has_value(); }));
    return record.value_or(json::object());
  };

  const json first = call();
  ASSERT_EQ(first.value("outcome", json()), "Call Back Later") << first.dump(2);
  ASSERT_TRUE(first["contactId"].is_string()) << "no contact was created";
  const std::string contact = first["contactId"];
  store::ListQuery q;
  q.limit = 20;
  q.conditions = {{store::Condition::Op::equals, {"contact_id"}, contact}};
  auto memories = store_->memories().list(test::default_workspace(*store_), q);
  ASSERT_TRUE(memories);
  bool callback_memory = false;
  for (const auto& m : memories->items)
    if (m["content"].get<std::string>().starts_with("Callback requested")) {
      callback_memory = true;
      EXPECT_EQ(m["source"], "auto");
      EXPECT_EQ(m["callId"], first["id"]);
    }
  ASSERT_TRUE(callback_memory) << json(memories->items).dump(2);

  const json second = call();
  ASSERT_FALSE(second["transcript"].empty()) << second.dump(2);
  std::string opening;
  for (const auto& e : second["transcript"])
    if (e["speaker"] == "agent") {
      opening = e["text"];
      break;
    }
  EXPECT_NE(opening.find("calling you back as you asked"), std::string::npos) << second["transcript"].dump(2);
  EXPECT_EQ(second["contactId"], contact);
}

}  // namespace
}  // namespace voqo
