// What a crash keeps and what it leaves behind (issue 15 §8, §10, §11).
//
//  - Recovery at start-up (CallService::recover_interrupted) from a crash
//    state built by hand: a call cut while answered keeps the final lines of
//    its live transcript and the recording written so far (its header, which
//    claimed no audio, repaired), one cut while ringing keeps no empty WAV,
//    and recordings without audio are swept unless a record or another
//    node's call in progress owns them.
//  - "Stop calling me" is on the do-not-call list while the call goes on (a
//    callee-sim callee says it to the scripted brain): it does not wait for
//    the end of the call, which a crash may never reach.
//  - The real thing: `voqo serve` under umask 000 calls that callee, the test
//    sees the number listed while the call is still in progress and kills
//    the server with SIGKILL; the database, WAL, SHM and recording were
//    0600 and the folders 0700; after a restart the call record has the
//    transcript and a playable recording, the number is still listed, and
//    the upload spool files and empty WAVs the crash left are gone.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <map>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "calls/call_service.hpp"
#include "core/id.hpp"
#include "core/time.hpp"
#include "pipeline/recording.hpp"
#include "postcall/outcome_loop.hpp"
#include "speech/audio.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/http_client.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/voqo_serve.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

int mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

std::filesystem::path with_suffix(std::filesystem::path p, const char* suffix) {
  p += suffix;
  return p;
}

/// Writes what the recorder leaves when the process dies: the header it
/// wrote at creation (claiming no audio) and `frames` stereo frames after it.
void crashed_recording(const std::filesystem::path& wav, std::size_t frames) {
  auto f = pipeline::create_recording(wav);
  ASSERT_TRUE(f) << f.error().message;
  std::vector<int16_t> audio(frames * 2, 1000);
  std::fwrite(audio.data(), sizeof(int16_t), audio.size(), *f);
  std::fclose(*f);
}

/// A complete recording (header with its sizes) of `frames` stereo frames.
void finished_recording(const std::filesystem::path& wav, std::size_t frames) {
  auto f = pipeline::create_recording(wav);
  ASSERT_TRUE(f) << f.error().message;
  std::vector<int16_t> audio(frames * 2, 500);
  std::fwrite(audio.data(), sizeof(int16_t), audio.size(), *f);
  ASSERT_TRUE(pipeline::write_recording_header(*f, frames * pipeline::kRecordingFrameBytes));
  std::fclose(*f);
}

/// CallService::create on a free loopback port (retried: another process may take the TCP twin of the UDP port).
std::unique_ptr<calls::CallService> start_service(store::Store& st, calls::CallServiceConfig cfg) {
  auto service = calls::CallService::create(st, cfg);
  for (int i = 0; i < 5 && !service && service.error().code == ErrorCode::io; ++i) service = calls::CallService::create(st, cfg);
  EXPECT_TRUE(service) << service.error().message;
  return service ? std::move(*service) : nullptr;
}

/// Rows of do_not_call for `phone`: {source, call_id}.
std::vector<std::pair<std::string, std::string>> dnc_rows(store::Store& st, const std::string& phone) {
  auto rows = st.db().read([&](store::Connection& c) -> Result<std::vector<std::pair<std::string, std::string>>> {
    auto q = c.prepare("SELECT source, coalesce(call_id, '') FROM do_not_call WHERE phone = ?");
    if (!q) return std::unexpected(q.error());
    (*q)->bind_text(1, phone);
    std::vector<std::pair<std::string, std::string>> out;
    for (;;) {
      auto row = (*q)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.emplace_back(std::string((*q)->column_text(0)), std::string((*q)->column_text(1)));
    }
    return out;
  });
  EXPECT_TRUE(rows) << rows.error().message;
  return rows ? *rows : std::vector<std::pair<std::string, std::string>>{};
}

TEST(CrashRecovery, AnInterruptedCallKeepsItsLiveTranscriptAndTheRecordingWrittenSoFar) {
  test::TempDir dir;
  auto st = test::store_with_tester(dir.path());
  ASSERT_NE(st, nullptr);
  store::CallStore calls(st->db());
  auto agent = calls.agent_id(test::default_workspace(*st), "Tester");
  ASSERT_TRUE(agent && *agent);
  const auto recordings = dir / "recordings";
  std::filesystem::create_directories(recordings);
  ASSERT_EQ(::chmod(recordings.c_str(), 0755), 0);  // as an earlier version created it

  auto live_row = [&](const std::string& id, const std::string& status, const std::string& node) {
    store::LiveCall l{id, **agent, "Tester", "", "+14155550100", "outbound", "connecting", now_iso8601(),
                      "sip:127.0.0.1:5060", "sip-call-" + id, node, true};
    l.workspace_id = test::default_workspace(*st).value;
    ASSERT_TRUE(calls.live_begin(l));
    ASSERT_TRUE(calls.live_status(id, status));
  };
  // Call A: answered, cut by the crash one second in, after the caller spoke.
  const std::string a = new_id();
  live_row(a, "connected", "local");
  ASSERT_TRUE(st->live().upsert_transcript(a, {"agent-1", "agent", "Hello, this is the voqo test agent.", 0, 2000, 1, true, false, ""}));
  ASSERT_TRUE(st->live().upsert_transcript(a, {"caller-1", "caller", "please stop calling me", 2500, 4000, 0.8, true, false, ""}));
  ASSERT_TRUE(st->live().upsert_transcript(a, {"caller-2", "caller", "and", 4500, 4700, 0, false, false, ""}));  // interim only
  crashed_recording(recordings / (a + ".wav"), 16000);
  // Call B: still ringing: the recorder had created its file, no audio yet.
  const std::string b = new_id();
  live_row(b, "ringing", "local");
  crashed_recording(recordings / (b + ".wav"), 0);
  // Left over without a call: a header-only WAV and an empty one (cut before its header reached the disk).
  const std::string c = new_id(), d = new_id();
  crashed_recording(recordings / (c + ".wav"), 0);
  test::write_file(recordings / (d + ".wav"), "");
  // Finished calls whose records point at their recordings: kept, even one without audio.
  const std::string e = new_id(), f = new_id();
  for (const auto& [id, frames] : {std::pair{e, std::size_t{8000}}, std::pair{f, std::size_t{0}}}) {
    store::CallRecord r;
    r.id = id;
    r.workspace_id = test::default_workspace(*st);
    r.agent_id = **agent;
    r.direction = "outbound";
    r.status = "completed";
    r.to_phone = "+14155550101";
    r.recording_url = "/api/calls/" + id + "/recording";
    ASSERT_TRUE(calls.insert(r));
    finished_recording(recordings / (id + ".wav"), frames);
  }
  // Another node's call in progress writing into the same folder: kept.
  const std::string g = new_id();
  live_row(g, "ringing", "other-node");
  crashed_recording(recordings / (g + ".wav"), 0);

  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.recordings_dir = recordings;
  cfg.brain_factory = [](const brain::CallContext& ctx) { return std::make_unique<test::RepeatBrain>(ctx); };
  auto service = start_service(*st, cfg);
  ASSERT_NE(service, nullptr);
  auto n = service->recover_interrupted();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2);

  auto ra = st->calls().get(test::default_workspace(*st), a);
  ASSERT_TRUE(ra) << ra.error().message;
  EXPECT_EQ((*ra)["status"], "failed");
  EXPECT_EQ((*ra)["errorMessage"], "interrupted");
  ASSERT_EQ((*ra)["transcript"].size(), 2u) << ra->dump(2);
  EXPECT_EQ((*ra)["transcript"][0]["speaker"], "agent");
  EXPECT_EQ((*ra)["transcript"][0]["text"], "Hello, this is the voqo test agent.");
  EXPECT_EQ((*ra)["transcript"][1]["speaker"], "caller");
  EXPECT_EQ((*ra)["transcript"][1]["text"], "please stop calling me");
  EXPECT_EQ((*ra)["transcript"][1]["startMs"], 2500);
  EXPECT_EQ((*ra)["recordingUrl"], "/api/calls/" + a + "/recording");
  EXPECT_EQ((*ra)["duration"], 1) << ra->dump(2);
  auto wav = speech::read_wav(recordings / (a + ".wav"));
  ASSERT_TRUE(wav) << wav.error().message;
  EXPECT_EQ(wav->samples.size(), 32000u) << "the header now claims the second of audio the file holds";

  auto rb = st->calls().get(test::default_workspace(*st), b);
  ASSERT_TRUE(rb) << rb.error().message;
  EXPECT_EQ((*rb)["errorMessage"], "interrupted");
  EXPECT_TRUE((*rb)["recordingUrl"].is_null()) << rb->dump(2);
  EXPECT_TRUE((*rb)["transcript"].empty());

  for (const auto& gone : {b, c, d}) EXPECT_FALSE(std::filesystem::exists(recordings / (gone + ".wav"))) << gone;
  for (const auto& kept : {a, e, f, g}) EXPECT_TRUE(std::filesystem::exists(recordings / (kept + ".wav"))) << kept;
  EXPECT_EQ(std::filesystem::file_size(recordings / (e + ".wav")), pipeline::kWavHeaderBytes + 8000 * pipeline::kRecordingFrameBytes);
  EXPECT_EQ(mode_of(recordings), 0700);
}

/// `voqo callee-sim` on a free loopback port (personas by the dialed number's last digit: 7 says "stop calling me").
std::unique_ptr<test::Subprocess> start_sim(uint16_t& port) {
  port = test::free_loopback_port();
  auto sim = std::make_unique<test::Subprocess>(std::vector<std::string>{
      VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(port), "--log-level", "info"});
  auto line = sim->wait_for_line("callee-sim listening", 60s);
  EXPECT_TRUE(line) << "no listening line: " << sim->output();
  return sim;
}

const json kSally = {{"name", "Sally"},
                     {"systemPrompt", "You are Sally, calling homeowners about a free valuation."},
                     {"template", "property_sales"},
                     {"purpose", "sales"},
                     {"voiceId", "slt"},
                     {"responseDelayMs", 200}};

TEST(CrashRecovery, AStopCallingMeIsListedWhileTheCallGoesOn) {
  uint16_t sim_port = 0;
  auto sim = start_sim(sim_port);
  test::TempDir dir;
  auto opened = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& st = **opened;
  ASSERT_TRUE(st.agents().create(test::default_workspace(st), kSally));
  auto loop = postcall::OutcomeLoop::create(st);
  ASSERT_TRUE(loop) << loop.error().message;
  const std::string phone = "+12125550107";

  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.recordings_dir = dir / "recordings";
  cfg.trunk = telephony::SipTrunk{.uri = "sip:127.0.0.1:" + std::to_string(sim_port)};
  cfg.ring_timeout = 6s;
  // The outcome loop's mid-call write as the runtime wires it (cli/runtime.cpp);
  // the post-call step is left out, so only the mid-call write can list the number.
  struct Probe final : calls::CallEvents {
    Probe(postcall::OutcomeLoop& l, store::Store& s, std::string p) : loop(l), st(s), phone(std::move(p)) {}
    void do_not_call_heard(const calls::CallInfo& call) override {
      ++heard;
      auto r = loop.list_do_not_call(call);
      EXPECT_TRUE(r) << r.error().message;
    }
    void call_ended(const calls::CallOutcome& o) override {
      listed_when_ended = !dnc_rows(st, phone).empty();
      outcome = o;
    }
    postcall::OutcomeLoop& loop;
    store::Store& st;
    std::string phone;
    std::atomic<int> heard{0};
    std::optional<bool> listed_when_ended;
    std::optional<calls::CallOutcome> outcome;
  };
  auto probe = std::make_shared<Probe>(**loop, st, phone);
  cfg.observers = {probe};
  auto service = start_service(st, cfg);
  ASSERT_NE(service, nullptr);

  std::mutex m;
  std::condition_variable cv;
  std::optional<json> record;
  auto id = service->place_call(test::with_record({test::default_workspace(st), "Sally", phone, json::object(), ""}, st,
                                                   [&](const json& r) {
                                                     std::lock_guard lock(m);
                                                     record = r;
                                                     cv.notify_all();
                                                   }));
  ASSERT_TRUE(id) << id.error().message;
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 120s, [&] { return record.has_value(); })) << "the call did not end";
  }
  EXPECT_TRUE((*record)["systemInfo"].value("doNotCall", false)) << record->dump(2);
  EXPECT_EQ(probe->heard.load(), 1) << "reported once per call";
  ASSERT_TRUE(probe->listed_when_ended.has_value());
  EXPECT_TRUE(*probe->listed_when_ended) << "the number was not listed by the time the call ended";
  ASSERT_TRUE(probe->outcome.has_value());
  EXPECT_TRUE(probe->outcome->do_not_call) << "the typed outcome carries the request too";
  auto rows = dnc_rows(st, phone);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].first, "call");
  EXPECT_EQ(rows[0].second, *id);
  // The post-call step lists the same request again: still one entry.
  ASSERT_TRUE((*loop)->post_call(*probe->outcome));
  EXPECT_EQ(dnc_rows(st, phone).size(), 1u);
  service.reset();
}

struct Server {
  std::unique_ptr<test::Subprocess> process;
  uint16_t port = 0;
};

/// The admin key of the database the servers of this test run on (created
/// once per database, before its first server): every request sends it.
std::string g_key;
std::map<std::string, std::string> g_keys;
std::pair<std::string, std::string> auth() { return {"Authorization", "Bearer " + g_key}; }

Server start_server(const std::filesystem::path& db, const std::string& trunk) {
  Server s;
  const std::string db_key = std::filesystem::path(db).string();
  if (!g_keys.count(db_key)) g_keys[db_key] = test::create_admin_key(db_key);
  g_key = g_keys[db_key];
  s.process = std::make_unique<test::Subprocess>(std::vector<std::string>{
      VOQO_BINARY, "serve", "--port", "0", "--sip-ip", "127.0.0.1", "--sip-port", "0", "--db", db.string(), "--trunk", trunk,
      "--ring-timeout", "6"});
  auto line = s.process->wait_for_line("listening on http://", 60s);
  EXPECT_TRUE(line) << s.process->output();
  std::smatch match;
  if (line && std::regex_search(*line, match, std::regex(R"(http://127\.0\.0\.1:(\d+))")))
    s.port = static_cast<uint16_t>(std::stoi(match[1]));
  EXPECT_NE(s.port, 0) << s.process->output();
  return s;
}

json get(uint16_t port, const std::string& target, int* status = nullptr) {
  auto r = test::http_request(port, "GET", target, "", {auth()});
  if (status) *status = r.status;
  return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
}

/// Entries for `phone` in GET /api/do-not-call.
int dnc_count(uint16_t port, const std::string& phone) {
  const json list = get(port, "/api/do-not-call?limit=100");
  int n = 0;
  if (list.is_object() && list.contains("items"))
    for (const auto& row : list["items"]) n += row.value("phone", "") == phone;
  return n;
}

using test::ScopedUmask;

TEST(CrashRecovery, KilledMidCallTheServerKeepsTranscriptRecordingAndDoNotCallAndSweepsWhatTheCrashLeft) {
  uint16_t sim_port = 0;
  auto sim = start_sim(sim_port);
  test::TempDir dir;
  const auto data = dir / "data";  // created by voqo
  const auto db = data / "voqo.db";
  const auto recordings = data / "recordings";
  const auto spool = data / "spool";
  const std::string trunk = "sip:127.0.0.1:" + std::to_string(sim_port);
  const std::string phone = "+12125550107";
  ScopedUmask open_umask(000);  // the server inherits it: voqo must not rely on the umask

  auto server = start_server(db, trunk);
  ASSERT_NE(server.port, 0);
  auto agent = test::http_request(server.port, "POST", "/api/agents", kSally.dump(), {{"Content-Type", "application/json"}, auth()});
  ASSERT_EQ(agent.status, 201) << agent.body;
  auto placed = test::http_request(server.port, "POST", "/api/calls",
                                   json{{"agentId", json::parse(agent.body)["id"]}, {"to", phone}}.dump(),
                                   {{"Content-Type", "application/json"}, auth()});
  ASSERT_EQ(placed.status, 202) << placed.body;
  const std::string id = json::parse(placed.body)["id"];

  // Wait until the callee's "stop calling me" is heard: the number is listed
  // and their line is in the live transcript, while the call is still in
  // progress (no call record yet).
  bool listed = false, caller_line = false;
  int record_status = 0;
  json live;
  for (int i = 0; i < 1200 && !(listed && caller_line); ++i) {
    (void)get(server.port, "/api/calls/" + id, &record_status);
    if (record_status != 404) break;  // the call ended
    listed = dnc_count(server.port, phone) > 0;
    live = get(server.port, "/api/live-calls/" + id);
    caller_line = false;
    if (live.is_object() && live.contains("transcript"))
      for (const auto& l : live["transcript"]) caller_line |= l.value("speaker", "") == "caller" && l.value("isFinal", false);
    if (!(listed && caller_line)) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(record_status, 404) << "the call ended before its \"stop calling me\" was listed (listed: " << listed
                                << ")\n" << live.dump(2) << "\n" << server.process->output();
  ASSERT_TRUE(listed && caller_line) << live.dump(2) << "\n" << server.process->output();

  // Owner-only while it runs, under umask 000.
  EXPECT_EQ(mode_of(data), 0700);
  EXPECT_EQ(mode_of(db), 0600);
  EXPECT_EQ(mode_of(with_suffix(db, "-wal")), 0600);
  EXPECT_EQ(mode_of(with_suffix(db, "-shm")), 0600);
  EXPECT_EQ(mode_of(recordings), 0700);
  EXPECT_EQ(mode_of(recordings / (id + ".wav")), 0600);
  EXPECT_EQ(mode_of(spool), 0700);

  server.process->signal(SIGKILL);
  server.process->wait(10s);
  // What else a crash leaves: an upload cut short in the spool, and
  // recordings of calls cut before their first audio.
  test::write_file(spool / "voqo-upload-crashed.part", "name,phone\nAda,+14155550100\n");
  const std::string empty_call = new_id();
  crashed_recording(recordings / (empty_call + ".wav"), 0);
  test::write_file(recordings / (new_id() + ".wav"), "");
  const auto wav_bytes_at_kill = std::filesystem::file_size(recordings / (id + ".wav"));
  ASSERT_GT(wav_bytes_at_kill, pipeline::kWavHeaderBytes) << "no audio reached the recording before the kill";

  server = start_server(db, trunk);
  ASSERT_NE(server.port, 0);
  int status = 0;
  auto call = get(server.port, "/api/calls/" + id, &status);
  ASSERT_EQ(status, 200) << call.dump();
  EXPECT_EQ(call["status"], "failed");
  EXPECT_EQ(call["errorMessage"], "interrupted");
  // The transcript lines stored live before the kill, in order.
  std::vector<std::pair<std::string, std::string>> live_lines, kept_lines;
  for (const auto& l : live["transcript"])
    if (l.value("isFinal", false)) live_lines.emplace_back(l["speaker"].get<std::string>(), l["text"].get<std::string>());
  for (const auto& l : call["transcript"]) kept_lines.emplace_back(l["speaker"].get<std::string>(), l["text"].get<std::string>());
  ASSERT_GE(kept_lines.size(), live_lines.size()) << call.dump(2);
  for (std::size_t i = 0; i < live_lines.size(); ++i) EXPECT_EQ(kept_lines[i], live_lines[i]) << i << "\n" << call.dump(2);
  // The recording up to the kill, a valid WAV.
  ASSERT_TRUE(call["recordingUrl"].is_string()) << call.dump(2);
  auto rec = test::http_request(server.port, "GET", call["recordingUrl"].get<std::string>(), "", {auth()});
  ASSERT_EQ(rec.status, 200) << rec.body.substr(0, 200);
  ASSERT_GT(rec.body.size(), pipeline::kWavHeaderBytes);
  EXPECT_EQ(rec.body.substr(0, 4), "RIFF");
  uint32_t data_size = 0;
  for (int i = 3; i >= 0; --i) data_size = (data_size << 8) | static_cast<unsigned char>(rec.body[40 + static_cast<std::size_t>(i)]);
  EXPECT_EQ(data_size, rec.body.size() - pipeline::kWavHeaderBytes);
  EXPECT_GE(rec.body.size() + 3, wav_bytes_at_kill) << "the audio written before the kill is kept";
  EXPECT_EQ(mode_of(recordings / (id + ".wav")), 0600);
  // Still listed, once.
  EXPECT_EQ(dnc_count(server.port, phone), 1);
  // Swept at start-up.
  EXPECT_FALSE(std::filesystem::exists(spool / "voqo-upload-crashed.part"));
  EXPECT_FALSE(std::filesystem::exists(recordings / (empty_call + ".wav")));
  std::size_t wavs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(recordings)) wavs += entry.path().extension() == ".wav";
  EXPECT_EQ(wavs, 1u) << "only the interrupted call's recording is left";

  server.process->signal(SIGTERM);
  EXPECT_EQ(server.process->wait(20s), 0) << server.process->output();
}

}  // namespace
}  // namespace voqo
