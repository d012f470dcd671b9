// A call's recording after a crash (issue 15 §11): the file the recorder
// created starts with a header claiming no audio and the audio the crash
// left follows it; repair_recording() gives it the sizes of what is there
// (a partial last sample frame cut off), so any WAV reader plays it. Also
// the header of an older version (44 zero bytes), a file holding only a
// header, and a missing file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include "pipeline/recording.hpp"
#include "speech/audio.hpp"
#include "support/test_support.hpp"

namespace voqo::pipeline {
namespace {

uint32_t u32_at(const std::string& bytes, std::size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

/// `frames` stereo sample frames: left = frame index, right = its negative.
std::string audio_bytes(std::size_t frames) {
  std::string out;
  for (std::size_t f = 0; f < frames; ++f)
    for (int16_t v : {static_cast<int16_t>(f), static_cast<int16_t>(-static_cast<int>(f))}) {
      char b[2];
      std::memcpy(b, &v, 2);
      out.append(b, 2);
    }
  return out;
}

TEST(Recording, ACrashLeftRecordingGetsTheSizesOfTheAudioItHolds) {
  test::TempDir dir;
  const auto wav = dir / "call.wav";
  auto f = create_recording(wav);
  ASSERT_TRUE(f) << f.error().message;
  const std::string audio = audio_bytes(16000);  // 1 s
  std::fwrite(audio.data(), 1, audio.size(), *f);
  std::fwrite("\x01\x02", 1, 2, *f);  // half a sample frame: the crash came mid-write
  std::fclose(*f);                    // no header rewrite: what a kill -9 leaves
  auto before = speech::read_wav(wav);
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->samples.size(), 0u) << "the header of a recording in progress claims no audio";

  auto repaired = repair_recording(wav);
  ASSERT_TRUE(repaired) << repaired.error().message;
  EXPECT_EQ(*repaired, audio.size());
  EXPECT_EQ(recording_seconds(*repaired), 1);
  const std::string bytes = test::read_file(wav);
  ASSERT_EQ(bytes.size(), kWavHeaderBytes + audio.size()) << "the partial frame is cut off";
  EXPECT_EQ(bytes.substr(0, 4), "RIFF");
  EXPECT_EQ(u32_at(bytes, 4), 36 + audio.size());
  EXPECT_EQ(bytes.substr(36, 4), "data");
  EXPECT_EQ(u32_at(bytes, 40), audio.size());
  auto after = speech::read_wav(wav);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->format.channels, 2);
  EXPECT_EQ(after->format.sample_rate_hz, 16000);
  ASSERT_EQ(after->samples.size(), 32000u);
  EXPECT_EQ(after->samples[2 * 1234], 1234);
  EXPECT_EQ(after->samples[2 * 1234 + 1], -1234);
}

TEST(Recording, TheZeroHeaderOfAnEarlierVersionIsRepairedToo) {
  test::TempDir dir;
  const auto wav = dir / "old.wav";
  test::write_file(wav, std::string(kWavHeaderBytes, '\0') + audio_bytes(800));
  ASSERT_EQ(::chmod(wav.c_str(), 0644), 0);
  auto repaired = repair_recording(wav);
  ASSERT_TRUE(repaired) << repaired.error().message;
  EXPECT_EQ(*repaired, 800u * kRecordingFrameBytes);
  auto after = speech::read_wav(wav);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->samples.size(), 1600u);
  struct stat st {};
  ASSERT_EQ(::stat(wav.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "an older world-readable recording is narrowed";
}

TEST(Recording, AFileWithoutAudioOrMissingSaysSo) {
  test::TempDir dir;
  auto f = create_recording(dir / "empty.wav");
  ASSERT_TRUE(f);
  std::fclose(*f);
  auto header_only = repair_recording(dir / "empty.wav");
  ASSERT_TRUE(header_only) << header_only.error().message;
  EXPECT_EQ(*header_only, 0u);
  test::write_file(dir / "zero.wav", "");
  auto zero = repair_recording(dir / "zero.wav");
  ASSERT_TRUE(zero);
  EXPECT_EQ(*zero, 0u);
  auto missing = repair_recording(dir / "missing.wav");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST(Recording, SizesBeyondFourGibibytesStayAtTheLargestTheHeaderHolds) {
  const auto h = recording_header(uint64_t{5} << 30);
  const std::string bytes(h.data(), h.size());
  EXPECT_EQ(u32_at(bytes, 4), 36 + u32_at(bytes, 40));
  EXPECT_EQ(u32_at(bytes, 40) % kRecordingFrameBytes, 0u);
  EXPECT_GT(u32_at(bytes, 40), 0xFFFFFF00u);
}

}  // namespace
}  // namespace voqo::pipeline
