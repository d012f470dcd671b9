#include "support/api_server.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "access/api_key.hpp"
#include "access/roles.hpp"

namespace voqo::test {

ApiServer::ApiServer(api::ApiConfig api_config, api::ServerConfig server_config, api::AuthConfig auth_config,
                     const std::filesystem::path& seed_db) {
  db_path_ = dir_ / "voqo.db";
  if (!seed_db.empty()) {
    std::filesystem::copy_file(seed_db, db_path_);
    std::filesystem::copy_file(seed_db.string() + ".key", db_path_.string() + ".key");
  }
  auto st = store::Store::open(db_path_);
  if (!st) throw std::runtime_error(st.error().message);
  store_ = std::move(*st);
  auto ws = store_->access().default_workspace();
  if (!ws) throw std::runtime_error(ws.error().message);
  workspace_ = *ws;
  auth_ = std::make_unique<api::Authenticator>(*store_, std::move(auth_config));
  key_ = create_key(workspace_, {"admin"});
  key_id_ = last_key_id_;
  if (!api_config.auth) api_config.auth = auth_.get();
  rest_ = std::make_unique<api::RestApi>(router_, *store_, std::move(api_config));
  server_config.port = 0;
  server_config.spool_dir = dir_.path();
  server_ = std::make_unique<api::HttpServer>(server_config, router_);
  server_->start();
}

std::string ApiServer::create_key(const WorkspaceId& ws, const std::vector<std::string>& scopes, double rate_per_s) {
  const auto k = access::generate_api_key();
  auto rec = store_->access().create_api_key(ws, "test", k.prefix, k.hash, scopes, std::nullopt,
                                             rate_per_s > 0 ? std::optional(rate_per_s) : std::nullopt, "test");
  if (!rec) throw std::runtime_error(rec.error().message);
  last_key_id_ = rec->id;
  return k.secret;
}

WorkspaceId ApiServer::create_workspace(const std::string& name, const std::string& tier) {
  auto w = store_->access().create_workspace(name, tier);
  if (!w) throw std::runtime_error(w.error().message);
  return w->id;
}

ApiServer::~ApiServer() {
  server_->stop();
  store_->close();
}

HttpResult ApiServer::get(const std::string& target) { return http_request(port(), "GET", target, {}, {auth_header()}); }
HttpResult ApiServer::del(const std::string& target) {
  return http_request(port(), "DELETE", target, {}, {auth_header()});
}
HttpResult ApiServer::post(const std::string& target, const nlohmann::json& body) {
  return http_request(port(), "POST", target, body.dump(), {{"Content-Type", "application/json"}, auth_header()});
}
HttpResult ApiServer::patch(const std::string& target, const nlohmann::json& body) {
  return http_request(port(), "PATCH", target, body.dump(), {{"Content-Type", "application/json"}, auth_header()});
}
HttpResult ApiServer::put(const std::string& target, const nlohmann::json& body) {
  return http_request(port(), "PUT", target, body.dump(), {{"Content-Type", "application/json"}, auth_header()});
}
HttpResult ApiServer::raw(const std::string& method, const std::string& target, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  auto with = headers;
  const bool has_credential = std::any_of(headers.begin(), headers.end(), [](const auto& h) {
    std::string n = h.first;
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return n == "authorization" || n == "x-api-key" || n == "cookie";
  });
  if (!has_credential) with.push_back(auth_header());
  return http_request(port(), method, target, body, with);
}
HttpResult ApiServer::anonymous(const std::string& method, const std::string& target, const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  return http_request(port(), method, target, body, headers);
}

nlohmann::json body_json(const HttpResult& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body.substr(0, 200);
  return j.is_discarded() ? nlohmann::json() : j;
}

}  // namespace voqo::test
