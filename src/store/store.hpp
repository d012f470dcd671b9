#pragma once
/// The store: one Database and a repository per aggregate. Callers above
/// store/ use these and never write SQL.
#include <filesystem>
#include <memory>

#include "core/secret_box.hpp"
#include "store/access.hpp"
#include "store/agents.hpp"
#include "store/database.hpp"
#include "store/jobs.hpp"
#include "store/lead_sources.hpp"
#include "store/live.hpp"
#include "store/repository.hpp"
#include "store/settings.hpp"
#include "store/instruction_templates.hpp"
#include "store/script_templates.hpp"
#include "store/swarm.hpp"
#include "store/swarm_config.hpp"
#include "store/uploads.hpp"

namespace voqo::store {

class Store {
 public:
  /// Opens the SQLite file at `path`, applies migrations and default
  /// settings, and loads the secret key from `path` + ".key" (or
  /// VOQO_SECRET_KEY). A missing data folder (`path`'s parent) is created
  /// 0700; the database files are 0600 (Database::open_sqlite).
  /// Errors: cannot open, migration failed.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path);

  explicit Store(std::unique_ptr<Database> db, SecretBox secrets);
  ~Store();

  Database& db() { return *db_; }
  AgentRepository& agents() { return agents_; }
  Repository& contacts() { return contacts_; }
  Repository& memories() { return memories_; }
  Repository& calls() { return calls_; }
  Repository& campaigns() { return campaigns_; }
  Repository& upload_records() { return upload_records_; }
  UploadRepository& uploads() { return uploads_; }
  Repository& batch_contacts() { return batch_contacts_; }
  Repository& upload_rejections() { return upload_rejections_; }
  JobRepository& jobs() { return jobs_; }
  Repository& custom_functions() { return custom_functions_; }
  SettingsRepository& settings() { return settings_; }
  /// Issue 4: the dialer's audit log, the DNC list, the SMS and webhook outboxes (read side).
  Repository& job_events() { return job_events_; }
  Repository& do_not_call() { return do_not_call_; }
  Repository& sms_messages() { return sms_messages_; }
  Repository& webhook_events() { return webhook_events_; }
  /// Issue 5: the live-monitoring tables and call_analytics.
  LiveStore& live() { return live_; }
  /// Issue 18: swarm campaigns (members, rules, objectives, activity, recent calls).
  SwarmRepository& swarm() { return swarm_; }
  /// Issue 18 §6: campaigns' configurations, quality flags and supervisor alerts.
  SwarmConfigRepository& swarm_configurations() { return swarm_configurations_; }
  /// Issue 18 §5: script templates and campaigns' call flows.
  ScriptTemplateRepository& script_templates() { return script_templates_; }
  /// Issue 19 §2: instruction templates (own, public and system ones).
  InstructionTemplateRepository& instruction_templates() { return instruction_templates_; }
  /// Issue 16: workspaces, users, members, API keys, sessions, one-time links, audit log.
  AccessRepository& access() { return access_; }
  /// Issue 18 §7: lead sources (CRUD) and their tokens and sync bookkeeping.
  Repository& lead_sources() { return lead_sources_; }
  LeadSourceStore& lead_source_store() { return lead_source_store_; }
  const SecretBox& secrets() const { return secrets_; }

  /// Closes the database cleanly (WAL checkpoint).
  void close();

 private:
  std::unique_ptr<Database> db_;
  SecretBox secrets_;
  AgentRepository agents_;
  Repository contacts_, memories_, calls_, campaigns_, upload_records_;
  UploadRepository uploads_;
  Repository batch_contacts_, upload_rejections_;
  JobRepository jobs_;
  Repository custom_functions_;
  SettingsRepository settings_;
  Repository job_events_, do_not_call_, sms_messages_, webhook_events_;
  LiveStore live_;
  SwarmRepository swarm_;
  SwarmConfigRepository swarm_configurations_;
  ScriptTemplateRepository script_templates_;
  InstructionTemplateRepository instruction_templates_;
  AccessRepository access_;
  Repository lead_sources_;
  LeadSourceStore lead_source_store_;
};

}  // namespace voqo::store
