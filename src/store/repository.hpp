#pragma once
/// The generic repository: create/read/update/delete/list for any table
/// described by a model::EntitySpec, with validation, JSON mapping (camelCase
/// out, as the API returns it), secrets sealed at rest and cursor pages.
/// The only place, with the other store/*.cpp files, where SQL is written.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/secret_box.hpp"
#include "core/workspace_id.hpp"
#include "model/schema.hpp"
#include "model/validation.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// One condition of a list query. Built by callers from the API's query
/// parameters; the repository turns it into SQL with bound parameters.
struct Condition {
  enum class Op { equals, at_least, before, any_equals };
  Op op = Op::equals;
  std::vector<std::string> columns;  ///< one column, or several for any_equals (OR)
  model::Value value;
};

/// A list request: at most `limit` items (1–500) after `cursor`.
struct ListQuery {
  uint32_t limit = 50;
  std::string cursor;  ///< opaque, from Page::next_cursor; "" = first page
  std::vector<Condition> conditions;
};

/// One page of results, newest first (or file order for batch contacts).
struct Page {
  nlohmann::json items = nlohmann::json::array();
  std::string next_cursor;  ///< "" when this is the last page
};

/// The largest page size (issue 2: `limit` ≤ 500).
inline constexpr uint32_t kMaxPageSize = 500;

class Repository {
 public:
  /// `secrets` seals kEncrypted fields; may be null when the entity has none.
  Repository(Database& db, const model::EntitySpec& spec, const SecretBox* secrets = nullptr);

  const model::EntitySpec& spec() const { return spec_; }

  /// Validates `body` and inserts it. `parent` sets the kParent column (e.g.
  /// the agent of a custom function). Returns the stored record as JSON.
  /// Errors: validation (422), unique clash (409 naming the field), missing
  /// parent (404).
  Result<nlohmann::json> create(const WorkspaceId& ws, const nlohmann::json& body, const std::string& parent_id = {},
                                const model::ValidationContext& context = {});
  /// Inserts already-validated values (plus id, workspace and timestamps) on `c`.
  Result<nlohmann::json> insert(Connection& c, const WorkspaceId& ws, std::vector<model::ColumnValue> values);

  /// The record with `id` in workspace `ws` (and, when `parent_id` is set,
  /// that parent). A record of another workspace is not found (404).
  Result<nlohmann::json> get(const WorkspaceId& ws, const std::string& id, const std::string& parent_id = {});
  Result<nlohmann::json> get(Connection& c, const WorkspaceId& ws, const std::string& id,
                             const std::string& parent_id = {});

  /// Partial update (RFC 7396 for top-level fields). An empty patch returns
  /// the record unchanged.
  Result<nlohmann::json> update(const WorkspaceId& ws, const std::string& id, const nlohmann::json& patch,
                                const std::string& parent_id = {}, const model::ValidationContext& context = {});
  /// Applies already-validated values on `c`.
  Result<nlohmann::json> apply(Connection& c, const WorkspaceId& ws, const std::string& id,
                               const std::vector<model::ColumnValue>& values, const std::string& parent_id = {});

  /// Deletes the record. Errors: not found, still referenced (409).
  Result<void> remove(const WorkspaceId& ws, const std::string& id, const std::string& parent_id = {});

  /// A page of the workspace's records matching every condition.
  Result<Page> list(const WorkspaceId& ws, const ListQuery& query);
  /// The same page already serialized as the API returns it,
  /// {"items":[...],"nextCursor":"..."|null}, written straight from the
  /// rows (no JSON DOM: the list endpoints' hot path).
  Result<std::string> list_text(const WorkspaceId& ws, const ListQuery& query);

  /// Seals the values of `column` (kEncrypted) that an older voqo wrote in
  /// clear. Returns how many rows it sealed.
  Result<int> seal_plaintext(std::string_view column);

  /// Reads a secret column (kEncrypted) in clear, for the engines that need it.
  Result<std::optional<nlohmann::json>> read_secret(const WorkspaceId& ws, const std::string& id,
                                                    std::string_view column);

 private:
  Result<nlohmann::json> row_to_json(const Statement& st) const;
  /// A stored kEncrypted value in clear ("sb1:…" opened; older clear text as is).
  std::string clear_text(std::string_view stored) const;
  /// In a patch: masked values of a sealed object ("********") take the stored
  /// ones; with a changed `endpoint`, sealed credentials must be sent again
  /// (422 naming them) — a secret is never sent to a new host (issue 16 §6).
  Result<void> keep_sealed_secrets(const WorkspaceId& ws, const std::string& id, const std::string& parent_id,
                                   nlohmann::json& patch);
  void append_row_text(std::string& out, const Statement& st) const;
  /// Runs the page query and calls `row` for each of at most `limit` rows;
  /// returns the next cursor ("" on the last page).
  Result<std::string> walk(const WorkspaceId& ws, const ListQuery& query,
                           const std::function<Result<void>(const Statement&)>& row);
  std::string select_list() const;
  std::string parent_column() const;
  std::string order_sql() const;

  Database& db_;
  const model::EntitySpec& spec_;
  const SecretBox* secrets_;
  std::string select_;
  bool file_order_ = false;  ///< batch contacts and rejections list in line order
};

/// A page cursor: the base64url (RFC 4648 §5) of the last row's order key
/// and id, so pages are stable under inserts.
std::string encode_cursor(std::string_view key, std::string_view id);
/// The {order key, id} of a cursor. Errors: invalid naming `cursor` when it
/// is not one encode_cursor() wrote.
Result<std::pair<std::string, std::string>> decode_cursor(std::string_view cursor);

/// Binds a model::Value to parameter `index`.
void bind_value(Statement& st, int index, const model::Value& v);

}  // namespace voqo::store
