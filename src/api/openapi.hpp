#pragma once
/// The OpenAPI 3.1 document served at /api/openapi.json. Component schemas
/// are generated from the model's EntitySpecs (so they cannot drift from
/// validation and storage); each operation is described in openapi.cpp's
/// table. A route registered without a description is listed with a
/// "x-undocumented": true marker, which the OpenAPI test rejects.
#include <nlohmann/json.hpp>

#include "api/router.hpp"
#include "model/schema.hpp"

namespace voqo::api {

/// The whole document for the routes of `router` that are documented.
nlohmann::json openapi_document(const Router& router);

/// JSON Schema (2020-12, as OpenAPI 3.1 uses) of an entity as returned
/// (`output`), or as accepted on create / update.
enum class SchemaUse { output, create, update };
nlohmann::json entity_schema(const model::EntitySpec& spec, SchemaUse use);

}  // namespace voqo::api
