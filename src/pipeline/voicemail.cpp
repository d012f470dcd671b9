#include "pipeline/voicemail.hpp"

namespace voqo::pipeline {

std::string voicemail_summary(std::string_view message, std::span<const model::TranscriptLine> transcript) {
  bool whole = false, begun = false;
  for (const auto& e : transcript)
    if (e.speaker == "agent" && !message.empty() && !e.text.empty()) {
      whole = whole || e.text == message;
      begun = begun || message.rfind(e.text, 0) == 0;
    }
  return message.empty() ? "Reached an answering machine; hung up without leaving a message."
         : whole         ? "Reached an answering machine; left the voicemail message after the beep."
         : begun         ? "Reached an answering machine; the call ended while the voicemail message was playing."
                         : "Reached an answering machine; the call ended before the voicemail message.";
}

}  // namespace voqo::pipeline
