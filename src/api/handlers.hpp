#pragma once
#include <filesystem>
/// The REST API's routes (issue 2): agents (+ configurations, custom
/// functions), contacts (+ memories), calls, campaigns (+ uploads), uploads
/// (+ batch contacts, rejections), jobs (+ job calls), settings, live calls
/// (issue 5: the live view, transcript, supervisor actions) and call
/// analytics, health and the OpenAPI document. JSON in and out, camelCase fields, RFC 7807
/// problems naming the offending field.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/router.hpp"
#include "speech/tts.hpp"
#include "store/store.hpp"

namespace voqo::calls { class CallService; }
namespace voqo::campaign { class Dialer; class SwarmService; }

namespace voqo::api {

class Authenticator;

struct ApiConfig {
  /// Admits every request (credentials, permission, cross-site rules, rate
  /// limits: authenticator.hpp); required, must outlive the API.
  Authenticator* auth = nullptr;
  /// How many rejected rows an upload response lists inline (all of them are
  /// always stored and listed by GET /api/uploads/{id}/rejections).
  size_t max_inline_rejections = 1000;
  /// Places calls for POST /api/calls; null = this server runs without SIP (503).
  calls::CallService* calls = nullptr;
  /// Runs jobs: POST /api/jobs and pause/resume/cancel go through it; null =
  /// jobs are stored but not run (a server without SIP), and the controls answer 503.
  campaign::Dialer* dialer = nullptr;
  /// Runs swarm campaigns (start/pause/resume/stop, PATCH while running); null = campaigns are plain records.
  campaign::SwarmService* swarm = nullptr;
  /// Where call recordings are (<id>.wav), for GET /api/calls/{id}/recording.
  std::filesystem::path recordings_dir;
  /// Carries out a supervisor action on a call in progress (issue 5 §4) and
  /// records it (store::LiveStore::record_supervisor_action); returns the
  /// recorded action's JSON. Called by POST /api/live-calls/{id}/actions with
  /// an action and details already validated (COACH_AGENT and ADD_NOTE have
  /// details.text; TRANSFER_CALL has details.target as E.164 or a sip:/sips:
  /// URI) for a call that exists and has not ended. Errors map to problems as
  /// usual (e.g. conflict → 409 when the call cannot take the action now).
  /// Null = no live control on this server: ADD_NOTE, BOOKMARK_MOMENT and
  /// FLAG_FOR_REVIEW are then recorded directly, the others answer 503.
  std::function<Result<nlohmann::json>(const WorkspaceId& ws, const std::string& call_id, const std::string& action,
                                       const nlohmann::json& details, const std::string& supervisor_id,
                                       const std::string& supervisor_name)>
      live_action;
  /// Synthesises a voice sample for POST /api/tts/preview (calls::Engines::preview_wav)
  /// from an already validated provider, voice and text; returns WAV bytes.
  /// Null = no speech engines on this server (503).
  std::function<Result<std::string>(const WorkspaceId& ws, const std::string& provider, const speech::Voice& voice,
                                    std::string_view text)>
      tts_preview;
};

/// The REST API: registers every route on `router` when constructed. The
/// handlers refer to this object, so it must outlive the server using the
/// router; `store` must outlive both.
class RestApi {
 public:
  RestApi(Router& router, store::Store& store, ApiConfig config);
  ~RestApi();
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::api

namespace voqo::campaign { struct ImportReport; }
namespace voqo::api {
/// The import report as the API and `voqo import --json` print it:
/// {uploadId, totalRows, imported, rejectedCount, rejected:[{line, column,
/// reason}] (at most `max_rejections`), rejectedTruncated, warnings, ...}.
nlohmann::json import_report_json(const campaign::ImportReport& report, size_t max_rejections = SIZE_MAX);
}  // namespace voqo::api
