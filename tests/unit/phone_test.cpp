// Phone numbers to E.164 (src/model/phone.hpp) with libphonenumber.
#include "model/phone.hpp"

#include <gtest/gtest.h>

#include <random>

using voqo::model::is_valid_region;
using voqo::model::normalize_phone;
using voqo::model::PhoneNormalizer;

namespace {

/// "e164|extension" or the error message, to compare outcomes in one string.
std::string outcome(const voqo::Result<voqo::model::PhoneParse>& r) {
  if (!r) return "error: " + r.error().message;
  return r->e164 + "|" + r->extension;
}

std::string norm(std::string_view text, std::string_view region = "US") {
  return outcome(normalize_phone(text, region));
}

}  // namespace

TEST(Phone, NationalFormatsBecomeE164) {
  // 650-253-0000 is Google's published number; 202-456-1111 the White House.
  EXPECT_EQ(norm("(650) 253-0000"), "+16502530000|");
  EXPECT_EQ(norm("650.253.0000"), "+16502530000|");
  EXPECT_EQ(norm("650-253-0000"), "+16502530000|");
  EXPECT_EQ(norm("6502530000"), "+16502530000|");
  EXPECT_EQ(norm("1-650-253-0000"), "+16502530000|");
  EXPECT_EQ(norm("  +1 (650) 253-0000  "), "+16502530000|");
  EXPECT_EQ(norm("202 456 1111"), "+12024561111|");
  EXPECT_EQ(norm("1-800-FLOWERS"), "+18003569377|");  // vanity letters
  EXPECT_EQ(norm("5153435776"), "+15153435776|");     // customers-100.csv line 3
}

TEST(Phone, ExtensionsAreKeptApart) {
  EXPECT_EQ(norm("650-253-0000 x718"), "+16502530000|718");
  EXPECT_EQ(norm("650.253.0000x718"), "+16502530000|718");
  EXPECT_EQ(norm("650.253.0000 ext. 12"), "+16502530000|12");
  EXPECT_EQ(norm("650 253 0000 ext 12"), "+16502530000|12");
  EXPECT_EQ(norm("+1 650 253 0000;ext=5"), "+16502530000|5");  // RFC 3966 form
  EXPECT_EQ(norm("650-253-0000 x0469"), "+16502530000|0469");   // leading zero kept
}

TEST(Phone, OtherRegionsAndInternationalInput) {
  EXPECT_EQ(norm("+44 20 7946 0958"), "+442079460958|");
  EXPECT_EQ(norm("020 7946 0958", "GB"), "+442079460958|");
  EXPECT_EQ(norm("020 7946 0958", "gb"), "+442079460958|");  // region case-insensitive
  EXPECT_EQ(norm("+1 650 253 0000", "GB"), "+16502530000|");
  EXPECT_EQ(norm("011 44 20 7946 0958"), "+442079460958|");  // US international prefix
  EXPECT_EQ(norm("(416) 555-0199", "CA"), "+14165550199|");
  EXPECT_EQ(norm("(416) 555-0199", "US"), "+14165550199|");  // Canadian number in a US list
}

TEST(Phone, DoubleZeroInternationalPrefix) {
  // "00" is not the US international prefix (011), but lists write it.
  EXPECT_EQ(norm("001-808-617-6467x12895"), "+18086176467|12895");  // customers-100.csv line 5
  EXPECT_EQ(norm("0044 20 7946 0958"), "+442079460958|");
  // Read as +1 199…: possible, but 199 is no area code.
  EXPECT_EQ(norm("001-199-446-3860x3486"), "error: not a valid number for region US: area code 199 cannot start with 0 or 1");
}

TEST(Phone, ErrorsSayWhy) {
  EXPECT_EQ(norm(""), "error: missing phone");
  EXPECT_EQ(norm("  \t "), "error: missing phone");
  EXPECT_EQ(norm("-1199"), "error: invalid number: too short");
  EXPECT_EQ(norm("650253000"), "error: invalid number: too short");
  EXPECT_EQ(norm("12345678901234567890"), "error: invalid number: too long");
  EXPECT_EQ(norm("650 253 00001"), "error: invalid number: too long");
  EXPECT_EQ(norm("+999 123 4567"), "error: invalid country code");
  EXPECT_EQ(norm("n/a"), "error: not a phone number");
  EXPECT_EQ(norm("call me maybe"), "error: not a phone number");
  EXPECT_EQ(norm("(041)737-3846"), "error: not a valid number for region US: area code 041 cannot start with 0 or 1");
  EXPECT_EQ(norm("+1-247-266-0963x4995"), "error: not a valid number for region US: area code 247 or exchange 266 is not in service");
  EXPECT_EQ(norm("253-0000"), "error: invalid number: local number without area code");
  EXPECT_EQ(norm("6502530000", ""), "error: no country code and no valid default region");
  EXPECT_EQ(norm("6502530000", "XX"), "error: no country code and no valid default region");
  EXPECT_EQ(norm("+16502530000", ""), "+16502530000|");

  auto r = normalize_phone("-1199", "US");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, voqo::ErrorCode::invalid_argument);
}

TEST(Phone, Regions) {
  EXPECT_TRUE(is_valid_region("US"));
  EXPECT_TRUE(is_valid_region("gb"));
  EXPECT_TRUE(is_valid_region("DE"));
  EXPECT_FALSE(is_valid_region("ZZ"));
  EXPECT_FALSE(is_valid_region("001"));
  EXPECT_FALSE(is_valid_region("XX"));
  EXPECT_FALSE(is_valid_region(""));
  EXPECT_FALSE(is_valid_region("USA"));
}

// The fast path (digits picked out by hand, then one validity check) must
// give exactly what the full libphonenumber path gives, value or message.
TEST(Phone, FastPathAgreesWithLibphonenumber) {
  std::mt19937 rng(12345);
  const char* formats[] = {"(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "+1 %s %s %s", "1%s%s%s", "%s%s%s",
                           "1-%s-%s-%s", "+1 (%s) %s-%s", "+1%s%s%s", " %s %s %s ", "(%s)%s-%s", "%s %s-%s"};
  const char* extensions[] = {"", "", "", " x12", "x718", " ext. 12", " ext 9", " X5", "x1234567890", " ext.",
                              " x", "#12", " extension 4", ";ext=7", " x 12"};
  auto digits = [&](int n, bool any) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 && !any ? 2 + rng() % 8 : rng() % 10));
    return s;
  };
  size_t valid = 0, checked = 0;
  for (const char* region : {"US", "CA", "GB", "JM"}) {
    const PhoneNormalizer normalizer(region);
    for (int i = 0; i < 1500; ++i) {
      const bool any = rng() % 4 == 0;  // sometimes area/exchange codes starting with 0 or 1
      char buf[96];
      std::snprintf(buf, sizeof buf, formats[rng() % std::size(formats)], digits(3, any).c_str(),
                    digits(3, any).c_str(), digits(rng() % 8 == 0 ? 3 + rng() % 3 : 4, true).c_str());
      const std::string text = std::string(buf) + extensions[rng() % std::size(extensions)];
      const auto fast = normalizer(text);
      const auto slow = normalizer.normalize_slow(text);
      ASSERT_EQ(outcome(fast), outcome(slow)) << region << " '" << text << "'";
      valid += fast.has_value();
      ++checked;
    }
  }
  // Both kinds were exercised.
  EXPECT_GT(valid, checked / 4);
  EXPECT_LT(valid, checked);
}
