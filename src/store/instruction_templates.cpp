#include "store/instruction_templates.hpp"

#include <algorithm>

#include "core/id.hpp"
#include "core/time.hpp"
#include "model/builtin_instruction_templates.hpp"
#include "model/schema.hpp"
#include "store/sql_args.hpp"

namespace voqo::store {
namespace {

using json = nlohmann::json;
using sql::Arg;
using sql::texts;

Error not_found(const std::string& id) { return Error::not_found("instruction template " + id + " not found"); }

}  // namespace

Result<TemplateVisibility> parse_template_visibility(std::string_view text) {
  if (text.empty() || text == "all") return TemplateVisibility::all;
  if (text == "own") return TemplateVisibility::own;
  if (text == "private") return TemplateVisibility::private_;
  if (text == "public") return TemplateVisibility::public_;
  if (text == "system") return TemplateVisibility::system;
  return std::unexpected(Error::invalid("visibility", "must be all, own, private, public or system"));
}

InstructionTemplateRepository::InstructionTemplateRepository(Database& db)
    : db_(db), templates_(db, model::instruction_template_spec()) {}

Result<std::optional<std::string>> InstructionTemplateRepository::readable_owner(Connection& c, const WorkspaceId& ws,
                                                                                const std::string& id) {
  auto owner = texts(c, "SELECT workspace_id FROM instruction_templates WHERE id = ?1 AND (workspace_id = ?2 OR is_public = 1)",
                     {id, ws.value});
  if (!owner) return std::unexpected(owner.error());
  if (owner->empty()) return std::optional<std::string>();
  return std::optional<std::string>(owner->front());
}

Result<Page> InstructionTemplateRepository::list(const WorkspaceId& ws, TemplateVisibility visibility,
                                                 const std::string& category, uint32_t limit, const std::string& cursor) {
  limit = std::clamp<uint32_t>(limit, 1, kMaxPageSize);
  std::string where;
  switch (visibility) {
    case TemplateVisibility::all: where = "(workspace_id = ?1 OR is_public = 1)"; break;
    case TemplateVisibility::own: where = "workspace_id = ?1"; break;
    case TemplateVisibility::private_: where = "workspace_id = ?1 AND is_public = 0 AND is_system = 0"; break;
    case TemplateVisibility::public_: where = "is_public = 1 AND ?1 IS NOT NULL"; break;
    case TemplateVisibility::system: where = "workspace_id = ?1 AND is_system = 1"; break;
  }
  std::vector<Arg> args{ws.value, category, int64_t{limit} + 1};
  std::string query = "SELECT id, workspace_id, created_at FROM instruction_templates WHERE " + where +
                      " AND (?2 = '' OR category = ?2)";
  if (!cursor.empty()) {
    auto at = decode_cursor(cursor);
    if (!at) return std::unexpected(at.error());
    query += " AND (created_at < ?4 OR (created_at = ?4 AND id < ?5))";
    args.push_back(at->first);
    args.push_back(at->second);
  }
  query += " ORDER BY created_at DESC, id DESC LIMIT ?3";
  return db_.read([&](Connection& c) -> Result<Page> {
    struct Row { std::string id, owner, created_at; };
    std::vector<Row> rows;
    auto r = sql::each(c, query, args, [&](const Statement& s) {
      rows.push_back({std::string(s.column_text(0)), std::string(s.column_text(1)), std::string(s.column_text(2))});
    });
    if (!r) return std::unexpected(r.error());
    Page page;
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
      auto row = templates_.get(c, WorkspaceId(rows[i].owner), rows[i].id);
      if (!row) return std::unexpected(row.error());
      page.items.push_back(std::move(*row));
    }
    if (rows.size() > limit) page.next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id);
    return page;
  });
}

Result<json> InstructionTemplateRepository::get(const WorkspaceId& ws, const std::string& id) {
  return db_.read([&](Connection& c) -> Result<json> {
    auto owner = readable_owner(c, ws, id);
    if (!owner) return std::unexpected(owner.error());
    if (!*owner) return std::unexpected(not_found(id));
    return templates_.get(c, WorkspaceId(**owner), id);
  });
}

Result<json> InstructionTemplateRepository::create(const WorkspaceId& ws, const json& body) {
  return templates_.create(ws, body);
}

Result<void> InstructionTemplateRepository::check_writable(const WorkspaceId& ws, const std::string& id) {
  auto system = db_.read([&](Connection& c) {
    return texts(c, "SELECT is_system FROM instruction_templates WHERE workspace_id = ? AND id = ?", {ws.value, id});
  });
  if (!system) return std::unexpected(system.error());
  if (system->empty()) return std::unexpected(not_found(id));
  if (system->front() == "1")
    return std::unexpected(Error::conflict("isSystem", "system templates are read-only; create a copy with POST to change it"));
  return {};
}

Result<json> InstructionTemplateRepository::update(const WorkspaceId& ws, const std::string& id, const json& patch) {
  if (auto ok = check_writable(ws, id); !ok) return std::unexpected(ok.error());
  return templates_.update(ws, id, patch);
}

Result<void> InstructionTemplateRepository::remove(const WorkspaceId& ws, const std::string& id) {
  if (auto ok = check_writable(ws, id); !ok) return ok;
  return db_.write([&](Connection& c) -> Result<void> {
    // Agents of this workspace that used it go back to their own systemPrompt;
    // another workspace's agents that used it (a public one) are not touched
    // here: at call time a template they can no longer read is skipped
    // (calls/engines.cpp logs it and the agent's systemPrompt is used).
    if (auto r = sql::run(c, "UPDATE agents SET instruction_template_id = NULL WHERE workspace_id = ? AND instruction_template_id = ?",
                          {ws.value, id});
        !r)
      return std::unexpected(r.error());
    if (auto r = sql::run(c, "DELETE FROM instruction_templates WHERE workspace_id = ? AND id = ?", {ws.value, id}); !r)
      return std::unexpected(r.error());
    return {};
  });
}

Result<void> InstructionTemplateRepository::record_use(const WorkspaceId& ws, const std::string& id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto r = sql::run(c,
                      "UPDATE instruction_templates SET usage_count = usage_count + 1 "
                      "WHERE id = ?1 AND (workspace_id = ?2 OR is_public = 1)",
                      {id, ws.value});
    if (!r) return std::unexpected(r.error());
    return {};
  });
}

Result<void> InstructionTemplateRepository::seed_builtins(Connection& c, const WorkspaceId& ws) {
  const std::string now = now_iso8601();
  for (const json& t : model::builtin_instruction_templates()) {
    auto have = texts(c, "SELECT id FROM instruction_templates WHERE workspace_id = ? AND is_system = 1 AND name = ?",
                      {ws.value, t["name"].get<std::string>()});
    if (!have) return std::unexpected(have.error());
    if (!have->empty()) continue;
    auto r = sql::run(c,
                      "INSERT INTO instruction_templates (id, workspace_id, name, content, variables, category, is_public, "
                      "is_system, usage_count, rating, created_at, updated_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 1, 0, NULL, ?7, ?7)",
                      {new_id(), ws.value, t["name"].get<std::string>(), t["content"].get<std::string>(),
                       t["variables"].dump(), t["category"].get<std::string>(), now});
    if (!r) return std::unexpected(r.error());
  }
  return {};
}

Result<void> InstructionTemplateRepository::seed_all_workspaces(Connection& c) {
  auto all = texts(c, "SELECT id FROM workspaces", {});
  if (!all) return std::unexpected(all.error());
  for (const auto& id : *all)
    if (auto r = seed_builtins(c, WorkspaceId(id)); !r) return r;
  return {};
}

}  // namespace voqo::store
