// RTP audio codecs (G.711 PCMU/PCMA, G.722 — spandsp) and the speexdsp
// resampler: ITU-T G.711 code words, frame sizes and RTP constants (RFC 3551),
// round-trip quality on recorded speech, speech recognition after the codecs
// (the narrowband penalty of an 8 kHz call), and streaming resampling.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>
#include <regex>

#include "speech/audio.hpp"
#include "speech/pocketsphinx_stt.hpp"
#include "speech/wer.hpp"
#include "support/speech_fixtures.hpp"
#include "support/test_support.hpp"
#include "telephony/codec.hpp"
#include "telephony/resampler.hpp"

namespace voqo::telephony {
namespace {

using test::read_transcriptions;
using test::speech_fixture;

using speech::PcmAudio;

// Bounds a little below/above what was measured (Debian 12: spandsp 0.0.6,
// speexdsp 1.2.1, pocketsphinx 0.8+5prealpha with the generic en-us model).
constexpr double kPcmuSnrBoundDb = 36.0;  // measured 36.99 dB (0880.wav resampled to 8 kHz)
constexpr double kPcmaSnrBoundDb = 36.5;  // measured 37.35 dB
constexpr double kG722SnrBoundDb = 24.0;  // measured 25.07 dB after delay compensation (-2.46 dB without)
constexpr int kG722DelaySamples = 22;     // measured: QMF analysis + synthesis, 16 kHz samples (1.375 ms)
// The narrowband penalty is the band limit, not G.711: the en-us acoustic
// model's filterbank spans 130–6800 Hz (feat.params -upperf 6800), so 8 kHz
// audio (nothing above 4 kHz) mismatches it. goforward.raw through
// 16 → 8 → 16 kHz alone already decodes as "harvard who years", while µ-law
// quantisation at 16 kHz alone keeps "go forward ten meters" (both checked
// while writing this test): goforward.raw after PCMU is printed, not
// asserted (a bound of WER 1.0 could not fail); the audiobook corpus
// measures the penalty.
constexpr double kCorpusG722WerBound = 0.40;    // measured 0.366 (26 / 71 words; wideband baseline 0.310)
constexpr double kCorpusPcmuWerBound = 0.60;    // measured 0.563 (40 / 71 words) — the narrowband penalty


PcmAudio load_wav(const std::string& name) {
  auto a = speech::read_wav(speech_fixture(name));
  EXPECT_TRUE(a) << (a ? "" : a.error().message);
  return a ? std::move(*a) : PcmAudio{};
}

PcmAudio load_raw(const std::string& name) {
  auto a = speech::read_raw_s16le(speech_fixture(name));
  EXPECT_TRUE(a) << (a ? "" : a.error().message);
  return a ? std::move(*a) : PcmAudio{};
}

std::unique_ptr<AudioCodec> codec(std::string_view name) {
  auto c = make_codec(name);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? std::move(*c) : nullptr;
}

std::vector<int16_t> resample(std::span<const int16_t> in, int from, int to) {
  auto r = Resampler::create(from, to);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  std::vector<int16_t> out;
  if (!r) return out;
  EXPECT_TRUE(r->process(in, out));
  return out;
}

/// Encodes in `frame`-sample packets with one encoder and decodes every packet
/// with a second instance (one per direction, as on a call).
std::vector<int16_t> round_trip(std::string_view name, std::span<const int16_t> pcm, std::size_t frame) {
  auto enc = codec(name);
  auto dec = codec(name);
  std::vector<int16_t> out;
  std::string payload;
  for (std::size_t i = 0; i < pcm.size(); i += frame) {
    payload.clear();
    auto e = enc->encode(pcm.subspan(i, std::min(frame, pcm.size() - i)), payload);
    EXPECT_TRUE(e) << (e ? "" : e.error().message);
    auto d = dec->decode({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, out);
    EXPECT_TRUE(d);
  }
  return out;
}

/// Plain SNR in dB of `test` against `ref`, with `test` delayed by `lag`
/// samples (test[i + lag] ≈ ref[i]), over the overlap.
double snr_db(std::span<const int16_t> ref, std::span<const int16_t> test, int lag = 0) {
  double signal = 0, noise = 0;
  for (std::size_t i = 0; i < ref.size() && i + static_cast<std::size_t>(lag) < test.size(); ++i) {
    const double r = ref[i], t = test[i + static_cast<std::size_t>(lag)];
    signal += r * r;
    noise += (r - t) * (r - t);
  }
  return 10.0 * std::log10(signal / std::max(noise, 1e-9));
}

/// The lag in [0, max_lag] maximising the cross-correlation of ref[i] and test[i + lag].
int best_lag(std::span<const int16_t> ref, std::span<const int16_t> test, int max_lag) {
  int best = 0;
  double best_c = -1e300;
  for (int lag = 0; lag <= max_lag; ++lag) {
    double c = 0;
    for (std::size_t i = 0; i < ref.size() && i + static_cast<std::size_t>(lag) < test.size(); ++i)
      c += static_cast<double>(ref[i]) * test[i + static_cast<std::size_t>(lag)];
    if (c > best_c) best_c = c, best = lag;
  }
  return best;
}


std::unique_ptr<speech::PocketsphinxStt> fresh_stt() {
  auto s = speech::PocketsphinxStt::create();
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? std::move(*s) : nullptr;
}

std::string transcribe(speech::SpeechToText& stt, std::vector<int16_t> samples_16k) {
  auto t = speech::transcribe(stt, PcmAudio{speech::kWideband, std::move(samples_16k)});
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return t ? t->text : std::string{};
}

/// 16 kHz → 8 kHz → PCMU round trip → 16 kHz: what STT hears on a narrowband call.
std::vector<int16_t> through_pcmu(std::span<const int16_t> wideband) {
  auto narrow = resample(wideband, 16000, 8000);
  auto decoded = round_trip("PCMU", narrow, 160);
  return resample(decoded, 8000, 16000);
}

// ------------------------------------------------------------------ RTP constants

TEST(AudioCodec, AdvertisesTheRfc3551PayloadTypesRatesAndFrameSizes) {
  struct Row {
    std::string_view name;
    int pt, rate, clock, frame20;
    std::size_t bytes20;
  };
  for (const Row& row : {Row{"PCMU", 0, 8000, 8000, 160, 160}, Row{"PCMA", 8, 8000, 8000, 160, 160},
                         Row{"G722", 9, 16000, 8000, 320, 160}}) {
    SCOPED_TRACE(std::string(row.name));
    auto c = codec(row.name);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->name(), row.name);
    EXPECT_EQ(c->payload_type(), row.pt);
    EXPECT_EQ(c->sample_rate_hz(), row.rate);
    EXPECT_EQ(c->rtp_clock_rate_hz(), row.clock);  // G.722: 8000, RFC 3551 §4.5.2
    EXPECT_EQ(c->samples_per_frame(20), row.frame20);
    EXPECT_EQ(c->samples_per_frame(30), row.frame20 * 3 / 2);
    EXPECT_EQ(c->samples_per_frame(0), 0);
    // 20 ms of silence encodes to 160 bytes for all three (64 kbit/s).
    std::vector<int16_t> frame(static_cast<std::size_t>(row.frame20), 0);
    std::string out;
    ASSERT_TRUE(c->encode(frame, out));
    EXPECT_EQ(out.size(), row.bytes20);
    EXPECT_EQ(c->encoded_bytes(frame.size()), row.bytes20);
    std::vector<int16_t> back;
    ASSERT_TRUE(c->decode({reinterpret_cast<const uint8_t*>(out.data()), out.size()}, back));
    EXPECT_EQ(back.size(), frame.size());
  }
}

TEST(AudioCodec, MakeCodecIsCaseInsensitiveAndRefusesOthersListingTheSupported) {
  EXPECT_TRUE(make_codec("pcmu"));
  EXPECT_TRUE(make_codec("g722"));
  for (std::string_view other : {"opus", "G729", "", "PCMU/8000"}) {
    auto c = make_codec(other);
    ASSERT_FALSE(c) << other;
    EXPECT_EQ(c.error().code, ErrorCode::unsupported);
    for (auto n : {"PCMU", "PCMA", "G722"}) EXPECT_NE(c.error().message.find(n), std::string::npos) << c.error().message;
  }
  EXPECT_NE(make_codec("opus").error().message.find("\"opus\""), std::string::npos);
}

TEST(AudioCodec, EncodeAndDecodeAppendWithoutReallocatingWithinCapacity) {
  for (std::string_view name : {"PCMU", "PCMA", "G722"}) {
    auto c = codec(name);
    std::vector<int16_t> pcm(static_cast<std::size_t>(c->samples_per_frame(20)), 1000);
    std::string out = "xy";
    out.reserve(2 + 160);
    const char* data = out.data();
    ASSERT_TRUE(c->encode(pcm, out));
    EXPECT_EQ(out.data(), data) << name;
    EXPECT_EQ(out.substr(0, 2), "xy");
    std::vector<int16_t> back{7};
    back.reserve(1 + pcm.size());
    const int16_t* bd = back.data();
    ASSERT_TRUE(c->decode({reinterpret_cast<const uint8_t*>(out.data() + 2), out.size() - 2}, back));
    EXPECT_EQ(back.data(), bd) << name;
    EXPECT_EQ(back.size(), 1 + pcm.size());
    EXPECT_EQ(back[0], 7);
  }
}

// ------------------------------------------------------------------ G.711

TEST(G711, EncodesTheItuCodeWords) {
  auto u = codec("PCMU");
  auto a = codec("PCMA");
  auto enc = [](AudioCodec& c, int16_t s) {
    std::string out;
    EXPECT_TRUE(c.encode(std::span<const int16_t>(&s, 1), out));
    return static_cast<uint8_t>(out.at(0));
  };
  auto dec = [](AudioCodec& c, uint8_t b) {
    std::vector<int16_t> out;
    EXPECT_TRUE(c.decode(std::span<const uint8_t>(&b, 1), out));
    return out.at(0);
  };
  // G.711 table 2a / 2b: µ-law code words are complemented, A-law ones have
  // the even bits inverted (0x55); bit 7 set = positive.
  EXPECT_EQ(enc(*u, 0), 0xFF);       // µ-law "positive zero", also the idle octet
  EXPECT_EQ(enc(*a, 0), 0xD5);       // A-law has no zero: +1st step, idle pattern
  EXPECT_EQ(enc(*u, 32767), 0x80);   // positive full scale
  EXPECT_EQ(enc(*u, -32768), 0x00);  // negative full scale
  EXPECT_EQ(enc(*a, 32767), 0xAA);
  EXPECT_EQ(enc(*a, -32768), 0x2A);
  EXPECT_EQ(enc(*u, -1), 0x7F);      // µ-law "negative zero"
  EXPECT_EQ(dec(*u, 0xFF), 0);
  EXPECT_EQ(dec(*u, 0x7F), 0);
  EXPECT_EQ(dec(*a, 0xD5), 8);       // decision value of the first A-law step (16-bit scale)
  EXPECT_EQ(dec(*a, 0x55), -8);
  EXPECT_EQ(dec(*u, 0x80), 32124);   // µ-law peak 8031 × 4 (16-bit scale)
  EXPECT_EQ(dec(*a, 0xAA), 32256);   // A-law peak 4032 × 8
  // Every code word survives decode → encode (µ-law's negative zero becomes positive zero).
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(enc(*a, dec(*a, static_cast<uint8_t>(b))), b);
    if (b != 0x7F) {
      EXPECT_EQ(enc(*u, dec(*u, static_cast<uint8_t>(b))), b);
    }
  }
}

TEST(G711, DecodesPayloadsOfAnyLengthOneByteASample) {
  for (std::string_view name : {"PCMU", "PCMA"}) {
    auto c = codec(name);
    const std::vector<uint8_t> odd(161, 0xFF);
    std::vector<int16_t> out;
    ASSERT_TRUE(c->decode(odd, out));
    EXPECT_EQ(out.size(), 161u);
    std::string enc;
    ASSERT_TRUE(c->encode(std::vector<int16_t>(159, 5), enc));
    EXPECT_EQ(enc.size(), 159u);
  }
}

TEST(G711, RoundTripOfRecordedSpeechKeepsTheMeasuredSnr) {
  auto wb = load_wav("sense_and_sensibility_01_austen_64kb-0880.wav");
  ASSERT_EQ(wb.format, speech::kWideband);
  const auto narrow = resample(wb.samples, 16000, 8000);
  for (auto [name, bound] : {std::pair{"PCMU", kPcmuSnrBoundDb}, std::pair{"PCMA", kPcmaSnrBoundDb}}) {
    auto enc = codec(name);
    std::string payload;
    ASSERT_TRUE(enc->encode(narrow, payload));
    EXPECT_EQ(payload.size(), narrow.size());  // 1 byte per sample
    const auto back = round_trip(name, narrow, 160);
    ASSERT_EQ(back.size(), narrow.size());
    const double snr = snr_db(narrow, back);  // G.711 is memoryless: no delay
    std::printf("%s round trip of 0880.wav at 8 kHz: SNR %.2f dB\n", name, snr);
    EXPECT_GE(snr, bound) << name;
  }
}

// ------------------------------------------------------------------ G.722

TEST(G722, EncodesPairsOfSamplesAndRefusesAnOddCount) {
  auto c = codec("G722");
  std::string out = "keep";
  auto r = c->encode(std::vector<int16_t>(319, 0), out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().field(), "pcm");
  EXPECT_EQ(out, "keep");  // nothing appended
  ASSERT_TRUE(c->encode(std::vector<int16_t>(320, 0), out));
  EXPECT_EQ(out.size(), 4u + 160u);
  // Any payload length decodes: every byte is one codeword for 2 samples.
  std::vector<int16_t> pcm;
  ASSERT_TRUE(c->decode(std::vector<uint8_t>(81, 0xFA), pcm));
  EXPECT_EQ(pcm.size(), 162u);
  ASSERT_TRUE(c->encode({}, out));
}

TEST(G722, RoundTripOfRecordedSpeechKeepsTheMeasuredSnrAfterTheCodecDelay) {
  auto wb = load_wav("sense_and_sensibility_01_austen_64kb-0880.wav");
  ASSERT_EQ(wb.format, speech::kWideband);
  const auto back = round_trip("G722", wb.samples, 320);
  ASSERT_EQ(back.size(), wb.samples.size());
  const int lag = best_lag(wb.samples, back, 64);
  const double snr = snr_db(wb.samples, back, lag);
  std::printf("G722 round trip of 0880.wav: delay %d samples (%.2f ms), SNR %.2f dB (%.2f dB without alignment)\n",
              lag, lag / 16.0, snr, snr_db(wb.samples, back));
  EXPECT_EQ(lag, kG722DelaySamples);
  EXPECT_GE(snr, kG722SnrBoundDb);
}

TEST(G722, ResetRestartsTheAdpcmState) {
  auto wb = load_wav("sense_and_sensibility_01_austen_64kb-0880.wav");
  std::span<const int16_t> pcm(wb.samples.data(), 3200);
  auto c = codec("G722");
  std::string first, second;
  ASSERT_TRUE(c->encode(pcm, first));
  ASSERT_TRUE(c->encode(pcm, second));
  EXPECT_NE(first, second);  // state carried over
  c->reset();
  second.clear();
  ASSERT_TRUE(c->encode(pcm, second));
  EXPECT_EQ(first, second);
}

// ------------------------------------------------------------------ speech through the codecs

TEST(CodecSpeech, GoForwardSurvivesG722) {
  auto audio = load_raw("goforward.raw");
  auto stt = fresh_stt();
  ASSERT_TRUE(stt);
  const std::string g722 = transcribe(*stt, round_trip("G722", audio.samples, 320));
  std::printf("goforward.raw after G.722: \"%s\"\n", g722.c_str());
  EXPECT_EQ(g722, "go forward ten meters");

  auto stt2 = fresh_stt();
  const std::string pcmu = transcribe(*stt2, through_pcmu(audio.samples));
  const double wer = speech::word_error_rate("go forward ten meters", pcmu);
  std::printf("goforward.raw after 8 kHz PCMU (measurement only): \"%s\" (WER %.3f)\n", pcmu.c_str(), wer);
}

TEST(CodecSpeech, NarrowbandPenaltyOverTheAudiobookSentences) {
  const auto refs = read_transcriptions();
  ASSERT_FALSE(refs.empty());
  speech::WordErrors wide{}, g722{}, pcmu{};
  auto add = [](speech::WordErrors& sum, const speech::WordErrors& e) {
    sum.substitutions += e.substitutions;
    sum.deletions += e.deletions;
    sum.insertions += e.insertions;
    sum.reference_words += e.reference_words;
  };
  // One fresh decoder per condition, the files in the same order, so each
  // condition sees the same cepstral-mean adaptation history.
  auto s_wide = fresh_stt(), s_g722 = fresh_stt(), s_pcmu = fresh_stt();
  ASSERT_TRUE(s_wide && s_g722 && s_pcmu);
  for (const auto& [id, ref] : refs) {
    if (id.rfind("sense_and_sensibility", 0) != 0) continue;
    auto wb = load_wav(id + ".wav");
    add(wide, speech::word_errors(ref, transcribe(*s_wide, wb.samples)));
    add(g722, speech::word_errors(ref, transcribe(*s_g722, round_trip("G722", wb.samples, 320))));
    add(pcmu, speech::word_errors(ref, transcribe(*s_pcmu, through_pcmu(wb.samples))));
  }
  auto rate = [](const speech::WordErrors& e) {
    return static_cast<double>(e.edits()) / static_cast<double>(e.reference_words);
  };
  std::printf("WER over %zu words: wideband %.3f, G.722 %.3f, PCMU 8 kHz %.3f (%zu / %zu / %zu errors)\n",
              wide.reference_words, rate(wide), rate(g722), rate(pcmu), wide.edits(), g722.edits(), pcmu.edits());
  EXPECT_LE(rate(g722), kCorpusG722WerBound);
  EXPECT_LE(rate(pcmu), kCorpusPcmuWerBound);
}

// ------------------------------------------------------------------ resampler

std::vector<int16_t> sine(int rate, double hz, double amplitude, std::size_t n) {
  std::vector<int16_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate)));
  return out;
}

double rms(std::span<const int16_t> x) {
  double s = 0;
  for (int16_t v : x) s += static_cast<double>(v) * v;
  return std::sqrt(s / static_cast<double>(x.size()));
}

std::size_t zero_crossings(std::span<const int16_t> x) {
  std::size_t n = 0;
  for (std::size_t i = 1; i < x.size(); ++i) n += (x[i - 1] < 0) != (x[i] < 0);
  return n;
}

TEST(Resampler, UpsamplingA1kHzSineKeepsItsFrequencyAndAmplitude) {
  auto r = Resampler::create(8000, 16000);
  ASSERT_TRUE(r);
  const auto in = sine(8000, 1000.0, 10000.0, 8000);  // 1 s
  std::vector<int16_t> out;
  ASSERT_TRUE(r->process(in, out));
  const int latency = r->latency_samples();
  std::printf("8 → 16 kHz: %zu samples out of %zu, latency %d samples\n", out.size(), in.size(), latency);
  EXPECT_NEAR(static_cast<double>(out.size()), 16000.0, 2.0);
  ASSERT_GT(latency, 0);
  ASSERT_LT(latency, 200);
  // Skip the latency and the start-up transient, then look at 0.5 s = 500 periods.
  std::span<const int16_t> steady(out.data() + latency + 160, 8000);
  EXPECT_NEAR(static_cast<double>(zero_crossings(steady)), 1000.0, 2.0);
  const double gain_db = 20.0 * std::log10(rms(steady) / rms(std::span(in).subspan(80, 4000)));
  std::printf("8 → 16 kHz gain at 1 kHz: %.3f dB\n", gain_db);
  EXPECT_LE(std::abs(gain_db), 1.0);
}

TEST(Resampler, StreamingInOddChunksEqualsOneShot) {
  const auto in = load_wav("sense_and_sensibility_01_austen_64kb-0880.wav").samples;
  for (auto [from, to] : {std::pair{16000, 8000}, std::pair{8000, 16000}, std::pair{22050, 16000}, std::pair{22050, 8000}}) {
    SCOPED_TRACE(std::to_string(from) + " → " + std::to_string(to));
    std::vector<int16_t> one_shot, streamed;
    auto a = Resampler::create(from, to);
    auto b = Resampler::create(from, to);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->process(in, one_shot));
    const std::size_t chunks[] = {1, 7, 13, 161, 319, 441, 2};
    std::size_t pos = 0;
    for (std::size_t k = 0; pos < in.size(); ++k) {
      const std::size_t n = std::min(chunks[k % std::size(chunks)], in.size() - pos);
      ASSERT_TRUE(b->process(std::span(in).subspan(pos, n), streamed));
      pos += n;
    }
    EXPECT_EQ(streamed, one_shot);
    const double expected = static_cast<double>(in.size()) * to / from;
    EXPECT_NEAR(static_cast<double>(one_shot.size()), expected, 2.0);
    // reset() starts a new stream: same input, same output.
    a->reset();
    std::vector<int16_t> again;
    ASSERT_TRUE(a->process(in, again));
    EXPECT_EQ(again, one_shot);
  }
}

TEST(Resampler, ProcessAppendsWithoutReallocatingWithinCapacity) {
  auto r = Resampler::create(8000, 16000);
  ASSERT_TRUE(r);
  const auto in = sine(8000, 440.0, 5000.0, 160);
  std::vector<int16_t> out{42};
  out.reserve(1 + r->max_output(in.size()));
  const int16_t* data = out.data();
  ASSERT_TRUE(r->process(in, out));
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out[0], 42);
  EXPECT_EQ(out.size(), 1u + 320u);
}

TEST(Resampler, RefusesBadArguments) {
  EXPECT_EQ(Resampler::create(0, 16000).error().field(), "fromHz");
  EXPECT_EQ(Resampler::create(8000, -1).error().field(), "toHz");
  EXPECT_EQ(Resampler::create(8000, 16000, 11).error().field(), "quality");
  EXPECT_EQ(Resampler::create(8000, 16000, -1).error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace voqo::telephony
