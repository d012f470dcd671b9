// REST API throughput (issue 2 target: GET /api/contacts?limit=100 at
// ≥ 20,000 requests/s under wrk on loopback). Builds a store with N contacts
// (default 10,000) in a temporary SQLite file, serves the real RestApi on a
// free loopback port and runs wrk against it: first the page of 100
// contacts (and, with VOQO_BENCH_SMALL=1, a page of 10), then a single agent.
// Prints wrk's figures and the server's RSS; the page of 100 runs twice, on
// the same handlers without authentication and with an API key, so the cost
// of authentication is the difference (issue 16 target: ≤ 5%).
//
// Usage: bench_api [contacts] [seconds] [threads] [wrk connections]
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>

#include "access/api_key.hpp"
#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/http_server.hpp"
#include "store/store.hpp"

namespace {

long rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

/// wrk against `url`, every request with `key` (Authorization: Bearer), as an API client sends it.
void run_wrk(const std::string& url, const std::string& key, int seconds, int connections) {
  const std::string cmd = "wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) +
                          "s --latency -H 'Authorization: Bearer " + key + "' '" + url + "' 2>&1 | grep -E 'Requests/sec|Latency|50%|99%|Transfer|requests in|Non-2xx'";
  std::printf("$ wrk -t1 -c%d -d%ds %s\n", connections, seconds, url.c_str());
  std::fflush(stdout);
  if (std::system(cmd.c_str()) != 0) std::printf("(wrk failed or is not installed: scripts/setup installs it)\n");
}

}  // namespace

int main(int argc, char** argv) {
  const int contacts = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 0;
  const int connections = argc > 4 ? std::atoi(argv[4]) : 32;
  spdlog::set_level(spdlog::level::warn);

  const auto dir = std::filesystem::temp_directory_path() / ("voqo_api_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto st = voqo::store::Store::open(dir / "voqo.db");
    if (!st) {
      std::fprintf(stderr, "store: %s\n", st.error().message.c_str());
      return 1;
    }
    auto& store = **st;
    // Every request is authenticated (issue 16): an admin key of the Default
    // workspace, created as `voqo key create` does, so the figures include
    // the key check the server does on each request.
    auto ws_found = store.access().default_workspace();
    if (!ws_found) {
      std::fprintf(stderr, "workspace: %s\n", ws_found.error().message.c_str());
      return 1;
    }
    const voqo::WorkspaceId ws = *ws_found;
    const auto key = voqo::access::generate_api_key();
    if (auto rec = store.access().create_api_key(ws, "bench", key.prefix, key.hash, {"admin"}, std::nullopt, std::nullopt,
                                                 "cli");
        !rec) {
      std::fprintf(stderr, "api key: %s\n", rec.error().message.c_str());
      return 1;
    }
    voqo::api::Authenticator auth(store, {});
    auto seeded = store.db().write([&](voqo::store::Connection&) -> voqo::Result<void> {
      for (int i = 0; i < contacts; ++i) {
        char phone[16];
        std::snprintf(phone, sizeof phone, "+1415%07d", 2000000 + i);
        auto c = store.contacts().create(ws, {{"name", "Contact " + std::to_string(i)},
                                          {"phone", phone},
                                          {"notes", "Seeded by bench_api"},
                                          {"tags", {"bench", "lead"}}});
        if (!c) return std::unexpected(c.error());
      }
      return {};
    });
    if (!seeded) {
      std::fprintf(stderr, "seed: %s\n", seeded.error().message.c_str());
      return 1;
    }
    auto agent = store.agents().create(ws, {{"name", "Bench"}, {"systemPrompt", "You are a benchmark agent."}});

    voqo::api::Router router;
    voqo::api::ApiConfig api_config;
    api_config.auth = &auth;
    voqo::api::RestApi api(router, store, std::move(api_config));
    voqo::api::ServerConfig config;
    config.port = 0;
    config.io_threads = threads;
    config.worker_threads = threads;
    voqo::api::HttpServer server(config, router);
    server.start();
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    std::printf("%d contacts; server threads: %s; cores: %ld\n", contacts,
                threads ? std::to_string(threads).c_str() : "cores", sysconf(_SC_NPROCESSORS_ONLN));
    // The same routes without authentication (issue 16's figure: what the key
    // check costs): each handler runs with the key's principal already set, so
    // the only difference is admit() — the key's checksum, SHA-256, lookup and
    // the workspace's limits.
    voqo::api::Router open_router;
    {
      voqo::api::HttpRequest probe;
      probe.method = "GET";
      probe.path = "/api/agents";
      probe.headers = {{"authorization", "Bearer " + key.secret}};
      auto principal = auth.authenticate(probe, false);
      if (!principal) {
        std::fprintf(stderr, "principal: %s\n", principal.error().message.c_str());
        return 1;
      }
      for (const auto& r : router.routes()) {
        voqo::api::RouteOptions options = r.options;
        options.authorize = {};
        open_router.add(r.method, r.pattern,
                        [h = r.handler, p = *principal](voqo::api::HttpRequest& req) {
                          req.principal = p;
                          return h(req);
                        },
                        options);
      }
    }
    voqo::api::HttpServer open_server(config, open_router);
    open_server.start();
    const std::string open_base = "http://127.0.0.1:" + std::to_string(open_server.port());
    std::printf("-- without authentication (the same handlers):\n");
    run_wrk(open_base + "/api/contacts?limit=100", key.secret, seconds, connections);
    open_server.stop();
    std::printf("-- with the API key (every request authenticated):\n");
    run_wrk(base + "/api/contacts?limit=100", key.secret, seconds, connections);
    if (const char* small = std::getenv("VOQO_BENCH_SMALL"); small && *small) run_wrk(base + "/api/contacts?limit=10", key.secret, seconds, connections);
    run_wrk(base + "/api/agents/" + (*agent)["id"].get<std::string>(), key.secret, seconds, connections);
    std::printf("server peak RSS: %ld MB\n", rss_mb());
    server.stop();
  }
  std::filesystem::remove_all(dir);
  return 0;
}
