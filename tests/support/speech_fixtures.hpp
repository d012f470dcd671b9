#pragma once
/// The recordings of ../shared/fixtures/speech (CMU Sphinx test set) and
/// their transcriptions, for speech and codec tests.
#include <filesystem>
#include <map>
#include <cstdint>
#include <string>
#include <vector>

namespace voqo::test {

/// fixtures()/speech/<name>.
std::filesystem::path speech_fixture(const std::string& name);

/// The `transcription` file: lines "<s> words </s> (utterance-id)" → {id: words}.
std::map<std::string, std::string> read_transcriptions();

/// Mono s16 samples, for the audio-analysis tests.
using Samples = std::vector<int16_t>;

/// `in` resampled from `from` Hz to `to` Hz (speexdsp, quality 5).
Samples resample(const Samples& in, int from, int to);

/// A speech fixture (.wav or 16 kHz .raw) as mono samples at `rate` Hz.
Samples load_speech(const std::string& name, int rate = 16000);

/// Gaussian white noise of `n` samples with an RMS of `dbfs`, seeded.
Samples white_noise(std::size_t n, double dbfs, unsigned seed);

/// `text` spoken by flite `voice` (16 kHz mono).
Samples synthesize(const std::string& text, const std::string& voice = "slt");

}  // namespace voqo::test
