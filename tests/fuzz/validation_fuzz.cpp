// Request validation (src/model/validation.hpp) on any request body, the way
// the API takes one: the body text goes through core::parse_json (depth
// limit), then validate_input against an entity's spec.
// Input: a first line naming the table and the mode ("agents",
// "contacts update", "contacts create GB"), then the body text. An unknown
// table picks a spec by the line's bytes, so every spec is reached.
// Properties: on success every value belongs to a field of the spec, in spec
// order, once; on failure the error is bad_request or invalid_argument.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_parse.hpp"
#include "fuzz_check.hpp"
#include "model/schema.hpp"
#include "model/validation.hpp"

using namespace voqo;
using namespace voqo::model;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view head = input.substr(0, nl == std::string_view::npos ? input.size() : nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  const auto specs = all_specs();
  const std::string_view table = head.substr(0, head.find(' '));
  const EntitySpec* spec = nullptr;
  for (const EntitySpec* s : specs)
    if (s->table == table) spec = s;
  if (!spec) {
    size_t h = 0;
    for (char c : head) h = h * 31 + static_cast<unsigned char>(c);
    spec = specs[h % specs.size()];
  }
  const Mode mode = head.find(" update") != std::string_view::npos ? Mode::update : Mode::create;
  ValidationContext context;
  if (head.size() >= 3 && head[head.size() - 3] == ' ') context.default_region = std::string(head.substr(head.size() - 2));

  auto json = parse_json(body);
  if (!json) {
    FUZZ_CHECK(json.error().code == ErrorCode::bad_request);
    return 0;
  }
  auto values = validate_input(*spec, *json, mode, context);
  if (!values) {
    FUZZ_CHECK(values.error().code == ErrorCode::bad_request || values.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  FUZZ_CHECK(json->is_object());
  const FieldSpec* previous = nullptr;
  for (const ColumnValue& v : *values) {
    FUZZ_CHECK(v.field >= spec->fields.data() && v.field < spec->fields.data() + spec->fields.size());
    FUZZ_CHECK(previous == nullptr || v.field > previous);
    previous = v.field;
  }
  (void)is_http_url(body);
  return 0;
}
