#include "api/handlers.hpp"

#include <mutex>

#include "api/openapi.hpp"
#include "api/rest_kit.hpp"
#include "core/time.hpp"

namespace voqo::api::rest {

void Api::register_all() {
  // On the I/O thread (it never blocks), so it answers however busy the workers are.
  add("GET", "/api/health", [this](HttpRequest&) {
    return json_response(200, json{{"status", "ok"}, {"database", st_.db().dialect()}, {"time", now_iso8601()}});
  }, {.lane = Lane::io});
  agents();
  contacts();
  calls();
  campaigns_and_uploads();
  swarm();
  script_templates();
  instruction_templates();
  jobs();
  compliance();
  outboxes();
  live();
  metrics();
  settings();
  access();
  lead_sources();
  // Last, so the document lists every route registered above.
  // Built on first use, when every route (this one included) is registered.
  add("GET", "/api/openapi.json", [this](HttpRequest&) {
    std::call_once(openapi_once_, [this] { openapi_ = openapi_document(router_).dump(2); });
    return HttpResponse::json(200, openapi_);
  });
}

}  // namespace voqo::api::rest

namespace voqo::api {

struct RestApi::Impl {
  rest::Api api;
};

RestApi::RestApi(Router& router, store::Store& store, ApiConfig config)
    : impl_(new Impl{rest::Api(router, store, std::move(config))}) {
  impl_->api.register_all();
}

RestApi::~RestApi() = default;

}  // namespace voqo::api
