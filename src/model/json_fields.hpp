#pragma once
/// Internal to model/: reads and writes typed members from and to a JSON
/// object by camelCase name, for the typed records (agent_config.cpp,
/// settings_snapshot.cpp). A record names each field once in a visitor
/// `fields(record, f)` that calls `f("jsonName", member)`; JsonFieldReader and
/// JsonFieldWriter are the two `f`s.
///
/// Reading rules: an absent member, or null in a member that is not
/// std::optional, leaves the member as it was (the record's defaults, taken
/// from the EntitySpec); null in an optional member empties it; a member of
/// the wrong JSON type is an error naming `prefix + name`, and every such
/// member is reported, not only the first.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace voqo::model {

class JsonFieldReader {
 public:
  /// `object` must outlive the reader; `prefix` is put before each field name
  /// in errors ("llm." → "llm.baseUrl"); `what` names the record in the message.
  JsonFieldReader(const nlohmann::json& object, std::string prefix, std::string what)
      : object_(object), prefix_(std::move(prefix)), what_(std::move(what)) {}

  void operator()(std::string_view name, std::string& v) {
    if (auto* j = present(name); j && check(name, *j, j->is_string(), "a string")) v = j->get<std::string>();
  }
  void operator()(std::string_view name, std::optional<std::string>& v) {
    if (null_clears(name, v)) return;
    if (auto* j = present(name); j && check(name, *j, j->is_string(), "a string")) v = j->get<std::string>();
  }
  void operator()(std::string_view name, bool& v) {
    if (auto* j = present(name); j && check(name, *j, j->is_boolean(), "true or false")) v = j->get<bool>();
  }
  void operator()(std::string_view name, int& v) {
    if (auto* j = present(name); j && check(name, *j, j->is_number_integer(), "an integer")) v = j->get<int>();
  }
  void operator()(std::string_view name, std::optional<int>& v) {
    if (null_clears(name, v)) return;
    if (auto* j = present(name); j && check(name, *j, j->is_number_integer(), "an integer")) v = j->get<int>();
  }
  void operator()(std::string_view name, int64_t& v) {
    if (auto* j = present(name); j && check(name, *j, j->is_number_integer(), "an integer")) v = j->get<int64_t>();
  }
  void operator()(std::string_view name, double& v) {
    if (auto* j = present(name); j && check(name, *j, j->is_number(), "a number")) v = j->get<double>();
  }
  void operator()(std::string_view name, std::optional<double>& v) {
    if (null_clears(name, v)) return;
    if (auto* j = present(name); j && check(name, *j, j->is_number(), "a number")) v = j->get<double>();
  }
  /// A JSON object member (headers, a JSON Schema, a mapping): kept as JSON.
  void operator()(std::string_view name, nlohmann::json& v) {
    if (auto* j = present(name); j && check(name, *j, j->is_object(), "an object")) v = *j;
  }
  void operator()(std::string_view name, std::vector<std::string>& v) {
    auto* j = present(name);
    if (!j) return;
    bool ok = j->is_array();
    if (ok)
      for (const auto& e : *j) ok = ok && e.is_string();
    if (check(name, *j, ok, "an array of strings")) v = j->get<std::vector<std::string>>();
  }
  void operator()(std::string_view name, std::map<std::string, std::string>& v) {
    auto* j = present(name);
    if (!j) return;
    bool ok = j->is_object();
    if (ok)
      for (const auto& [k, e] : j->items()) ok = ok && e.is_string();
    if (check(name, *j, ok, "an object of strings")) v = j->get<std::map<std::string, std::string>>();
  }

  /// Adds the errors another reader found (a nested object's).
  void absorb(const JsonFieldReader& inner) { errors_.insert(errors_.end(), inner.errors_.begin(), inner.errors_.end()); }
  /// Records that member `name` should be an object and is not.
  void not_an_object(std::string_view name, const nlohmann::json& j) { check(name, j, false, "an object"); }

  /// invalid_argument listing every member of the wrong type, or nothing.
  [[nodiscard]] std::optional<Error> error() const {
    if (errors_.empty()) return std::nullopt;
    std::string message = what_ + ":";
    for (const auto& e : errors_) message += " " + e.field + " " + e.message + ";";
    message.pop_back();
    return Error{ErrorCode::invalid_argument, std::move(message), errors_};
  }

  /// The member `name`, or null when absent or null.
  [[nodiscard]] const nlohmann::json* present(std::string_view name) const {
    auto it = object_.find(name);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  [[nodiscard]] const std::string& prefix() const { return prefix_; }

 private:
  template <class T>
  bool null_clears(std::string_view name, std::optional<T>& v) const {
    auto it = object_.find(name);
    if (it == object_.end() || !it->is_null()) return false;
    v.reset();
    return true;
  }
  bool check(std::string_view name, const nlohmann::json& j, bool ok, std::string_view expected) {
    if (!ok)
      errors_.push_back({prefix_ + std::string(name), "must be " + std::string(expected) + ", not " + std::string(j.type_name())});
    return ok;
  }

  const nlohmann::json& object_;
  std::string prefix_, what_;
  std::vector<FieldError> errors_;
};

/// Writes each member under its name; an empty optional is null.
struct JsonFieldWriter {
  nlohmann::json out = nlohmann::json::object();
  template <class T>
  void operator()(std::string_view name, const std::optional<T>& v) {
    out[std::string(name)] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  }
  template <class T>
  void operator()(std::string_view name, const T& v) {
    out[std::string(name)] = v;
  }
};

}  // namespace voqo::model
