#pragma once
/// A real voqo API (Store + RestApi + HttpServer) in this process, on a
/// free loopback port, over a fresh SQLite file; and JSON helpers for tests.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/http_server.hpp"
#include "store/store.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"

namespace voqo::test {

/// Every request the helpers below send carries an admin key of the Default
/// workspace (key()), as a client of the API would (issue 16); anonymous()
/// sends none.
class ApiServer {
 public:
  /// `seed_db` (with its `.key`), when given, is copied in and opened instead
  /// of a fresh database: a file an earlier voqo wrote, say.
  explicit ApiServer(api::ApiConfig api_config = {}, api::ServerConfig server_config = {},
                     api::AuthConfig auth_config = {}, const std::filesystem::path& seed_db = {});
  ~ApiServer();

  uint16_t port() const { return server_->port(); }
  store::Store& store() { return *store_; }
  api::Router& router() { return router_; }
  api::Authenticator& auth() { return *auth_; }
  const std::filesystem::path& db_path() const { return db_path_; }
  /// The Default workspace, where key() acts.
  const WorkspaceId& workspace() const { return workspace_; }
  /// The admin key the helpers send, its id, and its name ("test").
  const std::string& key() const { return key_; }
  const std::string& key_id() const { return key_id_; }
  /// How the server records the admin key as an actor: "key:<id>".
  std::string key_actor() const { return "key:" + key_id_; }
  /// A new key of workspace `ws` with `scopes` (and a rate limit when > 0): its secret.
  std::string create_key(const WorkspaceId& ws, const std::vector<std::string>& scopes, double rate_per_s = 0);
  /// A new workspace (tier `tier`): its id.
  WorkspaceId create_workspace(const std::string& name, const std::string& tier = "free");

  /// One request on a fresh connection with key(); JSON bodies get Content-Type application/json.
  HttpResult get(const std::string& target);
  HttpResult post(const std::string& target, const nlohmann::json& body);
  HttpResult patch(const std::string& target, const nlohmann::json& body);
  HttpResult put(const std::string& target, const nlohmann::json& body);
  HttpResult del(const std::string& target);
  /// With key() unless `headers` carry a credential (Authorization, X-API-Key, Cookie).
  HttpResult raw(const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers);
  /// Without any credential.
  HttpResult anonymous(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {});
  /// The header carrying key().
  std::pair<std::string, std::string> auth_header() const { return {"Authorization", "Bearer " + key_}; }

 private:
  TempDir dir_;
  std::filesystem::path db_path_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<api::Authenticator> auth_;
  WorkspaceId workspace_;
  std::string key_, key_id_, last_key_id_;
  api::Router router_;
  std::unique_ptr<api::RestApi> rest_;
  std::unique_ptr<api::HttpServer> server_;
};

/// The body parsed as JSON (a test failure, and null, if it is not JSON).
nlohmann::json body_json(const HttpResult& r);

}  // namespace voqo::test
