// A call's recording on its own: frames go to a stereo WAV (left the
// caller, right the agent) whose header gets its sizes at close(); before
// that the file is a valid WAV of an empty recording that repair fixes from
// its length; close() is idempotent and later frames are not written.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <fstream>

#include "pipeline/call_recorder.hpp"
#include "pipeline/recording.hpp"

namespace voqo::pipeline {
namespace {

std::vector<char> read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
uint32_t u32(const std::vector<char>& b, std::size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
int16_t sample(const std::vector<char>& b, std::size_t index) {
  int16_t v = 0;
  std::memcpy(&v, b.data() + kWavHeaderBytes + index * 2, 2);
  return v;
}

std::filesystem::path temp_recording(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("voqo-recorder-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

TEST(CallRecorder, FramesBecomeAStereoWavWhoseHeaderGetsItsSizesAtClose) {
  const auto path = temp_recording("a.wav");
  auto rec = CallRecorder::open(path);
  ASSERT_TRUE(rec) << rec.error().message;
  std::vector<int16_t> caller(320), agent(320);
  for (int f = 0; f < 50; ++f) {
    std::fill(caller.begin(), caller.end(), static_cast<int16_t>(f));
    std::fill(agent.begin(), agent.end(), static_cast<int16_t>(-f));
    (*rec)->write(caller, agent);
  }
  EXPECT_EQ((*rec)->frames(), 50u);
  ASSERT_TRUE((*rec)->close());
  ASSERT_TRUE((*rec)->close()) << "idempotent";
  (*rec)->write(caller, agent);  // after close: nothing
  const auto bytes = read_all(path);
  ASSERT_EQ(bytes.size(), kWavHeaderBytes + 50u * 320 * 4);
  EXPECT_EQ(u32(bytes, 40), 50u * 320 * 4) << "data size";
  EXPECT_EQ(u32(bytes, 4), 36u + 50u * 320 * 4) << "RIFF size";
  EXPECT_EQ(sample(bytes, 2 * (7 * 320 + 5)), 7) << "left: the caller";
  EXPECT_EQ(sample(bytes, 2 * (7 * 320 + 5) + 1), -7) << "right: the agent";
}

TEST(CallRecorder, UnclosedItIsAnEmptyRecordingsWavThatRepairFixes) {
  const auto path = temp_recording("b.wav");
  {
    auto rec = CallRecorder::open(path);
    ASSERT_TRUE(rec);
    std::vector<int16_t> pcm(320, 9);
    for (int f = 0; f < 3000; ++f) (*rec)->write(pcm, pcm);  // 60 s: the buffer has been written out
  }  // destroyed without close(): a crash's file
  const auto bytes = read_all(path);
  EXPECT_EQ(u32(bytes, 40), 0u) << "the header claims nothing";
  auto repaired = repair_recording(path);
  ASSERT_TRUE(repaired);
  EXPECT_EQ(*repaired, 3000u * 320 * 4);
}

TEST(CallRecorder, AnUnwritablePathIsAnError) {
  EXPECT_FALSE(CallRecorder::open("/proc/voqo/nope/a.wav"));
}

}  // namespace
}  // namespace voqo::pipeline
