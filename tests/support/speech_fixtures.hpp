#pragma once
/// The recordings of ../shared/fixtures/speech (CMU Sphinx test set) and
/// their transcriptions, for speech and codec tests.
#include <filesystem>
#include <map>
#include <string>

namespace voqo::test {

/// fixtures()/speech/<name>.
std::filesystem::path speech_fixture(const std::string& name);

/// The `transcription` file: lines "<s> words </s> (utterance-id)" → {id: words}.
std::map<std::string, std::string> read_transcriptions();

}  // namespace voqo::test
