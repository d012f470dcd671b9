// HttpServer over real loopback sockets, with a blocking client (support/http_client).
#include "api/http_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/multipart.hpp"
#include "api/problem.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"

using namespace voqo::api;
using voqo::test::HttpConnection;
using voqo::test::HttpResult;
using voqo::test::http_request;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

char pattern_byte(uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 1000) % 26); }

std::string pattern(uint64_t n) {
  std::string s(n, '\0');
  for (uint64_t i = 0; i < n; ++i) s[i] = pattern_byte(i);
  return s;
}

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/hello", [](HttpRequest&) { return HttpResponse::json(200, R"({"hello":"world"})"); });
    router_.add("DELETE", "/hello", [](HttpRequest&) { return HttpResponse::no_content(); });
    router_.add("GET", "/echo/{id}", [](HttpRequest& r) {
      json j{{"id", r.param("id")},
             {"q", r.query_param("q").value_or("-")},
             {"xTest", r.header("x-test")},
             {"method", r.method},
             {"path", r.path},
             {"remote", r.remote_address}};
      HttpResponse res = HttpResponse::json(200, j.dump());
      res.headers.emplace_back("X-Echo", "yes");
      return res;
    });
    router_.add("POST", "/json", [](HttpRequest& r) {
      return HttpResponse::json(200, json{{"size", r.body_size}, {"bodyLength", r.body.size()},
                                          {"head", r.body.substr(0, 16)}}.dump());
    });
    router_.add(
        "POST", "/upload",
        [this](HttpRequest& r) {
          last_upload_ = r.body_file;
          std::error_code ec;
          last_perms_ = std::filesystem::status(r.body_file, ec).permissions();
          bool ok = !r.body_file.empty() && std::filesystem::exists(r.body_file) && r.body.empty();
          uint64_t mismatches = 0, size = 0;
          if (ok) {
            std::ifstream in(r.body_file, std::ios::binary);
            std::vector<char> buf(1 << 16);
            while (in) {
              in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
              for (std::streamsize i = 0; i < in.gcount(); ++i, ++size) {
                if (buf[static_cast<std::size_t>(i)] != pattern_byte(size)) ++mismatches;
              }
            }
          }
          return HttpResponse::json(
              200, json{{"ok", ok}, {"size", r.body_size}, {"read", size}, {"mismatches", mismatches}}.dump());
        },
        RouteOptions{.spool_body = true});
    router_.add(
        "POST", "/multipart",
        [](HttpRequest& r) {
          auto part = find_file_part(r.body_file, r.header("content-type"));
          if (!part) return problem_from(part.error(), r.path);
          std::ifstream in(r.body_file, std::ios::binary);
          in.seekg(static_cast<std::streamoff>(part->offset));
          std::string content(part->length, '\0');
          in.read(content.data(), static_cast<std::streamsize>(content.size()));
          return HttpResponse::json(200, json{{"filename", part->filename}, {"content", content}}.dump());
        },
        RouteOptions{.spool_body = true});
    router_.add("GET", "/throw", [](HttpRequest&) -> HttpResponse { throw std::runtime_error("boom: secret"); });
    router_.add("GET", "/slow", [this](HttpRequest&) {
      slow_started_ = true;
      std::this_thread::sleep_for(500ms);
      return HttpResponse::json(200, R"({"slow":true})");
    });
    start();
  }

  void start(ServerConfig config = {}) {
    config.port = 0;
    config.io_threads = 2;
    config.worker_threads = 2;
    config.spool_dir = spool_.path();
    if (server_) server_->stop();
    server_ = std::make_unique<HttpServer>(config, router_);
    server_->start();
    port_ = server_->port();
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  static json body_json(const HttpResult& r) { return json::parse(r.body); }

  voqo::test::TempDir spool_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::filesystem::path last_upload_;
  std::filesystem::perms last_perms_{};
  std::atomic<bool> slow_started_{false};
};

}  // namespace

TEST_F(HttpServerTest, BindsAnEphemeralPort) { EXPECT_NE(port_, 0); }

TEST_F(HttpServerTest, GetWithKeepAlive) {
  HttpConnection c(port_);
  auto r1 = c.request("GET", "/hello");
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(r1.body, R"({"hello":"world"})");
  EXPECT_EQ(r1.header("content-type"), "application/json");
  EXPECT_EQ(r1.header("content-length"), std::to_string(r1.body.size()));
  EXPECT_EQ(r1.header("server"), "voqo");
  EXPECT_EQ(r1.header("connection"), "");

  auto r2 = c.request("GET", "/echo/c%20k1?q=a+b", {}, {{"X-Test", "42"}});
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(r2.header("x-echo"), "yes");
  auto j = body_json(r2);
  EXPECT_EQ(j["id"], "c k1");
  EXPECT_EQ(j["q"], "a b");
  EXPECT_EQ(j["xTest"], "42");
  EXPECT_EQ(j["path"], "/echo/c k1");
  EXPECT_EQ(j["remote"], "127.0.0.1");
  EXPECT_FALSE(c.closed_by_peer(100));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpConnection c(port_);
  c.send_all(
      "GET /echo/one HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /echo/two HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(body_json(c.read_response())["id"], "one");
  EXPECT_EQ(body_json(c.read_response())["id"], "two");
}

TEST_F(HttpServerTest, TrailingSlashAndHead) {
  EXPECT_EQ(http_request(port_, "GET", "/hello/").status, 200);
  HttpConnection c(port_);
  auto head = c.request("HEAD", "/hello");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "17");
  EXPECT_TRUE(head.body.empty());
  // No body bytes were sent: the next response parses cleanly.
  EXPECT_EQ(c.request("GET", "/hello").body, R"({"hello":"world"})");
}

TEST_F(HttpServerTest, NoContentHasNoContentLength) {
  HttpConnection c(port_);
  auto r = c.request("DELETE", "/hello");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("content-length"), "");
  EXPECT_EQ(c.request("GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, UnknownRouteIs404Problem) {
  HttpConnection c(port_);
  auto r = c.request("GET", "/nope?x=1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  auto j = body_json(r);
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["title"], "Not Found");
  EXPECT_EQ(j["instance"], "/nope");
  // The connection survives an error without a body.
  EXPECT_EQ(c.request("GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  auto r = http_request(port_, "PUT", "/hello", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, DELETE");
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(body_json(r)["status"], 405);
}

TEST_F(HttpServerTest, MalformedRequestsAre400) {
  {
    HttpConnection c(port_);
    c.send_all("GARBAGE\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    HttpConnection c(port_);
    auto r = c.request("GET", "/echo/%zz");
    EXPECT_EQ(r.status, 400);
  }
  {
    HttpConnection c(port_);
    c.send_all("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: " + std::string(20000, 'h') + "\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 431);
  }
  EXPECT_EQ(http_request(port_, "GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, AnUnknownTransferCodingIs400AndTheBodyIsNotTakenForARequest) {
  // Issue 15: "xchunked" was read as "no body", and the body, here a second
  // request, was then answered as if the client had sent it (request smuggling).
  for (const char* te : {"xchunked", "gzip", "chunked, identity"}) {
    HttpConnection c(port_);
    c.send_all(std::string("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: ") + te +
               "\r\n\r\nDELETE /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 400) << te;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << te;
    EXPECT_EQ(r.header("connection"), "close") << te;
    EXPECT_NE(body_json(r)["detail"].get<std::string>().find("Transfer-Encoding"), std::string::npos) << r.body;
    EXPECT_TRUE(c.closed_by_peer()) << te << ": the smuggled DELETE was answered";
  }
  {
    HttpConnection c(port_);
    c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 501);  // RFC 9112 §6.1: a coding we do not implement
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    HttpConnection c(port_);  // the coding's name is case-insensitive
    c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(body_json(r)["head"], "hello");
  }
  EXPECT_EQ(http_request(port_, "GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, JsonBodyIsDelivered) {
  std::string body = pattern(100'000);
  auto r = http_request(port_, "POST", "/json", body);
  ASSERT_EQ(r.status, 200);
  auto j = body_json(r);
  EXPECT_EQ(j["size"], 100'000);
  EXPECT_EQ(j["bodyLength"], 100'000);
  EXPECT_EQ(j["head"], body.substr(0, 16));
}

TEST_F(HttpServerTest, ChunkedJsonBodyIsDelivered) {
  HttpConnection c(port_);
  c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["head"], "hello world");
}

TEST_F(HttpServerTest, OverLimitJsonBodyIs413) {
  HttpConnection c(port_);
  c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  uint64_t sent = c.send_body_until_response(2 << 20);
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(body_json(r)["detail"], "request body exceeds 1048576 bytes");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());
  (void)sent;
  EXPECT_EQ(http_request(port_, "GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, OverLimitChunkedJsonBodyIs413) {
  HttpConnection c(port_);
  c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  c.send_body_until_response(8 << 20, /*chunked=*/true);
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(body_json(r)["detail"], "request body exceeds 1048576 bytes");
}

TEST_F(HttpServerTest, ExpectContinue) {
  HttpConnection c(port_);
  c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  char buf[64];
  ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send_all("hello");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["head"], "hello");

  HttpConnection big(port_);
  big.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 9999999\r\n\r\n");
  EXPECT_EQ(big.read_response().status, 413);  // final answer, no 100 first
}

TEST_F(HttpServerTest, SpooledUploadLandsInAFile) {
  const uint64_t size = 5 << 20;
  std::string body = pattern(size);
  HttpConnection c(port_);
  auto r = c.request("POST", "/upload", body, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body_json(r);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["size"], size);
  EXPECT_EQ(j["read"], size);
  EXPECT_EQ(j["mismatches"], 0);
  EXPECT_EQ(last_upload_.parent_path(), spool_.path());
  EXPECT_EQ(last_perms_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(std::filesystem::exists(last_upload_));  // removed after the handler
  EXPECT_EQ(files_in(spool_.path()), 0u);
  // Same connection, chunked this time.
  c.send_all("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string framed;
  for (uint64_t off = 0; off < size; off += 100'000) {
    uint64_t n = std::min<uint64_t>(100'000, size - off);
    char line[32];
    std::snprintf(line, sizeof line, "%llx\r\n", static_cast<unsigned long long>(n));
    framed += line;
    framed.append(body, off, n);
    framed += "\r\n";
  }
  framed += "0\r\n\r\n";
  c.send_all(framed);
  auto r2 = c.read_response();
  ASSERT_EQ(r2.status, 200);
  EXPECT_EQ(body_json(r2)["mismatches"], 0);
  EXPECT_EQ(body_json(r2)["size"], size);
}

TEST_F(HttpServerTest, MultipartUploadEndToEnd) {
  std::string csv = "name,phone\r\nAda,+15551234567\r\n";
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"agentId\"\r\n\r\nc1\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n" +
      csv + "\r\n--XyZ--\r\n";
  auto r = http_request(port_, "POST", "/multipart", body, {{"Content-Type", "multipart/form-data; boundary=XyZ"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["filename"], "leads.csv");
  EXPECT_EQ(body_json(r)["content"], csv);

  auto bad = http_request(port_, "POST", "/multipart", "x", {{"Content-Type", "multipart/form-data"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body_json(bad)["detail"], "multipart body has no boundary");
}

TEST_F(HttpServerTest, HugeUploadsAreRefusedWithBoundedMemory) {
  const long rss_before = voqo::test::rss_kib();
  const uint64_t huge = 300ull << 20;
  {
    // Declared length over the 256 MB limit: refused before reading the body.
    HttpConnection c(port_);
    c.send_all("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(huge) + "\r\n\r\n");
    uint64_t sent = c.send_body_until_response(huge);
    auto r = c.read_response();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(body_json(r)["detail"], "request body exceeds 268435456 bytes");
    EXPECT_LT(sent, huge);
  }
  {
    // Unknown length (chunked): spooled to disk up to the limit, then refused.
    HttpConnection c(port_);
    c.send_all("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.send_body_until_response(huge, /*chunked=*/true);
    auto r = c.read_response();
    EXPECT_EQ(r.status, 413);
  }
  {
    // 200 MB at a JSON route (1 MiB limit).
    HttpConnection c(port_);
    c.send_all("POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(200 << 20) + "\r\n\r\n");
    c.send_body_until_response(200 << 20);
    EXPECT_EQ(c.read_response().status, 413);
  }
  const long rss_after = voqo::test::rss_kib();
  std::printf("VmRSS before %ld KiB, after %ld KiB\n", rss_before, rss_after);
#if defined(__SANITIZE_ADDRESS__)
  // ASan's quarantine keeps up to 256 MB of freed blocks resident: no bound to check.
  (void)rss_after;
#else
  EXPECT_LT(rss_after - rss_before, 48 * 1024) << "RSS grew by " << (rss_after - rss_before) << " KiB";
#endif
  // The partial spool file is gone and the server still serves.
  for (int i = 0; i < 50 && files_in(spool_.path()) != 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(files_in(spool_.path()), 0u);
  EXPECT_EQ(http_request(port_, "GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, HandlerThatThrowsIs500AndServerKeepsRunning) {
  HttpConnection c(port_);
  auto r = c.request("GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(c.request("GET", "/hello").status, 200);
  EXPECT_EQ(http_request(port_, "GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, ManyConcurrentClients) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpConnection c(port_);
      for (int i = 0; i < 200; ++i) {
        auto r = c.request("GET", "/echo/" + std::to_string(t * 1000 + i));
        if (r.status == 200 && body_json(r)["id"] == std::to_string(t * 1000 + i)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1600);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionsAreClosed) {
  ServerConfig config;
  config.idle_timeout_s = 1;
  start(config);
  HttpConnection c(port_);
  EXPECT_EQ(c.request("GET", "/hello").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(5000));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 800ms);
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlightRequests) {
  HttpConnection idle(port_);
  EXPECT_EQ(idle.request("GET", "/hello").status, 200);

  auto slow = std::async(std::launch::async, [this] { return http_request(port_, "GET", "/slow"); });
  for (int i = 0; i < 200 && !slow_started_; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(slow_started_);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  auto took = std::chrono::steady_clock::now() - t0;
  auto r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"slow":true})");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(idle.closed_by_peer(1000));
  EXPECT_THROW(HttpConnection{port_}, std::runtime_error);  // no longer accepting
  server_->stop();  // idempotent
  server_->wait();  // returns at once
}

TEST_F(HttpServerTest, WaitReturnsWhenAnotherThreadStops) {
  auto waiter = std::async(std::launch::async, [this] { server_->wait(); });
  EXPECT_EQ(waiter.wait_for(100ms), std::future_status::timeout);
  server_->stop();
  EXPECT_EQ(waiter.wait_for(5s), std::future_status::ready);
}

TEST_F(HttpServerTest, BindFailureThrows) {
  ServerConfig config;
  config.port = port_;  // already taken by the fixture's server
  HttpServer second(config, router_);
  EXPECT_THROW(second.start(), std::runtime_error);
  ServerConfig bad;
  bad.bind_address = "203.0.113.1";  // TEST-NET-3: not an address of this host
  HttpServer third(bad, router_);
  EXPECT_THROW(third.start(), std::runtime_error);
}
