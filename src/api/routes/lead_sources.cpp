// Lead sources (issue 18 §7): CRUD, the per-source token, pushes of leads
// (JSON or CSV; the source's token or campaigns:write) and CRM pulls.
#include <sstream>

#include "access/token.hpp"
#include "api/rest_kit.hpp"
#include "campaign/lead_sources.hpp"
#include "core/id.hpp"

namespace voqo::api::rest {
namespace {

/// A new token for an api_webhook source: "ls_" + 256 random bits (base64url).
struct NewToken {
  std::string secret, prefix, hash;
};
NewToken new_token() {
  NewToken t;
  t.secret = "ls_" + access::random_token();
  t.prefix = t.secret.substr(0, 8);
  t.hash = access::token_hash(t.secret);
  return t;
}

/// The members of a create or patch body that the spec cannot check alone.
Result<void> check_lead_source_body(const json& body) {
  if (!body.is_object()) return {};
  if (auto it = body.find("fieldMapping"); it != body.end() && !it->is_null())
    if (auto ok = campaign::validate_field_mapping(*it); !ok) return ok;
  if (auto it = body.find("crmConfig"); it != body.end())
    if (auto ok = campaign::validate_crm_config(*it); !ok) return ok;
  return {};
}

bool by_token(const HttpRequest& req) { return req.principal && req.principal->id.starts_with("lead-source:"); }

}  // namespace

HttpResponse Api::push_leads(HttpRequest& req) {
  auto id = path_id(req, "id", "lead source");
  if (!id) return problem_from(id.error(), req.target);
  // A token's principal is its own source (checked at the header); any other
  // caller reaches only its workspace's sources.
  auto source = st_.lead_source_store().get(workspace(req), *id);
  if (!source) return problem_from(source.error(), req.target);
  if (!source->is_active)
    return problem_from(Error::conflict("isActive", "the lead source is inactive: it takes no leads"), req.target);
  const auto type = req.header("content-type");
  Result<std::vector<campaign::RawLead>> leads = std::unexpected(Error::bad_request("a body of leads is required"));
  if (type.starts_with("text/csv")) {
    std::istringstream in(req.body);
    leads = campaign::leads_from_csv(in);
  } else {
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    // One lead (manual entry) may come as an object.
    if (body->is_object()) *body = json::array({std::move(*body)});
    leads = campaign::leads_from_json(*body);
  }
  if (!leads) return problem_from(leads.error(), req.target);
  auto report = campaign::import_leads(st_, *source, *leads, st_.settings().default_region(workspace(req)));
  if (!report) return problem_from(report.error(), req.target);
  json out = import_report_json(*report, config_.max_inline_rejections);
  out["leadSourceId"] = source->id;
  out["campaignId"] = source->campaign_id;
  out["authenticatedBy"] = by_token(req) ? "token" : "credential";
  return created(out, "/api/uploads/" + report->upload_id);
}

void Api::lead_sources() {
  auto& repo = st_.lead_sources();
  crud("/api/lead-sources", repo, {.list = true, .get = true, .create = false, .update = false, .remove = true});
  add_create("/api/lead-sources", [this, &repo](HttpRequest& req, const json& body) -> Result<json> {
    if (auto ok = check_lead_source_body(body); !ok) return std::unexpected(ok.error());
    // The campaign is looked up in the caller's workspace (another's is not found).
    if (body.is_object() && body.contains("campaignId") && body["campaignId"].is_string()) {
      const std::string cid = body["campaignId"].get<std::string>();
      if (!looks_like_id(cid) || !st_.campaigns().get(workspace(req), cid)) {
        Error e = Error::not_found("campaign " + cid + " not found");
        e.fields.push_back({"campaignId", "not found"});
        return std::unexpected(e);
      }
    }
    auto created = repo.create(workspace(req), body, {}, context(req));
    if (!created) return created;
    if ((*created)["sourceType"] == "api_webhook") {
      const auto token = new_token();
      const std::string sid = (*created)["id"].get<std::string>();
      if (auto ok = st_.lead_source_store().set_token(workspace(req), sid, token.hash, token.prefix); !ok)
        return std::unexpected(ok.error());
      (*created)["apiTokenPrefix"] = token.prefix;
      (*created)["apiToken"] = token.secret;  // shown once
    }
    return created;
  });
  add("PATCH", "/api/lead-sources/{id}", [this, &repo](HttpRequest& req) {
    auto id = path_id(req, "id", repo.spec().name);
    if (!id) return problem_from(id.error(), req.target);
    auto before = st_.lead_source_store().get(workspace(req), *id);
    if (!before) return problem_from(before.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = check_lead_source_body(*body); !ok) return problem_from(ok.error(), req.target);
    // A secret is never sent to a new host (issue 16 §6): a new CRM URL needs its headers again.
    if (body->is_object() && body->contains("crmConfig") && (*body)["crmConfig"].is_object() &&
        !body->contains("crmHeaders")) {
      const std::string old_url = before->crm_config.is_object() ? before->crm_config.value("url", std::string()) : "";
      const std::string new_url = (*body)["crmConfig"].value("url", std::string());
      auto headers = repo.read_secret(workspace(req), *id, "crm_headers");
      const bool has_headers = headers && *headers && (*headers)->is_object() && !(*headers)->empty();
      if (has_headers && new_url != old_url)
        return problem_from(Error::invalid("crmHeaders", "send the headers again with a new crmConfig.url"), req.target);
    }
    return reply(repo.update(workspace(req), *id, *body, {}, context(req)), req);
  });
  add("POST", "/api/lead-sources/{id}/rotate-token", [this](HttpRequest& req) {
    auto id = path_id(req, "id", "lead source");
    if (!id) return problem_from(id.error(), req.target);
    auto source = st_.lead_source_store().get(workspace(req), *id);
    if (!source) return problem_from(source.error(), req.target);
    if (source->source_type != "api_webhook")
      return problem_from(Error::conflict("sourceType", "only an api_webhook source has a token"), req.target);
    const auto token = new_token();
    if (auto ok = st_.lead_source_store().set_token(workspace(req), *id, token.hash, token.prefix); !ok)
      return problem_from(ok.error(), req.target);
    return json_response(200, json{{"id", *id}, {"apiToken", token.secret}, {"apiTokenPrefix", token.prefix}});
  });
  add("POST", "/api/lead-sources/{id}/leads", [this](HttpRequest& req) { return push_leads(req); },
      RouteOptions{.lane = Lane::slow});
  add("POST", "/api/lead-sources/{id}/sync", [this](HttpRequest& req) {
    auto id = path_id(req, "id", "lead source");
    if (!id) return problem_from(id.error(), req.target);
    auto r = campaign::sync_lead_source(st_, workspace(req), *id);
    if (!r) {
      if (r.error().code == ErrorCode::io || r.error().code == ErrorCode::too_large)
        return problem(502, "Bad Gateway", "the CRM pull failed: " + r.error().message, {}, req.target);
      return problem_from(r.error(), req.target);
    }
    json out = {{"pages", r->pages}, {"fetched", r->fetched}, {"stopped", r->stopped}};
    out["import"] = r->report ? import_report_json(*r->report, config_.max_inline_rejections) : json(nullptr);
    auto source = st_.lead_sources().get(workspace(req), *id);
    if (source) out["leadSource"] = std::move(*source);
    return json_response(200, out);
  }, RouteOptions{.lane = Lane::slow});
}

}  // namespace voqo::api::rest
