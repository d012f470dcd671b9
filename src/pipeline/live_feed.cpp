#include "pipeline/live_feed.hpp"

namespace voqo::pipeline {
namespace {
constexpr int kFrameMs = 20;
}

LiveFeed::LiveFeed(std::shared_ptr<StageQueue> queue, PipelineHooks hooks) : ch_(std::make_shared<Channel>()) {
  ch_->queue = std::move(queue);
  ch_->hooks = std::move(hooks);
}

void LiveFeed::post(std::function<void(const PipelineHooks&)> fn) {
  ch_->queue->post([ch = ch_, fn = std::move(fn)] {
    if (!ch->closed.load()) fn(ch->hooks);
  });
}

void LiveFeed::event(std::string name, std::string detail) {
  post([name = std::move(name), detail = std::move(detail)](const PipelineHooks& h) {
    if (h.on_event) h.on_event(name, detail);
  });
}

void LiveFeed::line(model::TranscriptLine line) {
  post([line = std::move(line)](const PipelineHooks& h) {
    if (h.on_live_line) h.on_live_line(line);
  });
}

void LiveFeed::transcript(const model::TranscriptLine& line) {
  post([line](const PipelineHooks& h) {
    if (h.on_transcript) h.on_transcript(line);
    if (h.on_live_line) h.on_live_line(line);
  });
}

void LiveFeed::retract(int64_t utterance, int64_t start_frame, int64_t end_frame) {
  line({"caller-" + std::to_string(utterance), "caller", "", start_frame * kFrameMs, end_frame * kFrameMs, 0.0, true, false});
}

void LiveFeed::turn(const brain::Reply& reply) {
  post([r = reply](const PipelineHooks& h) {
    if (h.on_turn) h.on_turn(r);
  });
}

void LiveFeed::reply(const brain::Reply& reply, bool brain_turn) {
  if (!reply.phase.empty()) event("phase", reply.phase);
  if (!reply.intent.empty()) event("intent", reply.intent);
  if (brain_turn) turn(reply);
}

void LiveFeed::report(const BargeIn& b) {
  post([b](const PipelineHooks& h) {
    if (!h.on_event) return;
    if (b.supervisor) return h.on_event("supervisor", "the agent stopped for the supervisor's voice");
    h.on_event("barge_in", std::string(b.reason) + " after " + std::to_string(b.speech_ms) + " ms of caller speech, at " +
                               std::to_string(b.at_frame * kFrameMs) + " ms (level " + std::to_string(b.level_dbfs) +
                               " dBFS, threshold " + std::to_string(b.threshold_dbfs) + ")");
  });
}

void LiveFeed::report(const AmdResult& a) {
  post([a](const PipelineHooks& h) {
    if (h.on_event)
      h.on_event("amd", a.ready ? "ready for message: " + std::string(a.reason)
                                : std::string(to_string(a.verdict)) + ": " + std::string(a.reason));
  });
}

void LiveFeed::report(const Levels& l) {
  post([l](const PipelineHooks& h) {
    if (h.on_levels) h.on_levels(l.agent_gain, l.customer_gain, l.speaker);
  });
}

void LiveFeed::report(const InterimTranscript& t) {
  line({"caller-" + std::to_string(t.utterance), "caller", t.text, t.start_frame * kFrameMs, t.at_frame * kFrameMs, 0.0, false, false});
}

void LiveFeed::close() {
  ch_->queue->post([ch = ch_] { ch->closed.store(true); });
  ch_->queue->drain();
}

}  // namespace voqo::pipeline
