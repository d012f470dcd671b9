// `voqo analytics rebuild [--campaign ID] [--db FILE]`: recomputes the
// metrics by period from the calls table (issue 18 §8; store/analytics.hpp).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "store/analytics.hpp"
#include "store/migrations.hpp"

namespace voqo::cli {

Subcommand add_analytics_command(CLI::App& app, std::string& db_path) {
  auto* analytics = app.add_subcommand("analytics", "Metrics by period");
  analytics->require_subcommand(1);
  auto* rebuild = analytics->add_subcommand(
      "rebuild", "Recompute the metrics by period from the stored calls, in one transaction (every workspace, or one campaign)");
  auto campaign = std::make_shared<std::string>();
  rebuild->add_option("--campaign", *campaign, "Only this campaign's (and its swarm agents') rows: the campaign id");
  rebuild->add_option("--db", db_path, "SQLite database file");
  Subcommand out;
  out.command = rebuild;
  out.run = [&db_path, campaign]() -> int {
    auto db = store::Database::open_sqlite(db_path);
    if (!db) {
      std::cerr << "voqo: " << db.error().message << "\n";
      return 1;
    }
    if (auto applied = store::migrate(**db); !applied) {
      std::cerr << "voqo: " << applied.error().message << "\n";
      return 1;
    }
    store::AnalyticsRepository repo(**db);
    auto counted = repo.rebuild(std::nullopt, campaign->empty() ? std::nullopt : std::optional<std::string>(*campaign));
    if (!counted) {
      std::cerr << "voqo: " << counted.error().message << "\n";
      (*db)->close();
      return 1;
    }
    std::cout << "rebuilt the metrics by period from " << *counted << " call" << (*counted == 1 ? "" : "s")
              << (campaign->empty() ? "" : " of campaign " + *campaign) << "\n";
    (*db)->close();
    return 0;
  };
  return out;
}

}  // namespace voqo::cli
