#pragma once
/// Streaming speech-to-text with Deepgram's live WebSocket API
/// (developers.deepgram.com/reference/speech-to-text/listen-streaming).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "speech/stt.hpp"

namespace voqo::speech {

/// Connection and recognition settings.
struct DeepgramConfig {
  std::string base_url = "wss://api.deepgram.com";  ///< wss:// (TLS, peer and host name verified) or ws:// (tests, local proxies); "/v1/listen" is appended
  std::string api_key;                              ///< sent as "Authorization: Token <key>"
  std::string model = "nova-3";                     ///< query parameter `model`
  std::string language;                             ///< BCP-47 query parameter `language`; empty = the model's default
  bool punctuate = true;                            ///< query parameter `punctuate`
  std::chrono::milliseconds connect_timeout{5000};  ///< TCP + TLS + WebSocket handshake
  /// Longest wait in end_utterance() after sending Finalize.
  std::chrono::milliseconds finalize_timeout{1500};
  /// When no from_finalize acknowledgement comes (Deepgram: "not guaranteed
  /// if there is no significant amount of audio"), end_utterance() returns
  /// once a final result has arrived after the Finalize and the stream has
  /// then been quiet this long.
  std::chrono::milliseconds finalize_settle{250};
  /// A {"type":"KeepAlive"} text frame is sent when nothing was sent for this
  /// long (Deepgram closes a stream that gets no data for 10 s; its docs
  /// advise a KeepAlive every 3–5 s while no audio flows).
  std::chrono::milliseconds keepalive_interval{4000};
};

/// SpeechToText over one Deepgram live stream per instance (one per call):
/// the WebSocket is opened lazily by the first begin_utterance() to
///   <base_url>/v1/listen?encoding=linear16&sample_rate=16000&channels=1
///     &interim_results=true&punctuate=<bool>&model=<model>[&language=<tag>]
/// with "Authorization: Token <key>", and reused by every later utterance
/// (reopened by the next begin_utterance() when it has closed).
///
///  - accept(): the samples go out at once as one binary frame of s16le
///    (empty blocks are not sent: an empty frame would end the stream).
///  - partial(): the normalised text of this utterance's final segments so
///    far followed by the latest interim result ("" outside an utterance).
///  - end_utterance(): sends {"type":"Finalize"} and waits until a Results
///    message with from_finalize=true arrives, or a final result arrived after
///    the Finalize and finalize_settle passed in silence, or finalize_timeout
///    elapsed. Transcript::text = the final segments' transcripts in order
///    (normalised: lower case, no punctuation, single spaces); when no final
///    came but an interim did, the interim. Confidence = the mean of the final
///    segments' channel.alternatives[0].confidence weighted by their
///    duration (0 for an empty transcript).
///
/// Results are matched to utterances by stream time: the Results `start` and
/// `duration` (seconds of audio sent on this connection) of a late segment of
/// the previous utterance end before this utterance's first sample, and such
/// segments are dropped; results arriving outside an utterance are dropped.
/// The destructor sends {"type":"CloseStream"} and closes the WebSocket
/// (waiting at most ~1 s for the closing handshake).
///
/// Errors: begin_utterance() → ErrorCode::io when the connection cannot be
/// opened (the message says which step failed, with the HTTP status of a
/// refused handshake, e.g. 401 for a bad key), invalid_argument "baseUrl"
/// for a URL that is not ws:// or wss://; accept()/end_utterance() →
/// ErrorCode::io when the stream closed mid-utterance (the utterance is then
/// over; the next begin_utterance() reconnects).
/// Thread-compatible: one instance per call, used by one thread at a time;
/// replies are read on an internal I/O thread.
class DeepgramStt final : public SpeechToText {
 public:
  explicit DeepgramStt(DeepgramConfig config);
  ~DeepgramStt() override;
  DeepgramStt(const DeepgramStt&) = delete;
  DeepgramStt& operator=(const DeepgramStt&) = delete;

  Result<void> begin_utterance(AudioFormat format = kWideband) override;
  Result<void> accept(std::span<const int16_t> samples_16khz) override;
  std::string partial() override;
  Result<Transcript> end_utterance() override;

  /// The final segments' unnormalised transcripts of the last utterance,
  /// joined by spaces (as Deepgram punctuated them).
  [[nodiscard]] std::string raw_text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::speech
