#pragma once
/// The realtime queries of a swarm campaign (issue 18 §10: the Swarm overview
/// "all updated through the realtime API"), registered on the hub by the live
/// monitor, which also drives the publishing:
///
///   query             args          snapshot                         changes
///   swarmCampaign     {id}          the campaign row (status,        {kind:"campaign", campaign}
///                                   totals, agents, pace, ...)
///   swarmAgents       {campaignId}  {items:[swarm agents]}           {kind:"upsert", agent} / {kind:"remove", agentId}
///   swarmObjectives   {campaignId}  {items:[objectives]}             {kind:"upsert", objective} / {kind:"remove", id}
///   swarmActivity     {campaignId}  {items:[newest 50 activity rows]} {kind:"append", activity}
///   swarmRecentCalls  {campaignId}  {items:[newest 50 recent calls]} {kind:"append", call} / {kind:"upsert", call}
///   swarmRules        {campaignId}  {items:[autoscaling rules]}      {kind:"upsert", rule} / {kind:"remove", id}
///
/// Rows are the REST API's (GET /api/campaigns/{id}, …/agents, …/objectives,
/// …/activity, …/recent-calls), read through the store's repositories in the
/// subscriber's workspace: another workspace's campaign is not found, and the
/// topics name the workspace ("swarmAgents:<ws>:<campaign>"), so a foreign id
/// reaches a topic nothing is published on.
///
/// Publishing (write-then-publish): the swarm's rows are written by the
/// dialer's result and claim transactions (store/swarm.cpp), the swarm
/// service's tick and the REST API. Rather than hook each writer, refresh()
/// re-reads a campaign's rows after they are committed and publishes what
/// differs from what it last published (text comparison per row; appends by
/// id; a recent call already appended whose row changed, e.g. its quality
/// score and sentiment written by the call's intelligence after the dialer's
/// result, is published again as an upsert). The live monitor calls it on its jobs pass (every
/// LiveMonitorConfig::jobs_period, 500 ms) for each campaign whose job is
/// pending or running or changed since the last pass, so every writer's
/// change reaches subscribers within one pass, after its commit. A change may
/// repeat what a snapshot already holds (the first refresh of a campaign
/// publishes every row): clients apply changes as upserts by id, as the hub's
/// guarantee asks (realtime/hub.hpp).
///
/// Threads: refresh() on the live monitor's thread only; the snapshots on
/// the transport's workers (they only read the store).
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/workspace_id.hpp"

namespace voqo::store {
class Store;
}
namespace voqo::realtime {
class Hub;
}

namespace voqo::live {

class SwarmFeed {
 public:
  /// Newest rows of the activity log and of the recent-calls feed a snapshot
  /// holds and a refresh compares.
  static constexpr int kFeedRows = 50;

  /// Registers the five queries on `hub`. `store` and `hub` must outlive it.
  SwarmFeed(store::Store& store, realtime::Hub& hub);

  /// Re-reads campaign `campaign_id` of `ws` and publishes its changes since
  /// the last refresh. A campaign that no longer exists is forgotten.
  void refresh(const WorkspaceId& ws, const std::string& campaign_id);

 private:
  /// What was last published for one campaign.
  struct Seen {
    std::string campaign;                        ///< the campaign row's JSON text
    std::map<std::string, std::string> agents;   ///< agent id → row text
    std::map<std::string, std::string> objectives;
    std::map<std::string, std::string> rules;
    std::set<std::string> activity;                    ///< ids already appended
    std::map<std::string, std::string> recent_calls;  ///< id → row text, appended (and upserted since)
  };
  store::Store& store_;
  realtime::Hub& hub_;
  std::map<std::string, Seen> seen_;  ///< "<ws>:<campaign>" → state
};

}  // namespace voqo::live
