#pragma once
/// What the REST resources share (internal to api/): the `Api` registrar —
/// every route goes through Api::add, which sets the route's permission
/// (permissions.hpp) as its header-time authorize step, checks JSON depth and
/// writes the audit log — its builders for the usual shapes (crud, nested
/// collections, child lists), and the helpers handlers use to read requests
/// (bodies, path ids, list queries, spooled CSV uploads) and write answers
/// (JSON, pages, problems). The kit is rest_kit.cpp; each resource is one
/// file under routes/ (agents, contacts, calls, campaigns, jobs, compliance,
/// live, metrics, settings, access); handlers.cpp registers them all.
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <streambuf>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/problem.hpp"
#include "api/router.hpp"
#include "store/store.hpp"

namespace voqo::api::rest {

using nlohmann::json;
using store::Condition;
using store::ListQuery;

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
/// Whether `req` carries a body that is (or may be) JSON: not spooled, and
/// a JSON media type or none at all (parse_body() reads those as JSON).
bool has_json_body(const HttpRequest& req);

/// Reads bytes [offset, offset + length) of a file as a stream (the file part
/// of a multipart upload, read in place).
class RangeStreamBuf final : public std::streambuf {
 public:
  RangeStreamBuf(std::ifstream& in, uint64_t offset, uint64_t length) : in_(in), left_(length) {
    in_.seekg(static_cast<std::streamoff>(offset));
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (left_ == 0) return traits_type::eof();
    const auto want = static_cast<std::streamsize>(std::min<uint64_t>(left_, sizeof buf_));
    in_.read(buf_, want);
    const auto got = in_.gcount();
    if (got <= 0) return traits_type::eof();
    left_ -= static_cast<uint64_t>(got);
    setg(buf_, buf_, buf_ + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::ifstream& in_;
  uint64_t left_;
  char buf_[64 * 1024];
};

/// The CSV of a spooled request body: the whole body, or the file part of a
/// multipart/form-data body (RFC 7578), read in place from the spool file.
struct SpooledCsv {
  std::ifstream file;
  std::optional<RangeStreamBuf> buffer;
  std::istream stream{nullptr};
  std::string filename;  ///< the multipart part's filename, "" otherwise
};

/// Opens `out` on `req`'s body. An empty body (which may come without a spool
/// file) reads as an empty CSV. Errors: a malformed multipart body; io when
/// the spool file is missing.
Result<void> open_spooled_csv(const HttpRequest& req, SpooledCsv& out);
/// The `{name}` path parameter as an id; a value that cannot be an id is a 404.
Result<std::string> path_id(const HttpRequest& req, std::string_view name, std::string_view what);
/// A `limit` query parameter: 1–500 (422 naming `limit`).
Result<uint32_t> parse_limit(std::string_view text);

/// Handles a query parameter a list route takes beyond the spec's filters:
/// true when it was one (and added its condition), false for an unknown one.
using ExtraQuery = std::function<Result<bool>(std::string_view key, std::string_view value, store::ListQuery&)>;
/// Builds a ListQuery from `limit`, `cursor` and the spec's filterable
/// fields (each value checked by the field's own rules; phones normalised
/// with the workspace's default region); `extra` handles further parameters.
/// Errors: invalid (422) naming the parameter.
Result<store::ListQuery> list_query(const HttpRequest& req, const model::EntitySpec& spec, store::Store& st,
                                    const ExtraQuery& extra = {});
/// A page as JSON: {items, nextCursor (null on the last page)}.
json page_json(const store::Page& page);
/// A list returned whole, in one page: {items, nextCursor: null}.
json whole_page(json items);
/// A page of `repo` as the list endpoints return it, serialized straight from the rows.
HttpResponse list_response(store::Repository& repo, const store::ListQuery& q, const HttpRequest& req);
/// First page (`limit` rows) of a child collection whose `column` is
/// `parent_id`, embedded in its parent's GET.
Result<json> embedded(const WorkspaceId& ws, store::Repository& children, std::string column, std::string parent_id,
                      uint32_t limit = 100);
/// The parent's `{id}` and the child's `{child_param}` of a nested route
/// (either not an id: 404 naming its entity).
Result<std::pair<std::string, std::string>> child_ids(const HttpRequest& req, const store::Repository& parent,
                                                     const store::Repository& child, const std::string& child_param);

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
  /// Checks a body beyond its table's rules (create: true for POST, false for PATCH); an error is the answer.
  using BodyCheck = std::function<Result<void>(const json& body, bool create)>;
  /// The same, for a collection nested under a parent: base/{id}/<child>.
  void nested(const std::string& parent_base, store::Repository& parent, const std::string& child,
              const std::string& child_param, store::Repository& repo, BodyCheck check = {});
  /// A child collection a parent's GET embeds: `member` of the answer holds
  /// the first page of `repo`'s rows whose `column` is the parent's id.
  struct Embed {
    std::string member;
    store::Repository& repo;
    std::string column;
  };
  /// Adds to a record just read (request, the record's id, the record).
  using Decorate = std::function<void(const HttpRequest&, const std::string&, json&)>;
  /// GET base/{id}: the record of `repo` with each of `embeds` embedded
  /// (newest first, or in file order as the child's list is), then `decorate`.
  void get_with_children(const std::string& base, store::Repository& repo, std::vector<Embed> embeds,
                         Decorate decorate = {});
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
  /// Swarm campaigns: lifecycle, members, rules, objectives, feeds (routes/swarm.cpp).
  void swarm();
  /// Script templates and campaigns' call flows (routes/script_templates.cpp).
  void script_templates();
  /// Instruction templates (routes/instruction_templates.cpp).
  void instruction_templates();
  /// The {{variables}} of an agent's systemPrompt, greetingMessage and
  /// voicemailMessage (`body` over `stored`, the agent as stored or {} on
  /// create), against its instructionTemplateId's declared variables. Errors:
  /// 422 naming the field and the variable; 422 naming instructionTemplateId
  /// when it names no template the workspace may read.
  Result<void> check_agent_template_fields(const WorkspaceId& ws, const json& body, const json& stored);
  void jobs();
  /// The do-not-call list (routes/compliance.cpp).
  void compliance();
  /// The SMS and webhook outboxes, read-only (routes/compliance.cpp).
  void outboxes();
  void live();
  /// Metrics by period and compliance figures of a campaign or agent (routes/metrics.cpp).
  void metrics();
  void settings();
  /// Lead sources: CRUD, token, pushes and CRM pulls (routes/lead_sources.cpp).
  void lead_sources();
  HttpResponse push_leads(HttpRequest& req);
  HttpResponse upload(HttpRequest& req);
  HttpResponse place_call(HttpRequest& req);
  HttpResponse supervisor_action(HttpRequest& req);
  HttpResponse serve_file(const std::filesystem::path& path, std::string content_type, const HttpRequest& req);
  /// Workspaces, members, API keys, sign-in, tickets, the audit log (routes/access.cpp).
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
