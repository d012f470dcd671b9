#include "store/migrations.hpp"

#include "store/instruction_templates.hpp"
#include "store/script_templates.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/id.hpp"
#include "core/time.hpp"
#include "store/analytics.hpp"
#include "store/settings.hpp"

namespace voqo::store {
namespace {

// Version 1: the data model of issue 2 (names, types, constraints, indexes as
// the data-model specification gives them) plus voqo's own bookkeeping:
// uploads.imported_rows/rejected_rows, batch_contacts.line and
// upload_rejections (the per-row import report), and (created_at, id)
// indexes that back cursor pagination.
constexpr std::string_view kV1 = R"SQL(
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 50),
  description TEXT,
  system_prompt TEXT NOT NULL CHECK (length(system_prompt) >= 10),
  template TEXT NOT NULL DEFAULT 'custom' CHECK (template IN ('property_sales','property_manager','custom')),
  greeting_message TEXT,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0,1)),
  elevenlabs_agent_id TEXT,
  purpose TEXT NOT NULL DEFAULT 'custom' CHECK (purpose IN ('sales','support','appointment','technical','custom')),
  custom_purpose TEXT,
  voice_provider TEXT NOT NULL DEFAULT 'flite',
  voice_id TEXT NOT NULL DEFAULT 'slt',
  voice_style TEXT NOT NULL DEFAULT 'professional' CHECK (voice_style IN ('professional','friendly','energetic','calm','custom')),
  speech_rate REAL NOT NULL DEFAULT 1.0 CHECK (speech_rate BETWEEN 0.5 AND 2.0),
  pitch REAL NOT NULL DEFAULT 1.0 CHECK (pitch BETWEEN 0.5 AND 2.0),
  language TEXT NOT NULL DEFAULT 'en-US',
  response_delay_ms INTEGER NOT NULL DEFAULT 300 CHECK (response_delay_ms BETWEEN 0 AND 2000),
  interruption_sensitivity REAL NOT NULL DEFAULT 0.5 CHECK (interruption_sensitivity BETWEEN 0 AND 1),
  silence_threshold_ms INTEGER NOT NULL DEFAULT 1000 CHECK (silence_threshold_ms BETWEEN 500 AND 5000),
  max_call_duration_min INTEGER NOT NULL DEFAULT 10 CHECK (max_call_duration_min BETWEEN 1 AND 60),
  temperature REAL NOT NULL DEFAULT 0.7 CHECK (temperature BETWEEN 0 AND 2),
  max_tokens INTEGER NOT NULL DEFAULT 300 CHECK (max_tokens BETWEEN 50 AND 2000),
  enable_transcription INTEGER NOT NULL DEFAULT 1 CHECK (enable_transcription IN (0,1)),
  enable_analytics INTEGER NOT NULL DEFAULT 1 CHECK (enable_analytics IN (0,1)),
  webhook_url TEXT,
  status TEXT NOT NULL DEFAULT 'idle' CHECK (status IN ('active','idle','offline','configuring','error')),
  last_active_at TEXT,
  total_calls INTEGER NOT NULL DEFAULT 0,
  success_rate REAL NOT NULL DEFAULT 0,
  avg_call_duration_s REAL NOT NULL DEFAULT 0,
  satisfaction_rating REAL CHECK (satisfaction_rating IS NULL OR satisfaction_rating BETWEEN 0 AND 5),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_agents_created ON agents (created_at, id);
CREATE INDEX idx_agents_status ON agents (status);

CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT NOT NULL UNIQUE,
  notes TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_contacts_phone ON contacts (phone);
CREATE INDEX idx_contacts_name ON contacts (name);
CREATE INDEX idx_contacts_created ON contacts (created_at, id);

CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  contact_id TEXT REFERENCES contacts (id) ON DELETE SET NULL,
  elevenlabs_conversation_id TEXT UNIQUE,
  direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
  status TEXT NOT NULL CHECK (status IN ('completed','failed','no_answer','busy','cancelled')),
  from_phone TEXT,
  to_phone TEXT,
  summary TEXT,
  transcript TEXT NOT NULL DEFAULT '[]',
  duration INTEGER,
  recording_url TEXT,
  recording_expires_at TEXT,
  sms_sent INTEGER NOT NULL DEFAULT 0 CHECK (sms_sent IN (0,1)),
  sms_sent_at TEXT,
  started_at TEXT,
  ended_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_calls_agent_id ON calls (agent_id);
CREATE INDEX idx_calls_contact_id ON calls (contact_id);
CREATE INDEX idx_calls_from_phone ON calls (from_phone);
CREATE INDEX idx_calls_to_phone ON calls (to_phone);
CREATE INDEX idx_calls_created_at ON calls (created_at, id);
CREATE INDEX idx_calls_elevenlabs_conversation_id ON calls (elevenlabs_conversation_id);
CREATE INDEX idx_calls_status ON calls (status);

CREATE TABLE memories (
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  content TEXT NOT NULL CHECK (length(content) >= 1),
  source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('auto','manual')),
  call_id TEXT REFERENCES calls (id) ON DELETE SET NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_memories_contact_id ON memories (contact_id, created_at, id);

CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_campaigns_created ON campaigns (created_at, id);
CREATE INDEX idx_campaigns_name ON campaigns (name);

CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  filename TEXT NOT NULL,
  total_rows INTEGER NOT NULL,
  imported_rows INTEGER NOT NULL DEFAULT 0,
  rejected_rows INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_uploads_campaign_id ON uploads (campaign_id, created_at, id);
CREATE INDEX idx_uploads_created ON uploads (created_at, id);

CREATE TABLE batch_contacts (
  id TEXT PRIMARY KEY,
  upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  phone TEXT NOT NULL,
  name TEXT,
  variables TEXT NOT NULL DEFAULT '{}',
  line INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_batch_contacts_upload_id ON batch_contacts (upload_id, line);

CREATE TABLE upload_rejections (
  id TEXT PRIMARY KEY,
  upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  column_name TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  severity TEXT NOT NULL DEFAULT 'error' CHECK (severity IN ('error','warning')),
  created_at TEXT NOT NULL
);
CREATE INDEX idx_upload_rejections_upload_id ON upload_rejections (upload_id, line);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','completed','failed','cancelled')),
  total_calls INTEGER NOT NULL DEFAULT 0,
  completed_calls INTEGER NOT NULL DEFAULT 0,
  failed_calls INTEGER NOT NULL DEFAULT 0,
  started_at TEXT,
  finished_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_jobs_campaign_id ON jobs (campaign_id);
CREATE INDEX idx_jobs_status ON jobs (status);
CREATE INDEX idx_jobs_agent_id ON jobs (agent_id);
CREATE INDEX idx_jobs_created ON jobs (created_at, id);

CREATE TABLE job_calls (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  batch_contact_id TEXT NOT NULL REFERENCES batch_contacts (id) ON DELETE CASCADE,
  call_id TEXT REFERENCES calls (id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','calling','completed','failed')),
  error_message TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_job_calls_job_id ON job_calls (job_id, created_at, id);
CREATE INDEX idx_job_calls_status ON job_calls (job_id, status);

CREATE TABLE custom_functions (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  method TEXT NOT NULL DEFAULT 'POST' CHECK (method IN ('GET','POST','PUT','PATCH','DELETE')),
  headers TEXT NOT NULL DEFAULT '{}',
  auth_type TEXT NOT NULL DEFAULT 'none' CHECK (auth_type IN ('none','api_key','bearer','basic')),
  auth_config TEXT,
  parameters TEXT NOT NULL DEFAULT '{"type":"object","properties":{}}',
  response_mapping TEXT,
  timeout INTEGER NOT NULL DEFAULT 30 CHECK (timeout BETWEEN 1 AND 300),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0,1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (agent_id, name)
);
CREATE INDEX idx_custom_functions_agent_id ON custom_functions (agent_id, created_at, id);

CREATE TABLE settings (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE agent_configurations (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  configuration TEXT NOT NULL,
  created_at TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0,1)),
  UNIQUE (agent_id, version)
);
CREATE INDEX idx_agent_configurations_agent_id ON agent_configurations (agent_id);
CREATE INDEX idx_agent_configurations_active ON agent_configurations (agent_id, is_active);
)SQL";

// Issue 3: what a call leaves behind beyond the data model's columns (its
// outcome, why it ended, the SIP code, codec and engine facts, turn timings),
// the agent's voicemail message, and the live_calls registry of calls in
// flight (the live-monitoring spec's table; a row left behind by a crash is
// how a restart finds calls to close as "interrupted").
constexpr std::string_view kV2 = R"SQL(
ALTER TABLE calls ADD COLUMN outcome TEXT CHECK (outcome IN ('Demo Scheduled','Follow-up Needed','Not Interested',
  'Call Back Later','Wrong Number','No Answer','Voicemail','Transferred','Other'));
ALTER TABLE calls ADD COLUMN error_message TEXT;
ALTER TABLE calls ADD COLUMN sip_code INTEGER;
ALTER TABLE calls ADD COLUMN system_info TEXT NOT NULL DEFAULT '{}';
ALTER TABLE calls ADD COLUMN turn_metrics TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agents ADD COLUMN voicemail_message TEXT;
CREATE TABLE live_calls (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE,
  agent_id TEXT,
  agent_name TEXT,
  customer_name TEXT,
  customer_phone TEXT,
  direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
  status TEXT NOT NULL CHECK (status IN ('connecting','ringing','connected','on-hold','transferring')),
  start_time TEXT NOT NULL,
  duration INTEGER NOT NULL DEFAULT 0,
  current_phase TEXT,
  campaign_id TEXT,
  campaign_name TEXT,
  is_recording INTEGER NOT NULL DEFAULT 0 CHECK (is_recording IN (0,1)),
  recording_start_time TEXT,
  agent_gain INTEGER NOT NULL DEFAULT 0 CHECK (agent_gain BETWEEN 0 AND 100),
  customer_gain INTEGER NOT NULL DEFAULT 0 CHECK (customer_gain BETWEEN 0 AND 100),
  current_speaker TEXT,
  sip_endpoint TEXT,
  session_id TEXT,
  node TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_live_calls_status ON live_calls (status);
)SQL";

// Issue 4: campaigns run by the dialer and the outcome loop. Jobs get their
// pacing, retry policy and calling window; job calls their attempts and when
// the next one may be placed (attempt_call_id: the call being placed, written
// before its INVITE and before its call record exists); job_events is the audit log of every dial
// decision (dial, skip, wait, retry, pacing change, state change, recovery);
// do_not_call is the DNC list; sms_messages the embedded SMS outbox;
// webhook_events the persistent webhook outbox (id = idempotency key);
// calls.postcall_at marks a call whose outcome loop has run (a restart runs
// it for stored calls that lack it).
constexpr std::string_view kV3 = R"SQL(
ALTER TABLE jobs ADD COLUMN max_concurrent INTEGER NOT NULL DEFAULT 5 CHECK (max_concurrent BETWEEN 1 AND 10000);
ALTER TABLE jobs ADD COLUMN calls_per_second REAL NOT NULL DEFAULT 1 CHECK (calls_per_second > 0 AND calls_per_second <= 1000);
ALTER TABLE jobs ADD COLUMN retry TEXT NOT NULL DEFAULT '{"maxAttempts":3,"backoffMinutes":30}';
ALTER TABLE jobs ADD COLUMN calling_window TEXT;
ALTER TABLE jobs ADD COLUMN error_message TEXT;
ALTER TABLE jobs ADD COLUMN paused_at TEXT;
ALTER TABLE jobs ADD COLUMN updated_at TEXT;
ALTER TABLE job_calls ADD COLUMN phone TEXT;
ALTER TABLE job_calls ADD COLUMN attempt_call_id TEXT;
ALTER TABLE job_calls ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_calls ADD COLUMN next_attempt_at TEXT;
ALTER TABLE job_calls ADD COLUMN last_call_status TEXT;
ALTER TABLE job_calls ADD COLUMN outcome TEXT;
ALTER TABLE job_calls ADD COLUMN wait_reason TEXT;
ALTER TABLE job_calls ADD COLUMN updated_at TEXT;
CREATE INDEX idx_job_calls_due ON job_calls (job_id, status, next_attempt_at);
CREATE INDEX idx_job_calls_attempt ON job_calls (attempt_call_id);
ALTER TABLE calls ADD COLUMN job_id TEXT;
ALTER TABLE calls ADD COLUMN job_call_id TEXT;
ALTER TABLE calls ADD COLUMN postcall_at TEXT;
UPDATE calls SET postcall_at = coalesce(ended_at, created_at);
CREATE INDEX idx_calls_job_id ON calls (job_id);

CREATE TABLE job_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  job_call_id TEXT,
  call_id TEXT,
  type TEXT NOT NULL CHECK (type IN ('state','dial','skip','wait','retry','result','pacing','recover')),
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX idx_job_events_job_id ON job_events (job_id, id);

CREATE TABLE do_not_call (
  id TEXT PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  reason TEXT,
  source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api','import','call')),
  call_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_do_not_call_created ON do_not_call (created_at, id);

CREATE TABLE sms_messages (
  id TEXT PRIMARY KEY,
  call_id TEXT REFERENCES calls (id) ON DELETE SET NULL,
  contact_id TEXT REFERENCES contacts (id) ON DELETE SET NULL,
  agent_id TEXT,
  to_phone TEXT NOT NULL,
  from_phone TEXT,
  body TEXT NOT NULL,
  provider TEXT NOT NULL DEFAULT 'outbox' CHECK (provider IN ('outbox','twilio')),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','delivered','failed','skipped')),
  provider_message_id TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_sms_messages_created ON sms_messages (created_at, id);
CREATE INDEX idx_sms_messages_call_id ON sms_messages (call_id);
CREATE INDEX idx_sms_messages_status ON sms_messages (status);

CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  event TEXT NOT NULL CHECK (event IN ('call.started','call.ended','job.completed')),
  url TEXT NOT NULL,
  agent_id TEXT,
  call_id TEXT,
  job_id TEXT,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  failure_count INTEGER NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error TEXT,
  next_attempt_at TEXT NOT NULL,
  delivered_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_webhook_events_due ON webhook_events (status, next_attempt_at, seq);
CREATE INDEX idx_webhook_events_call_id ON webhook_events (call_id, seq);
CREATE INDEX idx_webhook_events_created ON webhook_events (created_at, id);
)SQL";


// Issue 5: live call monitoring. The live-monitoring specification's tables
// (snake_case of its names, its fields and enumerations); every child row
// belongs to its live_calls row by call_id and goes with it (ON DELETE
// CASCADE) when the retention job purges a call that ended (live_calls gets
// ended_at: an ended call keeps its rows, hidden from "live" lists, until
// then). CHECK constraints are named after their column so that a violation
// ("CHECK constraint failed: <column>") names the offending field.
// live_transcripts: one row per utterance (entry_id), interim text replaced
// by its final; `order` is assigned at the first insert. call_analytics is
// the call's history: the summary of its live data written when it ends,
// kept after the purge (no foreign key: it may be written before or after
// the calls row).
constexpr std::string_view kV4 = R"SQL(
ALTER TABLE live_calls ADD COLUMN ended_at TEXT;
CREATE INDEX idx_live_calls_ended ON live_calls (ended_at);
CREATE INDEX idx_live_calls_start ON live_calls (start_time, id);
CREATE INDEX idx_live_calls_node ON live_calls (node);

CREATE TABLE live_transcripts (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES live_calls (call_id) ON DELETE CASCADE,
  entry_id TEXT NOT NULL CONSTRAINT entry_id CHECK (length(entry_id) BETWEEN 1 AND 200),
  speaker TEXT NOT NULL CONSTRAINT speaker CHECK (speaker IN ('agent','caller','supervisor')),
  text TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  start_ms INTEGER NOT NULL DEFAULT 0 CONSTRAINT start_ms CHECK (start_ms >= 0),
  end_ms INTEGER NOT NULL DEFAULT 0 CONSTRAINT end_ms CHECK (end_ms >= 0),
  sentiment TEXT CONSTRAINT sentiment CHECK (sentiment IN ('positive','neutral','negative')),
  confidence REAL NOT NULL DEFAULT 1 CONSTRAINT confidence CHECK (confidence BETWEEN 0 AND 1),
  is_final INTEGER NOT NULL DEFAULT 0 CHECK (is_final IN (0,1)),
  interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0,1)),
  "order" INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (call_id, entry_id)
);
CREATE INDEX idx_live_transcripts_order ON live_transcripts (call_id, "order");

CREATE TABLE call_phases (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES live_calls (call_id) ON DELETE CASCADE,
  name TEXT NOT NULL CONSTRAINT name CHECK (length(name) BETWEEN 1 AND 100),
  status TEXT NOT NULL CONSTRAINT status CHECK (status IN ('pending','active','completed','skipped')),
  start_time TEXT,
  end_time TEXT,
  duration REAL CONSTRAINT duration CHECK (duration >= 0),
  quality REAL CONSTRAINT quality CHECK (quality BETWEEN 0 AND 100),
  "order" INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_call_phases_call ON call_phases (call_id, "order");

CREATE TABLE call_objectives (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES live_calls (call_id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  title TEXT NOT NULL CONSTRAINT title CHECK (length(title) >= 1),
  status TEXT NOT NULL CONSTRAINT status CHECK (status IN ('pending','in_progress','completed','failed')),
  "order" INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (call_id, key)
);
CREATE INDEX idx_call_objectives_call ON call_objectives (call_id, "order");

CREATE TABLE next_actions (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES live_calls (call_id) ON DELETE CASCADE,
  type TEXT NOT NULL CONSTRAINT type CHECK (type IN ('immediate','next','follow-up')),
  action TEXT NOT NULL CONSTRAINT action CHECK (length(action) >= 1),
  reason TEXT,
  priority INTEGER CONSTRAINT priority CHECK (priority BETWEEN 1 AND 10),
  "order" INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_next_actions_call ON next_actions (call_id, "order");

CREATE TABLE coaching_recommendations (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES live_calls (call_id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  type TEXT NOT NULL CONSTRAINT type CHECK (type IN ('positive','warning','suggestion')),
  title TEXT NOT NULL CONSTRAINT title CHECK (length(title) >= 1),
  description TEXT NOT NULL DEFAULT '',
  priority INTEGER NOT NULL CONSTRAINT priority CHECK (priority BETWEEN 1 AND 10),
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),
  "order" INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (call_id, key)
);
CREATE INDEX idx_coaching_recommendations_call ON coaching_recommendations (call_id, "order");

CREATE TABLE sentiment_analysis (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE REFERENCES live_calls (call_id) ON DELETE CASCADE,
  positive REAL NOT NULL CONSTRAINT positive CHECK (positive BETWEEN 0 AND 100),
  neutral REAL NOT NULL CONSTRAINT neutral CHECK (neutral BETWEEN 0 AND 100),
  negative REAL NOT NULL CONSTRAINT negative CHECK (negative BETWEEN 0 AND 100),
  overall TEXT NOT NULL CONSTRAINT overall CHECK (overall IN ('positive','neutral','negative')),
  trend TEXT NOT NULL CONSTRAINT trend CHECK (trend IN ('improving','stable','declining')),
  last_positive_text TEXT,
  last_positive_at TEXT,
  last_negative_text TEXT,
  last_negative_at TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE live_performance_metrics (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE REFERENCES live_calls (call_id) ON DELETE CASCADE,
  script_adherence REAL CONSTRAINT script_adherence CHECK (script_adherence BETWEEN 0 AND 100),
  agent_confidence REAL CONSTRAINT agent_confidence CHECK (agent_confidence BETWEEN 0 AND 100),
  conversation_quality REAL CONSTRAINT conversation_quality CHECK (conversation_quality BETWEEN 0 AND 100),
  prospect_engagement REAL CONSTRAINT prospect_engagement CHECK (prospect_engagement BETWEEN 0 AND 100),
  voice_energy TEXT CONSTRAINT voice_energy CHECK (voice_energy IN ('LOW','MEDIUM','HIGH')),
  response_quality TEXT CONSTRAINT response_quality CHECK (response_quality IN ('POOR','FAIR','GOOD','EXCELLENT')),
  question_frequency REAL CONSTRAINT question_frequency CHECK (question_frequency >= 0),
  interest_signals TEXT CONSTRAINT interest_signals CHECK (interest_signals IN ('WEAK','MODERATE','STRONG')),
  conversion_probability REAL CONSTRAINT conversion_probability CHECK (conversion_probability BETWEEN 0 AND 100),
  demo_acceptance_probability REAL CONSTRAINT demo_acceptance_probability CHECK (demo_acceptance_probability BETWEEN 0 AND 100),
  immediate_close_probability REAL CONSTRAINT immediate_close_probability CHECK (immediate_close_probability BETWEEN 0 AND 100),
  updated_at TEXT NOT NULL
);

CREATE TABLE call_system_config (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE REFERENCES live_calls (call_id) ON DELETE CASCADE,
  sip_provider TEXT,
  sip_status TEXT,
  stt_provider TEXT,
  stt_status TEXT,
  llm_provider TEXT,
  llm_status TEXT,
  tts_provider TEXT,
  tts_status TEXT,
  api_latency_ms INTEGER CONSTRAINT api_latency_ms CHECK (api_latency_ms >= 0),
  error_rate REAL CONSTRAINT error_rate CHECK (error_rate BETWEEN 0 AND 100),
  queue_depth INTEGER CONSTRAINT queue_depth CHECK (queue_depth >= 0),
  cost_per_minute REAL CONSTRAINT cost_per_minute CHECK (cost_per_minute >= 0),
  total_cost REAL CONSTRAINT total_cost CHECK (total_cost >= 0),
  updated_at TEXT NOT NULL
);

CREATE TABLE supervisor_actions (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL REFERENCES live_calls (call_id) ON DELETE CASCADE,
  action TEXT NOT NULL CONSTRAINT action CHECK (action IN ('COACH_AGENT','JOIN_CALL','TAKE_OVER','RELEASE','TRANSFER_CALL',
    'END_CALL','ADD_NOTE','BOOKMARK_MOMENT','FLAG_FOR_REVIEW')),
  details TEXT NOT NULL DEFAULT '{}',
  supervisor_id TEXT NOT NULL CONSTRAINT supervisor_id CHECK (length(supervisor_id) BETWEEN 1 AND 200),
  supervisor_name TEXT NOT NULL CONSTRAINT supervisor_name CHECK (length(supervisor_name) BETWEEN 1 AND 200),
  timestamp TEXT NOT NULL,
  call_time_ms INTEGER NOT NULL DEFAULT 0 CONSTRAINT call_time_ms CHECK (call_time_ms >= 0),
  "order" INTEGER NOT NULL,
  UNIQUE (call_id, "order")
);

CREATE TABLE call_analytics (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE,
  agent_id TEXT,
  agent_name TEXT,
  customer_phone TEXT,
  campaign_id TEXT,
  started_at TEXT,
  ended_at TEXT NOT NULL,
  duration INTEGER NOT NULL DEFAULT 0,
  final_phase TEXT,
  transcript_entries INTEGER NOT NULL DEFAULT 0,
  agent_talk_ms INTEGER NOT NULL DEFAULT 0,
  caller_talk_ms INTEGER NOT NULL DEFAULT 0,
  agent_talk_share REAL,
  overall_sentiment TEXT CHECK (overall_sentiment IN ('positive','neutral','negative')),
  objectives_completed INTEGER NOT NULL DEFAULT 0,
  objectives_total INTEGER NOT NULL DEFAULT 0,
  script_adherence REAL,
  conversion_probability REAL,
  coaching_count INTEGER NOT NULL DEFAULT 0,
  supervisor_action_count INTEGER NOT NULL DEFAULT 0,
  phases TEXT NOT NULL DEFAULT '[]',
  objectives TEXT NOT NULL DEFAULT '[]',
  next_actions TEXT NOT NULL DEFAULT '[]',
  coaching TEXT NOT NULL DEFAULT '[]',
  sentiment TEXT NOT NULL DEFAULT 'null',
  metrics TEXT NOT NULL DEFAULT 'null',
  system_config TEXT NOT NULL DEFAULT 'null',
  supervisor_actions TEXT NOT NULL DEFAULT '[]',
  details TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
)SQL";
// Agent statistics as running sums, moved by each call record in its own
// transaction (CallStore::insert). Recomputing them from the calls table on
// every insert walked all the agent's calls: quadratic over a campaign (a
// 10,000-call job spent most of its finishing time there). Call records are
// only ever inserted, so the sums stay equal to what the calls table says;
// the back-fill makes them so for calls stored before this migration.
// "Success" is the set CallStore::insert counts (Demo Scheduled, Follow-up
// Needed, Transferred: the outcomes that move a prospect on).
constexpr std::string_view kV5 = R"SQL(
CREATE TABLE agent_call_stats (
  agent_id TEXT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
  calls INTEGER NOT NULL DEFAULT 0,
  successes INTEGER NOT NULL DEFAULT 0,
  connected INTEGER NOT NULL DEFAULT 0,
  connected_seconds INTEGER NOT NULL DEFAULT 0
);
INSERT INTO agent_call_stats (agent_id, calls, successes, connected, connected_seconds)
  SELECT agent_id, COUNT(*),
         SUM(CASE WHEN outcome IN ('Demo Scheduled', 'Follow-up Needed', 'Transferred') THEN 1 ELSE 0 END),
         SUM(CASE WHEN duration > 0 THEN 1 ELSE 0 END),
         SUM(CASE WHEN duration > 0 THEN duration ELSE 0 END)
  FROM calls GROUP BY agent_id;
)SQL";

// Version 6: the dialer asks every tick for a job's next due calls in due
// order. idx_job_calls_due found the pending rows but not in that order, so
// each tick sorted all of them (a 10,000-contact job: the dialer thread spent
// 1.3 ms a placed call). In this index's order a tick reads only the rows it
// returns.
constexpr std::string_view kV6 = R"SQL(
CREATE INDEX idx_job_calls_due_order ON job_calls (job_id, status, coalesce(next_attempt_at, ''), created_at, id);
)SQL";


// Version 7: teams and access (issue 16). The tenant is the workspace; users
// belong to workspaces with a role; API keys, sign-in sessions and one-time
// sign-in links are stored as hashes only; the audit log is per workspace.
// Every customer table is then rebuilt with `workspace_id` (rebuild_tenant_tables).
constexpr std::string_view kV7 = R"SQL(
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  tier TEXT NOT NULL DEFAULT 'free' CHECK (tier IN ('free','starter','premium','enterprise')),
  limits TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_workspaces_created ON workspaces (created_at, id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  display_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
  last_login_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE workspace_members (
  workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner','admin','supervisor','viewer')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX idx_workspace_members_user ON workspace_members (user_id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL DEFAULT '[]',
  expires_at TEXT,
  rate_limit_per_second REAL CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second > 0),
  last_used_at TEXT,
  revoked_at TEXT,
  created_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_api_keys_workspace ON api_keys (workspace_id, created_at, id);

CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address TEXT,
  user_agent TEXT,
  expires_at TEXT NOT NULL,
  last_seen_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE login_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('sign_in','set_password')),
  expires_at TEXT NOT NULL,
  used_at TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  actor_type TEXT NOT NULL CHECK (actor_type IN ('user','key','cli','system','anonymous')),
  actor_id TEXT,
  actor_name TEXT,
  action TEXT NOT NULL,
  object_type TEXT,
  object_id TEXT,
  details TEXT NOT NULL DEFAULT '{}',
  address TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_audit_log_workspace ON audit_log (workspace_id, created_at, id);
CREATE INDEX idx_audit_log_action ON audit_log (workspace_id, action);

ALTER TABLE agent_configurations ADD COLUMN created_by TEXT;
)SQL";

// Version 8: swarm campaigns (issue 18). `campaigns` becomes the swarm
// specification's swarm_campaigns (extended in place, not duplicated: the
// dialer's jobs, uploads and the API already hang off it); the swarm's own
// tables are swarm_agents (members: one call at a time each), their
// autoscaling rules, objectives, activity log and recent-calls feed. A
// campaign's job covers all its leads, so jobs.upload_id becomes nullable
// (rebuild_jobs_table); job_calls remember the member that placed them.
constexpr std::string_view kV8 = R"SQL(
ALTER TABLE campaigns ADD COLUMN purpose TEXT NOT NULL DEFAULT 'Custom'
  CHECK (purpose IN ('Discovery','Support','Appointment','Follow-up','Survey','Custom'));
ALTER TABLE campaigns ADD COLUMN status TEXT NOT NULL DEFAULT 'scheduled'
  CHECK (status IN ('scheduled','active','paused','stopped','completed'));
ALTER TABLE campaigns ADD COLUMN priority TEXT NOT NULL DEFAULT 'MEDIUM' CHECK (priority IN ('LOW','MEDIUM','HIGH','CRITICAL'));
ALTER TABLE campaigns ADD COLUMN start_date TEXT;
ALTER TABLE campaigns ADD COLUMN end_date TEXT;
ALTER TABLE campaigns ADD COLUMN active_hours TEXT;
ALTER TABLE campaigns ADD COLUMN min_agents INTEGER NOT NULL DEFAULT 1 CHECK (min_agents BETWEEN 0 AND 1000);
ALTER TABLE campaigns ADD COLUMN max_agents INTEGER NOT NULL DEFAULT 5 CHECK (max_agents BETWEEN 1 AND 1000);
ALTER TABLE campaigns ADD COLUMN total_agents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN active_agents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN autoscaling_enabled INTEGER NOT NULL DEFAULT 0 CHECK (autoscaling_enabled IN (0,1));
ALTER TABLE campaigns ADD COLUMN recording_enabled INTEGER NOT NULL DEFAULT 1 CHECK (recording_enabled IN (0,1));
ALTER TABLE campaigns ADD COLUMN analytics_enabled INTEGER NOT NULL DEFAULT 1 CHECK (analytics_enabled IN (0,1));
ALTER TABLE campaigns ADD COLUMN lead_source TEXT NOT NULL DEFAULT 'csv_upload'
  CHECK (lead_source IN ('csv_upload','api_webhook','manual_entry','crm_integration'));
ALTER TABLE campaigns ADD COLUMN lead_filter TEXT NOT NULL DEFAULT '{}';
ALTER TABLE campaigns ADD COLUMN calls_per_second REAL NOT NULL DEFAULT 1 CHECK (calls_per_second > 0 AND calls_per_second <= 1000);
ALTER TABLE campaigns ADD COLUMN retry TEXT NOT NULL DEFAULT '{"maxAttempts":3,"backoffMinutes":30}';
ALTER TABLE campaigns ADD COLUMN complete_on_objectives INTEGER NOT NULL DEFAULT 1 CHECK (complete_on_objectives IN (0,1));
ALTER TABLE campaigns ADD COLUMN job_id TEXT;
ALTER TABLE campaigns ADD COLUMN total_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN successful_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN failed_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN success_rate REAL NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN abandon_cap_percent REAL DEFAULT 3 CHECK (abandon_cap_percent IS NULL OR abandon_cap_percent BETWEEN 0 AND 100);
ALTER TABLE campaigns ADD COLUMN ring_timeout_s INTEGER NOT NULL DEFAULT 30 CHECK (ring_timeout_s BETWEEN 15 AND 300);
ALTER TABLE campaigns ADD COLUMN started_at TEXT;
ALTER TABLE campaigns ADD COLUMN completed_at TEXT;
CREATE INDEX idx_campaigns_status ON campaigns (workspace_id, status);

CREATE TABLE swarm_agents (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  agent_id TEXT NOT NULL,
  voice_agent_id TEXT NOT NULL REFERENCES agents (id),
  name TEXT NOT NULL,
  voice_model TEXT,
  personality_profile TEXT CHECK (personality_profile IN ('PROFESSIONAL','FRIENDLY','ENTHUSIASTIC','CONSULTATIVE')),
  script_version TEXT,
  status TEXT NOT NULL DEFAULT 'idle' CHECK (status IN ('active','paused','idle','calling','offline','error')),
  current_call_id TEXT,
  current_customer TEXT,
  last_activity_at TEXT,
  total_calls INTEGER NOT NULL DEFAULT 0,
  successful_calls INTEGER NOT NULL DEFAULT 0,
  total_duration_s INTEGER NOT NULL DEFAULT 0,
  answered_calls INTEGER NOT NULL DEFAULT 0,
  average_duration_s REAL NOT NULL DEFAULT 0,
  success_rate REAL NOT NULL DEFAULT 0,
  quality_score REAL,
  cpu_ms INTEGER NOT NULL DEFAULT 0,
  memory_bytes INTEGER NOT NULL DEFAULT 0,
  api_calls INTEGER NOT NULL DEFAULT 0,
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (campaign_id, name)
);
CREATE INDEX idx_swarm_agents_workspace ON swarm_agents (workspace_id, created_at, id);
CREATE INDEX idx_swarm_agents_campaign ON swarm_agents (campaign_id, status);
CREATE INDEX idx_swarm_agents_call ON swarm_agents (current_call_id);

CREATE TABLE swarm_autoscaling_rules (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  rule_type TEXT NOT NULL CHECK (rule_type IN ('queue_based','time_based','performance_based','cost_based')),
  metric TEXT NOT NULL,
  operator TEXT NOT NULL CHECK (operator IN ('>','>=','<','<=','==')),
  threshold REAL NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('scale_up','scale_down','maintain')),
  scale_amount INTEGER NOT NULL DEFAULT 1 CHECK (scale_amount BETWEEN 1 AND 100),
  cooldown_seconds INTEGER NOT NULL DEFAULT 60 CHECK (cooldown_seconds BETWEEN 0 AND 86400),
  min_agents INTEGER NOT NULL DEFAULT 0,
  max_agents INTEGER NOT NULL DEFAULT 1000,
  max_cost_per_hour REAL,
  priority INTEGER NOT NULL DEFAULT 5,
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),
  last_triggered_at TEXT,
  trigger_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_swarm_autoscaling_rules_workspace ON swarm_autoscaling_rules (workspace_id, created_at, id);
CREATE INDEX idx_swarm_autoscaling_rules_campaign ON swarm_autoscaling_rules (campaign_id, is_active, priority);

CREATE TABLE swarm_objectives (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  objective TEXT NOT NULL,
  description TEXT,
  target_value REAL NOT NULL CHECK (target_value > 0),
  current_value REAL NOT NULL DEFAULT 0,
  unit TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','in_progress','completed','failed')),
  completion_percentage REAL NOT NULL DEFAULT 0,
  priority INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
  is_critical INTEGER NOT NULL DEFAULT 0 CHECK (is_critical IN (0,1)),
  display_order INTEGER NOT NULL DEFAULT 0,
  completed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_swarm_objectives_workspace ON swarm_objectives (workspace_id, created_at, id);
CREATE INDEX idx_swarm_objectives_campaign ON swarm_objectives (campaign_id, display_order);

CREATE TABLE swarm_activity_logs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  swarm_agent_id TEXT,
  call_id TEXT,
  activity_type TEXT NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'info' CHECK (status IN ('success','info','warning','error')),
  details TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX idx_swarm_activity_logs_workspace ON swarm_activity_logs (workspace_id, created_at, id);
CREATE INDEX idx_swarm_activity_logs_campaign ON swarm_activity_logs (campaign_id, created_at, id);
CREATE INDEX idx_swarm_activity_logs_type ON swarm_activity_logs (campaign_id, activity_type);

CREATE TABLE swarm_recent_calls (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  swarm_agent_id TEXT,
  agent_name TEXT,
  call_id TEXT NOT NULL,
  prospect_name TEXT,
  company TEXT,
  phone TEXT,
  status TEXT NOT NULL,
  outcome TEXT,
  duration INTEGER,
  quality_score REAL,
  sentiment TEXT,
  notes TEXT,
  next_action TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (call_id)
);
CREATE INDEX idx_swarm_recent_calls_workspace ON swarm_recent_calls (workspace_id, created_at, id);
CREATE INDEX idx_swarm_recent_calls_campaign ON swarm_recent_calls (campaign_id, created_at, id);
CREATE INDEX idx_swarm_recent_calls_agent ON swarm_recent_calls (swarm_agent_id, created_at);

ALTER TABLE job_calls ADD COLUMN swarm_agent_id TEXT;
CREATE UNIQUE INDEX idx_job_calls_contact_once ON job_calls (job_id, batch_contact_id);
CREATE INDEX idx_job_calls_phone ON job_calls (job_id, phone);
)SQL";

// Version 9: analytics by period (issue 18 §8-9, docs/ANALYTICS.md). What
// every call records for metrics and compliance (campaign, swarm agent, the
// instant it was placed, ring time, first agent audio after the answer,
// answered by a person, abandoned, the callee's zone, and call intelligence's
// quality and adherence once it ran), and the running sums by period
// (swarm_performance_metrics) and by callee-local hour and weekday
// (swarm_call_slots), moved by each call in the transaction that stores it
// (store/analytics.cpp). Version 8 is the swarm campaigns' migration (issue
// 18 §1-7), merged beside this one; migrate() applies every version not yet
// recorded, so the gap and the merge order are harmless.
// `scope_key` is "w" (workspace-wide), "c:<campaign id>", "a:<voice agent
// id>" or "s:<swarm agent id>": one unique key where nullable id columns
// could not be (SQL NULLs are distinct in UNIQUE).
constexpr std::string_view kV9 = R"SQL(
ALTER TABLE calls ADD COLUMN campaign_id TEXT;
ALTER TABLE calls ADD COLUMN swarm_agent_id TEXT;
ALTER TABLE calls ADD COLUMN placed_at TEXT;
ALTER TABLE calls ADD COLUMN ring_time_ms INTEGER CHECK (ring_time_ms IS NULL OR ring_time_ms >= 0);
ALTER TABLE calls ADD COLUMN agent_audio_after_answer_ms INTEGER
  CHECK (agent_audio_after_answer_ms IS NULL OR agent_audio_after_answer_ms >= 0);
ALTER TABLE calls ADD COLUMN answered_by_person INTEGER NOT NULL DEFAULT 0 CHECK (answered_by_person IN (0,1));
ALTER TABLE calls ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0 CHECK (abandoned IN (0,1));
ALTER TABLE calls ADD COLUMN callee_time_zone TEXT;
ALTER TABLE calls ADD COLUMN quality_score REAL;
ALTER TABLE calls ADD COLUMN script_adherence REAL;
UPDATE calls SET placed_at = coalesce(started_at, created_at),
  answered_by_person = CASE WHEN status = 'completed' AND coalesce(outcome, '') <> 'Voicemail' THEN 1 ELSE 0 END;
-- Covering the compliance figures over a window (abandon_rate: the dialer's cap, last 30 days).
CREATE INDEX idx_calls_campaign_placed ON calls (workspace_id, campaign_id, placed_at, abandoned, answered_by_person, ring_time_ms);
CREATE INDEX idx_calls_agent_placed ON calls (workspace_id, agent_id, placed_at, abandoned, answered_by_person, ring_time_ms);

CREATE TABLE swarm_performance_metrics (
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  scope_key TEXT NOT NULL,
  campaign_id TEXT,
  agent_id TEXT,
  swarm_agent_id TEXT,
  period TEXT NOT NULL CHECK (period IN ('hourly','daily','weekly','monthly')),
  period_start TEXT NOT NULL,
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  total_calls INTEGER NOT NULL DEFAULT 0,
  connected_calls INTEGER NOT NULL DEFAULT 0,
  interested INTEGER NOT NULL DEFAULT 0,
  qualified INTEGER NOT NULL DEFAULT 0,
  conversions INTEGER NOT NULL DEFAULT 0,
  appointments INTEGER NOT NULL DEFAULT 0,
  sum_duration_s INTEGER NOT NULL DEFAULT 0,
  sum_ring_time_ms INTEGER NOT NULL DEFAULT 0,
  ring_samples INTEGER NOT NULL DEFAULT 0,
  abandoned_calls INTEGER NOT NULL DEFAULT 0,
  answered_by_person INTEGER NOT NULL DEFAULT 0,
  sum_quality REAL NOT NULL DEFAULT 0,
  quality_samples INTEGER NOT NULL DEFAULT 0,
  sum_script_adherence REAL NOT NULL DEFAULT 0,
  adherence_samples INTEGER NOT NULL DEFAULT 0,
  objections_raised INTEGER NOT NULL DEFAULT 0,
  objections_handled INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, scope_key, period, period_start)
);

CREATE TABLE swarm_call_slots (
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  scope_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('hour','weekday')),
  slot INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 23),
  total_calls INTEGER NOT NULL DEFAULT 0,
  connected_calls INTEGER NOT NULL DEFAULT 0,
  conversions INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, scope_key, kind, slot)
);
)SQL";

/// Tables that are not a customer's: voqo's bookkeeping and the access tables
/// of version 7 (which carry their workspace where they have one).
bool tenant_table(std::string_view t) {
  for (std::string_view own : {"schema_migrations", "sqlite_sequence", "workspaces", "users", "workspace_members",
                               "api_keys", "auth_sessions", "login_tokens", "audit_log"})
    if (t == own) return false;
  return true;
}

/// Replaces the one occurrence of `from` in `sql`; an error if there is not
/// exactly one (the schema is not the one this migration was written for).
Result<void> replace_once(std::string& sql, std::string_view table, std::string_view from, std::string_view to) {
  const auto at = sql.find(from);
  if (at == std::string::npos || sql.find(from, at + 1) != std::string::npos)
    return std::unexpected(Error::database("migration: table " + std::string(table) + " has not one '" +
                                           std::string(from) + "'"));
  sql.replace(at, from.size(), to);
  return {};
}

// Version 10 (issue 18 §7): lead sources (the swarm specification's lead-source
// table) and leads with a score and a status. A lead is a batch contact; the
// source that brought it in is kept (null for a plain CSV upload).
// api_token_hash is the SHA-256 of the api_webhook source's token (shown once);
// crm_headers is sealed (it carries the CRM's credentials).
constexpr std::string_view kV10 = R"SQL(
CREATE TABLE swarm_lead_sources (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  source_type TEXT NOT NULL CHECK (source_type IN ('csv_upload','api_webhook','manual_entry','crm_integration')),
  field_mapping TEXT NOT NULL DEFAULT '{}',
  api_token_hash TEXT,
  api_token_prefix TEXT,
  crm_config TEXT,
  crm_headers TEXT NOT NULL DEFAULT '{}',
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),
  last_sync_at TEXT,
  last_sync_status TEXT CHECK (last_sync_status IN ('success','error')),
  last_sync_error TEXT,
  total_leads INTEGER NOT NULL DEFAULT 0 CHECK (total_leads >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_swarm_lead_sources_workspace ON swarm_lead_sources (workspace_id, created_at, id);
CREATE INDEX idx_swarm_lead_sources_campaign ON swarm_lead_sources (workspace_id, campaign_id);
CREATE INDEX idx_swarm_lead_sources_type ON swarm_lead_sources (workspace_id, source_type);
CREATE INDEX idx_swarm_lead_sources_active ON swarm_lead_sources (workspace_id, is_active);
CREATE UNIQUE INDEX idx_swarm_lead_sources_token ON swarm_lead_sources (api_token_hash);

ALTER TABLE batch_contacts ADD COLUMN email TEXT;
ALTER TABLE batch_contacts ADD COLUMN company TEXT;
ALTER TABLE batch_contacts ADD COLUMN lead_score REAL CHECK (lead_score BETWEEN 0 AND 100);
ALTER TABLE batch_contacts ADD COLUMN lead_status TEXT NOT NULL DEFAULT 'new'
  CHECK (lead_status IN ('new','contacted','qualified','converted','unqualified','do_not_call'));
ALTER TABLE batch_contacts ADD COLUMN lead_source_id TEXT REFERENCES swarm_lead_sources (id) ON DELETE SET NULL;
CREATE INDEX idx_batch_contacts_lead_source ON batch_contacts (lead_source_id);
CREATE INDEX idx_batch_contacts_lead_status ON batch_contacts (workspace_id, lead_status);
)SQL";

/// The first column of every row of `sql` with its one parameter bound to `arg`.
Result<std::vector<std::string>> texts_of(Connection& c, std::string_view sql, const std::string& arg) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, arg);
  std::vector<std::string> out;
  while (true) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.emplace_back((*st)->column_text(0));
  }
}

std::string sql_name(std::string_view name) { return "\"" + std::string(name) + "\""; }

/// Replaces table `name` by `temp`, created by `create_sql` (the same
/// columns, changed constraints, plus `workspace_id` first when `workspace`
/// is not empty: every row then gets that value): copies the rows, drops the
/// old table, renames, and creates `indexes` again (SQLite's ALTER TABLE §7
/// procedure; the caller runs it with foreign keys off).
Result<void> swap_table(Connection& c, const std::string& name, const std::string& temp, const std::string& create_sql,
                        const std::vector<std::string>& columns, const std::vector<std::string>& indexes,
                        const std::string& workspace = {}) {
  if (auto r = c.exec(create_sql); !r) return r;
  std::string list;
  for (const auto& col : columns) list += ", " + sql_name(col);
  list.erase(0, 2);
  auto copy = workspace.empty()
                  ? c.prepare("INSERT INTO " + temp + " (" + list + ") SELECT " + list + " FROM " + name)
                  : c.prepare("INSERT INTO " + temp + " (workspace_id, " + list + ") SELECT ?, " + list + " FROM " + name);
  if (!copy) return std::unexpected(copy.error());
  if (!workspace.empty()) (*copy)->bind_text(1, workspace);
  if (auto r = (*copy)->step(); !r) return std::unexpected(r.error());
  if (auto r = c.exec("DROP TABLE " + name); !r) return r;
  if (auto r = c.exec("ALTER TABLE " + temp + " RENAME TO " + name); !r) return r;
  for (const auto& index : indexes)
    if (auto r = c.exec(index); !r) return r;
  return {};
}

/// Rebuilds `table` as its stored CREATE statement with `from` replaced by
/// `to` (a changed constraint), through `temp` (swap_table).
Result<void> rebuild_replacing(Connection& c, const std::string& table, const std::string& temp, const std::string& from,
                               const std::string& to) {
  auto sql = texts_of(c, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table);
  if (!sql) return std::unexpected(sql.error());
  if (sql->size() != 1) return std::unexpected(Error::database("no " + table + " table"));
  auto columns = texts_of(c, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table);
  if (!columns) return std::unexpected(columns.error());
  auto indexes = texts_of(c, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", table);
  if (!indexes) return std::unexpected(indexes.error());
  std::string create = sql->front();
  if (auto r = replace_once(create, table, "CREATE TABLE \"" + table + "\" (", "CREATE TABLE " + temp + " ("); !r) {
    if (auto r2 = replace_once(create, table, "CREATE TABLE " + table + " (", "CREATE TABLE " + temp + " ("); !r2) return r2;
  }
  if (auto r = replace_once(create, table, from, to); !r) return r;
  return swap_table(c, table, temp, create, *columns, *indexes);
}

/// Version 8: a campaign's job runs over all the campaign's leads, not one
/// upload, so jobs.upload_id may be null (POST /api/jobs still requires it).
Result<void> rebuild_jobs_table(Connection& c) {
  return rebuild_replacing(c, "jobs", "jobs__v8", "upload_id TEXT NOT NULL REFERENCES uploads", "upload_id TEXT REFERENCES uploads");
}

/// Version 12: the supervisor alerts' webhook events (issue 18 §6).
Result<void> rebuild_webhook_events_table(Connection& c) {
  return rebuild_replacing(c, "webhook_events", "webhook_events__v12",
                           "CHECK (event IN ('call.started','call.ended','job.completed'))",
                           "CHECK (event IN ('call.started','call.ended','job.completed','call.escalated','call.flagged',"
                           "'campaign.alert'))");
}

/// Rebuilds every customer table with `workspace_id TEXT NOT NULL REFERENCES
/// workspaces (id)` as its first column, every existing row in the Default
/// workspace (SQLite's ALTER TABLE §7 procedure: create, copy, drop, rename,
/// indexes again). Names that were unique server-wide become unique per
/// workspace: agents.name (the agent-creation specification: unique per
/// owner), contacts.phone, do_not_call.phone and settings.key. Each table
/// also gets an index (workspace_id, created_at, id) for its scoped lists.
Result<void> rebuild_tenant_tables(Connection& c) {
  const std::string workspace = new_id();
  const std::string now = now_iso8601();
  {
    auto st = c.prepare("INSERT INTO workspaces (id, name, tier, limits, created_at, updated_at) "
                        "VALUES (?, 'Default', 'enterprise', '{}', ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, workspace);
    (*st)->bind_text(2, now);
    (*st)->bind_text(3, now);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  }
  struct Table {
    std::string name, sql;
  };
  std::vector<Table> tables;
  {
    auto st = c.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid");
    if (!st) return std::unexpected(st.error());
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      std::string name((*st)->column_text(0));
      if (tenant_table(name)) tables.push_back({name, std::string((*st)->column_text(1))});
    }
  }
  // Per-workspace uniqueness: the column loses UNIQUE, the table gains UNIQUE (workspace_id, column).
  const std::vector<std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>> unique = {
      {"agents", "name TEXT NOT NULL UNIQUE CHECK", "name TEXT NOT NULL CHECK", "name"},
      {"contacts", "phone TEXT NOT NULL UNIQUE,", "phone TEXT NOT NULL,", "phone"},
      {"do_not_call", "phone TEXT NOT NULL UNIQUE,", "phone TEXT NOT NULL,", "phone"},
      {"settings", "key TEXT NOT NULL UNIQUE,", "key TEXT NOT NULL,", "key"},
  };
  for (auto& t : tables) {
    auto columns = texts_of(c, "SELECT name FROM pragma_table_info(?) ORDER BY cid", t.name);
    if (!columns) return std::unexpected(columns.error());
    const bool has_created_at = std::ranges::find(*columns, "created_at") != columns->end();
    auto indexes =
        texts_of(c, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", t.name);
    if (!indexes) return std::unexpected(indexes.error());
    std::string sql = t.sql;
    const std::string temp = t.name + "__v7";
    if (auto r = replace_once(sql, t.name, "CREATE TABLE " + t.name + " (",
                              "CREATE TABLE " + temp + " (\n  workspace_id TEXT NOT NULL REFERENCES workspaces (id),");
        !r)
      return r;
    for (const auto& [table, from, to, column] : unique) {
      if (t.name != table) continue;
      if (auto r = replace_once(sql, t.name, from, to); !r) return r;
      const auto close = sql.rfind(')');
      sql.insert(close, ",\n  UNIQUE (workspace_id, " + std::string(column) + ")\n");
    }
    if (auto r = swap_table(c, t.name, temp, sql, *columns, *indexes, workspace); !r) return r;
    const std::string index = "CREATE INDEX idx_" + t.name + "_workspace ON " + t.name +
                              (has_created_at ? " (workspace_id, created_at, id)" : " (workspace_id)");
    if (auto r = c.exec(index); !r) return r;
  }
  return {};
}

/// Version 9's back-fill: the period rows of the calls stored before it.
Result<void> rebuild_analytics(Connection& c) {
  auto counted = AnalyticsRepository::rebuild_in(c, std::nullopt, std::nullopt);
  if (!counted) return std::unexpected(counted.error());
  return {};
}
/// Version 11 (issue 18 §5): script templates as data, a campaign's call
/// flow; the built-in scripts become every existing workspace's rows
/// (seed_all_workspaces, run after this SQL).
constexpr std::string_view kV11 = R"SQL(
CREATE TABLE swarm_script_templates (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  category TEXT NOT NULL DEFAULT 'general',
  version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
  parent_id TEXT,
  opening TEXT NOT NULL,
  discovery_questions TEXT NOT NULL DEFAULT '[]',
  value_proposition TEXT,
  objection_responses TEXT NOT NULL DEFAULT '[]',
  closing TEXT,
  voicemail TEXT,
  variables TEXT NOT NULL DEFAULT '[]',
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),
  is_builtin INTEGER NOT NULL DEFAULT 0 CHECK (is_builtin IN (0,1)),
  usage_count INTEGER NOT NULL DEFAULT 0,
  average_success_rate REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_swarm_script_templates_workspace ON swarm_script_templates (workspace_id, created_at, id);
CREATE INDEX idx_swarm_script_templates_family ON swarm_script_templates (workspace_id, parent_id, version);

CREATE TABLE swarm_call_flows (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  phase TEXT NOT NULL CHECK (length(phase) BETWEEN 1 AND 100),
  description TEXT,
  target_duration_s INTEGER CHECK (target_duration_s BETWEEN 0 AND 3600),
  script_template_id TEXT REFERENCES swarm_script_templates (id) ON DELETE SET NULL,
  fallback_script TEXT,
  skip_conditions TEXT,
  success_criteria TEXT,
  display_order INTEGER NOT NULL DEFAULT 0,
  average_duration_s REAL NOT NULL DEFAULT 0,
  sample_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (campaign_id, phase)
);
CREATE INDEX idx_swarm_call_flows_workspace ON swarm_call_flows (workspace_id, created_at, id);
CREATE INDEX idx_swarm_call_flows_campaign ON swarm_call_flows (campaign_id, display_order);
)SQL";

// Issue 18 §6: a campaign's configuration (overrides of its agents'
// settings for the campaign's calls) and escalation; calls flagged for review
// by the quality check.
constexpr std::string_view kV12 = R"SQL(
CREATE TABLE swarm_configurations (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  campaign_id TEXT NOT NULL UNIQUE REFERENCES campaigns (id) ON DELETE CASCADE,
  model TEXT,
  temperature REAL CHECK (temperature BETWEEN 0 AND 2),
  max_tokens INTEGER CHECK (max_tokens BETWEEN 50 AND 2000),
  system_prompt TEXT,
  voice_provider TEXT CHECK (voice_provider IN ('flite', 'espeak-ng', 'elevenlabs')),
  voice_model TEXT,
  speaking_rate REAL CHECK (speaking_rate BETWEEN 0.5 AND 2),
  clarity REAL CHECK (clarity BETWEEN 0 AND 1),
  language TEXT,
  personality TEXT CHECK (personality IN ('PROFESSIONAL', 'FRIENDLY', 'ENTHUSIASTIC', 'CONSULTATIVE')),
  tone TEXT,
  formality TEXT CHECK (formality IN ('casual', 'neutral', 'formal')),
  objection_style TEXT CHECK (objection_style IN ('EMPATHETIC', 'LOGICAL', 'PERSISTENT', 'ACCOMMODATING')),
  max_call_duration_min INTEGER CHECK (max_call_duration_min BETWEEN 1 AND 60),
  retry_attempts INTEGER CHECK (retry_attempts BETWEEN 1 AND 10),
  queue_timeout_s INTEGER CHECK (queue_timeout_s BETWEEN 10 AND 86400),
  success_threshold REAL NOT NULL DEFAULT 60 CHECK (success_threshold BETWEEN 0 AND 100),
  escalate_on_human_request INTEGER NOT NULL DEFAULT 1,
  negative_sentiment_turns INTEGER NOT NULL DEFAULT 0 CHECK (negative_sentiment_turns BETWEEN 0 AND 10),
  repeated_objection_count INTEGER NOT NULL DEFAULT 0 CHECK (repeated_objection_count BETWEEN 0 AND 10),
  escalation_keywords TEXT NOT NULL DEFAULT '[]',
  auto_transfer INTEGER NOT NULL DEFAULT 0,
  transfer_number TEXT,
  supervisor_alerts INTEGER NOT NULL DEFAULT 1,
  alert_webhook_url TEXT,
  quality_check INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_swarm_configurations_workspace ON swarm_configurations (workspace_id, created_at, id);

ALTER TABLE calls ADD COLUMN flagged_for_review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN review_reason TEXT;
CREATE INDEX idx_calls_review ON calls (workspace_id, flagged_for_review, created_at, id);
)SQL";

/// Version 13 (issue 18 §2): what each call's work cost (pipeline::ResourceUse:
/// CPU ms, peak memory, requests to providers), and the count of a swarm
/// agent's calls with a quality score, so its qualityScore is a running mean
/// fed by call intelligence (AnalyticsRepository::record_intelligence_in).
/// Back-fills the members' quality and the feed's from the calls scored so far.
constexpr std::string_view kV13 = R"SQL(
ALTER TABLE calls ADD COLUMN cpu_ms INTEGER NOT NULL DEFAULT 0 CHECK (cpu_ms >= 0);
ALTER TABLE calls ADD COLUMN memory_bytes INTEGER NOT NULL DEFAULT 0 CHECK (memory_bytes >= 0);
ALTER TABLE calls ADD COLUMN api_calls INTEGER NOT NULL DEFAULT 0 CHECK (api_calls >= 0);
ALTER TABLE swarm_agents ADD COLUMN quality_samples INTEGER NOT NULL DEFAULT 0 CHECK (quality_samples >= 0);
CREATE TEMP TABLE v13_member_quality AS
  SELECT swarm_agent_id AS id, avg(quality_score) AS mean, count(*) AS n FROM calls
  WHERE swarm_agent_id IS NOT NULL AND quality_score IS NOT NULL GROUP BY swarm_agent_id;
UPDATE swarm_agents SET quality_score = q.mean, quality_samples = q.n FROM v13_member_quality q WHERE q.id = swarm_agents.id;
DROP TABLE v13_member_quality;
UPDATE swarm_recent_calls SET quality_score = (SELECT quality_score FROM calls WHERE calls.id = swarm_recent_calls.call_id)
  WHERE quality_score IS NULL;
)SQL";

/// Version 14 (issue 18 §9): an agent may greet at the answer, so a callee
/// who waits silently is not left 2 s without agent audio (an abandoned call).
constexpr std::string_view kV14 = R"SQL(
ALTER TABLE agents ADD COLUMN greet_on_answer INTEGER NOT NULL DEFAULT 0 CHECK (greet_on_answer IN (0,1));
)SQL";

/// Version 15 (issue 18 §8): what call intelligence measured on a call for
/// the objection-handling success (docs/ANALYTICS.md) — the caller's
/// objections and how many the agent answered — and its overall sentiment,
/// which the recent-calls feed shows. Written by
/// AnalyticsRepository::record_intelligence_in when the call's intelligence
/// is archived. The archive (call_analytics) never held objection counts, so
/// calls archived before this version keep null counts and count in neither
/// figure (the period rows' two columns were never fed, so they stay right
/// without a rebuild); their sentiment is back-filled from the archive, and
/// the feed's from the calls.
constexpr std::string_view kV15 = R"SQL(
ALTER TABLE calls ADD COLUMN objections_raised INTEGER CHECK (objections_raised IS NULL OR objections_raised >= 0);
ALTER TABLE calls ADD COLUMN objections_answered INTEGER
  CHECK (objections_answered IS NULL OR (objections_answered >= 0 AND objections_answered <= objections_raised));
ALTER TABLE calls ADD COLUMN sentiment TEXT CHECK (sentiment IS NULL OR sentiment IN ('positive','neutral','negative'));
UPDATE calls SET sentiment = (SELECT a.overall_sentiment FROM call_analytics a WHERE a.call_id = calls.id
  AND a.workspace_id = calls.workspace_id AND a.overall_sentiment IN ('positive','neutral','negative'))
  WHERE id IN (SELECT call_id FROM call_analytics);
UPDATE swarm_recent_calls SET sentiment = (SELECT c.sentiment FROM calls c WHERE c.id = swarm_recent_calls.call_id
  AND c.workspace_id = swarm_recent_calls.workspace_id) WHERE sentiment IS NULL;
)SQL";

/// Version 16 (issue 19 §2): instruction templates with typed variables;
/// the system templates become every existing workspace's read-only rows
/// (InstructionTemplateRepository::seed_all_workspaces, run after this SQL);
/// an agent may take its system prompt from one.
constexpr std::string_view kV16 = R"SQL(
CREATE TABLE instruction_templates (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  content TEXT NOT NULL,
  variables TEXT NOT NULL DEFAULT '[]',
  category TEXT NOT NULL DEFAULT 'general',
  is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0,1)),
  is_system INTEGER NOT NULL DEFAULT 0 CHECK (is_system IN (0,1)),
  usage_count INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
  rating REAL CHECK (rating BETWEEN 0 AND 5),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX idx_instruction_templates_workspace ON instruction_templates (workspace_id, created_at, id);
CREATE INDEX idx_instruction_templates_public ON instruction_templates (is_public, created_at, id);
ALTER TABLE agents ADD COLUMN instruction_template_id TEXT;
)SQL";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "data model", kV1},
      {2, "call results and live calls", kV2},
      {3, "dialer, do-not-call, SMS and webhook outboxes", kV3},
      {4, "live call monitoring", kV4},
      {5, "agent statistics as running sums", kV5},
      {6, "dialer due-order index", kV6},
      {7, "workspaces, users, API keys; every customer row in its workspace", kV7, rebuild_tenant_tables, true},
      {8, "swarm campaigns: members, autoscaling rules, objectives, activity, recent calls", kV8, rebuild_jobs_table, true},
      {9, "analytics by period", kV9, rebuild_analytics},
      {10, "lead sources", kV10},
      {11, "script templates and call flows", kV11, ScriptTemplateRepository::seed_all_workspaces},
      {12, "swarm configuration, escalation and review flags", kV12, rebuild_webhook_events_table, true},
      {13, "resource use per call; swarm agents' quality as a running mean", kV13},
      {14, "agents may greet on answer", kV14},
      {15, "objections and sentiment per call", kV15},
      {16, "instruction templates; agents' instructionTemplateId", kV16, InstructionTemplateRepository::seed_all_workspaces},
  };
  return all;
}

Result<int> schema_version(Database& db) {
  return db.write([](Connection& c) -> Result<int> {
    if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                        "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        !r)
      return std::unexpected(r.error());
    auto st = c.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!st) return std::unexpected(st.error());
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    return static_cast<int>((*st)->column_int(0));
  });
}

Result<int> migrate(Database& db) {
  auto current = schema_version(db);
  if (!current) return std::unexpected(current.error());
  const auto& all = migrations();
  if (*current > all.back().version)
    return std::unexpected(Error::database("database schema version " + std::to_string(*current) +
                                           " is newer than this voqo (knows up to " +
                                           std::to_string(all.back().version) + "); upgrade voqo"));
  // Every version not recorded yet, in order: a version merged in below the
  // newest recorded one (issue 18's 8 and 9 came from parallel branches) is
  // applied too, not skipped.
  auto recorded = db.read([](Connection& c) -> Result<std::vector<int>> {
    auto st = c.prepare("SELECT version FROM schema_migrations");
    if (!st) return std::unexpected(st.error());
    std::vector<int> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return out;
      out.push_back(static_cast<int>((*st)->column_int(0)));
    }
  });
  if (!recorded) return std::unexpected(recorded.error());
  int applied = 0;
  for (const auto& m : all) {
    if (std::ranges::find(*recorded, m.version) != recorded->end()) continue;
    if (m.rebuilds_tables)
      if (auto off = db.set_foreign_keys(false); !off) return std::unexpected(off.error());
    auto r = db.write([&](Connection& c) -> Result<void> {
      if (auto e = c.exec(m.sql); !e) return e;
      if (m.run)
        if (auto e = m.run(c); !e) return e;
      if (m.rebuilds_tables) {
        auto check = c.prepare("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check");
        if (!check) return std::unexpected(check.error());
        auto row = (*check)->step();
        if (!row) return std::unexpected(row.error());
        if (*row)
          return std::unexpected(Error::database("a row of " + std::string((*check)->column_text(0)) +
                                                 " refers to a missing row of " +
                                                 std::string((*check)->column_text(2))));
      }
      auto st = c.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_int(1, m.version);
      (*st)->bind_text(2, m.name);
      (*st)->bind_text(3, now_iso8601());
      if (auto s = (*st)->step(); !s) return std::unexpected(s.error());
      return {};
    });
    if (m.rebuilds_tables)
      if (auto on = db.set_foreign_keys(true); !on) return std::unexpected(on.error());
    if (!r)
      return std::unexpected(Error::database("migration " + std::to_string(m.version) + " (" +
                                             std::string(m.name) + ") failed: " + r.error().message));
    spdlog::info("applied migration {} ({})", m.version, m.name);
    ++applied;
  }
  SettingsRepository settings(db);
  if (auto r = settings.insert_defaults(); !r) return std::unexpected(r.error());
  return applied;
}

}  // namespace voqo::store
