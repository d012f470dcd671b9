// Live monitoring and a supervisor's controls on real SIP calls over
// loopback (issue 5): a recording CallEvents observer sees the call created,
// answered, its statuses in order, interim then final transcript lines,
// levels and the end with its typed CallOutcome (issue 17 §3); a coaching whisper changes the agent's next reply, END_CALL ends the
// call after the closing line, and a transfer by REFER to a sipp UAS that
// accepts it ends with outcome "Transferred".
//
// Callees: baresip (../shared/peers/baresip-callee) speaking human
// recordings from ../shared/fixtures/speech, and sipp playing
// tests/data/sipp/transfer.xml (answers, 202 to the REFER, NOTIFY with
// "SIP/2.0 200 OK", then takes the BYE).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>

#include "calls/call_service.hpp"
#include "calls/call_events.hpp"
#include "core/time.hpp"
#include "speech/audio.hpp"
#include "store/store.hpp"
#include "support/baresip_callee.hpp"
#include "support/sip_test_support.hpp"
#include "support/speech_fixtures.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// Records every call event, in arrival order.
class RecordingObserver final : public calls::CallEvents {
 public:
  void call_created(const calls::CallInfo& call) override {
    std::lock_guard lock(m_);
    info_ = call;
    log_.push_back("created");
    cv_.notify_all();
  }
  void call_answered(const calls::CallInfo&, std::chrono::system_clock::time_point at) override {
    std::lock_guard lock(m_);
    answered_at_ = at;
    log_.push_back("answered");
    cv_.notify_all();
  }
  void call_status(const std::string&, std::string_view status) override { add("status:" + std::string(status)); }
  void transcript(const std::string&, const model::TranscriptLine& line) override {
    std::lock_guard lock(m_);
    lines_.push_back(line);
    log_.push_back(std::string(line.is_final ? "final:" : "interim:") + line.entry_id);
    cv_.notify_all();
  }
  void levels(const std::string&, int agent_gain, int customer_gain, std::string_view) override {
    std::lock_guard lock(m_);
    ++levels_;
    max_customer_ = std::max(max_customer_, customer_gain);
    max_agent_ = std::max(max_agent_, agent_gain);
    if (log_.empty() || log_.back() != "levels") log_.push_back("levels");
  }
  void agent_turn(const std::string&, const brain::Reply&) override { add("turn"); }
  void event(const std::string&, std::string_view name, std::string_view) override { add("event:" + std::string(name)); }
  void call_ended(const calls::CallOutcome& outcome) override {
    std::lock_guard lock(m_);
    ended_ = outcome;
    log_.push_back("ended");
    cv_.notify_all();
  }

  /// Waits until `pred` (called under the lock) holds.
  bool wait_for(const std::function<bool(RecordingObserver&)>& pred, std::chrono::seconds timeout) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return pred(*this); });
  }
  /// A caller entry whose interim came before its final (with text).
  bool caller_interim_then_final() const {
    std::map<std::string, int> interims;
    for (const auto& l : lines_) {
      if (l.speaker != "caller") continue;
      if (!l.is_final) ++interims[l.entry_id];
      else if (interims[l.entry_id] > 0 && !l.text.empty()) return true;
    }
    return false;
  }
  bool agent_said(const std::string& text) const {
    for (const auto& l : lines_)
      if (l.speaker == "agent" && l.is_final && l.text.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> statuses() const {
    std::vector<std::string> out;
    for (const auto& e : log_)
      if (e.rfind("status:", 0) == 0) out.push_back(e.substr(7));
    return out;
  }
  std::string dump() const {
    std::string s;
    for (const auto& e : log_) s += e + " ";
    return s;
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> log_;
  std::vector<model::TranscriptLine> lines_;
  calls::CallInfo info_;
  std::optional<std::chrono::system_clock::time_point> answered_at_;
  std::optional<calls::CallOutcome> ended_;
  int levels_ = 0, max_customer_ = 0, max_agent_ = 0;

 private:
  void add(std::string e) {
    std::lock_guard lock(m_);
    log_.push_back(std::move(e));
    cv_.notify_all();
  }
};

using test::BaresipCallee;

class SuperviseTest : public test::SipSuite {
 protected:
  /// sipp playing tests/data/sipp/<scenario> for one call on a free port, and
  /// a call configuration whose trunk is that sipp, reporting to `observer`.
  static std::pair<std::unique_ptr<test::Subprocess>, calls::CallServiceConfig> sipp_peer(
      const std::string& scenario, std::shared_ptr<RecordingObserver> observer) {
    const uint16_t port = test::free_loopback_port();
    const std::string path = std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/" + scenario;
    auto sipp = std::make_unique<test::Subprocess>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec sipp -sf '" + path + "' -i 127.0.0.1 -p " + std::to_string(port) +
            " -m 1 -nostdin -timeout 30s -timeout_error >/dev/null 2>&1"});
    std::this_thread::sleep_for(300ms);
    calls::CallServiceConfig cfg = loopback_config();
    cfg.observers = {std::move(observer)};
    cfg.trunk = telephony::SipTrunk{"sip:127.0.0.1:" + std::to_string(port), "udp", "", "", "+15550001111"};
    return {std::move(sipp), cfg};
  }

  static void SetUpTestSuite() {
    test::SipSuite::SetUpTestSuite();
    auto agent = store_->agents().create(test::default_workspace(*store_), test::baresip_agent());
    ASSERT_TRUE(agent) << agent.error().message;
  }

  /// Places a call and returns its id; `record` is set when it ends.
  std::string place(calls::CallService& service, const calls::PlaceCall& request) {
    auto id = service.place_call(test::with_record(request, *store_, [this](const nlohmann::json& r) {
      std::lock_guard lock(m_);
      record_ = r;
      cv_.notify_all();
    }));
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : std::string();
  }
  bool wait_record(std::chrono::seconds timeout) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return !record_.is_null(); });
  }

  std::mutex m_;
  std::condition_variable cv_;
  nlohmann::json record_;
};

std::string side_text(const nlohmann::json& record, const std::string& speaker) {
  std::string text;
  for (const auto& e : record["transcript"])
    if (e.value("speaker", "") == speaker) text += e.value("text", "") + " | ";
  return text;
}

TEST_F(SuperviseTest, LiveEventsCoachingAndEndCallOnACallToBaresip) {
  // The callee: 1 s of silence, "go forward ten meters", a pause, a second sentence, 37 s of silence.
  speech::PcmAudio voice{speech::kWideband, std::vector<int16_t>(16000, 0)};
  for (const char* name : {"goforward.raw", "something.raw"}) {
    auto s = speech::read_raw_s16le(test::speech_fixture(name));
    ASSERT_TRUE(s);
    voice.samples.insert(voice.samples.end(), s->samples.begin(), s->samples.end());
    voice.samples.resize(voice.samples.size() + 7 * 16000, 0);
  }
  voice.samples.resize(voice.samples.size() + 30 * 16000, 0);  // baresip hangs up when its file ends
  ASSERT_TRUE(speech::write_wav(*dir_ / "supervise-voice.wav", voice));
  BaresipCallee callee(*dir_ / "baresip", *dir_ / "supervise-voice.wav");

  auto observer = std::make_shared<RecordingObserver>();
  calls::CallServiceConfig cfg = loopback_config();
  cfg.brain_factory = {};  // the settings' choice: the scripted brain
  cfg.detect_answering_machine = false;
  cfg.observers = {observer};
  auto service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;
  const std::string id = place(**service, {test::default_workspace(*store_), "Ava", callee.uri(), nlohmann::json::object(), "Baresip"});
  ASSERT_FALSE(id.empty());

  // The caller's first sentence shows interim hypotheses, then its final.
  ASSERT_TRUE(observer->wait_for([](RecordingObserver& o) { return o.caller_interim_then_final(); }, 30s))
      << observer->dump();
  const std::string line = "Our valuation is completely free.";
  ASSERT_TRUE((*service)->supervise(id, {calls::SupervisorCommand::Kind::coach, "Say \"" + line + "\"", ""}));
  // The whisper is said in the agent's next reply (to the second sentence), not at once.
  ASSERT_TRUE(observer->wait_for([&](RecordingObserver& o) { return o.agent_said(line); }, 30s)) << observer->dump();

  const std::string closing = "Thanks for your time, a colleague will follow up. Goodbye.";
  ASSERT_TRUE((*service)->supervise(id, {calls::SupervisorCommand::Kind::end_call, closing, ""}));
  ASSERT_TRUE(wait_record(30s)) << "END_CALL did not end the call: " << observer->dump();
  ASSERT_TRUE(observer->wait_for([](RecordingObserver& o) { return o.ended_.has_value(); }, 10s));

  // The record: the closing line was the agent's last words, then our BYE.
  EXPECT_EQ(record_.value("status", ""), "completed") << record_.dump(2);
  EXPECT_FALSE(record_["systemInfo"].value("remoteHangup", true));
  EXPECT_EQ(record_.value("errorMessage", ""), "ended by a supervisor");
  nlohmann::json last_agent;
  for (const auto& e : record_["transcript"])
    if (e.value("speaker", "") == "agent") last_agent = e;
  EXPECT_EQ(last_agent.value("text", ""), closing) << side_text(record_, "agent");
  EXPECT_FALSE(last_agent.value("interrupted", true));
  bool coached_in_record = false;
  for (const auto& e : record_["transcript"])
    coached_in_record |= e.value("speaker", "") == "agent" && e.value("text", "").rfind(line, 0) == 0;
  EXPECT_TRUE(coached_in_record) << "the coached reply starts with the whispered line: " << side_text(record_, "agent");

  // The observer: created first, answered before "connected", ended last,
  // statuses in order, levels while connected.
  std::lock_guard lock(observer->m_);
  ASSERT_FALSE(observer->log_.empty());
  EXPECT_EQ(observer->log_.front(), "created") << observer->dump();
  EXPECT_EQ(observer->log_.back(), "ended") << observer->dump();
  const auto at = [&](const std::string& e) {
    return std::find(observer->log_.begin(), observer->log_.end(), e) - observer->log_.begin();
  };
  EXPECT_EQ(std::count(observer->log_.begin(), observer->log_.end(), "answered"), 1) << observer->dump();
  EXPECT_LT(at("answered"), at("status:connected")) << observer->dump();
  EXPECT_LT(at("answered"), at("levels")) << observer->dump();
  const auto statuses = observer->statuses();
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.back(), "connected") << observer->dump();
  if (statuses.size() > 1) {
    EXPECT_EQ(statuses, (std::vector<std::string>{"ringing", "connected"}));
  }
  EXPECT_EQ(observer->info_.call_id, id);
  EXPECT_EQ(observer->info_.agent_name, "Ava");
  EXPECT_EQ(observer->info_.customer_name, "Baresip");
  EXPECT_EQ(observer->info_.direction, "outbound");
  EXPECT_EQ(observer->info_.session_id, record_["systemInfo"].value("sipCallId", "?"));
  EXPECT_TRUE(observer->info_.is_recording);
  EXPECT_FALSE(observer->info_.started_at.empty());
  // The typed outcome says what the stored record says.
  ASSERT_TRUE(observer->ended_.has_value());
  const calls::CallOutcome& outcome = *observer->ended_;
  EXPECT_EQ(outcome.call_id, id);
  EXPECT_EQ(outcome.workspace, test::default_workspace(*store_));
  EXPECT_EQ(outcome.status, calls::CallStatus::completed);
  EXPECT_EQ(outcome.end_reason, "ended by a supervisor");
  EXPECT_FALSE(outcome.remote_hangup);
  EXPECT_TRUE(outcome.caller_spoke);
  ASSERT_TRUE(outcome.outcome.has_value());
  EXPECT_EQ(brain::outcome_label(*outcome.outcome), record_.value("outcome", "?"));
  ASSERT_TRUE(outcome.started_at.has_value());
  EXPECT_EQ(outcome.started_at, observer->answered_at_);
  EXPECT_EQ(to_iso8601(*outcome.started_at), record_.value("startedAt", "?"));
  EXPECT_FALSE(outcome.turns.empty()) << "the agent answered the caller";
  EXPECT_EQ(outcome.turns.size(), record_["turnMetrics"].size());
  EXPECT_EQ(outcome.amd_verdict, "") << "AMD was off";
  // Read back from the stored record, the outcome is the same.
  auto reread = calls::call_outcome_from_record(record_);
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->status, outcome.status);
  EXPECT_EQ(reread->outcome, outcome.outcome);
  EXPECT_EQ(reread->end_reason, outcome.end_reason);
  EXPECT_EQ(reread->turns.size(), outcome.turns.size());
  EXPECT_EQ(reread->silence_threshold_ms, outcome.silence_threshold_ms);
  EXPECT_GT(observer->levels_, 10);
  EXPECT_GT(observer->max_customer_, 20) << "the caller's level";
  EXPECT_GT(observer->max_agent_, 20) << "the agent's level";
  // Each final caller line of the record is a live final with the same text.
  for (const auto& e : record_["transcript"]) {
    bool live = false;
    for (const auto& l : observer->lines_) live |= l.is_final && l.speaker == e.value("speaker", "") && l.text == e.value("text", "");
    EXPECT_TRUE(live) << e.dump();
  }
  // Commands for a call that has ended: not found.
  auto late = (*service)->supervise(id, {calls::SupervisorCommand::Kind::take_over, "", ""});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::not_found);
}

TEST_F(SuperviseTest, TransferByReferToASippUasEndsTransferred) {
  auto observer = std::make_shared<RecordingObserver>();
  auto [sipp, cfg] = sipp_peer("transfer.xml", observer);
  {
    auto service = calls::CallService::create(*store_, cfg);
    ASSERT_TRUE(service) << service.error().message;
    // Unknown calls and bad targets are refused.
    auto unknown = (*service)->supervise("no-such-call", {calls::SupervisorCommand::Kind::coach, "hi", ""});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
    EXPECT_EQ((*service)->join_audio(test::default_workspace(*store_), "no-such-call").error().code, ErrorCode::not_found);

    const std::string id = place(**service, {test::default_workspace(*store_), "Tester", "+14155550123", nlohmann::json::object(), "Sipp"});
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(observer->wait_for([](RecordingObserver& o) { return !o.statuses().empty() && o.statuses().back() == "connected"; },
                                   20s))
        << observer->dump();
    for (const char* bad : {"", "not a number", "sip:bad target@host"}) {
      auto r = (*service)->supervise(id, {calls::SupervisorCommand::Kind::transfer, "", bad});
      ASSERT_FALSE(r) << bad;
      EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << bad;
      ASSERT_FALSE(r.error().fields.empty()) << bad;
      EXPECT_EQ(r.error().fields[0].field, "target") << bad;
    }
    ASSERT_TRUE((*service)->supervise(id, {calls::SupervisorCommand::Kind::transfer, "", "+1 415 555 0999"}));
    ASSERT_TRUE(wait_record(30s)) << observer->dump();
    ASSERT_TRUE(observer->wait_for([](RecordingObserver& o) { return o.ended_.has_value(); }, 10s));
  }
  EXPECT_EQ(sipp->wait(10s), 0) << "sipp did not see the REFER to +14155550999 and the BYE";
  EXPECT_EQ(record_.value("status", ""), "completed") << record_.dump(2);
  EXPECT_EQ(record_.value("outcome", ""), "Transferred");
  EXPECT_TRUE(record_["systemInfo"]["transfer"].value("ok", false)) << record_["systemInfo"].dump(2);
  std::lock_guard lock(observer->m_);
  EXPECT_EQ(observer->log_.front(), "created");
  EXPECT_EQ(observer->statuses(), (std::vector<std::string>{"ringing", "connected", "transferring"})) << observer->dump();
  EXPECT_EQ(observer->log_.back(), "ended");
  ASSERT_TRUE(observer->ended_.has_value());
  EXPECT_EQ(observer->ended_->outcome, brain::Outcome::transferred);
}

TEST_F(SuperviseTest, APeerThatHoldsAndResumesIsReportedOnHoldThenConnected) {
  auto observer = std::make_shared<RecordingObserver>();
  auto [sipp, cfg] = sipp_peer("hold_resume.xml", observer);
  {
    auto service = calls::CallService::create(*store_, cfg);
    ASSERT_TRUE(service) << service.error().message;
    const std::string id = place(**service, {test::default_workspace(*store_), "Tester", "+14155550124", nlohmann::json::object(), "Sipp"});
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(wait_record(30s)) << observer->dump();
    ASSERT_TRUE(observer->wait_for([](RecordingObserver& o) { return o.ended_.has_value(); }, 10s));
  }
  EXPECT_EQ(sipp->wait(10s), 0) << "sipp's re-INVITEs were not answered";
  std::lock_guard lock(observer->m_);
  EXPECT_EQ(observer->statuses(), (std::vector<std::string>{"ringing", "connected", "on-hold", "connected"}))
      << observer->dump();
}

}  // namespace
}  // namespace voqo
