// Escalation triggers and the brain that hands a call off (escalation.hpp).
#include "calls/escalation.hpp"

#include <algorithm>

#include "brain/intent.hpp"
#include "intel/sentiment.hpp"

namespace voqo::calls {

namespace {

/// Whether `phrase`'s tokens occur consecutively in `tokens`.
bool has_phrase(const std::vector<std::string>& tokens, const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > tokens.size()) return false;
  return std::ranges::search(tokens, phrase).begin() != tokens.end();
}

class EscalatingBrain final : public brain::Brain {
 public:
  EscalatingBrain(std::unique_ptr<brain::Brain> inner, model::EscalationTriggers triggers, std::string transfer_to,
                  std::function<void(const Escalation&)> on_escalation)
      : inner_(std::move(inner)),
        monitor_(std::move(triggers)),
        transfer_to_(std::move(transfer_to)),
        on_escalation_(std::move(on_escalation)) {}

  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token stop) override { return inner_->greet(sink, stop); }

  Result<brain::Reply> respond(std::string_view caller_text, const brain::TextSink& sink, std::stop_token stop) override {
    auto fired = monitor_.caller_turn(caller_text);
    if (!fired) return inner_->respond(caller_text, sink, stop);
    if (on_escalation_) on_escalation_(*fired);
    if (transfer_to_.empty()) return inner_->respond(caller_text, sink, stop);
    brain::Reply r;
    r.text = std::string(kHandOffLine);
    (void)sink(r.text);
    r.transfer_to = transfer_to_;
    r.outcome = brain::Outcome::transferred;
    r.intent = "escalation";
    r.phase = inner_->phase();
    return r;
  }

  void interrupted(std::string_view spoken) override { inner_->interrupted(spoken); }
  [[nodiscard]] std::string phase() const override { return inner_->phase(); }
  void coach(std::string_view whisper) override { inner_->coach(whisper); }
  [[nodiscard]] std::string closing_line() const override { return inner_->closing_line(); }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine> transcript, std::stop_token stop) override {
    return inner_->finish(transcript, stop);
  }

 private:
  std::unique_ptr<brain::Brain> inner_;
  EscalationMonitor monitor_;
  std::string transfer_to_;
  std::function<void(const Escalation&)> on_escalation_;
};

}  // namespace

EscalationMonitor::EscalationMonitor(model::EscalationTriggers triggers) : triggers_(std::move(triggers)) {}

std::optional<Escalation> EscalationMonitor::caller_turn(std::string_view text) {
  if (fired_) return std::nullopt;
  const brain::IntentResult intent = brain::detect_intent(text);
  const intel::Sentiment sentiment = intel::analyse_sentiment(text);
  std::optional<Escalation> e;
  if (triggers_.human_request && intent.intent == brain::Intent::asks_for_human)
    e = Escalation{"human_request", intent.evidence, std::string(text)};
  if (!e && !triggers_.keywords.empty()) {
    const auto tokens = brain::tokenize(text);
    for (const std::string& k : triggers_.keywords)
      if (has_phrase(tokens, brain::tokenize(k))) {
        e = Escalation{"keyword", k, std::string(text)};
        break;
      }
  }
  // Counted on every utterance, so a trend is seen even when another trigger fires first.
  if (intent.intent == brain::Intent::objection && intent.objection != brain::Objection::none) {
    int& n = objections_[static_cast<int>(intent.objection)];
    ++n;
    if (!e && triggers_.repeated_objection > 0 && n >= triggers_.repeated_objection)
      e = Escalation{"repeated_objection", std::string(brain::objection_name(intent.objection)), std::string(text)};
  }
  if (sentiment.hits > 0) negative_run_ = sentiment.score <= -intel::kPolarityThreshold ? negative_run_ + 1 : 0;
  if (!e && triggers_.negative_sentiment_turns > 0 && negative_run_ >= triggers_.negative_sentiment_turns)
    e = Escalation{"negative_sentiment", std::to_string(negative_run_) + " negative turns in a row", std::string(text)};
  if (e) fired_ = true;
  return e;
}

std::unique_ptr<brain::Brain> escalating_brain(std::unique_ptr<brain::Brain> inner, model::EscalationTriggers triggers,
                                               std::string transfer_to,
                                               std::function<void(const Escalation&)> on_escalation) {
  return std::make_unique<EscalatingBrain>(std::move(inner), std::move(triggers), std::move(transfer_to),
                                           std::move(on_escalation));
}

}  // namespace voqo::calls
