// net::perform over libcurl against ReplayServer on loopback, the private
// address guard, and the SSE parser across arbitrary chunk boundaries.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.hpp"
#include "support/replay_server.hpp"

namespace voqo::net {
namespace {

using test::ReplayExchange;
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

TEST(HttpClient, PrivateAddressGuardRefusesBeforeConnecting) {
  ReplayServer server({{"GET", "/", ok_response("x"), {}, {}}});
  for (std::string host : {std::string("127.0.0.1"), std::string("localhost")}) {
    HttpRequest req{.url = "http://" + host + ":" + std::to_string(server.port()) + "/"};
    req.allow_private_addresses = false;
    auto res = perform(req);
    ASSERT_FALSE(res) << host;
    EXPECT_EQ(res.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(res.error().field(), "url");
    // The message names the resolved address (127.0.0.1 or ::1 for "localhost").
    EXPECT_NE(res.error().message.find("private address"), std::string::npos) << res.error().message;
  }
  EXPECT_TRUE(server.requests().empty());  // nothing reached the server
  // Allowed explicitly, the same request goes through.
  auto res = perform({.url = server.base_url() + "/", .allow_private_addresses = true});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "x");
}

TEST(HttpClient, IsPrivateAddressClassifiesSpecialPurposeRanges) {
  for (const char* a : {"127.0.0.1", "127.255.1.2", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                        "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1", "::",
                        "[::1]", "fc00::1", "fd12:3456::1", "fe80::1%eth0", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                        "ff02::1", "2001:db8::1", "not-an-address", ""})
    EXPECT_TRUE(is_private_address(a)) << a;
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1",
                        "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8"})
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
