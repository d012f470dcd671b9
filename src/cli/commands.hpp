#pragma once
/// Subcommands that live in their own files (main.cpp wires them).
#include <functional>

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

}  // namespace voqo::cli
