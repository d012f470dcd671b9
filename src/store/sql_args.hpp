#pragma once
/// Statement helpers for store/*.cpp (internal to store/): bind a list of
/// values of mixed types to ?1..?n, run a statement, walk its rows. Values
/// are bound, never spliced into SQL text.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "store/database.hpp"

namespace voqo::store::sql {

/// One bound value: NULL, text, integer or real.
using Arg = std::variant<std::nullptr_t, std::string, int64_t, double>;

/// Binds `args` to parameters 1..n of `st`.
inline void bind_args(Statement& st, const std::vector<Arg>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const int at = static_cast<int>(i + 1);
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::nullptr_t>) st.bind_null(at);
          else if constexpr (std::is_same_v<V, std::string>) st.bind_text(at, v);
          else if constexpr (std::is_same_v<V, int64_t>) st.bind_int(at, v);
          else st.bind_double(at, v);
        },
        args[i]);
  }
}

/// Runs a statement that returns no rows; returns the rows it changed.
inline Result<int64_t> run(Connection& c, std::string_view query, const std::vector<Arg>& args) {
  auto st = c.prepare(query);
  if (!st) return std::unexpected(st.error());
  bind_args(**st, args);
  if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  return c.changes();
}

/// Calls `row` for each row of a query.
inline Result<void> each(Connection& c, std::string_view query, const std::vector<Arg>& args,
                         const std::function<void(const Statement&)>& row) {
  auto st = c.prepare(query);
  if (!st) return std::unexpected(st.error());
  bind_args(**st, args);
  for (;;) {
    auto r = (*st)->step();
    if (!r) return std::unexpected(r.error());
    if (!*r) return {};
    row(**st);
  }
}

/// The first column of each row, as text ("" for NULL).
inline Result<std::vector<std::string>> texts(Connection& c, std::string_view query, const std::vector<Arg>& args) {
  std::vector<std::string> out;
  auto r = each(c, query, args, [&](const Statement& s) {
    out.emplace_back(s.is_null(0) ? std::string_view() : s.column_text(0));
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace voqo::store::sql
