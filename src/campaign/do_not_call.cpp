#include "campaign/do_not_call.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "campaign/csv_reader.hpp"
#include "core/id.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "model/phone.hpp"
#include "model/schema.hpp"

namespace voqo::campaign {
namespace {

/// Lower-case ASCII without spaces, tabs, '_' and '-': "Phone_Number" → "phonenumber".
std::string normalize_header(std::string_view header) {
  std::string out;
  for (char c : header) {
    if (c == ' ' || c == '\t' || c == '_' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

constexpr std::array<std::string_view, 3> kPhoneHeaders = {"phone", "number", "phonenumber"};

bool has_digit(std::string_view s) {
  return std::ranges::any_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

/// The id of the row listing `e164`, or "" when none.
Result<std::string> find_id(store::Connection& c, const WorkspaceId& ws, const std::string& e164) {
  auto st = c.prepare("SELECT id FROM do_not_call WHERE workspace_id = ? AND phone = ?");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  (*st)->bind_text(2, e164);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  return *row ? std::string((*st)->column_text(0)) : std::string{};
}

/// Deletes rows where `column` = `value`; returns how many.
Result<int64_t> delete_where(store::Connection& c, const WorkspaceId& ws, std::string_view column,
                             const std::string& value) {
  auto st = c.prepare(column == "id" ? "DELETE FROM do_not_call WHERE workspace_id = ? AND id = ?"
                                     : "DELETE FROM do_not_call WHERE workspace_id = ? AND phone = ?");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  (*st)->bind_text(2, value);
  if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  return c.changes();
}

}  // namespace

DoNotCallList::DoNotCallList(store::Database& db) : db_(db), repo_(db, model::do_not_call_spec()) {}

Result<bool> DoNotCallList::contains(const WorkspaceId& ws, const std::string& phone, const std::string& region) {
  auto parsed = model::normalize_phone(phone, region);
  if (!parsed) return false;
  return db_.read([&](store::Connection& c) -> Result<bool> {
    auto id = find_id(c, ws, parsed->e164);
    if (!id) return std::unexpected(id.error());
    return !id->empty();
  });
}

Result<nlohmann::json> DoNotCallList::add(const WorkspaceId& ws, const std::string& phone, const std::string& reason,
                                          const std::string& source, const std::string& call_id,
                                          const std::string& region) {
  auto parsed = model::normalize_phone(phone, region);
  if (!parsed) return std::unexpected(Error::invalid("phone", parsed.error().message));
  if (source != "api" && source != "import" && source != "call")
    return std::unexpected(Error::invalid("source", "must be api, import or call"));
  if (utf8_length(reason) > 500)
    return std::unexpected(Error::invalid("reason", "must be at most 500 characters"));
  const auto& spec = model::do_not_call_spec();
  auto text_or_null = [](const std::string& s) -> model::Value {
    if (s.empty()) return std::monostate{};
    return s;
  };
  return db_.write([&](store::Connection& c) -> Result<nlohmann::json> {
    auto id = find_id(c, ws, parsed->e164);
    if (!id) return std::unexpected(id.error());
    if (!id->empty()) return repo_.get(c, ws, *id);
    return repo_.insert(c, ws, {{spec.by_column("phone"), parsed->e164},
                            {spec.by_column("reason"), text_or_null(reason)},
                            {spec.by_column("source"), source},
                            {spec.by_column("call_id"), text_or_null(call_id)}});
  });
}

Result<DncImportReport> DoNotCallList::import_csv(const WorkspaceId& ws, std::istream& csv, const std::string& region,
                                                  const std::string& reason) {
  DncImportReport report;
  CsvReader reader(csv);
  CsvRecord record;
  const model::PhoneNormalizer normalize(region);
  size_t column = 0;
  bool first = true;
  std::vector<std::string> numbers;  // normalised, in file order
  for (;;) {
    auto more = reader.next(record);
    if (!more) return std::unexpected(more.error());
    if (!*more) break;
    if (first) {
      first = false;
      bool header = false;
      for (size_t i = 0; i < record.fields.size() && !header; ++i)
        if (std::ranges::find(kPhoneHeaders, normalize_header(record.fields[i])) != kPhoneHeaders.end()) {
          header = true;
          column = i;
        }
      if (header || (!record.fields.empty() && !has_digit(record.fields[0]))) continue;
    }
    auto reject = [&](std::string why) {
      ++report.rejected_count;
      if (report.rejected.size() < DncImportReport::kMaxRejections)
        report.rejected.push_back({static_cast<int64_t>(record.line), std::move(why)});
    };
    if (column >= record.fields.size()) {
      reject("missing phone");
      continue;
    }
    auto parsed = normalize(record.fields[column]);
    if (!parsed) {
      reject(parsed.error().message);
      continue;
    }
    numbers.push_back(std::move(parsed->e164));
  }
  if (numbers.empty()) return report;

  auto done = db_.write([&](store::Connection& c) -> Result<void> {
    auto st = c.prepare(
        "INSERT INTO do_not_call (id, phone, reason, source, created_at, workspace_id) "
        "VALUES (?, ?, ?, 'import', ?, ?) ON CONFLICT (workspace_id, phone) DO NOTHING");
    if (!st) return std::unexpected(st.error());
    IdSequence ids;
    const std::string now = now_iso8601();
    for (const auto& e164 : numbers) {
      (*st)->reset();
      (*st)->bind_text(1, ids.next());
      (*st)->bind_text(2, e164);
      if (reason.empty())
        (*st)->bind_null(3);
      else
        (*st)->bind_text(3, reason);
      (*st)->bind_text(4, now);
      (*st)->bind_text(5, ws.value);
      if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
      (c.changes() == 1 ? report.added : report.already_listed)++;
    }
    return ok();
  });
  if (!done) return std::unexpected(done.error());
  return report;
}

Result<void> DoNotCallList::remove(const WorkspaceId& ws, const std::string& id_or_phone, const std::string& region) {
  auto parsed = model::normalize_phone(id_or_phone, region);
  const bool id_shaped = looks_like_id(id_or_phone);
  if (!id_shaped && !parsed)
    return std::unexpected(Error::not_found("do-not-call entry not found: " + id_or_phone));
  return db_.write([&](store::Connection& c) -> Result<void> {
    if (id_shaped) {
      auto n = delete_where(c, ws, "id", id_or_phone);
      if (!n) return std::unexpected(n.error());
      if (*n > 0) return ok();
    }
    if (parsed) {
      auto n = delete_where(c, ws, "phone", parsed->e164);
      if (!n) return std::unexpected(n.error());
      if (*n > 0) return ok();
    }
    return std::unexpected(Error::not_found("do-not-call entry not found: " + id_or_phone));
  });
}

}  // namespace voqo::campaign
