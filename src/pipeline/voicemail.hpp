#pragma once
/// What a call that reached an answering machine leaves as its summary.
#include <span>
#include <string>
#include <string_view>

#include "brain/brain.hpp"

namespace voqo::pipeline {

/// The summary of a call that reached an answering machine, from the
/// configured voicemail `message` ("" = none) and the transcript (whose
/// agent lines keep a message cut by the hang-up as the words played):
/// hung up without a message, message left, ended while it played, or
/// ended before it.
std::string voicemail_summary(std::string_view message, std::span<const model::TranscriptLine> transcript);

}  // namespace voqo::pipeline
