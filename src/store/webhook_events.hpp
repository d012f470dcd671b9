#pragma once
/// The webhook_events outbox's write side (issue 4 §5): an event is a row
/// written in the same transaction as the state it reports, so it exists
/// exactly when its cause was committed. Delivery (signing, retries, order)
/// is postcall/webhooks.hpp's WebhookOutbox.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// One event to queue.
struct WebhookEvent {
  std::string id;       ///< derived_event_id(subject, event): the same cause gives the same id
  std::string event;    ///< call.started | call.ended | job.completed | call.escalated | call.flagged | campaign.alert
  std::string url;      ///< the receiver (the agent's webhookUrl, or a campaign's alertWebhookUrl)
  std::string agent_id, call_id, job_id;  ///< "" = NULL
  nlohmann::json payload;
  WorkspaceId workspace;  ///< the event's workspace: its secret signs the delivery
};

/// A stable id for `event` about `subject_id` (a call or job id): 24
/// characters shaped like new_id() (a letter, then [0-9a-z]), from a BLAKE2b
/// hash of both, so queuing the same event twice yields the same row.
std::string derived_event_id(std::string_view subject_id, std::string_view event);

/// Queues `event` on `c` (inside the caller's write transaction) with the
/// next seq, due now. Returns false when a row with that id already exists
/// (nothing is changed). Errors: database.
Result<bool> enqueue_webhook(Connection& c, const WebhookEvent& event);

}  // namespace voqo::store
