#pragma once
/// The callee simulator behind `voqo callee-sim` (issue 4 §7): one process
/// that answers many concurrent SIP calls on loopback, each played by the
/// persona its dialed number selects (sim/persona.hpp), for demos and load
/// tests of voqo's outbound calling.
///
/// Built on voqo's own telephony, in-process: one SipUserAgent (UDP and TCP
/// on one port) and one MediaEngine. Per INVITE (SIP thread) the persona is
/// chosen and the call is rejected 486 (busy), left ringing (no_answer,
/// IncomingDecision::answer_after = kRingForever) or answered after
/// `answer_delay` with 180 then 200.
///
/// Audio: every persona line is synthesised once at start-up with flite
/// (voices rms, awb, kal16; never slt, which agents use) into 16 kHz PCM
/// shared read-only by all calls. On the media thread (MediaHandler::on_frame,
/// 20 ms) a call only copies samples of its current line and runs a WebRTC
/// VAD (pipeline/vad.hpp) over the agent's audio: no allocation, no lock, no
/// synthesis. Turn-taking: the first line is said `pickup_delay` after the
/// answer; each further line once the agent has spoken (since our last line
/// ended) and then been silent for `reply_gap`. Out of lines, the callee
/// stays silent. A persona that does not speak first (impatient) says its
/// first line as a reply too, and one with a patience (Patience in
/// persona.hpp) hangs up when no agent voice is heard within it of the
/// answer. The simulator hangs up itself after `idle_hangup` of
/// silence from both sides or `max_call` of call time (flags raised on the
/// media thread, BYE sent by the simulator's housekeeping thread).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "sim/persona.hpp"

namespace voqo::sim {

struct CalleeSimConfig {
  std::string listen_ip = "127.0.0.1";    ///< SIP and RTP bind address
  uint16_t port = 5070;                   ///< SIP, UDP and TCP (0 = any free port)
  std::filesystem::path rules_file;       ///< persona rules (PersonaRules JSON); "" = last-digit rule
  std::string voice;                      ///< flite voice for every persona; "" = each persona's own
  std::chrono::milliseconds answer_delay{500};  ///< ringing (180) before 200 OK; 0 = answer at once
  std::chrono::milliseconds pickup_delay{400};  ///< from answer to the first line ("Hello?")
  std::chrono::milliseconds reply_gap{700};     ///< agent silence after its speech before our next line
  std::chrono::seconds idle_hangup{20};   ///< both sides silent this long → we hang up
  std::chrono::seconds max_call{300};     ///< call time after which we hang up
  int media_threads = 1;                  ///< MediaEngine threads
  uint16_t rtp_port_min = 40000, rtp_port_max = 49998;  ///< apart from voqo's default 16384–32766
};

/// Counters since start(), readable from any thread.
struct CalleeSimCounters {
  uint64_t invites = 0;          ///< INVITEs decided (all personas)
  uint64_t answered = 0;         ///< calls whose media started (200 OK)
  uint64_t busy = 0;             ///< rejected 486
  uint64_t ringing_cancelled = 0;///< rang until the caller gave up (CANCEL)
  uint64_t ended = 0;            ///< accepted calls that are over (any way)
  uint64_t hung_up_by_sim = 0;   ///< BYEs we sent (idle, max call time, or impatience)
  uint64_t impatient_hang_ups = 0;  ///< of those, impatient callees the agent left silent for 2 s
  uint64_t lines_spoken = 0;     ///< persona lines started
  uint64_t active = 0;           ///< accepted calls not yet ended
  uint64_t max_active = 0;       ///< most accepted calls at once
  std::array<uint64_t, kPersonaCount> by_persona{};  ///< INVITEs per persona (index = Persona)
};

class CalleeSim {
 public:
  /// Loads the rules, synthesises every persona's lines, starts media and
  /// binds SIP. Errors: from PersonaRules::load; invalid_argument field
  /// "voice" for an unknown flite voice (or slt); io when the port cannot be
  /// bound; conflict when the process already runs a SIP user agent.
  static Result<std::unique_ptr<CalleeSim>> start(CalleeSimConfig config);
  /// Stops (as stop()).
  ~CalleeSim();
  CalleeSim(const CalleeSim&) = delete;
  CalleeSim& operator=(const CalleeSim&) = delete;

  /// Ends every call (BYE/CANCEL/487), unbinds and joins the threads. Idempotent.
  void stop();

  [[nodiscard]] uint16_t udp_port() const;
  [[nodiscard]] uint16_t tcp_port() const;
  [[nodiscard]] CalleeSimCounters counters() const;
  /// Seconds of audio synthesised at start-up, all personas together.
  [[nodiscard]] double synthesized_seconds() const;

  struct Impl;

 private:
  explicit CalleeSim(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::sim
