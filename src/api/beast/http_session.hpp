#pragma once
/// Internal to api/beast/: one HTTP/1.1 connection (Boost.Beast) — requests
/// read one after another (keep-alive), each run on its route's lane, the
/// response written back on the connection's strand; realtime paths handed
/// to the WebSocket or SSE transports. HttpServer (api/http_server.hpp) says
/// what a client sees.
#include <boost/asio/ip/tcp.hpp>

#include "api/beast/server_state.hpp"

namespace voqo::api::transport {

/// Serves the accepted `socket` until it closes; registers with `srv` for stop().
void start_http_session(ServerState& srv, tcp::socket&& socket);

/// Whether the server answers to `host` (a Host header): an IP literal or
/// localhost (DNS rebinding needs a name that resolves to us), or a name in
/// `allowed` ("*" = any). The port is ignored.
bool host_allowed(std::string_view host, const std::vector<std::string>& allowed);

}  // namespace voqo::api::transport
