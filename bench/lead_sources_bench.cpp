// Lead-source pushes (issue 18 §7): the cost of campaign::import_leads, the
// path every push, manual entry and CRM pull takes (field mapping, one quoted
// CSV, import_rows, the campaign's phones read for duplicates, one upload in
// one transaction), on a SQLite file in a temp dir:
//   1. pushes of 10,000 new leads (the push cap) into a campaign that grows
//      by 10,000 each time (0 → 90,000 held), so the duplicate set's cost shows;
//   2. the last push again: every lead a duplicate (a re-sync of the same CRM).
// Prints leads/s per push.
//
// Usage: bench_lead_sources [--pushes N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "campaign/lead_sources.hpp"
#include "core/id.hpp"
#include "store/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<voqo::campaign::RawLead> leads(int push) {
  std::vector<voqo::campaign::RawLead> out;
  for (int i = 0; i < 10'000; ++i) {
    const int n = push * 10'000 + i;  // distinct numbers across pushes: 212-2xx-xxxx
    char phone[32];
    std::snprintf(phone, sizeof phone, "(212) %03d-%04d", 200 + n / 10'000, n % 10'000);
    voqo::campaign::RawLead l;
    l.line = static_cast<uint64_t>(i) + 1;
    l.fields = {{"mobile_number", phone}, {"full_name", "Lead " + std::to_string(n)}, {"org", "Org " + std::to_string(n % 97)},
                {"email", "lead" + std::to_string(n) + "@example.com"}, {"tier", n % 3 ? "silver" : "gold"}};
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int pushes = 10;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--pushes") == 0) pushes = std::atoi(argv[i + 1]);
  const auto dir = std::filesystem::temp_directory_path() / ("voqo-lead-bench-" + voqo::new_id());
  std::filesystem::create_directories(dir);
  auto st = voqo::store::Store::open(dir / "voqo.db");
  if (!st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  auto ws = (*st)->access().default_workspace();
  auto campaign = (*st)->campaigns().create(*ws, {{"name", "Bench"}});
  auto created = (*st)->lead_sources().create(
      *ws, {{"campaignId", (*campaign)["id"]}, {"name", "bench"}, {"sourceType", "api_webhook"},
            {"fieldMapping", {{"phone", "mobile_number"}, {"name", "full_name"}, {"company", "org"},
                              {"customFields", {{"tier", "customerTier"}}}}}});
  if (!created) {
    std::fprintf(stderr, "%s\n", created.error().message.c_str());
    return 1;
  }
  auto source = (*st)->lead_source_store().get(*ws, (*created)["id"]);
  std::printf("push  held_before  imported  rejected  ms      leads/s\n");
  auto run = [&](int push, int label, int held) {
    const auto batch = leads(push);
    const auto t0 = Clock::now();
    auto r = voqo::campaign::import_leads(**st, *source, batch, "US");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      std::exit(1);
    }
    std::printf("%-5d %-12d %-9llu %-9llu %-7.1f %.0f\n", label, held,
                static_cast<unsigned long long>(r->imported), static_cast<unsigned long long>(r->rejected_total), ms,
                batch.size() / (ms / 1000));
  };
  for (int p = 0; p < pushes; ++p) run(p, p + 1, p * 10'000);
  std::printf("again (every lead a duplicate):\n");
  run(pushes - 1, pushes + 1, pushes * 10'000);
  (*st)->close();
  std::filesystem::remove_all(dir);
  return 0;
}
