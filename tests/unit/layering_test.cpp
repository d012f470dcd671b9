// Typed records at the seams, JSON only at the edges (issue 17 §3; DESIGN.md
// "Typed records at the seams"): outside src/api/, src/store/ and src/model/
// no code reads an agent or a workspace's settings as JSON. Two rules, applied
// to every .cpp/.hpp under src/ (comments removed):
//
//  1. Source: no call that hands out an agent or settings as JSON —
//     `settings().get/all/across_workspaces(`, `agents().records()` — only the
//     typed ones: `agents().config`, `settings().snapshot`,
//     `settings().snapshots_across_workspaces`, `settings().default_region`.
//  2. Key: no read by string key of a name only an agent, a custom function or
//     the settings have (the specs' camelCase names and setting keys, minus
//     every name another entity also has, such as "id", "name" or "status"):
//     `.value("k"`, `.at("k"`, `.contains("k"`, `.find("k"`, `["k"]` not being
//     assigned, and helper getters `f(obj, "k")`.
//
// Names shared with other entities cannot be told apart from wire JSON by
// text, so rule 2 leaves them to rule 1. Exceptions are listed in kAllowed,
// each with its reason. The scanner itself is tested on snippets first, so a
// scanner that finds nothing cannot pass.
//
// The same holds for what a call leaves behind (issue 17 §3): outside api/,
// store/, model/ and calls/ (which writes the call record and reads it back
// in calls::call_outcome_from_record), nothing reads a call record's
// `systemInfo` or `turnMetrics` by key; consumers read calls::CallOutcome.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/schema.hpp"
#include "model/settings_snapshot.hpp"

namespace voqo {
namespace {

namespace fs = std::filesystem;

struct Allowed {
  std::string_view file;    ///< path under src/
  std::string_view needle;  ///< text on the offending line
  std::string_view reason;
};

/// Reads outside the edges that stay, and why.
constexpr Allowed kAllowed[] = {
    {"cli/demo_data.cpp", "agents().records()",
     "the CLI seeds the demo agent through the repository (as the API would) and types it at once "
     "(model::agent_config_from_json)"},
    {"campaign/calling_hours.cpp", "parse_span(value, \"callee_local_hours\"",
     "the setting's name as the prefix of error fields (callee_local_hours.start), not a read; the value is "
     "model::CalleeLocalHours turned back into {start, end} for the one HH:MM parser job windows share"},
    {"campaign/dialer.cpp", "err.find(\"timeout\")", "std::string::find in a SIP error message, not JSON"},
    {"calls/call_outcome.cpp", "integer(t, \"silenceThresholdMs\"",
     "a stored call record's turnMetrics entry (calls::turn_metrics_entry writes it), not the agent: the "
     "endpointing wait the call ran with, as stored with each turn, read back by call_outcome_from_record"},
    {"postcall/webhooks.cpp", "settings().put(ws, \"webhook_secret\"",
     "a write: the generated signing secret is stored (SettingsRepository::put)"},
};

/// Names only an agent, a custom function or the settings have.
std::set<std::string> distinctive_keys() {
  std::set<std::string> ours, others;
  for (const auto* spec : model::all_specs()) {
    // The typed records (model/agent_config.hpp, model/swarm_configuration.hpp) own their keys.
    const bool mine = spec == &model::agent_spec() || spec == &model::custom_function_spec() ||
                      spec == &model::swarm_configuration_spec();
    for (const auto& f : spec->fields) (mine ? ours : others).insert(std::string(f.json));
  }
  for (const auto& f : model::setting_specs()) ours.insert(std::string(f.json));
  std::set<std::string> out;
  for (const auto& k : ours)
    if (!others.contains(k)) out.insert(k);
  return out;
}

struct Finding {
  std::string where;  ///< file:line
  std::string line;
};

/// The line without a // comment (one not inside "http://").
std::string without_comment(const std::string& line) {
  for (std::size_t i = line.find("//"); i != std::string::npos; i = line.find("//", i + 2))
    if (i == 0 || line[i - 1] != ':') return line.substr(0, i);
  return line;
}

/// The names only a stored call record has for what the call left behind.
const std::set<std::string> kCallRecordKeys = {"systemInfo", "turnMetrics"};

class Scanner {
 public:
  /// Reads of `keys`; `sources` adds rule 1 (the JSON-returning repository calls).
  explicit Scanner(const std::set<std::string>& keys = distinctive_keys(), bool sources = true) {
    std::string alternatives;
    for (const auto& k : keys) alternatives += (alternatives.empty() ? "" : "|") + k;
    const std::string key = "\"(" + alternatives + ")\"";
    source_ = std::regex(sources ? R"((settings\(\)\s*\.\s*(get|all|across_workspaces)\s*\()|(agents\(\)\s*\.\s*records\(\)))"
                                 : R"(^\b$)");
    method_ = std::regex(R"(\.\s*(value|at|contains|find|count)\s*\(\s*)" + key);
    subscript_ = std::regex(R"(\[\s*)" + key + R"(\s*\](?!\s*=[^=]))");
    getter_ = std::regex(R"(\b[A-Za-z_]\w*\s*\(\s*[^(),"]+,\s*)" + key + R"(\s*[,)])");
  }

  /// Findings in `text` (a file's content) named `file`.
  std::vector<Finding> scan(const std::string& file, const std::string& text) const {
    std::vector<Finding> out;
    std::istringstream in(text);
    std::string raw;
    int number = 0;
    bool in_block_comment = false;
    while (std::getline(in, raw)) {
      ++number;
      std::string line = raw;
      if (in_block_comment) {
        auto end = line.find("*/");
        if (end == std::string::npos) continue;
        line = line.substr(end + 2);
        in_block_comment = false;
      }
      if (auto start = line.find("/*"); start != std::string::npos && line.find("*/", start) == std::string::npos) {
        line = line.substr(0, start);
        in_block_comment = true;
      }
      line = without_comment(line);
      if (!std::regex_search(line, source_) && !std::regex_search(line, method_) && !std::regex_search(line, subscript_) &&
          !std::regex_search(line, getter_))
        continue;
      bool allowed = false;
      for (const auto& a : kAllowed)
        if (file == a.file && line.find(a.needle) != std::string::npos) allowed = true;
      if (!allowed) out.push_back({file + ":" + std::to_string(number), raw});
    }
    return out;
  }

 private:
  std::regex source_, method_, subscript_, getter_;
};

TEST(Layering, TheScannerFindsAgentAndSettingsReadsAndLeavesWireJsonAlone) {
  const Scanner s;
  const std::set<std::string> keys = distinctive_keys();
  // The names that matter are in; names every entity has are out.
  for (const char* k : {"interruptionSensitivity", "voiceProvider", "silenceThresholdMs", "webhookUrl", "llm",
                        "sip_trunk", "speech_providers", "responseMapping"})
    EXPECT_TRUE(keys.contains(k)) << k;
  for (const char* k : {"id", "name", "status", "createdAt", "workspaceId", "agentId"}) EXPECT_FALSE(keys.contains(k)) << k;

  const char* reads[] = {
      "  p.interruption_sensitivity = a.value(\"interruptionSensitivity\", 0.5);",
      "  if (a.contains(\"voicemailMessage\") && a[\"voicemailMessage\"].is_string()) x = 1;",
      "  const std::string provider = agent[\"voiceProvider\"];",
      "  auto v = store.settings().get(ws, \"sip_trunk\");",
      "  auto all = st.settings().all(ws);",
      "  auto rows = store.settings().across_workspaces(\"inbound_numbers\");",
      "  auto agent = store_.agents().records().get(ws, id);",
      "  ic.purpose = str(*agent, \"customPurpose\");",
      "  const auto p = settings.at(\"speech_providers\");",
      "  if (auto it = all.find(\"llm\"); it != all.end()) {}",
  };
  for (const char* r : reads) EXPECT_EQ(s.scan("calls/example.cpp", r).size(), 1u) << r;

  const char* wire[] = {
      "  body[\"model\"] = config_.model;",                 // a request being written
      "  row[\"voiceProvider\"] = agent.voice.provider;",   // JSON being written
      "  const auto& delta = chunk[\"choices\"][0][\"delta\"];",
      "  if (auto it = j.find(\"summary\"); it != j.end()) {}",
      "  c.agent_name = a.name;",
      "  // a.value(\"interruptionSensitivity\", 0.5) was the old way",
      "  return Error::invalid(\"voiceProvider\", \"unknown voice provider\");",
      "  auto s = store.settings().snapshot(ws);",
      "  auto a = store.agents().config(ws, id);",
  };
  for (const char* w : wire) EXPECT_TRUE(s.scan("calls/example.cpp", w).empty()) << w;

  // An allowed line is allowed in its own file only.
  const std::string seed = "  auto agent = find_by(st.agents().records(), ws, \"name\", kAgentName);";
  EXPECT_TRUE(s.scan("cli/demo_data.cpp", seed).empty());
  EXPECT_EQ(s.scan("cli/main.cpp", seed).size(), 1u);
}

TEST(Layering, NoAgentOrSettingsJsonIsReadByKeyOutsideApiStoreAndModel) {
  const fs::path src = fs::path(VOQO_SOURCE_DIR) / "src";
  ASSERT_TRUE(fs::is_directory(src)) << src;
  const Scanner s;
  std::vector<Finding> findings;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    const std::string rel = fs::relative(entry.path(), src).generic_string();
    if (rel.starts_with("api/") || rel.starts_with("store/") || rel.starts_with("model/")) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    ++files;
    auto found = s.scan(rel, text.str());
    findings.insert(findings.end(), found.begin(), found.end());
  }
  EXPECT_GT(files, 50);  // the walk reached the modules
  std::string listing;
  for (const auto& f : findings) listing += "  src/" + f.where + ": " + f.line + "\n";
  EXPECT_TRUE(findings.empty()) << "agent or settings JSON read by key outside api/, store/ and model/ "
                                   "(use model::AgentConfig / model::SettingsSnapshot from "
                                   "store agents().config / settings().snapshot):\n"
                                << listing;
}

TEST(Layering, TheCallRecordScannerFindsSystemInfoReadsAndLeavesWritesAlone) {
  const Scanner s(kCallRecordKeys, false);
  const char* reads[] = {
      "    if (auto si = call.find(\"systemInfo\"); si != call.end() && si->is_object())",
      "  const json info = (*call)[\"systemInfo\"].is_object() ? (*call)[\"systemInfo\"] : json::object();",
      "  auto turns = call.find(\"turnMetrics\");",
      "  auto rtp = record.value(\"systemInfo\", json::object());",
      "  if (call.contains(\"systemInfo\")) {}",
  };
  for (const char* r : reads) EXPECT_EQ(s.scan("campaign/example.cpp", r).size(), 1u) << r;
  const char* other[] = {
      "  r.system_info[\"doNotCall\"] = true;",                       // the record being written (snake_case member)
      "  out[\"systemInfo\"] = info;",                                // JSON being written
      "  {\"systemInfo\", json::object()},",
      "  auto a = store.agents().records().get(ws, id);",             // rule 1 is not this scanner's
      "  // call.find(\"systemInfo\") was the old way",
  };
  for (const char* w : other) EXPECT_TRUE(s.scan("campaign/example.cpp", w).empty()) << w;
}

TEST(Layering, NoCallRecordSystemInfoIsReadByKeyOutsideApiStoreModelAndCalls) {
  const fs::path src = fs::path(VOQO_SOURCE_DIR) / "src";
  ASSERT_TRUE(fs::is_directory(src)) << src;
  const Scanner s(kCallRecordKeys, false);
  std::vector<Finding> findings;
  int files = 0, calls_files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    const std::string rel = fs::relative(entry.path(), src).generic_string();
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    if (rel.starts_with("calls/")) {
      // The writer and its one reader: the scanner does see them (so an empty scan elsewhere means something).
      calls_files += s.scan(rel, text.str()).empty() ? 0 : 1;
      continue;
    }
    if (rel.starts_with("api/") || rel.starts_with("store/") || rel.starts_with("model/")) continue;
    ++files;
    auto found = s.scan(rel, text.str());
    findings.insert(findings.end(), found.begin(), found.end());
  }
  EXPECT_GT(files, 50);
  EXPECT_GE(calls_files, 1) << "calls/call_outcome.cpp reads the stored record back; the scanner must see it";
  std::string listing;
  for (const auto& f : findings) listing += "  src/" + f.where + ": " + f.line + "\n";
  EXPECT_TRUE(findings.empty()) << "a call record's systemInfo/turnMetrics read by key outside api/, store/, model/ and "
                                   "calls/ (read calls::CallOutcome, or calls::call_outcome_from_record for a stored record):\n"
                                << listing;
}

}  // namespace
}  // namespace voqo
