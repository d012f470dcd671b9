// Jobs (+ job calls, events) and their controls through the dialer.
#include "api/rest_kit.hpp"
#include "campaign/dialer.hpp"

namespace voqo::api::rest {

namespace {

json progress_json(const campaign::JobProgress& p) {
  return {{"total", p.total},         {"pending", p.pending},     {"waiting", p.waiting}, {"calling", p.calling},
          {"completed", p.completed}, {"failed", p.failed},       {"paused", p.paused},   {"outcomes", p.outcomes}};
}

}  // namespace

void Api::jobs() {
  auto& jobs = st_.jobs();
  auto& repo = jobs.records();
  crud("/api/jobs", repo, {.list = true, .get = false, .create = false, .update = false, .remove = false});
  add_create("/api/jobs", [this, &jobs](HttpRequest& req, const json& body) {
    return config_.dialer ? config_.dialer->create_job(workspace(req), body) : jobs.create(workspace(req), body);
  });
  get_with_children("/api/jobs", repo, {{"jobCalls", jobs.job_calls(), "job_id"}},
                    [this](const HttpRequest& req, const std::string& id, json& job) {
                      if (config_.dialer)
                        if (auto p = config_.dialer->progress(workspace(req), id)) job["progress"] = progress_json(*p);
                    });
  using Control = Result<json> (campaign::Dialer::*)(const WorkspaceId&, const std::string&);
  for (const auto& [verb, fn] : std::initializer_list<std::pair<const char*, Control>>{
           {"pause", &campaign::Dialer::pause}, {"resume", &campaign::Dialer::resume}, {"cancel", &campaign::Dialer::cancel}}) {
    add("POST", std::string("/api/jobs/{id}/") + verb, [this, fn, &repo](HttpRequest& req) {
      auto id = path_id(req, "id", "job");
      if (!id) return problem_from(id.error(), req.target);
      if (auto job = repo.get(workspace(req), *id); !job) return problem_from(job.error(), req.target);
      if (!config_.dialer)
        return problem(503, "Service Unavailable", "this server runs without telephony (--no-sip): jobs do not run", {},
                       req.target);
      return reply((config_.dialer->*fn)(workspace(req), *id), req);
    });
  }
  child_list("/api/jobs/{id}/events", repo, st_.job_events(), "job_id");
  add("DELETE", "/api/jobs/{id}", [&jobs](HttpRequest& req) {
    auto id = path_id(req, "id", "job");
    return id ? reply(jobs.remove(workspace(req), *id), req) : problem_from(id.error(), req.target);
  });
  child_list("/api/jobs/{id}/calls", repo, jobs.job_calls(), "job_id");
}

}  // namespace voqo::api::rest
