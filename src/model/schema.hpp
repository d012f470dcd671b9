#pragma once
/// Entity descriptions: one EntitySpec per table of the data model, listing
/// every column with its camelCase JSON name, type and validation rules. The
/// generic repository (store/repository.hpp), the JSON mapping, request
/// validation (model/validation.hpp) and the OpenAPI document
/// (api/openapi.cpp) are all driven by these specs (defined in entities.cpp), so the four cannot drift
/// apart. Source of names, types and ranges: the data-model specification as
/// summarised in issue 2, and the agent-creation specification for agents.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace voqo::model {

/// How a column is stored (SQLite affinity) and shown in JSON.
enum class FieldType {
  text,        ///< TEXT ↔ JSON string
  integer,     ///< INTEGER ↔ JSON integer
  real,        ///< REAL ↔ JSON number
  boolean,     ///< INTEGER 0/1 ↔ JSON true/false
  timestamp,   ///< TEXT ISO-8601 UTC ↔ JSON string (RFC 3339)
  json_array,  ///< TEXT holding JSON ↔ JSON array
  json_object, ///< TEXT holding JSON ↔ JSON object
  json_any,    ///< TEXT holding JSON ↔ any JSON value
};

/// Extra format rules on text fields.
enum class Format {
  none,
  http_url,    ///< absolute http(s) URL (RFC 3986)
  e164,        ///< phone number; normalised to E.164 (ITU-T E.164) on write
  bcp47,       ///< language tag such as "en-US" (RFC 5646, shape check)
  agent_name,  ///< letters, digits, spaces, '-' and '_'
  identifier,  ///< letters, digits, '_' and '-' (LLM tool names)
  region,      ///< ISO 3166-1 alpha-2 region known to libphonenumber
};

/// Bit flags on a field.
enum FieldFlag : uint32_t {
  kRequired = 1u << 0,   ///< must be present (and not null) on create
  kReadOnly = 1u << 1,   ///< set by the server; rejected in request bodies
  kWriteOnly = 1u << 2,  ///< accepted in requests, never returned (secrets)
  kNullable = 1u << 3,   ///< null is a valid value
  kFilter = 1u << 4,     ///< list endpoint accepts `?<jsonName>=` on it (indexed column)
  kImmutable = 1u << 5,  ///< may be set on create only
  kEncrypted = 1u << 6,  ///< stored sealed with core/secret_box
  kUnique = 1u << 7,     ///< unique column: a clash is a 409 naming the field
  kParent = 1u << 8,     ///< foreign key taken from the URL (e.g. agentId of a function)
};

struct FieldSpec {
  std::string_view column;  ///< snake_case column name
  std::string_view json;    ///< camelCase JSON name
  FieldType type = FieldType::text;
  uint32_t flags = 0;
  std::string_view description;
  Format format = Format::none;
  std::optional<double> min;       ///< numeric minimum (inclusive)
  std::optional<double> max;       ///< numeric maximum (inclusive)
  uint32_t min_length = 0;         ///< text: minimum characters
  uint32_t max_length = 0;         ///< text: maximum characters (0 = 1 MiB cap)
  std::vector<std::string_view> enum_values;  ///< allowed values, if any
  std::string_view default_json;   ///< JSON text of the default on create ("" = none)

  [[nodiscard]] bool has(FieldFlag f) const { return (flags & f) != 0; }
};

struct EntitySpec {
  std::string_view table;     ///< e.g. "agents"
  std::string_view name;      ///< singular, e.g. "agent" (titles, errors)
  std::string_view schema;    ///< OpenAPI schema name, e.g. "Agent"
  std::vector<FieldSpec> fields;  ///< first field is always `id`

  [[nodiscard]] const FieldSpec* by_json(std::string_view json_name) const;
  [[nodiscard]] const FieldSpec* by_column(std::string_view column) const;
  [[nodiscard]] bool has_column(std::string_view column) const { return by_column(column) != nullptr; }
};

/// The specs of the data model's tables.
const EntitySpec& agent_spec();
const EntitySpec& contact_spec();
const EntitySpec& memory_spec();
const EntitySpec& call_spec();
const EntitySpec& campaign_spec();
const EntitySpec& upload_spec();
const EntitySpec& batch_contact_spec();
const EntitySpec& upload_rejection_spec();
const EntitySpec& job_spec();
const EntitySpec& job_call_spec();
const EntitySpec& custom_function_spec();
const EntitySpec& setting_spec();
const EntitySpec& agent_configuration_spec();
/// Issue 4: the dialer's audit log, the do-not-call list, the SMS and webhook outboxes.
const EntitySpec& job_event_spec();
const EntitySpec& do_not_call_spec();
const EntitySpec& sms_message_spec();
const EntitySpec& webhook_event_spec();
/// Swarm campaigns (issue 18): members, autoscaling rules, objectives,
/// activity log and recent-calls feed (the swarm specification's tables).
const EntitySpec& swarm_agent_spec();
const EntitySpec& swarm_autoscaling_rule_spec();
const EntitySpec& swarm_objective_spec();
const EntitySpec& swarm_activity_log_spec();
const EntitySpec& swarm_recent_call_spec();
/// Issue 18 §7: lead sources (swarm_lead_sources).
const EntitySpec& lead_source_spec();
/// Issue 18 §5: script templates (versioned families) and a campaign's call-flow steps.
const EntitySpec& swarm_script_template_spec();
/// instruction_templates (issue 19 §2; store/instruction_templates.hpp).
const EntitySpec& instruction_template_spec();
const EntitySpec& swarm_call_flow_spec();
/// Issue 18 §6: a campaign's configuration (overrides of its agents' settings) and escalation.
const EntitySpec& swarm_configuration_spec();

/// Every spec, in dependency order (parents before children).
std::span<const EntitySpec* const> all_specs();

/// Name of a FieldType as an OpenAPI/JSON-Schema type ("string", ...).
std::string_view json_schema_type(FieldType type);

}  // namespace voqo::model
