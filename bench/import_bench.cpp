// Contact import throughput (issue 2, "Contact import"): generates a CSV of
// 1,000,000 realistic rows (name, a US phone number in one of many spellings,
// a few extra columns, ~1% bad numbers) and imports it:
//   1. CSV reading alone (CsvReader),
//   2. the whole import_rows() (parse + validate + E.164 + duplicates +
//      variables JSON) into a writer that keeps nothing, with threads=1 and
//      threads=2 (phone validation on a second thread),
//   3. the whole import through the real store (SQLite file in a temp dir,
//      one transaction), as `voqo import` and the upload API run it.
// Prints rows/s and the peak RSS (getrusage ru_maxrss). Targets: ≥ 200,000
// rows/s for (2) and peak RSS < 300 MB.
//
// Usage: bench_import [--rows N] [--keep FILE] [--no-db]
#include "store/store.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <tuple>
#include <string>

#include "campaign/contact_import.hpp"
#include "campaign/csv_reader.hpp"

namespace {

using Clock = std::chrono::steady_clock;

/// US area codes in service (a spread of states), all valid in libphonenumber.
constexpr const char* kAreaCodes[] = {
    "201", "202", "203", "205", "206", "207", "208", "209", "210", "212", "213", "214", "215", "216", "217",
    "218", "219", "224", "225", "228", "229", "231", "234", "239", "240", "248", "251", "252", "253", "254",
    "256", "260", "262", "267", "269", "270", "276", "281", "301", "302", "303", "304", "305", "307", "308",
    "309", "310", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "323", "330", "334",
    "336", "337", "339", "347", "351", "352", "360", "361", "385", "386", "401", "402", "404", "405", "406",
    "407", "408", "409", "410", "412", "413", "414", "415", "417", "419", "423", "424", "425", "432", "434",
    "435", "440", "443", "469", "478", "479", "480", "484", "501", "502", "503", "504", "505", "507", "508",
    "509", "510", "512", "513", "515", "516", "517", "518", "520", "530", "540", "541", "551", "559", "561",
    "562", "563", "567", "570", "571", "573", "574", "575", "580", "585", "586", "601", "602", "603", "605",
    "606", "607", "608", "609", "610", "612", "614", "615", "616", "617", "618", "619", "620", "623", "626",
    "630", "631", "636", "641", "646", "650", "651", "660", "661", "662", "678", "682", "701", "702", "703",
    "704", "706", "707", "708", "712", "713", "714", "715", "716", "717", "718", "719", "720", "724", "727",
    "731", "732", "734", "740", "754", "757", "760", "763", "765", "770", "772", "773", "774", "775", "781",
    "785", "786", "801", "802", "803", "804", "805", "806", "808", "810", "812", "813", "814", "815", "816",
    "817", "818", "828", "830", "831", "832", "843", "845", "847", "848", "850", "856", "857", "858", "859",
    "860", "862", "863", "864", "865", "870", "878", "901", "903", "904", "906", "907", "908", "909", "910",
    "912", "913", "914", "915", "916", "917", "918", "919", "920", "925", "928", "931", "936", "937", "940",
    "941", "947", "949", "951", "952", "954", "956", "970", "971", "972", "973", "978", "979", "980", "985"};
constexpr const char* kFirst[] = {"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
                                  "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "José", "Zoë",
                                  "Chloé", "Renée", "Ana María", "Wei"};
constexpr const char* kLast[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
                                 "Rodriguez", "Martinez", "Hernandez", "Lopez", "O'Brien", "Nguyen", "Müller",
                                 "Kowalski", "Schmidt", "Patel", "Kim", "Díaz"};
constexpr const char* kCompany[] = {"Acme Corp", "\"Smith, Jones and Partners\"", "Globex", "Initech",
                                    "\"Umbrella \"\"Health\"\" Inc\"", "Stark Industries", "Wayne Enterprises",
                                    "Hooli", "Vandelay Industries", "Soylent"};
constexpr const char* kCity[] = {"Springfield", "Portland", "Austin", "Denver", "Boston", "Seattle", "Miami",
                                 "Chicago", "Phoenix", "Atlanta"};

std::string phone_text(std::mt19937_64& rng, uint64_t i) {
  char buf[64];
  const char* area = kAreaCodes[rng() % std::size(kAreaCodes)];
  const unsigned exchange = 200 + static_cast<unsigned>(rng() % 800);
  const unsigned number = static_cast<unsigned>(rng() % 10000);
  if (i % 100 == 37) {  // ~1% bad
    switch ((i / 100) % 5) {
      case 0: std::snprintf(buf, sizeof buf, "%03u-%04u", exchange, number); break;  // too short
      case 1: return "n/a";
      case 2: std::snprintf(buf, sizeof buf, "(041) %03u-%04u", exchange, number); break;  // no such area code
      case 3: return "";
      default: std::snprintf(buf, sizeof buf, "%s%03u%04u99", area, exchange, number); break;  // too long
    }
    return buf;
  }
  switch (rng() % 8) {
    case 0: std::snprintf(buf, sizeof buf, "(%s) %03u-%04u", area, exchange, number); break;
    case 1: std::snprintf(buf, sizeof buf, "%s-%03u-%04u", area, exchange, number); break;
    case 2: std::snprintf(buf, sizeof buf, "%s.%03u.%04u", area, exchange, number); break;
    case 3: std::snprintf(buf, sizeof buf, "+1 %s %03u %04u", area, exchange, number); break;
    case 4: std::snprintf(buf, sizeof buf, "1-%s-%03u-%04u", area, exchange, number); break;
    case 5: std::snprintf(buf, sizeof buf, "%s%03u%04u", area, exchange, number); break;
    case 6: std::snprintf(buf, sizeof buf, "%s-%03u-%04u x%u", area, exchange, number, static_cast<unsigned>(rng() % 9000 + 100)); break;
    default: std::snprintf(buf, sizeof buf, "+1 (%s) %03u-%04u", area, exchange, number); break;
  }
  return buf;
}

void generate(const std::filesystem::path& path, uint64_t rows) {
  std::ofstream out(path, std::ios::binary);
  std::mt19937_64 rng(20240601);
  out << "First Name,Last Name,Phone,Email,Company,City,Customer Id,Notes\n";
  std::string line;
  for (uint64_t i = 0; i < rows; ++i) {
    const char* first = kFirst[rng() % std::size(kFirst)];
    const char* last = kLast[rng() % std::size(kLast)];
    line.clear();
    line += first;
    line += ',';
    line += last;
    line += ',';
    line += phone_text(rng, i);
    line += ",user";
    line += std::to_string(i);
    line += "@example.com,";
    line += kCompany[rng() % std::size(kCompany)];
    line += ',';
    line += kCity[rng() % std::size(kCity)];
    line += ",C";
    line += std::to_string(1000000 + i);
    line += ',';
    if (i % 50 == 0) line += "\"Called twice,\nprefers mornings\"";
    line += '\n';
    out << line;
  }
}

/// A writer that keeps nothing (figure 2 measures the import itself).
class NullWriter final : public voqo::store::UploadWriter {
 public:
  voqo::Result<void> add_contact(const voqo::store::BatchContactRow& row) override {
    bytes_ += row.phone.size() + row.variables_json.size();
    return {};
  }
  voqo::Result<void> add_rejection(const voqo::store::RowIssue&) override { return {}; }
  voqo::Result<void> add_warning(const voqo::store::RowIssue&) override { return {}; }
  const std::string& upload_id() const override { return id_; }
  uint64_t bytes_ = 0;

 private:
  std::string id_ = "bench";
};

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // KiB on Linux
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto tv = [](const timeval& v) { return static_cast<double>(v.tv_sec) + static_cast<double>(v.tv_usec) / 1e6; };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Runs `f` and returns {its result, wall seconds, CPU seconds of the process}.
template <class F>
auto timed(F&& f) {
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  auto result = f();
  return std::tuple{std::move(result), seconds_since(t0), cpu_seconds() - cpu0};
}

int fail(const voqo::Error& e) {
  std::fprintf(stderr, "import error: %s\n", e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 1'000'000;
  bool db = true;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-db")) db = false;
    else if (!std::strcmp(argv[i], "--rows") && i + 1 < argc) rows = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--keep") && i + 1 < argc) keep = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--rows N] [--keep FILE] [--no-db]\n", argv[0]);
      return 2;
    }
  }
  const auto path = keep.empty() ? std::filesystem::temp_directory_path() /
                                       ("voqo_import_bench_" + std::to_string(::getpid()) + ".csv")
                                 : std::filesystem::path(keep);
  auto t = Clock::now();
  generate(path, rows);
  std::printf("generated %llu rows, %.1f MB in %.2f s -> %s\n", static_cast<unsigned long long>(rows),
              static_cast<double>(std::filesystem::file_size(path)) / 1e6, seconds_since(t), path.c_str());
  std::printf("peak RSS after generating: %ld MB\n", peak_rss_mb());

  {  // 1. CSV reading alone.
    std::ifstream in(path, std::ios::binary);
    voqo::campaign::CsvReader reader(in);
    voqo::campaign::CsvRecord record;
    uint64_t records = 0;
    t = Clock::now();
    while (true) {
      auto got = reader.next(record);
      if (!got) {
        std::fprintf(stderr, "csv error: %s\n", got.error().message.c_str());
        return 1;
      }
      if (!*got) break;
      ++records;
    }
    const double s = seconds_since(t);
    std::printf("[1] csv read only:        %llu records in %.2f s = %.0f records/s\n",
                static_cast<unsigned long long>(records), s, static_cast<double>(records) / s);
  }

  // 2. import_rows into a writer that keeps nothing: all on the calling
  //    thread, then with phone validation on a second thread (the default).
  for (const uint32_t threads : {1u, 2u}) {
    std::ifstream in(path, std::ios::binary);
    NullWriter writer;
    voqo::campaign::ImportOptions options;
    options.threads = threads;
    auto [report, s, cpu] = timed([&] { return voqo::campaign::import_rows(in, writer, options); });
    if (!report) return fail(report.error());
    const auto total = static_cast<double>(report->total_rows);
    std::printf("[2] import_rows, threads=%u: %llu rows (%llu imported, %llu rejected) in %.2f s = %.0f rows/s"
                " (CPU %.2f s, %.2f us/row)\n",
                threads, static_cast<unsigned long long>(report->total_rows),
                static_cast<unsigned long long>(report->imported),
                static_cast<unsigned long long>(report->rejected_total), s, total / s, cpu, cpu * 1e6 / total);
    std::printf("    peak RSS so far: %ld MB\n", peak_rss_mb());
  }

  if (db) {  // 3. Through the real store.
    const auto dir = std::filesystem::temp_directory_path() / ("voqo_import_bench_db_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
      auto st = voqo::store::Store::open(dir / "voqo.db");
      if (!st) {
        std::fprintf(stderr, "store error: %s\n", st.error().message.c_str());
        return 1;
      }
      auto ws = (*st)->access().default_workspace();  // every repository takes a workspace (issue 16)
      if (!ws) return fail(ws.error());
      auto campaign = (*st)->campaigns().create(*ws, {{"name", "bench"}});
      std::ifstream in(path, std::ios::binary);
      auto [report, s, cpu] = timed([&] {
        return voqo::campaign::import_contacts((*st)->uploads(), *ws, (*campaign)["id"].get<std::string>(), "bench.csv", in,
                                               voqo::campaign::ImportOptions{});
      });
      if (!report) return fail(report.error());
      const auto total = static_cast<double>(report->total_rows);
      std::printf("[3] import into SQLite (one transaction): %llu rows (%llu stored) in %.2f s = %.0f rows/s"
                  " (CPU %.2f s), database %.0f MB\n",
                  static_cast<unsigned long long>(report->total_rows),
                  static_cast<unsigned long long>(report->imported), s, total / s, cpu,
                  static_cast<double>(std::filesystem::file_size(dir / "voqo.db") +
                                      (std::filesystem::exists(dir / "voqo.db-wal")
                                           ? std::filesystem::file_size(dir / "voqo.db-wal") : 0)) / 1e6);
    }
    std::filesystem::remove_all(dir);
  }

  if (keep.empty()) std::filesystem::remove(path);
  std::printf("peak RSS: %ld MB\n", peak_rss_mb());
  return 0;
}
