#pragma once
/// Jobs and job calls (data model: `jobs`, `job_calls`). Creating a job
/// writes one pending job call per batch contact of its upload, and sets
/// total_calls, in one transaction (the store is the truth: DESIGN.md).
#include <string>

#include <nlohmann/json.hpp>

#include "store/repository.hpp"

namespace voqo::store {

class JobRepository {
 public:
  explicit JobRepository(Database& db);
  Repository& records() { return jobs_; }
  Repository& job_calls() { return job_calls_; }

  /// Validates {campaignId, uploadId, agentId}, each of workspace `ws`; the
  /// upload must belong to the campaign. Creates the job (pending) and its job calls. Errors: 422 for
  /// bad fields, 404 naming the field whose record does not exist.
  Result<nlohmann::json> create(const WorkspaceId& ws, const nlohmann::json& body);
  /// Deletes a job that is not running. Errors: not found; running (409).
  Result<void> remove(const WorkspaceId& ws, const std::string& id);

 private:
  Database& db_;
  Repository jobs_;
  Repository job_calls_;
};

}  // namespace voqo::store
