// HTTP server throughput: serves a ~10 KB JSON document on 127.0.0.1 (a free
// port) and, when `wrk` is on PATH, runs `wrk -t1 -c32 -d5s URL` against it
// and prints its Requests/sec line. Without wrk it just serves for N seconds
// (first argument, default 30) so that another tool can be pointed at it.
//
// Usage: bench_http [seconds] [io_threads] [worker_threads]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/http_server.hpp"

namespace {

std::string ten_kb_json() {
  nlohmann::json agents = nlohmann::json::array();
  for (int i = 0; agents.dump().size() < 10 * 1024; ++i) {
    agents.push_back({{"id", "c" + std::to_string(100000 + i) + "abcdefghijklmnop"},
                      {"name", "Agent " + std::to_string(i)},
                      {"voice", "slt"},
                      {"language", "en-US"},
                      {"createdAt", "2025-01-01T00:00:00Z"}});
  }
  return nlohmann::json{{"data", agents}, {"total", agents.size()}}.dump();
}

bool have_wrk() { return std::system("command -v wrk >/dev/null 2>&1") == 0; }

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 30;
  voqo::api::ServerConfig config;
  config.port = 0;
  if (argc > 2) config.io_threads = static_cast<unsigned>(std::atoi(argv[2]));
  if (argc > 3) config.worker_threads = static_cast<unsigned>(std::atoi(argv[3]));
  spdlog::set_level(spdlog::level::warn);

  const std::string body = ten_kb_json();
  voqo::api::Router router;
  router.add("GET", "/api/agents", [&body](voqo::api::HttpRequest&) {
    return voqo::api::HttpResponse::json(200, body);
  });
  router.add("GET", "/ping", [](voqo::api::HttpRequest&) {
    return voqo::api::HttpResponse::json(200, R"({"ok":true})");
  });

  voqo::api::HttpServer server(config, router);
  server.start();
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/agents";
  std::printf("serving %zu-byte JSON at %s\n", body.size(), url.c_str());
  std::fflush(stdout);

  if (have_wrk()) {
    for (const std::string& target : {url, "http://127.0.0.1:" + std::to_string(server.port()) + "/ping"}) {
      const std::string cmd = "wrk -t1 -c32 -d5s " + target + " 2>&1";
      std::printf("$ %s\n", cmd.c_str());
      std::fflush(stdout);
      FILE* p = ::popen(cmd.c_str(), "r");
      if (!p) {
        std::perror("popen");
        break;
      }
      char line[512];
      while (std::fgets(line, sizeof line, p)) {
        std::string l(line);
        if (l.find("Requests/sec") != std::string::npos || l.find("Transfer/sec") != std::string::npos ||
            l.find("Latency") != std::string::npos || l.find("requests in") != std::string::npos ||
            l.find("Non-2xx") != std::string::npos || l.find("errors") != std::string::npos) {
          std::fputs(line, stdout);
        }
      }
      ::pclose(p);
    }
  } else {
    std::printf("wrk not found; serving for %d s\n", seconds);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  }
  server.stop();
  return 0;
}
