#include "api/multipart.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"

using voqo::api::find_file_part;
using voqo::api::multipart_boundary;
using voqo::test::TempDir;

namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW";
constexpr std::string_view kB = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string part(std::string_view headers, std::string_view body) {
  std::string s = "--";
  s.append(kB).append("\r\n").append(headers).append("\r\n").append(body).append("\r\n");
  return s;
}

std::string closing() { return "--" + std::string(kB) + "--\r\n"; }

/// Writes `body`, runs find_file_part and returns the extracted bytes.
struct Extracted {
  voqo::Result<voqo::api::MultipartFile> r;
  std::string bytes;
};

Extracted extract(const TempDir& dir, const std::string& body, std::string_view type = kType) {
  auto path = dir / "body";
  voqo::test::write_file(path, body);
  Extracted e{find_file_part(path, type), {}};
  if (e.r) e.bytes = body.substr(e.r->offset, e.r->length);
  return e;
}

}  // namespace

TEST(MultipartBoundary, ParsesPlainAndQuoted) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc").value(), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b:c\"").value(), "a b:c");
  EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=xyz ").value(), "xyz");
}

TEST(MultipartBoundary, Errors) {
  auto none = multipart_boundary("multipart/form-data");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, voqo::ErrorCode::bad_request);
  EXPECT_EQ(none.error().message, "multipart body has no boundary");
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
  auto csv = multipart_boundary("text/csv");
  ASSERT_FALSE(csv);
  EXPECT_EQ(csv.error().code, voqo::ErrorCode::unsupported);
}

TEST(Multipart, FindsTheFilePart) {
  TempDir dir;
  std::string csv = "name,phone\r\nAda,+15551234567\r\n";
  std::string body = part("Content-Disposition: form-data; name=\"agentId\"\r\n", "c123") +
                     part("Content-Disposition: form-data; name=\"upload\"; filename=\"leads.csv\"\r\n"
                          "Content-Type: text/csv\r\n",
                          csv) +
                     closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.bytes, csv);
  EXPECT_EQ(e.r->filename, "leads.csv");
  EXPECT_EQ(e.r->field_name, "upload");
  EXPECT_EQ(e.r->content_type, "text/csv");
}

TEST(Multipart, PartNamedFileWithoutFilename) {
  TempDir dir;
  std::string body = part("Content-Disposition: form-data; name=\"note\"\r\n", "hello") +
                     part("content-disposition: form-data; name=file\r\n", "a,b\n1,2\n") + closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.bytes, "a,b\n1,2\n");
  EXPECT_EQ(e.r->filename, "");
  EXPECT_EQ(e.r->content_type, "text/plain");  // RFC 7578 §4.4 default
}

TEST(Multipart, PreambleQuotedBoundaryAndPadding) {
  TempDir dir;
  std::string body =
      "This is a preamble.\r\n--q b\t \r\n"
      "Content-Disposition: form-data; name=\"f\"; filename=\"C:\\\\Users\\\\me\\\\x \\\"y\\\".csv\"\r\n\r\n"
      "data\r\n--q b--\r\nepilogue";
  auto e = extract(dir, body, "multipart/form-data; boundary=\"q b\"");
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.bytes, "data");
  EXPECT_EQ(e.r->filename, "x \"y\".csv");  // directories stripped, escapes undone
}

TEST(Multipart, BrowserStyleBackslashesInFilename) {
  TempDir dir;
  std::string body = part("Content-Disposition: form-data; name=\"f\"; filename=\"C:\\path\\leads.csv\"\r\n", "x") +
                     closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.r->filename, "leads.csv");
}

TEST(Multipart, Rfc8187Filename) {
  TempDir dir;
  std::string body =
      part("Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''caf%C3%A9.csv\r\n", "x") + closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.r->filename, "caf\xC3\xA9.csv");
}

TEST(Multipart, EmptyFileAndPartWithoutHeaders) {
  TempDir dir;
  std::string body = "--" + std::string(kB) + "\r\n\r\nno headers\r\n" +
                     part("Content-Disposition: form-data; name=\"file\"; filename=\"e.csv\"\r\n", "") + closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.r->length, 0u);
  EXPECT_EQ(e.r->filename, "e.csv");
}

TEST(Multipart, BoundaryLookalikesInsideContent) {
  TempDir dir;
  // Prefixes of the delimiter inside the content are content.
  std::string content = "line\r\n--" + std::string(kB.substr(0, 10)) + "\r\n-" + std::string(kB) + "\r\n--x";
  std::string body = part("Content-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n", content) +
                     closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.bytes, content);
}

TEST(Multipart, DelimiterFollowedByGarbageIsAnError) {
  TempDir dir;
  std::string body = part("Content-Disposition: form-data; name=\"a\"\r\n", "1") + "--" + std::string(kB) + "X\r\n";
  auto e = extract(dir, body);
  ASSERT_FALSE(e.r);
  EXPECT_EQ(e.r.error().message, "malformed multipart delimiter line");
}

TEST(Multipart, Errors) {
  TempDir dir;
  auto no_file = extract(dir, part("Content-Disposition: form-data; name=\"a\"\r\n", "1") + closing());
  ASSERT_FALSE(no_file.r);
  EXPECT_EQ(no_file.r.error().message, "no file part");
  EXPECT_EQ(no_file.r.error().code, voqo::ErrorCode::bad_request);

  auto unterminated = extract(
      dir, "--" + std::string(kB) + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc");
  ASSERT_FALSE(unterminated.r);
  EXPECT_EQ(unterminated.r.error().message, "unterminated part");

  auto headers_cut = extract(dir, "--" + std::string(kB) + "\r\nContent-Disposition: form-data");
  ASSERT_FALSE(headers_cut.r);
  EXPECT_EQ(headers_cut.r.error().message, "unterminated part");

  auto empty = extract(dir, "");
  ASSERT_FALSE(empty.r);
  EXPECT_EQ(empty.r.error().message, "no file part");

  auto no_boundary = extract(dir, "x", "multipart/form-data");
  ASSERT_FALSE(no_boundary.r);
  EXPECT_EQ(no_boundary.r.error().message, "multipart body has no boundary");

  auto huge_headers = extract(dir, "--" + std::string(kB) + "\r\nX-Big: " + std::string(40000, 'h') + "\r\n\r\nx\r\n" +
                                       closing());
  ASSERT_FALSE(huge_headers.r);
  EXPECT_EQ(huge_headers.r.error().message, "part headers too large");

  auto missing = find_file_part(dir / "does-not-exist", kType);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, voqo::ErrorCode::io);
}

TEST(Multipart, LargeBodyScannedAcrossChunkEdges) {
  TempDir dir;
  // Put the delimiter at every offset around the 256 KiB window edge.
  for (std::size_t shift : {0u, 1u, 2u, 5u, 20u, 39u, 40u, 41u, 60u}) {
    std::string head = part("Content-Disposition: form-data; name=\"x\"\r\n", "y") +
                       "--" + std::string(kB) + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n";
    std::size_t content_len = 256 * 1024 - head.size() - shift;
    std::string content(content_len, 'a');
    for (std::size_t i = 100; i + 1 < content.size(); i += 1000) content[i] = '\r', content[i + 1] = '\n';
    std::string body = head + content + "\r\n" + closing();
    auto e = extract(dir, body);
    ASSERT_TRUE(e.r) << "shift " << shift << ": " << e.r.error().message;
    EXPECT_EQ(e.r->offset, head.size());
    EXPECT_EQ(e.r->length, content.size()) << "shift " << shift;
  }
}

TEST(Multipart, SeveralMegabytes) {
  TempDir dir;
  std::string content;
  content.reserve(3 << 20);
  while (content.size() < (3u << 20)) content += "Ada Lovelace,+15551234567,ada@example.com\r\n";
  std::string body = part("Content-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
                          "Content-Type: text/csv\r\n",
                          content) +
                     closing();
  auto e = extract(dir, body);
  ASSERT_TRUE(e.r) << e.r.error().message;
  EXPECT_EQ(e.r->length, content.size());
  EXPECT_TRUE(e.bytes == content);
}
