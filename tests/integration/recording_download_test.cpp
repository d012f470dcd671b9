// GET /api/calls/{id}/recording against a real server: the file is streamed
// (Beast's file_body), so clients that ask for a large recording and never
// read it cost the server next to no memory; byte ranges follow RFC 9110 §14
// (206 + Content-Range, 416 + `Content-Range: bytes */size`, a Range header of
// invalid syntax ignored → 200 with the whole file).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/id.hpp"
#include "store/calls.hpp"
#include "support/api_server.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// The byte at `i` of the test recordings (after the 12-byte RIFF/WAVE
/// start): varied, so that a range from the wrong offset shows.
char byte_at(uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 1000) % 26); }

/// Writes `size` bytes, RIFF....WAVE then byte_at(i), 1 MiB at a time.
void write_recording(const fs::path& path, uint64_t size) {
  std::ofstream out(path, std::ios::binary);
  std::string chunk;
  for (uint64_t at = 0; at < size;) {
    const uint64_t n = std::min<uint64_t>(size - at, 1 << 20);
    chunk.resize(n);
    for (uint64_t k = 0; k < n; ++k) chunk[k] = byte_at(at + k);
    if (at == 0) chunk.replace(0, 12, "RIFF\0\0\0\0WAVE", 12);
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    at += n;
  }
}

std::string expected(uint64_t first, uint64_t length) {
  std::string s(length, '\0');
  for (uint64_t k = 0; k < length; ++k) s[k] = byte_at(first + k);
  if (first < 12) {
    const uint64_t n = std::min<uint64_t>(12 - first, length);
    s.replace(0, n, std::string("RIFF\0\0\0\0WAVE", 12).substr(first, n));
  }
  return s;
}

class RecordingDownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_ = std::make_unique<test::ApiServer>(api::ApiConfig{.recordings_dir = recordings_.path()});
    auto agent = api_->store().agents().create(test::default_workspace(api_->store()), {{"name", "Sales Bot"}, {"systemPrompt", "You sell houses."}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_id_ = (*agent)["id"];
  }

  /// A finished call with a recording of `size` bytes; returns its id.
  std::string call_with_recording(uint64_t size) {
    store::CallRecord r;
    r.id = new_id();
    r.workspace_id = api_->workspace();
    r.agent_id = agent_id_;
    r.direction = "outbound";
    r.status = "completed";
    r.from_phone = "+14155550100";
    r.to_phone = "+14155550101";
    r.recording_url = "/api/calls/" + r.id + "/recording";
    EXPECT_TRUE(store::CallStore(api_->store().db()).insert(r));
    write_recording(recordings_ / (r.id + ".wav"), size);
    return r.id;
  }

  test::HttpResult get(const std::string& id, const std::string& range) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!range.empty()) headers.emplace_back("Range", range);
    return api_->raw("GET", "/api/calls/" + id + "/recording", "", headers);
  }

  test::TempDir recordings_;
  std::unique_ptr<test::ApiServer> api_;
  std::string agent_id_;
};

TEST_F(RecordingDownloadTest, ClientsThatDoNotReadALargeRecordingCostNoMemory) {
  constexpr uint64_t kSize = 64ull << 20;
  constexpr int kClients = 20;
  const std::string id = call_with_recording(kSize);
  ASSERT_EQ(get(id, "bytes=0-99").status, 206);  // warm up: the route, the store's statements
  const long before = test::rss_kib();

  // 20 connections ask for the whole 64 MiB and read only the response header.
  std::vector<std::unique_ptr<test::HttpConnection>> clients;
  for (int i = 0; i < kClients; ++i) {
    auto c = std::make_unique<test::HttpConnection>(api_->port());
    c->send_all("GET /api/calls/" + id + "/recording HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_->key() +
                "\r\n\r\n");
    std::string head;
    char buf[512];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const auto n = ::recv(c->fd(), buf, sizeof buf, 0);
      ASSERT_GT(n, 0) << "no response header from client " << i;
      head.append(buf, static_cast<std::size_t>(n));
    }
    ASSERT_EQ(head.substr(0, 12), "HTTP/1.1 200") << head;
    EXPECT_NE(head.find("Content-Length: " + std::to_string(kSize)), std::string::npos) << head;
    clients.push_back(std::move(c));
  }
  // Every response is under way (its header arrived): what it holds in memory is held now.
  const long during = test::rss_kib();
  std::printf("VmRSS before %ld KiB, with %d unread downloads of %llu MiB %ld KiB\n", before, kClients,
              static_cast<unsigned long long>(kSize >> 20), during);
#if defined(__SANITIZE_ADDRESS__)
  (void)during;  // ASan keeps freed blocks resident: no bound to check
#else
  EXPECT_LT(during - before, static_cast<long>(kSize / 1024)) << "RSS grew by " << (during - before) << " KiB";
#endif
  clients.clear();

  // The server still serves, and a client that reads gets every byte.
  auto whole = get(id, "");
  ASSERT_EQ(whole.status, 200);
  ASSERT_EQ(whole.body.size(), kSize);
  EXPECT_TRUE(whole.body == expected(0, kSize));
  EXPECT_EQ(whole.header("content-type"), "audio/wav");
  EXPECT_EQ(whole.header("accept-ranges"), "bytes");
}

TEST_F(RecordingDownloadTest, ADownloadIsAnExportInTheAuditLogOnceNotPerRange) {
  const std::string id = call_with_recording(10'000);
  ASSERT_EQ(get(id, "").status, 200);
  ASSERT_EQ(get(id, "bytes=0-").status, 206);
  ASSERT_EQ(get(id, "bytes=100-199").status, 206);
  auto log = test::body_json(api_->get("/api/audit-log?action=" + std::string("GET%20/api/calls/%7Bid%7D/recording")));
  ASSERT_EQ(log["items"].size(), 2u) << log;
  EXPECT_EQ(log["items"][0]["objectId"], id);
  EXPECT_EQ(log["items"][0]["actorId"], api_->key_id());
}

TEST_F(RecordingDownloadTest, OneRangeIsPartialContent) {
  constexpr uint64_t kSize = 10'000;
  const std::string id = call_with_recording(kSize);
  struct Case {
    const char* range;
    uint64_t first, length;
  };
  for (const Case& c : {Case{"bytes=0-99", 0, 100}, Case{"bytes=-100", 9900, 100}, Case{"bytes=100-", 100, 9900},
                        Case{"bytes=9990-20000", 9990, 10}, Case{"bytes=-20000", 0, 10000},
                        Case{"bytes=5-5", 5, 1}}) {
    auto r = get(id, c.range);
    EXPECT_EQ(r.status, 206) << c.range;
    EXPECT_EQ(r.header("content-range"), "bytes " + std::to_string(c.first) + "-" +
                                             std::to_string(c.first + c.length - 1) + "/10000")
        << c.range;
    EXPECT_EQ(r.header("content-length"), std::to_string(c.length)) << c.range;
    EXPECT_TRUE(r.body == expected(c.first, c.length)) << c.range;
    EXPECT_EQ(r.header("accept-ranges"), "bytes");
  }
}

TEST_F(RecordingDownloadTest, UnsatisfiableRangeIs416WithTheSize) {
  const std::string id = call_with_recording(10'000);
  for (const char* range : {"bytes=10000-", "bytes=20000-30000", "bytes=-0", "bytes=10000-10001,20000-"}) {
    auto r = get(id, range);
    EXPECT_EQ(r.status, 416) << range;
    EXPECT_EQ(r.header("content-range"), "bytes */10000") << range;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << range;
  }
}

TEST_F(RecordingDownloadTest, RangeOfInvalidSyntaxIsIgnored) {
  const std::string id = call_with_recording(10'000);
  const std::string whole = expected(0, 10'000);
  for (const char* range : {"bytes=1-2-3", "bytes=0x10-0x20", "bytes=a-b", "bytes=5-2", "bytes=", "bytes=1 -2",
                            "items=0-9", "bytes=0-1,x", "bytes=0-1,5-6" /* several: whole file */}) {
    auto r = get(id, range);
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.header("content-range"), "") << range;
    EXPECT_TRUE(r.body == whole) << range << ": " << r.body.size() << " bytes";
  }
}

TEST_F(RecordingDownloadTest, HeadAndKeepAliveAfterAStreamedBody) {
  const std::string id = call_with_recording(10'000);
  test::HttpConnection c(api_->port());
  const std::string target = "/api/calls/" + id + "/recording";
  auto first = c.request("GET", target, "", {{"Range", "bytes=0-99"}, api_->auth_header()});
  EXPECT_EQ(first.status, 206);
  EXPECT_TRUE(first.body == expected(0, 100));
  auto head = c.request("HEAD", target, "", {{"Range", "bytes=0-99"}, api_->auth_header()});  // Range is for GET only
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "10000");
  EXPECT_EQ(head.body, "");
  auto whole = c.request("GET", target, "", {api_->auth_header()});
  EXPECT_EQ(whole.status, 200);
  EXPECT_TRUE(whole.body == expected(0, 10'000));
  auto call = c.request("GET", "/api/calls/" + id, "", {api_->auth_header()});
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(test::body_json(call).value("id", ""), id);
}

TEST_F(RecordingDownloadTest, MissingFileIs404) {
  const std::string id = call_with_recording(100);
  fs::remove(recordings_ / (id + ".wav"));
  EXPECT_EQ(get(id, "").status, 404);
}

}  // namespace
}  // namespace voqo
