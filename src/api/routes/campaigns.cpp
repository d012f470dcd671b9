// Campaigns (+ CSV uploads) and uploads (+ batch contacts, rejections).
#include "api/multipart.hpp"
#include "api/rest_kit.hpp"
#include "campaign/contact_import.hpp"
#include "model/phone.hpp"

namespace voqo::api::rest {

HttpResponse Api::upload(HttpRequest& req) {
  auto cid = path_id(req, "id", "campaign");
  if (!cid) return problem_from(cid.error(), req.target);
  if (auto c = st_.campaigns().get(workspace(req), *cid); !c) return problem_from(c.error(), req.target);
  campaign::ImportOptions options;
  options.region = st_.settings().default_region(workspace(req));
  std::string filename = "upload.csv";
  for (const auto& [key, value] : req.query) {
    if (key == "region") {
      if (!model::is_valid_region(value))
        return problem_from(Error::invalid("region", "must be an ISO 3166-1 region code such as US"), req.target);
      options.region = value;
    } else if (key == "filename") {
      if (auto ok = check_upload_filename(value); !ok) return problem_from(ok.error(), req.target);
      filename = value;
    } else {
      return problem_from(Error::invalid(key, "unknown query parameter"), req.target);
    }
  }
  const auto type = req.header("content-type");
  if (!type.empty() && !type.starts_with("multipart/") && !type.starts_with("text/") &&
      !type.starts_with("application/csv") && !type.starts_with("application/octet-stream") &&
      !type.starts_with("application/vnd.ms-excel")) {
    return problem_from(Error{ErrorCode::unsupported,
                              "upload a CSV as text/csv or as a multipart/form-data file part, not " + std::string(type), {}},
                        req.target);
  }
  SpooledCsv csv;
  if (auto opened = open_spooled_csv(req, csv); !opened) return problem_from(opened.error(), req.target);
  if (!csv.filename.empty()) {  // an empty one is a browser's "no name": keep the default
    if (auto ok = check_upload_filename(csv.filename); !ok) return problem_from(ok.error(), req.target);
    filename = csv.filename;
  }
  auto report = campaign::import_contacts(st_.uploads(), workspace(req), *cid, filename, csv.stream, options);
  if (!report) return problem_from(report.error(), req.target);
  json body = import_report_json(*report, config_.max_inline_rejections);
  body["campaignId"] = *cid;
  body["filename"] = filename;
  return created(body, "/api/uploads/" + report->upload_id);
}

void Api::campaigns_and_uploads() {
  auto& campaigns = st_.campaigns();
  auto& uploads = st_.upload_records();
  // Create and PATCH check the swarm fields the table cannot (routes/swarm.cpp).
  crud("/api/campaigns", campaigns, {.list = true, .get = true, .create = false, .update = false, .remove = false});
  // A running campaign is stopped before it is deleted (its job would lose its calls mid-flight).
  add("DELETE", "/api/campaigns/{id}", [&campaigns](HttpRequest& req) {
    auto id = path_id(req, "id", "campaign");
    if (!id) return problem_from(id.error(), req.target);
    auto c = campaigns.get(workspace(req), *id);
    if (!c) return problem_from(c.error(), req.target);
    if (const std::string status = c->value("status", ""); status == "active" || status == "paused")
      return problem_from(Error::conflict("status", "campaign is " + status + "; stop it before deleting it"), req.target);
    return reply(campaigns.remove(workspace(req), *id), req);
  });

  add("POST", "/api/campaigns/{id}/uploads", [this](HttpRequest& req) { return upload(req); },
      RouteOptions{.spool_body = true, .lane = Lane::slow});
  child_list("/api/campaigns/{id}/uploads", campaigns, uploads, "campaign_id");

  crud("/api/uploads", uploads, {.list = true, .get = false, .create = false, .update = false, .remove = true});
  get_with_children("/api/uploads", uploads,
                    {{"batchContacts", st_.batch_contacts(), "upload_id"}, {"rejections", st_.upload_rejections(), "upload_id"}});
  child_list("/api/uploads/{id}/contacts", uploads, st_.batch_contacts(), "upload_id");
  child_list("/api/uploads/{id}/rejections", uploads, st_.upload_rejections(), "upload_id");
}

}  // namespace voqo::api::rest

namespace voqo::api {

using nlohmann::json;

json import_report_json(const campaign::ImportReport& report, size_t max_rejections) {
  auto issues = [&](const std::vector<store::RowIssue>& list) {
    json out = json::array();
    for (size_t i = 0; i < list.size() && i < max_rejections; ++i)
      out.push_back({{"line", list[i].line}, {"column", list[i].column}, {"reason", list[i].reason}});
    return out;
  };
  json rejected = issues(report.rejected);
  const bool truncated = report.rejected_total > rejected.size();
  return json{{"uploadId", report.upload_id},
              {"totalRows", report.total_rows},
              {"imported", report.imported},
              {"rejectedCount", report.rejected_total},
              {"rejected", std::move(rejected)},
              {"rejectedTruncated", truncated},
              {"warningCount", report.warnings_total},
              {"warnings", issues(report.warnings)},
              {"delimiter", std::string(1, report.delimiter)},
              {"phoneColumn", report.phone_column},
              {"nameColumn", report.name_column}};
}

}  // namespace voqo::api
