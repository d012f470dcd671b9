#include "campaign/contact_import.hpp"
#include "core/json_text.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "campaign/csv_reader.hpp"
#include "model/phone.hpp"

namespace voqo::campaign {
namespace {

/// Phone headers in order of preference, normalised (see normalize_header).
constexpr std::array<std::string_view, 10> kPhoneHeaders = {
    "phone", "phone1", "phonenumber", "mobile", "mobilephone", "cell", "cellphone", "tel", "telephone",
    "contactphonenumber"};
constexpr std::array<std::string_view, 3> kNameHeaders = {"name", "fullname", "contactname"};

/// Lower-case ASCII, without spaces, tabs, '_' and '-': "Phone_Number" → "phonenumber".
std::string normalize_header(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '\t' || c == '_' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// E.164 "+14155550123" → 14155550123 (at most 15 digits, so it fits).
uint64_t e164_key(std::string_view e164) {
  uint64_t key = 0;
  for (const char c : e164)
    if (c >= '0' && c <= '9') key = key * 10 + static_cast<uint64_t>(c - '0');
  return key;
}

/// E.164 number → first line it was seen on. Open addressing, linear probing,
/// 12 bytes a slot, load ≤ 0.7: ~24 MiB for a million numbers.
class DuplicateIndex {
 public:
  DuplicateIndex() { rehash(10); }

  /// Records `line` for `key` and returns 0, or returns the earlier line.
  uint32_t insert(uint64_t key, uint32_t line) {
    if ((size_ + 1) * 10 > keys_.size() * 7) rehash(bits_ + 1);
    size_t i = slot(key);
    while (keys_[i] != 0) {
      if (keys_[i] == key) return lines_[i];
      i = (i + 1) & mask_;
    }
    keys_[i] = key;
    lines_[i] = line;
    ++size_;
    return 0;
  }

 private:
  size_t slot(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits_)); }

  void rehash(unsigned bits) {
    std::vector<uint64_t> old_keys(size_t{1} << bits, 0);
    std::vector<uint32_t> old_lines(size_t{1} << bits, 0);
    old_keys.swap(keys_);
    old_lines.swap(lines_);
    bits_ = bits;
    mask_ = keys_.size() - 1;
    for (size_t j = 0; j < old_keys.size(); ++j) {
      if (old_keys[j] == 0) continue;
      size_t i = slot(old_keys[j]);
      while (keys_[i] != 0) i = (i + 1) & mask_;
      keys_[i] = old_keys[j];
      lines_[i] = old_lines[j];
    }
  }

  std::vector<uint64_t> keys_;  ///< 0 = empty (no E.164 number is 0)
  std::vector<uint32_t> lines_;
  size_t size_ = 0;
  size_t mask_ = 0;
  unsigned bits_ = 0;
};

Error file_error(std::string message) { return Error::invalid("file", std::move(message)); }

/// The header, mapped.
struct Columns {
  std::vector<std::string> names;  ///< header text, made unique
  size_t phone = 0;
  std::optional<size_t> name, first_name, last_name;
  struct Variable {
    size_t index;
    std::string key_json;  ///< "\"Company\":"
    bool is_extension;     ///< the key is "extension"
  };
  std::vector<Variable> variables;
  bool has_extension_column = false;
};

Result<Columns> map_header(const CsvRecord& header) {
  Columns cols;
  const size_t n = header.field_count;
  cols.names.reserve(n);
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < n; ++i) {
    std::string base(trim(header.fields[i]));
    if (base.empty()) base = "column " + std::to_string(i + 1);
    std::string name = base;
    for (int k = 2; seen.contains(name); ++k) name = base + " (" + std::to_string(k) + ")";
    seen.insert(name);
    cols.names.push_back(std::move(name));
  }
  std::vector<std::string> norm;
  norm.reserve(n);
  for (size_t i = 0; i < n; ++i) norm.push_back(normalize_header(header.fields[i]));
  auto find = [&](std::string_view key) -> std::optional<size_t> {
    for (size_t i = 0; i < n; ++i)
      if (norm[i] == key) return i;
    return std::nullopt;
  };

  std::optional<size_t> phone;
  for (const auto key : kPhoneHeaders)
    if ((phone = find(key))) break;
  if (!phone)
    for (size_t i = 0; i < n && !phone; ++i)
      if (norm[i].find("phone") != std::string::npos) phone = i;
  if (!phone) return std::unexpected(file_error("no phone column: expected one of phone, phone 1, phone number, mobile, cell, tel"));
  cols.phone = *phone;

  for (const auto key : kNameHeaders)
    if ((cols.name = find(key))) break;
  if (cols.name == cols.phone) cols.name.reset();
  if (!cols.name) {
    cols.first_name = find("firstname");
    cols.last_name = find("lastname");
  }

  for (size_t i = 0; i < n; ++i) {
    if (i == cols.phone || i == cols.name || i == cols.first_name || i == cols.last_name) continue;
    Columns::Variable v{i, {}, cols.names[i] == "extension"};
    append_json_string(v.key_json, cols.names[i]);
    v.key_json.push_back(':');
    cols.has_extension_column |= v.is_extension;
    cols.variables.push_back(std::move(v));
  }
  return cols;
}

std::string name_column_label(const Columns& c) {
  if (c.name) return c.names[*c.name];
  if (c.first_name && c.last_name) return c.names[*c.first_name] + " + " + c.names[*c.last_name];
  if (c.first_name) return c.names[*c.first_name];
  if (c.last_name) return c.names[*c.last_name];
  return {};
}

/// Collects issues into the writer and the (capped) report.
class Issues {
 public:
  Issues(store::UploadWriter& writer, ImportReport& report, uint32_t cap) : writer_(writer), report_(report), cap_(cap) {}

  Result<void> reject(uint64_t line, std::string column, std::string reason) {
    store::RowIssue issue{line, std::move(column), std::move(reason)};
    if (auto r = writer_.add_rejection(issue); !r) return r;
    ++report_.rejected_total;
    if (report_.rejected.size() < cap_) report_.rejected.push_back(std::move(issue));
    return {};
  }
  Result<void> warn(uint64_t line, std::string column, std::string reason) {
    store::RowIssue issue{line, std::move(column), std::move(reason)};
    if (auto r = writer_.add_warning(issue); !r) return r;
    ++report_.warnings_total;
    if (report_.warnings.size() < cap_) report_.warnings.push_back(std::move(issue));
    return {};
  }

 private:
  store::UploadWriter& writer_;
  ImportReport& report_;
  uint32_t cap_;
};

/// One row's outcome: checks and phone number (RowValidator::check, on the
/// validation thread when there is one), then name and variables
/// (RowValidator::build) and duplicates and the writer, in file order.
struct Outcome {
  bool accepted = false;
  std::string column;  ///< rejected: the offending column
  std::string reason;  ///< rejected: why
  std::string extension;  ///< accepted: the phone's extension, or ""
  store::BatchContactRow row;
};

/// A batch of records read ahead, and their outcomes.
struct Batch {
  std::vector<CsvRecord> records;
  std::vector<Outcome> outcomes;
  size_t count = 0;
};

/// A batch ends after this many rows or this many bytes of fields, whichever
/// comes first. Record slots are reused (their strings keep their capacity);
/// one that holds more than kKeepRecordBytes gives it back once committed, so
/// two batches keep at most 2 × 2048 × 4 KiB = 32 MiB between rows, and hold
/// at most ~2 × (kBatchBytes + one record) while in flight.
constexpr size_t kBatchRows = 2048;
constexpr size_t kBatchBytes = 4 << 20;
constexpr size_t kKeepRecordBytes = 4 << 10;

size_t record_bytes(const CsvRecord& record) {
  size_t bytes = 0;
  for (const auto& f : record.fields) bytes += f.size();
  return bytes;
}

size_t record_capacity(const CsvRecord& record) {
  size_t bytes = record.fields.capacity() * sizeof(std::string);
  for (const auto& f : record.fields) bytes += f.capacity();
  return bytes;
}

/// Everything that does not depend on other rows: checks, phone, name, JSON.
class RowValidator {
 public:
  RowValidator(const Columns& cols, const ImportOptions& options)
      : cols_(cols),
        normalize_(options.region),
        field_too_long_("field longer than " + std::to_string(options.max_field_bytes) + " bytes") {}

  /// Row checks and the phone number (the costly part; runs on the
  /// validation thread when there is one).
  void check(const CsvRecord& record, Outcome& out) const {
    const size_t header_count = cols_.names.size();
    const auto reject = [&](std::optional<size_t> column, std::string reason) {
      out.accepted = false;
      if (column && *column < header_count) out.column = cols_.names[*column];
      else out.column.clear();
      out.reason = std::move(reason);
    };
    if (record.nul_field) return reject(record.nul_field, "contains a NUL byte");
    if (record.oversized_field) return reject(record.oversized_field, field_too_long_);
    if (record.used_count > header_count)
      return reject(std::nullopt, "too many fields (" + std::to_string(record.field_count) + "; header has " +
                                      std::to_string(header_count) + ")");
    if (record.used_count == 0) return reject(std::nullopt, "empty row");
    auto phone = normalize_(cell(record, cols_.phone));
    if (!phone) return reject(cols_.phone, std::move(phone.error().message));
    out.accepted = true;
    out.row.phone = std::move(phone->e164);
    out.extension = std::move(phone->extension);
  }

  /// Name and variables of an accepted row (on the caller's thread, which
  /// has time to spare while the other one validates numbers).
  void build(const CsvRecord& record, Outcome& out) const {
    out.row.line = record.line;
    // Name.
    std::string name;
    if (cols_.name) {
      name.assign(trim(cell(record, cols_.name)));
    } else {
      const auto first_name = trim(cell(record, cols_.first_name));
      const auto last_name = trim(cell(record, cols_.last_name));
      name.reserve(first_name.size() + last_name.size() + 1);
      name.assign(first_name);
      if (!first_name.empty() && !last_name.empty()) name.push_back(' ');
      name.append(last_name);
    }
    if (name.empty()) out.row.name.reset();
    else out.row.name = std::move(name);
    // Variables: every other column, then the extension.
    const std::string_view extension = out.extension;
    bool extension_used = false;
    std::string& vars = out.row.variables_json;
    vars.assign(1, '{');
    for (const auto& v : cols_.variables) {
      std::string_view value = cell(record, v.index);
      if (v.is_extension && value.empty() && !extension.empty()) {
        value = extension;
        extension_used = true;
      }
      if (vars.size() > 1) vars.push_back(',');
      vars += v.key_json;
      append_json_string(vars, value);
    }
    if (!extension.empty() && !extension_used && !cols_.has_extension_column) {
      if (vars.size() > 1) vars.push_back(',');
      vars += "\"extension\":";
      append_json_string(vars, extension);
    }
    vars.push_back('}');
  }

  void run(Batch& batch) const {
    for (size_t i = 0; i < batch.count; ++i) check(batch.records[i], batch.outcomes[i]);
  }

 private:
  static std::string_view cell(const CsvRecord& record, std::optional<size_t> i) {
    return i && *i < record.fields.size() ? std::string_view(record.fields[*i]) : std::string_view{};
  }

  const Columns& cols_;
  const model::PhoneNormalizer normalize_;
  const std::string field_too_long_;
};

/// Runs RowValidator::run on batches on a second thread, one batch at a time.
/// libphonenumber serialises its regular-expression cache behind one mutex,
/// so two threads validating phone numbers at once are slower than one; this
/// thread is the only one that validates, while the caller's thread reads CSV
/// and talks to the writer.
class ValidationThread {
 public:
  explicit ValidationThread(const RowValidator& validator)
      : validator_(validator), thread_([this] { loop(); }) {}
  ~ValidationThread() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void submit(Batch& batch) {
    {
      std::lock_guard lock(mutex_);
      job_ = &batch;
      done_ = false;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || job_ != nullptr; });
      if (job_ == nullptr) return;  // stop with nothing pending
      Batch* batch = std::exchange(job_, nullptr);
      lock.unlock();
      validator_.run(*batch);
      lock.lock();
      done_ = true;
      cv_.notify_all();
    }
  }

  const RowValidator& validator_;
  std::mutex mutex_;
  std::condition_variable cv_;
  Batch* job_ = nullptr;
  bool done_ = true;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace

Result<ImportReport> import_rows(std::istream& in, store::UploadWriter& writer, const ImportOptions& options) {
  ImportReport report;
  report.upload_id = writer.upload_id();

  CsvOptions csv_options;
  csv_options.max_field_bytes = options.max_field_bytes;
  csv_options.hard_field_bytes = static_cast<size_t>(options.max_field_bytes) * 16;
  csv_options.max_fields = options.max_columns;
  CsvReader reader(in, csv_options);

  CsvRecord header;
  auto got = reader.next(header);
  if (!got) return std::unexpected(got.error());
  if (!*got) return std::unexpected(file_error("file is empty"));
  report.delimiter = reader.delimiter();
  if (header.field_count > options.max_columns)
    return std::unexpected(Error{ErrorCode::too_large,
                                 "the header has " + std::to_string(header.field_count) + " columns; at most " +
                                     std::to_string(options.max_columns) + " are allowed",
                                 {}});
  auto mapped = map_header(header);
  if (!mapped) return std::unexpected(mapped.error());
  const Columns cols = std::move(*mapped);
  report.phone_column = cols.names[cols.phone];
  report.name_column = name_column_label(cols);

  Issues issues(writer, report, options.max_report_issues);
  if (header.transcoded_field)
    if (auto r = issues.warn(header.line, cols.names[*header.transcoded_field], "not UTF-8; read as Windows-1252"); !r)
      return std::unexpected(r.error());

  const RowValidator validate(cols, options);
  DuplicateIndex seen;

  // Reads up to kBatchRows records into `batch`.
  const auto fill = [&](Batch& batch) -> Result<size_t> {
    if (batch.records.size() < kBatchRows) {
      batch.records.resize(kBatchRows);
      batch.outcomes.resize(kBatchRows);
    }
    batch.count = 0;
    size_t bytes = 0;
    while (batch.count < kBatchRows && bytes < kBatchBytes) {
      auto more = reader.next(batch.records[batch.count]);
      if (!more) return std::unexpected(more.error());
      if (!*more) break;
      bytes += record_bytes(batch.records[batch.count]);
      ++batch.count;
    }
    report.total_rows += batch.count;
    return batch.count;
  };
  // Duplicates, writer calls and the report, in file order.
  const auto commit = [&](Batch& batch) -> Result<void> {
    for (size_t i = 0; i < batch.count; ++i) {
      Outcome& o = batch.outcomes[i];
      CsvRecord& record = batch.records[i];
      struct Release {  // runs when this row is done, whichever way
        CsvRecord& r;
        ~Release() {
          if (record_capacity(r) > kKeepRecordBytes) std::vector<std::string>().swap(r.fields);
        }
      } release{record};
      const uint64_t line = record.line;
      if (!o.accepted) {
        if (auto r = issues.reject(line, std::move(o.column), std::move(o.reason)); !r) return r;
        continue;
      }
      const auto line32 = static_cast<uint32_t>(std::min<uint64_t>(line, std::numeric_limits<uint32_t>::max()));
      if (const uint32_t first = seen.insert(e164_key(o.row.phone), line32); first != 0) {
        if (auto r = issues.reject(line, cols.names[cols.phone], "duplicate of line " + std::to_string(first)); !r)
          return r;
        continue;
      }
      validate.build(record, o);
      if (auto r = writer.add_contact(o.row); !r) return r;
      ++report.imported;
      if (record.transcoded_field) {
        const size_t f = *record.transcoded_field;
        if (auto r = issues.warn(line, f < cols.names.size() ? cols.names[f] : std::string(),
                                 "not UTF-8; read as Windows-1252");
            !r)
          return r;
      }
    }
    return {};
  };

  std::array<Batch, 2> batches;
  if (options.threads <= 1) {
    for (;;) {
      auto n = fill(batches[0]);
      if (!n) return std::unexpected(n.error());
      if (*n == 0) break;
      validate.run(batches[0]);
      if (auto r = commit(batches[0]); !r) return std::unexpected(r.error());
    }
  } else {
    // The caller's thread reads batch k+1 and commits batch k while the
    // validation thread works on the batch in between.
    ValidationThread worker(validate);
    size_t cur = 0;
    auto n = fill(batches[cur]);
    if (!n) return std::unexpected(n.error());
    if (*n) worker.submit(batches[cur]);
    while (*n) {
      auto m = fill(batches[1 - cur]);
      worker.wait();
      if (!m) return std::unexpected(m.error());
      if (*m) worker.submit(batches[1 - cur]);
      if (auto r = commit(batches[cur]); !r) {
        worker.wait();
        return std::unexpected(r.error());
      }
      cur = 1 - cur;
      n = m;
    }
  }

  if (report.total_rows == 0) return std::unexpected(file_error("the file has a header but no data rows"));
  return report;
}

Result<ImportReport> import_contacts(store::UploadRepository& uploads, const WorkspaceId& ws,
                                     const std::string& campaign_id, const std::string& filename, std::istream& in,
                                     const ImportOptions& options) {
  ImportReport report;
  auto id = uploads.import(ws, campaign_id, filename, [&](store::UploadWriter& writer) -> Result<store::ImportCounts> {
    auto r = import_rows(in, writer, options);
    if (!r) return std::unexpected(r.error());
    report = std::move(*r);
    return store::ImportCounts{report.total_rows};
  });
  if (!id) return std::unexpected(id.error());
  report.upload_id = *id;
  return report;
}

}  // namespace voqo::campaign
