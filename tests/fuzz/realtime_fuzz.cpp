// The realtime protocol (src/realtime/hub.hpp, docs/REALTIME.md): a client's
// WebSocket text frames reach Session::on_message as they are. Input: one
// client message per line; between messages the hub publishes a change on
// each of the queries' topics, and the transport acknowledges what was sent
// (every other line), so subscribe / resume / unsubscribe / change / close
// interleave as on a real connection. Queries as in the live monitor:
// liveCalls (all calls of the workspace, optional status filter) and
// liveCall (one call by id); the session is bound to a workspace as the
// transport binds it.
// Properties: every outgoing message is a JSON object beginning
// {"seq":N,"type":"T" with N never below the hub's start; the hub closes a
// session at most once and with a WebSocket close code; nothing is sent
// after close.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_parse.hpp"
#include "fuzz_check.hpp"
#include "realtime/hub.hpp"

using namespace voqo;
using namespace voqo::realtime;
using json = nlohmann::json;

namespace {

void register_queries(Hub& hub) {
  hub.register_query(QuerySpec{
      .name = "liveCalls",
      .topic = [](const json& a) -> Result<std::string> {
        if (a.contains("status") && !a["status"].is_string()) return std::unexpected(Error::invalid("status", "must be a string"));
        return "liveCalls:" + a.value("workspaceId", std::string());
      },
      .snapshot = [](const json& a) -> Result<json> {
        return json::array({json{{"id", "c1"}, {"status", "connected"}}, json{{"id", "c2"}, {"status", "ringing"}}});
      },
      .filter = [](const json& a, const json& change) -> std::optional<json> {
        if (a.contains("status") && (!change.contains("status") || change["status"] != a["status"])) return std::nullopt;
        return change;
      },
  });
  hub.register_query(QuerySpec{
      .name = "liveCall",
      .topic = [](const json& a) -> Result<std::string> {
        auto it = a.find("id");
        if (it == a.end() || !it->is_string() || it->get<std::string>().empty())
          return std::unexpected(Error::invalid("id", "id must be a non-empty string"));
        return "liveCall:" + a.value("workspaceId", std::string()) + ":" + it->get<std::string>();
      },
      .snapshot = [](const json& a) -> Result<json> {
        if (a["id"] == "gone") return std::unexpected(Error::not_found("call gone"));
        return json{{"id", a["id"]}, {"status", "connected"}, {"transcript", json::array()}};
      },
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  HubLimits limits;
  limits.max_subscriptions_per_session = 4;
  limits.max_queued_bytes = 4096;
  limits.history_per_topic = 8;
  limits.max_message_bytes = 2048;
  Hub hub(limits);  // per input, so that an input replays alone
  register_queries(hub);
  const Seq start = hub.current_seq();

  struct Transport {
    size_t unacked = 0;
    int closes = 0;
    bool closed = false;
  } t;
  auto session = hub.open_session(
      [&t, start](std::string text) {
        FUZZ_CHECK(!t.closed);
        FUZZ_CHECK(text.starts_with("{\"seq\":"));
        auto j = parse_json(text);
        FUZZ_CHECK(j && j->is_object() && j->contains("type") && (*j)["seq"].is_number_unsigned());
        FUZZ_CHECK((*j)["seq"].get<Seq>() >= start);
        t.unacked += text.size();
      },
      [&t](int code, std::string reason) {
        FUZZ_CHECK(code >= 1000 && code < 5000);
        ++t.closes;
        t.closed = true;
      },
      json{{"workspaceId", "ws1"}});

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t lines = 0;
  for (size_t at = 0; at <= input.size() && lines < 64; ++lines) {
    const size_t eol = std::min(input.find('\n', at), input.size());
    session->on_message(input.substr(at, eol - at));
    at = eol + 1;
    hub.publish("liveCalls:ws1", json{{"id", "c" + std::to_string(lines % 3)}, {"status", lines % 2 ? "connected" : "ended"}});
    hub.publish("liveCall:ws1:c1", json{{"line", lines}});
    if (lines % 2) session->sent(std::exchange(t.unacked, 0));
  }
  FUZZ_CHECK(t.closes <= 1);
  if (t.closed) FUZZ_CHECK(session->closed());
  session->close();
  return 0;
}
