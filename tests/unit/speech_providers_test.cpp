// Speech providers against their documented request/response examples
// (tests/data/providers, see its README for sources): OpenAI-compatible
// transcription and ElevenLabs replayed byte for byte by ReplayServer,
// Deepgram live streaming by WsReplayServer.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "speech/audio.hpp"
#include "speech/providers/deepgram_stt.hpp"
#include "speech/providers/elevenlabs_tts.hpp"
#include "speech/providers/openai_transcription_stt.hpp"
#include "speech/providers/provider_common.hpp"
#include "speech/providers/provider_factory.hpp"
#include "support/replay_server.hpp"
#include "support/speech_fixtures.hpp"
#include "support/ws_replay_server.hpp"

namespace voqo {
namespace {

using namespace std::chrono_literals;
using speech::PcmAudio;
using test::ReplayExchange;
using test::ReplayServer;
using test::WsReplayServer;
using test::WsScriptStep;

std::string data_file(const std::string& name) {
  std::ifstream in(std::string(VOQO_SOURCE_DIR) + "/tests/data/providers/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string http_json(int status, const std::string& reason, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

PcmAudio goforward() {
  auto audio = speech::read_raw_s16le(test::speech_fixture("goforward.raw"));
  EXPECT_TRUE(audio.has_value());
  return audio ? *audio : PcmAudio{};
}

std::string le_bytes(std::span<const int16_t> samples) {
  std::string out;
  for (int16_t s : samples) {
    const auto u = static_cast<uint16_t>(s);
    out += static_cast<char>(u & 0xFF);
    out += static_cast<char>(u >> 8);
  }
  return out;
}

// RFC 7578 form parts: name → {headers block, value}.
struct Part {
  std::string headers, value;
};
std::map<std::string, Part> parse_multipart(const std::string& content_type, const std::string& body) {
  std::map<std::string, Part> parts;
  const auto b = content_type.find("boundary=");
  if (b == std::string::npos) return parts;
  const std::string delim = "--" + content_type.substr(b + 9);
  std::size_t pos = body.find(delim);
  while (pos != std::string::npos) {
    pos += delim.size();
    if (body.compare(pos, 2, "--") == 0) break;
    pos += 2;  // CRLF
    const auto head_end = body.find("\r\n\r\n", pos);
    const auto next = body.find("\r\n" + delim, head_end);
    if (head_end == std::string::npos || next == std::string::npos) break;
    Part p{body.substr(pos, head_end - pos), body.substr(head_end + 4, next - head_end - 4)};
    const auto n = p.headers.find("name=\"");
    const auto name = p.headers.substr(n + 6, p.headers.find('"', n + 6) - n - 6);
    parts[name] = std::move(p);
    pos = next + 2;
  }
  return parts;
}

// ---------------------------------------------------------------- normalisation

TEST(SpeechProviders, NormalizeTranscriptMatchesTranscriptTextRules) {
  EXPECT_EQ(speech::providers::normalize_transcript("Tell me more about this."), "tell me more about this");
  EXPECT_EQ(speech::providers::normalize_transcript("  Hey,   my KNEE -- is hurting!  "), "hey my knee is hurting");
  EXPECT_EQ(speech::providers::normalize_transcript("you're 'quoted' 1,000"), "you're quoted 1 000");
  EXPECT_EQ(speech::providers::normalize_transcript(""), "");
}

// ---------------------------------------------------------------- OpenAI-compatible transcription

TEST(OpenAiTranscription, UploadsWavMultipartAndNormalisesDocumentedResponse) {
  const std::string doc = data_file("openai_transcription.json");
  ReplayServer server({ReplayExchange{"POST", "/v1/audio/transcriptions", http_json(200, "OK", doc), {}, {}}});
  speech::OpenAiTranscriptionStt stt({.base_url = server.base_url(), .api_key = "sk-test", .model = "gpt-4o-transcribe",
                                      .language = "en"});
  const PcmAudio audio = goforward();
  auto t = speech::transcribe(stt, audio);
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->text,
            "imagine the wildest idea that you've ever had and you're curious about how it might scale to something "
            "that's a 100 a 1 000 times bigger this is a place where you can get to do that");
  EXPECT_EQ(stt.raw_text(), nlohmann::json::parse(doc)["text"].get<std::string>());
  EXPECT_DOUBLE_EQ(t->confidence, 1.0);  // plain json carries no score
  EXPECT_EQ(t->audio_duration.count(), static_cast<int64_t>(audio.samples.size()) / 16);
  EXPECT_EQ(stt.partial(), "");

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v1/audio/transcriptions");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer sk-test");
  const std::string ct = reqs[0].header("content-type");
  ASSERT_TRUE(ct.starts_with("multipart/form-data; boundary=")) << ct;
  auto parts = parse_multipart(ct, reqs[0].body);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts["model"].value, "gpt-4o-transcribe");
  EXPECT_EQ(parts["language"].value, "en");
  EXPECT_EQ(parts["response_format"].value, "json");
  EXPECT_NE(parts["file"].headers.find("filename=\"utterance.wav\""), std::string::npos);
  EXPECT_NE(parts["file"].headers.find("Content-Type: audio/wav"), std::string::npos);
  const std::string& wav = parts["file"].value;
  ASSERT_GE(wav.size(), 44u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
  auto decoded = speech::decode_wav(std::as_bytes(std::span(wav.data(), wav.size())));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->format, speech::kWideband);
  EXPECT_EQ(decoded->samples, audio.samples);  // exactly the audio fed
}

TEST(OpenAiTranscription, VerboseJsonConfidenceIsFromSegmentLogprobs) {
  const std::string doc = data_file("openai_transcription_verbose.json");
  ReplayServer server({ReplayExchange{"POST", "/v1/audio/transcriptions", http_json(200, "OK", doc), {}, {}}});
  speech::OpenAiTranscriptionStt stt({.base_url = server.base_url(), .response_format = "verbose_json"});
  ASSERT_TRUE(stt.begin_utterance().has_value());
  const std::vector<int16_t> block(1600, 100);
  ASSERT_TRUE(stt.accept(block).has_value());
  auto t = stt.end_utterance();
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->text,
            "the beach was a popular spot on a hot summer day people were swimming in the ocean building sandcastles "
            "and playing beach volleyball");
  const double avg_logprob = nlohmann::json::parse(doc)["segments"][0]["avg_logprob"].get<double>();
  EXPECT_NEAR(t->confidence, std::exp(avg_logprob), 1e-12);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("authorization"), "");  // no key, no header (local servers)
  auto parts = parse_multipart(reqs[0].header("content-type"), reqs[0].body);
  EXPECT_EQ(parts["response_format"].value, "verbose_json");
  EXPECT_EQ(parts["model"].value, "whisper-1");
  EXPECT_EQ(parts.count("language"), 0u);
}

TEST(OpenAiTranscription, LogprobsConfidenceIsGeometricMeanTokenProbability) {
  const std::string doc = data_file("openai_transcription_logprobs.json");
  ReplayServer server({ReplayExchange{"POST", "/v1/audio/transcriptions", http_json(200, "OK", doc), {}, {}}});
  speech::OpenAiTranscriptionStt stt(
      {.base_url = server.base_url(), .api_key = "k", .model = "gpt-4o-transcribe", .request_logprobs = true});
  ASSERT_TRUE(stt.begin_utterance().has_value());
  auto t = stt.end_utterance();  // an empty utterance is still uploaded (a 44-byte WAV)
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->text, "hey my knee is hurting and i want to see the doctor tomorrow ideally");
  double sum = 0;
  const auto j = nlohmann::json::parse(doc);
  for (const auto& tok : j["logprobs"]) sum += tok["logprob"].get<double>();
  EXPECT_NEAR(t->confidence, std::exp(sum / static_cast<double>(j["logprobs"].size())), 1e-12);
  auto parts = parse_multipart(server.requests().at(0).header("content-type"), server.requests().at(0).body);
  EXPECT_EQ(parts["include[]"].value, "logprobs");
  EXPECT_EQ(parts["file"].value.size(), 44u);
}

TEST(OpenAiTranscription, HttpErrorCarriesTheProvidersMessage) {
  std::ifstream in(std::string(VOQO_SOURCE_DIR) + "/tests/data/openai/error_401.json", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  ReplayServer server(
      {ReplayExchange{"POST", "/v1/audio/transcriptions", http_json(401, "Unauthorized", ss.str()), {}, {}}});
  speech::OpenAiTranscriptionStt stt({.base_url = server.base_url(), .api_key = "sk-abc123"});
  ASSERT_TRUE(stt.begin_utterance().has_value());
  auto t = stt.end_utterance();
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, ErrorCode::internal);
  EXPECT_NE(t.error().message.find("HTTP 401"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("Incorrect API key provided"), std::string::npos) << t.error().message;
}

TEST(OpenAiTranscription, UtteranceStateAndFormatAreChecked) {
  speech::OpenAiTranscriptionStt stt({.base_url = "http://127.0.0.1:1"});
  const std::vector<int16_t> block(10, 0);
  EXPECT_EQ(stt.accept(block).error().code, ErrorCode::conflict);
  EXPECT_EQ(stt.end_utterance().error().code, ErrorCode::conflict);
  EXPECT_EQ(stt.begin_utterance(speech::AudioFormat{8000, 1}).error().code, ErrorCode::unsupported);
  ASSERT_TRUE(stt.begin_utterance().has_value());
  EXPECT_EQ(stt.begin_utterance().error().code, ErrorCode::conflict);
  auto t = stt.end_utterance();  // nothing listens on port 1
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, ErrorCode::io);
}

// ---------------------------------------------------------------- Deepgram live streaming

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(Deepgram, StreamsAudioAndReturnsTheDocumentedResults) {
  WsReplayServer server({
      WsScriptStep{.after_binary_frames = 5, .replies = {data_file("deepgram_results_interim.json")}},
      WsScriptStep{.on_text_containing = "Finalize",
                   .replies = {data_file("deepgram_results.json"), data_file("deepgram_from_finalize.json")}},
  });
  const PcmAudio audio = goforward();
  std::string sent_bytes;
  {
    speech::DeepgramStt stt({.base_url = server.base_url(), .api_key = "dg-key", .language = "en-US"});
    ASSERT_TRUE(stt.begin_utterance().has_value());
    const std::span<const int16_t> all(audio.samples);
    std::size_t fed = 0;
    for (int i = 0; i < 6; ++i, fed += 320) ASSERT_TRUE(stt.accept(all.subspan(fed, 320)).has_value());
    ASSERT_TRUE(poll_until([&] { return !stt.partial().empty(); }));
    EXPECT_EQ(stt.partial(), "tell me more");  // the interim, normalised
    for (; fed < all.size(); fed += 320) ASSERT_TRUE(stt.accept(all.subspan(fed, std::min<std::size_t>(320, all.size() - fed))).has_value());
    auto t = stt.end_utterance();
    ASSERT_TRUE(t.has_value()) << t.error().message;
    EXPECT_EQ(t->text, "tell me more about this");
    EXPECT_EQ(stt.raw_text(), "Tell me more about this.");
    EXPECT_DOUBLE_EQ(t->confidence, 0.99964225);
    EXPECT_EQ(t->audio_duration.count(), static_cast<int64_t>(audio.samples.size()) / 16);
    EXPECT_EQ(stt.partial(), "");
    sent_bytes = le_bytes(all);
  }  // destructor: CloseStream + close frame
  ASSERT_TRUE(server.wait_until([](const auto& c) { return c.size() == 1 && c[0].client_closed; }));
  const auto conn = server.connections().at(0);
  EXPECT_EQ(conn.target,
            "/v1/listen?encoding=linear16&sample_rate=16000&channels=1&interim_results=true&punctuate=true"
            "&model=nova-3&language=en-US");
  EXPECT_EQ(conn.header("authorization"), "Token dg-key");
  std::string binary;
  std::vector<std::string> texts;
  bool binary_after_text = false;
  for (const auto& f : conn.frames) {
    if (f.binary) {
      binary += f.data;
      binary_after_text = binary_after_text || !texts.empty();
    } else {
      texts.push_back(f.data);
    }
  }
  EXPECT_EQ(binary, sent_bytes);  // every sample, in order, as s16le
  EXPECT_FALSE(binary_after_text);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(texts[0]), nlohmann::json::parse(data_file("deepgram_finalize.json")));
  EXPECT_EQ(nlohmann::json::parse(texts[1]), nlohmann::json::parse(data_file("deepgram_close_stream.json")));
}

TEST(Deepgram, ReusesTheConnectionSettlesWithoutAckAndDropsStaleResults) {
  WsScriptStep first{.on_text_containing = "Finalize", .replies = {data_file("deepgram_speech_final.json")}};
  // The documented Results message covers stream time 5.99 s + 1.98 s = 7.97 s.
  WsScriptStep second{.on_text_containing = "Finalize",
                      .replies = {data_file("deepgram_results.json"), data_file("deepgram_from_finalize.json")}};
  WsReplayServer server({first, second});
  speech::DeepgramStt stt({.base_url = server.base_url(), .api_key = "k", .finalize_timeout = 3000ms,
                           .finalize_settle = 100ms});
  // Utterance 1: 8 s of audio; Deepgram answers with a final but no from_finalize.
  ASSERT_TRUE(stt.begin_utterance().has_value());
  std::vector<int16_t> block(1600);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<int16_t>(1000 * std::sin(0.05 * static_cast<double>(i)));
  for (int i = 0; i < 80; ++i) ASSERT_TRUE(stt.accept(block).has_value());
  auto t1 = stt.end_utterance();
  ASSERT_TRUE(t1.has_value()) << t1.error().message;
  EXPECT_EQ(t1->text, "another big");
  EXPECT_DOUBLE_EQ(t1->confidence, 0.0);  // the documented snippet has no confidence field
  // Utterance 2 starts at stream time 8 s: a segment ending at 7.97 s belongs to the past.
  ASSERT_TRUE(stt.begin_utterance().has_value());
  ASSERT_TRUE(stt.accept(block).has_value());
  auto t2 = stt.end_utterance();
  ASSERT_TRUE(t2.has_value()) << t2.error().message;
  EXPECT_EQ(t2->text, "");
  EXPECT_EQ(server.connections().size(), 1u);  // one connection for the call
}

TEST(Deepgram, WithoutAnyFinalTheLatestInterimIsReturnedAfterTheTimeout) {
  WsReplayServer server({WsScriptStep{.after_binary_frames = 1, .replies = {data_file("deepgram_results_interim.json")}}});
  speech::DeepgramStt stt({.base_url = server.base_url(), .api_key = "k", .finalize_timeout = 300ms});
  ASSERT_TRUE(stt.begin_utterance().has_value());
  ASSERT_TRUE(stt.accept(std::vector<int16_t>(320, 7)).has_value());
  ASSERT_TRUE(poll_until([&] { return !stt.partial().empty(); }));
  auto t = stt.end_utterance();
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->text, "tell me more");
  EXPECT_DOUBLE_EQ(t->confidence, 0.99964225);
}

TEST(Deepgram, RefusedHandshakeIsAnIoErrorNamingTheStatus) {
  WsReplayServer server({}, 401);
  speech::DeepgramStt stt({.base_url = server.base_url(), .api_key = "bad"});
  auto r = stt.begin_utterance();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::io);
  EXPECT_NE(r.error().message.find("401"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.connections().at(0).header("authorization"), "Token bad");
  speech::DeepgramStt http_url({.base_url = "https://api.deepgram.com"});
  EXPECT_EQ(http_url.begin_utterance().error().field(), "baseUrl");
}

TEST(Deepgram, ServerCloseEndsTheUtteranceAndTheNextOneReconnects) {
  WsReplayServer server({WsScriptStep{.after_binary_frames = 1, .replies = {}, .close_after = true}});
  speech::DeepgramStt stt({.base_url = server.base_url(), .api_key = "k", .finalize_timeout = 200ms});
  ASSERT_TRUE(stt.begin_utterance().has_value());
  const std::vector<int16_t> block(320, 1);
  ASSERT_TRUE(stt.accept(block).has_value());
  Result<void> r = ok();
  ASSERT_TRUE(poll_until([&] { return !(r = stt.accept(block)).has_value(); }));
  EXPECT_EQ(r.error().code, ErrorCode::io);
  ASSERT_TRUE(stt.begin_utterance().has_value());  // reconnects
  EXPECT_EQ(server.connections().size(), 2u);
  ASSERT_TRUE(stt.accept(block).has_value());
  auto t = stt.end_utterance();
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->text, "");
}

TEST(Deepgram, KeepAliveIsSentWhileNoAudioFlows) {
  WsReplayServer server({});
  speech::DeepgramStt stt({.base_url = server.base_url(), .api_key = "k", .keepalive_interval = 100ms});
  ASSERT_TRUE(stt.begin_utterance().has_value());
  EXPECT_TRUE(server.wait_until([](const auto& c) {
    for (const auto& conn : c)
      for (const auto& f : conn.frames)
        if (!f.binary && nlohmann::json::parse(f.data, nullptr, false) == nlohmann::json{{"type", "KeepAlive"}}) return true;
    return false;
  }));
}

// ---------------------------------------------------------------- ElevenLabs

constexpr const char* kVoiceId = "JBFqnCBsd6RMkjVDRZzb";  // the documented example's voice
constexpr const char* kDocText = "The first move is what sets everything in motion.";

// A 200 response whose body is `pcm`, written in odd-sized pieces.
ReplayExchange pcm_exchange(const std::string& pcm, std::chrono::milliseconds delay) {
  ReplayExchange ex{"POST", std::string("/v1/text-to-speech/") + kVoiceId + "/stream?output_format=pcm_16000", {}, {}, delay};
  ex.chunks.push_back("HTTP/1.1 200 OK\r\nContent-Type: audio/pcm\r\nContent-Length: " + std::to_string(pcm.size()) +
                      "\r\nConnection: close\r\n\r\n");
  const std::size_t sizes[] = {1001, 333, 1, 2047, 77, 4095};
  for (std::size_t pos = 0, i = 0; pos < pcm.size(); ++i) {
    const std::size_t n = std::min(sizes[i % std::size(sizes)], pcm.size() - pos);
    ex.chunks.push_back(pcm.substr(pos, n));
    pos += n;
  }
  return ex;
}

TEST(ElevenLabs, StreamsPcmDecodedExactlyFromOddSizedChunks) {
  const PcmAudio audio = goforward();
  const std::vector<int16_t> expected(audio.samples.begin(), audio.samples.begin() + 8000);
  ReplayServer server({pcm_exchange(le_bytes(expected), 2ms)});
  speech::ElevenLabsTts tts({.base_url = server.base_url(), .api_key = "xi-test",
                             .model_id = "eleven_multilingual_v2", .voices = {kVoiceId}});
  std::vector<int16_t> got;
  auto r = tts.synthesize(kDocText, {.id = kVoiceId}, [&](std::span<const int16_t> s) {
    got.insert(got.end(), s.begin(), s.end());
    return true;
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(got, expected);
  EXPECT_EQ(r->samples, expected.size());
  EXPECT_EQ(r->format, speech::kWideband);
  EXPECT_FALSE(r->stopped_early);
  EXPECT_GE(r->chunks, 1u);
  EXPECT_GT(r->first_chunk_latency.count(), 0);
  EXPECT_LE(r->first_chunk_latency, r->total_time);
  std::printf("elevenlabs replay: %zu chunks, first chunk after %lld us, total %lld us\n", r->chunks,
              static_cast<long long>(r->first_chunk_latency.count()), static_cast<long long>(r->total_time.count()));

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].header("xi-api-key"), "xi-test");
  EXPECT_EQ(reqs[0].header("content-type"), "application/json");
  const auto body = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(body["text"], kDocText);
  EXPECT_EQ(body["model_id"], "eleven_multilingual_v2");
  EXPECT_EQ(body["voice_settings"]["stability"], 0.5);
  EXPECT_EQ(body["voice_settings"]["similarity_boost"], 0.75);
  EXPECT_FALSE(body["voice_settings"].contains("speed"));  // rate 1: the voice's own speed
}

TEST(ElevenLabs, SinkFalseAbortsAndTheRateIsClampedToTheDocumentedSpeedRange) {
  const std::vector<int16_t> pcm(16000, 300);
  ReplayServer server({pcm_exchange(le_bytes(pcm), 20ms)});
  speech::ElevenLabsTts tts({.base_url = server.base_url(), .api_key = "k"});
  std::size_t delivered = 0;
  int calls = 0;
  auto r = tts.synthesize("Stop me.", {.id = kVoiceId, .speech_rate = 2.0, .pitch = 1.5}, [&](std::span<const int16_t> s) {
    delivered += s.size();
    ++calls;
    return false;
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->stopped_early);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r->chunks, 1u);
  EXPECT_EQ(r->samples, delivered);
  EXPECT_LT(delivered, pcm.size());
  const auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body["voice_settings"]["speed"], 1.2);
  EXPECT_FALSE(body.dump().find("pitch") != std::string::npos);  // no pitch control in the API

  EXPECT_EQ(speech::ElevenLabsTts::speed_for_rate(1.0), std::nullopt);
  EXPECT_EQ(speech::ElevenLabsTts::speed_for_rate(0.9), 0.9);
  EXPECT_EQ(speech::ElevenLabsTts::speed_for_rate(0.5), 0.7);
}

TEST(ElevenLabs, AClarityIsSentAsTheSimilarityBoostAndOneOutOfRangeIsRefused) {
  const std::vector<int16_t> pcm(1600, 300);
  ReplayServer server({pcm_exchange(le_bytes(pcm), 1ms)});
  speech::ElevenLabsTts tts({.base_url = server.base_url(), .api_key = "k"});
  auto r = tts.synthesize("Clear.", {.id = kVoiceId, .clarity = 0.3}, [](std::span<const int16_t>) { return true; });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body["voice_settings"]["similarity_boost"], 0.3);
  EXPECT_EQ(body["voice_settings"]["stability"], 0.5);

  auto bad = tts.synthesize("Clear.", {.id = kVoiceId, .clarity = 1.5}, [](std::span<const int16_t>) { return true; });
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field(), "clarity");
  EXPECT_EQ(server.requests().size(), 1u);  // refused before any request
}

TEST(ElevenLabs, AnErrorBodyIsNotPlayedAsAudio) {
  const std::string err = R"({"detail":{"status":"invalid_api_key","message":"Invalid API key"}})";
  ReplayServer server({ReplayExchange{"POST", std::string("/v1/text-to-speech/") + kVoiceId + "/stream?output_format=pcm_16000",
                                     http_json(401, "Unauthorized", err), {}, {}}});
  speech::ElevenLabsTts tts({.base_url = server.base_url(), .api_key = "bad"});
  bool called = false;
  auto r = tts.synthesize("Hello.", {.id = kVoiceId}, [&](std::span<const int16_t>) { return called = true; });
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(called);
  EXPECT_EQ(r.error().code, ErrorCode::internal);
  EXPECT_NE(r.error().message.find("HTTP 401: Invalid API key"), std::string::npos) << r.error().message;
}

TEST(ElevenLabs, VoicesAndParametersAreValidatedBeforeAnyRequest) {
  speech::ElevenLabsTts tts({.base_url = "http://127.0.0.1:1", .api_key = "k", .voices = {"a", "b"}});
  auto sink = [](std::span<const int16_t>) { return true; };
  auto r = tts.synthesize("x", {.id = "c"}, sink);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field(), "voiceId");
  EXPECT_NE(r.error().message.find("a, b"), std::string::npos);
  EXPECT_EQ(tts.synthesize("x", {.id = "a", .speech_rate = 3.0}, sink).error().field(), "speechRate");
  EXPECT_EQ(tts.synthesize("x", {.id = "a", .pitch = 0.1}, sink).error().field(), "pitch");
  auto empty = tts.synthesize("", {.id = "a"}, sink);  // no request is made (port 1 would fail)
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->samples, 0u);
  EXPECT_EQ(tts.voices(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*tts.output_format("b"), speech::kWideband);
  EXPECT_EQ(tts.output_format("z").error().field(), "voiceId");
}

TEST(ElevenLabs, Pcm16ReassemblerJoinsSamplesSplitAtAnyByte) {
  const std::vector<int16_t> samples{0, 1, -1, 32767, -32768, 0x1234, -2};
  const std::string bytes = le_bytes(samples);
  for (std::size_t cut1 = 0; cut1 <= bytes.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= bytes.size(); ++cut2) {
      speech::Pcm16Reassembler pcm;
      std::vector<int16_t> out, all;
      for (auto piece : {std::string_view(bytes).substr(0, cut1), std::string_view(bytes).substr(cut1, cut2 - cut1),
                         std::string_view(bytes).substr(cut2)}) {
        pcm.feed(piece, out);
        all.insert(all.end(), out.begin(), out.end());
      }
      ASSERT_EQ(all, samples) << cut1 << "," << cut2;
      EXPECT_FALSE(pcm.has_pending_byte());
    }
  }
}

// ---------------------------------------------------------------- factory

TEST(ProviderFactory, BuildsKnownProvidersAndNamesTheFieldForUnknownOnes) {
  auto bad = speech::make_stt({.provider = "whisperx"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(bad.error().field(), "provider");
  EXPECT_NE(bad.error().message.find("pocketsphinx, openai, deepgram"), std::string::npos) << bad.error().message;
  auto bad_tts = speech::make_tts({.provider = "polly"});
  ASSERT_FALSE(bad_tts.has_value());
  EXPECT_EQ(bad_tts.error().field(), "provider");
  EXPECT_NE(bad_tts.error().message.find("flite, espeak-ng, elevenlabs"), std::string::npos);

  EXPECT_EQ(speech::make_stt({.provider = "deepgram"}).error().field(), "apiKey");
  EXPECT_EQ(speech::make_tts({.provider = "elevenlabs"}).error().field(), "apiKey");
  EXPECT_EQ(speech::make_stt({.provider = "pocketsphinx", .language = "de"}).error().field(), "language");

  auto openai = speech::make_stt({.provider = "openai", .base_url = "http://127.0.0.1:1"});
  ASSERT_TRUE(openai.has_value());
  EXPECT_NE(dynamic_cast<speech::OpenAiTranscriptionStt*>(openai->get()), nullptr);
  auto deepgram = speech::make_stt({.provider = "deepgram", .api_key = "k"});
  ASSERT_TRUE(deepgram.has_value());
  EXPECT_NE(dynamic_cast<speech::DeepgramStt*>(deepgram->get()), nullptr);
  auto eleven = speech::make_tts({.provider = "elevenlabs", .api_key = "k", .voices = {kVoiceId}});
  ASSERT_TRUE(eleven.has_value());
  EXPECT_EQ((*eleven)->voices(), std::vector<std::string>{kVoiceId});
  auto flite = speech::make_tts({.provider = "flite"});
  ASSERT_TRUE(flite.has_value());
  EXPECT_FALSE((*flite)->voices().empty());
}

}  // namespace
}  // namespace voqo
