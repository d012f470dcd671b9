#pragma once
/// `voqo demo` (issue 4 §8): the main job on the embedded defaults.
#include <cstdint>
#include <string>

#include "api/http_server.hpp"

namespace voqo::cli {

struct DemoOptions {
  std::string self;               ///< path of this voqo binary (starts `voqo callee-sim`)
  std::string db = "./voqo.db";
  api::ServerConfig server;       ///< HTTP API: address, port (0 = any free port), threads, upload limit
  std::string api_key;
  std::string web_root;           ///< the dashboard's files ("" = api::find_web_root's search)
  uint16_t sip_port = 0;          ///< our SIP port on loopback (0 = any free port)
  std::string recordings;         ///< default: recordings/ beside the database
  bool exit_after = false;        ///< --exit: stop after the report
  bool json = false;              ///< --json: the report as JSON on stdout
  std::string callee = "sim";     ///< sim | baresip
  std::string voices;             ///< --voices DIR for baresip callees
  int concurrency = 4;            ///< calls at once
};

/// Runs the demo; returns the exit status (0 when the campaign settled).
int run_demo(const DemoOptions& options);

}  // namespace voqo::cli
