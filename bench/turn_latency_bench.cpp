// Turn latency of a real call, end to end (issue 3): voqo's CallService
// dials a baresip callee (shared/peers/baresip-callee) over SIP/RTP on
// loopback; the callee speaks a WAV made of fixture utterances
// (shared/fixtures/speech, 16 kHz) separated by `--gap` seconds of silence,
// so the agent (pocketsphinx STT, a deterministic brain, flite TTS,
// responseDelayMs 0, silenceThresholdMs `--silence`) answers each one with
// a short "Okay, go on." Every finished call record carries turnMetrics
// (µs since answer); this prints each stage's p50/p95/max over all turns.
//
// What each stage measures (clocks: "frame" = the call's media clock,
// 20 ms per media tick counted from the first tick after answer; "wall" =
// steady_clock since answer):
//
//  [1] end-of-turn decision − silence threshold = endOfTurnUs (wall, when the
//      media thread decided the turn was over) − lastCallerAudioUs (frame:
//      end of the last frame the VAD called voiced) − silenceThresholdMs.
//      Ideally 0..20 ms (the decision is taken on a 20 ms tick). It mixes
//      the two clocks: the frame clock starts 0–20 ms after answer and the
//      tick runs up to the send lateness late, and the endpointer fires
//      when (frame − last voiced frame) × 20 ≥ threshold, i.e. 20 ms
//      earlier than "threshold after the end of the last voiced frame";
//      a negative figure is that off-by-one, not a time machine.
//  [2] STT finalize compute = sttComputeUs: wall time inside the recogniser's
//      end_utterance() only. The hand-off row below it is what lies between
//      end of turn and final transcript besides that: the STT serial queue
//      hop and accept() of the audio still in the ring (< 200 ms of it,
//      decoded there), which own_overhead_us counts as voqo's overhead.
//  [3] brain to first text = brainComputeUs: from speak_reply's start to the
//      brain's first sentence (this brain answers at once, so it is the
//      hand-off cost). The row below: control-queue hop from final transcript.
//  [4] TTS to first audio = ttsComputeUs: inside flite from the sentence to
//      its first PCM chunk (flite synthesises a whole utterance first).
//  [5] first packet after first audio = firstPacketUs (frame clock: the tick
//      that first read reply audio from the TTS ring, i.e. the RTP packet
//      that carried it) − firstAudioUs (wall) − responseDelayMs. Waiting for
//      the next 20 ms tick: expected 0–20 ms, plus the clock offset of [1].
//  [6] ownOverheadUs = (firstPacketUs − lastCallerAudioUs) − threshold −
//      response delay − STT − brain − TTS compute: everything voqo adds
//      (queues, hand-offs, tick quantisation, tail STT accept). Target p95 ≤ 10 ms.
//  response gap = firstPacketUs − lastCallerAudioUs (both frame clock): what
//      the callee waits from the end of its last voiced frame to our first
//      reply packet (plus network and its jitter buffer).
//  rec: rows come from the call's stereo recording (frame clock): the
//      VAD's hangover past the caller's last frame above −45 dBFS, when
//      the reply became audible (> −50 dBFS) after firstPacketUs (leading
//      silence in flite's output), and the gap a listener hears.
//
// Usage: bench_turn_latency [--calls 2] [--silence 700] [--gap 3] [--voice slt]
//                           [--utterances 001.wav,...] [--keep]
// Runs `--calls` calls one after another (≈ 50 s each with the default six utterances).
#include <cstdio>

#include <spdlog/spdlog.h>

#include "call_bench_support.hpp"
#include "store/store.hpp"

using namespace voqo;
using namespace voqo::bench;

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int n_calls = std::atoi(flag(argc, argv, "calls", "2").c_str());
  const int silence_ms = std::atoi(flag(argc, argv, "silence", "700").c_str());
  const double gap_s = std::atof(flag(argc, argv, "gap", "3").c_str());
  const std::string voice = flag(argc, argv, "voice", "slt");
  std::vector<std::string> utterances;
  {
    std::stringstream ss(flag(argc, argv, "utterances",
                              "001.wav,sense_and_sensibility_01_austen_64kb-0880.wav,sense_and_sensibility_01_austen_64kb-0930.wav,"
                              "sense_and_sensibility_01_austen_64kb-0890.wav,sense_and_sensibility_01_austen_64kb-0920.wav,"
                              "sense_and_sensibility_01_austen_64kb-0870.wav"));
    for (std::string u; std::getline(ss, u, ',');) utterances.push_back(u);
  }
  spdlog::set_level(spdlog::level::warn);
  raise_nofile();

  const auto dir = fs::temp_directory_path() / ("voqo_turn_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // 3 s lead: the greeting (2 s after answer, no AMD) is over before the first utterance.
  const CalleeVoice callee_voice = make_callee_wav(dir / "callee.wav", utterances, 3.0, gap_s, 1.5);
  std::printf("callee WAV: %zu utterances, %.1f s (gap %.1f s); agent: silenceThresholdMs %d, responseDelayMs 0, flite %s\n",
              utterances.size(), callee_voice.duration_s, gap_s, silence_ms, voice.c_str());

  auto st = store::Store::open(dir / "voqo.db");
  if (!st) {
    std::fprintf(stderr, "store: %s\n", st.error().message.c_str());
    return 1;
  }
  auto& store = **st;
  const WorkspaceId ws = default_workspace(store);
  if (auto a = store.agents().create(ws, bench_agent("Bench", silence_ms, voice)); !a) {
    std::fprintf(stderr, "agent: %s\n", a.error().message.c_str());
    return 1;
  }
  Baresip callee = start_baresip(dir / "baresip", callee_voice.path, 4);
  if (!callee.child.alive()) {
    std::fprintf(stderr, "baresip did not start (see %s)\n", (dir / "baresip" / "baresip.log").c_str());
    return 1;
  }

  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.recordings_dir = dir / "recordings";
  cfg.detect_answering_machine = false;  // the callee talks at length: AMD would call it a machine
  cfg.trunk = telephony::SipTrunk{"sip:127.0.0.1:" + std::to_string(callee.sip_port), "udp", "", "", "+15550001111"};
  cfg.brain_factory = [](const brain::CallContext& c) { return std::make_unique<EchoOkBrain>(c); };
  std::vector<nlohmann::json> records;
  {
    auto service = calls::CallService::create(store, cfg);
    if (!service) {
      std::fprintf(stderr, "call service: %s\n", service.error().message.c_str());
      return 1;
    }
    for (int i = 0; i < n_calls; ++i) {
      std::printf("call %d/%d ...\n", i + 1, n_calls);
      std::fflush(stdout);
      for (auto& r : run_conversations(**service, store, ws, {callee.uri()}, callee_voice, 1, "Bench")) records.push_back(std::move(r));
    }
  }
  int turns = 0, interrupted = 0;
  const StageTable table = turn_stages(records, dir / "recordings", &turns, &interrupted);
  int completed = 0;
  for (const auto& r : records) completed += r.value("status", "") == "completed";
  std::printf("\n%d calls (%d completed), %d measured agent turns of %zu caller utterances, %d agent lines interrupted\n",
              static_cast<int>(records.size()), completed, turns, utterances.size() * records.size(), interrupted);
  table.print();
  if (has_flag(argc, argv, "turns")) {  // one line per turn (µs → ms), and the transcript
    for (const auto& r : records) {
      std::printf("call %s (rtp %s)\n", r.value("id", "").c_str(), r["systemInfo"].value("rtp", nlohmann::json::object()).dump().c_str());
      for (const auto& m : r["turnMetrics"])
        std::printf("  last %8.0f eot %8.0f final %8.0f text %8.0f audio %8.0f packet %8.0f stt %6.0f own %7.1f\n",
                    m.value("lastCallerAudioUs", 0) / 1e3, m.value("endOfTurnUs", 0) / 1e3, m.value("finalTranscriptUs", 0) / 1e3,
                    m.value("brainFirstTextUs", 0) / 1e3, m.value("firstAudioUs", 0) / 1e3, m.value("firstPacketUs", 0) / 1e3,
                    m.value("sttComputeUs", 0) / 1e3, m.value("ownOverheadUs", 0) / 1e3);
      for (const auto& e : r["transcript"])
        std::printf("    %6lld-%6lld %s%s: %s\n", static_cast<long long>(e.value("startMs", 0)), static_cast<long long>(e.value("endMs", 0)),
                    e.value("speaker", "").c_str(), e.value("interrupted", false) ? " (interrupted)" : "", e.value("text", "").c_str());
    }
  }
  if (has_flag(argc, argv, "verbose"))
    for (const auto& r : records) std::printf("%s\n", r.dump(1).c_str());
  callee.child.stop();
  if (!has_flag(argc, argv, "keep")) fs::remove_all(dir);
  else std::printf("kept %s\n", dir.c_str());
  return turns > 0 ? 0 : 1;
}
