// Range header evaluation (RFC 9110 §14): invalid syntax is ignored (the
// whole representation, 200), a valid but unsatisfiable range-set is 416,
// one satisfiable range is 206.
#include "api/byte_range.hpp"

#include <gtest/gtest.h>

using voqo::api::evaluate_range;
using voqo::api::HttpRequest;
using voqo::api::RangeDecision;
using Kind = RangeDecision::Kind;

namespace {

constexpr uint64_t kSize = 1000;

void expect_partial(std::string_view header, uint64_t first, uint64_t length) {
  const auto r = evaluate_range(header, kSize);
  EXPECT_EQ(r.kind, Kind::partial) << header;
  EXPECT_EQ(r.first, first) << header;
  EXPECT_EQ(r.length, length) << header;
}

void expect_ignored(std::string_view header) { EXPECT_EQ(evaluate_range(header, kSize).kind, Kind::full) << header; }

void expect_unsatisfiable(std::string_view header) {
  EXPECT_EQ(evaluate_range(header, kSize).kind, Kind::unsatisfiable) << header;
}

TEST(ByteRange, OneRangeInEachForm) {
  expect_partial("bytes=0-99", 0, 100);
  expect_partial("bytes=100-", 100, 900);
  expect_partial("bytes=-100", 900, 100);
  expect_partial("bytes=999-999", 999, 1);
  expect_partial("bytes=5-5", 5, 1);
}

TEST(ByteRange, BeyondTheEndIsClampedOrWhole) {
  expect_partial("bytes=900-5000", 900, 100);
  expect_partial("bytes=-5000", 0, 1000);  // suffix longer than the file: all of it
  expect_partial("bytes=0-99999999999999999999999", 0, 1000);  // more digits than 64 bits: still valid
}

TEST(ByteRange, UnitIsCaseInsensitiveAndListsMayHaveEmptyElementsAndSpaces) {
  expect_partial("Bytes=0-9", 0, 10);
  expect_partial("BYTES=0-9", 0, 10);
  expect_partial("bytes= 0-9 ", 0, 10);
  expect_partial("bytes=,0-9,", 0, 10);
  expect_partial("bytes=0-9, \t,", 0, 10);
}

TEST(ByteRange, InvalidSyntaxIsIgnored) {
  expect_ignored("bytes=1-2-3");
  expect_ignored("bytes=0x10-0x20");
  expect_ignored("bytes=10-0x20");
  expect_ignored("bytes=+1-2");
  expect_ignored("bytes=1 -2");
  expect_ignored("bytes=1- 2");
  expect_ignored("bytes=5-2");    // last-pos < first-pos (§14.1.1)
  expect_ignored("bytes=-");
  expect_ignored("bytes=--5");
  expect_ignored("bytes=-5-");
  expect_ignored("bytes=a-b");
  expect_ignored("bytes=12");     // no dash
  expect_ignored("bytes=");       // 1#range-spec: at least one
  expect_ignored("bytes=,");
  expect_ignored("bytes");        // no '='
  expect_ignored("0-99");
  expect_ignored("bytes=0-99,1-2-3");   // one bad element spoils the whole header
  expect_ignored("bytes=5000-,x");      // ... even next to an unsatisfiable one
  expect_ignored("bytes =0-99");
  expect_ignored("items=0-9");          // a unit this server does not know
  expect_ignored("");
}

TEST(ByteRange, ValidButUnsatisfiableIs416) {
  expect_unsatisfiable("bytes=1000-");
  expect_unsatisfiable("bytes=1000-2000");
  expect_unsatisfiable("bytes=99999999999999999999999-");
  expect_unsatisfiable("bytes=-0");  // a suffix of no bytes
  expect_unsatisfiable("bytes=1000-1001, 2000-");
}

TEST(ByteRange, SeveralRangesGetTheWholeRepresentation) {
  expect_ignored("bytes=0-1,5-6");
  expect_ignored("bytes=0-1, 2000-");  // one satisfiable is enough not to be 416
  expect_ignored("bytes=-10,-20");
}

TEST(ByteRange, EmptyRepresentationIsSentWhole) {
  EXPECT_EQ(evaluate_range("bytes=0-0", 0).kind, Kind::full);
  EXPECT_EQ(evaluate_range("bytes=-1", 0).kind, Kind::full);
}

TEST(ByteRange, OnlyGetWithoutIfRangeHonoursRange) {
  HttpRequest req;
  req.method = "GET";
  req.headers = {{"range", "bytes=0-9"}};
  EXPECT_EQ(evaluate_range(req, kSize).kind, Kind::partial);
  req.method = "HEAD";
  EXPECT_EQ(evaluate_range(req, kSize).kind, Kind::full);
  req.method = "GET";
  req.headers.emplace_back("if-range", "\"some-etag\"");
  EXPECT_EQ(evaluate_range(req, kSize).kind, Kind::full);
  HttpRequest none;
  none.method = "GET";
  EXPECT_EQ(evaluate_range(none, kSize).kind, Kind::full);
}

}  // namespace
