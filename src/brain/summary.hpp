#pragma once
/// Extractive call summary, outcome inference and contact memories from a
/// transcript, with no model: the scripted brain's finish(), and the fallback
/// for an LLM brain whose summary call fails (issue 3 §4a, §5).
///
/// Sentence scoring (summarize_call()): each caller line scores
///   3 for a decisive intent (stop_calling, wrong_number, call_back_later,
///     not_interested, objection, asks_for_human, voicemail_greeting),
///   2 for yes / no / question, 0 otherwise,
///   + 0.5 per content word (non-stop-word, at most 8),
///   + 2 when it holds a time phrase or a number,
///   + 1.5 when it states a preference (see extract_memories()).
/// Each agent sentence scores 0.5 per content word (at most 8) + 3 when it
/// commits to something ("i'll", "i've", "scheduled", "call you back",
/// "removed", "transfer", "send"). Ties go to the later one. The summary
/// quotes the best one or two caller lines (in call order, at most 25 words
/// each; the second only if it scores at least 2) and the best agent
/// sentence, then states the outcome:
///   `The caller said "…". They also said "…". The agent said "…".
///    Outcome: Call Back Later (callback on Tuesday at 2 PM).`
/// That is 2–4 sentences; "" for an empty transcript.
///
/// Outcome inference (infer_outcome(), when the brain did not settle one):
/// no caller words → No Answer; a first caller line that is a voicemail
/// greeting → Voicemail; otherwise the highest of stop_calling (Not
/// Interested, do-not-call) > wrong_number > call_back_later >
/// not_interested over all caller lines; otherwise Follow-up Needed.
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "brain/brain.hpp"

namespace voqo::brain {

/// Splits `text` into sentences: after each '.', '!' or '?' that ends the
/// text or is followed by whitespace, and at line breaks; pieces are trimmed
/// and empty ones dropped. The TextSink's unit (brain.hpp).
std::vector<std::string> split_sentences(std::string_view text);

/// What the brain already knows about the call's end; unset fields are
/// inferred from the transcript.
struct CallFacts {
  std::optional<Outcome> outcome;
  /// Callback time (Call Back Later) or demo time (Demo Scheduled).
  std::optional<std::chrono::system_clock::time_point> callback_at;
  bool do_not_call = false;
  std::string time_zone = "UTC";  ///< IANA zone for times in words
  std::chrono::system_clock::time_point now{};  ///< call start, anchors "tomorrow" in caller lines
  std::string contact_name;
};

/// Outcome, callback time and do-not-call from the caller's lines (see the
/// header comment); fields already set in `facts` are kept.
CallFacts infer_outcome(std::span<const model::TranscriptLine> transcript, CallFacts facts);

/// The 2–4 sentence extractive summary (see the header comment); `facts`
/// must carry the outcome.
std::string extractive_summary(std::span<const model::TranscriptLine> transcript, const CallFacts& facts);

/// Facts worth keeping about the contact, each one short sentence:
/// "Callback requested for Tuesday, March 10, 2026 at 2 PM (America/Chicago)",
/// "Demo scheduled for …", "Interest level: high|medium|low (…)",
/// "Objections raised: price, already has a provider", "Prefers email",
/// "Prefers text messages", "Has 3 rental properties", "Prefers calls in the
/// morning", "Wrong number: this number does not reach <name>", "Asked not to
/// be called again (do not call)". No duplicates; none for an empty call.
std::vector<std::string> extract_memories(std::span<const model::TranscriptLine> transcript, const CallFacts& facts);

/// infer_outcome() + extractive_summary() + extract_memories() as a CallResult.
CallResult summarize_call(std::span<const model::TranscriptLine> transcript, const CallFacts& facts);

}  // namespace voqo::brain
