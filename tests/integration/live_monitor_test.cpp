// Live monitoring end to end (issue 5): `voqo serve` calls a baresip callee
// that speaks human recordings; a supervisor's real WebSocket client sees the
// call go connecting → ringing → connected, interim then final transcript
// lines, phases and sentiment; a COACH_AGENT whisper changes the agent's next
// reply; END_CALL ends the call; a transfer to a sipp UAS that accepts REFER
// ends with outcome Transferred. Every server message carries an increasing seq.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "net/local_port.hpp"
#include "speech/audio.hpp"
#include "support/baresip_callee.hpp"
#include "support/http_client.hpp"
#include "support/speech_fixtures.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/voqo_serve.hpp"
#include "support/ws_client.hpp"

namespace voqo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

/// `voqo serve` with a JSON helper for its API.
class Server : public test::VoqoServe {
 public:
  using VoqoServe::VoqoServe;

  json call(std::string_view method, const std::string& target, const json& body = nullptr) {
    auto r = test::http_request(port(), method, target, body.is_null() ? "" : body.dump(),
                                {{"Content-Type", "application/json"}, auth_header()});
    last_status = r.status;
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }
  int last_status = 0;
};

/// The supervisor's WebSocket: subscribes, then collects every message,
/// checking that seq never goes back.
class Supervisor {
 public:
  Supervisor(uint16_t port, const std::string& key) {
    if (ws_.connect(port, "/api/realtime", {{"X-API-Key", key}}) != 101)
      throw std::runtime_error("WebSocket upgrade refused");
  }
  json subscribe(const std::string& id, const std::string& query, const json& args) {
    EXPECT_TRUE(ws_.send_text(json{{"type", "subscribe"}, {"id", id}, {"query", query}, {"args", args}}.dump()));
    auto snapshot = next([&](const json& m) { return m.value("id", "") == id; }, 10s);
    EXPECT_TRUE(snapshot) << "no answer to subscribe " << id;
    return snapshot.value_or(json());
  }
  /// Reads until a message satisfies `pred` (every message is kept in log).
  std::optional<json> next(const std::function<bool(const json&)>& pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto m = ws_.read(left);
      if (!m) return std::nullopt;
      json j = json::parse(m->data, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << m->data;
      EXPECT_TRUE(j.contains("seq")) << "every server message carries seq: " << m->data;
      const uint64_t seq = j.value("seq", uint64_t{0});
      if (j.value("type", "") == "change") {  // seq grows within each subscription (docs/REALTIME.md)
        uint64_t& last = last_seq_[j.value("id", "")];
        EXPECT_GT(seq, last) << "changes arrive in seq order: " << m->data;
        last = seq;
      } else if (j.value("type", "") == "snapshot") {
        last_seq_[j.value("id", "")] = seq;
      }
      log.push_back(j);
      if (pred(j)) return j;
    }
  }
  std::vector<json> log;

 private:
  test::WsClient ws_;
  std::map<std::string, uint64_t> last_seq_;  ///< subscription id → last seq
};

bool change_of(const json& m, const std::string& sub, const std::string& kind) {
  return m.value("type", "") == "change" && m.value("id", "") == sub && m["data"].value("kind", "") == kind;
}

/// Human recordings with silences between them, as the callee's voice.
fs::path callee_voice(const fs::path& dir) {
  speech::PcmAudio voice{speech::kWideband, {}};
  voice.samples.resize(16000 * 4, 0);  // the agent greets first
  for (const char* name : {"sense_and_sensibility_01_austen_64kb-0870", "sense_and_sensibility_01_austen_64kb-0880",
                           "sense_and_sensibility_01_austen_64kb-0890", "sense_and_sensibility_01_austen_64kb-0920"}) {
    auto s = test::load_speech(std::string(name) + ".wav");
    voice.samples.insert(voice.samples.end(), s.begin(), s.end());
    voice.samples.resize(voice.samples.size() + 16000 * 5, 0);
  }
  voice.samples.resize(voice.samples.size() + 16000 * 60, 0);  // then silence: baresip hangs up at the end of the file
  const fs::path path = dir / "voice.wav";
  EXPECT_TRUE(speech::write_wav(path, voice));
  return path;
}

class live_monitor : public ::testing::Test {
 protected:
  std::string make_agent(Server& server) {
    auto agent = server.call("POST", "/api/agents", test::baresip_agent());
    EXPECT_EQ(server.last_status, 201) << agent.dump();
    return agent.value("id", "");
  }
  test::TempDir dir_;
};

TEST_F(live_monitor, SupervisorWatchesCoachesAndEndsABaresipCall) {
  test::BaresipCallee callee(dir_ / "callee", callee_voice(dir_.path()));
  Server server(dir_.path());
  const std::string agent_id = make_agent(server);
  Supervisor sup(server.port(), server.key());
  auto calls_snapshot = sup.subscribe("calls", "liveCalls", json::object());
  ASSERT_EQ(calls_snapshot.value("type", ""), "snapshot") << calls_snapshot.dump();

  auto placed = server.call("POST", "/api/calls", {{"agentId", agent_id}, {"to", callee.uri()}});
  ASSERT_TRUE(server.last_status == 201 || server.last_status == 202) << placed.dump();
  const std::string call_id = placed.value("id", "");
  auto call_snapshot = sup.subscribe("call", "liveCall", {{"id", call_id}});
  ASSERT_EQ(call_snapshot.value("type", ""), "snapshot") << call_snapshot.dump();

  // connecting → ringing → connected, in that order, on the liveCalls query.
  auto status_of = [&](const json& m) -> std::string {
    if (m.value("type", "") != "change" || m.value("id", "") != "calls") return "";
    const json& d = m["data"];
    if (d.value("kind", "") != "upsert" || d["call"].value("callId", "") != call_id) return "";
    return d["call"].value("status", "");
  };
  auto connected = sup.next([&](const json& m) { return status_of(m) == "connected"; }, 30s);
  ASSERT_TRUE(connected) << server.output();
  std::vector<std::string> statuses;
  for (const auto& m : sup.log)
    if (const std::string s = status_of(m); !s.empty() && (statuses.empty() || statuses.back() != s)) statuses.push_back(s);
  ASSERT_GE(statuses.size(), 2u) << [&] {
    std::string out;
    for (const auto& m : sup.log) out += m.dump().substr(0, 300) + "\n";
    return out;
  }();
  EXPECT_EQ(statuses.front(), "connecting");
  EXPECT_NE(std::find(statuses.begin(), statuses.end(), "ringing"), statuses.end());
  EXPECT_EQ(statuses.back(), "connected");

  // Caller speech: an interim line, then its final with the same entryId and a sentiment.
  std::map<std::string, bool> interim_seen;
  std::optional<json> caller_final;
  auto got_final = sup.next([&](const json& m) {
    if (!change_of(m, "call", "transcript")) return false;
    const json& line = m["data"]["line"];
    if (line.value("speaker", "") != "caller") return false;
    if (!line.value("isFinal", false)) {
      interim_seen[line.value("entryId", "")] = true;
      return false;
    }
    if (!interim_seen[line.value("entryId", "")]) return false;  // a final without interims: keep looking
    caller_final = line;
    return true;
  }, 45s);
  ASSERT_TRUE(got_final) << "no caller line with interim then final; server:\n" << server.output();
  EXPECT_FALSE(caller_final->value("text", "").empty());
  EXPECT_TRUE(caller_final->contains("sentiment"));
  EXPECT_TRUE((*caller_final)["confidence"].is_number());

  // Phases and sentiment from the call intelligence.
  auto insights = sup.next([&](const json& m) { return change_of(m, "call", "insights"); }, 15s);
  ASSERT_TRUE(insights);
  const json& data = (*insights)["data"];
  ASSERT_TRUE(data["phases"].is_array());
  bool active = false;
  for (const auto& p : data["phases"]) active = active || p.value("status", "") == "active";
  EXPECT_TRUE(active) << data["phases"].dump();
  EXPECT_TRUE(data["sentiment"].contains("trend")) << data["sentiment"].dump();

  // The call flow moved on: a phase change reached the subscriber (currentPhase set).
  auto has_phase = [&](const json& m) {
    return change_of(m, "call", "call") && m["data"]["call"]["currentPhase"].is_string();
  };
  bool phase_seen = std::any_of(sup.log.begin(), sup.log.end(), has_phase);
  if (!phase_seen) phase_seen = sup.next(has_phase, 20s).has_value();
  ASSERT_TRUE(phase_seen) << "no phase change seen";

  // COACH_AGENT: the agent's next reply carries the whisper.
  const std::string whisper = "We can also manage the repairs for you.";
  auto coached = server.call("POST", "/api/live-calls/" + call_id + "/actions",
                             {{"action", "COACH_AGENT"}, {"details", {{"text", whisper}}}});
  ASSERT_EQ(server.last_status, 202) << coached.dump();
  auto next_agent = sup.next([&](const json& m) {
    if (!change_of(m, "call", "transcript")) return false;
    const json& line = m["data"]["line"];
    return line.value("speaker", "") == "agent" && line.value("isFinal", false) &&
           line.value("text", "").find("repairs") != std::string::npos;
  }, 40s);
  EXPECT_TRUE(next_agent) << "the agent never used the whisper; server:\n" << server.output();

  // END_CALL: a closing line, then the call ends.
  auto ended = server.call("POST", "/api/live-calls/" + call_id + "/actions", {{"action", "END_CALL"}});
  ASSERT_EQ(server.last_status, 202) << ended.dump();
  auto end_change = sup.next([&](const json& m) { return change_of(m, "call", "ended"); }, 30s);
  ASSERT_TRUE(end_change) << server.output();
  auto record = server.call("GET", "/api/calls/" + call_id);
  EXPECT_EQ(record.value("status", ""), "completed") << record.dump();
  auto actions = server.call("GET", "/api/live-calls/" + call_id + "/actions");
  ASSERT_TRUE(actions["items"].is_array()) << actions.dump();
  std::vector<std::string> names;
  for (const auto& a : actions["items"]) names.push_back(a.value("action", ""));
  EXPECT_EQ(names, (std::vector<std::string>{"COACH_AGENT", "END_CALL"}));
  auto analytics = server.call("GET", "/api/calls/" + call_id + "/analytics");
  EXPECT_EQ(server.last_status, 200) << analytics.dump();
  EXPECT_GT(analytics.value("transcriptEntries", 0), 1) << analytics.dump();
  // The liveCalls subscriber was told the call left the list.
  EXPECT_TRUE(sup.next([&](const json& m) {
    return m.value("id", "") == "calls" && m.value("type", "") == "change" && m["data"].value("kind", "") == "remove" &&
           m["data"].value("callId", "") == call_id;
  }, 5s)) << [&] {
    std::string out;
    for (const auto& m : sup.log)
      if (m.value("id", "") == "calls") out += m.dump().substr(0, 200) + "\n";
    return out;
  }();
}

TEST_F(live_monitor, TransferToASippUasThatAcceptsReferEndsTransferred) {
  const fs::path scenario = fs::path(VOQO_SOURCE_DIR) / "tests/data/sipp/transfer.xml";
  ASSERT_TRUE(fs::exists(scenario)) << scenario;
  const uint16_t sipp_port = net::free_loopback_port();
  test::Subprocess sipp({"/bin/sh", "-c",
                         "exec sipp -sf " + scenario.string() + " -i 127.0.0.1 -p " + std::to_string(sipp_port) +
                             " -m 1 -nostdin >/dev/null 2>&1"});
  std::this_thread::sleep_for(300ms);
  Server server(dir_.path());
  const std::string agent_id = make_agent(server);
  Supervisor sup(server.port(), server.key());
  auto placed = server.call("POST", "/api/calls",
                            {{"agentId", agent_id}, {"to", "sip:uas@127.0.0.1:" + std::to_string(sipp_port)}});
  ASSERT_TRUE(server.last_status == 201 || server.last_status == 202) << placed.dump();
  const std::string call_id = placed.value("id", "");
  sup.subscribe("call", "liveCall", {{"id", call_id}});
  ASSERT_TRUE(sup.next([&](const json& m) {
    return change_of(m, "call", "call") && m["data"]["call"].value("status", "") == "connected";
  }, 20s)) << server.output();
  auto transfer = server.call("POST", "/api/live-calls/" + call_id + "/actions",
                              {{"action", "TRANSFER_CALL"}, {"details", {{"target", "+14155550199"}}}});
  ASSERT_EQ(server.last_status, 202) << transfer.dump();
  EXPECT_TRUE(sup.next([&](const json& m) {
    return change_of(m, "call", "call") && m["data"]["call"].value("status", "") == "transferring";
  }, 10s));
  ASSERT_TRUE(sup.next([&](const json& m) { return change_of(m, "call", "ended"); }, 30s)) << server.output();
  auto record = server.call("GET", "/api/calls/" + call_id);
  EXPECT_EQ(record.value("outcome", ""), "Transferred") << record.dump();
}

}  // namespace
}  // namespace voqo
