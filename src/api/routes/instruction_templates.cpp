// Instruction templates (issue 19 §2): own, public and system templates
// with typed {{variables}}; a template, or an agent's prompt, greeting or
// voicemail message that uses an unknown variable is refused with 422
// naming the field and the variable (brain/instruction_template.hpp).
#include "api/rest_kit.hpp"
#include "brain/instruction_template.hpp"

namespace voqo::api::rest {

namespace {

/// `body`'s content and variables, over `stored`'s where the body leaves them out, checked together.
Result<void> check_instruction_template(const json& body, const json& stored) {
  const json variables = body.contains("variables") ? body["variables"] : stored.value("variables", json::array());
  auto declared = brain::parse_template_variables(variables, "variables");
  if (!declared) return std::unexpected(declared.error());
  const json content = body.contains("content") ? body["content"] : stored.value("content", json());
  if (content.is_string())
    if (auto ok = brain::validate_template_text(content.get<std::string>(), *declared, "content"); !ok) return ok;
  return {};
}

}  // namespace

Result<void> Api::check_agent_template_fields(const WorkspaceId& ws, const json& body, const json& stored) {
  const auto field = [&](const char* key) {
    return body.contains(key) ? body[key] : stored.is_object() ? stored.value(key, json()) : json();
  };
  std::vector<brain::TemplateVariable> declared;
  if (const json id = field("instructionTemplateId"); id.is_string()) {
    auto tpl = st_.instruction_templates().get(ws, id.get<std::string>());
    if (!tpl) {
      if (tpl.error().code != ErrorCode::not_found) return std::unexpected(tpl.error());
      return std::unexpected(Error::invalid("instructionTemplateId", "no instruction template " + id.get<std::string>() +
                                                                         " that this workspace may use"));
    }
    auto vars = brain::parse_template_variables(tpl->value("variables", json::array()));
    if (vars) declared = std::move(*vars);
  }
  for (const char* key : {"systemPrompt", "greetingMessage", "voicemailMessage"}) {
    const json text = field(key);
    if (!text.is_string()) continue;
    if (auto ok = brain::validate_template_text(text.get<std::string>(), declared, key); !ok) return ok;
  }
  return {};
}

void Api::instruction_templates() {
  auto& templates = st_.instruction_templates();

  add("GET", "/api/instruction-templates", [&templates](HttpRequest& req) {
    uint32_t limit = 50;
    std::string cursor, category;
    store::TemplateVisibility visibility = store::TemplateVisibility::all;
    for (const auto& [key, value] : req.query) {
      if (key == "limit") {
        auto l = parse_limit(value);
        if (!l) return problem_from(l.error(), req.target);
        limit = *l;
      } else if (key == "cursor") {
        cursor = value;
      } else if (key == "category") {
        category = value;
      } else if (key == "visibility") {
        auto v = store::parse_template_visibility(value);
        if (!v) return problem_from(v.error(), req.target);
        visibility = *v;
      } else {
        return problem_from(Error::invalid(key, "unknown query parameter (limit, cursor, category, visibility)"), req.target);
      }
    }
    auto page = templates.list(workspace(req), visibility, category, limit, cursor);
    if (!page) return problem_from(page.error(), req.target);
    return json_response(200, page_json(*page));
  });
  add("POST", "/api/instruction-templates", [&templates](HttpRequest& req) {
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (!body->is_object()) return problem_from(Error::invalid("", "body must be a JSON object"), req.target);
    if (auto ok = check_instruction_template(*body, json::object()); !ok) return problem_from(ok.error(), req.target);
    auto r = templates.create(workspace(req), *body);
    if (!r) return problem_from(r.error(), req.target);
    return created(*r, "/api/instruction-templates/" + (*r)["id"].get<std::string>());
  });
  add("GET", "/api/instruction-templates/{id}", [&templates](HttpRequest& req) {
    auto id = path_id(req, "id", "instruction template");
    if (!id) return problem_from(id.error(), req.target);
    return reply(templates.get(workspace(req), *id), req);
  });
  add("PATCH", "/api/instruction-templates/{id}", [&templates](HttpRequest& req) {
    auto id = path_id(req, "id", "instruction template");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (!body->is_object()) return problem_from(Error::invalid("", "body must be a JSON object"), req.target);
    // Only the owner's own row is patched; the stored content and variables complete the check.
    auto stored = templates.records().get(workspace(req), *id);
    if (!stored) return problem_from(stored.error(), req.target);
    if (auto ok = check_instruction_template(*body, *stored); !ok) return problem_from(ok.error(), req.target);
    return reply(templates.update(workspace(req), *id, *body), req);
  });
  add("DELETE", "/api/instruction-templates/{id}", [&templates](HttpRequest& req) {
    auto id = path_id(req, "id", "instruction template");
    if (!id) return problem_from(id.error(), req.target);
    return reply(templates.remove(workspace(req), *id), req);
  });
}

}  // namespace voqo::api::rest
