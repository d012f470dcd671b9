#include "speech/pocketsphinx_stt.hpp"

#include <vector>
#include <pocketsphinx.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace voqo::speech {
namespace {

Error make_error(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

using Clock = std::chrono::steady_clock;

}  // namespace

namespace {
/// The bytes of the files a decoder of `config` loads: every regular file of
/// the acoustic model's folder, the language model and the dictionary.
int64_t model_files_bytes(const PocketsphinxConfig& config) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(config.hmm_dir, ec))
    if (std::error_code e2; entry.is_regular_file(e2)) total += static_cast<int64_t>(entry.file_size(e2));
  for (const std::string* p : {&config.language_model, &config.dictionary})
    if (std::error_code e2; std::filesystem::is_regular_file(*p, e2))
      total += static_cast<int64_t>(std::filesystem::file_size(*p, e2));
  return total;
}
}  // namespace

struct PocketsphinxStt::Impl {
  ps_decoder_t* decoder = nullptr;
  bool in_utterance = false;
  std::size_t samples = 0;
  Clock::duration busy{};
  int64_t model_bytes = 0;  ///< memory_bytes(): the model files' sizes

  ~Impl() {
    if (decoder != nullptr) {
      if (in_utterance) ps_end_utt(decoder);
      ps_free(decoder);
    }
  }
};

PocketsphinxStt::PocketsphinxStt(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PocketsphinxStt::~PocketsphinxStt() = default;

Result<std::unique_ptr<PocketsphinxStt>> PocketsphinxStt::create(const PocketsphinxConfig& config) {
  for (const std::string* p : {&config.hmm_dir, &config.language_model, &config.dictionary}) {
    std::error_code ec;
    if (!std::filesystem::exists(*p, ec))
      return std::unexpected(make_error(ErrorCode::not_found, "pocketsphinx model file missing: " + *p +
                                                                   " (install pocketsphinx-en-us)"));
  }
  // cmd_ln_parse_r copies the strings; the config is owned by the decoder after ps_init.
  std::vector<const char*> argv = {"-hmm", config.hmm_dir.c_str(), "-lm", config.language_model.c_str(),
                                   "-dict", config.dictionary.c_str(), "-samprate", "16000",
                                   "-logfn", config.quiet ? "/dev/null" : "/dev/stderr"};
  for (const auto& [name, value] : config.options) {
    argv.push_back(name.c_str());
    argv.push_back(value.c_str());
  }
  cmd_ln_t* cmd = cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), const_cast<char**>(argv.data()), TRUE);
  if (cmd == nullptr)
    return std::unexpected(make_error(ErrorCode::internal, "pocketsphinx rejected its configuration (an unknown or malformed option?)"));
  auto impl = std::make_unique<Impl>();
  impl->decoder = ps_init(cmd);
  cmd_ln_free_r(cmd);  // ps_init retained it
  if (impl->decoder == nullptr)
    return std::unexpected(make_error(ErrorCode::internal, "pocketsphinx could not load the models from " + config.hmm_dir));
  impl->model_bytes = model_files_bytes(config);
  return std::unique_ptr<PocketsphinxStt>(new PocketsphinxStt(std::move(impl)));
}

int64_t PocketsphinxStt::memory_bytes() const { return impl_->model_bytes; }

Result<void> PocketsphinxStt::begin_utterance(AudioFormat format) {
  if (format != kWideband)
    return std::unexpected(make_error(
        ErrorCode::unsupported, "pocketsphinx needs 16000 Hz mono audio, got " + std::to_string(format.sample_rate_hz) +
                                    " Hz with " + std::to_string(format.channels) +
                                    " channel(s); resample narrowband call audio to 16 kHz before recognition"));
  if (impl_->in_utterance) return std::unexpected(make_error(ErrorCode::conflict, "an utterance is already open"));
  const auto start = Clock::now();
  if (ps_start_utt(impl_->decoder) < 0) return std::unexpected(make_error(ErrorCode::internal, "ps_start_utt failed"));
  impl_->in_utterance = true;
  impl_->samples = 0;
  impl_->busy = Clock::now() - start;
  return ok();
}

Result<void> PocketsphinxStt::accept(std::span<const int16_t> samples_16khz) {
  if (!impl_->in_utterance) return std::unexpected(make_error(ErrorCode::conflict, "accept() outside an utterance"));
  if (samples_16khz.empty()) return ok();
  const auto start = Clock::now();
  const int rc = ps_process_raw(impl_->decoder, samples_16khz.data(), samples_16khz.size(), FALSE, FALSE);
  impl_->busy += Clock::now() - start;
  if (rc < 0) return std::unexpected(make_error(ErrorCode::internal, "ps_process_raw failed"));
  impl_->samples += samples_16khz.size();
  return ok();
}

std::string PocketsphinxStt::partial() {
  if (!impl_->in_utterance) return {};
  int32 score = 0;
  const char* hyp = ps_get_hyp(impl_->decoder, &score);
  return hyp != nullptr ? std::string(hyp) : std::string();
}

Result<Transcript> PocketsphinxStt::end_utterance() {
  if (!impl_->in_utterance) return std::unexpected(make_error(ErrorCode::conflict, "end_utterance() outside an utterance"));
  const auto start = Clock::now();
  impl_->in_utterance = false;
  if (ps_end_utt(impl_->decoder) < 0) return std::unexpected(make_error(ErrorCode::internal, "ps_end_utt failed"));
  Transcript t;
  int32 score = 0;
  if (const char* hyp = ps_get_hyp(impl_->decoder, &score); hyp != nullptr) t.text = hyp;
  if (!t.text.empty()) {
    // ps_get_prob runs the lattice forward-backward pass, which fills in each
    // segment's posterior; average the posteriors of the real words.
    (void)ps_get_prob(impl_->decoder);
    logmath_t* lmath = ps_get_logmath(impl_->decoder);
    double sum = 0.0;
    int words = 0;
    for (ps_seg_t* seg = ps_seg_iter(impl_->decoder); seg != nullptr; seg = ps_seg_next(seg)) {
      const char* w = ps_seg_word(seg);
      if (w == nullptr || w[0] == '<' || w[0] == '[') continue;  // <s>, </s>, <sil>, [NOISE], ...
      int32 ascr = 0, lscr = 0, lback = 0;
      const double p = logmath_exp(lmath, ps_seg_prob(seg, &ascr, &lscr, &lback));
      sum += std::isfinite(p) ? std::clamp(p, 0.0, 1.0) : 0.0;
      ++words;
    }
    t.confidence = words > 0 ? sum / words : 0.0;
  }
  impl_->busy += Clock::now() - start;
  t.processing_time = std::chrono::duration_cast<std::chrono::microseconds>(impl_->busy);
  t.audio_duration = std::chrono::milliseconds(impl_->samples / 16);
  return t;
}

}  // namespace voqo::speech
