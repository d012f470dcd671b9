#pragma once
/// Logging: spdlog to stderr, level from VOQO_LOG_LEVEL or the CLI.
#include <spdlog/spdlog.h>

#include <string_view>

namespace voqo {
/// Sets the global level ("trace".."off"); unknown names keep "info".
void set_log_level(std::string_view level);
}  // namespace voqo
