// The role matrix as docs/SECURITY.md writes it (issue 16: "every role ×
// every operation, expected allow/deny from docs/SECURITY.md"). The test reads
// the page's two tables — which scopes each role holds, which scope each
// route needs — and asks the server every operation of its OpenAPI document
// as a signed-in member of each role and as a key holding each single scope:
// an operation the page denies answers 403, one it allows anything else
// (404 for the made-up ids, 422 for empty bodies, 200 for reads). So the page,
// the table in code and the server cannot drift apart.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "access/password.hpp"
#include "access/token.hpp"
#include "core/id.hpp"
#include "core/time.hpp"
#include "support/api_server.hpp"

using namespace voqo;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string cell;
  std::getline(in, cell, '|');  // before the first bar
  while (std::getline(in, cell, '|')) {
    while (!cell.empty() && cell.front() == ' ') cell.erase(0, 1);
    while (!cell.empty() && cell.back() == ' ') cell.pop_back();
    out.push_back(cell);
  }
  return out;
}

/// The rows of the first table after the heading `heading` (header and rule skipped).
std::vector<std::vector<std::string>> table_after(const std::string& page, const std::string& heading) {
  std::stringstream in(page.substr(page.find(heading)));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool in_table = false;
  int seen = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("|")) {
      in_table = true;
      if (seen++ >= 2) rows.push_back(cells(line));
    } else if (in_table) {
      break;
    }
  }
  return rows;
}

/// One row of "Which scope each route needs": route prefixes or exact paths.
struct RouteRule {
  std::vector<std::string> routes;  ///< "/api/agents…" (and below) or an exact path
  std::string read, change;
  bool matches(const std::string& pattern) const {
    for (auto r : routes) {
      if (r == "anything else") return true;
      if (r.ends_with("…")) {
        r.resize(r.size() - std::string_view("…").size());
        if (pattern == r || pattern.starts_with(r + "/") || pattern.starts_with(r)) return true;
      } else if (pattern == r) {
        return true;
      }
    }
    return false;
  }
};

class RoleMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(VOQO_SOURCE_DIR) + "/docs/SECURITY.md");
    ASSERT_TRUE(in) << "docs/SECURITY.md";
    page_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // Roles → scopes.
    for (const auto& row : table_after(page_, "#### Role matrix")) {
      ASSERT_EQ(row.size(), 5u) << row[0];
      const char* roles[] = {"owner", "admin", "supervisor", "viewer"};
      for (int i = 0; i < 4; ++i)
        if (row[static_cast<std::size_t>(i + 1)] == "Y") holds_[roles[i]].insert(row[0]);
    }
    ASSERT_EQ(holds_["owner"].size(), 12u) << "11 scopes and owner-only";
    // Routes → what they need.
    for (const auto& row : table_after(page_, "#### Which scope each route needs")) {
      ASSERT_EQ(row.size(), 3u);
      RouteRule rule{{}, row[1], row[2]};
      std::stringstream routes(row[0]);
      for (std::string r; std::getline(routes, r, ',');) {
        std::string clean;
        for (char c : r)
          if (c != '`' && c != ' ') clean += c;
        rule.routes.push_back(row[0] == "anything else" ? "anything else" : clean);
      }
      rules_.push_back(rule);
    }
    ASSERT_GE(rules_.size(), 10u);
    doc_ = test::body_json(api_.get("/api/openapi.json"));
  }

  /// What the page says operation `method pattern` needs: a scope, or
  /// open / signed-in / owner-only / member (admin).
  std::string needs(const std::string& method, const std::string& pattern) {
    for (const auto& rule : rules_)
      if (rule.matches(pattern)) return method == "GET" || method == "HEAD" ? rule.read : rule.change;
    return "admin";
  }

  /// Whether a caller holding `scopes` (a role's, including "owner-only"
  /// for owners; or a key's) may, per the page, do what `need` says.
  static bool allowed(const std::set<std::string>& scopes, const std::string& need, bool is_user) {
    if (need == "open" || need == "signed-in") return true;
    if (need == "signed-in user") return is_user;
    if (need == "owner-only") return is_user && scopes.count("owner-only");
    if (need.starts_with("member")) return is_user || scopes.count("admin");  // "member (admin)"
    return scopes.count(need) || scopes.count("admin");
  }

  /// A signed-in member of the Default workspace with `role`.
  Headers member(const std::string& role) {
    auto u = api_.store().access().create_user(role + "@example.com", role);
    EXPECT_TRUE(u);
    EXPECT_TRUE(api_.store().access().add_member(api_.workspace(), u->id, role));
    const std::string token = access::random_token();
    EXPECT_TRUE(api_.store().access().create_session(
        u->id, access::token_hash(token), to_iso8601(std::chrono::system_clock::now() + std::chrono::hours(1)), "", ""));
    return {{"Cookie", "voqo_session=" + token}, {"Origin", "http://127.0.0.1:" + std::to_string(api_.port())}};
  }

  /// Asks every documented operation (ids made up, bodies empty) and checks
  /// the answer against the page for `scopes`.
  void check(const std::string& who, const Headers& headers, const std::set<std::string>& scopes, bool is_user) {
    int asked = 0;
    for (const auto& [path, ops] : doc_["paths"].items()) {
      for (const auto& [m, op] : ops.items()) {
        std::string method = m;
        for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const std::string need = needs(method, path);
        if (need == "open") continue;  // nothing to allow or deny
        // The sign-out and key deletion would end this caller's own credential.
        std::string target = path;
        for (auto open = target.find('{'); open != std::string::npos; open = target.find('{'))
          target.replace(open, target.find('}', open) - open + 1, target.substr(open, 5) == "{vers" ? "1" : new_id());
        Headers h = headers;
        std::string body;
        if (method != "GET" && method != "DELETE") {
          body = "{}";
          h.emplace_back("Content-Type", path.ends_with("/uploads") || path.ends_with("/import") ? "text/csv" : "application/json");
        }
        auto r = api_.raw(method, target, body, h);
        const bool expect = allowed(scopes, need, is_user);
        ++asked;
        // The documented permission is the page's too.
        EXPECT_EQ(op.value("x-voqo-permission", std::string()), need.starts_with("signed-in") ? "signed-in"
                                                                 : need == "owner-only"    ? "owner"
                                                                 : need.starts_with("member") ? "member or admin"
                                                                                                : need)
            << method << " " << path;
        if (expect)
          EXPECT_TRUE(r.status != 403 && r.status != 401)
              << who << " may " << method << " " << path << " (needs " << need << ") but got " << r.status << " " << r.body;
        else
          EXPECT_EQ(r.status, 403) << who << " may not " << method << " " << path << " (needs " << need << "): " << r.body;
      }
    }
    EXPECT_GE(asked, 70) << who;
  }

  test::ApiServer api_;
  std::string page_;
  std::map<std::string, std::set<std::string>> holds_;
  std::vector<RouteRule> rules_;
  json doc_;
};

TEST_F(RoleMatrix, EveryRoleAndScopeAgainstEveryOperationAsThisPageSays) {
  for (const char* role : {"owner", "admin", "supervisor", "viewer"}) {
    SCOPED_TRACE(role);
    check(std::string("a signed-in ") + role, member(role), holds_[role], true);
  }
  for (std::size_t i = 0; i < access::kScopeCount; ++i) {
    const std::string scope(access::to_string(static_cast<access::Scope>(i)));
    SCOPED_TRACE(scope);
    const Headers key = {{"Authorization", "Bearer " + api_.create_key(api_.workspace(), {scope})}};
    check("a key with " + scope, key, {scope}, false);
  }
}

TEST_F(RoleMatrix, ThePageAndTheCodeHoldTheSameRoles) {
  for (const char* role : {"owner", "admin", "supervisor", "viewer"}) {
    std::set<std::string> code;
    for (const auto& s : access::to_strings(access::scopes_of(*access::parse_role(role)))) code.insert(s);
    if (access::role_can_manage_workspace(*access::parse_role(role))) code.insert("owner-only");
    EXPECT_EQ(code, holds_[role]) << role;
  }
}

}  // namespace
