// Realtime fan-out (issue 5): synthetic live calls publish to the Hub, which
// HttpServer carries over WebSocket to many subscribers on loopback.
// Latency = publish (a CLOCK_MONOTONIC timestamp inside the change) → the
// client has the whole frame. The clients run in a forked child process so
// that the server's CPU time is measured apart from theirs.
//
// Load: each call publishes a transcript change every 500 ms and audio levels
// every 200 ms (the live_calls gains), staggered; levels also go to the
// "liveCalls" list topic. Subscribers: `subs` on liveCall {id} (spread evenly
// over the calls) plus `list` on liveCalls (every call's levels).
//
// Usage: bench_realtime [calls=100] [subs=1000] [list=10] [seconds=10] [io_threads=0]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/http_server.hpp"
#include "realtime/hub.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace {

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

double cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Params {
  int calls = 100, subs = 1000, list = 10, seconds = 10, io_threads = 0;
  int warmup = 2;
};

/// What the client process reports back through the pipe.
struct ClientReport {
  int connected = 0;
  uint64_t messages = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  double cpu_s = 0;
  double window_s = 0;
  char error[128] = {};
};

struct Conn {
  explicit Conn(net::io_context& ioc) : ws(ioc) {}
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buf;
  bool snapshot = false;
};

ClientReport run_clients(uint16_t port, const Params& p, int ready_fd) {
  ClientReport rep;
  net::io_context ioc;
  std::vector<std::unique_ptr<Conn>> conns;
  const int total = p.subs + p.list;
  std::vector<int64_t> lat;
  lat.reserve(4'000'000);
  int snapshots = 0;
  bool measuring = false;
  uint64_t messages = 0;
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  for (int i = 0; i < total; ++i) {
    auto c = std::make_unique<Conn>(ioc);
    beast::error_code ec;
    c->ws.next_layer().connect(ep, ec);
    if (!ec) c->ws.handshake("127.0.0.1", "/api/realtime", ec);
    if (ec) {
      std::snprintf(rep.error, sizeof rep.error, "connection %d: %s", i, ec.message().c_str());
      break;
    }
    json sub = i < p.subs ? json{{"type", "subscribe"}, {"id", "s"}, {"query", "liveCall"},
                                 {"args", {{"id", "call-" + std::to_string(i % p.calls)}}}}
                          : json{{"type", "subscribe"}, {"id", "l"}, {"query", "liveCalls"}, {"args", json::object()}};
    c->ws.write(net::buffer(sub.dump()), ec);
    conns.push_back(std::move(c));
  }
  rep.connected = static_cast<int>(conns.size());
  std::function<void(Conn*)> read = [&](Conn* c) {
    c->ws.async_read(c->buf, [&, c](beast::error_code ec, std::size_t) {
      if (ec) return;
      const int64_t now = mono_ns();
      auto d = c->buf.data();
      std::string_view v(static_cast<const char*>(d.data()), d.size());
      if (!c->snapshot) {
        c->snapshot = true;
        if (++snapshots == rep.connected) {
          char r = 'R';
          (void)!::write(ready_fd, &r, 1);
        }
      } else if (measuring) {
        ++messages;
        if (auto pos = v.find("\"t\":"); pos != std::string_view::npos) {
          lat.push_back(now - std::strtoll(v.data() + pos + 4, nullptr, 10));
        }
      }
      c->buf.consume(c->buf.size());
      read(c);
    });
  };
  for (auto& c : conns) read(c.get());
  // Wait for every snapshot, then warm up, then measure.
  while (snapshots < rep.connected) ioc.run_for(std::chrono::milliseconds(100));
  ioc.run_for(std::chrono::seconds(p.warmup));
  const double cpu0 = cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  measuring = true;
  ioc.run_for(std::chrono::seconds(p.seconds));
  measuring = false;
  rep.window_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rep.cpu_s = cpu_s() - cpu0;
  rep.messages = messages;
  if (!lat.empty()) {
    std::sort(lat.begin(), lat.end());
    auto at = [&](double q) { return static_cast<double>(lat[static_cast<std::size_t>(q * (lat.size() - 1))]) / 1e6; };
    rep.p50_ms = at(0.50);
    rep.p90_ms = at(0.90);
    rep.p99_ms = at(0.99);
    rep.p999_ms = at(0.999);
    rep.max_ms = at(1.0);
  }
  return rep;
}

}  // namespace

int main(int argc, char** argv) {
  Params p;
  if (argc > 1) p.calls = std::max(1, std::atoi(argv[1]));
  if (argc > 2) p.subs = std::max(0, std::atoi(argv[2]));
  if (argc > 3) p.list = std::max(0, std::atoi(argv[3]));
  if (argc > 4) p.seconds = std::max(1, std::atoi(argv[4]));
  if (argc > 5) p.io_threads = std::max(0, std::atoi(argv[5]));
  spdlog::set_level(spdlog::level::warn);

  // Two sockets per subscriber across the two processes: raise the fd limit.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  const auto need = static_cast<rlim_t>(p.subs + p.list + 64);
  if (rl.rlim_cur < need) {
    p.subs = static_cast<int>(rl.rlim_cur) - p.list - 64;
    std::printf("fd limit %llu: subscribers reduced to %d\n", static_cast<unsigned long long>(rl.rlim_cur), p.subs);
  }

  int to_child[2], to_parent[2], ready[2];
  if (pipe(to_child) || pipe(to_parent) || pipe(ready)) return 1;
  const pid_t pid = fork();
  if (pid == 0) {  // clients
    uint16_t port = 0;
    if (::read(to_child[0], &port, sizeof port) != sizeof port) _exit(1);
    ClientReport rep = run_clients(port, p, ready[1]);
    if (rep.connected == 0 || rep.error[0]) {
      char r = 'R';
      (void)!::write(ready[1], &r, 1);
    }
    (void)!::write(to_parent[1], &rep, sizeof rep);
    _exit(0);
  }

  voqo::realtime::Hub hub;
  hub.register_query({.name = "liveCall",
                      .topic = [](const json& a) -> voqo::Result<std::string> {
                        return "liveCall:" + a.value("id", std::string());
                      },
                      .snapshot = [](const json& a) -> voqo::Result<json> { return json{{"id", a["id"]}}; },
                      .filter = {}});
  hub.register_query({.name = "liveCalls",
                      .topic = [](const json&) -> voqo::Result<std::string> { return std::string("liveCalls"); },
                      .snapshot = [](const json&) -> voqo::Result<json> { return json::array(); },
                      .filter = {}});
  voqo::api::Router router;
  voqo::api::ServerConfig cfg;
  cfg.port = 0;
  cfg.io_threads = static_cast<unsigned>(p.io_threads);
  voqo::api::RealtimeOptions rt;
  rt.hub = &hub;
  voqo::api::HttpServer server(cfg, router, rt);
  server.start();
  const uint16_t port = server.port();
  (void)!::write(to_child[1], &port, sizeof port);
  char r;
  (void)!::read(ready[0], &r, 1);

  // Publishers: one thread steps every call on a 10 ms tick.
  std::atomic<bool> stop{false};
  const std::string words = "thanks for calling, I wanted to ask about the renewal of my plan and the price";
  std::thread publisher([&] {
    const auto start = std::chrono::steady_clock::now();
    std::vector<int64_t> next_tr(p.calls), next_lv(p.calls);
    for (int i = 0; i < p.calls; ++i) {
      next_tr[i] = i * 500 / p.calls;  // staggered
      next_lv[i] = i * 200 / p.calls;
    }
    int64_t tick = 0;
    while (!stop.load()) {
      for (int i = 0; i < p.calls; ++i) {
        const std::string id = "call-" + std::to_string(i);
        if (tick >= next_tr[i]) {
          next_tr[i] += 500;
          hub.publish("liveCall:" + id, json{{"kind", "transcript"}, {"callId", id}, {"speaker", "caller"},
                                             {"text", words}, {"isFinal", true}, {"t", mono_ns()}});
        }
        if (tick >= next_lv[i]) {
          next_lv[i] += 200;
          json lv{{"kind", "levels"}, {"callId", id}, {"agentGain", 40}, {"customerGain", 55},
                  {"currentSpeaker", "caller"}, {"t", mono_ns()}};
          hub.publish("liveCalls", lv);
          lv["t"] = mono_ns();
          hub.publish("liveCall:" + id, std::move(lv));
        }
      }
      tick += 10;
      std::this_thread::sleep_until(start + std::chrono::milliseconds(tick));
    }
  });

  std::this_thread::sleep_for(std::chrono::seconds(p.warmup));
  const double cpu0 = cpu_s();
  const auto st0 = hub.stats();
  const auto t0 = std::chrono::steady_clock::now();
  ClientReport rep{};
  const bool got = ::read(to_parent[0], &rep, sizeof rep) == sizeof rep;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_s() - cpu0;
  const auto st1 = hub.stats();
  stop = true;
  publisher.join();
  int status = 0;
  waitpid(pid, &status, 0);
  server.stop();
  if (!got) {
    std::printf("client process failed\n");
    return 1;
  }
  if (rep.error[0]) std::printf("client error: %s\n", rep.error);

  const unsigned cores = std::thread::hardware_concurrency();
  std::printf("realtime fan-out over WebSocket on loopback (%u cores, server io_threads=%d)\n", cores,
              p.io_threads ? p.io_threads : static_cast<int>(cores));
  std::printf("  calls %d; subscribers %d connected (%d liveCall, %d liveCalls); window %.1f s\n", p.calls,
              rep.connected, std::min(p.subs, rep.connected), std::max(0, rep.connected - p.subs), rep.window_s);
  std::printf("  published %.0f changes/s; hub delivered %.0f msg/s; clients received %.0f msg/s\n",
              static_cast<double>(st1.published - st0.published) / wall,
              static_cast<double>(st1.delivered - st0.delivered) / wall,
              static_cast<double>(rep.messages) / rep.window_s);
  std::printf("  latency publish→client: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
              rep.p50_ms, rep.p90_ms, rep.p99_ms, rep.p999_ms, rep.max_ms);
  std::printf("  CPU: server+hub+publisher %.2f cores (%.1f µs per delivered message); clients %.2f cores\n",
              cpu / wall, 1e6 * cpu / static_cast<double>(std::max<uint64_t>(1, st1.delivered - st0.delivered)),
              rep.cpu_s / rep.window_s);
  std::printf("  slow consumers closed: %llu\n", static_cast<unsigned long long>(st1.slow_closed));
  return 0;
}
