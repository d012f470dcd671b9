#include "brain/openai_chat.hpp"

#include <algorithm>

#include "core/json_parse.hpp"
#include "net/http_client.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;

Error io_error(std::string message) { return Error{ErrorCode::io, std::move(message), {}}; }

// The error message of an HTTP error body: OpenAI and llama.cpp send
// {"error":{"message":...}}, Ollama {"error":"..."}; otherwise the body's start.
Error http_error(int status, std::string_view body) {
  std::string detail;
  json j = parse_json_or_discarded(body);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      detail = e["message"].get<std::string>();
    else if (e.is_string())
      detail = e.get<std::string>();
  }
  if (detail.empty()) detail = std::string(body.substr(0, 300));
  return io_error("LLM HTTP " + std::to_string(status) + ": " + detail);
}

std::string string_or_empty(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Arguments are a JSON string per the spec; tolerate servers that send an object.
std::string arguments_text(const json& function) {
  auto it = function.find("arguments");
  if (it == function.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump(-1, ' ', false, json::error_handler_t::replace);
}

// Merges one `delta.tool_calls` array into `calls` (function calling guide,
// "Streaming": the first fragment of a call carries id, type and name; later
// fragments carry only `index` and an `arguments` piece).
void merge_tool_call_deltas(const json& deltas, std::vector<ToolCall>& calls, std::vector<int>& indices) {
  if (!deltas.is_array()) return;
  for (std::size_t pos = 0; pos < deltas.size(); ++pos) {
    const json& d = deltas[pos];
    if (!d.is_object()) continue;
    const std::string id = string_or_empty(d, "id");
    int index = -1;
    if (auto it = d.find("index"); it != d.end() && it->is_number_integer()) index = it->get<int>();
    std::size_t slot = calls.size();
    if (index >= 0) {
      slot = static_cast<std::size_t>(std::find(indices.begin(), indices.end(), index) - indices.begin());
    } else if (!id.empty()) {  // no index (non-conforming server): match by id
      for (std::size_t i = 0; i < calls.size(); ++i)
        if (calls[i].id == id) slot = i;
    } else if (!calls.empty()) {
      slot = calls.size() - 1;
    }
    if (slot == calls.size()) {
      calls.emplace_back();
      indices.push_back(index >= 0 ? index : static_cast<int>(1000 + slot));
    }
    ToolCall& call = calls[slot];
    if (!id.empty() && call.id.empty()) call.id = id;
    if (auto f = d.find("function"); f != d.end() && f->is_object()) {
      const std::string name = string_or_empty(*f, "name");
      // Some servers repeat the full name on every fragment: do not double it.
      if (!name.empty() && name != call.name) call.name += name;
      call.arguments += arguments_text(*f);
    }
  }
}

// Tool calls ordered by their index (the order the model emitted them).
void sort_by_index(std::vector<ToolCall>& calls, std::vector<int>& indices) {
  std::vector<std::size_t> order(calls.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return indices[a] < indices[b]; });
  std::vector<ToolCall> sorted;
  sorted.reserve(calls.size());
  for (std::size_t i : order) sorted.push_back(std::move(calls[i]));
  calls = std::move(sorted);
}

net::HttpRequest make_request(const ChatEndpoint& endpoint, const ChatRequest& request, bool stream) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = chat_completions_url(endpoint.base_url);
  req.headers = {{"Content-Type", "application/json"},
                 {"Accept", stream ? "text/event-stream" : "application/json"}};
  if (!endpoint.api_key.empty()) req.headers.emplace_back("Authorization", "Bearer " + endpoint.api_key);
  req.body = OpenAiChat::request_body(request, stream).dump(-1, ' ', false, json::error_handler_t::replace);
  req.timeout = endpoint.timeout;
  req.guard = endpoint.allow_private_addresses ? net::AddressGuard::none : net::AddressGuard::public_only;
  return req;
}

}  // namespace

json ChatMessage::to_json() const {
  json j = {{"role", role}};
  if (role == "assistant" && content.empty() && !tool_calls.empty())
    j["content"] = nullptr;  // the documented form of a tool-calls-only assistant message
  else
    j["content"] = content;
  if (!tool_calls.empty()) {
    json calls = json::array();
    for (const ToolCall& c : tool_calls)
      calls.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    j["tool_calls"] = std::move(calls);
  }
  if (role == "tool") j["tool_call_id"] = tool_call_id;
  return j;
}

std::string chat_completions_url(std::string_view base_url) {
  std::string url(base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.ends_with("/chat/completions")) return url;
  if (url.ends_with("/v1")) return url + "/chat/completions";
  return url + "/v1/chat/completions";
}

json OpenAiChat::request_body(const ChatRequest& request, bool stream) {
  json body = {{"model", request.model}};
  json messages = json::array();
  for (const ChatMessage& m : request.messages) messages.push_back(m.to_json());
  body["messages"] = std::move(messages);
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
  if (stream) body["stream"] = true;
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const ToolSpec& t : request.tools)
      tools.push_back({{"type", "function"},
                       {"function", {{"name", t.name}, {"description", t.description}, {"parameters", t.parameters}}}});
    body["tools"] = std::move(tools);
  }
  if (request.json_object) body["response_format"] = {{"type", "json_object"}};
  return body;
}

Result<ChatCompletion> OpenAiChat::complete(const ChatRequest& request, std::stop_token stop) const {
  auto res = net::perform(make_request(endpoint_, request, false), {}, stop);
  if (!res) return std::unexpected(res.error());
  if (res->status < 200 || res->status >= 300) return std::unexpected(http_error(res->status, res->body));
  json body = parse_json_or_discarded(res->body);
  if (!body.is_object()) return std::unexpected(io_error("LLM sent a body that is not a JSON object"));
  if (body.contains("error")) return std::unexpected(http_error(res->status, res->body));
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object())
    return std::unexpected(io_error("LLM response has no choices"));
  const json& choice = (*choices)[0];
  ChatCompletion out;
  out.finish_reason = string_or_empty(choice, "finish_reason");
  if (auto m = choice.find("message"); m != choice.end() && m->is_object()) {
    out.content = string_or_empty(*m, "content");
    if (auto tc = m->find("tool_calls"); tc != m->end() && tc->is_array()) {
      for (const json& c : *tc) {
        if (!c.is_object()) continue;
        ToolCall call{string_or_empty(c, "id"), {}, {}};
        if (auto f = c.find("function"); f != c.end() && f->is_object()) {
          call.name = string_or_empty(*f, "name");
          call.arguments = arguments_text(*f);
        }
        out.tool_calls.push_back(std::move(call));
      }
    }
  }
  return out;
}

Result<ChatCompletion> OpenAiChat::stream(const ChatRequest& request, const TextDeltaSink& on_text,
                                          std::stop_token stop) const {
  ChatCompletion out;
  std::vector<int> indices;
  std::string raw;  // the body's start, for an HTTP error message
  bool done = false;
  bool stopped_by_sink = false;
  std::optional<Error> chunk_error;

  net::SseParser parser([&](std::string_view, std::string_view data) {
    if (done || stopped_by_sink || chunk_error) return;
    if (data == "[DONE]") {
      done = true;
      return;
    }
    json chunk = parse_json_or_discarded(data);
    if (!chunk.is_object()) return;  // tolerate keep-alive junk
    if (chunk.contains("error")) {
      chunk_error = http_error(200, data);
      return;
    }
    auto choices = chunk.find("choices");
    if (choices == chunk.end() || !choices->is_array() || choices->empty()) return;  // e.g. a usage-only chunk
    const json& choice = (*choices)[0];
    if (!choice.is_object()) return;
    if (const std::string reason = string_or_empty(choice, "finish_reason"); !reason.empty())
      out.finish_reason = reason;
    auto delta = choice.find("delta");
    if (delta == choice.end() || !delta->is_object()) return;
    if (const std::string text = string_or_empty(*delta, "content"); !text.empty()) {
      out.content += text;
      if (on_text && !on_text(text)) stopped_by_sink = true;
    }
    if (auto tc = delta->find("tool_calls"); tc != delta->end()) merge_tool_call_deltas(*tc, out.tool_calls, indices);
  });

  auto res = net::perform(make_request(endpoint_, request, true),
                          [&](std::string_view bytes) {
                            if (raw.size() < 65536) raw.append(bytes.substr(0, 65536 - raw.size()));
                            parser.feed(bytes);
                            return !stopped_by_sink && !chunk_error;
                          },
                          stop);
  if (chunk_error) return std::unexpected(*chunk_error);
  if (stopped_by_sink) return std::unexpected(io_error("aborted"));
  if (!res) return std::unexpected(res.error());
  if (res->status < 200 || res->status >= 300) return std::unexpected(http_error(res->status, raw));
  parser.feed("\n\n");  // a last event without its blank line
  if (chunk_error) return std::unexpected(*chunk_error);
  if (!done && out.finish_reason.empty()) return std::unexpected(io_error("truncated: the LLM stream ended early"));
  sort_by_index(out.tool_calls, indices);
  return out;
}

}  // namespace voqo::brain
