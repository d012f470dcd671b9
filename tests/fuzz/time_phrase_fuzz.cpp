// The time-phrase parser (src/brain/time_phrase.hpp) on any transcript: what
// a caller says ("call me back next tuesday at 3") reaches it verbatim from
// speech recognition. Input: a first line "<IANA zone> <ISO-8601 now>" (a
// zone that does not load falls back to UTC, as in a call; a now that does
// not parse is 2025-03-08T20:00:00Z), then the utterance.
// Properties: a found phrase names the words it matched; its instant is
// not before the start of the day of `now` (only "today"-like phrases reach
// back, and only to earlier today: a time without a day that is not after
// now moves to the next day); describe_time and format_local_time answer.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "brain/time_phrase.hpp"
#include "core/time.hpp"
#include "fuzz_check.hpp"

using namespace voqo;
using namespace std::chrono;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // utterances are sentences
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view head = nl == std::string_view::npos ? std::string_view{} : input.substr(0, nl);
  const std::string_view text = nl == std::string_view::npos ? input : input.substr(nl + 1);
  const size_t sp = head.find(' ');
  std::string zone = std::string(head.substr(0, sp));
  if (zone.size() > 64) zone.resize(64);
  system_clock::time_point now = sys_days{2025y / March / 8} + 20h;
  if (sp != std::string_view::npos)
    if (auto t = parse_iso8601(std::string(head.substr(sp + 1)))) now = *t;
  if (now < sys_days{1971y / January / 1} || now > sys_days{2200y / January / 1}) return 0;  // calls happen now

  auto found = brain::parse_time_phrase(text, now, zone);
  if (!found) return 0;
  FUZZ_CHECK(!found->phrase.empty());
  FUZZ_CHECK(found->at > now - days(2));
  FUZZ_CHECK(!brain::describe_time(found->at, now, zone).empty());
  FUZZ_CHECK(!brain::format_local_time(found->at, zone).empty());
  return 0;
}
