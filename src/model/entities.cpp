// The data model's tables as EntitySpecs (see schema.hpp). Names, types,
// enumerations and ranges come from the data-model specification and the
// agent-creation specification (issue 2); defaults match migration 1.
#include <array>

#include "model/schema.hpp"

namespace voqo::model {
namespace {

using F = FieldSpec;
using T = FieldType;

F id_field() { return F{"id", "id", T::text, kReadOnly, "Unique id (cuid2-style)."}; }
/// Every customer row carries its workspace (issue 16); the repository sets
/// it from the caller's workspace and filters every query on it.
F workspace_field() { return F{"workspace_id", "workspaceId", T::text, kReadOnly, "Workspace the record belongs to."}; }
F created_at() { return F{"created_at", "createdAt", T::timestamp, kReadOnly, "When the record was created (ISO-8601 UTC)."}; }
F updated_at() { return F{"updated_at", "updatedAt", T::timestamp, kReadOnly, "When the record was last changed (ISO-8601 UTC)."}; }

F text(std::string_view col, std::string_view json, uint32_t flags, std::string_view desc, uint32_t max_len = 0,
       Format format = Format::none) {
  F f{col, json, T::text, flags, desc};
  f.max_length = max_len;
  f.format = format;
  return f;
}
F enumeration(std::string_view col, std::string_view json, uint32_t flags, std::string_view desc,
              std::vector<std::string_view> values, std::string_view def = {}) {
  F f{col, json, T::text, flags, desc};
  f.enum_values = std::move(values);
  f.default_json = def;
  return f;
}
F number(std::string_view col, std::string_view json, T type, uint32_t flags, std::string_view desc,
         std::optional<double> min, std::optional<double> max, std::string_view def = {}) {
  F f{col, json, type, flags, desc};
  f.min = min;
  f.max = max;
  f.default_json = def;
  return f;
}
F boolean(std::string_view col, std::string_view json, uint32_t flags, std::string_view desc,
          std::string_view def = {}) {
  F f{col, json, T::boolean, flags, desc};
  f.default_json = def;
  return f;
}
F of_type(std::string_view col, std::string_view json, T type, uint32_t flags, std::string_view desc,
          std::string_view def = {}) {
  F f{col, json, type, flags, desc};
  f.default_json = def;
  return f;
}
F with_default(F f, std::string_view def) {
  f.default_json = def;
  return f;
}
F with_min_length(F f, uint32_t min) {
  f.min_length = min;
  return f;
}

}  // namespace

const FieldSpec* EntitySpec::by_json(std::string_view n) const {
  for (const auto& f : fields)
    if (f.json == n) return &f;
  return nullptr;
}
const FieldSpec* EntitySpec::by_column(std::string_view n) const {
  for (const auto& f : fields)
    if (f.column == n) return &f;
  return nullptr;
}

std::string_view json_schema_type(FieldType type) {
  switch (type) {
    case T::text:
    case T::timestamp: return "string";
    case T::integer: return "integer";
    case T::real: return "number";
    case T::boolean: return "boolean";
    case T::json_array: return "array";
    case T::json_object: return "object";
    case T::json_any: return "";
  }
  return "";
}

const EntitySpec& agent_spec() {
  static const EntitySpec spec{
      "agents", "agent", "Agent",
      {id_field(), workspace_field(),
       text("name", "name", kRequired | kUnique | kFilter, "Name, unique in the workspace: letters, digits, spaces, '-' and '_'.", 50,
            Format::agent_name),
       text("description", "description", kNullable, "What the agent is for.", 2000),
       with_min_length(text("system_prompt", "systemPrompt", kRequired, "Instructions for the brain (≥ 10 characters).", 20000), 10),
       enumeration("template", "template", 0, "Starting template.", {"property_sales", "property_manager", "custom"}, "\"custom\""),
       text("greeting_message", "greetingMessage", kNullable, "Spoken when the call is answered.", 2000),
       text("instruction_template_id", "instructionTemplateId", kNullable,
            "Instruction template (issue 19 §2) whose content, rendered with the call's variables, is the system prompt; "
            "the greeting and voicemail message are rendered with the same variables. null = systemPrompt as written."),
       boolean("greet_on_answer", "greetOnAnswer", 0,
               "Outbound calls: speak the greeting as soon as the callee answers. false = wait for their hello, or for "
               "answering-machine detection's verdict (up to 2.5 s of silence); a person left 2 s without agent audio "
               "counts as an abandoned call.",
               "false"),
       text("voicemail_message", "voicemailMessage", kNullable,
            "Left on an answering machine after the beep; null = hang up on machines.", 2000),
       boolean("enabled", "enabled", 0, "Whether the agent takes and places calls.", "true"),
       text("elevenlabs_agent_id", "elevenlabsAgentId", kNullable, "Id of a mirrored ElevenLabs agent, if any.", 200),
       enumeration("purpose", "purpose", 0, "What the agent is for.", {"sales", "support", "appointment", "technical", "custom"}, "\"custom\""),
       text("custom_purpose", "customPurpose", kNullable, "Free-text purpose when purpose is custom.", 2000),
       with_default(text("voice_provider", "voiceProvider", 0, "Text-to-speech provider: flite, espeak-ng, elevenlabs.", 50), "\"flite\""),
       with_default(text("voice_id", "voiceId", 0, "Voice of the provider (flite: slt, rms, awb, kal16).", 200), "\"slt\""),
       enumeration("voice_style", "voiceStyle", 0, "Speaking style.", {"professional", "friendly", "energetic", "calm", "custom"}, "\"professional\""),
       number("speech_rate", "speechRate", T::real, 0, "Speech rate multiplier.", 0.5, 2.0, "1.0"),
       number("pitch", "pitch", T::real, 0, "Pitch multiplier.", 0.5, 2.0, "1.0"),
       with_default(text("language", "language", 0, "BCP-47 language tag, e.g. en-US.", 35, Format::bcp47), "\"en-US\""),
       number("response_delay_ms", "responseDelayMs", T::integer, 0, "Pause before the agent answers, ms.", 0, 2000, "300"),
       number("interruption_sensitivity", "interruptionSensitivity", T::real, 0, "How readily caller speech interrupts the agent (0–1).", 0, 1, "0.5"),
       number("silence_threshold_ms", "silenceThresholdMs", T::integer, 0, "Silence that ends the caller's turn, ms.", 500, 5000, "1000"),
       number("max_call_duration_min", "maxCallDurationMin", T::integer, 0, "Longest call, minutes.", 1, 60, "10"),
       number("temperature", "temperature", T::real, 0, "LLM sampling temperature.", 0, 2, "0.7"),
       number("max_tokens", "maxTokens", T::integer, 0, "LLM maximum tokens per reply.", 50, 2000, "300"),
       boolean("enable_transcription", "enableTranscription", 0, "Keep a transcript of calls.", "true"),
       boolean("enable_analytics", "enableAnalytics", 0, "Compute call analytics.", "true"),
       text("webhook_url", "webhookUrl", kNullable, "Receives call and job events (http or https URL).", 2048, Format::http_url),
       enumeration("status", "status", kFilter, "Operational status.", {"active", "idle", "offline", "configuring", "error"}, "\"idle\""),
       of_type("last_active_at", "lastActiveAt", T::timestamp, kReadOnly | kNullable, "Last call activity."),
       number("total_calls", "totalCalls", T::integer, kReadOnly, "Calls handled.", 0, std::nullopt, "0"),
       number("success_rate", "successRate", T::real, kReadOnly, "Percent of the agent's calls ending Demo Scheduled, Follow-up Needed or Transferred.", 0, 100, "0"),
       number("avg_call_duration_s", "avgCallDurationS", T::real, kReadOnly, "Average duration of the agent's connected calls, seconds.", 0, std::nullopt, "0"),
       number("satisfaction_rating", "satisfactionRating", T::real, kReadOnly | kNullable, "Average rating (0–5).", 0, 5),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& contact_spec() {
  static const EntitySpec spec{
      "contacts", "contact", "Contact",
      {id_field(), workspace_field(),
       with_min_length(text("name", "name", kRequired | kFilter, "Display name.", 200), 1),
       text("phone", "phone", kRequired | kUnique | kFilter, "Phone number; normalised to E.164 with the default region.", 64, Format::e164),
       text("notes", "notes", kNullable, "Free-text notes.", 10000),
       of_type("tags", "tags", T::json_array, 0, "Tags (array of strings).", "[]"),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& memory_spec() {
  static const EntitySpec spec{
      "memories", "memory", "Memory",
      {id_field(), workspace_field(),
       text("contact_id", "contactId", kReadOnly | kParent | kFilter, "The contact this memory is about."),
       with_min_length(text("content", "content", kRequired, "What to remember.", 10000), 1),
       enumeration("source", "source", 0, "auto (extracted from a call) or manual.", {"auto", "manual"}, "\"manual\""),
       text("call_id", "callId", kNullable | kImmutable, "The call it came from, if any."),
       created_at()}};
  return spec;
}

const EntitySpec& call_spec() {
  static const EntitySpec spec{
      "calls", "call", "Call",
      {id_field(), workspace_field(),
       text("agent_id", "agentId", kReadOnly | kFilter, "Agent that handled the call."),
       text("contact_id", "contactId", kReadOnly | kNullable | kFilter, "Contact on the other end, if known."),
       text("elevenlabs_conversation_id", "elevenlabsConversationId", kReadOnly | kNullable | kFilter, "ElevenLabs conversation id, if any."),
       enumeration("direction", "direction", kReadOnly | kFilter, "inbound or outbound.", {"inbound", "outbound"}),
       enumeration("status", "status", kReadOnly | kFilter, "How the call ended.", {"completed", "failed", "no_answer", "busy", "cancelled"}),
       text("from_phone", "fromPhone", kReadOnly | kNullable | kFilter, "Caller number (E.164)."),
       text("to_phone", "toPhone", kReadOnly | kNullable | kFilter, "Called number (E.164)."),
       text("summary", "summary", kReadOnly | kNullable, "Summary of the conversation."),
       of_type("transcript", "transcript", T::json_array, kReadOnly, "Transcript entries.", "[]"),
       number("duration", "duration", T::integer, kReadOnly | kNullable, "Duration, seconds.", 0, std::nullopt),
       text("recording_url", "recordingUrl", kReadOnly | kNullable, "Where the recording is."),
       of_type("recording_expires_at", "recordingExpiresAt", T::timestamp, kReadOnly | kNullable, "When the recording URL expires."),
       boolean("sms_sent", "smsSent", kReadOnly, "Whether the follow-up SMS was sent.", "false"),
       of_type("sms_sent_at", "smsSentAt", T::timestamp, kReadOnly | kNullable, "When the SMS was sent."),
       of_type("started_at", "startedAt", T::timestamp, kReadOnly | kNullable, "When the call was answered or placed."),
       of_type("ended_at", "endedAt", T::timestamp, kReadOnly | kNullable, "When the call ended."),
       created_at(),
       enumeration("outcome", "outcome", kReadOnly | kNullable | kFilter, "How the conversation ended.",
                   {"Demo Scheduled", "Follow-up Needed", "Not Interested", "Call Back Later", "Wrong Number",
                    "No Answer", "Voicemail", "Transferred", "Other"}),
       text("error_message", "errorMessage", kReadOnly | kNullable, "Why the call ended (SIP reason, timeout, ...)."),
       number("sip_code", "sipCode", T::integer, kReadOnly | kNullable, "Final SIP response code, if any.", 100, 699),
       of_type("system_info", "systemInfo", T::json_object, kReadOnly, "Codec, engines, audio facts of the call.", "{}"),
       of_type("turn_metrics", "turnMetrics", T::json_array, kReadOnly, "Per-turn latency stages, µs since answer.", "[]"),
       text("job_id", "jobId", kReadOnly | kNullable | kFilter, "Job that placed the call, if any."),
       text("job_call_id", "jobCallId", kReadOnly | kNullable, "Job call this call was an attempt of."),
       of_type("postcall_at", "postcallAt", T::timestamp, kReadOnly | kNullable,
               "When the outcome loop (contact, memories, SMS, webhooks) ran for this call."),
       // Migration 9 (issue 18 §8-9, docs/ANALYTICS.md).
       text("campaign_id", "campaignId", kReadOnly | kNullable | kFilter, "Campaign the call was placed for, if any."),
       text("swarm_agent_id", "swarmAgentId", kReadOnly | kNullable | kFilter, "Swarm agent (campaign member) that held the call, if any."),
       of_type("placed_at", "placedAt", T::timestamp, kReadOnly | kNullable,
               "When the INVITE left (outbound) or arrived (inbound): the instant the call counts in metrics by period."),
       number("ring_time_ms", "ringTimeMs", T::integer, kReadOnly | kNullable,
              "Outbound: INVITE sent to the answer or the final failure, ms. Inbound: 0 (answered at once).", 0, std::nullopt),
       number("agent_audio_after_answer_ms", "agentAudioAfterAnswerMs", T::integer, kReadOnly | kNullable,
              "The answer to the agent's first RTP packet of speech, ms; null when the agent never spoke.", 0, std::nullopt),
       boolean("answered_by_person", "answeredByPerson", kReadOnly,
               "Answered, and answering-machine detection said human or did not run.", "false"),
       boolean("abandoned", "abandoned", kReadOnly,
               "Answered by a person and no agent audio within 2 s of the answer (Ofcom's abandoned call, the FTC TSR 2 s rule).", "false"),
       text("callee_time_zone", "calleeTimeZone", kReadOnly | kNullable, "The callee's IANA time zone (peak hours, best days)."),
       number("quality_score", "qualityScore", T::real, kReadOnly | kNullable,
              "Conversation quality from call intelligence, 0-100; null before it ran.", 0, 100),
       number("script_adherence", "scriptAdherence", T::real, kReadOnly | kNullable,
              "Script adherence from call intelligence, 0-100; null before it ran.", 0, 100),
       boolean("flagged_for_review", "flaggedForReview", kReadOnly | kFilter,
               "The campaign's quality check flagged it: its quality score is under the campaign's successThreshold.", "false"),
       text("review_reason", "reviewReason", kReadOnly | kNullable, "Why it was flagged."),
       // Migration 13 (issue 18 §2): what the call's work cost (docs/ARCHITECTURE.md "Resource use of a call").
       number("cpu_ms", "cpuMs", T::integer, kReadOnly,
              "Thread CPU time of the call's work (its speech, brain and live stages on the worker pool, its "
              "summary, its sampled media-thread share), ms.", 0, std::nullopt, "0"),
       number("memory_bytes", "memoryBytes", T::integer, kReadOnly,
              "The call's own memory at its peak: pipeline state, the audio its rings held, its text, and its "
              "speech-to-text engine's state, bytes.", 0, std::nullopt, "0"),
       number("api_calls", "apiCalls", T::integer, kReadOnly,
              "HTTP requests and streaming sessions to providers (LLM, hosted STT and TTS, tools) made for the call.",
              0, std::nullopt, "0"),
       // Migration 15 (issue 18 §8): objection-handling success and the feed's sentiment (docs/ANALYTICS.md).
       number("objections_raised", "objectionsRaised", T::integer, kReadOnly | kNullable,
              "Objections the callee raised, from call intelligence; null before it ran.", 0, std::nullopt),
       number("objections_answered", "objectionsAnswered", T::integer, kReadOnly | kNullable,
              "Of them, those the agent answered (a later agent line addressed them); null before call intelligence ran.",
              0, std::nullopt),
       text("sentiment", "sentiment", kReadOnly | kNullable,
            "The callee's overall sentiment from call intelligence: positive, neutral or negative; null before it ran.")}};
  return spec;
}

const EntitySpec& campaign_spec() {
  static const EntitySpec spec{
      "campaigns", "campaign", "Campaign",
      {id_field(), workspace_field(),
       with_min_length(text("name", "name", kRequired | kFilter, "Campaign name.", 200), 1),
       text("description", "description", kNullable, "What the campaign is for.", 2000),
       created_at(), updated_at(),
       // The swarm specification's swarm_campaigns fields (issue 18 §1): `campaigns` is extended in place.
       enumeration("purpose", "purpose", 0, "What the campaign is for (the swarm specification's purposes).",
                   {"Discovery", "Support", "Appointment", "Follow-up", "Survey", "Custom"}, "\"Custom\""),
       enumeration("status", "status", kReadOnly | kFilter,
                   "scheduled (waits for its start date or a start), active, paused, stopped, completed; changed by "
                   "POST /api/campaigns/{id}/start|pause|resume|stop.",
                   {"scheduled", "active", "paused", "stopped", "completed"}, "\"scheduled\""),
       enumeration("priority", "priority", kFilter,
                   "Campaigns sharing the workspace's channels dial in this order (CRITICAL first).",
                   {"LOW", "MEDIUM", "HIGH", "CRITICAL"}, "\"MEDIUM\""),
       of_type("start_date", "startDate", T::timestamp, kNullable, "A scheduled campaign starts by itself at this instant (ISO-8601)."),
       of_type("end_date", "endDate", T::timestamp, kNullable, "A running campaign stops by itself at this instant (ISO-8601)."),
       of_type("active_hours", "activeHours", T::json_object, kNullable,
               "When calls are placed: {start \"HH:MM\", end \"HH:MM\", timezone (IANA), daysOfWeek [0=Sunday..6=Saturday]} "
               "(days as the swarm specification writes them); the campaign's time zone for its metrics."),
       number("min_agents", "minAgents", T::integer, 0, "Fewest active swarm agents (autoscaling floor).", 0, 1000, "1"),
       number("max_agents", "maxAgents", T::integer, 0, "Most active swarm agents (autoscaling ceiling).", 1, 1000, "5"),
       number("total_agents", "totalAgents", T::integer, kReadOnly, "Swarm agents in the campaign.", 0, std::nullopt, "0"),
       number("active_agents", "activeAgents", T::integer, kReadOnly,
              "Swarm agents taking calls (idle, active or calling): the campaign's concurrency.", 0, std::nullopt, "0"),
       boolean("autoscaling_enabled", "autoscalingEnabled", 0, "Whether the autoscaling rules run (every 10 s).", "false"),
       boolean("recording_enabled", "recordingEnabled", 0, "Whether the campaign's calls are recorded (off: none is written, and the call record says so).", "true"),
       boolean("analytics_enabled", "analyticsEnabled", 0, "Whether the campaign's calls are counted in its metrics.", "true"),
       enumeration("lead_source", "leadSource", 0, "Where the campaign's leads come from.",
                   {"csv_upload", "api_webhook", "manual_entry", "crm_integration"}, "\"csv_upload\""),
       of_type("lead_filter", "leadFilter", T::json_object, 0,
               "Which leads are dialed: {minLeadScore 0-100, maxAttempts 1-10, includeStatuses [..], excludeStatuses [..]}.", "{}"),
       number("calls_per_second", "callsPerSecond", T::real, 0, "Pace: most new calls per second (the trunk's CPS).", 0.01, 1000, "1"),
       of_type("retry", "retry", T::json_object, 0, "Retry policy: {maxAttempts 1-10, backoffMinutes 0-10080}.",
               "{\"maxAttempts\":3,\"backoffMinutes\":30}"),
       boolean("complete_on_objectives", "completeOnObjectives", 0,
               "Whether the campaign completes itself when all its critical objectives are met.", "true"),
       text("job_id", "jobId", kReadOnly | kNullable, "The dialer job that runs the campaign (created by its first start)."),
       number("total_calls", "totalCalls", T::integer, kReadOnly, "Calls placed (final results).", 0, std::nullopt, "0"),
       number("successful_calls", "successfulCalls", T::integer, kReadOnly,
              "Calls with a successful outcome (Demo Scheduled, Follow-up Needed, Transferred).", 0, std::nullopt, "0"),
       number("failed_calls", "failedCalls", T::integer, kReadOnly, "Calls not connected (failed, no answer, busy).", 0, std::nullopt, "0"),
       number("success_rate", "successRate", T::real, kReadOnly, "successfulCalls / totalCalls (0-1).", 0, 1, "0"),
       number("abandon_cap_percent", "abandonCapPercent", T::real, kNullable,
              "Abandon cap, %: over the last 30 days, when more than this share of the calls a person answered got no "
              "agent audio within 2 s, the campaign slows down (null: no cap).", 0, 100, "3"),
       number("ring_timeout_s", "ringTimeoutS", T::integer, 0, "How long a call rings before the dialer gives up, s (at least 15).", 15, 300, "30"),
       of_type("started_at", "startedAt", T::timestamp, kReadOnly | kNullable, "When the campaign first started."),
       of_type("completed_at", "completedAt", T::timestamp, kReadOnly | kNullable, "When it stopped or completed.")}};
  return spec;
}

const EntitySpec& upload_spec() {
  static const EntitySpec spec{
      "uploads", "upload", "Upload",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign the contacts were uploaded to."),
       text("filename", "filename", kReadOnly, "Name of the uploaded file."),
       number("total_rows", "totalRows", T::integer, kReadOnly, "Data rows in the file.", 0, std::nullopt),
       number("imported_rows", "importedRows", T::integer, kReadOnly, "Rows stored as batch contacts.", 0, std::nullopt),
       number("rejected_rows", "rejectedRows", T::integer, kReadOnly, "Rows rejected (see rejections).", 0, std::nullopt),
       created_at()}};
  return spec;
}

const EntitySpec& batch_contact_spec() {
  static const EntitySpec spec{
      "batch_contacts", "batch contact", "BatchContact",
      {id_field(), workspace_field(),
       text("upload_id", "uploadId", kReadOnly | kParent | kFilter, "Upload the row came from."),
       text("phone", "phone", kReadOnly | kFilter, "E.164 number."),
       text("name", "name", kReadOnly | kNullable, "Name, if the file had one."),
       of_type("variables", "variables", T::json_object, kReadOnly, "Other columns by header; extension if any.", "{}"),
       number("line", "line", T::integer, kReadOnly, "Line of the file where the row starts.", 1, std::nullopt),
       created_at(),
       text("email", "email", kReadOnly | kNullable, "E-mail address of the lead, if its source mapped one."),
       text("company", "company", kReadOnly | kNullable, "Company of the lead, if its source mapped one."),
       number("lead_score", "leadScore", T::real, kReadOnly | kNullable, "Lead score (0-100), if known.", 0, 100),
       enumeration("lead_status", "leadStatus", kReadOnly | kFilter, "Where the lead stands (issue 18 §7).",
                   {"new", "contacted", "qualified", "converted", "unqualified", "do_not_call"}, "\"new\""),
       text("lead_source_id", "leadSourceId", kReadOnly | kNullable | kFilter,
            "Lead source that brought the lead in (null for a CSV upload).")}};
  return spec;
}

const EntitySpec& lead_source_spec() {
  static const EntitySpec spec{
      "swarm_lead_sources", "lead source", "LeadSource",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kRequired | kImmutable | kFilter, "Campaign its leads go to."),
       with_min_length(text("name", "name", kRequired, "Name of the source.", 200), 1),
       enumeration("source_type", "sourceType", kRequired | kImmutable | kFilter, "How leads arrive.",
                   {"csv_upload", "api_webhook", "manual_entry", "crm_integration"}),
       of_type("field_mapping", "fieldMapping", T::json_object, 0,
               "Source column or JSON key of each lead field: {name, phone, email, company, leadScore, "
               "customFields: {source: target}} (a missing one reads the key of the field's own name).",
               "{}"),
       F{"api_token_hash", "apiTokenHash", T::text, kReadOnly | kWriteOnly | kNullable,
         "SHA-256 of the api_webhook token (the token is shown once)."},
       text("api_token_prefix", "apiTokenPrefix", kReadOnly | kNullable,
            "First characters of the api_webhook token, to recognise it."),
       of_type("crm_config", "crmConfig", T::json_object, kNullable,
               "crm_integration: {url, itemsPath (JSON pointer to the leads of a page, \"\" = the page is the array), "
               "nextPath (JSON pointer to the next page's URL or cursor), cursorParam (query parameter for a cursor), "
               "pageSize, pageSizeParam, intervalMinutes (1-10080)}."),
       of_type("crm_headers", "crmHeaders", T::json_object, kEncrypted,
               "Request headers of the CRM pull (name -> value); sealed at rest, every value shown as \"********\" "
               "(send \"********\" back to keep one).",
               "{}"),
       boolean("is_active", "isActive", kFilter, "Whether the source takes (and pulls) leads.", "true"),
       of_type("last_sync_at", "lastSyncAt", T::timestamp, kReadOnly | kNullable, "When leads last arrived or a pull ended."),
       enumeration("last_sync_status", "lastSyncStatus", kReadOnly | kNullable, "How the last push or pull went.",
                   {"success", "error"}),
       text("last_sync_error", "lastSyncError", kReadOnly | kNullable, "Why the last pull failed."),
       number("total_leads", "totalLeads", T::integer, kReadOnly, "Leads imported from this source.", 0, std::nullopt, "0"),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& upload_rejection_spec() {
  static const EntitySpec spec{
      "upload_rejections", "upload rejection", "UploadRejection",
      {id_field(), workspace_field(),
       text("upload_id", "uploadId", kReadOnly | kParent | kFilter, "Upload the row came from."),
       number("line", "line", T::integer, kReadOnly, "Line of the file where the row starts.", 1, std::nullopt),
       text("column_name", "column", kReadOnly, "Header of the offending column (\"\" for the whole row)."),
       text("reason", "reason", kReadOnly, "Why the row was rejected (or the warning)."),
       enumeration("severity", "severity", kReadOnly | kFilter, "error (row rejected) or warning (row imported).", {"error", "warning"}),
       created_at()}};
  return spec;
}

const EntitySpec& job_spec() {
  static const EntitySpec spec{
      "jobs", "job", "Job",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kRequired | kImmutable | kFilter, "Campaign of the job."),
       text("upload_id", "uploadId", kImmutable | kNullable | kFilter,
            "Upload whose batch contacts are called (required by POST /api/jobs); null for a campaign's job, which "
            "covers all the campaign's leads, including those added while it runs."),
       text("agent_id", "agentId", kRequired | kImmutable | kFilter, "Agent that places the calls."),
       enumeration("status", "status", kReadOnly | kFilter, "Job state.", {"pending", "running", "completed", "failed", "cancelled"}, "\"pending\""),
       number("total_calls", "totalCalls", T::integer, kReadOnly, "Job calls in the job.", 0, std::nullopt, "0"),
       number("completed_calls", "completedCalls", T::integer, kReadOnly, "Job calls completed.", 0, std::nullopt, "0"),
       number("failed_calls", "failedCalls", T::integer, kReadOnly, "Job calls failed.", 0, std::nullopt, "0"),
       of_type("started_at", "startedAt", T::timestamp, kReadOnly | kNullable, "When the job started."),
       of_type("finished_at", "finishedAt", T::timestamp, kReadOnly | kNullable, "When the job finished."),
       created_at(),
       number("max_concurrent", "maxConcurrent", T::integer, kImmutable, "Most calls in progress at once.", 1, 10000, "5"),
       number("calls_per_second", "callsPerSecond", T::real, kImmutable,
              "Most new calls (INVITEs) per second: the trunk's CPS limit.", 0.01, 1000, "1"),
       of_type("retry", "retry", T::json_object, kImmutable,
               "Retry policy for no_answer, busy and failed calls: {maxAttempts 1-10, backoffMinutes 0-10080}.",
               "{\"maxAttempts\":3,\"backoffMinutes\":30}"),
       of_type("calling_window", "callingWindow", T::json_object, kImmutable | kNullable,
               "When calls may be placed: {start \"HH:MM\", end \"HH:MM\", timezone (IANA), daysOfWeek [1=Mon..7=Sun]}."),
       text("error_message", "errorMessage", kReadOnly | kNullable, "Why the job failed."),
       of_type("paused_at", "pausedAt", T::timestamp, kReadOnly | kNullable, "When the job was paused (null = not paused)."),
       of_type("updated_at", "updatedAt", T::timestamp, kReadOnly | kNullable, "When the job last changed.")}};
  return spec;
}

const EntitySpec& job_call_spec() {
  static const EntitySpec spec{
      "job_calls", "job call", "JobCall",
      {id_field(), workspace_field(),
       text("job_id", "jobId", kReadOnly | kParent | kFilter, "Job of this call."),
       text("batch_contact_id", "batchContactId", kReadOnly, "Batch contact to call."),
       text("call_id", "callId", kReadOnly | kNullable, "The call placed, once placed."),
       enumeration("status", "status", kReadOnly | kFilter, "State.", {"pending", "calling", "completed", "failed"}, "\"pending\""),
       text("error_message", "errorMessage", kReadOnly | kNullable, "Why it failed (or was skipped)."),
       created_at(),
       text("phone", "phone", kReadOnly | kNullable, "Number dialed (E.164)."),
       text("attempt_call_id", "attemptCallId", kReadOnly | kNullable,
            "Id of the call being placed (written before its INVITE leaves)."),
       number("attempts", "attempts", T::integer, kReadOnly, "Calls placed so far.", 0, std::nullopt, "0"),
       of_type("next_attempt_at", "nextAttemptAt", T::timestamp, kReadOnly | kNullable, "Earliest time of the next attempt."),
       text("last_call_status", "lastCallStatus", kReadOnly | kNullable, "Status of the last call placed."),
       text("outcome", "outcome", kReadOnly | kNullable, "Outcome of the last answered call."),
       text("wait_reason", "waitReason", kReadOnly | kNullable, "Why a pending call is waiting (calling window, backoff)."),
       of_type("updated_at", "updatedAt", T::timestamp, kReadOnly | kNullable, "When the job call last changed."),
       text("swarm_agent_id", "swarmAgentId", kReadOnly | kNullable, "Swarm agent that placed the last attempt (campaign jobs).")}};
  return spec;
}

const EntitySpec& custom_function_spec() {
  static const EntitySpec spec{
      "custom_functions", "custom function", "CustomFunction",
      {id_field(), workspace_field(),
       text("agent_id", "agentId", kReadOnly | kParent | kFilter, "Agent that may call this function."),
       with_min_length(text("name", "name", kRequired | kUnique, "Tool name, unique per agent: letters, digits, '_' and '-' (≤ 64).", 64, Format::identifier), 1),
       with_min_length(text("description", "description", kRequired, "What the function does (shown to the LLM).", 2000), 1),
       text("endpoint", "endpoint", kRequired, "http(s) URL called with the arguments.", 2048, Format::http_url),
       enumeration("method", "method", 0, "HTTP method.", {"GET", "POST", "PUT", "PATCH", "DELETE"}, "\"POST\""),
       of_type("headers", "headers", T::json_object, kEncrypted,
               "Extra request headers (name → value); sealed at rest, every value shown as \"********\" "
               "(send \"********\" back to keep one).", "{}"),
       enumeration("auth_type", "authType", 0, "Authentication.", {"none", "api_key", "bearer", "basic"}, "\"none\""),
       of_type("auth_config", "authConfig", T::json_object, kWriteOnly | kNullable | kEncrypted,
               "Credentials for authType (encrypted at rest, never returned)."),
       of_type("parameters", "parameters", T::json_object, 0, "JSON Schema of the arguments.",
               "{\"type\":\"object\",\"properties\":{}}"),
       of_type("response_mapping", "responseMapping", T::json_object, kNullable, "How to map the response for the brain."),
       number("timeout", "timeout", T::integer, 0, "Timeout, seconds.", 1, 300, "30"),
       boolean("enabled", "enabled", 0, "Whether the brain may call it.", "true"),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& setting_spec() {
  static const EntitySpec spec{
      "settings", "setting", "Setting",
      {id_field(), workspace_field(),
       text("key", "key", kReadOnly | kUnique | kFilter, "Setting name."),
       of_type("value", "value", T::json_any, kRequired, "Setting value (JSON)."),
       updated_at()}};
  return spec;
}

const EntitySpec& agent_configuration_spec() {
  static const EntitySpec spec{
      "agent_configurations", "agent configuration", "AgentConfiguration",
      {id_field(), workspace_field(),
       text("agent_id", "agentId", kReadOnly | kParent | kFilter, "Agent configured."),
       number("version", "version", T::integer, kReadOnly, "Version, 1 for the first.", 1, std::nullopt),
       of_type("configuration", "configuration", T::json_object, kReadOnly, "Snapshot of the agent's configurable fields."),
       created_at(),
       boolean("is_active", "isActive", kReadOnly, "Whether this version is the agent's current configuration."),
       text("created_by", "createdBy", kReadOnly | kNullable,
            "Who wrote this version, as authenticated: user:<id>, key:<id> or cli (issue 16).")}};
  return spec;
}

const EntitySpec& job_event_spec() {
  static const EntitySpec spec{
      "job_events", "job event", "JobEvent",
      {F{"id", "id", T::integer, kReadOnly, "Event number (increasing)."}, workspace_field(),
       text("job_id", "jobId", kReadOnly | kParent | kFilter, "Job of the event."),
       text("job_call_id", "jobCallId", kReadOnly | kNullable, "Job call concerned, if any."),
       text("call_id", "callId", kReadOnly | kNullable, "Call concerned, if any."),
       enumeration("type", "type", kReadOnly | kFilter, "What was decided.",
                   {"state", "dial", "skip", "wait", "retry", "result", "pacing", "recover"}),
       text("message", "message", kReadOnly, "The decision and its reason, in words."),
       of_type("details", "details", T::json_object, kReadOnly, "Facts behind the decision.", "{}"),
       created_at()}};
  return spec;
}

const EntitySpec& do_not_call_spec() {
  static const EntitySpec spec{
      "do_not_call", "do-not-call entry", "DoNotCall",
      {id_field(), workspace_field(),
       text("phone", "phone", kRequired | kUnique | kFilter, "Number never to be dialed (normalised to E.164).", 32, Format::e164),
       text("reason", "reason", kNullable, "Why it is on the list.", 500),
       enumeration("source", "source", kReadOnly | kFilter, "api, import (CSV) or call (the callee asked).", {"api", "import", "call"}, "\"api\""),
       text("call_id", "callId", kReadOnly | kNullable, "Call in which the callee asked, for source call."),
       created_at()}};
  return spec;
}

const EntitySpec& sms_message_spec() {
  static const EntitySpec spec{
      "sms_messages", "SMS message", "SmsMessage",
      {id_field(), workspace_field(),
       text("call_id", "callId", kReadOnly | kNullable | kFilter, "Call the message follows up."),
       text("contact_id", "contactId", kReadOnly | kNullable, "Contact it was sent to."),
       text("agent_id", "agentId", kReadOnly | kNullable, "Agent of the call."),
       text("to_phone", "toPhone", kReadOnly, "Recipient (E.164)."),
       text("from_phone", "fromPhone", kReadOnly | kNullable, "Sender number or id."),
       text("body", "body", kReadOnly, "Message text."),
       enumeration("provider", "provider", kReadOnly | kFilter, "outbox (embedded) or twilio.", {"outbox", "twilio"}),
       enumeration("status", "status", kReadOnly | kFilter, "Delivery state.", {"queued", "sent", "delivered", "failed", "skipped"}),
       text("provider_message_id", "providerMessageId", kReadOnly | kNullable, "Provider's id (Twilio SID)."),
       text("error_message", "errorMessage", kReadOnly | kNullable, "Why it failed or was skipped."),
       number("attempts", "attempts", T::integer, kReadOnly, "Send attempts.", 0, std::nullopt, "0"),
       of_type("sent_at", "sentAt", T::timestamp, kReadOnly | kNullable, "When the provider accepted it."),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& webhook_event_spec() {
  static const EntitySpec spec{
      "webhook_events", "webhook event", "WebhookEvent",
      {id_field(), workspace_field(),
       number("seq", "seq", T::integer, kReadOnly, "Order of creation (delivery order per call).", 1, std::nullopt),
       enumeration("event", "event", kReadOnly | kFilter,
                   "Event type (call.escalated, call.flagged and campaign.alert are a campaign's supervisor alerts).",
                   {"call.started", "call.ended", "job.completed", "call.escalated", "call.flagged", "campaign.alert"}),
       text("url", "url", kReadOnly, "Receiver (the agent's webhookUrl)."),
       text("agent_id", "agentId", kReadOnly | kNullable | kFilter, "Agent whose webhook it is."),
       text("call_id", "callId", kReadOnly | kNullable | kFilter, "Call of the event."),
       text("job_id", "jobId", kReadOnly | kNullable | kFilter, "Job of the event."),
       of_type("payload", "payload", T::json_object, kReadOnly, "Body sent."),
       enumeration("status", "status", kReadOnly | kFilter, "Delivery state.", {"pending", "delivered", "failed"}),
       number("attempts", "attempts", T::integer, kReadOnly, "Delivery attempts.", 0, std::nullopt, "0"),
       number("failure_count", "failureCount", T::integer, kReadOnly, "Failed attempts.", 0, std::nullopt, "0"),
       number("last_status_code", "lastStatusCode", T::integer, kReadOnly | kNullable, "HTTP status of the last attempt.", 0, 999),
       text("last_error", "lastError", kReadOnly | kNullable, "Error of the last failed attempt."),
       of_type("next_attempt_at", "nextAttemptAt", T::timestamp, kReadOnly, "When the next attempt is due."),
       of_type("delivered_at", "deliveredAt", T::timestamp, kReadOnly | kNullable, "When the receiver accepted it."),
       created_at()}};
  return spec;
}

// ---- Swarm campaigns (issue 18): the swarm specification's tables. ----

const EntitySpec& swarm_agent_spec() {
  static const EntitySpec spec{
      "swarm_agents", "swarm agent", "SwarmAgent",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign the agent works for."),
       text("agent_id", "agentId", kReadOnly, "The swarm specification's agentId: the member's id (equal to id)."),
       text("voice_agent_id", "voiceAgentId", kRequired | kImmutable | kFilter, "Voice agent it is built from."),
       with_min_length(text("name", "name", kRequired | kUnique, "Name, unique in the campaign.", 100), 1),
       text("voice_model", "voiceModel", kNullable, "Variant: the voice (overrides the voice agent's voiceId).", 200),
       enumeration("personality_profile", "personalityProfile", kNullable, "Variant: personality.",
                   {"PROFESSIONAL", "FRIENDLY", "ENTHUSIASTIC", "CONSULTATIVE"}),
       text("script_version", "scriptVersion", kNullable, "Variant: script version. \"2\" or \"v2\" speaks version 2 of each call-flow step's template family (where it exists); "
            "any value is also given to the brain as the variable scriptVersion.", 100),
       enumeration("status", "status", kFilter,
                   "idle (ready), calling (holds a call), active (set by a manager: ready at the next tick), paused "
                   "(not dialing), offline (campaign not running), error (its voice agent cannot call).",
                   {"active", "paused", "idle", "calling", "offline", "error"}, "\"idle\""),
       text("current_call_id", "currentCallId", kReadOnly | kNullable, "The call it holds."),
       text("current_customer", "currentCustomer", kReadOnly | kNullable, "Who it is calling (name, or the number)."),
       of_type("last_activity_at", "lastActivityAt", T::timestamp, kReadOnly | kNullable, "Its last call start or end."),
       number("total_calls", "totalCalls", T::integer, kReadOnly, "Calls it placed (final results).", 0, std::nullopt, "0"),
       number("successful_calls", "successfulCalls", T::integer, kReadOnly, "Calls with a successful outcome.", 0, std::nullopt, "0"),
       number("total_duration_s", "totalDurationS", T::integer, kReadOnly, "Talk time, s.", 0, std::nullopt, "0"),
       number("answered_calls", "answeredCalls", T::integer, kReadOnly, "Its calls that were answered (had talk time).", 0, std::nullopt, "0"),
       number("average_duration_s", "averageDurationS", T::real, kReadOnly, "Mean talk time of its answered calls, s.", 0, std::nullopt, "0"),
       number("success_rate", "successRate", T::real, kReadOnly, "successfulCalls / totalCalls (0-1).", 0, 1, "0"),
       number("quality_score", "qualityScore", T::real, kReadOnly | kNullable,
              "Mean call-intelligence quality (0-100) of its calls that have one; null before the first.", 0, 100),
       number("cpu_ms", "cpuMs", T::integer, kReadOnly, "CPU time of its calls (the sum of their cpuMs), ms.", 0, std::nullopt, "0"),
       number("memory_bytes", "memoryBytes", T::integer, kReadOnly,
              "Peak memory of one of its calls (the largest of their memoryBytes), bytes.", 0, std::nullopt, "0"),
       number("api_calls", "apiCalls", T::integer, kReadOnly, "Requests its calls made to providers (the sum of their apiCalls).", 0, std::nullopt, "0"),
       text("error_message", "errorMessage", kReadOnly | kNullable, "Why it is in error."),
       created_at(), updated_at(),
       // Migration 13.
       number("quality_samples", "qualitySamples", T::integer, kReadOnly, "Its calls with a quality score (qualityScore's count).",
              0, std::nullopt, "0")}};
  return spec;
}

const EntitySpec& swarm_autoscaling_rule_spec() {
  static const EntitySpec spec{
      "swarm_autoscaling_rules", "autoscaling rule", "AutoscalingRule",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign of the rule."),
       with_min_length(text("name", "name", kRequired, "Rule name.", 200), 1),
       enumeration("rule_type", "ruleType", kRequired | kFilter, "Kind of rule.",
                   {"queue_based", "time_based", "performance_based", "cost_based"}),
       text("metric", "metric", kRequired,
            "queue_depth, wait_time (s), success_rate, connection_rate (0-1, last calls), cost_per_hour, turn_latency (ms), "
            "pace_to_finish (agents needed), active_agents, calling_agents, idle_agents, hour_of_day, day_of_week (0=Sunday).",
            40),
       enumeration("operator", "operator", kRequired, "Comparison of the metric with the threshold.", {">", ">=", "<", "<=", "=="}),
       number("threshold", "threshold", T::real, kRequired, "Value the metric is compared with.", std::nullopt, std::nullopt),
       enumeration("action", "action", kRequired, "What a rule that fires does.", {"scale_up", "scale_down", "maintain"}),
       number("scale_amount", "scaleAmount", T::integer, 0, "Agents added or removed per trigger.", 1, 100, "1"),
       number("cooldown_seconds", "cooldownSeconds", T::integer, 0, "Least time between two triggers, s.", 0, 86400, "60"),
       number("min_agents", "minAgents", T::integer, 0, "This rule never scales below.", 0, 1000, "0"),
       number("max_agents", "maxAgents", T::integer, 0, "This rule never scales above.", 0, 1000, "1000"),
       number("max_cost_per_hour", "maxCostPerHour", T::real, kNullable, "Scale up only while agents x cost per agent-hour stays under this.", 0, std::nullopt),
       number("priority", "priority", T::integer, 0, "Rules are evaluated by priority, higher first.", 0, 100, "5"),
       boolean("is_active", "isActive", kFilter, "Whether the rule is evaluated.", "true"),
       of_type("last_triggered_at", "lastTriggeredAt", T::timestamp, kReadOnly | kNullable, "When it last fired."),
       number("trigger_count", "triggerCount", T::integer, kReadOnly, "Times it fired.", 0, std::nullopt, "0"),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& swarm_objective_spec() {
  static const EntitySpec spec{
      "swarm_objectives", "objective", "Objective",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign of the objective."),
       with_min_length(text("objective", "objective", kRequired, "What is to be reached.", 200), 1),
       text("description", "description", kNullable, "More about it.", 2000),
       number("target_value", "targetValue", T::real, kRequired, "Target, in `unit`.", 0.0001, std::nullopt),
       number("current_value", "currentValue", T::real, kReadOnly, "Reached so far (updated with each call's result).", 0, std::nullopt, "0"),
       text("unit", "unit", kRequired,
            "calls (final results), connects (answered by a person), appointments, conversions (see docs/ANALYTICS.md), "
            "or an outcome name (e.g. \"Demo Scheduled\").", 40),
       enumeration("status", "status", kReadOnly | kFilter, "pending, in_progress, completed, failed.",
                   {"pending", "in_progress", "completed", "failed"}, "\"pending\""),
       number("completion_percentage", "completionPercentage", T::real, kReadOnly, "currentValue / targetValue, %, at most 100.", 0, 100, "0"),
       number("priority", "priority", T::integer, 0, "Importance, 1-10.", 1, 10, "5"),
       boolean("is_critical", "isCritical", 0, "The campaign may complete when all its critical objectives are met.", "false"),
       number("display_order", "order", T::integer, 0, "Position in lists.", 0, 10000, "0"),
       of_type("completed_at", "completedAt", T::timestamp, kReadOnly | kNullable, "When it was met."),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& swarm_activity_log_spec() {
  static const EntitySpec spec{
      "swarm_activity_logs", "activity", "SwarmActivity",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign."),
       text("swarm_agent_id", "swarmAgentId", kReadOnly | kNullable | kFilter, "Swarm agent concerned."),
       text("call_id", "callId", kReadOnly | kNullable, "Call concerned."),
       text("activity_type", "activityType", kReadOnly | kFilter,
            "campaign_started, campaign_paused, campaign_resumed, campaign_stopped, campaign_completed, campaign_updated, "
            "agent_added, agent_updated, agent_removed, agent_status, call_started, call_completed, call_failed, "
            "auto_scaled, objective_progress, objective_completed, leads_added, escalation, alert, error."),
       text("message", "message", kReadOnly, "What happened, in words."),
       enumeration("status", "status", kReadOnly | kFilter, "Colour: success (green), info (blue), warning (amber), error (red).",
                   {"success", "info", "warning", "error"}, "\"info\""),
       of_type("details", "details", T::json_object, kReadOnly, "Figures of the activity (e.g. an auto_scaled metric's value).", "{}"),
       created_at()}};
  return spec;
}

const EntitySpec& swarm_recent_call_spec() {
  static const EntitySpec spec{
      "swarm_recent_calls", "recent call", "SwarmRecentCall",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign."),
       text("swarm_agent_id", "swarmAgentId", kReadOnly | kNullable | kFilter, "Swarm agent that placed it."),
       text("agent_name", "agentName", kReadOnly | kNullable, "Its name."),
       text("call_id", "callId", kReadOnly, "The call (GET /api/calls/{id})."),
       text("prospect_name", "prospectName", kReadOnly | kNullable, "Who was called."),
       text("company", "company", kReadOnly | kNullable, "Their company (the lead's)."),
       text("phone", "phone", kReadOnly | kNullable, "Number dialed."),
       text("status", "status", kReadOnly | kFilter, "The call's status (completed, failed, no_answer, busy, cancelled)."),
       text("outcome", "outcome", kReadOnly | kNullable | kFilter, "One of the nine outcomes."),
       number("duration", "duration", T::integer, kReadOnly | kNullable, "Talk time, s.", 0, std::nullopt),
       number("quality_score", "qualityScore", T::real, kReadOnly | kNullable, "Call-intelligence quality (0-100).", 0, 100),
       text("sentiment", "sentiment", kReadOnly | kNullable,
            "The callee's overall sentiment from call intelligence: positive, neutral or negative (null until the "
            "call's intelligence is archived)."),
       text("notes", "notes", kReadOnly | kNullable, "The call's summary."),
       text("next_action", "nextAction", kReadOnly | kNullable, "What happens next (a retry, a callback, done)."),
       created_at()}};
  return spec;
}

// ---- Script templates and call flows (issue 18 §5). ----

const EntitySpec& swarm_script_template_spec() {
  static const EntitySpec spec{
      "swarm_script_templates", "script template", "ScriptTemplate",
      {id_field(), workspace_field(),
       with_min_length(text("name", "name", kRequired | kFilter, "Template name.", 200), 1),
       with_default(text("category", "category", kFilter, "Category, e.g. general, real_estate.", 100), "\"general\""),
       number("version", "version", T::integer, kReadOnly, "Version in its family (1 = the first).", 1, std::nullopt, "1"),
       text("parent_id", "parentId", kReadOnly | kFilter,
            "The family's first version (its own id for a first version); POST /api/script-templates/{id}/versions adds one."),
       with_min_length(text("opening", "opening", kRequired, "First turn; should end in a question. {{variables}} allowed.", 4000), 1),
       of_type("discovery_questions", "discoveryQuestions", T::json_array, 0, "Questions, one per turn (strings).", "[]"),
       text("value_proposition", "valueProposition", kNullable, "Should end in a yes/no question.", 4000),
       of_type("objection_responses", "objectionResponses", T::json_array, 0,
               "[{objection, response}]: the scripted brain answers price, competitor, no_time and send_info; every pair "
               "is given to an LLM agent.",
               "[]"),
       text("closing", "closing", kNullable, "Asks for the meeting and a time.", 4000),
       text("voicemail", "voicemail", kNullable, "Message left on an answering machine.", 4000),
       of_type("variables", "variables", T::json_array, 0,
               "Names used as {{name}}: contact fields (contact_name, first_name) and the lead's columns.", "[]"),
       boolean("is_active", "isActive", kFilter, "Whether it may be used.", "true"),
       boolean("is_builtin", "isBuiltin", kReadOnly | kFilter, "One of the built-in scripts (seeded, editable).", "false"),
       number("usage_count", "usageCount", T::integer, kReadOnly, "Stored calls that used it.", 0, std::nullopt, "0"),
       number("average_success_rate", "averageSuccessRate", T::real, kReadOnly,
              "Share of those calls with a successful outcome (Demo Scheduled, Follow-up Needed, Transferred), 0-1.", 0, 1, "0"),
       created_at(), updated_at()}};
  return spec;
}

const EntitySpec& swarm_call_flow_spec() {
  static const EntitySpec spec{
      "swarm_call_flows", "call-flow step", "CallFlowStep",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter, "Campaign of the step."),
       with_min_length(text("phase", "phase", kRequired | kUnique,
                            "Step name, unique in the campaign; opening, discovery, value_proposition, objection_handling "
                            "and closing choose the script part it speaks, any other name is a question step.",
                            100),
                       1),
       text("description", "description", kNullable, "What the step is for.", 2000),
       number("target_duration_s", "targetDurationS", T::integer, kNullable, "Intended time in the step, s.", 0, 3600),
       text("script_template_id", "scriptTemplateId", kNullable, "Script template whose part the step speaks (null: fallbackScript)."),
       text("fallback_script", "fallbackScript", kNullable, "Text spoken when the step has no template.", 4000),
       of_type("skip_conditions", "skipConditions", T::json_any, kNullable,
               "When the step is skipped (not spoken, its phase not entered): a condition or an array of them, any "
               "matching. A condition is {variable, exists: bool}, {variable, equals: value}, {variable, in: [values]} "
               "(variable: contact_name, first_name, agent_name or a lead/contact column; compared as text ignoring "
               "case) or {intentHeard: intent} (the callee already said it in this call; an intent name such as yes, "
               "no, not_interested, objection, question, call_back_later)."),
       of_type("success_criteria", "successCriteria", T::json_any, kNullable,
               "What counts as done: a text (told to an LLM agent as 'Done when: ...') or {intent | anyIntent: [...] | "
               "minTurns, maxTurns (1-10, default 2), description}: the scripted brain asks again until an answer "
               "with that intent (after minTurns answers) or maxTurns answers, then moves on; the call records each "
               "step as met, not_met or skipped (systemInfo.callFlowSteps)."),
       number("display_order", "order", T::integer, 0, "Position in the flow (ascending).", 0, 10000, "0"),
       number("average_duration_s", "averageDurationS", T::real, kReadOnly, "Measured mean time in the step, s.", 0, std::nullopt, "0"),
       number("sample_count", "sampleCount", T::integer, kReadOnly, "Calls measured.", 0, std::nullopt, "0"),
       created_at(), updated_at()}};
  return spec;
}

// ---- Swarm configuration and escalation (issue 18 §6). ----

const EntitySpec& swarm_configuration_spec() {
  static const EntitySpec spec{
      "swarm_configurations", "swarm configuration", "SwarmConfiguration",
      {id_field(), workspace_field(),
       text("campaign_id", "campaignId", kReadOnly | kParent | kFilter | kUnique, "Campaign it configures (one each)."),
       text("model", "model", kNullable, "LLM model for the campaign's calls (null: the workspace's llm setting).", 200),
       number("temperature", "temperature", T::real, kNullable, "LLM sampling temperature (null: the agent's).", 0, 2),
       number("max_tokens", "maxTokens", T::integer, kNullable, "LLM tokens per reply (null: the agent's).", 50, 2000),
       text("system_prompt", "systemPrompt", kNullable, "Instructions for the brain, replacing the agent's (null: the agent's).", 20000),
       enumeration("voice_provider", "voiceProvider", kNullable, "Text-to-speech provider (null: the agent's).",
                   {"flite", "espeak-ng", "elevenlabs"}),
       text("voice_model", "voiceModel", kNullable, "Voice of the provider (null: the agent's voiceId; a member's variant wins).", 200),
       number("speaking_rate", "speakingRate", T::real, kNullable, "Speech-rate multiplier, 0.5-2.0 (null: the agent's).", 0.5, 2),
       number("clarity", "clarity", T::real, kNullable,
              "Voice clarity 0-1: ElevenLabs voice_settings.similarity_boost for the campaign's calls; flite and espeak-ng have no such control.", 0, 1),
       text("language", "language", kNullable, "BCP 47 language of the calls (null: the agent's).", 35, Format::bcp47),
       enumeration("personality", "personality", kNullable, "Manner of the agents (a member's personalityProfile wins).",
                   {"PROFESSIONAL", "FRIENDLY", "ENTHUSIASTIC", "CONSULTATIVE"}),
       text("tone", "tone", kNullable, "Tone in a few words, e.g. \"warm and calm\".", 100),
       enumeration("formality", "formality", kNullable, "Register of speech.", {"casual", "neutral", "formal"}),
       enumeration("objection_style", "objectionStyle", kNullable, "How objections are answered.",
                   {"EMPATHETIC", "LOGICAL", "PERSISTENT", "ACCOMMODATING"}),
       number("max_call_duration_min", "maxCallDurationMin", T::integer, kNullable, "Longest call, minutes (null: the agent's).", 1, 60),
       number("retry_attempts", "retryAttempts", T::integer, kNullable,
              "Attempts per lead when the campaign starts (null: the campaign's retry.maxAttempts).", 1, 10),
       number("queue_timeout_s", "queueTimeoutS", T::integer, kNullable,
              "A due lead waiting longer than this for a free agent raises a queue_timeout alert, s (null: never).", 10, 86400),
       number("success_threshold", "successThreshold", T::real, 0,
              "Quality score (0-100) under which the quality check flags a call for review.", 0, 100, "60"),
       boolean("escalate_on_human_request", "escalateOnHumanRequest", 0, "Escalate when the callee asks for a person.", "true"),
       number("negative_sentiment_turns", "negativeSentimentTurns", T::integer, 0,
              "Escalate after this many consecutive negative callee turns (0: off).", 0, 10, "0"),
       number("repeated_objection_count", "repeatedObjectionCount", T::integer, 0,
              "Escalate when the same objection is raised this many times (0: off).", 0, 10, "0"),
       of_type("escalation_keywords", "escalationKeywords", T::json_array, 0,
               "Words or phrases (at most 50, each 1-100 characters) that escalate when the callee says one.", "[]"),
       boolean("auto_transfer", "autoTransfer", 0, "Transfer the call to transferNumber when an escalation fires.", "false"),
       text("transfer_number", "transferNumber", kNullable, "Human to transfer to: E.164 number or sip:/sips: URI.", 300),
       boolean("supervisor_alerts", "supervisorAlerts", 0,
               "Escalations and flagged calls are sent as realtime alerts and the call.escalated / call.flagged webhooks.", "true"),
       text("alert_webhook_url", "alertWebhookUrl", kNullable, "Where alert webhooks go (null: the agent's webhookUrl).", 2000,
            Format::http_url),
       boolean("quality_check", "qualityCheck", 0, "Flag calls whose quality score is under successThreshold for review.", "false"),
       created_at(), updated_at()}};
  return spec;
}

// ---- Instruction templates (issue 19 §2). ----

const EntitySpec& instruction_template_spec() {
  static const EntitySpec spec{
      "instruction_templates", "instruction template", "InstructionTemplate",
      {id_field(), workspace_field(),
       with_min_length(text("name", "name", kRequired | kFilter, "Template name.", 200), 1),
       with_min_length(text("content", "content", kRequired,
                            "Instructions (an agent's system prompt) with {{variables}}: contact.name, contact.first_name, "
                            "contact.phone, lead.<column>, campaign.name, agent.name, now:date, now:time and the declared "
                            "custom ones ({{vars.x}} or {{x}}); an unknown or undeclared one is refused with 422.",
                            20000),
                       1),
       of_type("variables", "variables", T::json_array, 0,
               "Declared custom variables: [{name, type: string|number|date|boolean, default?, description?}]; a date "
               "is YYYY-MM-DD; an empty value at call time speaks the default.",
               "[]"),
       with_default(text("category", "category", kFilter, "Category, e.g. sales, support, appointment.", 100), "\"general\""),
       boolean("is_public", "isPublic", kFilter, "Every workspace on the server may read it and use it (only its own may edit it).",
               "false"),
       boolean("is_system", "isSystem", kReadOnly | kFilter,
               "Shipped with voqo (seeded into each workspace, read-only through the API).", "false"),
       number("usage_count", "usageCount", T::integer, kReadOnly, "Calls that used it.", 0, std::nullopt, "0"),
       number("rating", "rating", T::real, kNullable, "Rating, 0-5.", 0, 5),
       created_at(), updated_at()}};
  return spec;
}

std::span<const EntitySpec* const> all_specs() {
  static const std::array<const EntitySpec*, 27> all = {
      &agent_spec(),       &contact_spec(),   &call_spec(),          &memory_spec(),
      &campaign_spec(),    &upload_spec(),    &batch_contact_spec(), &upload_rejection_spec(),
      &job_spec(),         &job_call_spec(),  &custom_function_spec(), &setting_spec(),
      &agent_configuration_spec(), &job_event_spec(), &do_not_call_spec(), &sms_message_spec(),
      &webhook_event_spec(), &swarm_agent_spec(), &swarm_autoscaling_rule_spec(), &swarm_objective_spec(),
      &swarm_activity_log_spec(), &swarm_recent_call_spec(), &lead_source_spec(),
      &swarm_script_template_spec(), &swarm_call_flow_spec(), &swarm_configuration_spec(),
      &instruction_template_spec()};
  return all;
}

}  // namespace voqo::model
