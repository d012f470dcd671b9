// `voqo callee-sim`: the SIP callee simulator (src/sim/) as a command.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "sim/callee_sim.hpp"

namespace voqo::cli {
namespace {

struct SimOptions {
  sim::CalleeSimConfig config;
  std::string config_file;
  std::string log_level;
  int max_call_s = 300;
  int idle_hangup_s = 20;
  int answer_delay_ms = 500;
};

/// Binds, prints "callee-sim listening on udp/tcp <ip>:<port>", runs until
/// SIGINT/SIGTERM, then prints the counters. Exit 0, or 1 when it cannot start.
int run(SimOptions& o) {
  if (!o.log_level.empty()) set_log_level(o.log_level);
  // Block the stop signals before any thread starts, so they all inherit the
  // mask and sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  o.config.rules_file = o.config_file;
  o.config.max_call = std::chrono::seconds(o.max_call_s);
  o.config.idle_hangup = std::chrono::seconds(o.idle_hangup_s);
  o.config.answer_delay = std::chrono::milliseconds(o.answer_delay_ms);
  auto sim = sim::CalleeSim::start(o.config);
  if (!sim) {
    std::cerr << "voqo callee-sim: " << sim.error().message << "\n";
    return 1;
  }
  std::cout << "callee-sim listening on udp/tcp " << o.config.listen_ip << ":" << (*sim)->udp_port() << std::endl;
  spdlog::info("callee-sim: {:.1f} s of persona audio synthesised", (*sim)->synthesized_seconds());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  const auto c = (*sim)->counters();
  (*sim)->stop();
  std::cout << "callee-sim stopped: " << c.invites << " calls, " << c.answered << " answered, " << c.busy << " busy, "
            << c.ringing_cancelled << " cancelled while ringing, " << c.hung_up_by_sim << " hung up by the sim, "
            << c.lines_spoken << " lines spoken, at most " << c.max_active << " at once, " << c.impatient_hang_ups
            << " impatient hang-ups" << std::endl;
  return 0;
}

}  // namespace

Subcommand add_callee_sim_command(CLI::App& app) {
  auto o = std::make_shared<SimOptions>();
  Subcommand s;
  auto* cmd = app.add_subcommand("callee-sim", "A SIP callee with personas, for demos and load tests");
  cmd->add_option("--sip-ip", o->config.listen_ip, "Address SIP and RTP bind to")->capture_default_str();
  cmd->add_option("--sip-port", o->config.port, "SIP port, UDP and TCP (0 = any free port)")->capture_default_str();
  cmd->add_option("--config", o->config_file,
                  "Persona rules, JSON {\"rules\":[{\"match\":REGEX,\"persona\":NAME}],\"default\":NAME} "
                  "(default: the last digit of the dialed number: 0 interested, 1 not_interested, 2 callback, "
                  "3 wrong_number, 4 voicemail, 5 no_answer, 6 busy, 7 stop_calling, 8 interested, 9 not_interested). "
                  "impatient (config only) answers, says nothing and hangs up unless the agent speaks within 2 s")
      ->check(CLI::ExistingFile);
  cmd->add_option("--voice", o->config.voice, "flite voice for every persona: rms, awb or kal16 (default: per persona)");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error, off");
  cmd->add_option("--max-call-seconds", o->max_call_s, "Hang up calls longer than this")->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--idle-hangup-seconds", o->idle_hangup_s, "Hang up after this much silence from both sides")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  cmd->add_option("--answer-delay-ms", o->answer_delay_ms, "Ring (180) this long before answering; 0 = answer at once")
      ->capture_default_str()->check(CLI::Range(0, 60000));
  cmd->add_option("--media-threads", o->config.media_threads, "RTP media threads")->capture_default_str()
      ->check(CLI::Range(1, 64));
  s.command = cmd;
  s.run = [o] { return run(*o); };
  return s;
}

}  // namespace voqo::cli
