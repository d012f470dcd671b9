#pragma once
/// What the REST resources share (internal to api/): the `Api` registrar —
/// every route goes through Api::add, which sets the route's permission
/// (permissions.hpp) as its header-time authorize step, checks JSON depth and
/// writes the audit log — and the helpers handlers use to read requests and
/// write answers. The resources are defined in handlers.cpp and, for
/// workspaces, members, keys, sign-in and the audit log, access_routes.cpp.
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/problem.hpp"
#include "api/router.hpp"
#include "store/store.hpp"

namespace voqo::api::rest {

using nlohmann::json;

HttpResponse json_response(int status, const json& body);
HttpResponse created(const json& body, const std::string& location);

/// 200 (or `status`) with the value as JSON, 204 for void, or the error as problem+json.
template <class T>
HttpResponse reply(const Result<T>& result, const HttpRequest& req, int status = 200) {
  if (!result) return problem_from(result.error(), req.target);
  if constexpr (std::is_void_v<T>) return HttpResponse::no_content();
  else return json_response(status, *result);
}

/// The JSON body (Content-Type application/json, or none). Errors: 415, 400.
Result<json> parse_body(const HttpRequest& req);
/// The `{name}` path parameter as an id; a value that cannot be an id is a 404.
Result<std::string> path_id(const HttpRequest& req, std::string_view name, std::string_view what);
/// A `limit` query parameter: 1–500 (422 naming `limit`).
Result<uint32_t> parse_limit(std::string_view text);

/// The workspace the request acts in (its principal's). Handlers run only
/// after the route's authorize step, so every non-open route has one.
const WorkspaceId& workspace(const HttpRequest& req);
/// Who made the request, as recorded: "user:<id>", "key:<id>".
std::string actor(const HttpRequest& req);

/// Which of the five CRUD routes Api::crud() registers.
struct Parts {
  bool list = true, get = true, create = true, update = true, remove = true;
};

class Api {
 public:
  Api(Router& router, store::Store& store, const ApiConfig& config)
      : router_(router), st_(store), config_(config), auth_(*config.auth) {}

  /// Registers a route with its permission (permission_for(method, pattern))
  /// checked at the header, the JSON depth check, and an audit-log entry for
  /// every successful change.
  void add(std::string method, std::string pattern, Handler h, RouteOptions options = {});
  /// POST base: `create` validates and stores the body; 201 + Location.
  void add_create(const std::string& base, std::function<Result<json>(HttpRequest&, const json&)> create);
  /// GET list, POST create, GET/PATCH/DELETE one, for a top-level resource.
  void crud(const std::string& base, store::Repository& repo, Parts parts = {});
  /// The same, for a collection nested under a parent: base/{id}/<child>.
  void nested(const std::string& parent_base, store::Repository& parent, const std::string& child,
              const std::string& child_param, store::Repository& repo);
  /// GET base/{id}/<child>: a read-only page of child records.
  void child_list(const std::string& pattern, store::Repository& parent, store::Repository& repo,
                  const std::string& parent_column);

  model::ValidationContext context(const HttpRequest& req) { return {st_.settings().default_region(workspace(req))}; }

  void register_all();

 private:
  void agents();
  HttpResponse create_agent(HttpRequest& req);
  HttpResponse tts_preview(HttpRequest& req);
  void contacts();
  void calls();
  void campaigns_and_uploads();
  void jobs();
  void compliance_and_outboxes();
  void live();
  void settings();
  HttpResponse upload(HttpRequest& req);
  HttpResponse place_call(HttpRequest& req);
  HttpResponse supervisor_action(HttpRequest& req);
  HttpResponse serve_file(const std::filesystem::path& path, std::string content_type, const HttpRequest& req);
  /// Workspaces, members, API keys, sign-in, tickets, the audit log (access_routes.cpp).
  void access();
  HttpResponse login(HttpRequest& req);
  HttpResponse me(HttpRequest& req);
  /// Records `action` on `object` in the request's workspace (issue 16 §8).
  void audit(const HttpRequest& req, std::string action, std::string object_type, std::string object_id,
             json details = json::object());

  Router& router_;
  store::Store& st_;
  ApiConfig config_;
  Authenticator& auth_;
  std::once_flag openapi_once_;
  std::string openapi_;
};

}  // namespace voqo::api::rest
