#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace voqo::cli {

Subcommand add_callee_sim_command(CLI::App& app) {
  Subcommand s;
  s.command = app.add_subcommand("callee-sim", "A SIP callee with personas, for demos and load tests");
  s.run = [] { return 1; };
  return s;
}

}  // namespace voqo::cli
