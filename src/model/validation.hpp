#pragma once
/// Request validation driven by EntitySpecs: the API and the importer give
/// the same errors (issue 2, "Validation"). Every offending field is
/// reported, each with a message a person can act on.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/schema.hpp"

namespace voqo::model {

/// A column value ready to bind: NULL, integer, real or text (JSON columns
/// hold their serialized text).
using Value = std::variant<std::monostate, int64_t, double, std::string>;

struct ColumnValue {
  const FieldSpec* field;
  Value value;
};

enum class Mode {
  create,  ///< required fields must be present
  update,  ///< partial update (PATCH, RFC 7396 semantics for top-level fields)
};

struct ValidationContext {
  /// Region for phone numbers written without a country code (setting `default_region`).
  std::string default_region = "US";
};

/// Checks `body` (must be a JSON object) against `spec`: unknown, read-only
/// and immutable fields, types, null, lengths (in Unicode code points),
/// ranges, enumerations and formats. On success returns the column values in
/// spec order (phones normalised to E.164). On failure returns one Error of
/// code invalid_argument (or bad_request when the body is not an object)
/// listing every offending field by its camelCase name.
Result<std::vector<ColumnValue>> validate_input(const EntitySpec& spec, const nlohmann::json& body, Mode mode,
                                                const ValidationContext& context = {});

/// Checks one value for one field (the same rules as validate_input).
/// Returns the value to store or an error message for that field.
std::expected<Value, std::string> validate_field(const FieldSpec& field, const nlohmann::json& value,
                                                 const ValidationContext& context);

/// True when `url` is an absolute http or https URL with a host (RFC 3986).
bool is_http_url(std::string_view url);

}  // namespace voqo::model
