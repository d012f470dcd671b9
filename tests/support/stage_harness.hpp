#pragma once
/// A harness for the call pipeline and its stages on virtual time (pipecat's
/// run_test is the model): feed 20 ms caller frames, collect what comes out
/// (hooks, events, the agent's audio), with no sleeps. Time is a
/// VirtualClock advanced 20 ms per frame; the stages' queues are a
/// ManualExecutor drained on the test's thread after every frame, so a run
/// is deterministic and far faster than real time. A fake engine's compute
/// (Clock::sleep_for inside a task) plays media frames meanwhile: the media
/// thread goes on while a worker thinks.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "pipeline/call_pipeline.hpp"
#include "pipeline/clock.hpp"
#include "pipeline/stage_executor.hpp"
#include "support/fake_engines.hpp"

namespace voqo::test {

/// Runs every queue's tasks on the calling thread, in the order they were
/// posted (one FIFO for all queues, so each queue stays serial), when told.
class ManualExecutor final : public pipeline::StageExecutor {
 public:
  std::shared_ptr<pipeline::StageQueue> make_queue() override;
  /// Runs tasks (and those they post) until none is left; returns how many
  /// ran. Inside a task it runs nothing (returns 0): that task's caller drains.
  std::size_t run_until_idle();
  [[nodiscard]] bool in_task() const { return in_task_; }
  [[nodiscard]] std::size_t pending() const;

 private:
  friend class ManualQueue;
  void post(std::function<void()> task);
  mutable std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
  bool in_task_ = false;
};

/// Caller audio, 16 kHz mono.
namespace audio {
constexpr int kRate = 16000;
/// Digital silence of `ms`.
std::vector<int16_t> silence(int ms);
/// A sustained synthetic vowel of `ms` at about `dbfs` RMS: a 120 Hz glottal
/// pulse train through three formant resonators (/a/: 700, 1220, 2600 Hz).
/// Over line noise the VAD calls it voiced from its first frame for up to
/// ~2.7 s (then its noise floor has risen to the vowel: keep utterances shorter).
std::vector<int16_t> vowel(int ms, double dbfs = -20);
/// A pure tone (an answering machine's beep) of `ms` at `hz`, `dbfs` RMS.
std::vector<int16_t> tone(int ms, double hz, double dbfs = -20);
/// Gaussian white noise of `ms` at `dbfs` RMS (seeded).
std::vector<int16_t> noise(int ms, double dbfs, unsigned seed = 1);
/// `a` then `b`.
std::vector<int16_t> operator+(std::vector<int16_t> a, const std::vector<int16_t>& b);
}  // namespace audio

/// A CallPipeline on fake engines, virtual time and a manual executor. The
/// caller's side is a phone line: every frame carries line noise at
/// `line_noise_dbfs` (−70 dBFS, under the VAD's −56 dBFS gate) under what
/// is played — the VAD's statistical model starts on it as on a real line
/// (after digital silence it would take a first steady vowel for noise).
class PipelineHarness {
 public:
  struct Setup {
    pipeline::PipelineConfig config;       ///< voice is set to the fake TTS's
    std::string greeting = "Hello, this is Ava.";
    std::vector<FakeBrain::Reply> replies;
    std::vector<ScriptedTranscript> transcripts;
    FakeTextToSpeech::Options tts;
    double line_noise_dbfs = -70;
    /// A real brain instead of the FakeBrain (then `brain` is null), e.g. an
    /// LlmBrain against a local replay server.
    std::function<std::unique_ptr<brain::Brain>()> make_brain;
  };
  /// A config for harness tests: inbound (greets at once), silence threshold
  /// 500 ms, response delay 0, no AMD.
  static pipeline::PipelineConfig default_config();

  explicit PipelineHarness(Setup setup);
  ~PipelineHarness();

  /// Answers the call (the greeting starts) and runs the stages.
  void answer();
  /// Plays `caller` frame by frame (a last partial frame is padded with
  /// silence); stops early once the pipeline asked to hang up (the call
  /// service would send BYE). `before(frame)` runs before each frame.
  void play(std::span<const int16_t> caller, const std::function<void(int64_t frame)>& before = {});
  void silence(int ms) { play(audio::silence(ms)); }
  /// Plays silence until `done()` or `max_ms`; true when done.
  bool wait_until(const std::function<bool()>& done, int max_ms);
  /// Ends the call: CallPipeline::finish() with the stages drained.
  pipeline::PipelineResult finish();

  // What came out (hooks in the order the live stage ran them).
  std::vector<std::string> events;          ///< "name: detail"
  std::vector<model::TranscriptLine> lines;
  std::vector<model::TranscriptLine> transcript;
  struct Level { int agent, customer; std::string speaker; };
  std::vector<Level> levels;
  std::vector<brain::Reply> turns;
  std::vector<double> agent_dbfs;           ///< per frame: the level of what the caller heard from the agent
  bool hung_up = false;
  int64_t hung_up_frame = -1;
  std::vector<std::string> transfers;

  /// An event whose text starts with `prefix` was reported.
  [[nodiscard]] bool saw(const std::string& prefix) const;
  [[nodiscard]] int count(const std::string& prefix) const;
  /// Agent lines of the transcript so far.
  [[nodiscard]] std::vector<model::TranscriptLine> agent_lines() const;
  [[nodiscard]] int64_t frames() const { return frame_; }
  [[nodiscard]] int64_t now_ms() const { return frame_ * 20; }

  pipeline::VirtualClock clock;
  ManualExecutor executor;
  std::shared_ptr<pipeline::CallPipeline> pipeline;
  FakeSpeechToText* stt = nullptr;    ///< owned by the pipeline
  FakeBrain* brain = nullptr;         ///< owned by the pipeline (null with Setup::make_brain)
  std::shared_ptr<FakeTextToSpeech> tts;

 private:
  void step(std::span<const int16_t> frame);
  void sleep(std::chrono::microseconds d);  ///< the clock's sleeper: plays queued caller audio, else silence
  int64_t frame_ = 0;
  std::deque<int16_t> queued_;  ///< caller audio not yet played (consumed by a sleeping worker's frames too)
  std::chrono::microseconds debt_{0};
  std::vector<int16_t> line_noise_;  ///< 1 s, looped
  std::size_t noise_at_ = 0;
};

}  // namespace voqo::test
