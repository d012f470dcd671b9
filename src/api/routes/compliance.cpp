// The do-not-call list (+ CSV import) and the outboxes: SMS messages, webhook events.
#include "api/rest_kit.hpp"
#include "campaign/do_not_call.hpp"

namespace voqo::api::rest {

void Api::compliance() {
  auto& dnc = st_.do_not_call();
  crud("/api/do-not-call", dnc, {.list = true, .get = true, .create = false, .update = false, .remove = false});
  add_create("/api/do-not-call", [this](HttpRequest& req, const json& body) -> Result<json> {
    if (!body.is_object() || !body.contains("phone") || !body["phone"].is_string())
      return std::unexpected(Error::invalid("phone", "required: the number never to dial"));
    for (auto it = body.begin(); it != body.end(); ++it)
      if (it.key() != "phone" && it.key() != "reason") return std::unexpected(Error::invalid(it.key(), "unknown field"));
    if (body.contains("reason") && !body["reason"].is_string() && !body["reason"].is_null())
      return std::unexpected(Error::invalid("reason", "must be a string"));
    campaign::DoNotCallList list(st_.db());
    const std::string reason = body.contains("reason") && body["reason"].is_string() ? body["reason"].get<std::string>() : "";
    return list.add(workspace(req), body["phone"].get<std::string>(), reason, "api", "",
                    st_.settings().default_region(workspace(req)));
  });
  add("DELETE", "/api/do-not-call/{id}", [this](HttpRequest& req) {
    auto id = path_id(req, "id", "do-not-call entry");
    if (!id) return problem_from(id.error(), req.target);
    campaign::DoNotCallList list(st_.db());
    return reply(list.remove(workspace(req), *id, st_.settings().default_region(workspace(req))), req);
  });
  add(
      "POST", "/api/do-not-call/import",
      [this](HttpRequest& req) {
        SpooledCsv csv;
        if (auto opened = open_spooled_csv(req, csv); !opened) return problem_from(opened.error(), req.target);
        campaign::DoNotCallList list(st_.db());
        auto report = list.import_csv(workspace(req), csv.stream, st_.settings().default_region(workspace(req)));
        if (!report) return problem_from(report.error(), req.target);
        json rejected = json::array();
        for (const auto& r : report->rejected) rejected.push_back({{"line", r.line}, {"reason", r.reason}});
        return json_response(200, json{{"added", report->added},
                                       {"alreadyListed", report->already_listed},
                                       {"rejectedCount", report->rejected_count},
                                       {"rejected", std::move(rejected)}});
      },
      RouteOptions{.spool_body = true, .lane = Lane::slow});
}

void Api::outboxes() {
  crud("/api/sms-messages", st_.sms_messages(), {.list = true, .get = true, .create = false, .update = false, .remove = false});
  crud("/api/webhook-events", st_.webhook_events(),
       {.list = true, .get = true, .create = false, .update = false, .remove = false});
}

}  // namespace voqo::api::rest
