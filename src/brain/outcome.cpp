#include <array>
#include <cctype>

#include "brain/brain.hpp"

namespace voqo::brain {
namespace {
constexpr std::array<Outcome, 9> kOutcomes = {
    Outcome::demo_scheduled, Outcome::follow_up_needed, Outcome::not_interested,
    Outcome::call_back_later, Outcome::wrong_number,    Outcome::no_answer,
    Outcome::voicemail,       Outcome::transferred,     Outcome::other};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}
}  // namespace

std::string_view outcome_label(Outcome outcome) {
  switch (outcome) {
    case Outcome::demo_scheduled: return "Demo Scheduled";
    case Outcome::follow_up_needed: return "Follow-up Needed";
    case Outcome::not_interested: return "Not Interested";
    case Outcome::call_back_later: return "Call Back Later";
    case Outcome::wrong_number: return "Wrong Number";
    case Outcome::no_answer: return "No Answer";
    case Outcome::voicemail: return "Voicemail";
    case Outcome::transferred: return "Transferred";
    case Outcome::other: return "Other";
  }
  return "Other";
}

std::optional<Outcome> parse_outcome(std::string_view label) {
  for (Outcome o : kOutcomes)
    if (iequals(outcome_label(o), label)) return o;
  return std::nullopt;
}

std::span<const Outcome> all_outcomes() { return kOutcomes; }

}  // namespace voqo::brain
