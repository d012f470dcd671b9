#include "support/api_server.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace voqo::test {

ApiServer::ApiServer(api::ApiConfig api_config, api::ServerConfig server_config) {
  db_path_ = dir_ / "voqo.db";
  auto st = store::Store::open(db_path_);
  if (!st) throw std::runtime_error(st.error().message);
  store_ = std::move(*st);
  rest_ = std::make_unique<api::RestApi>(router_, *store_, std::move(api_config));
  server_config.port = 0;
  server_config.spool_dir = dir_.path();
  server_ = std::make_unique<api::HttpServer>(server_config, router_);
  server_->start();
}

ApiServer::~ApiServer() {
  server_->stop();
  store_->close();
}

HttpResult ApiServer::get(const std::string& target) { return http_request(port(), "GET", target); }
HttpResult ApiServer::del(const std::string& target) { return http_request(port(), "DELETE", target); }
HttpResult ApiServer::post(const std::string& target, const nlohmann::json& body) {
  return http_request(port(), "POST", target, body.dump(), {{"Content-Type", "application/json"}});
}
HttpResult ApiServer::patch(const std::string& target, const nlohmann::json& body) {
  return http_request(port(), "PATCH", target, body.dump(), {{"Content-Type", "application/json"}});
}
HttpResult ApiServer::put(const std::string& target, const nlohmann::json& body) {
  return http_request(port(), "PUT", target, body.dump(), {{"Content-Type", "application/json"}});
}
HttpResult ApiServer::raw(const std::string& method, const std::string& target, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  return http_request(port(), method, target, body, headers);
}

nlohmann::json body_json(const HttpResult& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body.substr(0, 200);
  return j.is_discarded() ? nlohmann::json() : j;
}

}  // namespace voqo::test
