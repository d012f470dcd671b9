#include "store/repository.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/id.hpp"
#include "core/json_text.hpp"
#include "core/time.hpp"

namespace voqo::store {
namespace {

using model::FieldFlag;
using model::FieldType;

std::string base64url(std::string_view in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out(in.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(), in.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

constexpr char kCursorSep = '\x1f';

Error not_found(const model::EntitySpec& spec, const std::string& id) {
  return Error::not_found(std::string(spec.name) + " " + id + " not found");
}

/// Maps a conflict's column name to the camelCase field name.
Error name_fields(Error e, const model::EntitySpec& spec) {
  for (auto& f : e.fields)
    if (const auto* fs = spec.by_column(f.field)) f.field = std::string(fs->json);
  if (e.code == ErrorCode::conflict && !e.fields.empty())
    e.message = std::string(spec.name) + " with this " + e.fields[0].field + " already exists";
  return e;
}

constexpr std::string_view kMask = "********";
constexpr std::string_view kSealed = "sb1:";

/// Every string member of an object replaced by the mask (names kept).
nlohmann::json masked(nlohmann::json v) {
  if (v.is_object())
    for (auto& [k, member] : v.items())
      if (member.is_string() && !member.get_ref<const std::string&>().empty()) member = kMask;
  return v;
}

}  // namespace

std::string encode_cursor(std::string_view key, std::string_view id) {
  std::string raw(key);
  raw += kCursorSep;
  raw += id;
  return base64url(raw);
}

Result<std::pair<std::string, std::string>> decode_cursor(std::string_view cursor) {
  auto raw = unbase64url(cursor);
  const auto sep = raw ? raw->find(kCursorSep) : std::string::npos;
  if (sep == std::string::npos) return std::unexpected(Error::invalid("cursor", "is not a cursor from this list"));
  return std::pair{raw->substr(0, sep), raw->substr(sep + 1)};
}

void bind_value(Statement& st, int index, const model::Value& v) {
  std::visit(
      [&](const auto& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) st.bind_null(index);
        else if constexpr (std::is_same_v<X, int64_t>) st.bind_int(index, x);
        else if constexpr (std::is_same_v<X, double>) st.bind_double(index, x);
        else st.bind_text(index, x);
      },
      v);
}

Repository::Repository(Database& db, const model::EntitySpec& spec, const SecretBox* secrets)
    : db_(db), spec_(spec), secrets_(secrets) {
  // Rows that come from a file (batch contacts, rejections) list in file order.
  file_order_ = spec_.has_column("line");
  select_ = select_list();
}

std::string Repository::select_list() const {
  std::string s;
  for (const auto& f : spec_.fields) {
    if (f.has(model::kWriteOnly)) continue;
    if (!s.empty()) s += ", ";
    s += f.column;
  }
  return s;
}

std::string Repository::parent_column() const {
  for (const auto& f : spec_.fields)
    if (f.has(model::kParent)) return std::string(f.column);
  return {};
}

std::string Repository::order_sql() const {
  return file_order_ ? " ORDER BY line ASC, id ASC" : " ORDER BY created_at DESC, id DESC";
}

std::string Repository::clear_text(std::string_view stored) const {
  // Written before the field was sealed (a database of an older voqo): as is.
  if (!secrets_ || !stored.starts_with(kSealed)) return std::string(stored);
  auto plain = secrets_->open(stored);
  return plain ? *plain : std::string("{}");
}

Result<nlohmann::json> Repository::row_to_json(const Statement& st) const {
  nlohmann::json out = nlohmann::json::object();
  int col = 0;
  for (const auto& f : spec_.fields) {
    if (f.has(model::kWriteOnly)) continue;
    const int c = col++;
    auto& slot = out[std::string(f.json)];
    if (st.is_null(c)) continue;  // slot stays null
    switch (f.type) {
      case FieldType::integer: slot = st.column_int(c); break;
      case FieldType::real: slot = st.column_double(c); break;
      case FieldType::boolean: slot = st.column_int(c) != 0; break;
      case FieldType::json_array:
      case FieldType::json_object:
      case FieldType::json_any: {
        // A sealed object that is returned (custom functions' headers) shows
        // its names with every value masked.
        const bool sealed = f.has(model::kEncrypted);
        auto parsed = nlohmann::json::parse(sealed ? clear_text(st.column_text(c)) : std::string(st.column_text(c)),
                                            nullptr, false);
        if (parsed.is_discarded())
          return std::unexpected(Error::database("column " + std::string(f.column) + " of " + std::string(spec_.table) +
                                                 " holds invalid JSON"));
        slot = sealed ? masked(std::move(parsed)) : std::move(parsed);
        break;
      }
      case FieldType::text:
      case FieldType::timestamp: slot = std::string(st.column_text(c)); break;
    }
  }
  return out;
}

Result<nlohmann::json> Repository::create(const WorkspaceId& ws, const nlohmann::json& body,
                                          const std::string& parent_id, const model::ValidationContext& context) {
  auto values = model::validate_input(spec_, body, model::Mode::create, context);
  if (!values) return std::unexpected(values.error());
  const std::string parent = parent_column();
  if (!parent.empty()) values->push_back({spec_.by_column(parent), parent_id});
  return db_.write([&](Connection& c) { return insert(c, ws, std::move(*values)); });
}

Result<nlohmann::json> Repository::insert(Connection& c, const WorkspaceId& ws, std::vector<model::ColumnValue> values) {
  if (ws.empty()) return std::unexpected(Error{ErrorCode::internal, "a record needs its workspace", {}});
  const std::string now = now_iso8601();
  const std::string id = new_id();
  std::string cols = "id", marks = "?";
  values.insert(values.begin(), {spec_.by_column("id"), id});
  values.push_back({spec_.by_column("workspace_id"), ws.value});
  if (spec_.has_column("created_at")) values.push_back({spec_.by_column("created_at"), now});
  if (spec_.has_column("updated_at")) values.push_back({spec_.by_column("updated_at"), now});
  for (size_t i = 1; i < values.size(); ++i) {
    cols += ", " + std::string(values[i].field->column);
    marks += ", ?";
    if (values[i].field->has(model::kEncrypted) && secrets_ && std::holds_alternative<std::string>(values[i].value))
      values[i].value = secrets_->seal(std::get<std::string>(values[i].value));
  }
  auto st = c.prepare("INSERT INTO " + std::string(spec_.table) + " (" + cols + ") VALUES (" + marks + ") RETURNING " +
                      select_);
  if (!st) return std::unexpected(st.error());
  for (size_t i = 0; i < values.size(); ++i) bind_value(**st, static_cast<int>(i + 1), values[i].value);
  auto row = (*st)->step();
  if (!row) {
    if (row.error().code == ErrorCode::conflict && row.error().fields.empty() && !parent_column().empty())
      return std::unexpected(Error::not_found(std::string(spec_.name) + "'s parent not found"));
    return std::unexpected(name_fields(row.error(), spec_));
  }
  auto json = row_to_json(**st);
  (void)(*st)->step();  // finish the statement so the insert is complete
  return json;
}

Result<nlohmann::json> Repository::get(const WorkspaceId& ws, const std::string& id, const std::string& parent_id) {
  return db_.read([&](Connection& c) { return get(c, ws, id, parent_id); });
}

Result<nlohmann::json> Repository::get(Connection& c, const WorkspaceId& ws, const std::string& id,
                                       const std::string& parent_id) {
  const std::string parent = parent_id.empty() ? std::string{} : parent_column();
  std::string sql = "SELECT " + select_ + " FROM " + std::string(spec_.table) + " WHERE workspace_id = ? AND id = ?";
  if (!parent.empty()) sql += " AND " + parent + " = ?";
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  (*st)->bind_text(2, id);
  if (!parent.empty()) (*st)->bind_text(3, parent_id);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(not_found(spec_, id));
  return row_to_json(**st);
}

Result<nlohmann::json> Repository::update(const WorkspaceId& ws, const std::string& id, const nlohmann::json& given,
                                          const std::string& parent_id, const model::ValidationContext& context) {
  nlohmann::json patch = given;
  if (auto kept = keep_sealed_secrets(ws, id, parent_id, patch); !kept) return std::unexpected(kept.error());
  auto values = model::validate_input(spec_, patch, model::Mode::update, context);
  if (!values) {
    // Another workspace's record (or none) is not found, whatever the body
    // says: the 404 comes before the body's faults (issue 16).
    if (auto found = get(ws, id, parent_id); !found) return std::unexpected(found.error());
    return std::unexpected(values.error());
  }
  return db_.write([&](Connection& c) { return apply(c, ws, id, *values, parent_id); });
}

Result<nlohmann::json> Repository::apply(Connection& c, const WorkspaceId& ws, const std::string& id,
                                         const std::vector<model::ColumnValue>& values, const std::string& parent_id) {
  if (values.empty()) return get(c, ws, id, parent_id);
  std::string sets;
  std::vector<model::Value> args;
  for (const auto& v : values) {
    if (!sets.empty()) sets += ", ";
    sets += std::string(v.field->column) + " = ?";
    if (v.field->has(model::kEncrypted) && secrets_ && std::holds_alternative<std::string>(v.value))
      args.emplace_back(secrets_->seal(std::get<std::string>(v.value)));
    else
      args.push_back(v.value);
  }
  if (spec_.has_column("updated_at")) {
    sets += ", updated_at = ?";
    args.emplace_back(now_iso8601());
  }
  const std::string parent = parent_id.empty() ? std::string{} : parent_column();
  std::string sql = "UPDATE " + std::string(spec_.table) + " SET " + sets + " WHERE workspace_id = ? AND id = ?";
  args.emplace_back(ws.value);
  args.emplace_back(id);
  if (!parent.empty()) {
    sql += " AND " + parent + " = ?";
    args.emplace_back(parent_id);
  }
  sql += " RETURNING " + select_;
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  for (size_t i = 0; i < args.size(); ++i) bind_value(**st, static_cast<int>(i + 1), args[i]);
  auto row = (*st)->step();
  if (!row) return std::unexpected(name_fields(row.error(), spec_));
  if (!*row) return std::unexpected(not_found(spec_, id));
  auto json = row_to_json(**st);
  (void)(*st)->step();
  return json;
}

Result<void> Repository::remove(const WorkspaceId& ws, const std::string& id, const std::string& parent_id) {
  return db_.write([&](Connection& c) -> Result<void> {
    const std::string parent = parent_id.empty() ? std::string{} : parent_column();
    std::string sql = "DELETE FROM " + std::string(spec_.table) + " WHERE workspace_id = ? AND id = ?";
    if (!parent.empty()) sql += " AND " + parent + " = ?";
    auto st = c.prepare(sql);
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, id);
    if (!parent.empty()) (*st)->bind_text(3, parent_id);
    auto done = (*st)->step();
    if (!done) {
      Error e = done.error();
      if (e.code == ErrorCode::conflict)
        e.message = std::string(spec_.name) + " " + id + " is still referenced by other records";
      return std::unexpected(e);
    }
    if (c.changes() == 0) return std::unexpected(not_found(spec_, id));
    return {};
  });
}

Result<std::string> Repository::walk(const WorkspaceId& ws, const ListQuery& query,
                                     const std::function<Result<void>(const Statement&)>& row_fn) {
  const uint32_t limit = std::clamp<uint32_t>(query.limit, 1, kMaxPageSize);
  std::string where;
  std::vector<model::Value> args;
  auto add = [&](const std::string& clause) { where += (where.empty() ? " WHERE " : " AND ") + clause; };
  add("workspace_id = ?");
  args.emplace_back(ws.value);
  for (const auto& cond : query.conditions) {
    for (const auto& col : cond.columns)
      if (!spec_.has_column(col)) return std::unexpected(Error::invalid(col, "cannot filter on this field"));
    switch (cond.op) {
      case Condition::Op::equals: add(cond.columns.at(0) + " = ?"); args.push_back(cond.value); break;
      case Condition::Op::at_least: add(cond.columns.at(0) + " >= ?"); args.push_back(cond.value); break;
      case Condition::Op::before: add(cond.columns.at(0) + " < ?"); args.push_back(cond.value); break;
      case Condition::Op::any_equals: {
        std::string any;
        for (const auto& col : cond.columns) {
          any += (any.empty() ? "(" : " OR ") + col + " = ?";
          args.push_back(cond.value);
        }
        add(any + ")");
        break;
      }
    }
  }
  if (!query.cursor.empty()) {
    auto decoded = decode_cursor(query.cursor);
    if (!decoded) return std::unexpected(decoded.error());
    const auto& [key, id] = *decoded;
    if (file_order_) {
      char* end = nullptr;
      const long long line = std::strtoll(key.c_str(), &end, 10);
      if (end == key.c_str() || *end) return std::unexpected(Error::invalid("cursor", "is not a cursor from this list"));
      add("(line > ? OR (line = ? AND id > ?))");
      args.emplace_back(static_cast<int64_t>(line));
      args.emplace_back(static_cast<int64_t>(line));
    } else {
      add("(created_at < ? OR (created_at = ? AND id < ?))");
      args.emplace_back(key);
      args.emplace_back(key);
    }
    args.emplace_back(id);
  }
  const std::string sql = "SELECT " + select_ + " FROM " + std::string(spec_.table) + where + order_sql() +
                          " LIMIT " + std::to_string(limit + 1);
  // The cursor is built from the order key (created_at or line) and the id of the last row.
  const int id_col = 0;
  int key_col = -1, c = 0;
  for (const auto& f : spec_.fields) {
    if (f.has(model::kWriteOnly)) continue;
    if (f.column == (file_order_ ? "line" : "created_at")) key_col = c;
    ++c;
  }
  return db_.read([&](Connection& conn) -> Result<std::string> {
    auto st = conn.prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (size_t i = 0; i < args.size(); ++i) bind_value(**st, static_cast<int>(i + 1), args[i]);
    uint32_t n = 0;
    std::string last_key, last_id;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return std::string();
      if (n++ == limit) return encode_cursor(last_key, last_id);
      if (auto r = row_fn(**st); !r) return std::unexpected(r.error());
      if (n == limit) {  // the page's last row: its key is the cursor if another row follows
        last_key = file_order_ ? std::to_string((*st)->column_int(key_col)) : std::string((*st)->column_text(key_col));
        last_id = (*st)->column_text(id_col);
      }
    }
  });
}

Result<Page> Repository::list(const WorkspaceId& ws, const ListQuery& query) {
  Page page;
  auto next = walk(ws, query, [&](const Statement& st) -> Result<void> {
    auto item = row_to_json(st);
    if (!item) return std::unexpected(item.error());
    page.items.push_back(std::move(*item));
    return {};
  });
  if (!next) return std::unexpected(next.error());
  page.next_cursor = std::move(*next);
  return page;
}

Result<std::string> Repository::list_text(const WorkspaceId& ws, const ListQuery& query) {
  std::string out;
  out.reserve(64 + std::clamp<size_t>(query.limit, 1, kMaxPageSize) * 256);  // typical row ≈ 200 bytes
  out += "{\"items\":[";
  bool first = true;
  auto next = walk(ws, query, [&](const Statement& st) -> Result<void> {
    if (!first) out.push_back(',');
    first = false;
    append_row_text(out, st);
    return {};
  });
  if (!next) return std::unexpected(next.error());
  out += "],\"nextCursor\":";
  if (next->empty()) out += "null";
  else append_json_string(out, *next);
  out.push_back('}');
  return out;
}

void Repository::append_row_text(std::string& out, const Statement& st) const {
  out.push_back('{');
  int col = 0;
  for (const auto& f : spec_.fields) {
    if (f.has(model::kWriteOnly)) continue;
    const int c = col++;
    if (c) out.push_back(',');
    out.push_back('"');
    out.append(f.json);  // camelCase ASCII names: nothing to escape
    out += "\":";
    if (f.type == FieldType::text || f.type == FieldType::timestamp) {  // the common case: one call per column
      const auto text = st.column_text(c);
      if (text.data() == nullptr) out += "null";
      else append_json_string(out, text);
      continue;
    }
    if (st.is_null(c)) {
      out += "null";
      continue;
    }
    switch (f.type) {
      case FieldType::integer: {
        char buf[24];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, st.column_int(c));
        out.append(buf, end);
        break;
      }
      case FieldType::real: {
        const double v = st.column_double(c);
        char buf[32];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
        std::string_view text(buf, static_cast<size_t>(end - buf));
        out.append(text);
        if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";  // keep it a JSON float, as nlohmann does
        break;
      }
      case FieldType::boolean: out += st.column_int(c) ? "true" : "false"; break;
      // JSON columns hold text that nlohmann::json::dump() wrote on the way in.
      case FieldType::json_array:
      case FieldType::json_object:
      case FieldType::json_any:
        if (f.has(model::kEncrypted)) out += masked(nlohmann::json::parse(clear_text(st.column_text(c)), nullptr, false)).dump();
        else out.append(st.column_text(c));
        break;
      case FieldType::text:
      case FieldType::timestamp: append_json_string(out, st.column_text(c)); break;
    }
  }
  out.push_back('}');
}

Result<void> Repository::keep_sealed_secrets(const WorkspaceId& ws, const std::string& id, const std::string& parent_id,
                                             nlohmann::json& patch) {
  if (!secrets_ || !patch.is_object()) return {};
  const auto* endpoint = spec_.by_column("endpoint");
  const bool moves = endpoint && patch.contains(std::string(endpoint->json));
  std::optional<nlohmann::json> before;
  auto current = [&]() -> Result<nlohmann::json> {
    if (!before) {
      auto row = get(ws, id, parent_id);
      if (!row) return std::unexpected(row.error());
      before = *row;
    }
    return *before;
  };
  bool moved = false;
  if (moves) {
    auto row = current();
    if (!row) return std::unexpected(row.error());
    moved = (*row)[std::string(endpoint->json)] != patch[std::string(endpoint->json)];
  }
  for (const auto& f : spec_.fields) {
    if (!f.has(model::kEncrypted)) continue;
    const std::string name(f.json);
    auto stored = read_secret(ws, id, f.column);
    if (!stored) return std::unexpected(stored.error());
    const bool has_secret = *stored && !(*stored)->is_null() && !(*stored)->empty();
    // A secret is bound to where it is sent (issue 16 §6): a new endpoint
    // needs the credentials again.
    if (moved && has_secret && f.has(model::kWriteOnly) && !patch.contains(name))
      return std::unexpected(Error::invalid(name, "the endpoint changed: send the credentials again"));
    auto it = patch.find(name);
    if (it == patch.end() || !it->is_object()) continue;
    for (auto& [k, member] : it->items()) {
      if (member != kMask) continue;
      if (moved) return std::unexpected(Error::invalid(name + "." + k, "the endpoint changed: send this value again"));
      const nlohmann::json* old = has_secret && (*stored)->is_object() && (*stored)->contains(k) ? &(**stored)[k] : nullptr;
      if (!old) return std::unexpected(Error::invalid(name + "." + k, "has no stored value to keep"));
      member = *old;
    }
  }
  return {};
}

Result<int> Repository::seal_plaintext(std::string_view column) {
  if (!secrets_) return 0;
  return db_.write([&](Connection& c) -> Result<int> {
    std::vector<std::pair<std::string, std::string>> rows;
    {
      auto st = c.prepare("SELECT id, " + std::string(column) + " FROM " + std::string(spec_.table) + " WHERE " +
                          std::string(column) + " IS NOT NULL AND " + std::string(column) + " NOT LIKE 'sb1:%'");
      if (!st) return std::unexpected(st.error());
      while (true) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        rows.emplace_back(std::string((*st)->column_text(0)), std::string((*st)->column_text(1)));
      }
    }
    for (const auto& [id, text] : rows) {
      auto st = c.prepare("UPDATE " + std::string(spec_.table) + " SET " + std::string(column) + " = ? WHERE id = ?");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, secrets_->seal(text));
      (*st)->bind_text(2, id);
      if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    }
    return static_cast<int>(rows.size());
  });
}

Result<std::optional<nlohmann::json>> Repository::read_secret(const WorkspaceId& ws, const std::string& id,
                                                              std::string_view column) {
  const auto* f = spec_.by_column(column);
  if (!f || !f->has(model::kEncrypted) || !secrets_)
    return std::unexpected(Error{ErrorCode::internal, "not a secret column", {}});
  return db_.read([&](Connection& c) -> Result<std::optional<nlohmann::json>> {
    auto st = c.prepare("SELECT " + std::string(column) + " FROM " + std::string(spec_.table) +
                        " WHERE workspace_id = ? AND id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, id);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(not_found(spec_, id));
    if ((*st)->is_null(0)) return std::optional<nlohmann::json>{};
    const std::string_view text = (*st)->column_text(0);
    if (!text.starts_with(kSealed))  // written before it was sealed
      return std::optional<nlohmann::json>{nlohmann::json::parse(text, nullptr, false)};
    auto plain = secrets_->open(text);
    if (!plain) return std::unexpected(plain.error());
    return std::optional<nlohmann::json>{nlohmann::json::parse(*plain)};
  });
}

}  // namespace voqo::store
