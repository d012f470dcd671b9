// `voqo demo --exit --json` (the README's first command, issue 4 §8) on a
// fresh database: every contact of examples/demo-contacts.csv reaches a final
// state (or a scheduled callback) with the outcome its callee-sim persona
// implies (persona = the number's last digit, examples/README.md).
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "support/subprocess.hpp"
#include "support/test_support.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Expected {
  std::string status;        ///< the job call's state
  std::string outcome;       ///< "" = any
  std::string call_status;   ///< the last call's status
};

TEST(Demo, EveryContactEndsWithTheOutcomeItsPersonaImplies) {
  test::TempDir dir;
  test::Subprocess demo({VOQO_BINARY, "demo", "--exit", "--json", "--port", "0", "--db", (dir / "voqo.db").string(),
                         "--log-level", "warn"});
  const int rc = demo.wait(std::chrono::seconds(540));
  ASSERT_EQ(rc, 0) << demo.output();
  // The JSON report is the last top-level object printed (progress lines go to stderr, merged here).
  const std::string& out = demo.output();
  const auto start = out.find("{\n  \"api\"");
  ASSERT_NE(start, std::string::npos) << out;
  const json report = json::parse(out.substr(start, out.rfind('}') - start + 1), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  ASSERT_EQ(report["calls"].size(), 8u) << report.dump(2);

  const std::map<char, Expected> by_digit = {
      {'0', {"completed", "Demo Scheduled", "completed"}}, {'1', {"completed", "Not Interested", "completed"}},
      {'2', {"pending", "Call Back Later", "completed"}},  {'3', {"completed", "Wrong Number", "completed"}},
      {'4', {"completed", "Voicemail", "completed"}},      {'5', {"failed", "", "no_answer"}},
      {'6', {"failed", "", "busy"}},                       {'7', {"completed", "Not Interested", "completed"}},
  };
  for (const auto& c : report["calls"]) {
    const std::string phone = c["phone"];
    const auto& want = by_digit.at(phone.back());
    EXPECT_EQ(c["status"], want.status) << c.dump();
    if (!want.outcome.empty()) {
      EXPECT_EQ(c["outcome"], want.outcome) << c.dump();
    }
    EXPECT_EQ(c["callStatus"], want.call_status) << c.dump();
    EXPECT_FALSE(c["contact"].get<std::string>().empty());
    if (want.status == "pending") {
      EXPECT_TRUE(c.contains("nextAttemptAt")) << "callback not scheduled: " << c.dump();
    }
    if (want.call_status == "no_answer" || want.call_status == "busy") {
      EXPECT_EQ(c["attempts"], 2) << c.dump();
    }
    if (want.call_status == "completed") {
      EXPECT_GT(c["duration"].get<int>(), 0) << c.dump();
    }
  }
  // The malformed row of the sample file is reported with its line.
  EXPECT_NE(out.find("line 10"), std::string::npos) << out;
}

}  // namespace
}  // namespace voqo
