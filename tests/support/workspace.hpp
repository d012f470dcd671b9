#pragma once
/// The Default workspace of a test's store: where rows written without a
/// tenant of their own go (every repository takes a workspace, issue 16).
#include <stdexcept>

#include "core/workspace_id.hpp"
#include "store/store.hpp"

namespace voqo::test {

inline WorkspaceId default_workspace(store::Store& st) {
  auto ws = st.access().default_workspace();
  if (!ws) throw std::runtime_error("no Default workspace: " + ws.error().message);
  return *ws;
}

}  // namespace voqo::test
