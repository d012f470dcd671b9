// The voqo binary as a person uses it: migrate, import (human and --json
// reports of the real messy export), serve (prints its URL, answers, and on
// SIGTERM finishes the request in flight and closes the database cleanly).
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "store/migrations.hpp"
#include "support/http_client.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

const std::string kVoqo = VOQO_BINARY;

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
  test::Subprocess server({kVoqo, "serve", "--port", "0", "--sip-port", "0", "--db", db});
  auto line = server.wait_for_line("listening on http://");
  ASSERT_TRUE(line) << server.output();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << *line;
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  auto agents = test::http_request(port, "GET", "/api/agents");
  EXPECT_EQ(agents.status, 200);

  auto campaign = test::http_request(port, "POST", "/api/campaigns", R"({"name":"Shutdown"})", {{"Content-Type", "application/json"}});
  ASSERT_EQ(campaign.status, 201) << campaign.body;
  const std::string id = json::parse(campaign.body)["id"];

  // A request is in flight (headers and half its body sent) when SIGTERM arrives:
  // it must still be answered, then the server exits and the database is closed.
  const std::string body = "name,phone\nAda,4155550101\nAlan,4155550102\n";
  test::HttpConnection conn(port);
  conn.send_all("POST /api/campaigns/" + id + "/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: " +
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
