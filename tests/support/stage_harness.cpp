#include "support/stage_harness.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <numbers>
#include <random>

#include "pipeline/audio_level.hpp"

namespace voqo::test {

// ---- ManualExecutor ----

class ManualQueue final : public pipeline::StageQueue {
 public:
  explicit ManualQueue(ManualExecutor& ex) : ex_(ex) {}
  void post(std::function<void()> task, Lane) override { ex_.post(std::move(task)); }
  void drain() override { ex_.run_until_idle(); }

 private:
  ManualExecutor& ex_;
};

std::shared_ptr<pipeline::StageQueue> ManualExecutor::make_queue() { return std::make_shared<ManualQueue>(*this); }

void ManualExecutor::post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(task));
}

std::size_t ManualExecutor::pending() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

std::size_t ManualExecutor::run_until_idle() {
  if (in_task_) return 0;
  std::size_t ran = 0;
  for (;;) {
    std::function<void()> task;
    {
      std::lock_guard lock(mutex_);
      if (tasks_.empty()) return ran;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    in_task_ = true;
    task();
    in_task_ = false;
    ++ran;
  }
}

// ---- audio ----

namespace audio {

std::vector<int16_t> silence(int ms) { return std::vector<int16_t>(static_cast<std::size_t>(ms) * kRate / 1000, 0); }

std::vector<int16_t> vowel(int ms, double dbfs) {
  const std::size_t n = static_cast<std::size_t>(ms) * kRate / 1000;
  std::vector<double> x(n, 0.0);
  // Glottal pulses at 120 Hz with a little jitter, then three two-pole resonators in cascade.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> jitter(-0.03, 0.03);
  for (double t = 0; t < static_cast<double>(n);) {
    x[static_cast<std::size_t>(t)] = 1.0;
    t += kRate / 120.0 * (1.0 + jitter(rng));
  }
  for (const auto& [f, bw] : {std::pair{700.0, 130.0}, {1220.0, 70.0}, {2600.0, 160.0}}) {
    const double r = std::exp(-std::numbers::pi * bw / kRate);
    const double a1 = 2 * r * std::cos(2 * std::numbers::pi * f / kRate), a2 = -r * r;
    double y1 = 0, y2 = 0;
    for (double& v : x) {
      const double y = v + a1 * y1 + a2 * y2;
      y2 = y1;
      y1 = y;
      v = y;
    }
  }
  double sum = 0;
  for (double v : x) sum += v * v;
  const double rms = std::sqrt(sum / static_cast<double>(std::max<std::size_t>(n, 1)));
  const double gain = rms > 0 ? 32768.0 * std::pow(10.0, dbfs / 20.0) / rms : 0;
  std::vector<int16_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(std::clamp(x[i] * gain, -32768.0, 32767.0));
  return out;
}

std::vector<int16_t> tone(int ms, double hz, double dbfs) {
  const double amplitude = 32768.0 * std::sqrt(2.0) * std::pow(10.0, dbfs / 20.0);
  std::vector<int16_t> out(static_cast<std::size_t>(ms) * kRate / 1000);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / kRate));
  return out;
}

std::vector<int16_t> noise(int ms, double dbfs, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 32768.0 * std::pow(10.0, dbfs / 20.0));
  std::vector<int16_t> out(static_cast<std::size_t>(ms) * kRate / 1000);
  for (auto& s : out) s = static_cast<int16_t>(std::clamp(g(rng), -32768.0, 32767.0));
  return out;
}

std::vector<int16_t> operator+(std::vector<int16_t> a, const std::vector<int16_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace audio

// ---- PipelineHarness ----

pipeline::PipelineConfig PipelineHarness::default_config() {
  pipeline::PipelineConfig c;
  c.outbound = false;
  c.detect_answering_machine = false;
  c.silence_threshold_ms = 500;
  c.response_delay_ms = 0;
  c.voice = {"fake", 1.0, 1.0};
  return c;
}

PipelineHarness::PipelineHarness(Setup setup) : line_noise_(audio::noise(1000, setup.line_noise_dbfs, 11)) {
  clock.set_sleeper([this](std::chrono::microseconds d) { sleep(d); });
  tts = std::make_shared<FakeTextToSpeech>(clock, setup.tts);
  auto s = std::make_unique<FakeSpeechToText>(clock, std::move(setup.transcripts));
  std::unique_ptr<brain::Brain> b;
  if (setup.make_brain) {
    b = setup.make_brain();
  } else {
    auto fake = std::make_unique<FakeBrain>(clock, std::move(setup.greeting), std::move(setup.replies));
    brain = fake.get();
    b = std::move(fake);
  }
  stt = s.get();
  pipeline::PipelineHooks hooks;
  hooks.hang_up = [this] {
    hung_up = true;
    hung_up_frame = frame_;
  };
  hooks.transfer = [this](const std::string& target) { transfers.push_back(target); };
  hooks.on_event = [this](const std::string& name, const std::string& detail) { events.push_back(name + ": " + detail); };
  hooks.on_live_line = [this](const model::TranscriptLine& l) { lines.push_back(l); };
  hooks.on_transcript = [this](const model::TranscriptLine& e) { transcript.push_back(e); };
  hooks.on_levels = [this](int a, int c, std::string_view who) { levels.push_back({a, c, std::string(who)}); };
  hooks.on_turn = [this](const brain::Reply& r) { turns.push_back(r); };
  setup.config.voice.id = "fake";
  auto p = pipeline::CallPipeline::create(std::move(setup.config), std::move(s), tts, std::move(b),
                                          pipeline::PipelineRuntime{&clock, &executor}, std::move(hooks));
  if (!p) throw std::runtime_error("pipeline: " + p.error().message);
  pipeline = *p;
}

PipelineHarness::~PipelineHarness() {
  if (pipeline) (void)finish();
}

void PipelineHarness::answer() {
  pipeline->on_answered();
  executor.run_until_idle();
}

void PipelineHarness::step(std::span<const int16_t> caller) {
  std::array<int16_t, 320> in{}, agent{};
  std::copy_n(caller.begin(), std::min<std::size_t>(caller.size(), in.size()), in.begin());
  for (auto& s : in) {
    s = static_cast<int16_t>(std::clamp<int32_t>(int32_t{s} + line_noise_[noise_at_], INT16_MIN, INT16_MAX));
    noise_at_ = (noise_at_ + 1) % line_noise_.size();
  }
  clock.advance(std::chrono::milliseconds(20));
  pipeline->on_frame(in, agent, static_cast<uint64_t>(frame_));
  agent_dbfs.push_back(pipeline::level_dbfs(agent));
  ++frame_;
  executor.run_until_idle();  // no-op inside a task (a sleeping worker's frames)
}

void PipelineHarness::sleep(std::chrono::microseconds d) {
  debt_ += d;
  while (debt_ >= std::chrono::milliseconds(20)) {
    debt_ -= std::chrono::milliseconds(20);
    std::array<int16_t, 320> f{};
    for (auto& s : f) {
      if (queued_.empty()) break;
      s = queued_.front();
      queued_.pop_front();
    }
    step(f);
  }
}

void PipelineHarness::play(std::span<const int16_t> caller, const std::function<void(int64_t)>& before) {
  queued_.insert(queued_.end(), caller.begin(), caller.end());
  while (!queued_.empty() && !hung_up) {
    if (before) before(frame_);
    std::array<int16_t, 320> f{};
    for (auto& s : f) {
      if (queued_.empty()) break;
      s = queued_.front();
      queued_.pop_front();
    }
    step(f);
  }
  queued_.clear();
}

bool PipelineHarness::wait_until(const std::function<bool()>& done, int max_ms) {
  for (int t = 0; t < max_ms && !hung_up; t += 20) {
    if (done()) return true;
    step({});
  }
  return done();
}

pipeline::PipelineResult PipelineHarness::finish() {
  auto r = pipeline->finish();
  executor.run_until_idle();
  return r;
}

bool PipelineHarness::saw(const std::string& prefix) const { return count(prefix) > 0; }

int PipelineHarness::count(const std::string& prefix) const {
  int n = 0;
  for (const auto& e : events) n += e.rfind(prefix, 0) == 0;
  return n;
}

std::vector<model::TranscriptLine> PipelineHarness::agent_lines() const {
  std::vector<model::TranscriptLine> out;
  for (const auto& e : transcript)
    if (e.speaker == "agent") out.push_back(e);
  return out;
}

}  // namespace voqo::test
