// Owner-only files (issue 15 §8): the database with its WAL and SHM, and a
// call's recording, are 0600 and the folders voqo creates for them 0700,
// under a permissive umask (022) and an open one (000); a database created
// world-readable by an earlier version is narrowed when opened.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "pipeline/call_pipeline.hpp"
#include "pipeline/recording.hpp"
#include "speech/audio.hpp"
#include "speech/flite_tts.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"

namespace voqo {
namespace {

/// Permission bits of a path (-1 when it does not exist).
int mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

/// Greets with one sentence and says nothing else.
class SilentBrain final : public brain::Brain {
 public:
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token) override {
    brain::Reply r;
    r.text = "Hello.";
    sink(r.text);
    return r;
  }
  Result<brain::Reply> respond(std::string_view, const brain::TextSink&, std::stop_token) override { return brain::Reply{}; }
  void interrupted(std::string_view) override {}
  std::string phase() const override { return ""; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override {
    return brain::CallResult{};
  }
};

using test::ScopedUmask;

class FileModes : public ::testing::TestWithParam<mode_t> {};

TEST_P(FileModes, DatabaseItsWalAndShmAndTheDataFolderAreOwnerOnly) {
  test::TempDir dir;
  ScopedUmask mask(GetParam());
  const auto data = dir / "data";  // missing: Store::open creates it
  const auto db = data / "voqo.db";
  auto st = store::Store::open(db);
  ASSERT_TRUE(st) << st.error().message;
  // A write, so the WAL holds something while the store is open.
  ASSERT_TRUE((*st)->agents().create(*(*st)->access().default_workspace(), {{"name", "Modes"}, {"systemPrompt", "You check file modes."}}));
  EXPECT_EQ(mode_of(data), 0700);
  EXPECT_EQ(mode_of(db), 0600);
  auto wal = db, shm = db;
  wal += "-wal";
  shm += "-shm";
  ASSERT_NE(mode_of(wal), -1) << "no WAL while the database is open";
  ASSERT_NE(mode_of(shm), -1) << "no SHM while the database is open";
  EXPECT_EQ(mode_of(wal), 0600);
  EXPECT_EQ(mode_of(shm), 0600);
  // The secret key beside it (SecretBox) is owner-only too.
  auto key = db;
  key += ".key";
  EXPECT_EQ(mode_of(key), 0600);
}

TEST_P(FileModes, ARecordingIsOwnerOnlyInAnOwnerOnlyFolder) {
  test::TempDir dir;
  ScopedUmask mask(GetParam());
  const auto folder = dir / "recordings";
  const auto wav = folder / "call-1.wav";
  WorkerPool pool(2, "test-modes");
  pipeline::PipelineConfig cfg;
  cfg.conversation = false;  // greeting and recording only: no STT needed
  cfg.response_delay_ms = 0;
  cfg.voice = {"slt", 1.0, 1.0};
  cfg.recording_path = wav;
  auto p = pipeline::CallPipeline::create(cfg, nullptr, std::make_shared<speech::FliteTts>(),
                                          std::make_unique<SilentBrain>(), pool, {});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(mode_of(folder), 0700);
  EXPECT_EQ(mode_of(wav), 0600);
  (*p)->on_answered();
  std::vector<int16_t> caller(320, 100), agent(320);
  for (uint64_t f = 0; f < 50; ++f) (*p)->on_frame(caller, agent, f);
  (void)(*p)->finish();
  EXPECT_EQ(mode_of(wav), 0600);
  // The header the call's end writes describes what was recorded.
  auto audio = speech::read_wav(wav);
  ASSERT_TRUE(audio) << audio.error().message;
  EXPECT_EQ(audio->format.channels, 2);
  EXPECT_EQ(audio->format.sample_rate_hz, 16000);
  EXPECT_GT(audio->samples.size(), 0u);
  EXPECT_EQ(std::filesystem::file_size(wav), pipeline::kWavHeaderBytes + audio->samples.size() * sizeof(int16_t));
}

INSTANTIATE_TEST_SUITE_P(Umask, FileModes, ::testing::Values(mode_t{022}, mode_t{000}),
                         [](const auto& info) { return info.param == 0 ? std::string("000") : std::string("022"); });

TEST(FileModesExisting, AWorldReadableDatabaseAndWalAreNarrowedWhenOpened) {
  test::TempDir dir;
  const auto db = dir / "voqo.db";
  {
    auto st = store::Store::open(db);
    ASSERT_TRUE(st) << st.error().message;
  }
  auto wal = db;
  wal += "-wal";
  test::write_file(wal, "");  // as a crash of an earlier version may leave it
  ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  ASSERT_EQ(::chmod(wal.c_str(), 0644), 0);
  auto st = store::Store::open(db);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(mode_of(db), 0600);
  EXPECT_EQ(mode_of(wal), 0600);
}

}  // namespace
}  // namespace voqo
