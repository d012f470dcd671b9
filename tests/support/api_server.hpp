#pragma once
/// A real voqo API (Store + RestApi + HttpServer) in this process, on a
/// free loopback port, over a fresh SQLite file; and JSON helpers for tests.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/handlers.hpp"
#include "api/http_server.hpp"
#include "store/store.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"

namespace voqo::test {

class ApiServer {
 public:
  explicit ApiServer(api::ApiConfig api_config = {}, api::ServerConfig server_config = {});
  ~ApiServer();

  uint16_t port() const { return server_->port(); }
  store::Store& store() { return *store_; }
  api::Router& router() { return router_; }
  const std::filesystem::path& db_path() const { return db_path_; }

  /// One request on a fresh connection; JSON bodies get Content-Type application/json.
  HttpResult get(const std::string& target);
  HttpResult post(const std::string& target, const nlohmann::json& body);
  HttpResult patch(const std::string& target, const nlohmann::json& body);
  HttpResult put(const std::string& target, const nlohmann::json& body);
  HttpResult del(const std::string& target);
  HttpResult raw(const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  TempDir dir_;
  std::filesystem::path db_path_;
  std::unique_ptr<store::Store> store_;
  api::Router router_;
  std::unique_ptr<api::RestApi> rest_;
  std::unique_ptr<api::HttpServer> server_;
};

/// The body parsed as JSON (a test failure, and null, if it is not JSON).
nlohmann::json body_json(const HttpResult& r);

}  // namespace voqo::test
