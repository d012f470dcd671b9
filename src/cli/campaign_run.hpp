#pragma once
/// Running one campaign job from the command line (`voqo campaign start`,
/// `voqo demo`): start it, show live progress, and report each contact's
/// result.
#include <atomic>
#include <functional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/runtime.hpp"

namespace voqo::cli {

/// Waits until the job has nothing in progress and nothing due: it is final,
/// or every job call left is final or waiting for a scheduled callback (when
/// `callbacks_settle`). Draws a progress line on `out` every `period` (placed
/// / in progress / done, outcomes so far; rewritten in place on a terminal).
/// Returns false when `stop` was raised first.
bool watch_job(Runtime& rt, const WorkspaceId& ws, const std::string& job_id, std::ostream& out, bool draw, const std::atomic<bool>& stop,
               bool callbacks_settle = true);

/// One entry per job call: {contact, phone, outcome, status, duration,
/// summary, callId, attempts, error, nextAttemptAt} (status = the job call's
/// state; outcome and duration from its last call). Wrapped as {jobId,
/// jobStatus, calls:[...]}.
Result<nlohmann::json> job_report(store::Store& store, const WorkspaceId& ws, const std::string& job_id);

/// The report as a table (contact, outcome, duration, one-line summary).
void print_report(const nlohmann::json& report, std::ostream& out);

}  // namespace voqo::cli
