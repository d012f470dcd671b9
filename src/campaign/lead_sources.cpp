// Lead sources: field mapping, pushes and CRM pulls through the CSV import
// (lead_sources.hpp).
#include "campaign/lead_sources.hpp"

#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "campaign/csv_reader.hpp"
#include "core/json_parse.hpp"
#include "core/time.hpp"
#include "net/http_client.hpp"

namespace voqo::campaign {
namespace {

using nlohmann::json;

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// A CSV field, always quoted (RFC 4180 §2.6–2.7); line breaks become LF.
void append_field(std::string& out, std::string_view v) {
  out += '"';
  for (size_t i = 0; i < v.size(); ++i) {
    const char ch = v[i];
    if (ch == '"') out += "\"\"";
    else if (ch == '\r') {
      out += '\n';
      if (i + 1 < v.size() && v[i + 1] == '\n') ++i;
    } else out += ch;
  }
  out += '"';
}

size_t line_breaks(std::string_view v) {
  size_t n = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\n') ++n;
    else if (v[i] == '\r') {
      ++n;
      if (i + 1 < v.size() && v[i + 1] == '\n') ++i;
    }
  }
  return n;
}

/// One lead after the mapping: what goes into the CSV, and what goes beside it.
struct MappedLead {
  size_t raw = 0;  ///< index into the RawLead list
  std::vector<std::pair<std::string, std::string>> columns;
  std::optional<std::string> email, company;
  std::optional<std::string> score_text;
};

std::string mapping_key(const json& m, const char* field, const char* fallback) {
  if (auto it = m.find(field); it != m.end() && it->is_string() && !it->get<std::string>().empty())
    return it->get<std::string>();
  return fallback;
}

MappedLead apply_mapping(const json& mapping, const RawLead& lead, size_t index) {
  MappedLead out;
  out.raw = index;
  const bool has_phone = mapping.contains("phone"), has_name = mapping.contains("name");
  const std::string phone_key = mapping_key(mapping, "phone", ""), name_key = mapping_key(mapping, "name", "");
  const std::string email_key = mapping_key(mapping, "email", "email");
  const std::string company_key = mapping_key(mapping, "company", "company");
  const std::string score_key = mapping_key(mapping, "leadScore", "leadScore");
  std::unordered_map<std::string, std::string> custom;
  if (auto it = mapping.find("customFields"); it != mapping.end() && it->is_object())
    for (const auto& [source, target] : it->items())
      if (target.is_string()) custom[source] = target.get<std::string>();
  std::optional<std::string> phone, name;
  std::vector<std::pair<std::string, std::string>> rest;
  for (const auto& [key, value] : lead.fields) {
    if (has_phone && key == phone_key) phone = value;
    else if (has_name && key == name_key) name = value;
    else if (key == email_key) out.email = value;
    else if (key == company_key) out.company = value;
    else if (key == score_key || (!mapping.contains("leadScore") && key == "lead_score")) out.score_text = value;
    else if (auto c = custom.find(key); c != custom.end()) rest.emplace_back(c->second, value);
    else rest.emplace_back(key, value);
  }
  // Mapped phone and name first: the import's header rules take the first
  // `phone` / `name` column, so a mapped one wins over a passed-on one.
  if (has_phone) out.columns.emplace_back("phone", phone.value_or(""));
  if (has_name) out.columns.emplace_back("name", name.value_or(""));
  for (auto& r : rest) out.columns.push_back(std::move(r));
  if (out.email && out.email->empty()) out.email.reset();
  if (out.company && out.company->empty()) out.company.reset();
  if (out.score_text && out.score_text->empty()) out.score_text.reset();
  return out;
}

/// Writes the import's rows through to the upload, in the lead source's terms:
/// report lines become the RawLead lines, phones already in the campaign are
/// duplicates, and each batch contact gets the source, email, company and score.
class LeadWriter final : public store::UploadWriter {
 public:
  LeadWriter(store::UploadWriter& inner, const std::vector<RawLead>& raw, const std::vector<MappedLead>& mapped,
             std::vector<uint64_t> csv_lines, std::unordered_set<std::string> phones, std::string source_id)
      : inner_(inner), raw_(raw), mapped_(mapped), csv_lines_(std::move(csv_lines)), phones_(std::move(phones)),
        source_id_(std::move(source_id)) {}

  Result<void> add_contact(const store::BatchContactRow& row) override {
    const MappedLead* lead = by_line(row.line);
    store::BatchContactRow out = row;
    out.line = report_line(row.line);
    if (phones_.contains(row.phone)) return reject({out.line, "phone", "already a lead of this campaign"});
    if (lead) {
      out.email = lead->email;
      out.company = lead->company;
      if (lead->score_text) {
        double score = -1;
        try {
          size_t used = 0;
          score = std::stod(*lead->score_text, &used);
          if (used != lead->score_text->size()) score = -1;
        } catch (...) {
          score = -1;
        }
        if (!(score >= 0 && score <= 100)) return reject({out.line, "leadScore", "must be a number between 0 and 100"});
        out.lead_score = score;
      }
    }
    out.lead_source_id = source_id_;
    phones_.insert(row.phone);
    ++imported_;
    return inner_.add_contact(out);
  }
  Result<void> add_rejection(const store::RowIssue& issue) override { return reject(remap(issue)); }
  Result<void> add_warning(const store::RowIssue& issue) override {
    auto i = remap(issue);
    warnings_.push_back(i);
    return inner_.add_warning(i);
  }
  const std::string& upload_id() const override { return inner_.upload_id(); }

  Result<void> reject(store::RowIssue issue) {
    rejected_.push_back(issue);
    return inner_.add_rejection(issue);
  }

  uint64_t imported_ = 0;
  std::vector<store::RowIssue> rejected_, warnings_;

 private:
  const MappedLead* by_line(uint64_t csv_line) const {
    auto it = std::lower_bound(csv_lines_.begin(), csv_lines_.end(), csv_line);
    if (it == csv_lines_.end() || *it != csv_line) return nullptr;
    return &mapped_[static_cast<size_t>(it - csv_lines_.begin())];
  }
  uint64_t report_line(uint64_t csv_line) const {
    const MappedLead* lead = by_line(csv_line);
    return lead ? raw_[lead->raw].line : csv_line;
  }
  store::RowIssue remap(store::RowIssue issue) const {
    issue.line = report_line(issue.line);
    constexpr std::string_view dup = "duplicate of line ";
    if (issue.reason.starts_with(dup)) {
      try {
        issue.reason = std::string(dup) + std::to_string(report_line(std::stoull(issue.reason.substr(dup.size()))));
      } catch (...) {
      }
    }
    return issue;
  }

  store::UploadWriter& inner_;
  const std::vector<RawLead>& raw_;
  const std::vector<MappedLead>& mapped_;
  std::vector<uint64_t> csv_lines_;  ///< start line in the generated CSV of mapped_[i]
  std::unordered_set<std::string> phones_;
  std::string source_id_;
};

Error body_error(std::string message) { return Error::invalid("body", std::move(message)); }

bool is_pointer(const json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  if (!s.empty() && s[0] != '/') return false;
  try {
    (void)json::json_pointer(s);
  } catch (...) {
    return false;
  }
  return true;
}

bool is_http_url(const std::string& s) {
  return (s.starts_with("http://") && s.size() > 7) || (s.starts_with("https://") && s.size() > 8);
}

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
    else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

std::string with_param(const std::string& url, std::string_view name, std::string_view value) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + url_encode(name) + "=" + url_encode(value);
}

}  // namespace

Result<std::vector<RawLead>> leads_from_json(const json& body, size_t max_rows) {
  if (!body.is_array()) return std::unexpected(body_error("must be a JSON array of lead objects (or a CSV as text/csv)"));
  if (body.size() > max_rows)
    return std::unexpected(Error{ErrorCode::too_large,
                                 "a push carries at most " + std::to_string(max_rows) + " leads; this one has " +
                                     std::to_string(body.size()),
                                 {{"body", "too many leads"}}});
  std::vector<RawLead> out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    RawLead lead;
    lead.line = i + 1;
    if (!body[i].is_object()) lead.error = "not a JSON object";
    else
      for (const auto& [k, v] : body[i].items()) lead.fields.emplace_back(k, value_text(v));
    out.push_back(std::move(lead));
  }
  return out;
}

Result<std::vector<RawLead>> leads_from_csv(std::istream& in, size_t max_rows) {
  CsvReader reader(in);
  CsvRecord header, record;
  auto got = reader.next(header);
  if (!got) return std::unexpected(got.error());
  if (!*got) return std::unexpected(body_error("the CSV is empty"));
  std::vector<RawLead> out;
  while (true) {
    auto more = reader.next(record);
    if (!more) return std::unexpected(more.error());
    if (!*more) break;
    if (out.size() == max_rows)
      return std::unexpected(Error{ErrorCode::too_large, "a push carries at most " + std::to_string(max_rows) + " leads",
                                   {{"body", "too many leads"}}});
    RawLead lead;
    lead.line = record.line;
    if (record.nul_field) lead.error = "contains a NUL byte";
    else if (record.oversized_field) lead.error = "field longer than " + std::to_string(CsvOptions{}.max_field_bytes) + " bytes";
    else if (record.used_count > header.fields.size()) lead.error = "too many fields";
    else
      for (size_t i = 0; i < header.fields.size() && i < record.fields.size(); ++i)
        lead.fields.emplace_back(header.fields[i], record.fields[i]);
    out.push_back(std::move(lead));
  }
  return out;
}

Result<void> validate_field_mapping(const json& m) {
  if (!m.is_object()) return std::unexpected(Error::invalid("fieldMapping", "must be an object"));
  for (const auto& [key, value] : m.items()) {
    if (key == "customFields") {
      if (!value.is_object()) return std::unexpected(Error::invalid("fieldMapping.customFields", "must be an object of source → target"));
      for (const auto& [source, target] : value.items())
        if (!target.is_string() || target.get<std::string>().empty() || target.get<std::string>().size() > 200 ||
            source.size() > 200)
          return std::unexpected(Error::invalid("fieldMapping.customFields",
                                                "each source maps to a target name of 1-200 characters"));
      continue;
    }
    if (key != "name" && key != "phone" && key != "email" && key != "company" && key != "leadScore")
      return std::unexpected(Error::invalid("fieldMapping." + key, "unknown field (name, phone, email, company, leadScore, customFields)"));
    if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 200)
      return std::unexpected(Error::invalid("fieldMapping." + key, "must be the source's column or key (1-200 characters)"));
  }
  return {};
}

Result<void> validate_crm_config(const json& c) {
  if (c.is_null()) return {};
  if (!c.is_object()) return std::unexpected(Error::invalid("crmConfig", "must be an object"));
  auto url = c.find("url");
  if (url == c.end() || !url->is_string() || !is_http_url(url->get<std::string>()) || url->get<std::string>().size() > 2048)
    return std::unexpected(Error::invalid("crmConfig.url", "must be an http(s) URL"));
  for (const auto& [key, value] : c.items()) {
    if (key == "url") continue;
    if (key == "itemsPath" || key == "nextPath") {
      if (!is_pointer(value)) return std::unexpected(Error::invalid("crmConfig." + key, "must be a JSON pointer (RFC 6901) such as /data"));
    } else if (key == "cursorParam" || key == "pageSizeParam") {
      if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 100)
        return std::unexpected(Error::invalid("crmConfig." + key, "must be a query parameter name"));
    } else if (key == "pageSize") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 1000)
        return std::unexpected(Error::invalid("crmConfig.pageSize", "must be an integer between 1 and 1000"));
    } else if (key == "intervalMinutes") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 10080)
        return std::unexpected(Error::invalid("crmConfig.intervalMinutes", "must be an integer between 1 and 10080"));
    } else {
      return std::unexpected(Error::invalid("crmConfig." + key, "unknown member"));
    }
  }
  return {};
}

Result<ImportReport> import_leads(store::Store& st, const store::LeadSourceRecord& source,
                                  const std::vector<RawLead>& leads, const std::string& region) {
  if (leads.empty()) return std::unexpected(body_error("no leads: send at least one"));
  // The mapped leads as one CSV, every field quoted; the start line of each record kept.
  std::vector<MappedLead> mapped;
  std::vector<std::string> header;
  std::unordered_map<std::string, size_t> column_of;
  for (size_t i = 0; i < leads.size(); ++i) {
    if (!leads[i].error.empty()) continue;
    mapped.push_back(apply_mapping(source.field_mapping, leads[i], i));
    for (const auto& [name, value] : mapped.back().columns)
      if (column_of.emplace(name, header.size()).second) header.push_back(name);
  }
  std::string csv;
  std::vector<uint64_t> csv_lines;
  uint64_t line = 1;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i) csv += ',';
    append_field(csv, header[i]);
    line += line_breaks(header[i]);
  }
  csv += '\n';
  ++line;
  std::vector<std::string> row(header.size());
  for (const auto& m : mapped) {
    std::fill(row.begin(), row.end(), std::string());
    for (const auto& [name, value] : m.columns) row[column_of[name]] = value;
    csv_lines.push_back(line);
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) csv += ',';
      append_field(csv, row[i]);
      line += line_breaks(row[i]);
    }
    csv += '\n';
    ++line;
  }

  ImportOptions options;
  options.region = region;
  options.threads = 1;
  ImportReport report;
  const std::string filename = "lead-source:" + source.name + ":" + now_iso8601();
  auto id = st.db().write([&](store::Connection& c) -> Result<std::string> {
    auto phones = store::LeadSourceStore::campaign_phones(c, source.ws, source.campaign_id);
    if (!phones) return std::unexpected(phones.error());
    return st.uploads().import(source.ws, source.campaign_id, filename,
                               [&](store::UploadWriter& inner) -> Result<store::ImportCounts> {
      LeadWriter writer(inner, leads, mapped, csv_lines, std::move(*phones), source.id);
      for (const auto& lead : leads)
        if (!lead.error.empty())
          if (auto r = writer.reject({lead.line, "", lead.error}); !r) return std::unexpected(r.error());
      if (!mapped.empty()) {
        std::istringstream in(csv);
        auto r = import_rows(in, writer, options);
        if (!r) return std::unexpected(r.error());
        report.delimiter = r->delimiter;
        report.phone_column = r->phone_column;
        report.name_column = r->name_column;
      }
      report.total_rows = leads.size();
      report.imported = writer.imported_;
      std::stable_sort(writer.rejected_.begin(), writer.rejected_.end(),
                       [](const auto& a, const auto& b) { return a.line < b.line; });
      report.rejected_total = writer.rejected_.size();
      report.warnings_total = writer.warnings_.size();
      report.rejected = std::move(writer.rejected_);
      report.warnings = std::move(writer.warnings_);
      return store::ImportCounts{leads.size()};
    });
  });
  if (!id) return std::unexpected(id.error());
  report.upload_id = *id;
  if (auto r = st.lead_source_store().record_sync(source.ws, source.id, "success", "", report.imported); !r)
    spdlog::warn("lead source {}: {}", source.id, r.error().message);
  return report;
}

Result<LeadSyncResult> sync_lead_source(store::Store& st, const WorkspaceId& ws, const std::string& id,
                                        const LeadSyncOptions& options) {
  auto source = st.lead_source_store().get(ws, id);
  if (!source) return std::unexpected(source.error());
  if (source->source_type != "crm_integration")
    return std::unexpected(Error::conflict("sourceType", "only a crm_integration source is pulled"));
  if (!source->crm_config.is_object())
    return std::unexpected(Error::conflict("crmConfig", "the source has no crmConfig to pull from"));
  if (!source->is_active) return std::unexpected(Error::conflict("isActive", "the lead source is inactive"));
  const json& cfg = source->crm_config;
  const auto fail = [&](Error e) -> Result<LeadSyncResult> {
    if (auto r = st.lead_source_store().record_sync(ws, id, "error", e.message, 0); !r)
      spdlog::warn("lead source {}: {}", id, r.error().message);
    return std::unexpected(std::move(e));
  };
  net::HttpRequest base;
  base.timeout = options.timeout;
  bool allow_private = false;
  if (options.allow_private_hosts) allow_private = *options.allow_private_hosts;
  else if (auto s = st.settings().snapshot(ws); s) allow_private = s->allow_private_tool_hosts;
  base.guard = net::user_target_guard(allow_private);
  base.headers.emplace_back("Accept", "application/json");
  if (auto headers = st.lead_sources().read_secret(ws, id, "crm_headers"); headers && *headers && (*headers)->is_object())
    for (const auto& [name, value] : (*headers)->items())
      if (value.is_string()) base.headers.emplace_back(name, value.get<std::string>());

  const std::string first_url = [&] {
    std::string u = cfg.value("url", std::string());
    if (cfg.contains("pageSize") && cfg.contains("pageSizeParam"))
      u = with_param(u, cfg["pageSizeParam"].get<std::string>(), std::to_string(cfg["pageSize"].get<int64_t>()));
    return u;
  }();
  const std::string items_path = cfg.value("itemsPath", std::string());
  const std::string next_path = cfg.value("nextPath", std::string());
  const std::string cursor_param = cfg.value("cursorParam", std::string());

  LeadSyncResult result;
  std::vector<RawLead> leads;
  std::unordered_set<std::string> fetched;
  std::string url = first_url;
  result.stopped = "page cap";
  while (result.pages < options.max_pages) {
    if (!fetched.insert(url).second) {
      result.stopped = "loop";
      break;
    }
    net::HttpRequest req = base;
    req.url = url;
    std::string body;
    bool too_big = false;
    auto res = net::perform(req, [&](std::string_view chunk) {
      if (body.size() + chunk.size() > options.max_page_bytes) {
        too_big = true;
        return false;
      }
      body.append(chunk);
      return true;
    });
    ++result.pages;
    const std::string where = "page " + std::to_string(result.pages);
    if (too_big)
      return fail(Error{ErrorCode::too_large, where + " is larger than " + std::to_string(options.max_page_bytes) + " bytes", {}});
    if (!res) return fail(Error{ErrorCode::io, where + ": " + res.error().message, {}});
    if (res->status < 200 || res->status > 299)
      return fail(Error{ErrorCode::io, where + ": the CRM answered " + res->status_line(), {}});
    auto page = parse_json(body);
    if (!page) return fail(Error{ErrorCode::io, where + ": not JSON (" + page.error().message + ")", {}});
    const json* items = &*page;
    if (!items_path.empty()) {
      const json::json_pointer ptr(items_path);
      if (!page->contains(ptr)) return fail(Error{ErrorCode::io, where + ": nothing at itemsPath " + items_path, {}});
      items = &(*page)[ptr];
    }
    if (!items->is_array()) return fail(Error{ErrorCode::io, where + ": itemsPath " + items_path + " is not an array", {}});
    if (items->empty()) {
      result.stopped = "end";
      break;
    }
    bool capped = false;
    for (const auto& item : *items) {
      if (leads.size() == options.max_leads) {
        capped = true;
        break;
      }
      RawLead lead;
      lead.line = leads.size() + 1;
      if (!item.is_object()) lead.error = "not a JSON object";
      else
        for (const auto& [k, v] : item.items()) lead.fields.emplace_back(k, value_text(v));
      leads.push_back(std::move(lead));
    }
    if (capped) {
      result.stopped = "lead cap";
      break;
    }
    json next;
    if (!next_path.empty()) {
      const json::json_pointer ptr(next_path);
      if (page->contains(ptr)) next = (*page)[ptr];
    }
    if (next.is_null() || (next.is_string() && next.get<std::string>().empty())) {
      result.stopped = "end";
      break;
    }
    const std::string next_text = value_text(next);
    if (is_http_url(next_text)) url = next_text;
    else if (!cursor_param.empty()) url = with_param(first_url, cursor_param, next_text);
    else return fail(Error{ErrorCode::io, where + ": next page " + next_text + " is not a URL and crmConfig has no cursorParam", {}});
  }
  result.fetched = leads.size();
  if (!leads.empty()) {
    auto report = import_leads(st, *source, leads, st.settings().default_region(ws));
    if (!report) return fail(report.error());
    result.report = std::move(*report);
  } else {
    (void)st.lead_source_store().record_sync(ws, id, "success", "", 0);
  }
  if (result.stopped != "end") {
    const std::string why = result.stopped == "loop"  ? "pagination loops: page " + std::to_string(result.pages + 1) + " repeats an earlier URL"
                            : result.stopped == "lead cap" ? "stopped at " + std::to_string(options.max_leads) + " leads"
                                                           : "stopped at " + std::to_string(options.max_pages) + " pages";
    (void)st.lead_source_store().record_sync(ws, id, "error", why, 0);
  }
  return result;
}

LeadSourcePoller::LeadSourcePoller(store::Store& st, LeadSyncOptions options, std::chrono::milliseconds check_every)
    : st_(st), options_(std::move(options)), check_every_(check_every) {}

LeadSourcePoller::~LeadSourcePoller() { stop(); }

void LeadSourcePoller::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "voqo-leads");
    // The first look comes a period after the start, so a short-lived
    // process (`voqo call`) pulls nothing.
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, check_every_, [&] { return stopping_; })) {
      lock.unlock();
      (void)tick(now_iso8601());
      lock.lock();
    }
  });
}

void LeadSourcePoller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t LeadSourcePoller::tick(const std::string& now) {
  auto sources = st_.lead_source_store().active_crm_sources();
  if (!sources) {
    spdlog::warn("lead sources: {}", sources.error().message);
    return 0;
  }
  const auto at = parse_iso8601(now);
  size_t pulled = 0;
  for (const auto& s : *sources) {
    if (!s.crm_config.is_object()) continue;
    const int64_t minutes = s.crm_config.value("intervalMinutes", int64_t{60});
    if (s.last_sync_at && at) {
      const auto last = parse_iso8601(*s.last_sync_at);
      if (last && *at - *last < std::chrono::minutes(minutes)) continue;
    }
    auto r = sync_lead_source(st_, s.ws, s.id, options_);
    if (!r) spdlog::warn("lead source {} ({}): pull failed: {}", s.id, s.name, r.error().message);
    else spdlog::info("lead source {} ({}): {} leads from {} pages ({})", s.id, s.name, r->fetched, r->pages, r->stopped);
    ++pulled;
  }
  return pulled;
}

}  // namespace voqo::campaign
