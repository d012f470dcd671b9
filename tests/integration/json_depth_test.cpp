// Deeply nested JSON against the real `voqo serve` (issue 15, item 2): every
// route that takes a body and the realtime WebSocket refuse JSON nesting
// deeper than 64 levels with a 400 problem (or an error message) that names
// the depth, and the server is still up afterwards. Before the limit, 150,000
// levels to PUT /api/settings/{key} overflowed a worker's stack in a
// recursive copy and killed the process with every call in it.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/local_port.hpp"
#include "support/http_client.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/voqo_serve.hpp"
#include "support/ws_client.hpp"

namespace voqo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::size_t kLevels = 150'000;  // as in the report: a 300 KB body of arrays

std::string deep_arrays(std::size_t levels) { return test::deep_json(levels, false); }
std::string deep_objects(std::size_t levels) { return test::deep_json(levels, true); }

/// `voqo serve` on loopback (with SIP, so /api/calls is the real one).
using Server = test::VoqoServe;

/// Every operation of the server's OpenAPI document that takes a body other
/// than a CSV upload (so a route added later is covered), as {method, path}
/// with each {param} filled with an id-shaped value.
std::vector<std::pair<std::string, std::string>> body_routes(uint16_t port, std::set<std::string>& json_documented) {
  auto r = test::http_request(port, "GET", "/api/openapi.json");
  EXPECT_EQ(r.status, 200);
  const json doc = json::parse(r.body);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [pattern, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      if (method != "post" && method != "put" && method != "patch") continue;
      // Owner-only operations refuse a key when its header arrives (403),
      // before any body is read: there is no body to judge.
      if (op.value("x-voqo-permission", "") == "owner") continue;
      const json content = op.contains("requestBody") ? op["requestBody"].value("content", json::object()) : json();
      if (content.is_object() && !content.contains("application/json")) continue;  // CSV uploads: not JSON
      if (content.is_object()) json_documented.insert(method + " " + pattern);
      std::string path;
      for (std::size_t i = 0; i < pattern.size();) {
        if (pattern[i] == '{') {
          path += "cm0000000000000000000000a";
          i = pattern.find('}', i) + 1;
        } else {
          path += pattern[i++];
        }
      }
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace_back(upper, path);
    }
  }
  return out;
}

class JsonDepth : public ::testing::Test {
 protected:
  test::TempDir dir_;
};

TEST_F(JsonDepth, EveryRouteWithABodyRefusesDeepArraysAndObjectsAndTheServerStaysUp) {
  Server server(dir_.path());
  std::set<std::string> documented;
  const auto routes = body_routes(server.port(), documented);
  // The four routes of the report, among many.
  for (const char* r : {"put /api/settings/{key}", "patch /api/settings", "post /api/calls",
                        "post /api/agents/{id}/functions"})
    EXPECT_TRUE(documented.contains(r)) << r << " is not a documented JSON route";
  EXPECT_GE(routes.size(), 20u);
  std::cout << routes.size() << " routes take a body:";
  for (const auto& [method, path] : routes) std::cout << " " << method << " " << path << ";";
  std::cout << "\n";

  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"arrays", deep_arrays(kLevels)},
      {"objects", deep_objects(kLevels)},
      {"variables", R"({"agentId":"x","to":"+15551234567","variables":)" + deep_arrays(kLevels) + "}"},
  };
  for (const auto& [method, path] : routes) {
    for (const auto& [kind, body] : bodies) {
      auto r = test::http_request(server.port(), method, path, body,
                                  {{"Content-Type", "application/json"}, server.auth_header()});
      EXPECT_EQ(r.status, 400) << method << " " << path << " with deep " << kind << ": " << r.body.substr(0, 300)
                               << "\nserver:\n" << server.output().substr(0, 4000);
      EXPECT_EQ(r.header("content-type"), "application/problem+json") << method << " " << path;
      const json problem = json::parse(r.body, nullptr, false);
      EXPECT_NE(problem.value("detail", "").find("JSON nesting deeper than 64 levels"), std::string::npos)
          << method << " " << path << ": " << r.body;
      ASSERT_TRUE(server.healthy()) << "the server died after " << method << " " << path << " (" << kind << ")\n"
                                    << server.output().substr(0, 4000);
    }
  }
  // 64 levels are still fine where free-form JSON is stored.
  std::string ok = std::string(63, '[') + "1" + std::string(63, ']');
  auto agent = test::http_request(server.port(), "POST", "/api/agents",
                                R"({"name":"Deep","systemPrompt":"You are helpful.","x":)" + ok + "}",
                                {{"Content-Type", "application/json"}, server.auth_header()});
  EXPECT_EQ(agent.status, 422) << agent.body;  // an unknown field, judged on its merits: not a depth problem
  EXPECT_EQ(json::parse(agent.body, nullptr, false).value("field", ""), "x") << agent.body;
}

TEST_F(JsonDepth, TheRealtimeWebSocketRefusesDeepMessagesAndStaysUsable) {
  Server server(dir_.path());
  test::WsClient ws;
  ASSERT_EQ(ws.connect(server.port(), "/api/realtime", {{"X-API-Key", server.key()}}), 101);
  // Within the 64 KiB message cap: 30,000 levels of arrays, 10,000 of objects.
  for (const std::string& deep : {deep_arrays(30'000), deep_objects(10'000)}) {
    const std::string text = R"({"type":"subscribe","id":"deep","query":"liveCalls","args":{"status":)" + deep + "}}";
    ASSERT_LT(text.size(), 64u * 1024);
    ASSERT_TRUE(ws.send_text(text));
    auto m = ws.read(10s);
    ASSERT_TRUE(m) << "no answer; closed=" << ws.closed() << " code=" << ws.close_code() << "\n" << server.output();
    const json e = json::parse(m->data, nullptr, false);
    EXPECT_EQ(e.value("type", ""), "error") << m->data.substr(0, 300);
    EXPECT_NE(e.value("message", "").find("JSON nesting deeper than 64 levels"), std::string::npos) << m->data;
  }
  ASSERT_TRUE(ws.send_text(R"({"type":"subscribe","id":"ok","query":"liveCalls"})"));
  auto snap = ws.read(10s);
  ASSERT_TRUE(snap);
  EXPECT_EQ(json::parse(snap->data, nullptr, false).value("type", ""), "snapshot") << snap->data.substr(0, 300);
  EXPECT_TRUE(server.healthy());
}

}  // namespace
}  // namespace voqo
