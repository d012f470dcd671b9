#include "api/static_files.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "api/problem.hpp"

#ifndef VOQO_SOURCE_WEB_DIST
#define VOQO_SOURCE_WEB_DIST ""
#endif

namespace voqo::api {

namespace fs = std::filesystem;

namespace {

bool has_index(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "index.html", ec);
}

fs::path exe_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{} : p.parent_path();
}

std::string content_type_for(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<std::string> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

/// Same origin only; 'unsafe-inline' styles because React sets style
/// attributes (meters, progress bars); blob: media for TTS previews.
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'";

constexpr const char* kNotBuilt =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>voqo</title></head><body>"
    "<h1>voqo</h1><p>The API is at <a href=\"/api/openapi.json\">/api</a>. The dashboard has not been built: "
    "run <code>scripts/build-web</code> (or <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>), "
    "or start voqo with <code>--web-root DIR</code>.</p></body></html>";

}  // namespace

std::optional<fs::path> find_web_root(const fs::path& explicit_root) {
  if (!explicit_root.empty()) return has_index(explicit_root) ? std::optional{explicit_root} : std::nullopt;
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("VOQO_WEB_ROOT"); env && *env) candidates.emplace_back(env);
  if (auto dir = exe_dir(); !dir.empty()) {
    candidates.push_back(dir / ".." / "share" / "voqo" / "web");
    candidates.push_back(dir / "web");
  }
  if (*VOQO_SOURCE_WEB_DIST) candidates.emplace_back(VOQO_SOURCE_WEB_DIST);
  for (auto& c : candidates) {
    if (has_index(c)) {
      std::error_code ec;
      auto canon = fs::canonical(c, ec);
      return ec ? c : canon;
    }
  }
  return std::nullopt;
}

Handler static_site(std::optional<fs::path> root) {
  if (root) {
    std::error_code ec;
    if (auto canon = fs::canonical(*root, ec); !ec) root = canon;
  }
  return [root](HttpRequest& req) -> HttpResponse {
    if (!root) return HttpResponse{200, "text/html; charset=utf-8", kNotBuilt, {{"Cache-Control", "no-cache"}}};
    std::string rel = req.path;
    while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
    fs::path file = rel.empty() ? *root / "index.html" : *root / fs::path(rel);
    std::error_code ec;
    bool is_file = fs::is_regular_file(file, ec);
    if (is_file) {
      // A symlink may point outside the root: only serve what resolves inside it.
      auto canon = fs::weakly_canonical(file, ec);
      const auto r = root->string() + "/";
      if (ec || !canon.string().starts_with(r)) is_file = false;
    }
    if (!is_file) {
      if (fs::path(rel).has_extension())
        return problem(404, "Not Found", "no such file: /" + rel, {}, req.target);
      file = *root / "index.html";  // a client-side route
    }
    auto body = read_all(file);
    if (!body) return problem(404, "Not Found", "cannot read /" + rel, {}, req.target);
    HttpResponse res{200, content_type_for(file), std::move(*body), {{"X-Content-Type-Options", "nosniff"}}};
    const bool hashed = rel.starts_with("assets/") && file.filename() != "index.html";
    res.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    if (file.extension() == ".html") {
      res.headers.emplace_back("Content-Security-Policy", kCsp);
      res.headers.emplace_back("Referrer-Policy", "same-origin");
    }
    return res;
  };
}

}  // namespace voqo::api
