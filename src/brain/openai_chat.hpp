#pragma once
/// Client of the OpenAI-compatible Chat Completions API (POST
/// {base}/chat/completions), streamed or not, with function tools. Works with
/// OpenAI, vLLM, llama.cpp server and Ollama, which all speak this dialect.
/// Source: OpenAI API reference "Create chat completion" and "The chat
/// completion chunk object" (openai/openai-openapi, openapi.yaml), and the
/// function calling guide's "Streaming" section (tool_calls deltas by index).
///
/// Blocking (an HTTP round trip): run on a worker pool. Thread-compatible.
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace voqo::brain {

/// One function call the model asked for.
struct ToolCall {
  std::string id;         ///< "call_abc123"; echoed back as the tool message's tool_call_id
  std::string name;       ///< function name
  std::string arguments;  ///< JSON text exactly as the model produced it (may be invalid JSON)
};

/// One message of the conversation (`messages[]` of the request).
struct ChatMessage {
  std::string role;     ///< "system", "user", "assistant" or "tool"
  std::string content;  ///< text; "" for an assistant message that only calls tools (sent as null)
  std::vector<ToolCall> tool_calls;  ///< assistant only
  std::string tool_call_id;          ///< tool only: the call this message answers
  /// The wire form: {"role", "content", ["tool_calls"], ["tool_call_id"]}.
  [[nodiscard]] nlohmann::json to_json() const;
};

/// A function the model may call (`tools[]`: {"type":"function","function":{...}}).
struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json parameters = nlohmann::json::object();  ///< JSON Schema of the arguments object
};

/// One completion request.
struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  std::optional<double> temperature;  ///< omitted when unset
  std::optional<int> max_tokens;      ///< omitted when unset
  std::vector<ToolSpec> tools;        ///< omitted when empty
  /// Ask for `response_format: {"type":"json_object"}` (JSON mode).
  bool json_object = false;
};

/// The assembled answer (non-streamed, or every chunk of a stream merged).
struct ChatCompletion {
  std::string content;               ///< all text (deltas concatenated)
  std::vector<ToolCall> tool_calls;  ///< in index order
  std::string finish_reason;         ///< "stop", "length", "tool_calls", "content_filter" or "" if none came
};

/// Where to reach the server.
struct ChatEndpoint {
  /// Base URL. Rule: trailing '/' ignored; a URL already ending in
  /// "/chat/completions" is used as is; one ending in "/v1" (OpenAI's
  /// documented base "https://api.openai.com/v1", vLLM's ".../v1") gets
  /// "/chat/completions"; anything else (an Ollama or llama.cpp root such as
  /// "http://localhost:11434") gets "/v1/chat/completions".
  std::string base_url = "https://api.openai.com/v1";
  std::string api_key;  ///< sent as "Authorization: Bearer <key>"; "" = no header (local servers)
  std::chrono::milliseconds timeout{60000};  ///< whole request
  bool allow_private_addresses = true;       ///< LLM servers are often local: allowed by default
};

/// The completions URL for `base_url` (rule in ChatEndpoint::base_url).
std::string chat_completions_url(std::string_view base_url);

/// Receives each text delta as it arrives; return false to stop the stream.
using TextDeltaSink = std::function<bool(std::string_view delta)>;

class OpenAiChat {
 public:
  explicit OpenAiChat(ChatEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

  /// The JSON body for `request` (with "stream": true when `stream`).
  [[nodiscard]] static nlohmann::json request_body(const ChatRequest& request, bool stream);

  /// One non-streamed completion. Errors: ErrorCode::io for transport
  /// failures, an HTTP error status (message "LLM HTTP <status>: <error.message
  /// from the body, or the body's start>") or an unparseable body;
  /// ErrorCode::invalid_argument for a bad base URL.
  Result<ChatCompletion> complete(const ChatRequest& request, std::stop_token stop = {}) const;

  /// A streamed completion (`stream: true`, SSE `data: {chunk}` lines until
  /// `data: [DONE]`): text deltas go to `on_text` as they arrive, tool_calls
  /// deltas are merged by their `index` (id and name from the first fragment,
  /// `arguments` fragments concatenated). `stop` or `on_text` returning false
  /// ends it at once with ErrorCode::io "aborted". A stream that ends with
  /// neither [DONE] nor a finish_reason is ErrorCode::io "truncated". Other
  /// errors as complete(); an `{"error":...}` chunk mid-stream is an io error.
  Result<ChatCompletion> stream(const ChatRequest& request, const TextDeltaSink& on_text,
                                std::stop_token stop = {}) const;

 private:
  ChatEndpoint endpoint_;
};

}  // namespace voqo::brain
