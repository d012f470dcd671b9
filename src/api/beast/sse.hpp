#pragma once
/// Internal to api/beast/: the Server-Sent Events endpoint (WHATWG HTML
/// §9.2), /api/realtime/events, a Session hands its socket to.
#include <memory>
#include <string>

#include <boost/beast/core/tcp_stream.hpp>

#include "api/beast/server_state.hpp"

namespace voqo::api {
struct Principal;
}

namespace voqo::api::transport {

/// Writes the 200 text/event-stream header on `stream`, then streams the
/// hub messages of one subscription (`subscribe`: the hub protocol's
/// subscribe message, already checked) as `id:`/`event:`/`data:` events until
/// the client goes away, an error event ends it, or `principal` stops being
/// valid. Comment lines keep idle streams alive (RealtimeOptions::sse_heartbeat).
void start_sse_stream(ServerState& srv, beast::tcp_stream&& stream, std::shared_ptr<const Principal> principal,
                      std::string subscribe);

}  // namespace voqo::api::transport
