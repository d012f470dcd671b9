// net::perform over libcurl against ReplayServer on loopback, the address
// guard (no connection to a local address, no proxy, no redirect), and the
// SSE parser across arbitrary chunk boundaries.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.hpp"
#include "support/connection_counter.hpp"
#include "support/replay_server.hpp"

namespace voqo::net {
namespace {

using test::ConnectionCounter;
using test::ReplayExchange;
using test::ScopedEnv;
using test::ReplayServer;

std::string ok_response(std::string_view body, std::string_view type = "text/plain") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nX-Trace: Abc\r\n\r\n" + std::string(body);
}

TEST(HttpClient, GetReturnsStatusLowerCasedHeadersAndBody) {
  ReplayServer server({{"GET", "/v1/models?limit=2", ok_response("hello"), {}, {}}});
  HttpRequest req;
  req.url = server.base_url() + "/v1/models?limit=2";
  req.headers = {{"Authorization", "Bearer k1"}, {"X-Empty", ""}};
  auto res = perform(req);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(res->header("x-trace").value_or(""), "Abc");
  EXPECT_FALSE(res->header("X-Trace").has_value());  // names are lower-cased
  auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "GET");
  EXPECT_EQ(got[0].target, "/v1/models?limit=2");
  EXPECT_EQ(got[0].header("authorization"), "Bearer k1");
  bool has_empty = false;
  for (const auto& [k, v] : got[0].headers) has_empty |= (k == "x-empty" && v.empty());
  EXPECT_TRUE(has_empty);
}

TEST(HttpClient, PostPutDeleteSendMethodAndBody) {
  ReplayServer server({{"POST", "/a", ok_response("1"), {}, {}},
                       {"PUT", "/b", ok_response("2"), {}, {}},
                       {"DELETE", "/c", "HTTP/1.1 204 No Content\r\n\r\n", {}, {}}});
  HttpRequest post{.method = "POST", .url = server.base_url() + "/a",
                   .headers = {{"Content-Type", "application/json"}}, .body = R"({"x":1})"};
  auto r1 = perform(post);
  HttpRequest put{.method = "PUT", .url = server.base_url() + "/b", .headers = {}, .body = "raw"};
  auto r2 = perform(put);
  HttpRequest del{.method = "DELETE", .url = server.base_url() + "/c"};
  auto r3 = perform(del);
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_EQ(r1->body, "1");
  EXPECT_EQ(r2->body, "2");
  EXPECT_EQ(r3->status, 204);
  auto got = server.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].body, R"({"x":1})");
  EXPECT_EQ(got[0].header("content-type"), "application/json");
  EXPECT_EQ(got[0].header("expect"), "");  // no 100-continue round trip
  EXPECT_EQ(got[1].method, "PUT");
  EXPECT_EQ(got[1].body, "raw");
  EXPECT_EQ(got[2].method, "DELETE");
  EXPECT_EQ(got[2].body, "");
}

TEST(HttpClient, ChunkedRequestBodyIsDechunkedByTheReplayServer) {
  ReplayServer server({{"POST", "/up", ok_response("ok"), {}, {}}});
  const std::string body(70000, 'x');  // several chunks
  auto res = perform({.method = "POST", .url = server.base_url() + "/up",
                      .headers = {{"Transfer-Encoding", "chunked"}}, .body = body});
  ASSERT_TRUE(res) << res.error().message;
  auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("transfer-encoding"), "chunked");
  EXPECT_EQ(got[0].body, body);
}

TEST(HttpClient, NonMatchingRequestGets404AndIsRecorded) {
  ReplayServer server({{"POST", "/expected", ok_response("x"), {}, {}}});
  auto res = perform({.method = "GET", .url = server.base_url() + "/other"});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/other");
}

TEST(HttpClient, ChunkedResponseIsStreamedToSinkInOrder) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  ReplayServer server({{"GET", "/s", "", {head, "5\r\nfirst\r\n", "6\r\nsecond\r\n", "0\r\n\r\n"},
                        std::chrono::milliseconds(20)}});
  std::string streamed;
  int calls = 0;
  auto res = perform({.url = server.base_url() + "/s"}, [&](std::string_view c) {
    streamed += c;
    ++calls;
    return true;
  });
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->header("content-type").value_or(""), "text/event-stream");
  EXPECT_EQ(streamed, "firstsecond");
  EXPECT_GE(calls, 2);       // delivered as it arrived, not at the end
  EXPECT_TRUE(res->body.empty());  // streamed bodies are not kept
}

TEST(HttpClient, SinkReturningFalseAbortsTransfer) {
  std::vector<std::string> chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n"};
  for (int i = 0; i < 4; ++i) chunks.push_back("0123456789");
  ReplayServer server({{"GET", "/s", "", chunks, std::chrono::milliseconds(50)}});
  int calls = 0;
  auto res = perform({.url = server.base_url() + "/s"}, [&](std::string_view) { return ++calls < 2; });
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::io);
  EXPECT_EQ(res.error().message, "aborted");
  EXPECT_EQ(calls, 2);
}

TEST(HttpClient, StopTokenAbortsMidStream) {
  std::vector<std::string> chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"};
  for (int i = 1; i < 10; ++i) chunks.push_back("0123456789");
  // 10 chunks, 2 s apart: the transfer would take ~18 s without the stop.
  ReplayServer server({{"GET", "/s", "", chunks, std::chrono::milliseconds(2000)}});
  std::stop_source stop;
  std::atomic<int> received{0};
  auto res = perform({.url = server.base_url() + "/s"},
                     [&](std::string_view c) {
                       received += static_cast<int>(c.size());
                       stop.request_stop();  // from inside the first delivery
                       return true;
                     },
                     stop.get_token());
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::io);
  EXPECT_EQ(res.error().message, "aborted");
  EXPECT_EQ(received.load(), 10);
}

TEST(HttpClient, StopFromAnotherThreadWakesAnIdleTransfer) {
  ReplayServer server({{"GET", "/s", "", {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", "late"},
                        std::chrono::milliseconds(20000)}});
  std::stop_source stop;
  std::atomic<std::chrono::steady_clock::rep> stopped_at{0};
  std::jthread stopper([&] {
    while (server.requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the transfer go idle in poll
    stopped_at = std::chrono::steady_clock::now().time_since_epoch().count();
    stop.request_stop();
  });
  auto res = perform({.url = server.base_url() + "/s", .timeout = std::chrono::milliseconds(60000)},
                     [&](std::string_view) { return true; }, stop.get_token());
  const auto returned = std::chrono::steady_clock::now().time_since_epoch().count();
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().message, "aborted");
  // A figure, not an assertion: stop → perform() returned.
  std::printf("[ figure ] stop latency of an idle transfer: %.2f ms\n",
              static_cast<double>(returned - stopped_at.load()) / 1e6);
}

TEST(HttpClient, WholeRequestTimeoutIsAnIoError) {
  ReplayServer server({{"GET", "/slow", "", {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", "late"},
                        std::chrono::milliseconds(10000)}});
  auto res = perform({.url = server.base_url() + "/slow", .timeout = std::chrono::milliseconds(300)});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::io);
  EXPECT_TRUE(res.error().message.starts_with("timeout")) << res.error().message;
}

TEST(HttpClient, ConnectionRefusedIsAnIoError) {
  uint16_t port = 0;
  { ReplayServer gone({}); port = gone.port(); }  // a port nobody listens on now
  auto res = perform({.url = "http://127.0.0.1:" + std::to_string(port) + "/"});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::io);
  EXPECT_TRUE(res.error().message.starts_with("connect")) << res.error().message;
}

TEST(HttpClient, RejectsMalformedAndNonHttpUrls) {
  for (const char* url : {"ftp://example.com/x", "example.com/x", "", "http://exa mple.com/"}) {
    auto res = perform({.url = url});
    ASSERT_FALSE(res) << url;
    EXPECT_EQ(res.error().code, ErrorCode::invalid_argument) << url;
    EXPECT_EQ(res.error().field(), "url") << url;
  }
}

TEST(HttpClient, PublicOnlyGuardRefusesEveryLocalSpellingBeforeConnecting) {
  ConnectionCounter v4("127.0.0.1");
  ConnectionCounter v6("::1");
  const std::string p4 = std::to_string(v4.port()), p6 = std::to_string(v6.port());
  // Loopback however it is written, the unspecified addresses (Linux connects
  // them to loopback), a name that resolves to loopback, and the metadata
  // address (nothing listens there: the refusal must come from the guard).
  const std::vector<std::string> local = {
      "http://127.0.0.1:" + p4 + "/",  "http://localhost:" + p4 + "/",
      "http://0.0.0.0:" + p4 + "/",    "http://2130706433:" + p4 + "/",
      "http://0x7f.1:" + p4 + "/",     "http://[::ffff:127.0.0.1]:" + p4 + "/",
      "http://127.1.2.3:" + p4 + "/",  "http://[::1]:" + p6 + "/",
      "http://[::]:" + p6 + "/",       "http://169.254.169.254/latest/meta-data/"};
  for (const std::string& url : local) {
    HttpRequest req{.url = url, .connect_timeout = std::chrono::milliseconds(2000)};
    req.guard = AddressGuard::public_only;
    auto res = perform(req);
    ASSERT_FALSE(res) << url;
    EXPECT_EQ(res.error().code, ErrorCode::invalid_argument) << url;
    EXPECT_EQ(res.error().field(), "url");
    // The message names the address actually refused (127.0.0.1 or ::1 for "localhost").
    EXPECT_NE(res.error().message.find("refused to connect to private address"), std::string::npos)
        << url << ": " << res.error().message;
  }
  EXPECT_EQ(v4.connections(), 0);  // not one connection reached either listener
  EXPECT_EQ(v6.connections(), 0);
  // The counters do see connections: unguarded, the same URLs connect (and
  // fail, the counter closes at once without a reply).
  for (const std::string& url : {"http://127.0.0.1:" + p4 + "/", "http://[::1]:" + p6 + "/"}) {
    auto res = perform({.url = url, .guard = AddressGuard::private_allowed});
    EXPECT_FALSE(res) << url;
  }
  EXPECT_EQ(v4.connections(), 1);
  EXPECT_EQ(v6.connections(), 1);
}

TEST(HttpClient, PrivateAllowedGuardReachesLoopback) {
  ReplayServer server({{"GET", "/", ok_response("x"), {}, {}}});
  auto res = perform({.url = server.base_url() + "/", .guard = AddressGuard::private_allowed});
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "x");
  EXPECT_EQ(user_target_guard(true), AddressGuard::private_allowed);
  EXPECT_EQ(user_target_guard(false), AddressGuard::public_only);
}

/// http_proxy and friends (curl reads the lower-case http_proxy only, the
/// others in either case) all pointing at `proxy`.
ScopedEnv proxy_environment(const ConnectionCounter& proxy) {
  const std::string url = proxy.url();
  return ScopedEnv({{"http_proxy", url}, {"HTTP_PROXY", url}, {"https_proxy", url}, {"HTTPS_PROXY", url},
                    {"all_proxy", url}, {"ALL_PROXY", url}, {"no_proxy", std::nullopt}, {"NO_PROXY", std::nullopt}});
}

TEST(HttpClient, GuardedRequestsNeverGoThroughAProxyFromTheEnvironment) {
  ConnectionCounter proxy("::1");  // not the target's address, so the guard's message tells them apart
  ReplayServer target({{"GET", "/direct", ok_response("direct"), {}, {}}});
  const auto env = proxy_environment(proxy);

  // Unguarded (a provider the operator configured): the proxy is used; this
  // shows the environment above is in effect.
  auto via_proxy = perform({.url = target.base_url() + "/direct", .timeout = std::chrono::milliseconds(5000)});
  EXPECT_FALSE(via_proxy);  // the counter closes without a reply
  EXPECT_EQ(proxy.connections(), 1);
  EXPECT_TRUE(target.requests().empty());

  // A user-aimed target in a deployment that allows private hosts: direct.
  auto direct = perform({.url = target.base_url() + "/direct", .timeout = std::chrono::milliseconds(5000),
                         .guard = AddressGuard::private_allowed});
  ASSERT_TRUE(direct) << direct.error().message;
  EXPECT_EQ(direct->body, "direct");
  EXPECT_EQ(target.requests().size(), 1u);

  // public_only: the guard judges the target's own address (refused here:
  // loopback), not the proxy's (::1), and nothing reaches the proxy.
  auto guarded = perform({.url = target.base_url() + "/direct", .guard = AddressGuard::public_only});
  ASSERT_FALSE(guarded);
  EXPECT_NE(guarded.error().message.find("private address 127.0.0.1"), std::string::npos) << guarded.error().message;
  EXPECT_EQ(proxy.connections(), 1);  // still only the unguarded request
  EXPECT_EQ(target.requests().size(), 1u);
}

TEST(HttpClient, RedirectsAreReturnedNotFollowed) {
  const std::string found = "HTTP/1.1 302 Found\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n";
  // Were a redirect followed, "/to" would not match the next exchange and be recorded.
  ReplayServer server({{"GET", "/from", found, {}, {}}, {"GET", "/from", found, {}, {}}});
  for (AddressGuard guard : {AddressGuard::none, AddressGuard::private_allowed}) {
    auto res = perform({.url = server.base_url() + "/from", .guard = guard});
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->status, 302);
    EXPECT_EQ(res->status_line(), "HTTP 302 Found");
    EXPECT_EQ(res->header("location").value_or(""), "/to");
  }
  ASSERT_EQ(server.requests().size(), 2u);
  for (const auto& r : server.requests()) EXPECT_EQ(r.target, "/from");
}

TEST(HttpClient, StatusLineKeepsTheReasonPhraseBoundedAndPrintable) {
  const std::string long_reason(200, 'r');
  ReplayServer server({{"GET", "/a", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbody", {}, {}},
                       {"GET", "/b", "HTTP/1.1 204\r\n\r\n", {}, {}},
                       {"GET", "/c", "HTTP/1.1 500 Bad\x01\x7f\xc3\xa9\tThing\r\nContent-Length: 0\r\n\r\n", {}, {}},
                       {"GET", "/d", "HTTP/1.1 502 " + long_reason + "\r\nContent-Length: 0\r\n\r\n", {}, {}}});
  auto a = perform({.url = server.base_url() + "/a"});
  auto b = perform({.url = server.base_url() + "/b"});
  auto c = perform({.url = server.base_url() + "/c"});
  auto d = perform({.url = server.base_url() + "/d"});
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->status_line(), "HTTP 503 Service Unavailable");
  EXPECT_EQ(a->body, "body");
  EXPECT_EQ(b->status_line(), "HTTP 204");
  EXPECT_EQ(c->status_line(), "HTTP 500 Bad Thing");
  EXPECT_EQ(d->status_line(), "HTTP 502 " + long_reason.substr(0, 64));
}

TEST(HttpClient, IsPrivateAddressClassifiesSpecialPurposeRanges) {
  for (const char* a : {"127.0.0.1", "127.255.1.2", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                        "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1", "::",
                        "[::1]", "fc00::1", "fd12:3456::1", "fe80::1%eth0", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                        "ff02::1", "2001:db8::1", "::ffff:169.254.169.254", "::ffff:0:127.0.0.1",
                        "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2001:0:4136::1",
                        "fd00:ec2::254", "not-an-address", ""})
    EXPECT_TRUE(is_private_address(a)) << a;
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1",
                        "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "2002:808:808::1",
                        "64:ff9b::808:808"})
    EXPECT_FALSE(is_private_address(a)) << a;
}

// ---- SSE -------------------------------------------------------------------

using Events = std::vector<std::pair<std::string, std::string>>;

Events parse_in_pieces(std::string_view stream, const std::vector<std::size_t>& cuts) {
  Events events;
  SseParser parser([&](std::string_view e, std::string_view d) { events.emplace_back(e, d); });
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    parser.feed(stream.substr(from, cut - from));
    from = cut;
  }
  parser.feed(stream.substr(from));
  return events;
}

TEST(SseParser, SameEventsForEveryChunkBoundary) {
  // LF, CRLF and CR line ends; a comment; a named event; multi-line data;
  // "data:" without the optional space; an event without data (ignored).
  const std::string stream =
      ": keep-alive\n\n"
      "data: {\"a\":1}\n\n"
      "event: update\r\ndata: line one\r\ndata:line two\r\n\r\n"
      "id: 7\revent: empty\r\r"
      "data: [DONE]\n\n";
  const Events expected = {{"message", "{\"a\":1}"}, {"update", "line one\nline two"}, {"message", "[DONE]"}};
  EXPECT_EQ(parse_in_pieces(stream, {}), expected);
  for (std::size_t i = 1; i < stream.size(); ++i) {
    EXPECT_EQ(parse_in_pieces(stream, {i}), expected) << "split at " << i;
    for (std::size_t j = i + 1; j < stream.size(); j += 3)
      ASSERT_EQ(parse_in_pieces(stream, {i, j}), expected) << "split at " << i << "," << j;
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(parse_in_pieces(stream, every_byte), expected);
}

TEST(SseParser, IncompleteEventIsNotDispatched) {
  Events events;
  SseParser parser([&](std::string_view e, std::string_view d) { events.emplace_back(e, d); });
  parser.feed("data: partial\n");
  EXPECT_TRUE(events.empty());
  parser.feed("\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].second, "partial");
}

}  // namespace
}  // namespace voqo::net
