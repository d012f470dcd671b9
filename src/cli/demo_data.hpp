#pragma once
/// Sample data for `voqo demo`: an agent, a campaign with an uploaded
/// contact list, contacts with memories. Inserted through the repositories
/// (so it passes the same validation as the API), only into an empty store.
#include "core/error.hpp"
#include "store/store.hpp"

namespace voqo::cli {

/// Seeds `store` when it has no agents. Returns true when it seeded.
Result<bool> seed_demo_data(store::Store& store);

}  // namespace voqo::cli
