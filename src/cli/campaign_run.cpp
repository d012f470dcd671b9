#include "cli/campaign_run.hpp"

#include <unistd.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/time.hpp"

namespace voqo::cli {
namespace {

using json = nlohmann::json;

std::string fit(std::string s, std::size_t width) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  // Cut on a UTF-8 boundary.
  std::size_t cut = width - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…" + std::string(width - cut - 1, ' ');
}

/// Job calls waiting for a callback the callee asked for.
Result<int64_t> callbacks_waiting(store::Store& st, const std::string& job_id) {
  return st.db().read([&](store::Connection& c) -> Result<int64_t> {
    auto q = c.prepare("SELECT count(*) FROM job_calls WHERE job_id = ? AND status = 'pending' AND wait_reason LIKE 'callback%'");
    if (!q) return std::unexpected(q.error());
    (*q)->bind_text(1, job_id);
    if (auto r = (*q)->step(); !r) return std::unexpected(r.error());
    return (*q)->column_int(0);
  });
}

}  // namespace

bool watch_job(Runtime& rt, const WorkspaceId& ws, const std::string& job_id, std::ostream& out, bool draw, const std::atomic<bool>& stop,
               bool callbacks_settle) {
  const bool tty = draw && ::isatty(STDOUT_FILENO) && &out == &std::cout;
  auto last_line = std::chrono::steady_clock::now() - std::chrono::hours(1);
  std::string last_text;
  for (;;) {
    auto p = rt.dialer->progress(ws, job_id);
    if (!p) return true;
    const bool final = p->status == "completed" || p->status == "failed" || p->status == "cancelled";
    const int64_t callbacks = callbacks_settle ? callbacks_waiting(*rt.store, job_id).value_or(0) : 0;
    const bool settled = final || (p->calling == 0 && p->pending == callbacks && rt.dialer->in_flight() == 0);
    if (draw) {
      const int64_t done = p->completed + p->failed;
      const int width = 30;
      const int filled = p->total ? static_cast<int>(width * done / p->total) : width;
      std::ostringstream line;
      line << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/" << p->total
           << " done, " << p->calling << " in progress, " << (p->pending - p->waiting) << " queued";
      if (p->waiting) line << ", " << p->waiting << " waiting";
      if (p->paused) line << " (paused)";
      if (!p->outcomes.empty()) {
        line << " |";
        for (auto it = p->outcomes.begin(); it != p->outcomes.end(); ++it) line << " " << it.key() << ": " << it.value();
      }
      const auto now = std::chrono::steady_clock::now();
      if (tty) {
        out << "\r\033[K" << line.str() << std::flush;
      } else if (line.str() != last_text && (now - last_line > std::chrono::seconds(5) || settled)) {
        out << line.str() << "\n" << std::flush;
        last_line = now;
      }
      last_text = line.str();
    }
    if (settled) {
      if (tty) out << "\n";
      return true;
    }
    if (stop.load()) {
      if (tty) out << "\n";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

Result<json> job_report(store::Store& st, const WorkspaceId& ws, const std::string& job_id) {
  auto job = st.jobs().records().get(ws, job_id);
  if (!job) return std::unexpected(job.error());
  json calls = json::array();
  auto r = st.db().read([&](store::Connection& c) -> Result<void> {
    auto q = c.prepare(
        "SELECT coalesce(b.name, ''), coalesce(jc.phone, b.phone, ''), jc.status, coalesce(jc.outcome, ''), "
        "coalesce(k.duration, 0), coalesce(k.summary, ''), coalesce(jc.call_id, ''), jc.attempts, "
        "coalesce(jc.error_message, ''), coalesce(jc.next_attempt_at, ''), coalesce(jc.wait_reason, ''), "
        "coalesce(k.status, ''), coalesce(k.recording_url, '') "
        "FROM job_calls jc LEFT JOIN batch_contacts b ON b.id = jc.batch_contact_id "
        "LEFT JOIN calls k ON k.id = jc.call_id WHERE jc.job_id = ? ORDER BY b.line, jc.created_at, jc.id");
    if (!q) return std::unexpected(q.error());
    (*q)->bind_text(1, job_id);
    for (;;) {
      auto row = (*q)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto& s = **q;
      auto t = [&](int i) { return std::string(s.column_text(i)); };
      json e = {{"contact", t(0)},         {"phone", t(1)},      {"status", t(2)},
                {"outcome", t(3).empty() ? json(nullptr) : json(t(3))},
                {"duration", s.column_int(4)}, {"summary", t(5)}, {"callId", t(6).empty() ? json(nullptr) : json(t(6))},
                {"attempts", s.column_int(7)}, {"error", t(8).empty() ? json(nullptr) : json(t(8))},
                {"callStatus", t(11).empty() ? json(nullptr) : json(t(11))},
                {"recordingUrl", t(12).empty() ? json(nullptr) : json(t(12))}};
      if (t(2) == "pending" && !t(9).empty()) {
        e["nextAttemptAt"] = t(9);
        e["waitReason"] = t(10);
      }
      calls.push_back(std::move(e));
    }
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return json{{"jobId", job_id}, {"jobStatus", (*job)["status"]}, {"calls", std::move(calls)}};
}

void print_report(const json& report, std::ostream& out) {
  out << fit("Contact", 20) << " " << fit("Phone", 14) << " " << fit("Outcome", 18) << " " << fit("Status", 10) << " "
      << std::setw(6) << "Dur s" << "  Summary\n";
  out << std::string(110, '-') << "\n";
  for (const auto& c : report["calls"]) {
    std::string outcome = c["outcome"].is_string() ? c["outcome"].get<std::string>() : "";
    std::string summary = c.value("summary", "");
    if (c["error"].is_string() && summary.empty()) summary = c["error"].get<std::string>();
    if (c.contains("nextAttemptAt")) summary = "next call " + c["nextAttemptAt"].get<std::string>() + " — " + summary;
    out << fit(c.value("contact", ""), 20) << " " << fit(c.value("phone", ""), 14) << " " << fit(outcome, 18) << " "
        << fit(c.value("status", ""), 10) << " " << std::setw(6) << c.value("duration", 0) << "  " << fit(summary, 60)
        << "\n";
  }
}

}  // namespace voqo::cli
