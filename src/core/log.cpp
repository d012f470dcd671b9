#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace voqo {
void set_log_level(std::string_view level) {
  // spdlog's default logger writes to stdout, where `--json` reports and
  // CLI output go: move it to stderr once.
  static const bool on_stderr = [] {
    auto logger = spdlog::stderr_color_mt("voqo");
    spdlog::set_default_logger(std::move(logger));
    return true;
  }();
  (void)on_stderr;
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}
}  // namespace voqo
