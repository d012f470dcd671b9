#include "cli/demo_data.hpp"

#include <cstdlib>
#include <fstream>

#include "campaign/contact_import.hpp"
#include "model/agent_config.hpp"

namespace voqo::cli {
namespace {

constexpr const char* kAgentName = "Property Sales Demo";
constexpr const char* kCampaignName = "Demo campaign";

/// The first record of `repo` whose `column` equals `value`, or null.
Result<nlohmann::json> find_by(store::Repository& repo, const WorkspaceId& ws, const std::string& column,
                               const std::string& value) {
  store::ListQuery q;
  q.limit = 1;
  q.conditions.push_back({store::Condition::Op::equals, {column}, value});
  auto page = repo.list(ws, q);
  if (!page) return std::unexpected(page.error());
  return page->items.empty() ? nlohmann::json() : page->items[0];
}

}  // namespace

std::filesystem::path examples_dir() {
  if (const char* v = std::getenv("VOQO_EXAMPLES_DIR")) return v;
  if (std::filesystem::exists("examples/demo-contacts.csv")) return std::filesystem::absolute("examples");
  return VOQO_EXAMPLES_DIR;
}

Result<DemoData> seed_demo_data(store::Store& st, const WorkspaceId& ws, const std::filesystem::path& csv) {
  DemoData d;
  auto agent = find_by(st.agents().records(), ws, "name", kAgentName);
  if (!agent) return std::unexpected(agent.error());
  if (agent->is_null()) {
    agent = st.agents().create(ws, {
        {"name", kAgentName},
        {"description", "Calls property owners about a free valuation and books a visit."},
        {"systemPrompt", "You are a friendly property sales assistant. Ask whether the owner is thinking of selling, "
                         "handle objections briefly and book a free valuation visit."},
        {"template", "property_sales"},
        {"purpose", "sales"},
        {"voiceStyle", "friendly"},
        {"voicemailMessage", "Hi {contact_name}, this is {agent_name} calling about a free valuation of your "
                             "property. I'll try you again soon. Thank you!"},
    });
    if (!agent) return std::unexpected(agent.error());
  }
  auto config = model::agent_config_from_json(*agent);
  if (!config) return std::unexpected(config.error());
  d.agent_id = config->id;
  d.agent_name = config->name;

  auto campaign = find_by(st.campaigns(), ws, "name", kCampaignName);
  if (!campaign) return std::unexpected(campaign.error());
  if (campaign->is_null()) {
    campaign = st.campaigns().create(ws, {{"name", kCampaignName}, {"description", "Property owners from examples/demo-contacts.csv"}});
    if (!campaign) return std::unexpected(campaign.error());
  }
  d.campaign_id = (*campaign)["id"];

  auto upload = find_by(st.upload_records(), ws, "campaign_id", d.campaign_id);
  if (!upload) return std::unexpected(upload.error());
  if (!upload->is_null()) {
    d.upload_id = (*upload)["id"];
    return d;
  }
  std::ifstream in(csv, std::ios::binary);
  if (!in) return std::unexpected(Error{ErrorCode::io, "cannot read the demo contacts " + csv.string(), {}});
  auto report = campaign::import_contacts(st.uploads(), ws, d.campaign_id, csv.filename().string(), in,
                                          campaign::ImportOptions{.region = st.settings().default_region(ws)});
  if (!report) return std::unexpected(report.error());
  d.upload_id = report->upload_id;
  d.imported = static_cast<int>(report->imported);
  d.rejected = static_cast<int>(report->rejected_total);
  for (const auto& r : report->rejected)
    d.rejections += "  line " + std::to_string(r.line) + (r.column.empty() ? "" : ", " + r.column) + ": " + r.reason + "\n";
  return d;
}

}  // namespace voqo::cli
