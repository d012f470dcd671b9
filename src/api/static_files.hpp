#pragma once
/// The dashboard's static files (web/, built by Vite into web/dist), served by
/// `voqo serve` at `/` beside the API. A single-page app: a GET for a path
/// that is not a file and has no extension (a client-side route such as
/// /live/c3k…) is answered with index.html, so deep links and reloads work.
#include <filesystem>
#include <optional>
#include <string>

#include "api/router.hpp"

namespace voqo::api {

/// Where the built dashboard is, first match wins: `explicit_root` (the
/// `--web-root` flag) when non-empty; $VOQO_WEB_ROOT; `<exe dir>/../share/voqo/web`
/// (an installed voqo); `<exe dir>/web`; the source tree's `web/dist` (a
/// developer build, path fixed at compile time). A candidate counts when it
/// holds index.html. nullopt: none found (the server then answers `/` with a
/// page saying how to build the dashboard).
std::optional<std::filesystem::path> find_web_root(const std::filesystem::path& explicit_root);

/// A GET/HEAD handler for Router::set_fallback serving files under `root`
/// (nullopt = not built). Rules:
/// - the decoded path is resolved inside `root` (the HTTP layer already
///   refuses `..` segments and NUL; symlinks leaving `root` are refused, 404);
/// - Content-Type by extension (html, js, mjs, css, json, map, svg, png, ico,
///   wav, woff2, txt; else application/octet-stream) and
///   `X-Content-Type-Options: nosniff` (a stray file is never sniffed as HTML);
/// - `/assets/*` (Vite's content-hashed names) get
///   `Cache-Control: public, max-age=31536000, immutable`; everything else,
///   index.html included, `no-cache` (revalidated, so a new build shows at once);
/// - index.html carries a Content-Security-Policy allowing only this origin
///   (scripts, styles, WebSocket, media from blob: for recorded previews);
/// - a path without an extension that is not a file → index.html (200);
///   a missing file with an extension → 404 problem+json.
Handler static_site(std::optional<std::filesystem::path> root);

}  // namespace voqo::api
