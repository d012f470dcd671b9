// The swarm campaign's realtime queries and their publisher (swarm_feed.hpp).
#include "live/swarm_feed.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "realtime/hub.hpp"
#include "store/store.hpp"
#include "store/swarm.hpp"

namespace voqo::live {
namespace {

using json = nlohmann::json;

/// One query per view of the campaign: its name, the args member naming the
/// campaign, and its topic prefix (= the name).
enum class View { campaign, agents, objectives, activity, recent_calls, rules };

std::string topic(View v, const std::string& ws, const std::string& campaign_id) {
  static const char* const kNames[] = {"swarmCampaign", "swarmAgents", "swarmObjectives", "swarmActivity",
                                       "swarmRecentCalls", "swarmRules"};
  return std::string(kNames[static_cast<int>(v)]) + ":" + ws + ":" + campaign_id;
}

WorkspaceId workspace_of(const json& args) {
  auto it = args.find("workspaceId");
  return WorkspaceId(it != args.end() && it->is_string() ? it->get<std::string>() : std::string());
}

/// The campaign id in `args[key]` (required, a non-empty string).
Result<std::string> campaign_arg(const json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end() || !it->is_string() || it->get<std::string>().empty())
    return std::unexpected(Error::invalid(key, "the campaign's id is required"));
  if (it->get<std::string>().size() > 128) return std::unexpected(Error::invalid(key, "is not a campaign id"));
  return it->get<std::string>();
}

/// The rows of `repo` of campaign `id`, newest first, at most `limit`.
Result<std::vector<json>> rows_of(store::Repository& repo, const WorkspaceId& ws, const std::string& id, int limit) {
  auto page = repo.list(ws, store::ListQuery{.limit = static_cast<uint32_t>(limit),
                                             .conditions = {{store::Condition::Op::equals, {"campaign_id"}, id}}});
  if (!page) return std::unexpected(page.error());
  return std::vector<json>(page->items.begin(), page->items.end());
}

}  // namespace

SwarmFeed::SwarmFeed(store::Store& store, realtime::Hub& hub) : store_(store), hub_(hub) {
  auto add = [&](View v, const char* name, const char* key, auto&& read) {
    realtime::QuerySpec q;
    q.name = name;
    q.topic = [v, key](const json& args) -> Result<std::string> {
      auto id = campaign_arg(args, key);
      if (!id) return std::unexpected(id.error());
      const WorkspaceId ws = workspace_of(args);
      if (ws.empty()) return std::unexpected(Error::invalid("workspaceId", "the subscriber's workspace is required"));
      return topic(v, ws.value, *id);
    };
    q.snapshot = [this, key, read](const json& args) -> Result<json> {
      const WorkspaceId ws = workspace_of(args);
      auto id = campaign_arg(args, key);
      if (!id) return std::unexpected(id.error());
      auto campaign = store_.campaigns().get(ws, *id);  // another workspace's campaign: not found
      if (!campaign) return std::unexpected(campaign.error());
      return read(ws, *id, *campaign);
    };
    hub_.register_query(std::move(q));
  };
  auto items = [this](store::Repository& (store::SwarmRepository::*repo)(), int limit) {
    return [this, repo, limit](const WorkspaceId& ws, const std::string& id, const json&) -> Result<json> {
      auto rows = rows_of((store_.swarm().*repo)(), ws, id, limit);
      if (!rows) return std::unexpected(rows.error());
      return json{{"items", std::move(*rows)}};
    };
  };
  add(View::campaign, "swarmCampaign", "id",
      [](const WorkspaceId&, const std::string&, const json& campaign) -> Result<json> { return campaign; });
  add(View::agents, "swarmAgents", "campaignId", items(&store::SwarmRepository::agents, 500));
  add(View::objectives, "swarmObjectives", "campaignId", items(&store::SwarmRepository::objectives, 500));
  add(View::activity, "swarmActivity", "campaignId", items(&store::SwarmRepository::activity, kFeedRows));
  add(View::recent_calls, "swarmRecentCalls", "campaignId", items(&store::SwarmRepository::recent_calls, kFeedRows));
  add(View::rules, "swarmRules", "campaignId", items(&store::SwarmRepository::rules, 500));
}

void SwarmFeed::refresh(const WorkspaceId& ws, const std::string& campaign_id) {
  const std::string key = ws.value + ":" + campaign_id;
  auto campaign = store_.campaigns().get(ws, campaign_id);
  if (!campaign) {
    if (campaign.error().code != ErrorCode::not_found)
      spdlog::warn("swarm feed: campaign {}: {}", campaign_id, campaign.error().message);
    else seen_.erase(key);
    return;
  }
  Seen& seen = seen_[key];
  if (std::string text = campaign->dump(); text != seen.campaign) {
    seen.campaign = std::move(text);
    hub_.publish(topic(View::campaign, ws.value, campaign_id), {{"kind", "campaign"}, {"campaign", std::move(*campaign)}});
  }

  // Upserts of changed rows, removes of vanished ones.
  auto upserts = [&](View v, store::Repository& repo, std::map<std::string, std::string>& last, const char* member,
                     const char* id_member) {
    auto rows = rows_of(repo, ws, campaign_id, 500);
    if (!rows) return spdlog::warn("swarm feed: {}", rows.error().message);
    std::map<std::string, std::string> now;
    for (auto& row : *rows) {
      const std::string id = row.value("id", "");
      std::string text = row.dump();
      auto it = last.find(id);
      if (it == last.end() || it->second != text)
        hub_.publish(topic(v, ws.value, campaign_id), {{"kind", "upsert"}, {member, row}});
      now.emplace(id, std::move(text));
    }
    for (const auto& [id, text] : last)
      if (!now.contains(id)) hub_.publish(topic(v, ws.value, campaign_id), {{"kind", "remove"}, {id_member, id}});
    last = std::move(now);
  };
  upserts(View::agents, store_.swarm().agents(), seen.agents, "agent", "agentId");
  upserts(View::objectives, store_.swarm().objectives(), seen.objectives, "objective", "id");
  upserts(View::rules, store_.swarm().rules(), seen.rules, "rule", "id");

  // Appends of rows not published yet, oldest first, within the newest kFeedRows.
  auto appends = [&](View v, store::Repository& repo, std::set<std::string>& last, const char* member) {
    auto rows = rows_of(repo, ws, campaign_id, kFeedRows);
    if (!rows) return spdlog::warn("swarm feed: {}", rows.error().message);
    std::set<std::string> now;
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
      const std::string id = it->value("id", "");
      if (!last.contains(id)) hub_.publish(topic(v, ws.value, campaign_id), {{"kind", "append"}, {member, *it}});
      now.insert(id);
    }
    last = std::move(now);
  };
  appends(View::activity, store_.swarm().activity(), seen.activity, "activity");
  // The recent calls: new rows appended, oldest first; a row that changed
  // since (its call's intelligence came after the dialer's result) upserted.
  if (auto rows = rows_of(store_.swarm().recent_calls(), ws, campaign_id, kFeedRows); !rows) {
    spdlog::warn("swarm feed: {}", rows.error().message);
  } else {
    std::map<std::string, std::string> now;
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
      const std::string id = it->value("id", "");
      std::string text = it->dump();
      auto last = seen.recent_calls.find(id);
      if (last == seen.recent_calls.end())
        hub_.publish(topic(View::recent_calls, ws.value, campaign_id), {{"kind", "append"}, {"call", *it}});
      else if (last->second != text)
        hub_.publish(topic(View::recent_calls, ws.value, campaign_id), {{"kind", "upsert"}, {"call", *it}});
      now.emplace(id, std::move(text));
    }
    seen.recent_calls = std::move(now);
  }
}

}  // namespace voqo::live
