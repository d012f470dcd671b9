#include "store/script_templates.hpp"

#include <algorithm>
#include <set>
#include <variant>

#include "core/id.hpp"
#include "core/time.hpp"
#include "model/builtin_scripts.hpp"
#include "model/schema.hpp"
#include "model/validation.hpp"
#include "store/sql_args.hpp"

namespace voqo::store {
namespace {

using json = nlohmann::json;
using sql::Arg;
using sql::texts;

/// Runs a statement that returns no rows.
Result<void> run(Connection& c, std::string_view query, const std::vector<Arg>& args) {
  if (auto r = sql::run(c, query, args); !r) return std::unexpected(r.error());
  return {};
}

Error missing(const std::string& field, const std::string& message) {
  Error e = Error::not_found(message);
  if (!field.empty()) e.fields.push_back({field, "not found"});
  return e;
}

/// The fields a request may set (not read-only), copied from a stored record.
json writable_part(const model::EntitySpec& spec, const json& record) {
  json body = json::object();
  for (const auto& f : spec.fields) {
    if (f.has(model::kReadOnly)) continue;
    const std::string key(f.json);
    if (record.contains(key)) body[key] = record[key];
  }
  return body;
}

}  // namespace

ScriptTemplateRepository::ScriptTemplateRepository(Database& db)
    : db_(db), templates_(db, model::swarm_script_template_spec()), flows_(db, model::swarm_call_flow_spec()) {}

Result<json> ScriptTemplateRepository::create(const WorkspaceId& ws, const json& body) {
  auto values = model::validate_input(templates_.spec(), body, model::Mode::create);
  if (!values) return std::unexpected(values.error());
  return db_.write([&](Connection& c) -> Result<json> {
    auto row = templates_.insert(c, ws, std::move(*values));
    if (!row) return row;
    const std::string id = (*row)["id"];
    if (auto r = run(c, "UPDATE swarm_script_templates SET parent_id = id WHERE id = ?", {id}); !r)
      return std::unexpected(r.error());
    (*row)["parentId"] = id;
    return row;
  });
}

Result<json> ScriptTemplateRepository::new_version(const WorkspaceId& ws, const std::string& id, const json& changes) {
  if (auto checked = model::validate_input(templates_.spec(), changes, model::Mode::update); !checked)
    return std::unexpected(checked.error());
  return db_.write([&](Connection& c) -> Result<json> {
    auto source = templates_.get(c, ws, id);
    if (!source) return source;
    json body = writable_part(templates_.spec(), *source);
    for (auto it = changes.begin(); it != changes.end(); ++it) body[it.key()] = it.value();
    auto values = model::validate_input(templates_.spec(), body, model::Mode::create);
    if (!values) return std::unexpected(values.error());
    const std::string family = (*source)["parentId"].is_string() ? (*source)["parentId"].get<std::string>() : id;
    auto top = texts(c, "SELECT max(version) FROM swarm_script_templates WHERE workspace_id = ? AND parent_id = ?",
                     {ws.value, family});
    if (!top) return std::unexpected(top.error());
    const int64_t next = (top->empty() ? 0 : std::stoll(top->front().empty() ? "0" : top->front())) + 1;
    values->push_back({templates_.spec().by_column("parent_id"), family});
    values->push_back({templates_.spec().by_column("version"), next});
    return templates_.insert(c, ws, std::move(*values));
  });
}

Result<json> ScriptTemplateRepository::versions(const WorkspaceId& ws, const std::string& id) {
  return db_.read([&](Connection& c) -> Result<json> {
    auto source = templates_.get(c, ws, id);
    if (!source) return source;
    const std::string family = (*source)["parentId"].is_string() ? (*source)["parentId"].get<std::string>() : id;
    auto ids = texts(c, "SELECT id FROM swarm_script_templates WHERE workspace_id = ? AND parent_id = ? "
                        "ORDER BY version DESC, created_at DESC",
                     {ws.value, family});
    if (!ids) return std::unexpected(ids.error());
    json items = json::array();
    for (const auto& v : *ids) {
      auto row = templates_.get(c, ws, v);
      if (!row) return row;
      items.push_back(std::move(*row));
    }
    return items;
  });
}

Result<void> ScriptTemplateRepository::check_exists(const WorkspaceId& ws, const std::string& id, const std::string& field) {
  auto found = db_.read([&](Connection& c) {
    return texts(c, "SELECT id FROM swarm_script_templates WHERE workspace_id = ? AND id = ?", {ws.value, id});
  });
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::unexpected(missing(field, "script template " + id + " not found"));
  return {};
}

std::optional<int64_t> script_version_number(std::string_view v) {
  if (!v.empty() && (v.front() == 'v' || v.front() == 'V')) v.remove_prefix(1);
  if (v.empty() || v.size() > 6 || !std::ranges::all_of(v, [](char ch) { return ch >= '0' && ch <= '9'; })) return std::nullopt;
  const int64_t n = std::stoll(std::string(v));
  return n >= 1 ? std::optional(n) : std::nullopt;
}

Result<json> ScriptTemplateRepository::flow_for_call(const WorkspaceId& ws, const std::string& campaign_id,
                                                     const std::string& script_version) {
  const std::optional<int64_t> wanted = script_version_number(script_version);
  return db_.read([&](Connection& c) -> Result<json> {
    auto ids = texts(c, "SELECT id FROM swarm_call_flows WHERE workspace_id = ? AND campaign_id = ? "
                        "ORDER BY display_order, created_at, id",
                     {ws.value, campaign_id});
    if (!ids) return std::unexpected(ids.error());
    json steps = json::array();
    for (const auto& id : *ids) {
      auto step = flows_.get(c, ws, id);
      if (!step) return step;
      json tpl;
      if ((*step)["scriptTemplateId"].is_string()) {
        std::string id = (*step)["scriptTemplateId"];
        // A swarm agent's scriptVersion N picks version N of the step's template family, when there is one.
        if (wanted) {
          auto v = texts(c,
                         "SELECT t.id FROM swarm_script_templates t JOIN swarm_script_templates s ON s.id = ?2 "
                         "AND s.workspace_id = ?1 WHERE t.workspace_id = ?1 AND t.parent_id = s.parent_id AND t.version = ?3",
                         {ws.value, id, *wanted});
          if (!v) return std::unexpected(v.error());
          if (!v->empty()) id = v->front();
        }
        // Only a template of the same workspace, and only an active one.
        if (auto t = templates_.get(c, ws, id); t && t->value("isActive", true)) tpl = std::move(*t);
      }
      (*step)["scriptTemplate"] = std::move(tpl);
      steps.push_back(std::move(*step));
    }
    return steps;
  });
}

Result<void> ScriptTemplateRepository::seed_builtins(Connection& c, const WorkspaceId& ws) {
  const std::string now = now_iso8601();
  for (const json& t : model::builtin_script_templates()) {
    auto have = texts(c, "SELECT id FROM swarm_script_templates WHERE workspace_id = ? AND is_builtin = 1 AND name = ?",
                      {ws.value, t["name"].get<std::string>()});
    if (!have) return std::unexpected(have.error());
    if (!have->empty()) continue;
    const std::string id = new_id();
    if (auto r = run(c,
                     "INSERT INTO swarm_script_templates (id, workspace_id, name, category, version, parent_id, opening, "
                     "discovery_questions, value_proposition, objection_responses, closing, voicemail, variables, "
                     "is_active, is_builtin, usage_count, average_success_rate, created_at, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4, 1, ?1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, 1, 0, 0, ?12, ?12)",
                     {id, ws.value, t["name"].get<std::string>(), t["category"].get<std::string>(),
                      t["opening"].get<std::string>(), t["discoveryQuestions"].dump(),
                      t["valueProposition"].get<std::string>(), t["objectionResponses"].dump(),
                      t["closing"].get<std::string>(), t["voicemail"].get<std::string>(), t["variables"].dump(), now});
        !r)
      return r;
  }
  return {};
}

Result<void> ScriptTemplateRepository::seed_all_workspaces(Connection& c) {
  auto all = texts(c, "SELECT id FROM workspaces", {});
  if (!all) return std::unexpected(all.error());
  for (const auto& id : *all)
    if (auto r = seed_builtins(c, WorkspaceId(id)); !r) return r;
  return {};
}

Result<void> ScriptTemplateRepository::record_call(Connection& c, const CallFlowUse& use) {
  const std::string now = now_iso8601();
  const std::set<std::string> distinct(use.template_ids.begin(), use.template_ids.end());
  for (const auto& id : distinct) {
    // SET's right-hand sides all read the row as it was: a running mean over usage_count calls.
    if (auto r = run(c,
                     "UPDATE swarm_script_templates SET "
                     "average_success_rate = (average_success_rate * usage_count + ?1) / (usage_count + 1), "
                     "usage_count = usage_count + 1, updated_at = ?2 WHERE workspace_id = ?3 AND id = ?4",
                     {use.success ? 1.0 : 0.0, now, use.ws.value, id});
        !r)
      return r;
  }
  for (const auto& [phase, seconds] : use.phase_seconds) {
    if (auto r = run(c,
                     "UPDATE swarm_call_flows SET "
                     "average_duration_s = (average_duration_s * sample_count + ?1) / (sample_count + 1), "
                     "sample_count = sample_count + 1, updated_at = ?2 "
                     "WHERE workspace_id = ?3 AND campaign_id = ?4 AND phase = ?5",
                     {seconds, now, use.ws.value, use.campaign_id, phase});
        !r)
      return r;
  }
  return {};
}

}  // namespace voqo::store
