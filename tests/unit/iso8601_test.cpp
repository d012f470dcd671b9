// ISO-8601 times from outside (request bodies, query filters, an LLM's
// callback time) parse only when the clock can hold them.
#include <gtest/gtest.h>

#include "core/time.hpp"

namespace voqo {
namespace {

TEST(Iso8601, TimesRoundTripWithinTheClocksRange) {
  for (const char* t : {"2025-03-08T20:00:00.000Z", "1678-01-01T00:00:00.000Z", "2261-12-31T23:59:59.999Z",
                        "1970-01-01T00:00:00.000Z"}) {
    auto tp = parse_iso8601(t);
    ASSERT_TRUE(tp) << t;
    EXPECT_EQ(to_iso8601(*tp), t);
  }
  auto offset = parse_iso8601("2261-12-31T23:59:00-23:59");  // the latest instant the range allows
  ASSERT_TRUE(offset);
  EXPECT_EQ(to_iso8601(*offset), "2262-01-01T23:58:00.000Z");
}

// Found by fuzzing (tests/fuzz/regressions/time_phrase): "2721-03-09T09:59:00Z"
// overflowed the nanosecond clock (undefined behaviour) and came back as 1836.
TEST(Iso8601, YearsTheClockCannotHoldAreRefusedNotWrapped) {
  for (const char* t : {"2721-03-09T09:59:00Z", "2262-04-12", "2999-01-01T00:00:00Z", "9999-12-31", "1677-09-20",
                        "0001-01-01T00:00:00Z", "1000-01-01"})
    EXPECT_FALSE(parse_iso8601(t)) << t;
}

}  // namespace
}  // namespace voqo
