// voqo places calls to sipp (Debian sip-tester) playing scripted SIP peers:
// answer + BYE from the peer, 486 busy, 603 decline, no answer then CANCEL,
// 183 early media then 200, a 401 digest challenge. Each call must end with
// the right calls.status, and the process must be left with no extra
// thread, socket or file descriptor.
#include <gtest/gtest.h>

#include <condition_variable>
#include <algorithm>
#include <fstream>
#include <filesystem>
#include <mutex>
#include <thread>

#include "calls/call_service.hpp"
#include "store/store.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using test::count_dir;
using test::describe_fds;
using test::free_loopback_port;
using test::RepeatBrain;

class SipCallTest : public test::SipSuite {
 protected:
  /// Runs one sipp scenario as the callee and places a call to it.
  nlohmann::json call_sipp(const std::string& scenario, std::chrono::seconds ring_timeout = std::chrono::seconds(10),
                           std::optional<telephony::SipTrunk> trunk = std::nullopt,
                           const std::function<void(calls::CallServiceConfig&)>& adjust = {}) {
    const uint16_t port = free_loopback_port();
    test::Subprocess sipp({"/usr/bin/sipp", "-sf", std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/" + scenario, "-i",
                           "127.0.0.1", "-p", std::to_string(port), "-m", "1", "-nostdin",
                           "-trace_err", "-error_file", (*dir_ / (scenario + ".err")).string(), "-trace_msg",
                           "-message_file", (*dir_ / (scenario + ".msg")).string(), "-timeout", "30s",
                           "-timeout_error"});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    calls::CallServiceConfig cfg = loopback_config();
    cfg.ring_timeout = ring_timeout;
    cfg.trunk = trunk ? *trunk : telephony::SipTrunk{"sip:127.0.0.1:" + std::to_string(port), "udp", "", "", "+15550001111"};
    cfg.trunk->uri = "sip:127.0.0.1:" + std::to_string(port);
    if (adjust) adjust(cfg);
    nlohmann::json record;
    {
      auto service = calls::CallService::create(*store_, cfg);
      EXPECT_TRUE(service) << service.error().message;
      if (!service) return {};
      std::mutex m;
      std::condition_variable cv;
      bool done = false;
      auto id = (*service)->place_call(test::with_record({test::default_workspace(*store_), "Tester", "+14155550123", nlohmann::json::object(), "Sipp"}, *store_,
                                       [&](const nlohmann::json& r) {
                                         std::lock_guard lock(m);
                                         record = r;
                                         done = true;
                                         cv.notify_all();
                                       }));
      EXPECT_TRUE(id) << id.error().message;
      if (!id) return {};
      std::unique_lock lock(m);
      EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(40), [&] { return done; })) << "call did not end";
      EXPECT_EQ((*service)->active_calls(), 0u);
    }
    const int rc = sipp.wait(std::chrono::seconds(20));
    const auto err_file = *dir_ / (scenario + ".err");
    EXPECT_EQ(rc, 0) << "sipp failed: " << sipp.output()
                     << (std::filesystem::exists(err_file) ? test::read_file(err_file) : std::string());
    return record;
  }

};

TEST_F(SipCallTest, APeerThatSendsNoRtpIsHungUpAfterTheMediaTimeout) {
  // sipp answers, sends no RTP and waits for our BYE: a peer whose BYE never
  // reached us looks the same. Without the timeout the call would hold its
  // slot until the agent's maximum duration.
  const auto started = std::chrono::steady_clock::now();
  auto r = call_sipp("answer_hold_echo.xml", std::chrono::seconds(10), std::nullopt,
                     [](calls::CallServiceConfig& c) { c.rtp_timeout = std::chrono::seconds(2); });
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
  EXPECT_EQ(r.value("errorMessage", ""), "media timeout: no RTP from the peer for 2 s") << r.dump(2);
  EXPECT_FALSE(r["systemInfo"].value("remoteHangup", true));
  EXPECT_EQ(r["systemInfo"]["rtp"].value("packetsReceived", -1), 0);
  EXPECT_GT(r["systemInfo"]["rtp"].value("packetsSent", 0), 50) << "the agent spoke meanwhile";
  EXPECT_LT(took, std::chrono::seconds(15)) << "ended by the timeout, not by the agent's maximum duration";
  // sipp exiting 0 (checked in call_sipp) means it received our BYE and answered it.
}

TEST_F(SipCallTest, AnsweredCallEndsCompletedWhenThePeerHangsUpWhileTheAgentSpeaks) {
  auto r = call_sipp("answer_bye.xml");
  EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
  EXPECT_EQ(r["systemInfo"].value("codec", ""), "G722");
  EXPECT_TRUE(r["systemInfo"].value("remoteHangup", false));
  EXPECT_GE(r.value("duration", -1), 3);
  // The greeting was being spoken when the BYE came: it is in the transcript.
  bool agent_spoke = false;
  for (const auto& e : r["transcript"]) agent_spoke |= e.value("speaker", "") == "agent";
  EXPECT_TRUE(agent_spoke) << r["transcript"].dump();
  EXPECT_GT(r["systemInfo"]["rtp"].value("packetsSent", 0), 100);
  // The recording is a stereo WAV that covers the call.
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "recordings" / (r.value("id", "") + ".wav")));
}

TEST_F(SipCallTest, ATrunkCodecListSetsTheOfferAndTheCodecUsed) {
  // A G.711-only carrier (setting sip_trunk.codecs = ["PCMU"]). The
  // peer's answer lists G.722 first; the call still uses our first choice
  // that the peer has (RFC 3264 §6.1: the answer may list several).
  telephony::SipTrunk trunk{"", "udp", "", "", "+15550001111"};
  trunk.codecs = {"PCMU"};
  auto r = call_sipp("answer_bye.xml", std::chrono::seconds(10), trunk);
  EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
  EXPECT_EQ(r["systemInfo"].value("codec", ""), "PCMU") << r.dump(2);
  EXPECT_GT(r["systemInfo"]["rtp"].value("packetsSent", 0), 100);
  const std::string trace = test::read_file(*dir_ / "answer_bye.xml.msg");
  EXPECT_NE(trace.find(" RTP/AVP 0 101\r\n"), std::string::npos) << "the offer lists PCMU and telephone-event only:\n" << trace;
  EXPECT_EQ(trace.find("G722"), trace.rfind("G722")) << "G.722 appears only in sipp's answer:\n" << trace;
}

TEST_F(SipCallTest, BusyHereEndsBusy) {
  auto r = call_sipp("busy.xml");
  EXPECT_EQ(r.value("status", ""), "busy") << r.dump(2);
  EXPECT_EQ(r.value("sipCode", 0), 486);
  EXPECT_EQ(r.value("outcome", ""), "No Answer");
  EXPECT_FALSE(r.contains("recordingUrl") && r["recordingUrl"].is_string());
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "recordings" / (r.value("id", "") + ".wav")))
      << "a call never answered leaves no empty recording";
}

TEST_F(SipCallTest, DeclineEndsFailedWithTheReasonKept) {
  auto r = call_sipp("decline.xml");
  EXPECT_EQ(r.value("status", ""), "failed") << r.dump(2);
  EXPECT_EQ(r.value("sipCode", 0), 603);
  EXPECT_NE(r.value("errorMessage", "").find("603 Decline"), std::string::npos);
}

TEST_F(SipCallTest, RingingPastTheTimeoutIsCancelledAsNoAnswer) {
  auto r = call_sipp("no_answer.xml", std::chrono::seconds(2));
  EXPECT_EQ(r.value("status", ""), "no_answer") << r.dump(2);
  EXPECT_NE(r.value("errorMessage", "").find("no answer within 2 s"), std::string::npos);
}

TEST_F(SipCallTest, EarlyMediaThenAnswerCompletes) {
  auto r = call_sipp("early_media.xml");
  EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
  EXPECT_TRUE(r["systemInfo"].value("earlyMedia", false));
}

TEST_F(SipCallTest, DigestChallengeIsAnsweredWithTheTrunkCredentials) {
  auto r = call_sipp("auth.xml", std::chrono::seconds(10),
                     telephony::SipTrunk{"", "udp", "trunkuser", "s3cret", "+15550001111"});
  EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
}

/// The names of this process's threads (/proc/self/task/*/comm), sorted.
std::string thread_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(e.path() / "comm");
    std::string n;
    std::getline(in, n);
    names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += n + " ";
  return out;
}

TEST_F(SipCallTest, NoThreadSocketOrDescriptorIsLeftBehind) {
  // Warm up once with an answered call and a refused one (engines load
  // lazily, pools start), then count.
  (void)call_sipp("answer_bye.xml");
  (void)call_sipp("busy.xml");
  const std::size_t fds = count_dir("/proc/self/fd"), threads = count_dir("/proc/self/task");
  const std::string before = describe_fds(), threads_before = thread_names();
  for (const char* s : {"answer_bye.xml", "busy.xml", "no_answer.xml"}) (void)call_sipp(s, std::chrono::seconds(2));
  // A call's record is written before its last helper threads have exited:
  // left behind means still there after 5 s, not at the instant of the record.
  const auto settled = [&] { return count_dir("/proc/self/fd") <= fds && count_dir("/proc/self/task") <= threads; };
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       !settled() && std::chrono::steady_clock::now() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(count_dir("/proc/self/fd"), fds) << "before: " << before << "\nafter: " << describe_fds();
  EXPECT_EQ(count_dir("/proc/self/task"), threads) << "before: " << threads_before << "\nafter: " << thread_names();
}

}  // namespace
}  // namespace voqo

namespace voqo {
namespace {

TEST_F(SipCallTest, InboundCallToAnAssignedNumberIsAnsweredByItsAgent) {
  ASSERT_TRUE(store_->settings().put(test::default_workspace(*store_), "inbound_numbers", {{"+14155550100", "Tester"}}));
  calls::CallServiceConfig cfg = loopback_config();
  auto service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;
  const std::string target = "127.0.0.1:" + std::to_string((*service)->sip_port());
  // sipp's built-in caller: INVITE, ACK, 2.5 s of call, BYE. A number nobody
  // answers for is refused (404), so the built-in scenario fails there.
  auto [ok_status, ok_out] = test::run({"/usr/bin/sipp", "-sn", "uac", target, "-s", "4155550100", "-m", "1", "-d", "2500",
                                        "-i", "127.0.0.1", "-p", std::to_string(test::free_loopback_port()), "-nostdin",
                                        "-timeout", "20s", "-timeout_error"});
  EXPECT_EQ(ok_status, 0) << ok_out;
  auto [no_status, no_out] = test::run({"/usr/bin/sipp", "-sn", "uac", target, "-s", "4155550199", "-m", "1", "-i",
                                        "127.0.0.1", "-p", std::to_string(test::free_loopback_port()), "-nostdin",
                                        "-timeout", "10s", "-timeout_error"});
  EXPECT_NE(no_status, 0) << "an unassigned number must not be answered";
  for (int i = 0; i < 100 && (*service)->active_calls() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  service->reset();
  auto calls = store_->calls().list(test::default_workspace(*store_), {});
  ASSERT_TRUE(calls);
  nlohmann::json inbound;
  for (const auto& c : calls->items)
    if (c.value("direction", "") == "inbound") inbound = c;
  ASSERT_FALSE(inbound.is_null()) << calls->items.dump(2);
  EXPECT_EQ(inbound.value("status", ""), "completed") << inbound.dump(2);
  EXPECT_EQ(inbound.value("toPhone", ""), "+14155550100");
  bool greeted = false;
  for (const auto& e : inbound["transcript"]) greeted |= e.value("speaker", "") == "agent";
  EXPECT_TRUE(greeted) << "the agent greets an inbound caller at once: " << inbound["transcript"].dump();
}

}  // namespace
}  // namespace voqo

namespace voqo {
namespace {

/// Greets, then asks for a blind transfer to a human at +14155550999.
class TransferBrain final : public brain::Brain {
 public:
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token) override {
    brain::Reply r;
    r.text = "Let me transfer you to a colleague.";
    sink(r.text);
    r.transfer_to = "+14155550999";
    r.outcome = brain::Outcome::transferred;
    return r;
  }
  Result<brain::Reply> respond(std::string_view, const brain::TextSink&, std::stop_token) override { return brain::Reply{}; }
  void interrupted(std::string_view) override {}
  std::string phase() const override { return "transfer"; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override {
    brain::CallResult r;
    r.outcome = brain::Outcome::transferred;
    return r;
  }
};

TEST_F(SipCallTest, BlindTransferByReferEndsTheCallAsTransferred) {
  const uint16_t port = test::free_loopback_port();
  test::Subprocess sipp({"/usr/bin/sipp", "-sf", std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/transfer.xml", "-i",
                         "127.0.0.1", "-p", std::to_string(port), "-m", "1", "-nostdin", "-timeout", "30s", "-timeout_error"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  calls::CallServiceConfig cfg = loopback_config();
  cfg.brain_factory = [](const brain::CallContext&) { return std::make_unique<TransferBrain>(); };
  cfg.trunk = telephony::SipTrunk{"sip:127.0.0.1:" + std::to_string(port), "udp", "", "", "+15550001111"};
  nlohmann::json record;
  {
    auto service = calls::CallService::create(*store_, cfg);
    ASSERT_TRUE(service) << service.error().message;
    std::mutex m;
    std::condition_variable cv;
    auto id = (*service)->place_call(test::with_record({test::default_workspace(*store_), "Tester", "+14155550123", nlohmann::json::object(), ""}, *store_, [&](const nlohmann::json& r) {
      std::lock_guard lock(m);
      record = r;
      cv.notify_all();
    }));
    ASSERT_TRUE(id) << id.error().message;
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !record.is_null(); }));
  }
  EXPECT_EQ(sipp.wait(std::chrono::seconds(10)), 0) << sipp.output();
  EXPECT_EQ(record.value("status", ""), "completed") << record.dump(2);
  EXPECT_EQ(record.value("outcome", ""), "Transferred");
  EXPECT_TRUE(record["systemInfo"]["transfer"].value("ok", false)) << record["systemInfo"].dump(2);
  EXPECT_EQ(record.value("errorMessage", ""), "transferred");
}

}  // namespace
}  // namespace voqo
