// Script templates and call flows (issue 18 §5): templates as versioned
// rows (the built-ins among them), and each campaign's call-flow steps.
#include "api/rest_kit.hpp"
#include "brain/step_conditions.hpp"

namespace voqo::api::rest {

namespace {

constexpr std::size_t kMaxItems = 50;      ///< discovery questions / objection pairs in one template
constexpr std::size_t kMaxVariables = 100;
constexpr std::size_t kMaxText = 4000;     ///< characters of one question or response

bool non_empty_text(const json& j, std::size_t max) {
  return j.is_string() && !j.get<std::string>().empty() && j.get<std::string>().size() <= max &&
         j.get<std::string>().find_first_not_of(" \t\r\n") != std::string::npos;
}

/// The shapes inside a template's JSON columns (the EntitySpec checks only that they are arrays).
Result<void> check_template(const json& body, bool) {
  if (auto it = body.find("discoveryQuestions"); it != body.end() && it->is_array()) {
    if (it->size() > kMaxItems) return std::unexpected(Error::invalid("discoveryQuestions", "at most 50 questions"));
    for (std::size_t i = 0; i < it->size(); ++i)
      if (!non_empty_text((*it)[i], kMaxText))
        return std::unexpected(Error::invalid("discoveryQuestions[" + std::to_string(i) + "]",
                                              "must be a non-empty string of at most 4000 characters"));
  }
  if (auto it = body.find("objectionResponses"); it != body.end() && it->is_array()) {
    if (it->size() > kMaxItems) return std::unexpected(Error::invalid("objectionResponses", "at most 50 pairs"));
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& o = (*it)[i];
      const std::string at = "objectionResponses[" + std::to_string(i) + "]";
      if (!o.is_object()) return std::unexpected(Error::invalid(at, "must be an object {objection, response}"));
      for (auto k = o.begin(); k != o.end(); ++k)
        if (k.key() != "objection" && k.key() != "response")
          return std::unexpected(Error::invalid(at + "." + k.key(), "unknown field"));
      if (!non_empty_text(o.value("objection", json()), 200))
        return std::unexpected(Error::invalid(at + ".objection", "must be a non-empty string of at most 200 characters "
                                                                 "(price, competitor, no_time and send_info are detected by the scripted brain)"));
      if (!non_empty_text(o.value("response", json()), kMaxText))
        return std::unexpected(Error::invalid(at + ".response", "must be a non-empty string of at most 4000 characters"));
    }
  }
  if (auto it = body.find("variables"); it != body.end() && it->is_array()) {
    if (it->size() > kMaxVariables) return std::unexpected(Error::invalid("variables", "at most 100 names"));
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& v = (*it)[i];
      const std::string name = v.is_string() ? v.get<std::string>() : std::string();
      const bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ';
      });
      if (!ok)
        return std::unexpected(Error::invalid("variables[" + std::to_string(i) + "]",
                                              "must be a name of at most 64 letters, digits, spaces, '_' or '-'"));
    }
  }
  return {};
}

}  // namespace

void Api::script_templates() {
  auto& scripts = st_.script_templates();
  auto& templates = scripts.templates();
  auto& flows = scripts.flows();
  auto& campaigns = st_.campaigns();

  // Templates: list, get and delete are the generic ones; create numbers the family.
  crud("/api/script-templates", templates, Parts{.create = false, .update = false});
  add_create("/api/script-templates", [&scripts](HttpRequest& req, const json& body) -> Result<json> {
    if (auto ok = check_template(body, true); !ok) return std::unexpected(ok.error());
    return scripts.create(workspace(req), body);
  });
  add("PATCH", "/api/script-templates/{id}", [this, &templates](HttpRequest& req) {
    auto id = path_id(req, "id", "script template");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = check_template(*body, false); !ok) return problem_from(ok.error(), req.target);
    return reply(templates.update(workspace(req), *id, *body, {}, context(req)), req);
  });
  add("GET", "/api/script-templates/{id}/versions", [&scripts](HttpRequest& req) {
    auto id = path_id(req, "id", "script template");
    if (!id) return problem_from(id.error(), req.target);
    auto all = scripts.versions(workspace(req), *id);
    if (!all) return problem_from(all.error(), req.target);
    return json_response(200, whole_page(std::move(*all)));
  });
  add("POST", "/api/script-templates/{id}/versions", [&scripts](HttpRequest& req) {
    auto id = path_id(req, "id", "script template");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (!body->is_object()) return problem_from(Error::invalid("", "body must be a JSON object"), req.target);
    if (auto ok = check_template(*body, false); !ok) return problem_from(ok.error(), req.target);
    auto r = scripts.new_version(workspace(req), *id, *body);
    if (!r) return problem_from(r.error(), req.target);
    return created(*r, "/api/script-templates/" + (*r)["id"].get<std::string>());
  });

  // Call-flow steps, nested under the campaign; a step's template must be one of the workspace's.
  // skipConditions and successCriteria must have the shapes the brains evaluate (brain/step_conditions.hpp).
  const auto check_step = [&scripts](const HttpRequest& req, const json& body) -> Result<void> {
    if (!body.is_object()) return {};  // the EntitySpec refuses it
    if (auto it = body.find("skipConditions"); it != body.end())
      if (auto ok = brain::parse_skip_conditions(*it); !ok) return std::unexpected(ok.error());
    if (auto it = body.find("successCriteria"); it != body.end())
      if (auto ok = brain::parse_success_criteria(*it); !ok) return std::unexpected(ok.error());
    if (auto it = body.find("scriptTemplateId"); it != body.end() && it->is_string())
      return scripts.check_exists(workspace(req), it->get<std::string>(), "scriptTemplateId");
    return {};
  };
  child_list("/api/campaigns/{id}/call-flow", campaigns, flows, "campaign_id");
  add("POST", "/api/campaigns/{id}/call-flow", [this, &flows, &campaigns, check_step](HttpRequest& req) {
    auto pid = path_id(req, "id", "campaign");
    if (!pid) return problem_from(pid.error(), req.target);
    if (auto p = campaigns.get(workspace(req), *pid); !p) return problem_from(p.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = check_step(req, *body); !ok) return problem_from(ok.error(), req.target);
    auto r = flows.create(workspace(req), *body, *pid, context(req));
    if (!r) return problem_from(r.error(), req.target);
    return created(*r, "/api/campaigns/" + *pid + "/call-flow/" + (*r)["id"].get<std::string>());
  });
  add("GET", "/api/campaigns/{id}/call-flow/{stepId}", [&flows, &campaigns](HttpRequest& req) {
    auto ids = child_ids(req, campaigns, flows, "stepId");
    if (!ids) return problem_from(ids.error(), req.target);
    return reply(flows.get(workspace(req), ids->second, ids->first), req);
  });
  add("PATCH", "/api/campaigns/{id}/call-flow/{stepId}", [this, &flows, &campaigns, check_step](HttpRequest& req) {
    auto ids = child_ids(req, campaigns, flows, "stepId");
    if (!ids) return problem_from(ids.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = check_step(req, *body); !ok) return problem_from(ok.error(), req.target);
    return reply(flows.update(workspace(req), ids->second, *body, ids->first, context(req)), req);
  });
  add("DELETE", "/api/campaigns/{id}/call-flow/{stepId}", [&flows, &campaigns](HttpRequest& req) {
    auto ids = child_ids(req, campaigns, flows, "stepId");
    if (!ids) return problem_from(ids.error(), req.target);
    return reply(flows.remove(workspace(req), ids->second, ids->first), req);
  });
}

}  // namespace voqo::api::rest
