#pragma once
/// Escalation of a campaign call (issue 18 §6): the triggers of the
/// campaign's configuration (model::EscalationTriggers) watched on the
/// callee's side of the conversation, and what happens when one fires.
///
/// Triggers, checked on each final callee utterance, in this order:
///  - human_request: the utterance's intent is asks_for_human
///    (brain/intent.hpp: "real person", "representative", "speak to a manager");
///  - keyword: a configured word or phrase appears on word boundaries
///    (case-insensitive; "cancel" matches "Cancel my account", not "cancelled");
///  - repeated_objection: the same objection category (price, competitor,
///    no_time, send_info) has now been raised N times;
///  - negative_sentiment: the last N utterances with sentiment hits were each
///    negative (AFINN-165 score ≤ −kPolarityThreshold, intel/sentiment.hpp):
///    a trend, not one sharp word.
/// At most one escalation per call: the first trigger fires, later ones are
/// not reported again (a supervisor already has the call).
///
/// EscalatingBrain wraps the call's brain: it reports the escalation at the
/// turn it happens and, when the configuration has an auto-transfer target,
/// answers that turn itself — a short hand-off line, then a blind transfer
/// (Reply::transfer_to, SIP REFER) with outcome Transferred — instead of the
/// inner brain's reply. Without a target the inner brain answers as usual.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "brain/brain.hpp"
#include "model/swarm_configuration.hpp"

namespace voqo::calls {

/// One fired trigger.
struct Escalation {
  std::string trigger;  ///< human_request | keyword | repeated_objection | negative_sentiment
  std::string detail;   ///< the keyword, the objection category, or the utterance's evidence
  std::string utterance;  ///< what the callee said
};

/// Watches one call's callee utterances (not thread-safe: one call's brain thread).
class EscalationMonitor {
 public:
  explicit EscalationMonitor(model::EscalationTriggers triggers);
  /// One final callee utterance; the escalation when a trigger fires now
  /// (at most once per call, see above).
  std::optional<Escalation> caller_turn(std::string_view text);
  [[nodiscard]] bool fired() const { return fired_; }

 private:
  model::EscalationTriggers triggers_;
  bool fired_ = false;
  int objections_[5] = {0, 0, 0, 0, 0};  ///< per brain::Objection
  int negative_run_ = 0;                 ///< consecutive negative utterances (those with sentiment hits)
};

/// The hand-off line said before an automatic transfer.
inline constexpr std::string_view kHandOffLine = "I understand. Let me connect you with a colleague who can help. One moment please.";

/// Wraps `inner` with `monitor`; `on_escalation` runs on the brain's thread
/// when a trigger fires (before the reply is produced). `transfer_to`
/// non-empty: that turn is the hand-off and a transfer there.
std::unique_ptr<brain::Brain> escalating_brain(std::unique_ptr<brain::Brain> inner, model::EscalationTriggers triggers,
                                               std::string transfer_to,
                                               std::function<void(const Escalation&)> on_escalation);

}  // namespace voqo::calls
