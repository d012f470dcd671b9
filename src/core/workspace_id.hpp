#pragma once
/// The tenant's identity as a type of its own (issue 16: every customer row
/// carries its workspace and is reached only through it). Repositories take a
/// WorkspaceId as their first argument, so a query that forgets the tenant
/// does not compile, and an id string cannot be passed where a workspace is
/// meant.
#include <string>
#include <string_view>
#include <utility>

namespace voqo {

struct WorkspaceId {
  std::string value;  ///< workspaces.id (cuid2-style); never empty once resolved

  WorkspaceId() = default;
  explicit WorkspaceId(std::string id) : value(std::move(id)) {}
  [[nodiscard]] bool empty() const { return value.empty(); }
  [[nodiscard]] const std::string& str() const { return value; }
  friend bool operator==(const WorkspaceId&, const WorkspaceId&) = default;
};

}  // namespace voqo
