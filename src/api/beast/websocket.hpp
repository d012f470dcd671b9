#pragma once
/// Internal to api/beast/: the WebSocket endpoints (RFC 6455) a Session
/// upgrades to — the realtime protocol (docs/REALTIME.md) and a supervisor's
/// audio leg. See RealtimeOptions (api/http_server.hpp) for what they carry.
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include "api/beast/server_state.hpp"

namespace voqo::calls {
class SupervisorAudio;
}

namespace voqo::api {
struct Principal;
}

namespace voqo::api::transport {

/// Completes the WebSocket handshake of `req` (an upgrade request already
/// admitted for `principal`) on `stream` and serves it until either side
/// closes: the realtime protocol when `audio` is null, else the audio leg
/// (binary 16-bit little-endian PCM at 16 kHz both ways). The connection
/// registers itself with `srv` for stop().
void start_websocket(ServerState& srv, beast::tcp_stream&& stream, boost::beast::http::request<boost::beast::http::empty_body>&& req,
                     std::shared_ptr<const Principal> principal, std::shared_ptr<calls::SupervisorAudio> audio);

}  // namespace voqo::api::transport
