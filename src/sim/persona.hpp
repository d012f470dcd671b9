#pragma once
/// Personas of the callee simulator (`voqo callee-sim`, issue 4 §7): who
/// answers a dialed number, what they say, and the rule that picks a persona
/// for a number.
///
/// Every persona is written against voqo's embedded scripted brain
/// (brain/scripted_brain.cpp, brain/intent.hpp) so that a call with a
/// property_sales agent ends with a known result:
///
///   persona         SIP                        the agent's result
///   interested      answers                    outcome "Demo Scheduled"
///   not_interested  answers                    outcome "Not Interested"
///   callback        answers                    "Call Back Later", systemInfo.callbackAt
///   wrong_number    answers                    outcome "Wrong Number"
///   voicemail       answers (a machine)        outcome "Voicemail" (AMD: long greeting + beep)
///   no_answer       180 Ringing, never answers status no_answer (the caller's ring timeout CANCELs)
///   busy            486 Busy Here              status busy
///   stop_calling    answers                    "Not Interested", systemInfo.doNotCall
///   impatient       answers, says nothing;     abandoned (issue 18 §9) when the agent is silent
///                   BYE unless agent audio     for 2 s: the call ends with no agent audio; an
///                   within 2 s of the 200 OK   agent that speaks in time gets "Not Interested"
///
/// impatient is the abandoned-call rule's callee (docs/ANALYTICS.md; Ofcom
/// and the FTC TSR count a call abandoned when the person who answers hears
/// no one within 2 s): it never speaks first, waits kImpatientPatience for
/// the agent's voice (Patience below) and hangs up when none comes; heard in
/// time, it answers each agent turn as not_interested does. No digit picks
/// it by default (0–9 are taken); name it in the config's rules or default.
///
/// Lines are chosen for the intent lexicon *after* pocketsphinx has heard
/// them: each carries one strong phrase of its intent ("not interested",
/// "wrong number", "stop calling", "call me back" + a time phrase) and
/// every line of the interested persona is positive in any phase of the
/// flow, so a re-prompt or an extra question from the agent shifts the lines
/// without changing the outcome.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace voqo::sim {

/// The callee's behaviour on a call.
enum class Persona { interested, not_interested, callback, wrong_number, voicemail, no_answer, busy, stop_calling, impatient };

inline constexpr std::size_t kPersonaCount = 9;
/// All personas in declaration order (index = static_cast<size_t>(persona)).
inline constexpr std::array<Persona, kPersonaCount> kAllPersonas{
    Persona::interested, Persona::not_interested, Persona::callback,  Persona::wrong_number, Persona::voicemail,
    Persona::no_answer,  Persona::busy,           Persona::stop_calling, Persona::impatient};

/// How long the impatient persona waits for the agent's voice after its
/// 200 OK: the abandoned-call rule's 2 s (calls::kAbandonAfterMs, which sim/
/// does not link; a unit test keeps the two equal).
inline constexpr std::chrono::milliseconds kImpatientPatience{2000};

/// "interested", "not_interested", "callback", "wrong_number", "voicemail",
/// "no_answer", "busy", "stop_calling", "impatient".
std::string_view persona_name(Persona persona);

/// The persona named `name` (one of persona_name()'s values). Errors:
/// ErrorCode::invalid_argument with field "persona", listing the known names.
Result<Persona> parse_persona(std::string_view name);

/// How the persona treats the INVITE.
enum class Pickup {
  answer,        ///< 200 OK (after the simulator's ring delay)
  ring_forever,  ///< 180 Ringing and nothing more, until the caller CANCELs
  busy,          ///< 486 Busy Here (RFC 3261 §21.4.24)
};

/// What a persona says and how it picks up.
struct PersonaScript {
  Persona persona = Persona::interested;
  Pickup pickup = Pickup::answer;
  std::string voice;               ///< default flite voice (never "slt", the agents' default)
  /// lines[0] is said on pickup; each further line answers one agent turn
  /// (said once the agent's speech is followed by the reply gap). After the
  /// last line the callee stays silent. Empty for personas that never answer.
  std::vector<std::string> lines;
  bool beep_after_first = false;   ///< voicemail: a beep follows the greeting, then silence
  /// false (impatient): lines[0] is not said on pickup but, like the later
  /// lines, once the agent has spoken and paused (the callee waits for the agent).
  bool speaks_first = true;
  /// impatient: hang up (BYE) unless the agent's voice is heard within this
  /// long of the answer (Patience); nullopt = no such rule.
  std::optional<std::chrono::milliseconds> patience;
};

/// The impatient callee's timing rule, on the callee's clock: fed, for each
/// 20 ms audio frame from the answer on, the time at the frame's end since
/// the 200 OK and whether the agent's audio in it was voiced (the simulator's
/// WebRTC VAD). The agent is heard in time when a voiced frame ends at or
/// before `limit`; the callee hangs up at the first frame ending at or after
/// `limit` with no voice heard yet. Either verdict is final. Pure: no clock,
/// no allocation (the simulator calls it on the media thread).
class Patience {
 public:
  enum class State {
    waiting,  ///< no agent voice yet, `limit` not reached
    heard,    ///< the agent spoke in time: the callee stays on the call
    hang_up,  ///< `limit` passed in silence: the callee hangs up
  };
  explicit Patience(std::chrono::milliseconds limit) : limit_(limit) {}
  /// One frame ending `since_answer` after the answer. Returns the state after it.
  State frame(std::chrono::milliseconds since_answer, bool agent_voiced) {
    if (state_ != State::waiting) return state_;
    if (agent_voiced && since_answer <= limit_) state_ = State::heard;
    else if (since_answer >= limit_) state_ = State::hang_up;
    return state_;
  }
  [[nodiscard]] State state() const { return state_; }

 private:
  std::chrono::milliseconds limit_;
  State state_ = State::waiting;
};

/// The built-in script of `persona`.
const PersonaScript& persona_script(Persona persona);

/// The built-in rule: the last decimal digit of the dialed user picks the
/// persona — 0 interested, 1 not_interested, 2 callback, 3 wrong_number,
/// 4 voicemail, 5 no_answer, 6 busy, 7 stop_calling, 8 interested,
/// 9 not_interested (the demo's sample contacts are numbered to match). A
/// user without any digit gets interested.
Persona persona_for_last_digit(std::string_view dialed);

/// Number → persona rules, from the simulator's JSON config:
/// ```json
/// {"rules": [{"match": "^\\+1212555010[0-3]$", "persona": "busy"}, ...],
///  "default": "interested"}
/// ```
/// `match` is an ECMAScript regular expression searched in the dialed user
/// (the Request-URI's user part, e.g. "+12125550100"; use ^...$ to anchor);
/// the first matching rule wins. Numbers no rule matches get `default`, or,
/// when the config has no "default", the built-in last-digit rule. Both keys
/// are optional; other keys are rejected (a typo would otherwise be silently
/// ignored).
class PersonaRules {
 public:
  /// No rules, no default: the last-digit rule for every number.
  PersonaRules() = default;

  /// Parses the JSON config above. Errors: ErrorCode::bad_request when the
  /// text is not JSON; ErrorCode::invalid_argument with one FieldError per
  /// problem: "rules" (not an array), "rules[2]" (not an object),
  /// "rules[2].match" (missing, not a string, or not a valid regex),
  /// "rules[2].persona" / "default" (missing or unknown persona), "<key>"
  /// (unknown key), "" (the top level is not an object).
  static Result<PersonaRules> parse(std::string_view json_text);

  /// Reads and parses a config file. Errors: ErrorCode::not_found (no such
  /// file), ErrorCode::io (unreadable), then as parse(); messages name the file.
  static Result<PersonaRules> load(const std::filesystem::path& path);

  /// The persona for the dialed user `dialed`.
  [[nodiscard]] Persona choose(std::string_view dialed) const;

  [[nodiscard]] std::size_t size() const { return rules_.size(); }

 private:
  struct Rule {
    std::string match;
    std::regex regex;
    Persona persona;
  };
  std::vector<Rule> rules_;
  std::optional<Persona> default_;
};

}  // namespace voqo::sim
