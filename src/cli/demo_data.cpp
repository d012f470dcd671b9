#include "cli/demo_data.hpp"

#include <sstream>

#include "campaign/contact_import.hpp"

namespace voqo::cli {

namespace {
// Numbers from the 555-01xx range that North American numbering reserves for
// fiction, so the demo never points at a real person.
constexpr const char* kDemoCsv =
    "First Name,Last Name,Phone,Company,Notes\n"
    "Ada,Lovelace,(415) 555-0101,Analytical Engines,prefers mornings\n"
    "Alan,Turing,415-555-0102,Bletchley Park,\n"
    "Grace,Hopper,+1 415 555 0103,US Navy,asked about pricing\n"
    "Edsger,Dijkstra,415.555.0104 x12,Eindhoven,\n"
    "Barbara,Liskov,555-0105,MIT,number without area code\n"
    "Donald,Knuth,(415) 555-0101,Stanford,same number as Ada\n";
}  // namespace

Result<bool> seed_demo_data(store::Store& st) {
  store::ListQuery any;
  any.limit = 1;
  auto agents = st.agents().records().list(any);
  if (!agents) return std::unexpected(agents.error());
  if (!agents->items.empty()) return false;

  auto agent = st.agents().create({
      {"name", "Demo Sales Agent"},
      {"description", "Books product demos with warm leads."},
      {"systemPrompt", "You are a friendly sales assistant for voqo. Qualify the lead, answer questions briefly "
                       "and offer to book a 20-minute demo."},
      {"greetingMessage", "Hi, this is Sam from voqo. Do you have a minute?"},
      {"purpose", "sales"},
      {"voiceStyle", "friendly"},
  });
  if (!agent) return std::unexpected(agent.error());

  auto contact = st.contacts().create({{"name", "Ada Lovelace"}, {"phone", "+14155550101"}, {"tags", {"lead", "demo"}}});
  if (!contact) return std::unexpected(contact.error());
  auto memory = st.memories().create({{"content", "Prefers calls in the morning."}}, (*contact)["id"].get<std::string>());
  if (!memory) return std::unexpected(memory.error());

  auto campaign = st.campaigns().create({{"name", "Demo campaign"}, {"description", "Sample leads for the demo"}});
  if (!campaign) return std::unexpected(campaign.error());
  std::istringstream csv(kDemoCsv);
  auto report = campaign::import_contacts(st.uploads(), (*campaign)["id"].get<std::string>(), "demo-leads.csv", csv,
                                          campaign::ImportOptions{.region = st.settings().default_region()});
  if (!report) return std::unexpected(report.error());
  return true;
}

}  // namespace voqo::cli
