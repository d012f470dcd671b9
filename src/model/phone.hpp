#pragma once
/// Phone numbers: normalisation to E.164 (ITU-T Recommendation E.164, "The
/// international public telecommunication numbering plan") with Google's
/// libphonenumber, the reference implementation of the numbering-plan metadata.
///
/// Thread-safe: libphonenumber's PhoneNumberUtil is a process-wide singleton
/// whose const methods may be called from several threads at once. They do
/// not scale, though: its regular-expression cache sits behind one mutex, and
/// two threads validating at once were measured slower than one.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo::model {

/// A phone number normalised to E.164.
struct PhoneParse {
  /// "+" followed by the country code and national number, digits only, at
  /// most 15 digits (ITU-T E.164), e.g. "+14155550123".
  std::string e164;
  /// The extension written after the number ("x718", "ext. 12", ";ext=5"),
  /// digits only, or "" if none. Extensions are not part of E.164.
  std::string extension;
};

/// Normalises `text` to E.164.
///
/// `region` is the ISO 3166-1 alpha-2 code (case-insensitive, e.g. "US") used
/// for numbers written without a country code ("(415) 555-0123"); numbers
/// written as "+<country code>…" or with the region's international prefix
/// ("011 44 …" from the US) ignore it. A number that starts with "00" and is
/// not valid as written is read once more as "+…" (00 is the international
/// prefix the ITU recommends and most countries use; lists made in Europe,
/// and by faker, write "001-…" for North American numbers).
///
/// Accepts what people write: spaces, dots, dashes, parentheses, a leading
/// "+", letters on vanity numbers (1-800-FLOWERS) and an extension.
///
/// Errors (ErrorCode::invalid_argument, the reason is the message, no field):
///  - "missing phone": empty or only spaces;
///  - "not a phone number": no digits to speak of (e.g. "n/a", "call me");
///  - "invalid country code": "+999 …" or an unknown country code;
///  - "no country code and no valid default region": national number with an
///    unknown or empty `region`;
///  - "invalid number: too short" / "invalid number: too long": the digit count
///    cannot be a number of that country (libphonenumber's possible lengths);
///  - "invalid number: wrong length for region XX": a length between valid ones;
///  - "invalid number: local number without area code";
///  - "not a valid number for region XX": the length is possible but the
///    number is not assigned in the numbering plan (e.g. US area code 041).
///    XX is the main region of the number's country code.
///
/// Cost: ~3 µs for a common North American number, up to ~30 µs for other
/// input (see PhoneNormalizer, which loops should use).
Result<PhoneParse> normalize_phone(std::string_view text, std::string_view region);

/// normalize_phone() with the region looked up once, for loops over many
/// numbers (contact import). Immutable after construction, so one instance may
/// be shared by several threads.
///
/// Speed: libphonenumber (as packaged by Debian, on ICU regular expressions)
/// takes ~10 µs to Parse() and ~3–10 µs to validate a number. For the shape
/// most lists have — a North American number of 10 digits (or 1 + 10, or
/// +1 + 10) written with spaces, dots, dashes or parentheses and an optional
/// "x123"/"ext. 123" extension, with a NANP default region or "+1" — the digits
/// are picked out here and only libphonenumber's IsValidNumberForRegion() is
/// asked (~3 µs; IsValidNumber() when that says no, ~10–20 µs). Every other
/// input takes the full normalize_phone() path. Results and error messages
/// are the same either way (tests/unit/phone_test.cpp compares both).
class PhoneNormalizer {
 public:
  explicit PhoneNormalizer(std::string_view region);

  /// Same contract as normalize_phone(text, region).
  Result<PhoneParse> operator()(std::string_view text) const;

  /// The upper-cased region given to the constructor.
  const std::string& region() const { return region_; }
  /// False when the region is not one libphonenumber knows (see is_valid_region).
  bool region_ok() const { return region_ok_; }

  /// The full libphonenumber path alone (no fast path); for tests and benchmarks.
  Result<PhoneParse> normalize_slow(std::string_view text) const;

 private:
  std::string region_;
  bool region_ok_ = false;
  bool nanp_ = false;  ///< the region's country code is +1 (North American Numbering Plan)
};

/// True when `region` is an ISO 3166-1 alpha-2 code that libphonenumber has
/// numbering-plan metadata for (case-insensitive; "US", "gb"). "001" (non-
/// geographic entities) and "ZZ" (unknown) are not regions.
bool is_valid_region(std::string_view region);

/// A transfer target as SIP REFER takes it (RFC 3515): a sip:/sips: URI as
/// is (RFC 3261 §25.1 SIP-URI, loosely: [user@]host[:port][;params]), or a
/// phone number normalised to E.164 with `region`. Used for supervisors'
/// transfers and a campaign's transferNumber. Errors: invalid_argument with
/// field "target".
Result<std::string> transfer_target(const std::string& target, std::string_view region);

}  // namespace voqo::model
