#pragma once
/// Sample data for `voqo demo`: an agent from the property_sales template and
/// a campaign with the contact list shipped in examples/demo-contacts.csv.
/// Inserted through the repositories (the same validation as the API); an
/// existing agent or campaign of the same name is reused, so the demo can run
/// again on the same database (contacts then have memories from the last run,
/// and anyone who said "stop calling me" is skipped).
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/store.hpp"

namespace voqo::cli {

struct DemoData {
  std::string agent_id, agent_name, campaign_id, upload_id;
  int imported = 0, rejected = 0;  ///< of the upload created now (0 when reused)
  std::string rejections;          ///< "line N: reason" lines
};

/// The examples folder: $VOQO_EXAMPLES_DIR, ./examples, or the source tree's.
std::filesystem::path examples_dir();

/// Creates (or finds) the demo agent and campaign and imports `csv` once.
Result<DemoData> seed_demo_data(store::Store& store, const WorkspaceId& ws, const std::filesystem::path& csv);

}  // namespace voqo::cli
