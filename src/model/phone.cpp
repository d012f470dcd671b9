#include "model/phone.hpp"

#include <regex>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdint>

namespace voqo::model {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& util() {
  static const PhoneNumberUtil* const instance = PhoneNumberUtil::GetInstance();
  return *instance;
}

Error reject(std::string reason) { return Error{ErrorCode::invalid_argument, std::move(reason), {}}; }

std::string upper_region(std::string_view region) {
  std::string out(region);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string main_region(const PhoneNumber& number) {
  std::string region;
  util().GetRegionCodeForCountryCode(number.country_code(), &region);
  return region;
}

/// Why a possible-length number is not valid. For the North American
/// Numbering Plan (country code 1, ten digits NPA-NXX-XXXX) the structural
/// rules of the NANP (ATIS-0300051: NPA and NXX are [2-9]XX, N11 codes are
/// service codes) say which part is impossible; otherwise the number simply
/// is not assigned in libphonenumber's metadata.
std::string not_valid_reason(const PhoneNumber& number) {
  std::string reason = "not a valid number for region " + main_region(number);
  std::string national = std::to_string(number.national_number());
  // Leading zeros are kept apart by libphonenumber (PhoneNumber.italian_leading_zero).
  if (number.italian_leading_zero())
    national.insert(0, static_cast<size_t>(number.has_number_of_leading_zeros() ? number.number_of_leading_zeros() : 1), '0');
  if (number.country_code() != 1 || national.size() != 10) return reason;
  const std::string npa = national.substr(0, 3), nxx = national.substr(3, 3);
  if (npa[0] == '0' || npa[0] == '1') return reason + ": area code " + npa + " cannot start with 0 or 1";
  if (npa[1] == '1' && npa[2] == '1') return reason + ": " + npa + " is a service code, not an area code";
  if (nxx[0] == '0' || nxx[0] == '1') return reason + ": exchange " + nxx + " cannot start with 0 or 1";
  if (nxx[1] == '1' && nxx[2] == '1') return reason + ": exchange " + nxx + " is a service code";
  return reason + ": area code " + npa + " or exchange " + nxx + " is not in service";
}

/// How far one libphonenumber attempt got.
enum class Stage { parsed_valid, not_valid, failed };

struct Attempt {
  Stage stage = Stage::failed;
  std::string reason;
};

/// Parse `text` with `region`, then check length and validity (the full path).
Attempt parse_once(const std::string& text, const std::string& region, bool region_ok, PhoneNumber& number) {
  switch (util().Parse(text, region, &number)) {
    case PhoneNumberUtil::NO_PARSING_ERROR: break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: {
      // Without "+" the country code comes from the region; if that is not a
      // region, say so rather than blaming the number.
      const auto first = text.find_first_not_of(" \t");
      const bool has_plus =
          first != std::string::npos && (text[first] == '+' || text.compare(first, 3, "\xEF\xBC\x8B") == 0);
      if (!has_plus && !region_ok) return {Stage::failed, "no country code and no valid default region"};
      return {Stage::failed, "invalid country code"};
    }
    case PhoneNumberUtil::NOT_A_NUMBER: return {Stage::failed, "not a phone number"};
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return {Stage::failed, "invalid number: too short"};
    case PhoneNumberUtil::TOO_LONG_NSN: return {Stage::failed, "invalid number: too long"};
  }
  switch (util().IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE: break;
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
      return {Stage::failed, "invalid number: local number without area code"};
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return {Stage::failed, "invalid country code"};
    case PhoneNumberUtil::TOO_SHORT: return {Stage::failed, "invalid number: too short"};
    case PhoneNumberUtil::TOO_LONG: return {Stage::failed, "invalid number: too long"};
    case PhoneNumberUtil::INVALID_LENGTH:
      return {Stage::failed, "invalid number: wrong length for region " + main_region(number)};
  }
  if (!util().IsValidNumber(number)) return {Stage::not_valid, not_valid_reason(number)};
  return {Stage::parsed_valid, {}};
}

/// Position of a leading "00" (after spaces and opening punctuation), or npos.
size_t leading_00(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '(' || c == '-' || c == '.') continue;
    if (c == '0' && i + 1 < text.size() && text[i + 1] == '0') return i;
    return std::string_view::npos;
  }
  return std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// The narrow shape the fast path accepts; see PhoneNormalizer's docs.
struct NanpShape {
  uint64_t national = 0;      ///< the 10-digit national number
  std::string_view extension; ///< digits only, or empty
};

/// Recognises [+][1] NXX NXX XXXX with separators " -.()" and an optional
/// extension "x123" / "ext 123" / "ext. 123" (1–9 digits). Returns false for
/// anything else (which then goes the slow way).
bool nanp_shape(std::string_view s, bool region_nanp, NanpShape& out) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n && is_blank(s[i])) ++i;
  bool plus = false;
  if (i < n && s[i] == '+') {
    plus = true;
    ++i;
  }
  if (!plus && !region_nanp) return false;
  char digits[11];
  int count = 0;
  for (; i < n; ++i) {
    const char c = s[i];
    if (is_digit(c)) {
      if (count == 11) return false;
      digits[count++] = c;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
      continue;
    } else {
      break;
    }
  }
  if (count == 0) return false;
  // Extension.
  std::string_view ext;
  if (i < n) {
    size_t j = i;
    if (s[j] == 'x' || s[j] == 'X') {
      ++j;
    } else if (j + 3 <= n && (s[j] == 'e' || s[j] == 'E') && (s[j + 1] == 'x' || s[j + 1] == 'X') &&
               (s[j + 2] == 't' || s[j + 2] == 'T')) {
      j += 3;
      if (j < n && s[j] == '.') ++j;
    } else {
      return false;
    }
    while (j < n && is_blank(s[j])) ++j;
    const size_t start = j;
    while (j < n && is_digit(s[j])) ++j;
    if (j == start || j - start > 9) return false;
    ext = s.substr(start, j - start);
    while (j < n && is_blank(s[j])) ++j;
    if (j != n) return false;
  }
  // The number itself must be 10 digits after an optional leading 1.
  const char* d = digits;
  if (plus) {
    if (count != 11 || d[0] != '1') return false;
    ++d;
  } else if (count == 11) {
    if (d[0] != '1') return false;
    ++d;
  } else if (count != 10) {
    return false;
  }
  if (d[0] < '2') return false;  // NANP area codes are [2-9]XX
  uint64_t national = 0;
  for (int k = 0; k < 10; ++k) national = national * 10 + static_cast<uint64_t>(d[k] - '0');
  out.national = national;
  out.extension = ext;
  return true;
}

}  // namespace

PhoneNormalizer::PhoneNormalizer(std::string_view region) : region_(upper_region(region)) {
  region_ok_ = is_valid_region(region_);
  nanp_ = region_ok_ && util().GetCountryCodeForRegion(region_) == 1;
}

Result<PhoneParse> PhoneNormalizer::normalize_slow(std::string_view text) const {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::unexpected(reject("missing phone"));

  const std::string input(text);
  PhoneNumber number;
  Attempt attempt = parse_once(input, region_, region_ok_, number);
  if (attempt.stage != Stage::parsed_valid) {
    // "00…" as the international prefix where the region's own prefix differs
    // (e.g. "001-808-617-6467" in a US list). A valid reading is taken; a
    // reading that is possible but not valid explains the failure better.
    if (const size_t at = leading_00(text); at != std::string_view::npos) {
      std::string retry = input;
      retry.replace(at, 2, "+");
      PhoneNumber again;
      Attempt second = parse_once(retry, region_, region_ok_, again);
      if (second.stage == Stage::parsed_valid) {
        number = std::move(again);
        attempt = std::move(second);
      } else if (second.stage == Stage::not_valid && attempt.stage == Stage::failed) {
        attempt = std::move(second);
      }
    }
  }
  if (attempt.stage != Stage::parsed_valid) return std::unexpected(reject(std::move(attempt.reason)));

  PhoneParse out;
  util().Format(number, PhoneNumberUtil::E164, &out.e164);
  if (number.has_extension()) out.extension = number.extension();
  return out;
}

Result<PhoneParse> PhoneNormalizer::operator()(std::string_view text) const {
  NanpShape shape;
  if (nanp_shape(text, nanp_, shape)) {
    PhoneNumber number;
    number.set_country_code(1);
    number.set_national_number(shape.national);
    // Valid for the default region (one type check), else valid in another
    // NANP region (e.g. a Canadian number in a US list); what Parse() would
    // have produced is exactly this PhoneNumber, so skipping it is safe.
    if ((nanp_ && util().IsValidNumberForRegion(number, region_)) || util().IsValidNumber(number)) {
      PhoneParse out;
      out.e164 = "+1" + std::to_string(shape.national);
      out.extension.assign(shape.extension);
      return out;
    }
    // Not valid anywhere: the full path would reach the same verdict (ten
    // digits are a possible NANP length), so say it without parsing again.
    if (util().IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE)
      return std::unexpected(reject(not_valid_reason(number)));
  }
  return normalize_slow(text);
}

Result<PhoneParse> normalize_phone(std::string_view text, std::string_view region) {
  return PhoneNormalizer(region)(text);
}

bool is_valid_region(std::string_view region) {
  if (region.size() != 2) return false;
  const std::string code = upper_region(region);
  if (code == "ZZ") return false;
  return util().GetCountryCodeForRegion(code) != 0;
}

/// A transfer target as SIP REFER takes it: a sip:/sips: URI as is, or a
/// phone number in E.164. Errors: invalid_argument field "target".
Result<std::string> transfer_target(const std::string& target, std::string_view region) {
  if (target.rfind("sip:", 0) == 0 || target.rfind("sips:", 0) == 0) {
    // RFC 3261 §25.1 SIP-URI, loosely: [user@]host[:port][;params], no spaces or brackets.
    static const std::regex uri(R"(^sips?:([^@\s<>"]+@)?[A-Za-z0-9.\-\[\]:]+(;[^\s<>"]*)?$)");
    if (!std::regex_match(target, uri)) return std::unexpected(Error::invalid("target", "not a valid SIP URI: " + target));
    return target;
  }
  if (target.empty()) return std::unexpected(Error::invalid("target", "a transfer needs a target (E.164 number or SIP URI)"));
  auto phone = model::normalize_phone(target, region);
  if (!phone) return std::unexpected(Error::invalid("target", phone.error().message));
  return phone->e164;
}

}  // namespace voqo::model
