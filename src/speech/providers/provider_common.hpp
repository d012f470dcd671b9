#pragma once
/// Small helpers shared by the speech providers (OpenAI-compatible
/// transcription, Deepgram, ElevenLabs): transcript normalisation, URL
/// pieces and provider error messages.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo::speech::providers {

/// Normalises a provider transcript to the form Transcript::text documents:
/// the words of normalized_words() (speech/wer.hpp: ASCII lower-cased,
/// punctuation and other separators dropped, inner apostrophes kept, UTF-8
/// kept) joined by single spaces. "Tell me more about this." → "tell me more
/// about this"; "a 1,000 times" → "a 1 000 times" (the same split the WER
/// scorer makes, so scores compare like with like).
std::string normalize_transcript(std::string_view text);

/// Percent-encodes `value` for a URL query component (RFC 3986 §2.3: only
/// unreserved characters are left as they are).
std::string url_encode(std::string_view value);

/// `base` without trailing slashes, then `path` ("https://x/" + "/v1/a" →
/// "https://x/v1/a").
std::string join_url(std::string_view base, std::string_view path);

/// An ErrorCode::internal error for a provider's non-2xx HTTP answer:
/// "<who>: HTTP <status>: <detail>", where detail is the provider's own
/// message when the body is JSON with error.message (OpenAI), detail.message
/// or detail (ElevenLabs), err_msg (Deepgram) or message, else the first 200
/// bytes of the body.
Error http_status_error(std::string_view who, int status, std::string_view body);

}  // namespace voqo::speech::providers
