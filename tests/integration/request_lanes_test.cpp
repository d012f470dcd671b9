// Where the HTTP server runs handlers (api::Lane): /api/health on the I/O
// thread, TTS previews and CSV imports on their own bounded pool, everything
// else on the workers. Slow work is simulated by handlers (the real routes,
// with the engine behind the preview or the live control blocked on a gate)
// that wait until the test lets them go, so the tests assert on what answered
// while they were still in flight, never on durations.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

#include "core/id.hpp"
#include "store/calls.hpp"
#include "support/api_server.hpp"

namespace voqo {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

/// Handlers that enter wait here until release().
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  bool open = false;

  void pass() {
    std::unique_lock lk(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lk, [&] { return open; });
  }
  /// Until `n` handlers wait (false after 30 s: a guard, not a measurement).
  bool wait_for_entered(int n) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, 30s, [&] { return entered >= n; });
  }
  int waiting() {
    std::lock_guard lk(mu);
    return open ? 0 : entered;
  }
  void release() {
    std::lock_guard lk(mu);
    open = true;
    cv.notify_all();
  }
};

/// Opens the gate when the test ends, however it ends, so that the server can stop.
struct ReleaseAtExit {
  Gate& gate;
  ~ReleaseAtExit() { gate.release(); }
};

/// The credential request() sends: the admin key of the test's ApiServer.
std::string g_key;

/// One request on a fresh connection with g_key (unless `headers` name a
/// credential) and, for a JSON body, its Content-Type; a timeout or a closed
/// connection is status 0.
test::HttpResult request(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         std::chrono::seconds timeout = 60s) {
  auto with = headers;
  bool credential = false, type = false;
  for (const auto& [k, v] : headers) {
    credential |= k == "Authorization" || k == "X-API-Key";
    type |= k == "Content-Type";
  }
  if (!credential && !g_key.empty()) with.emplace_back("Authorization", "Bearer " + g_key);
  if (!type && !body.empty() && body.front() == '{') with.emplace_back("Content-Type", "application/json");
  try {
    test::HttpConnection c(port);
    c.set_timeout(timeout);
    return c.request(method, target, body, with);
  } catch (const std::exception& e) {
    test::HttpResult r;
    r.reason = e.what();
    return r;
  }
}

const std::string kPreview = json{{"voiceProvider", "flite"}, {"voiceId", "slt"}, {"text", "Hi."}}.dump();

std::future<test::HttpResult> preview_async(uint16_t port) {
  return std::async(std::launch::async, [port] { return request(port, "POST", "/api/tts/preview", kPreview); });
}

bool ready(std::future<test::HttpResult>& f) { return f.wait_for(0s) == std::future_status::ready; }

api::ApiConfig gated_preview(Gate& gate) {
  api::ApiConfig c;
  c.tts_preview = [&gate](const WorkspaceId&, const std::string&, const speech::Voice&,
                          std::string_view) -> Result<std::string> {
    gate.pass();
    return std::string("RIFF\0\0\0\0WAVE", 12);
  };
  return c;
}

TEST(RequestLanes, EachRouteRunsInItsLane) {
  test::ApiServer api;
  auto lane = [&](const std::string& method, const std::string& pattern) {
    for (const auto& r : api.router().routes())
      if (r.method == method && r.pattern == pattern) return r.options.lane;
    ADD_FAILURE() << "no route " << method << " " << pattern;
    return api::Lane::worker;
  };
  EXPECT_EQ(lane("GET", "/api/health"), api::Lane::io);
  EXPECT_EQ(lane("POST", "/api/tts/preview"), api::Lane::slow);
  EXPECT_EQ(lane("POST", "/api/campaigns/{id}/uploads"), api::Lane::slow);
  EXPECT_EQ(lane("POST", "/api/do-not-call/import"), api::Lane::slow);
  EXPECT_EQ(lane("GET", "/api/agents"), api::Lane::worker);
  EXPECT_EQ(lane("GET", "/api/calls/{id}/recording"), api::Lane::worker);
}

TEST(RequestLanes, SlowRequestsCannotTakeTheWorkersAndBeyondTheirBoundAre503) {
  Gate gate;
  api::ServerConfig sc;
  sc.io_threads = 2;
  sc.worker_threads = 2;
  sc.slow_threads = 2;
  sc.slow_queue = 1;
  sc.slow_retry_after_s = 7;
  test::ApiServer api(gated_preview(gate), sc);
  g_key = api.key();
  std::vector<std::future<test::HttpResult>> previews;
  ReleaseAtExit release{gate};

  // Two previews run (as many as slow threads, and as many as workers).
  previews.push_back(preview_async(api.port()));
  previews.push_back(preview_async(api.port()));
  ASSERT_TRUE(gate.wait_for_entered(2));
  // Two more: the lane holds one more (queued), the other is refused.
  previews.push_back(preview_async(api.port()));
  previews.push_back(preview_async(api.port()));

  // Health and an ordinary read answer while every preview is still in flight.
  auto health = request(api.port(), "GET", "/api/health", {}, {}, 15s);
  auto agents = request(api.port(), "GET", "/api/agents", {}, {}, 15s);
  EXPECT_EQ(health.status, 200) << health.reason;
  if (health.status == 200) {
    EXPECT_EQ(test::body_json(health).value("status", ""), "ok");
  }
  EXPECT_EQ(agents.status, 200) << agents.reason;
  EXPECT_EQ(gate.waiting(), 2);
  EXPECT_FALSE(ready(previews[0]));
  EXPECT_FALSE(ready(previews[1]));

  // One of the last two is refused at once, the other waits for a slow thread.
  std::size_t refused = previews.size();
  for (int i = 0; i < 3000 && refused == previews.size(); ++i) {  // at most 30 s
    for (std::size_t k = 2; k < 4; ++k)
      if (ready(previews[k])) refused = k;
    if (refused == previews.size()) std::this_thread::sleep_for(10ms);
  }
  ASSERT_LT(refused, previews.size()) << "no preview was refused beyond slow_threads + slow_queue";
  auto busy = previews[refused].get();
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("content-type"), "application/problem+json");
  EXPECT_EQ(busy.header("retry-after"), "7");
  EXPECT_EQ(test::body_json(busy).value("status", 0), 503);
  EXPECT_FALSE(ready(previews[0]));

  gate.release();
  for (std::size_t k = 0; k < previews.size(); ++k) {
    if (k == refused) continue;
    auto r = previews[k].get();
    EXPECT_EQ(r.status, 200) << "preview " << k << ": " << r.reason << r.body;
    EXPECT_EQ(r.header("content-type"), "audio/wav");
  }
  // The lane is free again.
  EXPECT_EQ(request(api.port(), "POST", "/api/tts/preview", kPreview).status, 200);
}

TEST(RequestLanes, HealthAnswersWhileEveryWorkerIsBusy) {
  Gate gate;
  api::ApiConfig ac;
  ac.live_action = [&gate](const WorkspaceId&, const std::string&, const std::string& action, const json&,
                           const std::string&, const std::string&) -> Result<json> {
    gate.pass();
    return json{{"action", action}};
  };
  api::ServerConfig sc;
  sc.worker_threads = 2;
  test::ApiServer api(ac, sc);
  g_key = api.key();
  const std::string call_id = new_id();
  store::LiveCall l;
  l.call_id = call_id;
  l.agent_id = "agent-1";
  l.agent_name = "Sales Bot";
  l.customer_phone = "+14155550101";
  l.direction = "outbound";
  l.status = "connected";
  l.start_time = "2026-11-23T10:00:00.000Z";
  l.node = "local";
  l.workspace_id = api.workspace().value;
  ASSERT_TRUE(store::CallStore(api.store().db()).live_begin(l));
  std::vector<std::future<test::HttpResult>> actions;
  ReleaseAtExit release{gate};

  const std::string body = json{{"action", "END_CALL"}}.dump();
  for (int i = 0; i < 2; ++i)
    actions.push_back(std::async(std::launch::async, [&, port = api.port()] {
      return request(port, "POST", "/api/live-calls/" + call_id + "/actions", body);
    }));
  ASSERT_TRUE(gate.wait_for_entered(2));  // both workers are held

  auto health = request(api.port(), "GET", "/api/health", {}, {}, 15s);
  EXPECT_EQ(health.status, 200) << health.reason;
  EXPECT_EQ(gate.waiting(), 2);

  gate.release();
  for (auto& a : actions) {
    auto r = a.get();
    EXPECT_EQ(r.status / 100, 2) << r.reason << r.body;
  }
}

TEST(RequestLanes, ImportsShareTheSlowLaneAndAreRefusedBeforeTheirBody) {
  Gate gate;
  api::ServerConfig sc;
  sc.slow_threads = 1;
  sc.slow_queue = 0;
  test::ApiServer api(gated_preview(gate), sc);
  g_key = api.key();
  std::vector<std::future<test::HttpResult>> previews;
  ReleaseAtExit release{gate};
  previews.push_back(preview_async(api.port()));
  ASSERT_TRUE(gate.wait_for_entered(1));

  const uint64_t huge = 100ull << 20;
  for (const std::string& target : {"/api/campaigns/" + new_id() + "/uploads", std::string("/api/do-not-call/import")}) {
    test::HttpConnection c(api.port());
    c.send_all("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api.key() +
               "\r\nContent-Type: text/csv\r\nContent-Length: " +
               std::to_string(huge) + "\r\n\r\n");
    const uint64_t sent = c.send_body_until_response(huge);
    auto r = c.read_response();
    EXPECT_EQ(r.status, 503) << target;
    EXPECT_EQ(r.header("retry-after"), "5") << target;
    EXPECT_LT(sent, huge) << target;
  }

  gate.release();
  EXPECT_EQ(previews[0].get().status, 200);
  // With the lane free, an import runs (and finds no such campaign).
  auto r = request(api.port(), "POST", "/api/campaigns/" + new_id() + "/uploads", "phone\n+14155550101\n",
                   {{"Content-Type", "text/csv"}});
  EXPECT_EQ(r.status, 404) << r.reason << r.body;
}

TEST(RequestLanes, AnUnauthenticatedUploadIsRefusedAtItsHeaderAndTakesNoPlace) {
  // The credential is checked when the header arrives: a client without one
  // gets 401 before sending its body, nothing is spooled, and the slow lane
  // (one place here) is still free for the next request.
  Gate gate;
  auto config = gated_preview(gate);
  api::ServerConfig sc;
  sc.slow_threads = 1;
  sc.slow_queue = 0;
  test::ApiServer api(config, sc);
  g_key = api.key();
  ReleaseAtExit release{gate};
  const uint64_t huge = 100ull << 20;
  for (int i = 0; i < 3; ++i) {
    test::HttpConnection c(api.port());
    c.send_all("POST /api/do-not-call/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nContent-Length: " +
               std::to_string(huge) + "\r\n\r\n");
    const uint64_t sent = c.send_body_until_response(huge);
    auto r = c.read_response();
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.header("www-authenticate"), "");
    EXPECT_LT(sent, huge) << "the body was read before the key was checked";
  }
  std::size_t spooled = 0;
  for (const auto& e : std::filesystem::directory_iterator(api.db_path().parent_path()))
    spooled += e.path().filename().string().rfind("voqo-upload-", 0) == 0;
  EXPECT_EQ(spooled, 0u) << "an unauthenticated upload was written to disk";
  // The one slow place is free: an authorised preview runs.
  gate.release();
  auto r = request(api.port(), "POST", "/api/tts/preview", kPreview,
                   {{"Content-Type", "application/json"}, api.auth_header()});
  EXPECT_EQ(r.status, 200) << r.reason << r.body;
}

}  // namespace
}  // namespace voqo
