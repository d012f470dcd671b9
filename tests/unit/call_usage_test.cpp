// What a call's work costs (issue 18 §2; core/call_usage.hpp,
// pipeline::ResourceUse): thread CPU time inside a scope, requests to
// providers counted for the call whose scope is open (and for no other),
// the peak of the memory noted; then a whole call on the stage harness
// with a real LlmBrain against a local OpenAI replay server: its
// ResourceUse counts exactly the requests the server received.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "brain/llm_brain.hpp"
#include "core/call_usage.hpp"
#include "net/http_client.hpp"
#include "support/replay_server.hpp"
#include "support/stage_harness.hpp"

namespace voqo {
namespace {

using nlohmann::json;
using test::ReplayExchange;
using test::ReplayServer;

/// Spins on the calling thread for about `ns` of its own CPU time.
void burn_cpu_ns(int64_t ns) {
  const int64_t until = thread_cpu_ns() + ns;
  volatile uint64_t x = 1;
  while (thread_cpu_ns() < until)
    for (int i = 0; i < 1000; ++i) x = x * 6364136223846793005ULL + 1;
}

TEST(CallUsage, AScopeAddsTheThreadCpuTimeSpentInsideIt) {
  CallUsage usage;
  { UsageScope scope(&usage); burn_cpu_ns(5'000'000); }
  EXPECT_GE(usage.cpu_ns(), 5'000'000);
  EXPECT_GE(usage.cpu_ms(), 5);
  const int64_t after = usage.cpu_ns();
  burn_cpu_ns(2'000'000);  // outside any scope: not the call's
  EXPECT_EQ(usage.cpu_ns(), after);
}

TEST(CallUsage, AnInnerScopeOfTheSameCallIsNotCountedTwice) {
  CallUsage usage;
  {
    UsageScope outer(&usage);
    UsageScope inner(&usage);
    burn_cpu_ns(4'000'000);
  }
  EXPECT_GE(usage.cpu_ns(), 4'000'000);
  EXPECT_LT(usage.cpu_ns(), 8'000'000) << "the inner scope's time is the outer's";
}

TEST(CallUsage, ApiCallsCountForTheScopeOpenOnThisThreadOnly) {
  CallUsage a, b;
  count_api_call();  // no scope: nobody's
  {
    UsageScope sa(&a);
    count_api_call();
    {
      UsageScope sb(&b);  // another call's work inside: its requests are its own
      count_api_call();
      count_api_call();
    }
    count_api_call();
    std::thread other([] { count_api_call(); });  // another thread has no scope open
    other.join();
  }
  count_api_call();
  EXPECT_EQ(a.api_calls(), 2);
  EXPECT_EQ(b.api_calls(), 2);
  EXPECT_EQ(current_usage(), nullptr);
}

TEST(CallUsage, MemoryKeepsThePeakNoted) {
  CallUsage usage;
  usage.note_memory(100);
  usage.note_memory(5000);
  usage.note_memory(300);
  EXPECT_EQ(usage.memory_bytes(), 5000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&usage, t] {
      for (int64_t i = 0; i < 10000; ++i) usage.note_memory(i * 4 + t);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(usage.memory_bytes(), 9999 * 4 + 3);
}

// ---- against a local provider server -------------------------------------

std::string openai_fixture(const std::string& name) {
  std::ifstream in(std::string(VOQO_SOURCE_DIR) + "/tests/data/openai/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) ADD_FAILURE() << "missing fixture " << name;
  return ss.str();
}

std::string http_json(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

/// The documented chat completion with its content replaced by `content`.
std::string completion(const std::string& content) {
  std::string body = openai_fixture("chat_completion.json");
  const std::string what = R"("Hello! How can I assist you today?")";
  const auto at = body.find(what);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) body.replace(at, what.size(), json(content).dump());
  return http_json(body);
}

/// A streamed answer of one sentence (the documented stream's first and last chunks around it).
ReplayExchange streamed(const std::string& text) {
  std::vector<std::string> chunks;
  std::istringstream in(openai_fixture("chat_completion_stream.txt"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line != "....") chunks.push_back(line);
  EXPECT_GE(chunks.size(), 3u);
  std::string middle = chunks.at(1);
  const std::string what = R"("content":"Hello")";
  middle.replace(middle.find(what), what.size(), R"("content":)" + json(text).dump());
  ReplayExchange ex{"POST", "/v1/chat/completions", "", {}, std::chrono::milliseconds(0)};
  ex.chunks = {"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n", "data: " + chunks[0] + "\n\n",
               "data: " + middle + "\n\n", "data: " + chunks[2] + "\n\n", "data: [DONE]\n\n"};
  return ex;
}

brain::LlmBrainConfig llm_config(const ReplayServer& llm) {
  brain::LlmBrainConfig cfg;
  cfg.base_url = llm.base_url();
  cfg.api_key = "sk-test";
  cfg.model = "gpt-4o-mini";
  return cfg;
}

TEST(CallUsage, EveryRequestOfTheHttpClientCountsForTheCallInScope) {
  ReplayServer server({{"GET", "/a", http_json("{}"), {}, {}}, {"GET", "/b", http_json("{}"), {}, {}},
                       {"GET", "/c", http_json("{}"), {}, {}}});
  CallUsage usage;
  {
    UsageScope scope(&usage);
    for (const char* path : {"/a", "/b"}) {
      net::HttpRequest req;
      req.url = server.base_url() + path;
      ASSERT_TRUE(net::perform(req));
    }
  }
  net::HttpRequest outside;  // a webhook's, say: no call's
  outside.url = server.base_url() + "/c";
  ASSERT_TRUE(net::perform(outside));
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(usage.api_calls(), 2);
}

TEST(CallUsage, ACallsResourceUseCountsItsLlmRequestsItsCpuAndItsMemory) {
  // The greeting is spoken as written (no request); the caller's turn is
  // one streamed completion; finish() asks for the summary: two requests.
  ReplayServer llm({streamed("We can help with that."),
                    {"POST", "/v1/chat/completions",
                     completion(json{{"outcome", "Follow-up Needed"}, {"summary", "Wants help with rent."},
                                     {"memories", json::array()}, {"doNotCall", false}}
                                    .dump()),
                     {},
                     {}}});
  test::PipelineHarness::Setup s;
  s.config = test::PipelineHarness::default_config();
  s.transcripts = {{"i need help with rent"}};
  s.make_brain = [&llm] {
    brain::CallContext ctx;
    ctx.call_id = "call-usage";
    ctx.agent_name = "Ava";
    ctx.greeting = "Hello, this is Ava.";
    ctx.direction = "inbound";
    return std::make_unique<brain::LlmBrain>(llm_config(llm), ctx);
  };
  test::PipelineHarness h(std::move(s));
  h.answer();
  h.silence(1500);
  h.play(test::audio::vowel(800));
  ASSERT_TRUE(h.wait_until([&h] { return h.agent_lines().size() >= 2; }, 5000));
  h.silence(1000);
  const pipeline::PipelineResult result = h.finish();
  ASSERT_EQ(result.transcript.size(), 3u);
  EXPECT_EQ(result.transcript[2].text, "We can help with that.");
  EXPECT_EQ(result.result.summary, "Wants help with rent.");
  EXPECT_EQ(llm.requests().size(), 2u);
  EXPECT_EQ(result.usage.api_calls, static_cast<int64_t>(llm.requests().size()));
  EXPECT_GE(result.usage.cpu_ms, 1) << "the stages' tasks and the media frames ran on this thread";
  // At least the caller's 800 ms in the speech-to-text ring (16 kHz PCM16)
  // and the greeting's and reply's audio in the playout ring.
  EXPECT_GT(result.usage.memory_bytes, 800 * 16 * 2 + 1000 * 16 * 2);
}

TEST(CallUsage, ACallThatMakesNoRequestCountsNone) {
  test::PipelineHarness::Setup s;
  s.config = test::PipelineHarness::default_config();
  s.replies = {{"We can help with that."}};
  s.transcripts = {{"i need help with rent"}};
  test::PipelineHarness h(std::move(s));
  h.answer();
  h.silence(1500);
  h.play(test::audio::vowel(800));
  h.silence(2000);
  const auto result = h.finish();
  EXPECT_EQ(result.usage.api_calls, 0);
  EXPECT_GE(result.usage.cpu_ms, 1);
  EXPECT_GT(result.usage.memory_bytes, 800 * 16 * 2);
}

}  // namespace
}  // namespace voqo
