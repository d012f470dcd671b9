#include "store/agents.hpp"

#include "core/id.hpp"
#include "core/time.hpp"

namespace voqo::store {

bool is_configuration_field(const model::FieldSpec& f) {
  if (f.has(model::kReadOnly)) return false;
  static constexpr std::string_view kNot[] = {"name", "description", "enabled", "status", "elevenlabs_agent_id"};
  for (auto n : kNot)
    if (f.column == n) return false;
  return true;
}

namespace {
nlohmann::json snapshot(const nlohmann::json& agent) {
  nlohmann::json s = nlohmann::json::object();
  for (const auto& f : model::agent_spec().fields)
    if (is_configuration_field(f)) s[std::string(f.json)] = agent.value(std::string(f.json), nlohmann::json());
  return s;
}
}  // namespace

AgentRepository::AgentRepository(Database& db) : db_(db), agents_(db, model::agent_spec()) {}

Result<void> AgentRepository::write_version(Connection& c, const WorkspaceId& ws, const std::string& agent_id,
                                            const nlohmann::json& agent, const std::string& actor) {
  auto off = c.prepare("UPDATE agent_configurations SET is_active = 0 WHERE agent_id = ? AND is_active = 1");
  if (!off) return std::unexpected(off.error());
  (*off)->bind_text(1, agent_id);
  if (auto r = (*off)->step(); !r) return std::unexpected(r.error());
  auto st = c.prepare(
      "INSERT INTO agent_configurations (id, workspace_id, agent_id, version, configuration, created_at, is_active, "
      "created_by) VALUES (?, ?, ?, (SELECT coalesce(max(version), 0) + 1 FROM agent_configurations WHERE agent_id = ?), "
      "?, ?, 1, ?)");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, new_id());
  (*st)->bind_text(2, ws.value);
  (*st)->bind_text(3, agent_id);
  (*st)->bind_text(4, agent_id);
  (*st)->bind_text(5, snapshot(agent).dump());
  (*st)->bind_text(6, now_iso8601());
  (*st)->bind_text(7, actor);
  if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  return {};
}

Result<nlohmann::json> AgentRepository::create(const WorkspaceId& ws, const nlohmann::json& body,
                                               const std::string& actor) {
  auto values = model::validate_input(model::agent_spec(), body, model::Mode::create);
  if (!values) return std::unexpected(values.error());
  return db_.write([&](Connection& c) -> Result<nlohmann::json> {
    auto agent = agents_.insert(c, ws, std::move(*values));
    if (!agent) return agent;
    if (auto v = write_version(c, ws, (*agent)["id"].get<std::string>(), *agent, actor); !v)
      return std::unexpected(v.error());
    return agent;
  });
}

Result<nlohmann::json> AgentRepository::update(const WorkspaceId& ws, const std::string& id, const nlohmann::json& patch,
                                               const std::string& actor) {
  auto values = model::validate_input(model::agent_spec(), patch, model::Mode::update);
  if (!values) {
    if (auto found = agents_.get(ws, id); !found) return std::unexpected(found.error());  // 404 before 422
    return std::unexpected(values.error());
  }
  return db_.write([&](Connection& c) -> Result<nlohmann::json> {
    auto before = agents_.get(c, ws, id);
    if (!before) return before;
    auto after = agents_.apply(c, ws, id, *values);
    if (!after) return after;
    if (snapshot(*before) != snapshot(*after))
      if (auto v = write_version(c, ws, id, *after, actor); !v) return std::unexpected(v.error());
    return after;
  });
}

Result<nlohmann::json> AgentRepository::configurations(const WorkspaceId& ws, const std::string& agent_id) {
  return db_.read([&](Connection& c) -> Result<nlohmann::json> {
    if (auto agent = agents_.get(c, ws, agent_id); !agent) return std::unexpected(agent.error());
    auto st = c.prepare(
        "SELECT id, agent_id, version, configuration, created_at, is_active, workspace_id, created_by "
        "FROM agent_configurations WHERE agent_id = ? ORDER BY version DESC");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, agent_id);
    nlohmann::json items = nlohmann::json::array();
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      items.push_back({{"id", (*st)->column_text(0)},
                       {"agentId", (*st)->column_text(1)},
                       {"version", (*st)->column_int(2)},
                       {"configuration", nlohmann::json::parse((*st)->column_text(3), nullptr, false)},
                       {"createdAt", (*st)->column_text(4)},
                       {"isActive", (*st)->column_int(5) != 0},
                       {"workspaceId", (*st)->column_text(6)},
                       {"createdBy", (*st)->is_null(7) ? nlohmann::json() : nlohmann::json((*st)->column_text(7))}});
    }
    return items;
  });
}

Result<nlohmann::json> AgentRepository::activate(const WorkspaceId& ws, const std::string& agent_id, int64_t version,
                                                 const std::string& actor) {
  return db_.write([&](Connection& c) -> Result<nlohmann::json> {
    if (auto agent = agents_.get(c, ws, agent_id); !agent) return agent;
    auto st = c.prepare("SELECT configuration FROM agent_configurations WHERE agent_id = ? AND version = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, agent_id);
    (*st)->bind_int(2, version);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
      return std::unexpected(Error::not_found("agent " + agent_id + " has no configuration version " +
                                              std::to_string(version)));
    const auto config = nlohmann::json::parse((*st)->column_text(0), nullptr, false);
    (*st)->reset();
    // The snapshot passed validation when it was written; validate again in
    // case the rules have since tightened, and apply it as one update.
    nlohmann::json patch = nlohmann::json::object();
    for (const auto& [k, v] : config.items())
      if (const auto* f = model::agent_spec().by_json(k); f && is_configuration_field(*f)) patch[k] = v;
    auto values = model::validate_input(model::agent_spec(), patch, model::Mode::update);
    if (!values) return std::unexpected(values.error());
    auto agent = agents_.apply(c, ws, agent_id, *values);
    if (!agent) return agent;
    (void)actor;  // a rollback activates an existing version: its author stays the one who wrote it
    auto flip = c.prepare("UPDATE agent_configurations SET is_active = CASE WHEN version = ? THEN 1 ELSE 0 END "
                          "WHERE agent_id = ?");
    if (!flip) return std::unexpected(flip.error());
    (*flip)->bind_int(1, version);
    (*flip)->bind_text(2, agent_id);
    if (auto r = (*flip)->step(); !r) return std::unexpected(r.error());
    return agent;
  });
}

Result<model::AgentConfig> AgentRepository::config(const WorkspaceId& ws, const std::string& id) {
  auto row = agents_.get(ws, id);
  if (!row) return std::unexpected(row.error());
  return model::agent_config_from_json(*row);
}

Result<model::AgentConfig> AgentRepository::config(Connection& c, const WorkspaceId& ws, const std::string& id) {
  auto row = agents_.get(c, ws, id);
  if (!row) return std::unexpected(row.error());
  return model::agent_config_from_json(*row);
}

Result<std::vector<model::CustomFunctionConfig>> enabled_functions(Repository& functions, const WorkspaceId& ws,
                                                                   const std::string& agent_id) {
  ListQuery q;
  q.limit = kMaxPageSize;
  q.conditions.push_back({Condition::Op::equals, {"agent_id"}, agent_id});
  auto page = functions.list(ws, q);
  if (!page) return std::unexpected(page.error());
  std::vector<model::CustomFunctionConfig> out;
  for (const auto& row : page->items) {
    auto f = model::custom_function_from_json(row);
    if (!f) return std::unexpected(f.error());
    if (!f->enabled) continue;
    // The list shows headers masked and never authConfig: read both in clear, for this call only.
    if (auto headers = functions.read_secret(ws, f->id, "headers"); headers && *headers && (*headers)->is_object())
      f->headers = **headers;
    if (auto secret = functions.read_secret(ws, f->id, "auth_config"); secret && *secret && (*secret)->is_object())
      f->auth_config = **secret;
    out.push_back(std::move(*f));
  }
  return out;
}

Result<int64_t> AgentRepository::count(const WorkspaceId& ws) {
  return db_.read([&](Connection& c) -> Result<int64_t> {
    auto st = c.prepare("SELECT count(*) FROM agents WHERE workspace_id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    return (*st)->column_int(0);
  });
}

}  // namespace voqo::store
