#include "api/openapi.hpp"

#include "access/roles.hpp"
#include "api/permissions.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "store/settings.hpp"

namespace voqo::api {
namespace {

using nlohmann::json;

constexpr const char* kSchemaPrefix = "#/components/schemas/";

json schema_ref(std::string_view name) { return json{{"$ref", kSchemaPrefix + std::string(name)}}; }

json field_schema(const model::FieldSpec& f) {
  json s = json::object();
  const auto type = model::json_schema_type(f.type);
  if (!type.empty()) s["type"] = f.has(model::kNullable) ? json::array({type, "null"}) : json(type);
  if (f.type == model::FieldType::timestamp) s["format"] = "date-time";
  if (f.format == model::Format::http_url) s["format"] = "uri";
  if (f.format == model::Format::e164) s["description"] = "Phone number; stored as E.164.";
  // The shape checks of model/validation.cpp, as ECMA-262 patterns clients can apply.
  if (f.format == model::Format::agent_name) s["pattern"] = "^[A-Za-z0-9_ -]*[A-Za-z0-9_-][A-Za-z0-9_ -]*$";
  if (f.format == model::Format::identifier) s["pattern"] = "^[A-Za-z0-9_-]+$";
  if (f.format == model::Format::bcp47) s["pattern"] = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";
  if (!f.description.empty()) s["description"] = f.description;
  if (f.min) s["minimum"] = *f.min;
  if (f.max) s["maximum"] = *f.max;
  if (f.max_length) s["maxLength"] = f.max_length;
  if (f.min_length) s["minLength"] = f.min_length;
  if (!f.enum_values.empty()) {
    json values = json::array();
    for (auto v : f.enum_values) values.push_back(v);
    if (f.has(model::kNullable)) values.push_back(nullptr);
    s["enum"] = values;
  }
  if (!f.default_json.empty()) s["default"] = json::parse(f.default_json);
  if (f.has(model::kReadOnly)) s["readOnly"] = true;
  if (f.has(model::kWriteOnly)) s["writeOnly"] = true;
  if (f.type == model::FieldType::json_array && f.json == "tags") s["items"] = {{"type", "string"}};
  if (s.contains("format") && f.has(model::kNullable)) {
    // `format` on a nullable type: written as anyOf so that validators which
    // apply formats to null (valijson does) read it as intended.
    json value = {{"type", s["type"][0]}, {"format", s["format"]}};
    s.erase("format");
    s.erase("type");
    s["anyOf"] = json::array({value, {{"type", "null"}}});
  }
  return s;
}

json page_schema(std::string_view item) {
  return json{{"type", "object"},
              {"required", {"items", "nextCursor"}},
              {"properties",
               {{"items", {{"type", "array"}, {"items", schema_ref(item)}}},
                {"nextCursor", {{"type", {"string", "null"}}, {"description", "Pass as ?cursor= for the next page."}}}}}};
}

json with_props(json base, json props, json required = json::array()) {
  return json{{"allOf", json::array({std::move(base), {{"type", "object"}, {"properties", std::move(props)},
                                                       {"required", std::move(required)}}})}};
}

/// What one operation says beyond its path: summary, request and response.
struct OperationDoc {
  std::string id;        ///< operationId: camelCase verb + resource (listAgents, getAgent, createAgent, ...)
  std::string summary;
  std::string tag;
  std::string request;   ///< component schema of the JSON body, "" = none; "csv" = CSV upload
  int status = 200;      ///< success status
  std::string response;  ///< component schema of the success body, "" = none (204)
  std::vector<std::string> query;  ///< extra query parameters beyond the spec's filters
  const model::EntitySpec* filters = nullptr;  ///< list: filterable fields become query parameters
  std::string media_type = "application/json";  ///< of the success body; audio/wav bodies also answer 206 ranges
  bool needs_telephony = false;  ///< answers 503 when the server runs without SIP (voqo serve --no-sip)
  bool upsert = false;  ///< creates what does not exist yet: 201 with the same body besides `status`
};

const std::map<std::string, OperationDoc>& operations() {
  using namespace model;
  static const std::map<std::string, OperationDoc> ops = {
      {"GET /api/health", {"getHealth", "Liveness and database check", "system", "", 200, "Health"}},
      {"GET /api/openapi.json", {"getOpenApiDocument", "This document", "system", "", 200, "OpenApiDocument"}},

      {"GET /api/agents", {"listAgents", "List agents", "agents", "", 200, "AgentPage", {}, &agent_spec()}},
      {"POST /api/agents", {"createAgent", "Create an agent (configuration version 1)", "agents", "AgentCreate", 201, "Agent"}},
      {"GET /api/agents/{id}", {"getAgent", "Get an agent", "agents", "", 200, "Agent"}},
      {"PATCH /api/agents/{id}", {"updateAgent", "Update an agent (new configuration version when prompt, voice or behaviour change)", "agents", "AgentUpdate", 200, "Agent"}},
      {"DELETE /api/agents/{id}", {"deleteAgent", "Delete an agent without calls or jobs", "agents", "", 204, ""}},
      {"GET /api/agents/{id}/configurations", {"listAgentConfigurations", "List an agent's configuration versions, newest first", "agents", "", 200, "AgentConfigurationPage"}},
      {"POST /api/agents/{id}/configurations/{version}/activate", {"activateAgentConfiguration", "Roll back to a configuration version", "agents", "", 200, "Agent"}},
      {"GET /api/agents/{id}/functions", {"listCustomFunctions", "List an agent's custom functions", "custom functions", "", 200, "CustomFunctionPage", {}, &custom_function_spec()}},
      {"POST /api/agents/{id}/functions", {"createCustomFunction", "Create a custom function", "custom functions", "CustomFunctionCreate", 201, "CustomFunction"}},
      {"GET /api/agents/{id}/functions/{functionId}", {"getCustomFunction", "Get a custom function (authConfig is never returned)", "custom functions", "", 200, "CustomFunction"}},
      {"PATCH /api/agents/{id}/functions/{functionId}", {"updateCustomFunction", "Update a custom function", "custom functions", "CustomFunctionUpdate", 200, "CustomFunction"}},
      {"DELETE /api/agents/{id}/functions/{functionId}", {"deleteCustomFunction", "Delete a custom function", "custom functions", "", 204, ""}},

      {"GET /api/contacts", {"listContacts", "List contacts", "contacts", "", 200, "ContactPage", {}, &contact_spec()}},
      {"POST /api/contacts", {"createContact", "Create a contact", "contacts", "ContactCreate", 201, "Contact"}},
      {"GET /api/contacts/{id}", {"getContact", "Get a contact with its newest memories", "contacts", "", 200, "ContactWithMemories"}},
      {"PATCH /api/contacts/{id}", {"updateContact", "Update a contact", "contacts", "ContactUpdate", 200, "Contact"}},
      {"DELETE /api/contacts/{id}", {"deleteContact", "Delete a contact and its memories", "contacts", "", 204, ""}},
      {"GET /api/contacts/{id}/memories", {"listMemories", "List a contact's memories", "contacts", "", 200, "MemoryPage", {}, &memory_spec()}},
      {"POST /api/contacts/{id}/memories", {"createMemory", "Add a memory", "contacts", "MemoryCreate", 201, "Memory"}},
      {"GET /api/contacts/{id}/memories/{memoryId}", {"getMemory", "Get a memory", "contacts", "", 200, "Memory"}},
      {"PATCH /api/contacts/{id}/memories/{memoryId}", {"updateMemory", "Update a memory", "contacts", "MemoryUpdate", 200, "Memory"}},
      {"DELETE /api/contacts/{id}/memories/{memoryId}", {"deleteMemory", "Delete a memory", "contacts", "", 204, ""}},

      {"GET /api/calls", {"listCalls", "List calls (filter by agent, contact, phone, status, date range)", "calls", "", 200, "CallPage", {"phone", "from", "to"}, &call_spec()}},
      {"GET /api/calls/{id}", {"getCall", "Get a call", "calls", "", 200, "Call"}},
      {"POST /api/calls", {"placeCall", "Place an outbound call now (asynchronous: the record appears when it ends)", "calls", "CallRequest", 202,
                           "CallPlaced", {}, nullptr, "application/json", true}},
      {"GET /api/calls/{id}/recording", {"getCallRecording", "The call's stereo WAV recording (left caller, right agent); HTTP range requests (RFC 9110 §14)",
                                         "calls", "", 200, "Recording", {}, nullptr, "audio/wav"}},

      {"GET /api/campaigns", {"listCampaigns", "List campaigns", "campaigns", "", 200, "CampaignPage", {}, &campaign_spec()}},
      {"POST /api/campaigns", {"createCampaign", "Create a campaign", "campaigns", "CampaignCreate", 201, "Campaign"}},
      {"GET /api/campaigns/{id}/export.csv", {"exportCampaign", "CSV export (RFC 4180): ?type=calls (default; the campaign's calls, newest first, at most 100,000) or ?type=metrics with period, from and to", "swarm", "", 200, "CsvExport", {"type", "period", "from", "to"}, nullptr, "text/csv"}},
      {"GET /api/campaigns/{id}/metrics", {"getCampaignMetrics", "The campaign's metrics by hourly, daily, weekly or monthly period in its time zone (periodStart in [from, to); at most 5,000 periods, the newest), "
                                           "peak hours and best days in the callee's local time, and the compliance figures (abandon rate, ring time; docs/ANALYTICS.md)",
                                           "metrics", "", 200, "Metrics", {"period", "from", "to"}}},
      {"GET /api/agents/{id}/metrics", {"getAgentMetrics", "The voice agent's metrics by period (UTC), peak hours, best days and compliance figures, as for a campaign",
                                        "metrics", "", 200, "Metrics", {"period", "from", "to"}}},
      {"GET /api/campaigns/{id}", {"getCampaign", "Get a campaign", "campaigns", "", 200, "Campaign"}},
      {"PATCH /api/campaigns/{id}", {"updateCampaign", "Update a campaign", "campaigns", "CampaignUpdate", 200, "Campaign"}},
      {"DELETE /api/campaigns/{id}", {"deleteCampaign", "Delete a campaign that is not running, with its uploads and jobs", "campaigns", "", 204, ""}},
      {"POST /api/campaigns/{id}/uploads", {"importCampaignContacts", "Import a CSV of contacts (text/csv or multipart/form-data)", "uploads", "csv", 201, "ImportReport", {"region", "filename"}}},
      {"GET /api/campaigns/{id}/uploads", {"listCampaignUploads", "List a campaign's uploads", "uploads", "", 200, "UploadPage", {}, &upload_spec()}},
      // Swarm campaigns (issue 18).
      {"POST /api/campaigns/{id}/start", {"startCampaign", "Start a scheduled campaign (its job over all its leads) or resume a paused one; 422 names agents or leads when it has none", "swarm", "", 200, "Campaign", {}, nullptr, "application/json", true}},
      {"POST /api/campaigns/{id}/pause", {"pauseCampaign", "Pause a campaign: no new calls; calls in progress finish", "swarm", "", 200, "Campaign", {}, nullptr, "application/json", true}},
      {"POST /api/campaigns/{id}/resume", {"resumeCampaign", "Resume a paused campaign", "swarm", "", 200, "Campaign", {}, nullptr, "application/json", true}},
      {"POST /api/campaigns/{id}/stop", {"stopCampaign", "Stop a campaign for good: pending leads are not called; its agents go offline", "swarm", "", 200, "Campaign", {}, nullptr, "application/json", true}},
      {"GET /api/campaigns/{id}/agents", {"listSwarmAgents", "List the campaign's swarm agents", "swarm", "", 200, "SwarmAgentPage", {}, &swarm_agent_spec()}},
      {"POST /api/campaigns/{id}/agents", {"createSwarmAgent", "Add a swarm agent built from a voice agent and a variant (voice, personality, script version); agentId = its id", "swarm", "SwarmAgentCreate", 201, "SwarmAgent"}},
      {"GET /api/campaigns/{id}/agents/{agentId}", {"getSwarmAgent", "Get a swarm agent with its totals", "swarm", "", 200, "SwarmAgent"}},
      {"PATCH /api/campaigns/{id}/agents/{agentId}", {"updateSwarmAgent", "Rename, change the variant, or set status paused / active", "swarm", "SwarmAgentUpdate", 200, "SwarmAgent"}},
      {"DELETE /api/campaigns/{id}/agents/{agentId}", {"deleteSwarmAgent", "Remove a swarm agent that holds no call", "swarm", "", 204, ""}},
      {"GET /api/campaigns/{id}/autoscaling-rules", {"listAutoscalingRules", "List the campaign's autoscaling rules", "swarm", "", 200, "AutoscalingRulePage", {}, &swarm_autoscaling_rule_spec()}},
      {"POST /api/campaigns/{id}/autoscaling-rules", {"createAutoscalingRule", "Add an autoscaling rule (evaluated every 10 s by priority)", "swarm", "AutoscalingRuleCreate", 201, "AutoscalingRule"}},
      {"GET /api/campaigns/{id}/autoscaling-rules/{ruleId}", {"getAutoscalingRule", "Get an autoscaling rule", "swarm", "", 200, "AutoscalingRule"}},
      {"PATCH /api/campaigns/{id}/autoscaling-rules/{ruleId}", {"updateAutoscalingRule", "Update an autoscaling rule", "swarm", "AutoscalingRuleUpdate", 200, "AutoscalingRule"}},
      {"DELETE /api/campaigns/{id}/autoscaling-rules/{ruleId}", {"deleteAutoscalingRule", "Delete an autoscaling rule", "swarm", "", 204, ""}},
      // Script templates and call flows (issue 18 §5).
      {"GET /api/script-templates", {"listScriptTemplates", "List script templates (every version; the built-ins are rows, isBuiltin true)", "swarm", "", 200, "ScriptTemplatePage", {}, &swarm_script_template_spec()}},
      {"POST /api/script-templates", {"createScriptTemplate", "Create a script template (version 1 of a new family)", "swarm", "ScriptTemplateCreate", 201, "ScriptTemplate"}},
      {"GET /api/script-templates/{id}", {"getScriptTemplate", "Get a script template with its usage figures", "swarm", "", 200, "ScriptTemplate"}},
      {"PATCH /api/script-templates/{id}", {"updateScriptTemplate", "Edit a template version in place (built-ins too); POST .../versions keeps the old one", "swarm", "ScriptTemplateUpdate", 200, "ScriptTemplate"}},
      {"DELETE /api/script-templates/{id}", {"deleteScriptTemplate", "Delete a template version (call-flow steps using it fall back to their fallbackScript)", "swarm", "", 204, ""}},
      {"GET /api/script-templates/{id}/versions", {"listScriptTemplateVersions", "All versions of the template's family, newest first", "swarm", "", 200, "ScriptTemplatePage"}},
      {"POST /api/script-templates/{id}/versions", {"createScriptTemplateVersion", "A new version copied from this one with the body's changes; the old one stays", "swarm", "ScriptTemplateUpdate", 201, "ScriptTemplate"}},
      // Instruction templates (issue 19 §2).
      {"GET /api/instruction-templates", {"listInstructionTemplates", "List the instruction templates this workspace may use: its own (system ones included) and other workspaces' public ones; ?visibility=all|own|private|public|system, ?category=", "agents", "", 200, "InstructionTemplatePage", {"limit", "cursor", "category", "visibility"}}},
      {"POST /api/instruction-templates", {"createInstructionTemplate", "Create an instruction template; an unknown, malformed or undeclared {{variable}} in content, or a default of the wrong type, is 422 naming the field", "agents", "InstructionTemplateCreate", 201, "InstructionTemplate"}},
      {"GET /api/instruction-templates/{id}", {"getInstructionTemplate", "Get an instruction template (own, or another workspace's public one)", "agents", "", 200, "InstructionTemplate"}},
      {"PATCH /api/instruction-templates/{id}", {"updateInstructionTemplate", "Edit an own template (system templates are read-only: 409; another workspace's: 404)", "agents", "InstructionTemplateUpdate", 200, "InstructionTemplate"}},
      {"DELETE /api/instruction-templates/{id}", {"deleteInstructionTemplate", "Delete an own template (agents using it go back to their systemPrompt)", "agents", "", 204, ""}},
      {"GET /api/campaigns/{id}/call-flow", {"listCallFlowSteps", "The campaign's call-flow steps", "swarm", "", 200, "CallFlowStepPage", {}, &swarm_call_flow_spec()}},
      {"POST /api/campaigns/{id}/call-flow", {"createCallFlowStep", "Add a call-flow step (phase unique in the campaign)", "swarm", "CallFlowStepCreate", 201, "CallFlowStep"}},
      {"GET /api/campaigns/{id}/call-flow/{stepId}", {"getCallFlowStep", "Get a call-flow step with its measured average duration", "swarm", "", 200, "CallFlowStep"}},
      {"PATCH /api/campaigns/{id}/call-flow/{stepId}", {"updateCallFlowStep", "Update a call-flow step", "swarm", "CallFlowStepUpdate", 200, "CallFlowStep"}},
      {"DELETE /api/campaigns/{id}/call-flow/{stepId}", {"deleteCallFlowStep", "Delete a call-flow step", "swarm", "", 204, ""}},
      {"GET /api/campaigns/{id}/objectives", {"listObjectives", "List the campaign's objectives", "swarm", "", 200, "ObjectivePage", {}, &swarm_objective_spec()}},
      {"POST /api/campaigns/{id}/objectives", {"createObjective", "Add an objective (unit calls, connects, appointments, conversions or an outcome name)", "swarm", "ObjectiveCreate", 201, "Objective"}},
      {"GET /api/campaigns/{id}/objectives/{objectiveId}", {"getObjective", "Get an objective and its progress", "swarm", "", 200, "Objective"}},
      {"PATCH /api/campaigns/{id}/objectives/{objectiveId}", {"updateObjective", "Update an objective", "swarm", "ObjectiveUpdate", 200, "Objective"}},
      {"DELETE /api/campaigns/{id}/objectives/{objectiveId}", {"deleteObjective", "Delete an objective", "swarm", "", 204, ""}},
      {"GET /api/campaigns/{id}/recent-calls", {"listCampaignRecentCalls", "The campaign's recent calls, newest first (prospect, company, outcome, duration, notes, next action)", "swarm", "", 200, "SwarmRecentCallPage", {}, &swarm_recent_call_spec()}},
      {"GET /api/campaigns/{id}/configurations", {"listSwarmConfigurations", "The campaign's configuration as a page of at most one item (empty, not 404, when it has none)", "swarm", "", 200, "SwarmConfigurationPage", {}, &swarm_configuration_spec()}},
      {"GET /api/campaigns/{id}/configuration", {"getSwarmConfiguration", "The campaign's configuration: overrides of its agents' settings, escalation triggers, auto-transfer, alerts and quality check (404 when it has none)", "swarm", "", 200, "SwarmConfiguration"}},
      {"PUT /api/campaigns/{id}/configuration", {"putSwarmConfiguration", "Create the campaign's configuration (201; absent fields take their defaults) or change the fields given (200)", "swarm", "SwarmConfigurationUpdate", 200, "SwarmConfiguration", {}, nullptr, "application/json", false, true}},
      {"PATCH /api/campaigns/{id}/configuration", {"updateSwarmConfiguration", "Change fields of the campaign's configuration (created when it has none)", "swarm", "SwarmConfigurationUpdate", 200, "SwarmConfiguration", {}, nullptr, "application/json", false, true}},
      {"DELETE /api/campaigns/{id}/configuration", {"deleteSwarmConfiguration", "Remove the campaign's configuration: its agents' own settings apply again", "swarm", "", 204, ""}},
      {"GET /api/campaigns/{id}/activity", {"listCampaignActivity", "The campaign's activity log, newest first (auto_scaled, objective_completed, calls, state changes)", "swarm", "", 200, "SwarmActivityPage", {}, &swarm_activity_log_spec()}},

      {"GET /api/uploads", {"listUploads", "List uploads", "uploads", "", 200, "UploadPage", {}, &upload_spec()}},
      {"GET /api/uploads/{id}", {"getUpload", "Get an upload with its first batch contacts and rejections", "uploads", "", 200, "UploadWithRows"}},
      {"DELETE /api/uploads/{id}", {"deleteUpload", "Delete an upload and its batch contacts", "uploads", "", 204, ""}},
      {"GET /api/uploads/{id}/contacts", {"listBatchContacts", "List an upload's batch contacts in file order", "uploads", "", 200, "BatchContactPage", {}, &batch_contact_spec()}},
      {"GET /api/uploads/{id}/rejections", {"listUploadRejections", "List an upload's rejected rows and warnings in file order", "uploads", "", 200, "UploadRejectionPage", {}, &upload_rejection_spec()}},

      {"GET /api/jobs", {"listJobs", "List jobs", "jobs", "", 200, "JobPage", {}, &job_spec()}},
      {"POST /api/jobs", {"createJob", "Create a job (one pending job call per batch contact)", "jobs", "JobCreate", 201, "Job"}},
      {"GET /api/jobs/{id}", {"getJob", "Get a job with its first job calls", "jobs", "", 200, "JobWithCalls"}},
      {"DELETE /api/jobs/{id}", {"deleteJob", "Delete a job that is not running", "jobs", "", 204, ""}},
      {"GET /api/jobs/{id}/calls", {"listJobCalls", "List a job's calls", "jobs", "", 200, "JobCallPage", {}, &job_call_spec()}},
      {"GET /api/jobs/{id}/events", {"listJobEvents", "The job's audit log: every dial decision with its reason", "jobs", "", 200, "JobEventPage", {}, &job_event_spec()}},
      {"POST /api/jobs/{id}/pause", {"pauseJob", "Pause a job: no new calls, calls in progress finish", "jobs", "", 200, "Job", {}, nullptr, "application/json", true}},
      {"POST /api/jobs/{id}/resume", {"resumeJob", "Resume a paused job", "jobs", "", 200, "Job", {}, nullptr, "application/json", true}},
      {"POST /api/jobs/{id}/cancel", {"cancelJob", "Cancel a job: no new calls or retries; pending job calls fail with \"cancelled\"", "jobs", "", 200, "Job", {}, nullptr, "application/json", true}},

      // Issue 18 §7: lead sources.
      {"GET /api/lead-sources", {"listLeadSources", "List lead sources (filter by campaign, source type, active)", "lead sources", "", 200, "LeadSourcePage", {}, &lead_source_spec()}},
      {"POST /api/lead-sources", {"createLeadSource", "Create a lead source; an api_webhook source's token is in `apiToken`, shown this once", "lead sources", "LeadSourceCreate", 201, "LeadSourceCreated"}},
      {"GET /api/lead-sources/{id}", {"getLeadSource", "Get a lead source (its token is never returned)", "lead sources", "", 200, "LeadSource"}},
      {"PATCH /api/lead-sources/{id}", {"updateLeadSource", "Update a lead source (a new crmConfig.url needs crmHeaders again)", "lead sources", "LeadSourceUpdate", 200, "LeadSource"}},
      {"DELETE /api/lead-sources/{id}", {"deleteLeadSource", "Delete a lead source (its leads stay, without their source)", "lead sources", "", 204, ""}},
      {"POST /api/lead-sources/{id}/rotate-token", {"rotateLeadSourceToken", "A new token for an api_webhook source (the old one stops working); shown this once", "lead sources", "", 200, "LeadSourceToken"}},
      {"POST /api/lead-sources/{id}/leads", {"pushLeads", "Add leads to the source's campaign: a JSON array of objects (or one object), or a CSV; the source's field "
                                             "mapping, then the same validation and per-row report as an upload (lines: array index + 1, or the CSV line). "
                                             "Authenticated by X-Lead-Source-Token alone, or by a key or session with campaigns:write. At most 10,000 "
                                             "leads (413); 409 when the source is inactive", "lead sources", "leads", 201, "ImportReport"}},
      {"POST /api/lead-sources/{id}/sync", {"syncLeadSource", "Pull a crm_integration source now (pages, mapping, import); 502 when the CRM failed "
                                            "(recorded as lastSyncStatus error)", "lead sources", "", 200, "LeadSyncResult"}},

      {"GET /api/do-not-call", {"listDoNotCall", "List the do-not-call list", "compliance", "", 200, "DoNotCallPage", {}, &do_not_call_spec()}},
      {"POST /api/do-not-call", {"createDoNotCall", "Add a number to the do-not-call list (normalised to E.164)", "compliance", "DoNotCallCreate", 201, "DoNotCall"}},
      {"GET /api/do-not-call/{id}", {"getDoNotCall", "Get a do-not-call entry", "compliance", "", 200, "DoNotCall"}},
      {"DELETE /api/do-not-call/{id}", {"deleteDoNotCall", "Remove a number (by id or phone) from the do-not-call list", "compliance", "", 204, ""}},
      {"POST /api/do-not-call/import", {"importDoNotCall", "Import a CSV of numbers into the do-not-call list (bad rows reported with line and reason)", "compliance", "csv", 200, "DncImportReport"}},

      {"GET /api/sms-messages", {"listSmsMessages", "List follow-up SMS messages and their delivery status", "outcomes", "", 200, "SmsMessagePage", {}, &sms_message_spec()}},
      {"GET /api/sms-messages/{id}", {"getSmsMessage", "Get an SMS message", "outcomes", "", 200, "SmsMessage"}},
      {"GET /api/webhook-events", {"listWebhookEvents", "List webhook events with delivery status and failure counts", "outcomes", "", 200, "WebhookEventPage", {}, &webhook_event_spec()}},
      {"GET /api/webhook-events/{id}", {"getWebhookEvent", "Get a webhook event", "outcomes", "", 200, "WebhookEvent"}},

      {"GET /api/live-calls", {"listLiveCalls", "Calls in progress (not ended), newest first; ?status= filters", "live", "", 200, "LiveCallList", {"status"}}},
      {"GET /api/live-calls/{id}", {"getLiveCall", "Everything about one call in progress or ended within the retention period ({id} = the call id): "
                                    "the live_calls row, transcript, phases, objectives, next actions, coaching, sentiment, metrics, "
                                    "system configuration and supervisor actions", "live", "", 200, "LiveCallView"}},
      {"GET /api/live-calls/{id}/transcript", {"getLiveTranscript", "The live transcript in order (interim lines are replaced by their final)", "live", "", 200,
                                               "LiveTranscriptList"}},
      {"GET /api/live-calls/{id}/actions", {"listSupervisorActions", "The supervisor actions taken on the call, in order", "live", "", 200, "SupervisorActionList"}},
      {"POST /api/live-calls/{id}/actions", {"createSupervisorAction", "Act on a call in progress as a supervisor (COACH_AGENT needs details.text, TRANSFER_CALL "
                                             "details.target, ADD_NOTE details.text); recorded with supervisor, time and order. 409 when "
                                             "the call has ended; 503 for actions on the call when live control is unavailable",
                                             "live", "SupervisorActionRequest", 202, "SupervisorAction", {}, nullptr, "application/json", true}},
      {"POST /api/tts/preview", {"previewVoice", "Synthesise a short sample of a voice as an agent would speak it (the dashboard's voice preview); "
                                 "mono 16-bit WAV at the engine's rate; 422 names the bad field", "agents", "TtsPreviewRequest", 200,
                                 "Recording", {}, nullptr, "audio/wav"}},
      {"GET /api/calls/{id}/analytics", {"getCallAnalytics", "The call's analytics: its live data summarised when it ended", "calls", "", 200, "CallAnalytics"}},

      {"GET /api/settings", {"getSettings", "All settings", "settings", "", 200, "Settings"}},
      {"PATCH /api/settings", {"updateSettings", "Change several settings atomically", "settings", "SettingsUpdate", 200, "Settings"}},
      {"GET /api/settings/{key}", {"getSetting", "One setting", "settings", "", 200, "SettingValue"}},
      {"PUT /api/settings/{key}", {"putSetting", "Change one setting", "settings", "SettingPut", 200, "SettingValue"}},

      // Issue 16: sign-in, workspaces, members, API keys, tickets, the audit log.
      {"POST /api/auth/login", {"login", "Sign in with an email and password, or a one-time link's token (sets the voqo_session cookie)", "access", "LoginRequest", 200, "LoginResult"}},
      {"POST /api/auth/logout", {"logout", "Sign out: ends the session of the cookie", "access", "", 204, ""}},
      {"GET /api/me", {"getMe", "Who is calling: the user or key, its role and scopes, its workspaces", "access", "", 200, "Me"}},
      {"GET /api/workspaces", {"listWorkspaces", "The caller's workspaces (a key: its own)", "access", "", 200, "WorkspacePage"}},
      {"POST /api/workspaces", {"createWorkspace", "Create a workspace (the creator becomes its owner; a tier other than free needs a server admin)", "access", "WorkspaceCreate", 201, "Workspace"}},
      {"GET /api/workspaces/{id}", {"getWorkspace", "Get one of the caller's workspaces", "access", "", 200, "Workspace"}},
      {"PATCH /api/workspaces/{id}", {"updateWorkspace", "Rename a workspace (owner); change its tier or limits (server admin)", "access", "WorkspaceUpdate", 200, "Workspace"}},
      {"DELETE /api/workspaces/{id}", {"deleteWorkspace", "Delete a workspace and everything in it (owner; not Default; no call in progress)", "access", "", 204, ""}},
      {"GET /api/members", {"listMembers", "The workspace's members and their roles", "access", "", 200, "MemberPage"}},
      {"POST /api/members", {"inviteMember", "Invite a member (owner): creates the user when new and answers a one-time set-password link", "access", "MemberInvite", 201, "MemberInvited"}},
      {"PATCH /api/members/{userId}", {"updateMember", "Change a member's role (owner)", "access", "MemberUpdate", 200, "Member"}},
      {"DELETE /api/members/{userId}", {"removeMember", "Remove a member (owner); the last owner stays", "access", "", 204, ""}},
      {"GET /api/keys", {"listApiKeys", "The workspace's API keys (never their secrets)", "access", "", 200, "ApiKeyPage"}},
      {"POST /api/keys", {"createApiKey", "Create an API key: the secret is in `key`, shown this once", "access", "ApiKeyCreate", 201, "ApiKeyCreated"}},
      {"DELETE /api/keys/{id}", {"revokeApiKey", "Revoke an API key: refused from the next request on, its open WebSockets closed", "access", "", 204, ""}},
      {"POST /api/tickets", {"createTicket", "A signed ticket (60 s) for one URL a browser opens without headers: ?ticket= on the WebSocket, SSE, recording or audio URL", "access", "TicketRequest", 201, "Ticket"}},
      {"GET /api/audit-log", {"listAuditLog", "Who did what, when, from where: newest first", "access", "", 200, "AuditLogPage", {"limit", "cursor", "action"}}},
  };
  return ops;
}

/// The live-monitoring schemas (issue 5; store/live.hpp gives the shapes).
void live_schemas(json& schemas) {
  auto t = [](const char* type, bool nullable = false) {
    return nullable ? json{{"type", json::array({type, "null"})}} : json{{"type", type}};
  };
  auto pct = [](bool nullable) {
    return json{{"type", nullable ? json::array({"number", "null"}) : json("number")}, {"minimum", 0}, {"maximum", 100}};
  };
  auto one_of = [](std::initializer_list<const char*> values, bool nullable = false) {
    json e = json::array();
    for (auto v : values) e.push_back(v);
    if (nullable) e.push_back(nullptr);
    return json{{"enum", e}};
  };
  auto object = [](json props, bool all_required = true) {
    json required = json::array();
    if (all_required)
      for (const auto& [k, _] : props.items()) required.push_back(k);
    return json{{"type", "object"}, {"properties", std::move(props)}, {"required", std::move(required)}};
  };
  auto list = [](std::string_view item) {
    return json{{"type", "object"},
                {"required", {"items", "nextCursor"}},
                {"properties", {{"items", {{"type", "array"}, {"items", schema_ref(item)}}}, {"nextCursor", {{"type", "null"}}}}}};
  };
  const json id = t("string"), call_id = t("string"), order = {{"type", "integer"}, {"minimum", 1}},
             stamp = {{"type", "string"}, {"format", "date-time"}};
  schemas["LiveCall"] = object({{"id", id}, {"callId", call_id}, {"agentId", t("string", true)}, {"agentName", t("string", true)},
                                {"customerName", t("string", true)}, {"customerPhone", t("string", true)},
                                {"direction", one_of({"inbound", "outbound"})},
                                {"status", one_of({"connecting", "ringing", "connected", "on-hold", "transferring"})},
                                {"startTime", stamp}, {"duration", {{"type", "integer"}, {"minimum", 0}, {"description", "seconds"}}},
                                {"currentPhase", t("string", true)}, {"campaignId", t("string", true)}, {"campaignName", t("string", true)},
                                {"isRecording", t("boolean")}, {"recordingStartTime", t("string", true)},
                                {"agentGain", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
                                {"customerGain", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
                                {"currentSpeaker", one_of({"agent", "caller", "supervisor"}, true)}, {"sipEndpoint", t("string", true)},
                                {"sessionId", t("string", true)}, {"node", t("string", true)}, {"updatedAt", stamp},
                                {"endedAt", {{"type", json::array({"string", "null"})}, {"description", "set when the call ended"}}},
                                {"sentiment", one_of({"positive", "neutral", "negative"}, true)}});
  schemas["LiveTranscriptEntry"] = object(
      {{"id", id}, {"callId", call_id}, {"entryId", t("string")}, {"speaker", one_of({"agent", "caller", "supervisor"})},
       {"text", t("string")}, {"timestamp", {{"type", "string"}, {"description", "m:ss in the call"}}},
       {"startMs", {{"type", "integer"}, {"minimum", 0}}}, {"endMs", {{"type", "integer"}, {"minimum", 0}}},
       {"sentiment", one_of({"positive", "neutral", "negative"}, true)}, {"confidence", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
       {"isFinal", t("boolean")}, {"interrupted", t("boolean")}, {"order", order}, {"createdAt", stamp}, {"updatedAt", stamp}});
  schemas["CallPhase"] = object({{"id", id}, {"callId", call_id}, {"name", t("string")},
                                 {"status", one_of({"pending", "active", "completed", "skipped"})}, {"startTime", t("string", true)},
                                 {"endTime", t("string", true)}, {"duration", {{"type", json::array({"number", "null"})}, {"minimum", 0}}},
                                 {"quality", pct(true)}, {"order", order}, {"updatedAt", stamp}});
  schemas["CallObjective"] = object({{"id", id}, {"callId", call_id}, {"key", t("string")}, {"title", t("string")},
                                     {"status", one_of({"pending", "in_progress", "completed", "failed"})}, {"order", order},
                                     {"updatedAt", stamp}});
  schemas["NextAction"] = object({{"id", id}, {"callId", call_id}, {"type", one_of({"immediate", "next", "follow-up"})},
                                  {"action", t("string")}, {"reason", t("string", true)},
                                  {"priority", {{"type", json::array({"integer", "null"})}, {"minimum", 1}, {"maximum", 10}}},
                                  {"order", order}, {"updatedAt", stamp}});
  schemas["CoachingRecommendation"] = object({{"id", id}, {"callId", call_id}, {"key", t("string")},
                                              {"type", one_of({"positive", "warning", "suggestion"})}, {"title", t("string")},
                                              {"description", t("string")}, {"priority", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10}}},
                                              {"isActive", t("boolean")}, {"order", order}, {"createdAt", stamp}, {"updatedAt", stamp}});
  const json moment = {{"anyOf", json::array({object({{"text", t("string")}, {"at", t("string", true)}}), t("null")})}};
  schemas["SentimentAnalysis"] = object({{"id", id}, {"callId", call_id}, {"positive", pct(false)}, {"neutral", pct(false)},
                                         {"negative", pct(false)}, {"overall", one_of({"positive", "neutral", "negative"})},
                                         {"trend", one_of({"improving", "stable", "declining"})}, {"lastPositive", moment},
                                         {"lastNegative", moment}, {"updatedAt", stamp}});
  schemas["PerformanceMetrics"] = object(
      {{"id", id}, {"callId", call_id}, {"scriptAdherence", pct(true)}, {"agentConfidence", pct(true)}, {"conversationQuality", pct(true)},
       {"prospectEngagement", pct(true)}, {"voiceEnergy", one_of({"LOW", "MEDIUM", "HIGH"}, true)},
       {"responseQuality", one_of({"POOR", "FAIR", "GOOD", "EXCELLENT"}, true)},
       {"questionFrequency", {{"type", json::array({"number", "null"})}, {"minimum", 0}, {"description", "questions per minute"}}},
       {"interestSignals", one_of({"WEAK", "MODERATE", "STRONG"}, true)}, {"conversionProbability", pct(true)},
       {"demoAcceptanceProbability", pct(true)}, {"immediateCloseProbability", pct(true)}, {"updatedAt", stamp}});
  schemas["SystemConfig"] = object(
      {{"id", id}, {"callId", call_id}, {"sipProvider", t("string", true)}, {"sipStatus", t("string", true)},
       {"sttProvider", t("string", true)}, {"sttStatus", t("string", true)}, {"llmProvider", t("string", true)},
       {"llmStatus", t("string", true)}, {"ttsProvider", t("string", true)}, {"ttsStatus", t("string", true)},
       {"apiLatencyMs", {{"type", json::array({"integer", "null"})}, {"minimum", 0}}}, {"errorRate", pct(true)},
       {"queueDepth", {{"type", json::array({"integer", "null"})}, {"minimum", 0}}},
       {"costPerMinute", {{"type", json::array({"number", "null"})}, {"minimum", 0}}},
       {"totalCost", {{"type", json::array({"number", "null"})}, {"minimum", 0}}}, {"updatedAt", stamp}});
  const json actions = one_of({"COACH_AGENT", "JOIN_CALL", "TAKE_OVER", "RELEASE", "TRANSFER_CALL", "END_CALL", "ADD_NOTE",
                               "BOOKMARK_MOMENT", "FLAG_FOR_REVIEW"});
  schemas["SupervisorAction"] = object({{"id", id}, {"callId", call_id}, {"action", actions}, {"details", t("object")},
                                        {"supervisorId", t("string")}, {"supervisorName", t("string")}, {"timestamp", stamp},
                                        {"callTimeMs", {{"type", "integer"}, {"minimum", 0}}}, {"order", order}});
  json request = object({{"action", actions},
                         {"details", {{"type", "object"},
                                      {"description", "COACH_AGENT and ADD_NOTE: {text}; TRANSFER_CALL: {target: E.164 number or sip: URI}; "
                                                      "others: anything to keep with the action"}}},
                         {"supervisorId", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}, {"default", "api"}}},
                         {"supervisorName", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}, {"default", "API"}}}},
                        false);
  request["required"] = {"action"};
  request["additionalProperties"] = false;
  schemas["SupervisorActionRequest"] = request;
  json preview = object({{"voiceProvider", one_of({"flite", "espeak-ng", "elevenlabs"})},
                         {"voiceId", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}},
                         {"speechRate", {{"type", "number"}, {"minimum", 0.5}, {"maximum", 2.0}, {"default", 1.0}}},
                         {"pitch", {{"type", "number"}, {"minimum", 0.5}, {"maximum", 2.0}, {"default", 1.0}}},
                         {"text", {{"type", "string"}, {"minLength", 1}, {"maxLength", 500},
                                   {"description", "default: a greeting sentence"}}}},
                        false);
  preview["required"] = {"voiceProvider", "voiceId"};
  schemas["TtsPreviewRequest"] = preview;
  schemas["LiveCallView"] = object({{"call", schema_ref("LiveCall")},
                                    {"transcript", {{"type", "array"}, {"items", schema_ref("LiveTranscriptEntry")}}},
                                    {"phases", {{"type", "array"}, {"items", schema_ref("CallPhase")}}},
                                    {"objectives", {{"type", "array"}, {"items", schema_ref("CallObjective")}}},
                                    {"nextActions", {{"type", "array"}, {"items", schema_ref("NextAction")}}},
                                    {"coaching", {{"type", "array"}, {"items", schema_ref("CoachingRecommendation")}}},
                                    {"sentiment", {{"anyOf", json::array({schema_ref("SentimentAnalysis"), t("null")})}}},
                                    {"metrics", {{"anyOf", json::array({schema_ref("PerformanceMetrics"), t("null")})}}},
                                    {"systemConfig", {{"anyOf", json::array({schema_ref("SystemConfig"), t("null")})}}},
                                    {"supervisorActions", {{"type", "array"}, {"items", schema_ref("SupervisorAction")}}}});
  schemas["LiveCallList"] = list("LiveCall");
  schemas["LiveTranscriptList"] = list("LiveTranscriptEntry");
  schemas["SupervisorActionList"] = list("SupervisorAction");
  const json count = {{"type", "integer"}, {"minimum", 0}};
  schemas["CallAnalytics"] = object(
      {{"id", id}, {"callId", call_id}, {"agentId", t("string", true)}, {"agentName", t("string", true)},
       {"customerPhone", t("string", true)}, {"campaignId", t("string", true)}, {"startedAt", t("string", true)}, {"endedAt", stamp},
       {"duration", {{"type", "integer"}, {"minimum", 0}, {"description", "seconds"}}}, {"finalPhase", t("string", true)},
       {"transcriptEntries", count}, {"agentTalkMs", count}, {"callerTalkMs", count}, {"agentTalkShare", pct(true)},
       {"overallSentiment", one_of({"positive", "neutral", "negative"}, true)}, {"objectivesCompleted", count},
       {"objectivesTotal", count}, {"scriptAdherence", pct(true)}, {"conversionProbability", pct(true)}, {"coachingCount", count},
       {"supervisorActionCount", count}, {"phases", {{"type", "array"}, {"items", schema_ref("CallPhase")}}},
       {"objectives", {{"type", "array"}, {"items", schema_ref("CallObjective")}}},
       {"nextActions", {{"type", "array"}, {"items", schema_ref("NextAction")}}},
       {"coaching", {{"type", "array"}, {"items", schema_ref("CoachingRecommendation")}}},
       {"sentiment", {{"anyOf", json::array({schema_ref("SentimentAnalysis"), t("null")})}}},
       {"metrics", {{"anyOf", json::array({schema_ref("PerformanceMetrics"), t("null")})}}},
       {"systemConfig", {{"anyOf", json::array({schema_ref("SystemConfig"), t("null")})}}},
       {"supervisorActions", {{"type", "array"}, {"items", schema_ref("SupervisorAction")}}},
       {"details", {{"type", "object"}, {"description", "what the call's end added (e.g. outcome)"}}}, {"createdAt", stamp}});
}

/// The schemas of issue 16's resources (routes/access.cpp).
void access_schemas(json& schemas) {
  auto str = [] { return json{{"type", "string"}}; };
  auto nstr = [] { return json{{"type", {"string", "null"}}}; };
  auto object = [](json props, json required) {
    return json{{"type", "object"}, {"properties", std::move(props)}, {"required", std::move(required)}};
  };
  const json roles = {"owner", "admin", "supervisor", "viewer"};
  const json tiers = {"free", "starter", "premium", "enterprise"};
  json scope_values = json::array();
  for (size_t i = 0; i < access::kScopeCount; ++i) scope_values.push_back(access::to_string(static_cast<access::Scope>(i)));
  const json scopes = {{"type", "array"}, {"items", {{"type", "string"}, {"enum", scope_values}}}};
  schemas["Limits"] = object({{"agents", {{"type", {"integer", "null"}}}},
                              {"concurrentCalls", {{"type", {"integer", "null"}}}},
                              {"apiRequestsPerSecond", {{"type", {"number", "null"}}}},
                              {"apiBurst", {{"type", {"integer", "null"}}}},
                              {"premiumVoices", {{"type", "boolean"}}}},
                             json::array());
  schemas["Workspace"] = object({{"id", str()}, {"name", str()}, {"tier", {{"type", "string"}, {"enum", tiers}}},
                                 {"limits", {{"type", "object"}, {"description", "Overrides of the tier's limits (server admin)"}}},
                                 {"effectiveLimits", schema_ref("Limits")},
                                 {"role", {{"type", "string"}, {"enum", roles}}},
                                 {"createdAt", str()}, {"updatedAt", str()}},
                                {"id", "name", "tier", "limits", "createdAt"});
  schemas["WorkspacePage"] = page_schema("Workspace");
  schemas["WorkspaceCreate"] = object({{"name", str()}, {"tier", {{"type", "string"}, {"enum", tiers}}}}, {"name"});
  schemas["WorkspaceUpdate"] = object({{"name", str()}, {"tier", {{"type", "string"}, {"enum", tiers}}},
                                       {"limits", schema_ref("Limits")}},
                                      json::array());
  schemas["User"] = object({{"id", str()}, {"email", str()}, {"displayName", str()}, {"hasPassword", {{"type", "boolean"}}},
                            {"disabled", {{"type", "boolean"}}}, {"lastLoginAt", nstr()}, {"createdAt", str()}},
                           {"id", "email"});
  schemas["LoginRequest"] = object({{"email", str()}, {"password", {{"type", "string"}, {"writeOnly", true}}},
                                    {"token", {{"type", "string"}, {"description", "A one-time sign-in or set-password link's token"}}}},
                                   json::array());
  schemas["LoginResult"] = object({{"user", schema_ref("User")},
                                   {"workspaces", {{"type", "array"}, {"items", schema_ref("Workspace")}}}},
                                  {"user", "workspaces"});
  schemas["Me"] = object({{"kind", {{"type", "string"}, {"enum", {"user", "key"}}}},
                          {"actor", str()},
                          {"role", {{"type", {"string", "null"}}}},
                          {"scopes", scopes},
                          {"user", schema_ref("User")},
                          {"key", object({{"id", str()}, {"name", str()}}, {"id"})},
                          {"workspace", {{"anyOf", json::array({schema_ref("Workspace"), {{"type", "null"}}})}}},
                          {"workspaces", {{"type", "array"}, {"items", schema_ref("Workspace")}}}},
                         {"kind", "actor", "scopes", "workspaces"});
  schemas["Member"] = object({{"userId", str()}, {"email", str()}, {"displayName", str()},
                              {"role", {{"type", "string"}, {"enum", roles}}}, {"disabled", {{"type", "boolean"}}},
                              {"createdAt", str()}},
                             {"userId", "email", "role"});
  schemas["MemberPage"] = page_schema("Member");
  schemas["MemberInvite"] = object({{"email", str()}, {"displayName", str()}, {"role", {{"type", "string"}, {"enum", roles}}}},
                                   {"email"});
  schemas["MemberInvited"] = object({{"userId", str()}, {"email", str()}, {"displayName", str()},
                                     {"role", {{"type", "string"}, {"enum", roles}}},
                                     {"setPasswordUrl", {{"type", {"string", "null"}},
                                                         {"description", "One-time link for a new user (7 days); null when the user has a password"}}},
                                     {"setPasswordExpiresAt", str()}},
                                    {"userId", "email", "role"});
  schemas["MemberUpdate"] = object({{"role", {{"type", "string"}, {"enum", roles}}}}, {"role"});
  const json key_props = {{"id", str()},           {"workspaceId", str()},      {"name", str()},
                          {"prefix", str()},       {"scopes", scopes},          {"expiresAt", nstr()},
                          {"rateLimitPerSecond", {{"type", {"number", "null"}}}},
                          {"lastUsedAt", nstr()},  {"revokedAt", nstr()},       {"createdBy", nstr()},
                          {"createdAt", str()}};
  schemas["ApiKey"] = object(key_props, {"id", "name", "prefix", "scopes", "createdAt"});
  schemas["ApiKeyPage"] = page_schema("ApiKey");
  json created_props = key_props;
  created_props["key"] = {{"type", "string"}, {"description", "ak_ + 43 base62 + a 6-character checksum; shown once"}};
  schemas["ApiKeyCreated"] = object(created_props, {"id", "name", "prefix", "scopes", "key"});
  schemas["ApiKeyCreate"] = object({{"name", str()}, {"scopes", scopes}, {"expiresAt", nstr()},
                                    {"rateLimitPerSecond", {{"type", {"number", "null"}}}}},
                                   {"name", "scopes"});
  schemas["TicketRequest"] = object({{"resource", str()}}, {"resource"});
  schemas["Ticket"] = object({{"ticket", str()}, {"expiresAt", str()}, {"resource", str()}}, {"ticket", "expiresAt"});
  schemas["AuditEntry"] = object({{"id", str()}, {"actorType", str()}, {"actorId", nstr()}, {"actorName", nstr()},
                                  {"action", str()}, {"objectType", nstr()}, {"objectId", nstr()},
                                  {"details", {{"type", "object"}}}, {"address", nstr()}, {"createdAt", str()}},
                                 {"id", "actorType", "action", "createdAt"});
  schemas["AuditLogPage"] = page_schema("AuditEntry");
}

json components() {
  json schemas = json::object();
  for (const auto* spec : model::all_specs()) {
    const std::string name(spec->schema);
    schemas[name] = entity_schema(*spec, SchemaUse::output);
    schemas[name + "Create"] = entity_schema(*spec, SchemaUse::create);
    schemas[name + "Update"] = entity_schema(*spec, SchemaUse::update);
    schemas[name + "Page"] = page_schema(name);
  }
  schemas["ContactWithMemories"] = with_props(schema_ref("Contact"), {{"memories", schema_ref("MemoryPage")}}, {"memories"});
  schemas["UploadWithRows"] = with_props(schema_ref("Upload"), {{"batchContacts", schema_ref("BatchContactPage")}, {"rejections", schema_ref("UploadRejectionPage")}},
                                         {"batchContacts", "rejections"});
  schemas["JobWithCalls"] = with_props(schema_ref("Job"), {{"jobCalls", schema_ref("JobCallPage")}}, {"jobCalls"});
  json issue = {{"type", "object"},
                {"required", {"line", "column", "reason"}},
                {"properties", {{"line", {{"type", "integer"}, {"minimum", 1}}}, {"column", {{"type", "string"}}}, {"reason", {{"type", "string"}}}}}};
  schemas["RowIssue"] = issue;
  schemas["ImportReport"] = {
      {"type", "object"},
      {"required", {"uploadId", "totalRows", "imported", "rejected", "rejectedCount"}},
      {"properties",
       {{"uploadId", {{"type", "string"}}},
        {"campaignId", {{"type", "string"}}},
        {"filename", {{"type", "string"}}},
        {"totalRows", {{"type", "integer"}, {"minimum", 0}}},
        {"imported", {{"type", "integer"}, {"minimum", 0}}},
        {"rejectedCount", {{"type", "integer"}, {"minimum", 0}}},
        {"rejected", {{"type", "array"}, {"items", schema_ref("RowIssue")}}},
        {"rejectedTruncated", {{"type", "boolean"}}},
        {"warningCount", {{"type", "integer"}, {"minimum", 0}}},
        {"warnings", {{"type", "array"}, {"items", schema_ref("RowIssue")}}},
        {"delimiter", {{"type", "string"}}},
        {"phoneColumn", {{"type", "string"}}},
        {"nameColumn", {{"type", "string"}}}}}};
  schemas["LeadSourceCreated"] = with_props(schema_ref("LeadSource"), {{"apiToken", {{"type", "string"}, {"description", "api_webhook only: the token, shown this once"}}}});
  schemas["LeadSourceToken"] = {{"type", "object"},
                                {"required", {"id", "apiToken", "apiTokenPrefix"}},
                                {"properties", {{"id", {{"type", "string"}}}, {"apiToken", {{"type", "string"}}}, {"apiTokenPrefix", {{"type", "string"}}}}}};
  schemas["LeadSyncResult"] = {{"type", "object"},
                               {"required", {"pages", "fetched", "stopped", "import"}},
                               {"properties",
                                {{"pages", {{"type", "integer"}, {"minimum", 0}}},
                                 {"fetched", {{"type", "integer"}, {"minimum", 0}}},
                                 {"stopped", {{"type", "string"}, {"enum", {"end", "page cap", "lead cap", "loop"}}}},
                                 {"import", {{"oneOf", json::array({schema_ref("ImportReport"), {{"type", "null"}}})}}},
                                 {"leadSource", schema_ref("LeadSource")}}}};
  schemas["DncImportReport"] = {
      {"type", "object"},
      {"required", {"added", "alreadyListed", "rejectedCount", "rejected"}},
      {"properties",
       {{"added", {{"type", "integer"}, {"minimum", 0}}},
        {"alreadyListed", {{"type", "integer"}, {"minimum", 0}}},
        {"rejectedCount", {{"type", "integer"}, {"minimum", 0}}},
        {"rejected", {{"type", "array"}, {"items", {{"type", "object"}, {"properties", {{"line", {{"type", "integer"}}}, {"reason", {{"type", "string"}}}}}}}}}}}};
  json settings = {{"type", "object"}, {"additionalProperties", false}, {"properties", json::object()}};
  for (const auto& f : store::setting_specs()) settings["properties"][std::string(f.json)] = field_schema(f);
  schemas["Settings"] = settings;
  json update = settings;
  schemas["SettingsUpdate"] = update;
  schemas["SettingValue"] = {{"type", "object"}, {"required", {"key", "value"}},
                             {"properties", {{"key", {{"type", "string"}}}, {"value", json::object()}}}};
  schemas["SettingPut"] = {{"type", "object"}, {"required", {"value"}}, {"additionalProperties", false},
                           {"properties", {{"value", json::object()}}}};
  schemas["CallRequest"] = {{"type", "object"}, {"required", {"agentId", "to"}}, {"additionalProperties", false},
                            {"properties", {{"agentId", {{"type", "string"}, {"description", "Agent id or name"}}},
                                            {"to", {{"type", "string"}, {"description", "Phone number (E.164 or national with the default region) or a sip: URI"}}},
                                            {"variables", {{"type", "object"}, {"description", "Values for the brain (e.g. company)"}}}}}};
  access_schemas(schemas);
  schemas["CallPlaced"] = {{"type", "object"}, {"required", {"id", "status"}},
                           {"properties", {{"id", {{"type", "string"}}}, {"status", {{"type", "string"}, {"enum", {"connecting"}}}},
                                           {"agentId", {{"type", "string"}}}, {"to", {{"type", "string"}}}}}};
  live_schemas(schemas);
  {
    auto num = [](bool nullable = false) {
      return nullable ? json{{"type", json::array({"number", "null"})}} : json{{"type", "number"}};
    };
    auto count = json{{"type", "integer"}, {"minimum", 0}};
    json period = {
        {"type", "object"},
        {"required", {"periodStart", "periodEnd", "totalCalls", "connectedCalls", "funnel", "abandonedCalls", "answeredByPerson"}},
        {"properties",
         {{"periodStart", {{"type", "string"}, {"format", "date-time"}, {"description", "The local period's start, as a UTC instant"}}},
          {"periodEnd", {{"type", "string"}, {"format", "date-time"}}},
          {"totalCalls", count}, {"connectedCalls", count}, {"connectionRate", num(true)}, {"averageDurationS", num(true)},
          {"funnel", {{"type", "object"},
                      {"required", {"made", "connected", "interested", "qualified", "conversions"}},
                      {"properties", {{"made", count}, {"connected", count}, {"interested", count}, {"qualified", count}, {"conversions", count}}}}},
          {"appointments", count}, {"averageQuality", num(true)}, {"scriptAdherence", num(true)},
          {"objectionHandlingSuccess", num(true)}, {"callsPerHour", num(true)}, {"conversionRate", num(true)},
          {"appointmentRate", num(true)}, {"averageRingTimeMs", num(true)}, {"abandonRate", num(true)},
          {"abandonedCalls", count}, {"answeredByPerson", count}}}};
    auto slot = [&](const char* key, int max) {
      return json{{"type", "object"},
                  {"required", {key, "totalCalls", "connectedCalls", "conversions"}},
                  {"properties", {{key, {{"type", "integer"}, {"minimum", 0}, {"maximum", max}}},
                                  {"totalCalls", count}, {"connectedCalls", count}, {"conversions", count}}}};
    };
    json figures = {{"type", "object"},
                    {"required", {"abandonRate", "abandonedCalls", "answeredByPerson", "averageRingTimeMs"}},
                    {"properties", {{"abandonRate", num(true)}, {"abandonedCalls", count}, {"answeredByPerson", count},
                                    {"averageRingTimeMs", num(true)}}}};
    json compliance = figures;
    compliance["required"].push_back("last30Days");
    compliance["properties"]["last30Days"] = figures;
    schemas["MetricsPeriod"] = period;
    schemas["Metrics"] = {
        {"type", "object"},
        {"required", {"period", "timeZone", "items", "truncated", "peakHours", "bestDays", "compliance"}},
        {"properties",
         {{"period", {{"type", "string"}, {"enum", {"hourly", "daily", "weekly", "monthly"}}}},
          {"timeZone", {{"type", "string"}}},
          {"items", {{"type", "array"}, {"maxItems", 5000}, {"items", schema_ref("MetricsPeriod")}}},
          {"truncated", {{"type", "boolean"}, {"description", "More periods matched than the 5,000 returned (the newest)"}}},
          {"peakHours", {{"type", "array"}, {"items", slot("hour", 23)}, {"description", "Calls by the callee's local hour, 0-23"}}},
          {"bestDays", {{"type", "array"}, {"items", slot("weekday", 6)}, {"description", "Calls by the callee's local weekday, 0 = Sunday"}}},
          {"compliance", compliance}}}};
  }
  schemas["Recording"] = {{"type", "string"}, {"contentMediaType", "audio/wav"}};
  schemas["CsvExport"] = {{"type", "string"}, {"contentMediaType", "text/csv"}};
  schemas["Health"] = {{"type", "object"}, {"required", {"status"}},
                       {"properties", {{"status", {{"type", "string"}}}, {"database", {{"type", "string"}}}, {"time", {{"type", "string"}}}}}};
  schemas["OpenApiDocument"] = {{"type", "object"},
                                {"required", {"openapi", "paths"}},
                                {"properties", {{"openapi", {{"type", "string"}}}, {"paths", {{"type", "object"}}}}}};
  schemas["Problem"] = {
      {"type", "object"},
      {"description", "RFC 7807 problem details"},
      {"required", {"type", "title", "status"}},
      {"properties",
       {{"type", {{"type", "string"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"instance", {{"type", "string"}}},
        {"field", {{"type", "string"}}},
        {"errors", {{"type", "array"}, {"items", {{"type", "object"}, {"properties", {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}};
  return json{{"schemas", schemas},
              {"securitySchemes",
               {{"bearer", {{"type", "http"}, {"scheme", "bearer"}, {"description", "An API key (ak_…), also accepted as X-API-Key"}}},
                {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "voqo_session"},
                             {"description", "A signed-in user's session; the workspace is X-Workspace-Id (or their first)"}}},
                {"ticket", {{"type", "apiKey"}, {"in", "query"}, {"name", "ticket"},
                            {"description", "POST /api/tickets: 60 s, for one WebSocket, SSE, recording or audio URL"}}},
                {"leadSourceToken", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-Lead-Source-Token"},
                                     {"description", "An api_webhook lead source's own token: only POST /api/lead-sources/{id}/leads of that source"}}}}}};
}

void collect_schema_refs(const json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "$ref" && v.is_string() && v.get_ref<const std::string&>().starts_with(kSchemaPrefix))
        out.insert(v.get<std::string>().substr(std::string_view(kSchemaPrefix).size()));
      else collect_schema_refs(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect_schema_refs(v, out);
  }
}

/// Free-form objects (JSON columns such as systemInfo, a request's
/// variables) say so with `additionalProperties: true`, JSON Schema's default
/// written out: generators otherwise type an object without properties as
/// an empty record (openapi-typescript: Record<string, never>).
void mark_free_form_objects(json& j) {
  if (j.is_object()) {
    if (auto t = j.find("type"); t != j.end()) {
      const bool object = *t == "object" || (t->is_array() && std::ranges::find(*t, json("object")) != t->end());
      if (object && !j.contains("properties") && !j.contains("additionalProperties") && !j.contains("patternProperties"))
        j["additionalProperties"] = true;
    }
    for (auto& [_, v] : j.items()) mark_free_form_objects(v);
  } else if (j.is_array()) {
    for (auto& v : j) mark_free_form_objects(v);
  }
}

/// Drops the component schemas no operation reaches (directly or through
/// other schemas): every spec yields Create/Update/Page shapes, and only the
/// ones a route takes or returns belong in the document (Redocly's
/// no-unused-components; a client generator would emit dead types).
void prune_unused_schemas(const json& paths, json& schemas) {
  std::set<std::string> used;
  collect_schema_refs(paths, used);
  for (std::vector<std::string> todo(used.begin(), used.end()); !todo.empty();) {
    const std::string name = std::move(todo.back());
    todo.pop_back();
    std::set<std::string> next;
    if (auto it = schemas.find(name); it != schemas.end()) collect_schema_refs(*it, next);
    for (const auto& n : next)
      if (used.insert(n).second) todo.push_back(n);
  }
  for (auto it = schemas.begin(); it != schemas.end();) it = used.contains(it.key()) ? std::next(it) : schemas.erase(it);
}

json problem_response(std::string_view description) {
  return json{{"description", description}, {"content", {{"application/problem+json", {{"schema", schema_ref("Problem")}}}}}};
}

}  // namespace

json entity_schema(const model::EntitySpec& spec, SchemaUse use) {
  json props = json::object();
  json required = json::array();
  for (const auto& f : spec.fields) {
    if (use == SchemaUse::output && f.has(model::kWriteOnly)) continue;
    if (use != SchemaUse::output && f.has(model::kReadOnly)) continue;
    if (use == SchemaUse::update && f.has(model::kImmutable)) continue;
    props[std::string(f.json)] = field_schema(f);
    if ((use == SchemaUse::output) || (use == SchemaUse::create && f.has(model::kRequired)))
      required.push_back(f.json);
  }
  json s = {{"type", "object"}, {"properties", props}, {"required", required}};
  if (use != SchemaUse::output) s["additionalProperties"] = false;
  return s;
}

json openapi_document(const Router& router) {
  json paths = json::object();
  for (const auto& route : router.routes()) {
    if (!route.options.documented) continue;
    std::string method = route.method;
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    json op = json::object();
    const auto it = operations().find(route.method + " " + route.pattern);
    json params = json::array();
    for (const auto& seg : route.segments)
      if (seg.size() > 2 && seg.front() == '{')
        params.push_back({{"name", seg.substr(1, seg.size() - 2)}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    if (it == operations().end()) {
      op["x-undocumented"] = true;
      op["responses"] = {{"default", {{"description", "undocumented"}}}};
    } else {
      const auto& d = it->second;
      op["summary"] = d.summary;
      op["tags"] = {d.tag};
      op["operationId"] = d.id;
      if (d.filters) {
        params.push_back({{"name", "limit"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}}});
        params.push_back({{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
        for (const auto& f : d.filters->fields)
          if (f.has(model::kFilter) && !f.has(model::kParent))
            params.push_back({{"name", f.json}, {"in", "query"}, {"schema", field_schema(f)}});
      }
      for (const auto& q : d.query) {
        json schema = {{"type", "string"}};
        if (q == "from" || q == "to") schema["format"] = "date-time";
        if (q == "period") schema["enum"] = {"hourly", "daily", "weekly", "monthly"};
        params.push_back({{"name", q}, {"in", "query"}, {"schema", schema}});
      }
      if (d.request == "leads") {
        op["requestBody"] = {{"required", true},
                             {"content",
                              {{"application/json", {{"schema", {{"oneOf", json::array({{{"type", "array"}, {"items", {{"type", "object"}}}, {"maxItems", 10000}},
                                                                                         {{"type", "object"}}})}}}}},
                               {"text/csv", {{"schema", {{"type", "string"}}}}}}}};
      } else if (d.request == "csv") {
        op["requestBody"] = {{"required", true},
                             {"content",
                              {{"text/csv", {{"schema", {{"type", "string"}}}}},
                               {"multipart/form-data",
                                {{"schema", {{"type", "object"}, {"properties", {{"file", {{"type", "string"}, {"contentMediaType", "text/csv"}}}}}}}}}}}};
      } else if (!d.request.empty()) {
        op["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", schema_ref(d.request)}}}}}};
      }
      json responses = json::object();
      if (d.response.empty()) responses[std::to_string(d.status)] = {{"description", "Done"}};
      else
        responses[std::to_string(d.status)] = {{"description", "Success"},
                                               {"content", {{d.media_type, {{"schema", schema_ref(d.response)}}}}}};
      if (d.upsert) {
        responses["201"] = responses[std::to_string(d.status)];
        responses["201"]["description"] = "Created";
      }
      if (d.media_type == "audio/wav" && d.request.empty()) {  // files served with ranges (GETs)
        responses["206"] = {{"description", "The requested byte range (Content-Range says which)"},
                            {"content", {{d.media_type, {{"schema", schema_ref(d.response)}}}}}};
        responses["416"] = problem_response("Range not satisfiable");
      }
      if (d.needs_telephony) responses["503"] = problem_response("Telephony is not running on this server");
      if (route.options.lane == Lane::slow)
        responses["503"] = problem_response("Too many slow requests (speech previews, imports) in progress; retry after Retry-After seconds");
      if (!params.empty() || !d.request.empty()) responses["400"] = problem_response("Malformed request");
      if (!d.request.empty() || d.filters || !d.query.empty()) responses["422"] = problem_response("Validation failed; `field` names the offending field");
      if (!params.empty()) responses["404"] = problem_response("Not found");
      if (d.request == "csv") responses["413"] = problem_response("Upload larger than the server's limit");
      if (d.request == "leads") responses["413"] = problem_response("More than 10,000 leads, or a body larger than the server's limit");
      if (route.method == "POST" || route.method == "PATCH" || route.method == "DELETE")
        responses["409"] = problem_response("Conflicts with existing data");
      // Who may call it (permissions.cpp; docs/SECURITY.md has the same table).
      const Permission perm = permission_for(route.method, route.pattern);
      if (perm.kind == Permission::Kind::open) {
        op["security"] = json::array();
        if (route.pattern == "/api/auth/login") {
          responses["401"] = problem_response("Wrong email or password, or a link that is unknown, used or expired");
          responses["429"] = problem_response("Too many failed sign-ins for this account or address: Retry-After says when");
        }
      } else {
        json security = json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
        if (perm.ticket) security.push_back({{"ticket", json::array()}});
        if (perm.kind == Permission::Kind::lead_source) security.push_back({{"leadSourceToken", json::array()}});
        op["security"] = security;
        responses["401"] = problem_response("No valid key, session or ticket");
        responses["403"] = problem_response("Not allowed: `field` names the missing scope or role, a tier limit, or a cross-site Origin");
        responses["429"] = problem_response("Over a rate limit: Retry-After and RateLimit-Limit/-Remaining/-Reset say when");
        switch (perm.kind) {
          case Permission::Kind::signed_in: op["x-voqo-permission"] = "signed-in"; break;
          case Permission::Kind::owner: op["x-voqo-permission"] = "owner"; break;
          case Permission::Kind::member: op["x-voqo-permission"] = "member or " + std::string(access::to_string(perm.scope)); break;
          default: op["x-voqo-permission"] = std::string(access::to_string(perm.scope));
        }
      }
      if (!d.request.empty()) responses["415"] = problem_response("The body is not application/json");
      // Every route: the server answers only the Host names it serves (beast/http_session.cpp).
      responses["421"] = problem_response("Misdirected Request: this server does not answer to the request's Host");
      responses["default"] = problem_response("Error");
      op["responses"] = responses;
    }
    if (!params.empty()) op["parameters"] = params;
    paths[route.pattern][method] = op;
  }
  json parts = components();
  prune_unused_schemas(paths, parts["schemas"]);
  mark_free_form_objects(paths);
  mark_free_form_objects(parts["schemas"]);
  return json{{"openapi", "3.1.0"},
              {"info",
               {{"title", "voqo API"},
                {"version", "1"},
                // No licence is granted yet (the repository has none): an SPDX reference says so.
                {"license", {{"name", "Proprietary"}, {"identifier", "LicenseRef-Proprietary"}}},
                {"description", "Self-hosted AI voice agents: agents, contacts, calls, campaigns, uploads, jobs, settings and live calls, "
                                "in workspaces reached with an API key or a signed-in session (x-voqo-permission names what each "
                                "operation needs). Errors are RFC 7807 problem+json. Lists page by cursor (limit ≤ 500)."}}},
              {"servers", json::array({{{"url", "/"}}})},
              {"security", json::array({{{"bearer", json::array()}}, {{"session", json::array()}}})},
              {"paths", paths},
              {"components", std::move(parts)}};
}

}  // namespace voqo::api
