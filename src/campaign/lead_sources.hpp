#pragma once
/// Lead sources (issue 18 §7): leads pushed to `POST /api/lead-sources/{id}/leads`
/// (a JSON array of objects or a CSV), entered by hand, or pulled from a CRM's
/// HTTP JSON endpoint, each through the source's field mapping and then the
/// very import a CSV upload goes through (import_rows: phone normalisation,
/// duplicates, the per-row report), as one `uploads` row of the source's
/// campaign written by UploadRepository::import (so whatever that import path
/// does for a campaign whose job runs, it does for leads too).
///
/// The field mapping (swarm_lead_sources.field_mapping) names, for each lead
/// field, the source's column or JSON key: {name, phone, email, company,
/// leadScore, customFields: {source: target}}. A field with no mapping reads
/// the key of its own name ("email", "company", "leadScore"); keys that no
/// mapping takes are passed on as they are, so a phone or name column is
/// still found by the CSV import's header rules and the rest land in the
/// batch contact's `variables` (custom fields under their target name).
///
/// A lead is never stored twice in one campaign: a phone already held by a
/// batch contact of any upload of the campaign is rejected as a duplicate
/// ("already a lead of this campaign"), checked inside the import's
/// transaction. So a re-sync, or a repeated push, adds only new leads.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <istream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/contact_import.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace voqo::campaign {

/// The most leads one push (or one pull) may carry; a longer body is refused
/// whole (too_large → 413) before anything is stored.
inline constexpr size_t kMaxLeadsPerPush = 10'000;

/// One lead as the source sent it, before the mapping: its keys (JSON keys or
/// CSV headers) and values as text, and the line the report gives it (JSON:
/// array index + 1; CSV: the line where the record starts).
struct RawLead {
  uint64_t line = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  /// Set when the row cannot be a lead at all ("not a JSON object", "contains
  /// a NUL byte"): it is reported as rejected with this reason.
  std::string error;
};

/// The leads of a JSON body: an array (at most `max_rows` elements, else
/// too_large naming "body") whose objects become leads; an element that is
/// not an object is a lead with `error` set. Values: strings as they are,
/// numbers and booleans as JSON text, null as "", arrays and objects as JSON.
/// Errors: invalid naming "body" when the body is not an array.
Result<std::vector<RawLead>> leads_from_json(const nlohmann::json& body, size_t max_rows = kMaxLeadsPerPush);

/// The leads of a CSV (RFC 4180, the upload's reader): the header gives the
/// keys. Errors: the reader's (unclosed quote, UTF-16, ...), too_large naming
/// "body" beyond `max_rows` records, invalid naming "body" for an empty file.
Result<std::vector<RawLead>> leads_from_csv(std::istream& in, size_t max_rows = kMaxLeadsPerPush);

/// Checks a field mapping: an object whose name/phone/email/company/leadScore
/// are non-empty strings (≤ 200 characters) and whose customFields is an
/// object of string → non-empty string. Errors name "fieldMapping.<member>".
Result<void> validate_field_mapping(const nlohmann::json& mapping);

/// Checks a crm_config: {url (http(s), required), itemsPath and nextPath
/// (JSON pointers, RFC 6901: "" or starting with "/"), cursorParam, pageSizeParam
/// (query parameter names), pageSize (1–1000), intervalMinutes (1–10080)}.
/// Unknown members are refused. Errors name "crmConfig.<member>".
Result<void> validate_crm_config(const nlohmann::json& config);

/// Imports `leads` into a new upload of `source`'s campaign named
/// "lead-source:<name>:<UTC timestamp>" (one transaction): the mapping is
/// applied, rows go through import_rows (phone numbers read with `region`),
/// phones the campaign already holds are rejected as duplicates, and each
/// batch contact carries the source's id and its email, company and lead
/// score. Then the source's last_sync_at/status and total_leads are updated.
/// Report lines are the RawLead lines. Errors: invalid naming "body" when
/// there is no lead at all; the import's hard errors; store errors.
Result<ImportReport> import_leads(store::Store& st, const store::LeadSourceRecord& source,
                                  const std::vector<RawLead>& leads, const std::string& region);

/// Limits of one CRM pull.
struct LeadSyncOptions {
  uint32_t max_pages = 1000;                     ///< pages fetched at most (a loop or a huge CRM stops here)
  size_t max_leads = kMaxLeadsPerPush;           ///< leads taken at most per pull
  size_t max_page_bytes = 16u << 20;             ///< a longer page body is an error
  std::chrono::milliseconds timeout{30000};      ///< per page
  /// Reach loopback and private addresses (net::AddressGuard); nullopt = the
  /// workspace's allow_private_tool_hosts setting.
  std::optional<bool> allow_private_hosts;
};

/// What one pull did.
struct LeadSyncResult {
  uint32_t pages = 0;         ///< pages fetched
  uint64_t fetched = 0;       ///< leads read from them
  std::string stopped;        ///< "end" (empty page or no next), "page cap", "lead cap", "loop"
  std::optional<ImportReport> report;  ///< the import (none when no lead was fetched)
};

/// Pulls a crm_integration source now: GETs crmConfig.url with the sealed
/// crmHeaders, takes the leads at itemsPath of each page, follows nextPath
/// (an absolute http(s) URL, or a cursor value put in cursorParam of the
/// first URL) until an empty page, a missing/null/"" next, a next already
/// fetched ("loop"), max_pages or max_leads; then imports them (import_leads).
/// A failed page (transport error, non-2xx, not JSON, itemsPath not an array)
/// imports nothing from this pull and records last_sync_status "error" with
/// the reason (the next pull fetches everything again, so nothing is lost);
/// stopping at a cap or a loop imports what was read and records "error"
/// with the reason. Errors: not_found (another workspace's source too);
/// conflict when the source is not crm_integration, has no crmConfig, or is
/// inactive; the failed page's error (after recording it).
Result<LeadSyncResult> sync_lead_source(store::Store& st, const WorkspaceId& ws, const std::string& id,
                                        const LeadSyncOptions& options = {});

/// Pulls every active crm_integration source when its crmConfig.intervalMinutes
/// (default 60) have passed since its last_sync_at, on a thread of its own
/// ("voqo-leads") that looks every `check_every`. Errors are recorded on the
/// source (sync_lead_source) and logged. stop() (or the destructor) ends it
/// within a check period plus a page's timeout.
class LeadSourcePoller {
 public:
  LeadSourcePoller(store::Store& st, LeadSyncOptions options = {},
                   std::chrono::milliseconds check_every = std::chrono::seconds(30));
  ~LeadSourcePoller();
  LeadSourcePoller(const LeadSourcePoller&) = delete;
  LeadSourcePoller& operator=(const LeadSourcePoller&) = delete;

  void start();
  void stop();
  /// Pulls the sources that are due at `now` (ISO-8601 UTC); returns how many were pulled.
  size_t tick(const std::string& now);

 private:
  store::Store& st_;
  LeadSyncOptions options_;
  std::chrono::milliseconds check_every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace voqo::campaign
