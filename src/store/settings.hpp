#pragma once
/// Settings (data model: `settings` — key UNIQUE, value JSON). Keys are
/// known in advance, each with a FieldSpec that validates its value; the
/// data model's defaults are inserted on first start.
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/schema.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// The known settings with their rules and defaults (FieldSpec::json is the key).
const std::vector<model::FieldSpec>& setting_specs();

class SettingsRepository {
 public:
  explicit SettingsRepository(Database& db) : db_(db) {}

  /// Inserts every known setting that is missing, with its default.
  Result<void> insert_defaults();
  /// All settings as one object {key: value}.
  Result<nlohmann::json> all();
  /// One setting's value. Errors: unknown key (404).
  Result<nlohmann::json> get(const std::string& key);
  /// Sets one setting after validating the value. Returns the new value.
  /// Errors: unknown key (404), invalid value (422 naming the key).
  Result<nlohmann::json> put(const std::string& key, const nlohmann::json& value);
  /// Sets several settings atomically from an object {key: value}. Returns all settings.
  Result<nlohmann::json> patch(const nlohmann::json& values);
  /// The `default_region` setting ("US" when unreadable).
  std::string default_region();

 private:
  Database& db_;
};

}  // namespace voqo::store
