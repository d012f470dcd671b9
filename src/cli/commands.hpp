#pragma once
/// Subcommands that live in their own files (main.cpp wires them).
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace voqo::cli {

/// A registered subcommand: `command` is CLI11's node (true once parsed),
/// `run` executes it and returns the process exit status.
struct Subcommand {
  CLI::App* command = nullptr;
  std::function<int()> run;
};

/// `voqo callee-sim`: a SIP callee with personas (src/sim/), for demos and load tests.
Subcommand add_callee_sim_command(CLI::App& app);

/// `voqo analytics rebuild [--campaign ID]`: recomputes the metrics by
/// period (store::AnalyticsRepository::rebuild) on the database at
/// `db_path` (the global --db, or its own). Exit 0, 1 on an error (an
/// unknown campaign included).
Subcommand add_analytics_command(CLI::App& app, std::string& db_path);

}  // namespace voqo::cli
