// Embedded speech engine baselines for turn-latency work.
//  - PocketsphinxStt: real-time factor (processing time / audio duration) over
//    the recorded-speech fixtures, fed in 20 ms blocks as a call would, plus
//    the time end_utterance() takes after the last block (the part of STT
//    latency a caller waits for once the speaker stops).
//  - FliteTts / EspeakTts: time to first audio chunk and total time for one
//    sentence, and the real-time factor of synthesis.
// Prints figures; asserts nothing.
//
// Usage: bench_speech [fixtures dir] [repetitions]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "speech/audio.hpp"
#include "speech/espeak_tts.hpp"
#include "speech/flite_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"

using namespace voqo::speech;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

void bench_tts(TextToSpeech& tts, const char* engine, const Voice& voice, const std::string& text, int reps) {
  std::vector<double> first, total, rtf;
  for (int i = 0; i < reps; ++i) {
    auto r = tts.synthesize(text, voice, [](std::span<const int16_t>) { return true; });
    if (!r) {
      std::printf("%s %s: %s\n", engine, voice.id.c_str(), r.error().message.c_str());
      return;
    }
    const double audio_ms = 1000.0 * static_cast<double>(r->samples) / r->format.sample_rate_hz;
    first.push_back(r->first_chunk_latency.count() / 1000.0);
    total.push_back(r->total_time.count() / 1000.0);
    rtf.push_back(total.back() / audio_ms);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("%-6s %-6s first chunk %7.2f ms   total %7.2f ms   RTF %.4f   (median of %d)\n", engine, voice.id.c_str(),
              median(first), median(total), median(rtf), reps);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path fixtures =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path(VOQO_BENCH_FIXTURES) / "speech";
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;

  // ---- STT
  const auto created_at = Clock::now();
  auto stt = PocketsphinxStt::create();
  if (!stt) {
    std::printf("pocketsphinx: %s\n", stt.error().message.c_str());
    return 1;
  }
  std::printf("pocketsphinx: decoder created in %.0f ms\n", ms_since(created_at));
  std::vector<std::pair<std::string, PcmAudio>> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures)) {
    const auto& p = entry.path();
    voqo::Result<PcmAudio> audio = p.extension() == ".wav"   ? read_wav(p)
                             : p.extension() == ".raw" ? read_raw_s16le(p)
                                                       : std::unexpected(voqo::Error{});
    if (audio && audio->format == kWideband) inputs.emplace_back(p.filename().string(), std::move(*audio));
  }
  std::sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double audio_total = 0, busy_total = 0;
  for (const auto& [name, audio] : inputs) {
    if (!(*stt)->begin_utterance()) return 1;
    const std::span<const int16_t> all{audio.samples};
    for (std::size_t i = 0; i < all.size(); i += 320) (void)(*stt)->accept(all.subspan(i, std::min<std::size_t>(320, all.size() - i)));
    const auto end_at = Clock::now();
    auto t = (*stt)->end_utterance();
    const double final_ms = ms_since(end_at);
    if (!t) return 1;
    const double busy = t->processing_time.count() / 1000.0;
    audio_total += audio.duration_ms();
    busy_total += busy;
    std::printf("stt  %-48s %6.0f ms audio  %6.0f ms busy  RTF %.3f  end_utterance %5.1f ms  \"%s\"\n", name.c_str(),
                audio.duration_ms(), busy, busy / audio.duration_ms(), final_ms, t->text.c_str());
  }
  std::printf("stt  all %zu files: %.1f s audio, RTF %.3f\n\n", inputs.size(), audio_total / 1000, busy_total / audio_total);

  // ---- TTS
  const std::string sentence = "Hi, this is Anna from the dental office, calling to confirm your appointment next Tuesday at three.";
  FliteTts flite;
  for (const auto& id : flite.voices()) bench_tts(flite, "flite", Voice{id}, sentence, reps);
  if (auto espeak = EspeakTts::create()) {
    bench_tts(**espeak, "espeak", Voice{"en-us"}, sentence, reps);
    bench_tts(**espeak, "espeak", Voice{"de"}, "Hallo, hier ist Anna aus der Zahnarztpraxis, ich rufe wegen Ihres Termins am Dienstag an.", reps);
  }
  return 0;
}
