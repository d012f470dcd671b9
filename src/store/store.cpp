#include "store/store.hpp"

#include "core/private_files.hpp"
#include "store/migrations.hpp"

namespace voqo::store {

Store::Store(std::unique_ptr<Database> db, SecretBox secrets)
    : db_(std::move(db)),
      secrets_(secrets),
      agents_(*db_),
      contacts_(*db_, model::contact_spec()),
      memories_(*db_, model::memory_spec()),
      calls_(*db_, model::call_spec()),
      campaigns_(*db_, model::campaign_spec()),
      upload_records_(*db_, model::upload_spec()),
      uploads_(*db_),
      batch_contacts_(*db_, model::batch_contact_spec()),
      upload_rejections_(*db_, model::upload_rejection_spec()),
      jobs_(*db_),
      custom_functions_(*db_, model::custom_function_spec(), &secrets_),
      settings_(*db_, &secrets_),
      job_events_(*db_, model::job_event_spec()),
      do_not_call_(*db_, model::do_not_call_spec()),
      sms_messages_(*db_, model::sms_message_spec()),
      webhook_events_(*db_, model::webhook_event_spec()),
      live_(*db_),
      swarm_(*db_),
      swarm_configurations_(*db_),
      script_templates_(*db_),
      instruction_templates_(*db_),
      access_(*db_),
      lead_sources_(*db_, model::lead_source_spec(), &secrets_),
      lead_source_store_(*db_) {}

Store::~Store() { close(); }

void Store::close() {
  if (db_) db_->close();
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path) {
  // The data folder is created owner-only when missing (an existing one,
  // such as the working directory, keeps its mode).
  if (auto dir = create_private_directories(path.parent_path()); !dir) return std::unexpected(dir.error());
  auto db = Database::open_sqlite(path);
  if (!db) return std::unexpected(db.error());
  if (auto m = migrate(**db); !m) return std::unexpected(m.error());
  std::filesystem::path key = path;
  key += ".key";
  std::unique_ptr<Store> store;
  try {
    store = std::make_unique<Store>(std::move(*db), SecretBox::load_or_create(key));
  } catch (const std::exception& e) {
    return std::unexpected(Error{ErrorCode::io, e.what(), {}});
  }
  // Secrets a database kept in clear before issue 16 are sealed now.
  if (auto n = store->settings().seal_plaintext_secrets(); !n) return std::unexpected(n.error());
  if (auto n = store->custom_functions().seal_plaintext("headers"); !n) return std::unexpected(n.error());
  return store;
}

}  // namespace voqo::store
