#include "support/speech_fixtures.hpp"

#include <fstream>
#include <regex>

#include "support/test_support.hpp"

namespace voqo::test {

std::filesystem::path speech_fixture(const std::string& name) { return fixtures() / "speech" / name; }

std::map<std::string, std::string> read_transcriptions() {
  std::map<std::string, std::string> out;
  std::ifstream in(speech_fixture("transcription"));
  const std::regex line_re(R"(^\s*<s>\s*(.*?)\s*</s>\s*\(([^)]+)\)\s*$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, line_re)) out[m[2].str()] = m[1].str();
  }
  return out;
}

}  // namespace voqo::test
