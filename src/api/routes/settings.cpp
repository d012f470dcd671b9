// Settings: all, patch, one key; secrets are masked in every answer.
#include "api/rest_kit.hpp"
#include "store/settings.hpp"

namespace voqo::api::rest {

void Api::settings() {
  // Secrets are write-only: every answer masks them (store::redact_secrets).
  auto& s = st_.settings();
  auto redact_all = [](Result<json> all) -> Result<json> {
    if (all)
      for (auto& [key, value] : all->items()) value = store::redact_secrets(key, std::move(value));
    return all;
  };
  add("GET", "/api/settings", [&s, redact_all](HttpRequest& req) { return reply(redact_all(s.all(workspace(req))), req); });
  add("PATCH", "/api/settings", [&s, redact_all](HttpRequest& req) {
    auto body = parse_body(req);
    return body ? reply(redact_all(s.patch(workspace(req), *body)), req) : problem_from(body.error(), req.target);
  });
  add("GET", "/api/settings/{key}", [&s](HttpRequest& req) {
    const std::string key(req.param("key"));
    auto v = s.get(workspace(req), key);
    if (!v) return problem_from(v.error(), req.target);
    return json_response(200, json{{"key", key}, {"value", store::redact_secrets(key, std::move(*v))}});
  });
  add("PUT", "/api/settings/{key}", [&s](HttpRequest& req) {
    const std::string key(req.param("key"));
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (!body->is_object() || !body->contains("value") || body->size() != 1)
      return problem_from(Error::invalid("value", "body must be {\"value\": ...}"), req.target);
    auto v = s.put(workspace(req), key, (*body)["value"]);
    if (!v) return problem_from(v.error(), req.target);
    return json_response(200, json{{"key", key}, {"value", store::redact_secrets(key, std::move(*v))}});
  });
}

}  // namespace voqo::api::rest
