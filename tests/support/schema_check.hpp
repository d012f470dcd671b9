#pragma once
/// JSON Schema checks of API responses against /api/openapi.json (valijson,
/// draft 7 — the subset OpenAPI 3.1 documents use here).
#include <string>

#include <nlohmann/json.hpp>

namespace voqo::test {

/// Validates `instance` against `schema`, which may $ref into the OpenAPI
/// document `doc`'s components. "" when valid, else one line per error
/// ("<where>: <what>").
std::string schema_errors(const nlohmann::json& doc, const nlohmann::json& schema, const nlohmann::json& instance);

}  // namespace voqo::test
