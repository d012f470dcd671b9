// The access tables (issue 16) through store::AccessRepository: workspaces
// with their settings, users, members and the last-owner rule, API keys and
// their revocation, sign-in sessions, one-time links, the audit log.
// Links only voqo_store (tests/CMakeLists.txt: VOQO_STORE_ONLY_TESTS).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "store/store.hpp"

using nlohmann::json;
using namespace voqo;
using store::AccessRepository;

namespace {

class TempFolder {
 public:
  TempFolder() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "voqo-access-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

constexpr const char* kFuture = "2200-01-01T00:00:00.000Z";
constexpr const char* kPast = "2000-01-01T00:00:00.000Z";

class AccessStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
  }
  AccessRepository& access() { return st_->access(); }
  WorkspaceId workspace(const std::string& name, const std::string& tier = "free") {
    auto w = access().create_workspace(name, tier);
    EXPECT_TRUE(w) << w.error().message;
    return w ? w->id : WorkspaceId();
  }
  std::string user(const std::string& email) {
    auto u = access().create_user(email, "Someone");
    EXPECT_TRUE(u) << u.error().message;
    return u ? u->id : std::string();
  }
  store::ApiKeyRecord key(const WorkspaceId& ws, const std::string& hash) {
    auto k = access().create_api_key(ws, "key " + hash, "ak_" + hash.substr(0, 5), hash, {"agents:read"},
                                     std::nullopt, std::nullopt, std::nullopt);
    EXPECT_TRUE(k) << k.error().message;
    return k ? *k : store::ApiKeyRecord{};
  }
  /// A write that commits after the deferred writes queued before it.
  void flush() {
    auto r = st_->db().write([](store::Connection&) -> Result<void> { return {}; });
    ASSERT_TRUE(r);
  }
  TempFolder dir_;
  std::unique_ptr<store::Store> st_;
};

void expect_error(const auto& r, ErrorCode code, std::string_view field) {
  ASSERT_FALSE(r) << "expected an error naming '" << field << "'";
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().field(), field) << r.error().message;
}

// --- Workspaces ----------------------------------------------------------------

TEST_F(AccessStoreTest, AFreshDatabaseHasTheDefaultWorkspaceAsEnterpriseWithSettings) {
  auto all = access().workspaces();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "Default");
  EXPECT_EQ((*all)[0].tier, "enterprise");
  auto def = access().default_workspace();
  ASSERT_TRUE(def);
  EXPECT_EQ(*def, (*all)[0].id);
  auto region = st_->settings().get(*def, "default_region");
  ASSERT_TRUE(region);
  EXPECT_EQ(*region, "US");
}

TEST_F(AccessStoreTest, CreatingAWorkspaceInsertsItsDefaultSettings) {
  auto w = access().create_workspace("  Acme Agency ", "starter");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->name, "Acme Agency");
  EXPECT_EQ(w->tier, "starter");
  EXPECT_EQ(w->limits, json::object());
  auto def = access().default_workspace();
  ASSERT_TRUE(def);
  auto mine = st_->settings().all(w->id), theirs = st_->settings().all(*def);
  ASSERT_TRUE(mine && theirs);
  EXPECT_FALSE(mine->empty());
  EXPECT_EQ(*mine, *theirs) << "a new workspace starts with the same defaults as a fresh Default";
  auto got = access().workspace(w->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(to_json(*got), to_json(*w));
  const json j = to_json(*w);
  for (const char* k : {"id", "name", "tier", "limits", "createdAt", "updatedAt"}) EXPECT_TRUE(j.contains(k)) << k;
}

TEST_F(AccessStoreTest, WorkspaceNamesAreUniqueAndTiersAndNamesValidated) {
  workspace("Acme");
  expect_error(access().create_workspace("Acme", "free"), ErrorCode::conflict, "name");
  expect_error(access().create_workspace("Default", "free"), ErrorCode::conflict, "name");
  expect_error(access().create_workspace("Gold", "gold"), ErrorCode::invalid_argument, "tier");
  expect_error(access().create_workspace("   ", "free"), ErrorCode::invalid_argument, "name");
  expect_error(access().create_workspace(std::string(101, 'x'), "free"), ErrorCode::invalid_argument, "name");
  EXPECT_TRUE(access().create_workspace(std::string(100, 'x'), "free"));
  expect_error(access().workspace(WorkspaceId("nosuchworkspace")), ErrorCode::not_found, "");
  auto found = access().workspace_by_name("Acme");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->name, "Acme");
  auto none = access().workspace_by_name("acme");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto all = access().workspaces();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(AccessStoreTest, UpdatingAWorkspaceChecksEachMember) {
  const auto ws = workspace("Acme");
  auto w = access().update_workspace(ws, {{"name", "Acme 2"}, {"tier", "premium"}, {"limits", {{"agents", 20}}}});
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->name, "Acme 2");
  EXPECT_EQ(w->tier, "premium");
  EXPECT_EQ(w->limits, (json{{"agents", 20}}));
  auto again = access().workspace(ws);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->limits, (json{{"agents", 20}}));
  auto cleared = access().update_workspace(ws, {{"limits", nullptr}});
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->limits, json::object());
  EXPECT_EQ(cleared->name, "Acme 2") << "members not in the patch are kept";
  expect_error(access().update_workspace(ws, {{"name", "Default"}}), ErrorCode::conflict, "name");
  expect_error(access().update_workspace(ws, {{"tier", "gold"}}), ErrorCode::invalid_argument, "tier");
  expect_error(access().update_workspace(ws, {{"limits", 5}}), ErrorCode::invalid_argument, "limits");
  expect_error(access().update_workspace(ws, {{"owner", "me"}}), ErrorCode::invalid_argument, "owner");
  expect_error(access().update_workspace(ws, {{"name", 7}}), ErrorCode::invalid_argument, "name");
  expect_error(access().update_workspace(ws, json::array()), ErrorCode::invalid_argument, "body");
  expect_error(access().update_workspace(WorkspaceId("nosuchworkspace"), {{"tier", "free"}}), ErrorCode::not_found, "");
}

TEST_F(AccessStoreTest, TheDefaultWorkspaceIsCreatedAgainWhenRenamed) {
  auto first = access().default_workspace();
  ASSERT_TRUE(first);
  ASSERT_TRUE(access().update_workspace(*first, json{{"name", "Old default"}}));
  auto second = access().default_workspace();
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  auto w = access().workspace(*second);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->name, "Default");
  EXPECT_EQ(w->tier, "enterprise");
  EXPECT_TRUE(st_->settings().get(*second, "llm"));
  auto third = access().default_workspace();
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, *second) << "found, not created twice";
}

// --- Users ----------------------------------------------------------------------

TEST_F(AccessStoreTest, UsersAreFoundByTheirNormalisedEmailAndEmailsAreUnique) {
  auto none = access().any_user();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto u = access().create_user("  Ana.Lopez@Example.COM ", "Ana López");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->email, "ana.lopez@example.com");
  EXPECT_EQ(u->display_name, "Ana López");
  EXPECT_FALSE(u->password_hash);
  EXPECT_FALSE(u->disabled);
  auto some = access().any_user();
  ASSERT_TRUE(some);
  EXPECT_TRUE(*some);
  expect_error(access().create_user("ANA.LOPEZ@example.com", "Other"), ErrorCode::conflict, "email");
  auto found = access().user_by_email("ana.lopez@EXAMPLE.com");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, u->id);
  auto missing = access().user_by_email("nobody@example.com");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  auto byid = access().user(u->id);
  ASSERT_TRUE(byid);
  EXPECT_EQ(byid->email, u->email);
  expect_error(access().user("nosuchuser"), ErrorCode::not_found, "");
}

TEST_F(AccessStoreTest, MalformedEmailsAndLongNamesAreRefused) {
  for (const std::string& bad : std::vector<std::string>{"", "no-at-sign", "a@b", "@example.com", "a@.com", "a@example.", "a@@example.com",
                          "a b@example.com", "a@exa..mple.com", std::string(250, 'a') + "@x.io"})
    expect_error(access().create_user(bad, ""), ErrorCode::invalid_argument, "email");
  expect_error(access().create_user("a@example.com", std::string(101, 'n')), ErrorCode::invalid_argument,
               "displayName");
  EXPECT_TRUE(access().create_user("a@example.com", ""));
}

TEST_F(AccessStoreTest, PasswordHashLoginTimeAndDisabledFlagAreStoredButTheHashIsNeverInJson) {
  const auto id = user("bo@example.com");
  ASSERT_TRUE(access().set_password_hash(id, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"));
  ASSERT_TRUE(access().touch_login(id));
  auto u = access().user(id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->password_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
  ASSERT_TRUE(u->last_login_at);
  const json j = to_json(*u);
  EXPECT_EQ(j["hasPassword"], true);
  EXPECT_EQ(j.dump().find("argon2id"), std::string::npos) << j.dump();
  ASSERT_TRUE(access().set_disabled(id, true));
  auto d = access().user(id);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->disabled);
  ASSERT_TRUE(access().set_disabled(id, false));
  EXPECT_FALSE(access().user(id)->disabled);
  expect_error(access().set_password_hash("nosuchuser", "x"), ErrorCode::not_found, "");
  expect_error(access().set_disabled("nosuchuser", true), ErrorCode::not_found, "");
  expect_error(access().touch_login("nosuchuser"), ErrorCode::not_found, "");
}

// --- Members ----------------------------------------------------------------------

TEST_F(AccessStoreTest, MembersHaveOneValidRolePerWorkspace) {
  const auto ws = workspace("Acme");
  const auto ana = user("ana@example.com"), bo = user("bo@example.com");
  ASSERT_TRUE(access().add_member(ws, ana, "owner"));
  ASSERT_TRUE(access().add_member(ws, bo, "viewer"));
  expect_error(access().add_member(ws, bo, "admin"), ErrorCode::conflict, "userId");
  expect_error(access().add_member(ws, ana, "superuser"), ErrorCode::invalid_argument, "role");
  expect_error(access().add_member(ws, "nosuchuser", "viewer"), ErrorCode::not_found, "userId");
  expect_error(access().add_member(WorkspaceId("nosuchworkspace"), ana, "viewer"), ErrorCode::not_found, "");
  auto role = access().role_of(ws, bo);
  ASSERT_TRUE(role);
  EXPECT_EQ(*role, "viewer");
  auto def = access().default_workspace();
  ASSERT_TRUE(def);
  auto none = access().role_of(*def, bo);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "a member of Acme is not a member of Default";

  auto members = access().members(ws);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  std::set<std::string> ids;
  for (const auto& m : *members) {
    ids.insert(m["userId"].get<std::string>());
    for (const char* k : {"userId", "email", "displayName", "role", "disabled", "createdAt"})
      EXPECT_TRUE(m.contains(k)) << k;
  }
  EXPECT_EQ(ids, (std::set<std::string>{ana, bo}));
  auto others = access().members(*def);
  ASSERT_TRUE(others);
  EXPECT_TRUE(others->empty());

  auto changed = access().update_member_role(ws, bo, "supervisor");
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ((*changed)["role"], "supervisor");
  EXPECT_EQ((*changed)["email"], "bo@example.com");
  EXPECT_EQ(*access().role_of(ws, bo), "supervisor");
  expect_error(access().update_member_role(ws, bo, "root"), ErrorCode::invalid_argument, "role");
  expect_error(access().update_member_role(*def, bo, "admin"), ErrorCode::not_found, "userId");
  expect_error(access().remove_member(*def, bo), ErrorCode::not_found, "userId");
  ASSERT_TRUE(access().remove_member(ws, bo));
  EXPECT_FALSE(*access().role_of(ws, bo));
  expect_error(access().remove_member(ws, bo), ErrorCode::not_found, "userId");
}

TEST_F(AccessStoreTest, TheLastOwnerCanBeNeitherDemotedNorRemoved) {
  const auto ws = workspace("Acme");
  const auto ana = user("ana@example.com"), bo = user("bo@example.com");
  ASSERT_TRUE(access().add_member(ws, ana, "owner"));
  ASSERT_TRUE(access().add_member(ws, bo, "admin"));
  expect_error(access().update_member_role(ws, ana, "admin"), ErrorCode::conflict, "role");
  expect_error(access().remove_member(ws, ana), ErrorCode::conflict, "role");
  EXPECT_EQ(*access().role_of(ws, ana), "owner") << "the refused change left the role alone";
  EXPECT_TRUE(access().update_member_role(ws, ana, "owner")) << "an owner staying owner is no demotion";
  // With a second owner, either may step down, and then the other is the last.
  ASSERT_TRUE(access().update_member_role(ws, bo, "owner"));
  ASSERT_TRUE(access().update_member_role(ws, ana, "viewer"));
  expect_error(access().remove_member(ws, bo), ErrorCode::conflict, "role");
  ASSERT_TRUE(access().remove_member(ws, ana));
  auto members = access().members(ws);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0]["role"], "owner");
}

TEST_F(AccessStoreTest, MembershipsListAUsersWorkspacesWithTheirRoles) {
  const auto a = workspace("Acme"), b = workspace("Bravo");
  const auto ana = user("ana@example.com");
  ASSERT_TRUE(access().add_member(b, ana, "viewer"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // timestamps are in ms: joined later, listed later
  ASSERT_TRUE(access().add_member(a, ana, "admin"));
  auto list = access().memberships(ana);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& [w, role] : *list) got.emplace(w.name, role);
  EXPECT_EQ(got, (std::set<std::pair<std::string, std::string>>{{"Acme", "admin"}, {"Bravo", "viewer"}}));
  EXPECT_EQ((*list)[0].first.name, "Bravo") << "in the order the user joined them (the first is their default)";
  auto nobody = access().memberships("nosuchuser");
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->empty());
}

// --- API keys ---------------------------------------------------------------------

TEST_F(AccessStoreTest, AKeyIsFoundByItsHashWhichNeverAppearsInJson) {
  const auto ws = workspace("Acme");
  auto k = access().create_api_key(ws, "CI", "ak_12345", "hash-of-the-secret-0001", {"agents:read", "calls:read", "agents:read"},
                                   "2100-01-01T02:00:00+02:00", 5.0, "user-1");
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->scopes, (std::vector<std::string>{"agents:read", "calls:read"})) << "duplicates dropped";
  EXPECT_EQ(k->expires_at, "2100-01-01T00:00:00.000Z") << "stored in UTC, in the sortable form";
  EXPECT_EQ(k->rate_limit_per_second, 5.0);
  auto found = access().api_key_by_hash("hash-of-the-secret-0001");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, k->id);
  EXPECT_EQ((*found)->workspace_id, ws);
  EXPECT_EQ((*found)->created_by, "user-1");
  EXPECT_EQ(to_json(**found), to_json(*k));
  auto none = access().api_key_by_hash("hash-of-nothing");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto list = access().api_keys(ws);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0]["prefix"], "ak_12345");
  EXPECT_EQ((*list)[0]["rateLimitPerSecond"], 5.0);
  EXPECT_EQ((*list)[0]["revokedAt"], nullptr);
  EXPECT_EQ(list->dump().find("hash-of-the-secret"), std::string::npos) << list->dump();
  EXPECT_EQ(to_json(*k).dump().find("hash-of-the-secret"), std::string::npos);
  expect_error(access().create_api_key(ws, "again", "ak_1", "hash-of-the-secret-0001", {}, std::nullopt, std::nullopt,
                                       std::nullopt),
               ErrorCode::conflict, "key");
}

TEST_F(AccessStoreTest, KeyFieldsAreValidated) {
  const auto ws = workspace("Acme");
  auto make = [&](std::string name, std::vector<std::string> scopes, std::optional<std::string> expires,
                  std::optional<double> rate) {
    return access().create_api_key(ws, name, "ak_x", "h-" + name, scopes, expires, rate, std::nullopt);
  };
  expect_error(make("", {}, std::nullopt, std::nullopt), ErrorCode::invalid_argument, "name");
  expect_error(make("a", {""}, std::nullopt, std::nullopt), ErrorCode::invalid_argument, "scopes");
  expect_error(make("b", {}, "next tuesday", std::nullopt), ErrorCode::invalid_argument, "expiresAt");
  // Past the clock's range (2262) a time would wrap around into the past.
  expect_error(make("b2", {}, "2999-01-01T00:00:00Z", std::nullopt), ErrorCode::invalid_argument, "expiresAt");
  expect_error(make("c", {}, std::nullopt, 0.0), ErrorCode::invalid_argument, "rateLimitPerSecond");
  expect_error(make("d", {}, std::nullopt, -1.0), ErrorCode::invalid_argument, "rateLimitPerSecond");
  expect_error(make("e", {}, std::nullopt, std::numeric_limits<double>::infinity()), ErrorCode::invalid_argument,
               "rateLimitPerSecond");
  expect_error(access().create_api_key(WorkspaceId("nosuchworkspace"), "f", "ak_x", "h-f", {}, std::nullopt,
                                       std::nullopt, std::nullopt),
               ErrorCode::not_found, "");
  auto list = access().api_keys(ws);
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty()) << "no refused key was stored";
}

TEST_F(AccessStoreTest, KeysAreListedPerWorkspaceNewestFirst) {
  const auto a = workspace("Acme"), b = workspace("Bravo");
  const auto k1 = key(a, "hash-a1"), k2 = key(a, "hash-a2"), k3 = key(b, "hash-b1");
  auto list = access().api_keys(a);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  std::set<std::string> ids{(*list)[0]["id"].get<std::string>(), (*list)[1]["id"].get<std::string>()};
  EXPECT_EQ(ids, (std::set<std::string>{k1.id, k2.id}));
  EXPECT_GE((*list)[0]["createdAt"].get<std::string>(), (*list)[1]["createdAt"].get<std::string>());
  expect_error(access().api_key(a, k3.id), ErrorCode::not_found, "");
  auto own = access().api_key(b, k3.id);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->name, "key hash-b1");
}

TEST_F(AccessStoreTest, AKeyIsRevokedOnlyThroughItsOwnWorkspace) {
  const auto a = workspace("Acme"), b = workspace("Bravo");
  const auto k = key(a, "hash-a1");
  expect_error(access().revoke_api_key(b, k.id), ErrorCode::not_found, "");
  auto untouched = access().api_key_by_hash("hash-a1");
  ASSERT_TRUE(untouched && *untouched);
  EXPECT_FALSE((*untouched)->revoked_at) << "another workspace's attempt changed nothing";
  auto revoked = access().revoke_api_key(a, k.id);
  ASSERT_TRUE(revoked) << revoked.error().message;
  ASSERT_TRUE(revoked->revoked_at);
  auto seen = access().api_key_by_hash("hash-a1");
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->revoked_at, revoked->revoked_at) << "the lookup by hash shows the revocation";
  auto again = access().revoke_api_key(a, k.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->revoked_at, revoked->revoked_at) << "revoking twice keeps the first time";
  expect_error(access().revoke_api_key(a, "nosuchkey"), ErrorCode::not_found, "");

  auto since = access().revoked_key_ids_since(*revoked->revoked_at);
  ASSERT_TRUE(since);
  EXPECT_EQ(*since, std::vector<std::string>{k.id});
  auto later = access().revoked_key_ids_since(kFuture);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->empty());
  expect_error(access().revoked_key_ids_since("yesterday"), ErrorCode::invalid_argument, "since");
}

TEST_F(AccessStoreTest, KeyUseIsRecordedLaterAndAtMostOncePerInterval) {
  const auto ws = workspace("Acme");
  const auto k = key(ws, "hash-a1");
  EXPECT_FALSE(k.last_used_at);
  access().touch_api_key_later(k.id);
  flush();
  auto used = access().api_key(ws, k.id);
  ASSERT_TRUE(used);
  ASSERT_TRUE(used->last_used_at);
  // A second use inside kTouchInterval (60 s; this test takes milliseconds) writes nothing.
  access().touch_api_key_later(k.id);
  flush();
  auto same = access().api_key(ws, k.id);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->last_used_at, used->last_used_at);
}

// --- Sessions -----------------------------------------------------------------------

TEST_F(AccessStoreTest, OnlyUnexpiredSessionsOfEnabledUsersAreFound) {
  const auto ana = user("ana@example.com");
  ASSERT_TRUE(access().create_session(ana, "session-live", kFuture, "127.0.0.1", "test agent"));
  ASSERT_TRUE(access().create_session(ana, "session-old", kPast, "", ""));
  auto live = access().session_by_hash("session-live");
  ASSERT_TRUE(live && *live);
  EXPECT_EQ((*live)->first, ana);
  EXPECT_EQ((*live)->second, kFuture);
  auto old = access().session_by_hash("session-old");
  ASSERT_TRUE(old);
  EXPECT_FALSE(*old) << "an expired session is not returned";
  auto unknown = access().session_by_hash("session-none");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
  auto removed = access().delete_expired_sessions();
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_TRUE(*access().session_by_hash("session-live"));

  ASSERT_TRUE(access().delete_session("session-live"));
  EXPECT_FALSE(*access().session_by_hash("session-live")) << "logged out";
  EXPECT_TRUE(access().delete_session("session-live")) << "logging out twice is no error";

  expect_error(access().create_session(ana, "s", "soon", "", ""), ErrorCode::invalid_argument, "expiresAt");
  expect_error(access().create_session("nosuchuser", "s", kFuture, "", ""), ErrorCode::not_found, "userId");
}

TEST_F(AccessStoreTest, DisablingAUserEndsTheirSessions) {
  const auto ana = user("ana@example.com");
  ASSERT_TRUE(access().create_session(ana, "session-1", kFuture, "", ""));
  ASSERT_TRUE(access().set_disabled(ana, true));
  EXPECT_FALSE(*access().session_by_hash("session-1"));
  ASSERT_TRUE(access().set_disabled(ana, false));
  EXPECT_FALSE(*access().session_by_hash("session-1")) << "enabling again does not bring the session back";
}

// --- One-time links -----------------------------------------------------------------

TEST_F(AccessStoreTest, ALinkIsConsumedOnceAndNotAfterItExpires) {
  const auto ana = user("ana@example.com");
  ASSERT_TRUE(access().create_login_token(ana, "link-1", "set_password", kFuture));
  ASSERT_TRUE(access().create_login_token(ana, "link-old", "sign_in", kPast));
  auto first = access().consume_login_token("link-1");
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->first, ana);
  EXPECT_EQ((*first)->second, "set_password");
  auto second = access().consume_login_token("link-1");
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second) << "a link works once";
  auto old = access().consume_login_token("link-old");
  ASSERT_TRUE(old);
  EXPECT_FALSE(*old) << "an expired link does not work";
  auto unknown = access().consume_login_token("link-none");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
  auto spent = access().delete_spent_login_tokens();
  ASSERT_TRUE(spent);
  EXPECT_EQ(*spent, 2) << "the used one and the expired one";
  expect_error(access().create_login_token(ana, "l", "reset", kFuture), ErrorCode::invalid_argument, "purpose");
  expect_error(access().create_login_token(ana, "l", "sign_in", "later"), ErrorCode::invalid_argument, "expiresAt");
  expect_error(access().create_login_token("nosuchuser", "l", "sign_in", kFuture), ErrorCode::not_found, "userId");
}

TEST_F(AccessStoreTest, ALinkUsedByManyThreadsAtOnceSignsInOnlyOne) {
  const auto ana = user("ana@example.com");
  ASSERT_TRUE(access().create_login_token(ana, "link-race", "sign_in", kFuture));
  std::atomic<int> winners{0}, failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto r = access().consume_login_token("link-race");
      if (!r) ++failures;
      else if (*r) ++winners;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

// --- Audit log ----------------------------------------------------------------------

TEST_F(AccessStoreTest, TheAuditLogIsPerWorkspaceNewestFirstInCursorPages) {
  const auto a = workspace("Acme"), b = workspace("Bravo");
  for (int i = 0; i < 5; ++i) {
    const store::AuditEntry e{a,        "user", "u1", "ana@example.com", i % 2 ? "key.create" : "agent.update",
                              "agent", "agent-" + std::to_string(i),  {{"n", i}},       "192.0.2.7"};
    ASSERT_TRUE(access().audit(e));
  }
  const store::AuditEntry theirs_entry{b, "key", "k1", "CI", "agent.update", "", "", json::object(), ""};
  ASSERT_TRUE(access().audit(theirs_entry));

  std::vector<json> items;
  std::string cursor;
  int pages = 0;
  do {
    auto page = access().audit_log(a, 2, cursor);
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_LE((*page)["items"].size(), 2u);
    for (const auto& it : (*page)["items"]) items.push_back(it);
    cursor = (*page)["nextCursor"].is_null() ? "" : (*page)["nextCursor"].get<std::string>();
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(items.size(), 5u);
  std::set<std::string> objects;
  for (size_t i = 0; i < items.size(); ++i) {
    objects.insert(items[i]["objectId"].get<std::string>());
    if (i > 0) {
      EXPECT_GE(items[i - 1]["createdAt"].get<std::string>(), items[i]["createdAt"].get<std::string>());
    }
  }
  EXPECT_EQ(objects.size(), 5u) << "every entry once, none of Bravo's";
  const json& one = items.front();
  EXPECT_EQ(one["actorType"], "user");
  EXPECT_EQ(one["actorId"], "u1");
  EXPECT_EQ(one["actorName"], "ana@example.com");
  EXPECT_EQ(one["objectType"], "agent");
  EXPECT_EQ(one["address"], "192.0.2.7");
  EXPECT_TRUE(one["details"].contains("n"));
  for (const char* k : {"id", "createdAt", "action"}) EXPECT_TRUE(one.contains(k)) << k;

  auto keys_only = access().audit_log(a, 50, "", "key.create");
  ASSERT_TRUE(keys_only);
  EXPECT_EQ((*keys_only)["items"].size(), 2u);
  EXPECT_TRUE((*keys_only)["nextCursor"].is_null());
  auto theirs = access().audit_log(b, 50, "");
  ASSERT_TRUE(theirs);
  ASSERT_EQ((*theirs)["items"].size(), 1u);
  EXPECT_EQ((*theirs)["items"][0]["objectId"], nullptr) << "absent text is null";
  EXPECT_EQ((*theirs)["items"][0]["address"], nullptr);
}

TEST_F(AccessStoreTest, AuditEntriesAndCursorsAreValidated) {
  const auto a = workspace("Acme");
  expect_error(access().audit({a, "robot", "", "", "x", "", "", json::object(), ""}), ErrorCode::invalid_argument,
               "actorType");
  expect_error(access().audit({a, "system", "", "", "", "", "", json::object(), ""}), ErrorCode::invalid_argument,
               "action");
  expect_error(access().audit({WorkspaceId("nosuchworkspace"), "system", "", "", "x", "", "", json::object(), ""}),
               ErrorCode::not_found, "");
  expect_error(access().audit_log(a, 10, "not a cursor!"), ErrorCode::invalid_argument, "cursor");
}

}  // namespace
