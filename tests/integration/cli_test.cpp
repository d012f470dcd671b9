// The voqo binary as a person uses it: migrate, import (human and --json
// reports of the real messy export), serve (prints its URL, answers, and on
// SIGTERM finishes the request in flight and closes the database cleanly).
#include <gtest/gtest.h>

#include "access/api_key.hpp"
#include "store/store.hpp"
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "store/migrations.hpp"
#include "support/http_client.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/voqo_serve.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

const std::string kVoqo = VOQO_BINARY;

// `voqo analytics rebuild [--campaign ID]` (issue 18 §8): recomputes the
// metrics by period from the calls; an unknown campaign is an error.
TEST(Cli, AnalyticsRebuildRecomputesFromTheCalls) {
  test::TempDir dir;
  const std::string db = (dir / "x.db").string();
  auto [status, out] = test::run({kVoqo, "analytics", "rebuild", "--db", db});
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("rebuilt the metrics by period from 0 calls"), std::string::npos) << out;
  auto [bad, bad_out] = test::run({kVoqo, "analytics", "rebuild", "--campaign", "nope", "--db", db});
  EXPECT_EQ(bad, 1) << bad_out;
  EXPECT_NE(bad_out.find("campaign nope not found"), std::string::npos) << bad_out;
}

TEST(Cli, MigrateCreatesTheSchemaAndIsIdempotent) {
  test::TempDir dir;
  const std::string db = (dir / "x.db").string();
  auto [status, out] = test::run({kVoqo, "migrate", "--db", db});
  EXPECT_EQ(status, 0) << out;
  const auto& all = store::migrations();
  const std::string expected = "at schema version " + std::to_string(all.back().version) + " (" +
                               std::to_string(all.size()) + " migrations applied)";
  EXPECT_NE(out.find(expected), std::string::npos) << out;
  auto [again, out2] = test::run({kVoqo, "migrate", "--db", db});
  EXPECT_EQ(again, 0);
  EXPECT_NE(out2.find("(0 migrations applied)"), std::string::npos) << out2;
}

TEST(Cli, ImportOfTheMessyExportReportsEveryRejectedRow) {
  test::TempDir dir;
  const std::string db = (dir / "x.db").string();
  const std::string csv = (test::fixtures() / "csv/customers-100.csv").string();
  auto [status, out] = test::run({kVoqo, "--log-level", "off", "import", csv, "--campaign", "Customers", "--region", "US", "--db", db, "--json"});
  ASSERT_EQ(status, 0) << out;
  auto report = json::parse(out);
  // The file has 102 data rows (Index 1–102) although it is named "-100".
  EXPECT_EQ(report["totalRows"], 102);
  EXPECT_EQ(report["imported"].get<int>() + report["rejected"].size(), 102u);
  EXPECT_EQ(report["rejectedCount"], report["rejected"].size());
  std::map<int, json> by_line;
  for (const auto& r : report["rejected"]) {
    EXPECT_EQ(r["column"], "Phone 1");
    by_line[r["line"].get<int>()] = r;
  }
  // Line 4 (Roy Berry) has "-1199" as Phone 1.
  ASSERT_TRUE(by_line.count(4));
  EXPECT_EQ(by_line[4]["reason"], "invalid number: too short");
  // Line 2 (Sheryl Baxter): 229.077.5154 — a NANP exchange cannot start with 0.
  ASSERT_TRUE(by_line.count(2));
  EXPECT_NE(by_line[2]["reason"].get<std::string>().find("not a valid number"), std::string::npos);
  // Line 3 (Preston Lozano): 5153435776 is a valid Iowa number.
  EXPECT_FALSE(by_line.count(3));

  // The human report says the same.
  auto [s2, human] = test::run({kVoqo, "--log-level", "off", "import", csv, "--campaign", "Customers", "--db", db});
  ASSERT_EQ(s2, 0) << human;
  EXPECT_NE(human.find("Imported " + std::to_string(report["imported"].get<int>()) + " of 102 rows"), std::string::npos) << human;
  EXPECT_NE(human.find("line 4, Phone 1: invalid number: too short"), std::string::npos) << human;

  auto [bad, err] = test::run({kVoqo, "import", (test::fixtures() / "csv/spectrum/csvs/simple.csv").string(), "--campaign",
                               "C", "--db", db});
  EXPECT_EQ(bad, 1);
  EXPECT_NE(err.find("no phone column"), std::string::npos) << err;
}

TEST(Cli, ImportJsonListsEveryRejectionEvenPastTheInMemoryCap) {
  test::TempDir dir;
  std::string csv = "name,phone\nAda,4155550101\n";
  for (int i = 0; i < 12000; ++i) csv += "Bad " + std::to_string(i) + ",12\n";
  test::write_file(dir / "bad.csv", csv);
  auto [status, out] = test::run({kVoqo, "--log-level", "off", "import", (dir / "bad.csv").string(), "--campaign", "C",
                                  "--db", (dir / "x.db").string(), "--json"});
  ASSERT_EQ(status, 0) << out.substr(0, 300);
  auto report = json::parse(out);
  EXPECT_EQ(report["imported"], 1);
  EXPECT_EQ(report["rejectedCount"], 12000);
  ASSERT_EQ(report["rejected"].size(), 12000u);
  EXPECT_EQ(report["rejected"][11999]["line"], 12002);
  EXPECT_EQ(report["rejected"][11999]["reason"], "invalid number: too short");
}

TEST(Cli, ServePrintsItsUrlAndStopsCleanlyOnSigterm) {
  test::TempDir dir;
  const std::string db = (dir / "serve.db").string();
  const std::string key = test::create_admin_key(db);
  test::Subprocess server({kVoqo, "serve", "--port", "0", "--sip-port", "0", "--db", db});
  auto line = server.wait_for_line("listening on http://");
  ASSERT_TRUE(line) << server.output();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << *line;
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  auto agents = test::http_request(port, "GET", "/api/agents", "", {{"X-API-Key", key}});
  EXPECT_EQ(agents.status, 200);

  auto campaign = test::http_request(port, "POST", "/api/campaigns", R"({"name":"Shutdown"})",
                                     {{"Content-Type", "application/json"}, {"X-API-Key", key}});
  ASSERT_EQ(campaign.status, 201) << campaign.body;
  const std::string id = json::parse(campaign.body)["id"];

  // A request is in flight (headers and half its body sent) when SIGTERM arrives:
  // it must still be answered, then the server exits and the database is closed.
  const std::string body = "name,phone\nAda,4155550101\nAlan,4155550102\n";
  test::HttpConnection conn(port);
  conn.send_all("POST /api/campaigns/" + id + "/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + key +
                "\r\nContent-Type: text/csv\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_line("finishing in-flight requests")) << server.output();
  conn.send_all(body.substr(20));
  auto r = conn.read_response();
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(server.wait(), 0) << server.output();
  EXPECT_NE(server.output().find("stopped cleanly"), std::string::npos) << server.output();

  // The WAL was checkpointed into the file: nothing is left beside it, and the data is there.
  EXPECT_FALSE(std::filesystem::exists(db + "-wal") && std::filesystem::file_size(db + "-wal") > 0);
  auto [status, out] = test::run({kVoqo, "--log-level", "off", "import", (test::fixtures() / "csv/customers-100.csv").string(),
                                  "--campaign", "Shutdown", "--db", db, "--json"});
  EXPECT_EQ(status, 0) << out;
}

TEST(Cli, ServeRefusesAPortInUse) {
  test::TempDir dir;
  test::Subprocess first({kVoqo, "serve", "--port", "0", "--sip-port", "0", "--db", (dir / "a.db").string()});
  auto line = first.wait_for_line("listening on http://");
  ASSERT_TRUE(line);
  const std::string port = line->substr(line->find("127.0.0.1:") + 10, 5);
  auto [status, out] = test::run({kVoqo, "serve", "--port", std::to_string(std::stoi(port)), "--sip-port", "0", "--db", (dir / "b.db").string()});
  EXPECT_EQ(status, 1) << out;
  first.signal(SIGINT);
  EXPECT_EQ(first.wait(), 0) << first.output();
}

}  // namespace

namespace voqo {
namespace {

// Issue 16 §9: secure by default, still two commands.
TEST(Cli, ServeOnLoopbackPrintsAOneTimeSignInLinkThatSignsInOnce) {
  test::TempDir dir;
  const std::string db = (dir / "fresh.db").string();
  test::Subprocess server({kVoqo, "serve", "--port", "0", "--no-sip", "--db", db});
  auto line = server.wait_for_line("/login?token=", std::chrono::seconds(60));
  ASSERT_TRUE(line) << server.output();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*line, m, std::regex(R"(^http://127\.0\.0\.1:(\d+)/login\?token=([A-Za-z0-9_-]+)\s*$)")))
      << "the link is on its own line: " << *line;
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  const std::string body = json{{"token", m[2].str()}}.dump();
  const std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  auto first = test::http_request(port, "POST", "/api/auth/login", body, headers);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string cookie = first.header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  const auto session = cookie.substr(0, cookie.find(';'));
  auto me = test::http_request(port, "GET", "/api/me", "", {{"Cookie", session}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body)["role"], "owner");
  EXPECT_EQ(json::parse(me.body)["workspace"]["name"], "Default");
  EXPECT_EQ(json::parse(me.body)["workspace"]["tier"], "enterprise");
  EXPECT_EQ(test::http_request(port, "POST", "/api/auth/login", body, headers).status, 401) << "a link signs in once";
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait(), 0) << server.output();
}

TEST(Cli, ServeRefusesANonLoopbackAddressUntilAUserExists) {
  test::TempDir dir;
  const std::string db = (dir / "open.db").string();
  auto [status, out] = test::run({kVoqo, "serve", "--host", "0.0.0.0", "--port", "0", "--no-sip", "--db", db});
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("voqo user create"), std::string::npos) << "says how to create one: " << out;
  auto [made, made_out] = test::run({kVoqo, "--log-level", "off", "user", "create", "--email", "ops@example.com",
                                     "--workspace", "Default", "--role", "owner", "--db", db});
  ASSERT_EQ(made, 0) << made_out;
  EXPECT_NE(made_out.find("/login?token="), std::string::npos) << made_out;
  EXPECT_NE(made_out.find("purpose=set_password"), std::string::npos) << "a new user sets a password: " << made_out;
  test::Subprocess server({kVoqo, "serve", "--host", "0.0.0.0", "--port", "0", "--no-sip", "--db", db});
  ASSERT_TRUE(server.wait_for_line("listening on http://", std::chrono::seconds(60))) << server.output();
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait(), 0) << server.output();
}

TEST(Cli, KeyCreatePrintsTheKeyOnceAndCreatesTheWorkspaceByName) {
  test::TempDir dir;
  const std::string db = (dir / "keys.db").string();
  auto [status, out] = test::run({kVoqo, "--log-level", "off", "key", "create", "--workspace", "Acme", "--scopes",
                                  "agents:read,calls:read", "--name", "reporting", "--rate-limit", "5", "--db", db});
  ASSERT_EQ(status, 0) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"((ak_[0-9A-Za-z]{49}))"))) << out;
  auto st = store::Store::open(db);
  ASSERT_TRUE(st);
  auto acme = (*st)->access().workspace_by_name("Acme");
  ASSERT_TRUE(acme && *acme) << "created by name";
  EXPECT_EQ((*acme)->tier, "free");
  auto rec = (*st)->access().api_key_by_hash(access::api_key_hash(m[1].str()));
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->workspace_id, (*acme)->id);
  EXPECT_EQ((*rec)->scopes, (std::vector<std::string>{"agents:read", "calls:read"}));
  EXPECT_EQ((*rec)->rate_limit_per_second, 5.0);
  auto [bad, bad_out] = test::run({kVoqo, "key", "create", "--scopes", "agents:delete", "--db", db});
  EXPECT_EQ(bad, 2) << bad_out;
  EXPECT_NE(bad_out.find("agents:delete"), std::string::npos) << bad_out;
}

}  // namespace
}  // namespace voqo
