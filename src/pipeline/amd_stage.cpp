#include "pipeline/amd_stage.hpp"

namespace voqo::pipeline {

void AmdStage::attach(AnsweringMachineDetector detector) {
  detector_.emplace(std::move(detector));
  verdict_.store(AmdVerdict::pending);
}

void AmdStage::process(std::span<const int16_t> clean, bool voiced, FrameSink& out) {
  if (!detector_ || !listening() || ready_posted_) return;
  const AmdUpdate u = detector_->process(clean, voiced);
  if (u.decided) {
    verdict_.store(u.verdict);
    out.emit(AmdResult{u.verdict, false, u.reason});
  }
  if (u.ready_for_message && verdict() == AmdVerdict::machine) {
    ready_posted_ = true;
    out.emit(AmdResult{AmdVerdict::machine, true, u.ready_reason});
  }
}

}  // namespace voqo::pipeline
