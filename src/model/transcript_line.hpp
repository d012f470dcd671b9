#pragma once
/// One line of a call's transcript (issue 17 §3): the one type that the
/// pipeline produces, the brain summarises, calls/ reports to its CallEvents
/// observers and stores in the call record, the live monitor scores and
/// store/ writes to live_transcripts. Field names follow the
/// live-monitoring specification's live_transcripts table (entry_id,
/// speaker, text, start_ms, end_ms, confidence, is_final, interrupted).
///
/// Rules (formerly spread over brain::TranscriptEntry, pipeline::LiveLine,
/// calls::LiveTranscriptEvent and store::LiveTranscriptRow):
///  - A caller utterance may show interim hypotheses first (is_final false:
///    the STT's partial(), at most every 300 ms while the utterance is open,
///    sent only when it changed) and then its final line, all with the same
///    `entry_id` ("caller-<n>"); the final replaces the interims. An
///    utterance whose interims were shown but that yields no line (silence, a
///    backchannel under the agent's voice) ends with a final whose text is ""
///    (drop the entry).
///  - Agent lines ("agent-<n>") and DTMF ("dtmf-<n>", text "[DTMF d]",
///    speaker "caller") come only as finals.
///  - The call record's transcript (GET /api/calls/{id} `transcript`:
///    `{speaker, text, startMs, endMs, confidence, interrupted}`) and what
///    Brain::finish() reads are the final lines in call order; there
///    `entry_id` may be "" (lines read back from a stored record).
#include <cstdint>
#include <string>

namespace voqo::model {

struct TranscriptLine {
  std::string entry_id;      ///< stable per caller utterance or agent turn ("caller-<n>", "agent-<n>", "dtmf-<n>"); 1–200 characters when stored live
  std::string speaker;       ///< "agent" | "caller" | "supervisor" (live_transcripts; a call record holds agent and caller lines)
  std::string text;          ///< what was said; for a cut agent line, what was actually spoken
  int64_t start_ms = 0;      ///< ms from the answer of the call, ≥ 0
  int64_t end_ms = 0;        ///< ms from the answer of the call, ≥ start_ms
  double confidence = 1.0;   ///< 0–1: the STT's for a caller final, 1 for the agent and DTMF, 0 for interims (not known yet)
  bool is_final = false;     ///< false: an interim hypothesis that a later line with the same entry_id replaces
  bool interrupted = false;  ///< an agent line cut by barge-in or by a supervisor
  bool operator==(const TranscriptLine&) const = default;
};

}  // namespace voqo::model
