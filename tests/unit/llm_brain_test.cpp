// OpenAiChat and LlmBrain against ReplayServer replaying OpenAI's documented
// examples (tests/data/openai, see its README for sources and framing).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "brain/llm_brain.hpp"
#include "brain/openai_chat.hpp"
#include "core/time.hpp"
#include "support/replay_server.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;
using test::ReplayExchange;
using test::ReplayServer;
using namespace std::chrono_literals;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(VOQO_SOURCE_DIR) + "/tests/data/openai/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) ADD_FAILURE() << "missing fixture " << name;
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line != "....") out.push_back(line);
  return out;
}

std::string replace_once(std::string s, std::string_view what, std::string_view with) {
  auto at = s.find(what);
  EXPECT_NE(at, std::string::npos) << what;
  if (at != std::string::npos) s.replace(at, what.size(), with);
  return s;
}

std::string http_json(const std::string& body, std::string_view status = "200 OK") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The documented chunk objects (chat_completion_stream.txt, "...." dropped).
std::vector<std::string> documented_chunks() { return lines_of(fixture("chat_completion_stream.txt")); }

// The documented "Hello" chunk with only the content string replaced.
std::string text_chunk(std::string_view text) {
  return replace_once(documented_chunks()[1], R"("content":"Hello")", R"("content":)" + json(text).dump());
}
std::string tool_calls_chunk(const std::string& deltas_array) {
  return replace_once(documented_chunks()[1], R"({"content":"Hello"})", R"({"tool_calls":)" + deltas_array + "}");
}
std::string final_chunk(std::string_view finish_reason) {
  return replace_once(documented_chunks()[2], R"("finish_reason":"stop")",
                      R"("finish_reason":")" + std::string(finish_reason) + "\"");
}

// An SSE response: the head with the first `immediate` `data:` events, then
// one event per write `delay` apart, then `data: [DONE]`.
ReplayExchange sse(std::vector<std::string> chunks, std::chrono::milliseconds delay = 5ms, std::size_t immediate = 0) {
  ReplayExchange ex{"POST", "/v1/chat/completions", "", {}, delay};
  std::string first = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (i < immediate)
      first += "data: " + chunks[i] + "\n\n";
    else
      ex.chunks.push_back("data: " + chunks[i] + "\n\n");
  }
  ex.chunks.insert(ex.chunks.begin(), first);
  ex.chunks.push_back("data: [DONE]\n\n");
  return ex;
}

// A streamed text answer split into the given deltas; the first delta comes
// with the head, the others `delay` apart.
ReplayExchange sse_text(const std::vector<std::string>& deltas, std::chrono::milliseconds delay = 5ms) {
  std::vector<std::string> chunks = {documented_chunks()[0]};
  for (const std::string& d : deltas) chunks.push_back(text_chunk(d));
  chunks.push_back(documented_chunks()[2]);
  return sse(chunks, delay, 2);
}

// The documented streamed tool call (get_weather, Paris) with `name` and the
// argument fragments optionally replaced.
ReplayExchange sse_documented_tool_call(const std::string& text_before = "") {
  std::vector<std::string> chunks = {documented_chunks()[0]};
  if (!text_before.empty()) chunks.push_back(text_chunk(text_before));
  for (const std::string& line : lines_of(fixture("tool_calls_stream_deltas.txt")))
    chunks.push_back(line == "null" ? final_chunk("tool_calls") : tool_calls_chunk(line));
  return sse(chunks);
}

// One complete tool call in a single delta (as Ollama and vLLM send them).
ReplayExchange sse_tool_call(const std::string& id, const std::string& name, const json& args,
                             const std::string& text_before = "") {
  std::vector<std::string> chunks = {documented_chunks()[0]};
  if (!text_before.empty()) chunks.push_back(text_chunk(text_before));
  json delta = json::array({{{"index", 0}, {"id", id}, {"type", "function"},
                             {"function", {{"name", name}, {"arguments", args.dump()}}}}});
  chunks.push_back(tool_calls_chunk(delta.dump()));
  chunks.push_back(final_chunk("tool_calls"));
  return sse(chunks);
}

CallContext sample_context() {
  CallContext c;
  c.call_id = "call-1";
  c.agent_name = "Ava";
  c.system_prompt = "You are Ava, a friendly assistant for Acme Realty.";
  c.direction = "outbound";
  c.purpose = "sales";
  c.contact_name = "Jane Doe";
  c.contact_phone = "+14155550123";
  c.memories = {"Prefers afternoon calls", "Interested in 3-bedroom homes"};
  c.time_zone = "America/New_York";
  c.now = *parse_iso8601("2025-03-04T19:05:00Z");  // 2:05 PM EST
  c.temperature = 0.4;
  c.max_tokens = 150;
  return c;
}

LlmBrainConfig config_for(const ReplayServer& llm) {
  LlmBrainConfig cfg;
  cfg.base_url = llm.base_url();  // no "/v1": the client adds "/v1/chat/completions"
  cfg.api_key = "sk-test";
  cfg.model = "gpt-4o-mini";
  return cfg;
}

CustomFunction weather_function(const ReplayServer& fn_server) {
  CustomFunction f;
  f.name = "get_weather";
  f.description = "Get current temperature for a given location.";
  f.endpoint = fn_server.base_url() + "/weather";
  f.method = "GET";
  f.headers = {{"X-Tenant", "acme"}};
  f.auth_type = "bearer";
  f.auth_config = {{"token", "tok-123"}};
  f.parameters = json::parse(R"({"type":"object","properties":{
      "location":{"type":"string","description":"City and country e.g. Bogotá, Colombia"},
      "unit":{"type":"string","enum":["celsius","fahrenheit"]}},
      "required":["location"],"additionalProperties":false})");
  f.response_mapping = {{"path", "/data"}};
  return f;
}

struct Collect {
  std::vector<std::string> sentences;
  TextSink sink() {
    return [this](std::string_view s) {
      sentences.emplace_back(s);
      return true;
    };
  }
};

json body_of(const test::RecordedRequest& r) { return json::parse(r.body); }

// ---- OpenAiChat -------------------------------------------------------------

TEST(OpenAiChat, CompletionsUrlRule) {
  EXPECT_EQ(chat_completions_url("https://api.openai.com/v1"), "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("https://api.openai.com/v1/"), "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("http://localhost:11434"), "http://localhost:11434/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("http://gpu:8000/v1"), "http://gpu:8000/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("http://h/x/chat/completions"), "http://h/x/chat/completions");
}

TEST(OpenAiChat, DocumentedNonStreamedResponse) {
  ReplayServer server({{"POST", "/v1/chat/completions", http_json(fixture("chat_completion.json")), {}, {}}});
  OpenAiChat chat({server.base_url() + "/v1", "sk-test", 10s, true});
  ChatRequest req{"gpt-5.4", {{"developer", "You are a helpful assistant.", {}, {}}, {"user", "Hello!", {}, {}}},
                  std::nullopt, std::nullopt, {}, false};
  auto c = chat.complete(req);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->content, "Hello! How can I assist you today?");
  EXPECT_EQ(c->finish_reason, "stop");
  EXPECT_TRUE(c->tool_calls.empty());
  auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("authorization"), "Bearer sk-test");
  EXPECT_EQ(got[0].header("content-type"), "application/json");
  const json body = body_of(got[0]);
  EXPECT_EQ(body, json::parse(R"({"model":"gpt-5.4","messages":[
      {"role":"developer","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]})"));
}

TEST(OpenAiChat, DocumentedStreamReplayedByteForByte) {
  std::vector<std::string> chunks = documented_chunks();
  ASSERT_EQ(chunks.size(), 3u);
  ReplayServer server({sse(chunks)});
  OpenAiChat chat({server.base_url(), "", 10s, true});
  std::vector<std::string> deltas;
  auto c = chat.stream({"gpt-4o-mini", {{"user", "Hello!", {}, {}}}, 0.5, 20, {}, false}, [&](std::string_view d) {
    deltas.emplace_back(d);
    return true;
  });
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->content, "Hello");
  EXPECT_EQ(c->finish_reason, "stop");
  EXPECT_EQ(deltas, std::vector<std::string>{"Hello"});
  auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("authorization"), "");  // no key, no header (local servers)
  EXPECT_EQ(got[0].header("accept"), "text/event-stream");
  const json body = body_of(got[0]);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["temperature"], 0.5);
  EXPECT_EQ(body["max_tokens"], 20);
}

TEST(OpenAiChat, DocumentedToolCallsResponse) {
  ReplayServer server(
      {{"POST", "/v1/chat/completions", http_json(fixture("chat_completion_tool_calls.json")), {}, {}}});
  OpenAiChat chat({server.base_url(), "", 10s, true});
  ToolSpec weather{"get_current_weather", "Get the current weather in a given location",
                   json::parse(R"({"type":"object","properties":{"location":{"type":"string"}},"required":["location"]})")};
  auto c = chat.complete({"gpt-5.4", {{"user", "What is the weather like in Boston today?", {}, {}}}, {}, {},
                          {weather}, false});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->finish_reason, "tool_calls");
  EXPECT_EQ(c->content, "");
  ASSERT_EQ(c->tool_calls.size(), 1u);
  EXPECT_EQ(c->tool_calls[0].id, "call_abc123");
  EXPECT_EQ(c->tool_calls[0].name, "get_current_weather");
  EXPECT_EQ(json::parse(c->tool_calls[0].arguments), json({{"location", "Boston, MA"}}));
  const json tools = body_of(server.requests().at(0))["tools"];
  EXPECT_EQ(tools, json::parse(R"([{"type":"function","function":{"name":"get_current_weather",
      "description":"Get the current weather in a given location",
      "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}])"));
}

TEST(OpenAiChat, DocumentedStreamedToolCallDeltasAreAssembled) {
  ReplayServer server({sse_documented_tool_call()});
  OpenAiChat chat({server.base_url(), "", 10s, true});
  auto c = chat.stream({"gpt-4.1", {{"user", "What's the weather like in Paris today?", {}, {}}}, {}, {}, {}, false},
                       {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->finish_reason, "tool_calls");
  ASSERT_EQ(c->tool_calls.size(), 1u);
  EXPECT_EQ(c->tool_calls[0].id, "call_DdmO9pD3xa9XTPNJ32zg2hcA");
  EXPECT_EQ(c->tool_calls[0].name, "get_weather");
  EXPECT_EQ(c->tool_calls[0].arguments, R"({"location":"Paris, France"})");
}

TEST(OpenAiChat, TwoParallelToolCallsInterleavedByIndex) {
  std::vector<std::string> chunks = {documented_chunks()[0]};
  chunks.push_back(tool_calls_chunk(
      R"([{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}},)"
      R"({"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":"{\"y\":"}}])"));
  chunks.push_back(tool_calls_chunk(R"([{"index":0,"function":{"arguments":"{\"x\":1}"}}])"));
  chunks.push_back(tool_calls_chunk(R"([{"index":1,"function":{"arguments":"2}"}}])"));
  chunks.push_back(final_chunk("tool_calls"));
  ReplayServer server({sse(chunks)});
  auto c = OpenAiChat({server.base_url(), "", 10s, true}).stream({"m", {{"user", "x", {}, {}}}, {}, {}, {}, false}, {});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->tool_calls.size(), 2u);
  EXPECT_EQ(c->tool_calls[0].id, "call_a");
  EXPECT_EQ(c->tool_calls[0].arguments, R"({"x":1})");
  EXPECT_EQ(c->tool_calls[1].name, "g");
  EXPECT_EQ(c->tool_calls[1].arguments, R"({"y":2})");
}

TEST(OpenAiChat, Http401ErrorBodyIsSurfaced) {
  const std::string raw = http_json(fixture("error_401.json"), "401 Unauthorized");
  ReplayServer server({{"POST", "/v1/chat/completions", raw, {}, {}}, {"POST", "/v1/chat/completions", raw, {}, {}}});
  OpenAiChat chat({server.base_url(), "sk-abc123", 10s, true});
  ChatRequest req{"gpt-4o-mini", {{"user", "Hi", {}, {}}}, {}, {}, {}, false};
  for (bool streamed : {false, true}) {
    auto c = streamed ? chat.stream(req, {}) : chat.complete(req);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, ErrorCode::io);
    EXPECT_TRUE(c.error().message.starts_with("LLM HTTP 401: Incorrect API key provided")) << c.error().message;
  }
}

TEST(OpenAiChat, StreamEndingWithoutDoneOrFinishIsTruncated) {
  ReplayExchange ex{"POST", "/v1/chat/completions",
                    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: " + text_chunk("Hel") + "\n\n",
                    {}, {}};
  ReplayServer server({ex});
  auto c = OpenAiChat({server.base_url(), "", 10s, true}).stream({"m", {{"user", "x", {}, {}}}, {}, {}, {}, false}, {});
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().message.starts_with("truncated")) << c.error().message;
}

// ---- LlmBrain -------------------------------------------------------------

TEST(LlmBrain, RequestCarriesSystemContextMemoriesAndTools) {
  ReplayServer llm({sse_text({"Sure."})});
  ReplayServer fn({});
  LlmBrainConfig cfg = config_for(llm);
  cfg.functions = {weather_function(fn)};
  CustomFunction disabled = weather_function(fn);
  disabled.name = "disabled_fn";
  disabled.enabled = false;
  cfg.functions.push_back(disabled);
  LlmBrain brain(cfg, sample_context());
  Collect out;
  auto reply = brain.respond("Hello, who is this?", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;

  auto got = llm.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/v1/chat/completions");
  EXPECT_EQ(got[0].header("authorization"), "Bearer sk-test");
  const json body = body_of(got[0]);
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["temperature"], 0.4);
  EXPECT_EQ(body["max_tokens"], 150);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][1], json({{"role", "user"}, {"content", "Hello, who is this?"}}));
  EXPECT_EQ(body["messages"][0]["role"], "system");
  const std::string system = body["messages"][0]["content"];
  EXPECT_TRUE(system.starts_with("You are Ava, a friendly assistant for Acme Realty.")) << system;
  EXPECT_NE(system.find("What you know about this contact:\n- Prefers afternoon calls\n- Interested in 3-bedroom homes\n"),
            std::string::npos) << system;
  EXPECT_NE(system.find("outbound call: you called Jane Doe (+14155550123)"), std::string::npos) << system;
  // 19:05 UTC is 2:05 PM in New York (EST, UTC-5) on that day.
  EXPECT_NE(system.find("Tuesday, March 4, 2025, 2:05 PM (America/New_York, UTC-05:00)"), std::string::npos) << system;
  EXPECT_NE(system.find("no markdown"), std::string::npos);
  EXPECT_EQ(system, brain.system_message());

  std::vector<std::string> names;
  for (const json& t : body["tools"]) {
    EXPECT_EQ(t["type"], "function");
    names.push_back(t["function"]["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"end_call", "transfer_call", "schedule_callback", "add_to_do_not_call",
                                             "get_weather"}));
  const json& weather = body["tools"][4]["function"];
  EXPECT_EQ(weather["parameters"], weather_function(fn).parameters);
  const json& end_call = body["tools"][0]["function"]["parameters"];
  EXPECT_EQ(end_call["properties"]["outcome"]["enum"].size(), all_outcomes().size());
  EXPECT_EQ(end_call["properties"]["outcome"]["enum"][0], "Demo Scheduled");
}

TEST(LlmBrain, DateFollowsTheCalleesZoneAcrossDst) {
  ReplayServer llm({});
  CallContext ctx = sample_context();
  ctx.now = *parse_iso8601("2025-07-04T03:30:00Z");  // still July 3rd in New York (EDT, UTC-4)
  EXPECT_NE(LlmBrain(config_for(llm), ctx).system_message().find("Thursday, July 3, 2025, 11:30 PM (America/New_York, UTC-04:00)"),
            std::string::npos);
  ctx.time_zone = "Asia/Kolkata";
  EXPECT_NE(LlmBrain(config_for(llm), ctx).system_message().find("Friday, July 4, 2025, 9:00 AM (Asia/Kolkata, UTC+05:30)"),
            std::string::npos);
}

TEST(LlmBrain, SentencesAreStreamedInOrderAsTheyComplete) {
  ReplayServer llm({sse_text({"Hi Jane", ". I'm calling from **Acme Realty**", " about Mr. Smith's house", " at 12.5 Elm Street.",
                              " Is now", " a good time?", " It costs $3.5 million!\nReally", "."})});
  LlmBrain brain(config_for(llm), sample_context());
  Collect out;
  auto reply = brain.respond("Hello?", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(out.sentences,
            (std::vector<std::string>{"Hi Jane.", "I'm calling from Acme Realty about Mr. Smith's house at 12.5 Elm Street.",
                                      "Is now a good time?", "It costs $3.5 million!", "Really."}));
  EXPECT_EQ(reply->text,
            "Hi Jane. I'm calling from Acme Realty about Mr. Smith's house at 12.5 Elm Street. Is now a good time? "
            "It costs $3.5 million! Really.");
  EXPECT_FALSE(reply->end_call);
  EXPECT_EQ(brain.history().back().role, "assistant");
  EXPECT_EQ(brain.history().back().content, reply->text);
}

TEST(LlmBrain, SinkFalseStopsTheStreamAfterTheFirstSentence) {
  // The rest of the answer is 1.5 s away: the first sentence must reach the
  // sink while the stream is still open, and the sink's "stop" ends it.
  ReplayServer llm({sse_text({"Hi Jane. I'm", " calling from Acme.", " More text."}, 1500ms)});
  LlmBrain brain(config_for(llm), sample_context());
  std::vector<std::string> got;
  auto reply = brain.respond("Hello?", [&](std::string_view s) {
    got.emplace_back(s);
    return false;
  }, {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(got, std::vector<std::string>{"Hi Jane."});
  EXPECT_EQ(reply->text, "Hi Jane.");
}

TEST(LlmBrain, StopTokenAbortsMidStreamAndInterruptedRewritesHistory) {
  ReplayServer llm({sse_text({"Hi Jane. I'm calling", " from Acme.", " About your house."}, 1500ms)});
  LlmBrain brain(config_for(llm), sample_context());
  std::stop_source stop;
  std::vector<std::string> got;
  auto reply = brain.respond("Hello?", [&](std::string_view s) {
    got.emplace_back(s);
    stop.request_stop();  // barge-in right after the first sentence
    return true;
  }, stop.get_token());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(got, std::vector<std::string>{"Hi Jane."});
  EXPECT_EQ(reply->text, "Hi Jane.");
  EXPECT_EQ(brain.history().back().content, "Hi Jane.");
  brain.interrupted("Hi");
  EXPECT_EQ(brain.history().back().role, "assistant");
  EXPECT_EQ(brain.history().back().content, "Hi " + std::string(kInterruptedMarker));
}

TEST(LlmBrain, InterruptedKeepsOnlyWhatWasSpoken) {
  ReplayServer llm({sse_text({"One. Two. Three."})});
  LlmBrain brain(config_for(llm), sample_context());
  Collect out;
  ASSERT_TRUE(brain.respond("Count", out.sink(), {}));
  brain.interrupted("One. Tw");
  EXPECT_EQ(brain.history().back().content, "One. Tw " + std::string(kInterruptedMarker));
  const std::size_t size = brain.history().size();
  brain.interrupted("ignored: no turn pending");  // a second call changes nothing
  EXPECT_EQ(brain.history().size(), size);
  EXPECT_EQ(brain.history().back().content, "One. Tw " + std::string(kInterruptedMarker));
}

TEST(LlmBrain, ToolCallRoundTripThroughALocalFunctionServer) {
  ReplayServer fn({{"GET", "/weather?location=Paris%2C%20France",
                    http_json(R"({"data":{"temp_c":18,"sky":"cloudy"},"meta":{"source":"test"}})"), {}, {}}});
  ReplayServer llm({sse_documented_tool_call("Let me check."), sse_text({"It is 18 degrees and cloudy in Paris."})});
  LlmBrainConfig cfg = config_for(llm);
  cfg.allow_private_tool_hosts = true;
  cfg.functions = {weather_function(fn)};
  LlmBrain brain(cfg, sample_context());
  Collect out;
  auto reply = brain.respond("What's the weather like in Paris today?", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(out.sentences, (std::vector<std::string>{"Let me check.", "It is 18 degrees and cloudy in Paris."}));
  EXPECT_EQ(reply->text, "Let me check. It is 18 degrees and cloudy in Paris.");

  // The function server got the call with its method, headers and auth.
  auto calls = fn.requests();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "GET");
  EXPECT_EQ(calls[0].target, "/weather?location=Paris%2C%20France");
  EXPECT_EQ(calls[0].header("authorization"), "Bearer tok-123");
  EXPECT_EQ(calls[0].header("x-tenant"), "acme");
  EXPECT_EQ(calls[0].body, "");

  // The second LLM request carries the call and its mapped result.
  auto got = llm.requests();
  ASSERT_EQ(got.size(), 2u);
  const json messages = body_of(got[1])["messages"];
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2], json::parse(R"({"role":"assistant","content":"Let me check.","tool_calls":[
      {"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function",
       "function":{"name":"get_weather","arguments":"{\"location\":\"Paris, France\"}"}}]})"));
  EXPECT_EQ(messages[3]["role"], "tool");
  EXPECT_EQ(messages[3]["tool_call_id"], "call_DdmO9pD3xa9XTPNJ32zg2hcA");
  EXPECT_EQ(json::parse(messages[3]["content"].get<std::string>()), json({{"temp_c", 18}, {"sky", "cloudy"}}));
}

TEST(LlmBrain, InvalidArgumentsGoBackToTheModelWithoutACall) {
  ReplayServer fn({});
  ReplayServer llm({sse_tool_call("call_1", "get_weather", {{"unit", "kelvin"}}),
                    sse_text({"Which city do you mean?"})});
  LlmBrainConfig cfg = config_for(llm);
  cfg.allow_private_tool_hosts = true;
  cfg.functions = {weather_function(fn)};
  LlmBrain brain(cfg, sample_context());
  Collect out;
  auto reply = brain.respond("Weather?", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->text, "Which city do you mean?");
  EXPECT_TRUE(fn.requests().empty());
  const json tool_msg = body_of(llm.requests().at(1))["messages"].back();
  EXPECT_EQ(tool_msg["role"], "tool");
  EXPECT_EQ(tool_msg["tool_call_id"], "call_1");
  const std::string error = json::parse(tool_msg["content"].get<std::string>())["error"];
  EXPECT_NE(error.find("invalid arguments for get_weather"), std::string::npos) << error;
  EXPECT_NE(error.find("location"), std::string::npos) << error;  // required
  EXPECT_NE(error.find("/unit"), std::string::npos) << error;     // enum
}

TEST(LlmBrain, PrivateToolEndpointRefusedByDefault) {
  ReplayServer fn({{"GET", "/weather?location=Paris", http_json("{}"), {}, {}}});
  ReplayServer llm({sse_tool_call("call_1", "get_weather", {{"location", "Paris"}}), sse_text({"Sorry, I can't check."})});
  LlmBrainConfig cfg = config_for(llm);  // allow_private_tool_hosts = false
  cfg.functions = {weather_function(fn)};
  LlmBrain brain(cfg, sample_context());
  Collect out;
  auto reply = brain.respond("Weather?", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_TRUE(fn.requests().empty());
  const json tool_msg = body_of(llm.requests().at(1))["messages"].back();
  const std::string error = json::parse(tool_msg["content"].get<std::string>())["error"];
  EXPECT_NE(error.find("refused"), std::string::npos) << error;
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
}

TEST(LlmBrain, EndCallWithGoodbyeSetsReplyAndNeedsNoSecondRound) {
  ReplayServer llm({sse_tool_call("call_end", "end_call", {{"reason", "not interested"}, {"outcome", "Not Interested"}},
                                  "No problem, have a great day!")});
  LlmBrain brain(config_for(llm), sample_context());
  Collect out;
  auto reply = brain.respond("Not interested, thanks.", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(llm.requests().size(), 1u);
  EXPECT_TRUE(reply->end_call);
  EXPECT_EQ(reply->outcome, Outcome::not_interested);
  EXPECT_EQ(reply->text, "No problem, have a great day!");
  EXPECT_EQ(brain.phase(), "closing");
  EXPECT_EQ(brain.history().back().role, "tool");  // the call is answered in history
  EXPECT_EQ(brain.history().back().tool_call_id, "call_end");
}

TEST(LlmBrain, BuiltinCallbackTransferAndDoNotCall) {
  ReplayServer llm({sse_tool_call("c1", "schedule_callback", {{"when", "2025-03-05T15:00"}, {"reason", "busy"}}),
                    sse_text({"I'll call you tomorrow at three."}),
                    sse_tool_call("c2", "add_to_do_not_call", json::object(), "Understood, I won't call again."),
                    sse_tool_call("c3", "transfer_call", {{"to", "+14155550100"}}, "Transferring you now.")});
  LlmBrain brain(config_for(llm), sample_context());
  Collect out;
  auto r1 = brain.respond("Call me tomorrow at 3pm", out.sink(), {});
  ASSERT_TRUE(r1) << r1.error().message;
  ASSERT_TRUE(r1->callback_at.has_value());
  EXPECT_EQ(to_iso8601(*r1->callback_at), "2025-03-05T20:00:00.000Z");  // 3 PM EST, no offset given
  EXPECT_EQ(r1->outcome, Outcome::call_back_later);
  EXPECT_EQ(r1->text, "I'll call you tomorrow at three.");
  auto r2 = brain.respond("Never call me again", out.sink(), {});
  ASSERT_TRUE(r2);
  EXPECT_TRUE(r2->do_not_call);
  auto r3 = brain.respond("Let me talk to a person", out.sink(), {});
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->transfer_to, "+14155550100");
  EXPECT_EQ(r3->outcome, Outcome::transferred);
  EXPECT_EQ(llm.requests().size(), 4u);
}

TEST(LlmBrain, ToolRoundsAreCappedPerTurn) {
  ReplayServer llm({sse_tool_call("c1", "add_to_do_not_call", json::object()),
                    sse_tool_call("c2", "add_to_do_not_call", json::object()), sse_text({"Done."})});
  LlmBrainConfig cfg = config_for(llm);
  cfg.max_tool_rounds = 2;
  LlmBrain brain(cfg, sample_context());
  Collect out;
  auto reply = brain.respond("x", out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->text, "Done.");
  auto got = llm.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(body_of(got[1]).contains("tools"));
  EXPECT_FALSE(body_of(got[2]).contains("tools"));  // the last round must answer in words
}

TEST(LlmBrain, GreetingIsSpokenAsIsWithoutTheLlm) {
  ReplayServer llm({});
  CallContext ctx = sample_context();
  ctx.greeting = "Hi, this is Ava from Acme Realty. Do you have a minute?";
  LlmBrain brain(config_for(llm), ctx);
  Collect out;
  auto reply = brain.greet(out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(out.sentences, (std::vector<std::string>{"Hi, this is Ava from Acme Realty.", "Do you have a minute?"}));
  EXPECT_EQ(reply->text, ctx.greeting);
  EXPECT_TRUE(llm.requests().empty());
  EXPECT_EQ(brain.history().back().role, "assistant");
  EXPECT_EQ(brain.history().back().content, ctx.greeting);
  EXPECT_EQ(brain.phase(), "opening");
}

TEST(LlmBrain, WithoutGreetingTheLlmOpens) {
  ReplayServer llm({sse_text({"Hello Jane! ", "This is Ava."})});
  LlmBrain brain(config_for(llm), sample_context());
  Collect out;
  auto reply = brain.greet(out.sink(), {});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(out.sentences, (std::vector<std::string>{"Hello Jane!", "This is Ava."}));
  const json messages = body_of(llm.requests().at(0))["messages"];
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1]["role"], "user");
}

TEST(LlmBrain, Http401IsAnError) {
  ReplayServer llm({{"POST", "/v1/chat/completions", http_json(fixture("error_401.json"), "401 Unauthorized"), {}, {}}});
  LlmBrain brain(config_for(llm), sample_context());
  Collect out;
  auto reply = brain.respond("Hi", out.sink(), {});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::io);
  EXPECT_NE(reply.error().message.find("Incorrect API key provided"), std::string::npos);
}

std::string summary_response(const json& summary) {
  return http_json(replace_once(fixture("chat_completion.json"), R"("Hello! How can I assist you today?")",
                                json(summary.dump()).dump()));
}

std::vector<model::TranscriptLine> sample_transcript() {
  return {{"", "agent", "Hi Jane, this is Ava from Acme Realty.", 0, 2000, 1.0, true, false},
          {"", "caller", "I'm busy, call me tomorrow at three.", 2500, 4500, 0.9, true, false},
          {"", "agent", "Of course, I'll call", 5000, 6000, 1.0, true, true}};
}

TEST(LlmBrain, FinishParsesTheJsonSummary) {
  ReplayServer llm({{"POST", "/v1/chat/completions",
                     summary_response({{"outcome", "Call Back Later"},
                                       {"summary", "Jane was busy and asked for a call tomorrow."},
                                       {"memories", {"Busy on weekday mornings", 42, ""}},
                                       {"callbackAt", "2025-03-05T15:00:00-05:00"},
                                       {"doNotCall", false}}),
                     {}, {}}});
  LlmBrain brain(config_for(llm), sample_context());
  auto result = brain.finish(sample_transcript(), {});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, Outcome::call_back_later);
  EXPECT_EQ(result->summary, "Jane was busy and asked for a call tomorrow.");
  EXPECT_EQ(result->memories, std::vector<std::string>{"Busy on weekday mornings"});
  ASSERT_TRUE(result->callback_at);
  EXPECT_EQ(to_iso8601(*result->callback_at), "2025-03-05T20:00:00.000Z");
  EXPECT_FALSE(result->do_not_call);
  const json body = body_of(llm.requests().at(0));
  EXPECT_EQ(body["response_format"], json({{"type", "json_object"}}));
  EXPECT_FALSE(body.contains("stream"));
  const std::string transcript = body["messages"][1]["content"];
  EXPECT_NE(transcript.find("Caller: I'm busy, call me tomorrow at three.\n"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("Agent: Of course, I'll call (cut off by the caller)"), std::string::npos) << transcript;
}

TEST(LlmBrain, FinishRetriesWithoutJsonModeAndRejectsNonJson) {
  ReplayServer llm(
      {{"POST", "/v1/chat/completions",
        http_json(R"({"error":{"message":"response_format is not supported","type":"invalid_request_error","param":null,"code":null}})",
                  "400 Bad Request"),
        {}, {}},
       {"POST", "/v1/chat/completions", summary_response("not json at all"), {}, {}}});
  LlmBrain brain(config_for(llm), sample_context());
  auto result = brain.finish(sample_transcript(), {});
  auto got = llm.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(body_of(got[0]).contains("response_format"));
  EXPECT_FALSE(body_of(got[1]).contains("response_format"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::io);
}

TEST(LlmBrain, FinishWithoutCallerSpeechMakesNoRequest) {
  ReplayServer llm({});
  LlmBrain brain(config_for(llm), sample_context());
  std::vector<model::TranscriptLine> t = {{"", "agent", "Hello?", 0, 1000, 1.0, true, false}};
  auto result = brain.finish(t, {});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->summary, "");
  EXPECT_TRUE(llm.requests().empty());
}

}  // namespace
}  // namespace voqo::brain

namespace voqo::brain {
namespace {

TEST(LlmBrain, CoachingIsASystemMessageBeforeTheNextUserTurnOnly) {
  ReplayServer llm({sse_text({"Sure, and the valuation is free."}), sse_text({"Great."})});
  CallContext ctx = sample_context();
  ctx.greeting = "Hi, this is Ava. Do you have a minute?";
  LlmBrain brain(config_for(llm), ctx);
  Collect out;
  ASSERT_TRUE(brain.greet(out.sink(), {}));  // a fixed greeting: no LLM call, the whisper waits
  brain.coach("  Mention that the valuation is free.  ");
  brain.coach("   ");  // blank: ignored
  ASSERT_TRUE(brain.respond("Yes, go ahead.", out.sink(), {}));
  ASSERT_TRUE(brain.respond("Okay.", out.sink(), {}));
  const auto got = llm.requests();
  ASSERT_EQ(got.size(), 2u);
  const json first = body_of(got[0])["messages"];
  ASSERT_GE(first.size(), 3u);
  EXPECT_EQ(first[first.size() - 2]["role"], "system");
  EXPECT_EQ(first[first.size() - 2]["content"],
            "Supervisor coaching (the caller does not hear this): Mention that the valuation is free.");
  EXPECT_EQ(first.back()["role"], "user");
  EXPECT_EQ(first.back()["content"], "Yes, go ahead.");
  // The whisper is given once; it stays in history, not repeated.
  const json second = body_of(got[1])["messages"];
  int coaching = 0;
  for (const auto& m : second) coaching += m["content"].is_string() && m["content"].get<std::string>().starts_with("Supervisor coaching");
  EXPECT_EQ(coaching, 1);
  EXPECT_EQ(second[second.size() - 2]["role"], "assistant");
}

}  // namespace
}  // namespace voqo::brain
