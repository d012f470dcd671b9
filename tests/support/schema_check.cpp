#include "support/schema_check.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace voqo::test {

std::string schema_errors(const nlohmann::json& doc, const nlohmann::json& schema, const nlohmann::json& instance) {
  nlohmann::json root = schema;
  root["components"] = doc["components"];
  valijson::Schema compiled;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(root);
  parser.populateSchema(schema_adapter, compiled);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(instance);
  if (validator.validate(compiled, target, &results)) return {};
  std::string errors;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string where;
    for (const auto& p : e.context) where += p;
    errors += where + ": " + e.description + "\n";
  }
  return errors.empty() ? "invalid" : errors;
}

}  // namespace voqo::test
