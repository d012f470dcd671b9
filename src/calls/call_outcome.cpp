#include "calls/call_outcome.hpp"

#include <type_traits>

#include "core/time.hpp"

namespace voqo::calls {
namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> opt_str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? std::optional<std::string>(it->get<std::string>()) : std::nullopt;
}

int64_t integer(const json& j, const char* key, int64_t fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : fallback;
}

bool flag(const json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return *it != 0;
  return fallback;
}

/// Every member of a turn's timing with its name in a turnMetrics entry
/// (the calls table's turn_metrics, the API's turnMetrics: µs since the
/// answer, the response delay in ms): written and read through this one list.
template <class Timing, class F>
void visit_turn_fields(Timing& t, F&& f) {
  f("lastCallerAudioUs", t.last_caller_audio_us);
  f("endOfTurnUs", t.end_of_turn_us);
  f("finalTranscriptUs", t.final_transcript_us);
  f("brainFirstTextUs", t.brain_first_text_us);
  f("firstAudioUs", t.first_audio_us);
  f("firstPacketUs", t.first_packet_us);
  f("sttComputeUs", t.stt_compute_us);
  f("brainComputeUs", t.brain_compute_us);
  f("ttsComputeUs", t.tts_compute_us);
  f("responseDelayMs", t.response_delay_ms);
}

/// One stored turnMetrics entry back into the pipeline's timing.
pipeline::TurnTiming turn_of(const json& entry) {
  pipeline::TurnTiming out;
  visit_turn_fields(out, [&](const char* name, auto& member) {
    member = static_cast<std::remove_reference_t<decltype(member)>>(integer(entry, name));
  });
  return out;
}

}  // namespace

json turn_metrics_entry(const pipeline::TurnTiming& timing, int silence_threshold_ms) {
  json entry = json::object();
  visit_turn_fields(timing, [&](const char* name, const auto& member) { entry[name] = member; });
  entry["silenceThresholdMs"] = silence_threshold_ms;
  entry["ownOverheadUs"] = pipeline::own_overhead_us(timing, silence_threshold_ms);
  return entry;
}

std::string_view call_status_label(CallStatus status) {
  switch (status) {
    case CallStatus::completed: return "completed";
    case CallStatus::failed: return "failed";
    case CallStatus::no_answer: return "no_answer";
    case CallStatus::busy: return "busy";
    case CallStatus::cancelled: return "cancelled";
  }
  return "failed";
}

CallStatus parse_call_status(std::string_view label) {
  for (CallStatus s : {CallStatus::completed, CallStatus::no_answer, CallStatus::busy, CallStatus::cancelled})
    if (call_status_label(s) == label) return s;
  return CallStatus::failed;
}

bool sip_code_means_invalid_number(int sip_code) {
  return sip_code == 404 || sip_code == 410 || sip_code == 484 || sip_code == 604;
}

Result<CallOutcome> call_outcome_from_record(const json& record) {
  if (!record.is_object()) return std::unexpected(Error::invalid("id", "a call record is a JSON object"));
  CallOutcome o;
  o.call_id = str(record, "id");
  if (o.call_id.empty()) return std::unexpected(Error::invalid("id", "a call record needs its id"));
  const std::string ws = str(record, "workspaceId");
  if (ws.empty()) return std::unexpected(Error::invalid("workspaceId", "call " + o.call_id + " needs its workspace"));
  o.workspace = WorkspaceId(ws);
  o.agent_id = str(record, "agentId");
  o.contact_id = opt_str(record, "contactId");
  o.job_id = str(record, "jobId");
  o.job_call_id = str(record, "jobCallId");
  o.direction = str(record, "direction");
  o.from_phone = str(record, "fromPhone");
  o.to_phone = str(record, "toPhone");
  if (auto at = opt_str(record, "startedAt")) o.started_at = parse_iso8601(*at);
  std::string ended = str(record, "endedAt");
  if (ended.empty()) ended = str(record, "createdAt");
  if (auto t = parse_iso8601(ended)) o.ended_at = *t;
  if (auto it = record.find("duration"); it != record.end() && it->is_number()) o.duration_s = it->get<int64_t>();

  o.status = parse_call_status(str(record, "status"));
  if (auto it = record.find("sipCode"); it != record.end() && it->is_number()) o.sip_code = it->get<int>();
  o.end_reason = str(record, "errorMessage");
  o.invalid_number = o.sip_code && sip_code_means_invalid_number(*o.sip_code);
  if (auto label = opt_str(record, "outcome")) o.outcome = brain::parse_outcome(*label);
  o.summary = str(record, "summary");

  static const json kEmpty = json::object();
  auto si = record.find("systemInfo");
  const json& info = si != record.end() && si->is_object() ? *si : kEmpty;
  o.remote_hangup = flag(info, "remoteHangup", false);
  o.caller_spoke = flag(info, "callerSpoke", true);
  o.do_not_call = flag(info, "doNotCall", false);
  if (auto cb = opt_str(info, "callbackAt")) o.callback_at = parse_iso8601(*cb);
  if (auto m = info.find("memories"); m != info.end() && m->is_array())
    for (const auto& text : *m)
      if (text.is_string()) o.memories.push_back(text.get<std::string>());

  if (auto turns = record.find("turnMetrics"); turns != record.end() && turns->is_array())
    for (const auto& t : *turns) {
      if (!t.is_object()) continue;
      o.turns.push_back(turn_of(t));
      o.silence_threshold_ms = static_cast<int>(integer(t, "silenceThresholdMs", o.silence_threshold_ms));
    }
  return o;
}

}  // namespace voqo::calls
