// Contact import (src/campaign/contact_import.hpp): import_rows() into a fake
// UploadWriter that keeps everything in vectors.
#include "campaign/contact_import.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <streambuf>

#include <nlohmann/json.hpp>

#include "support/generated_stream.hpp"
#include "support/test_support.hpp"

using namespace voqo::campaign;
using voqo::store::BatchContactRow;
using voqo::store::RowIssue;
using voqo::test::GeneratedBuf;
using namespace std::string_literals;

namespace {

class FakeWriter final : public voqo::store::UploadWriter {
 public:
  voqo::Result<void> add_contact(const BatchContactRow& row) override {
    if (fail_after && contacts.size() >= *fail_after) return std::unexpected(voqo::Error::database("disk full"));
    contacts.push_back(row);
    return {};
  }
  voqo::Result<void> add_rejection(const RowIssue& issue) override {
    rejections.push_back(issue);
    return {};
  }
  voqo::Result<void> add_warning(const RowIssue& issue) override {
    warnings.push_back(issue);
    return {};
  }
  const std::string& upload_id() const override { return id; }

  const BatchContactRow* contact_at(uint64_t line) const {
    for (const auto& c : contacts)
      if (c.line == line) return &c;
    return nullptr;
  }
  const RowIssue* rejection_at(uint64_t line) const {
    for (const auto& r : rejections)
      if (r.line == line) return &r;
    return nullptr;
  }

  std::string id = "upload_test";
  std::vector<BatchContactRow> contacts;
  std::vector<RowIssue> rejections;
  std::vector<RowIssue> warnings;
  std::optional<size_t> fail_after;
};

struct Run {
  voqo::Result<ImportReport> report;
  FakeWriter writer;
};

Run import_text(const std::string& text, ImportOptions options = {}) {
  Run run{std::unexpected(voqo::Error{}), {}};
  std::istringstream in(text);
  run.report = import_rows(in, run.writer, options);
  return run;
}

nlohmann::json vars(const BatchContactRow& row) { return nlohmann::json::parse(row.variables_json); }

/// The variables of the contact imported from `line` (a failure, and null, if none).
nlohmann::json vars_at(const FakeWriter& writer, uint64_t line) {
  const auto* c = writer.contact_at(line);
  if (!c) {
    ADD_FAILURE() << "no contact from line " << line;
    return nullptr;
  }
  return vars(*c);
}

std::string error_of(const Run& run) { return run.report ? "(no error)" : run.report.error().message; }


}  // namespace

// --- customers-100.csv --------------------------------------------------------
//
// A faker-made list: "Index,Customer Id,First Name,Last Name,Company,City,
// Country,Phone 1,Phone 2,Email,Subscription Date,Website", CRLF line ends.
// Despite its name it has 102 data rows (Index 1–102, lines 2–103). Its
// numbers are random digits in US shapes, so many cannot exist: NANP area
// codes and exchange codes both start with 2–9 (NXX), so 229-077-5154 (exchange
// 077) or 027-846-3705 (area code 027) are not valid numbers.

TEST(ContactImport, Customers100) {
  std::ifstream in(voqo::test::fixtures() / "csv" / "customers-100.csv", std::ios::binary);
  ASSERT_TRUE(in.good());
  FakeWriter writer;
  ImportOptions options;
  options.region = "US";
  auto report = import_rows(in, writer, options);
  ASSERT_TRUE(report.has_value()) << report.error().message;

  // For humans reading the test log.
  std::cout << "customers-100.csv: " << report->total_rows << " rows, " << report->imported << " imported, "
            << report->rejected_total << " rejected\n";
  for (const auto& r : writer.rejections)
    std::cout << "  line " << r.line << "  [" << r.column << "]  " << r.reason << "\n";

  EXPECT_EQ(report->upload_id, "upload_test");
  EXPECT_EQ(report->delimiter, ',');
  EXPECT_EQ(report->phone_column, "Phone 1");
  EXPECT_EQ(report->name_column, "First Name + Last Name");
  EXPECT_EQ(report->total_rows, 102u);
  EXPECT_EQ(report->imported + report->rejected_total, 102u);
  EXPECT_EQ(report->imported, writer.contacts.size());
  EXPECT_EQ(report->rejected_total, writer.rejections.size());
  EXPECT_EQ(report->rejected.size(), writer.rejections.size());
  EXPECT_EQ(report->imported, 34u);
  EXPECT_TRUE(writer.warnings.empty());
  for (const auto& r : writer.rejections) EXPECT_EQ(r.column, "Phone 1") << "line " << r.line;

  // Line 2, Sheryl Baxter, 229.077.5154: exchange 077 cannot exist.
  ASSERT_NE(writer.rejection_at(2), nullptr);
  EXPECT_EQ(writer.rejection_at(2)->reason, "not a valid number for region US: exchange 077 cannot start with 0 or 1");
  // Line 4, Roy Berry, "-1199": four digits.
  ASSERT_NE(writer.rejection_at(4), nullptr);
  EXPECT_EQ(writer.rejection_at(4)->reason, "invalid number: too short");
  // Line 102, Shane Foley, "-1692".
  ASSERT_NE(writer.rejection_at(102), nullptr);
  EXPECT_EQ(writer.rejection_at(102)->reason, "invalid number: too short");
  // Line 103, Virginia Dudley, 027.846.3705x14184: area code 027 cannot exist.
  ASSERT_NE(writer.rejection_at(103), nullptr);
  EXPECT_EQ(writer.rejection_at(103)->reason, "not a valid number for region US: area code 027 cannot start with 0 or 1");

  // Line 3, Preston Lozano, 5153435776 (Des Moines area code 515).
  const auto* preston = writer.contact_at(3);
  ASSERT_NE(preston, nullptr);
  EXPECT_EQ(preston->phone, "+15153435776");
  EXPECT_EQ(preston->name, "Preston Lozano");
  EXPECT_EQ(vars(*preston), nlohmann::json::parse(R"({
      "Index": "2", "Customer Id": "1Ef7b82A4CAAD10", "Company": "Vega-Gentry",
      "City": "East Jimmychester", "Country": "Djibouti", "Phone 2": "686-620-1820x944",
      "Email": "vmata@colon.com", "Subscription Date": "23/04/2021", "Website": "http://www.hobbs.com/"})"));
  // Variables keep the file's column order.
  EXPECT_EQ(preston->variables_json.rfind("{\"Index\":\"2\",\"Customer Id\":", 0), 0u);

  // Line 5, Linda Olsen, 001-808-617-6467x12895: "00" + 1 (North America),
  // Hawaii 808, extension 12895; her company has a quoted comma.
  const auto* linda = writer.contact_at(5);
  ASSERT_NE(linda, nullptr);
  EXPECT_EQ(linda->phone, "+18086176467");
  EXPECT_EQ(linda->name, "Linda Olsen");
  EXPECT_EQ(vars(*linda)["extension"], "12895");
  EXPECT_EQ(vars(*linda)["Company"], "Dominguez, Mcmillan and Donovan");
  EXPECT_EQ(vars(*linda)["Phone 2"], "-9892");  // other phone columns are kept as written

  // Line 7, Aimee Downs, (283)437-3886x88321.
  const auto* aimee = writer.contact_at(7);
  ASSERT_NE(aimee, nullptr);
  EXPECT_EQ(aimee->phone, "+12834373886");
  EXPECT_EQ(vars(*aimee)["extension"], "88321");

  // Line 33, Tom Trujillo, 416-338-3758: a Toronto number, valid in a US list
  // (Canada shares country code +1).
  ASSERT_NE(writer.contact_at(33), nullptr);
  EXPECT_EQ(writer.contact_at(33)->phone, "+14163383758");
  EXPECT_FALSE(vars_at(writer, 33).contains("extension"));

  // Line 53: no first name, last name "Crawford".
  ASSERT_NE(writer.contact_at(53), nullptr);
  EXPECT_EQ(writer.contact_at(53)->name, "Crawford");

  // File order, every row once.
  std::vector<uint64_t> lines;
  for (const auto& c : writer.contacts) lines.push_back(c.line);
  for (const auto& r : writer.rejections) lines.push_back(r.line);
  std::sort(lines.begin(), lines.end());
  ASSERT_EQ(lines.size(), 102u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], i + 2);
  EXPECT_TRUE(std::is_sorted(writer.contacts.begin(), writer.contacts.end(),
                             [](const auto& a, const auto& b) { return a.line < b.line; }));
}

TEST(ContactImport, OneThreadAndTwoGiveTheSameResult) {
  // Enough rows for several batches, with rejections and duplicates mixed in.
  std::string text = "name,phone,note\n";
  for (int i = 0; i < 5000; ++i) {
    text += "Person " + std::to_string(i) + ",";
    if (i % 97 == 0) text += "12";
    else if (i % 89 == 0) text += "(650) 253-0000";
    else text += "(650) 2" + std::to_string(10 + i % 90) + "-" + std::to_string(1000 + i % 9000);
    text += ",n" + std::to_string(i) + "\n";
  }
  ImportOptions one;
  one.threads = 1;
  ImportOptions two;
  two.threads = 2;
  auto a = import_text(text, one);
  auto b = import_text(text, two);
  ASSERT_TRUE(a.report && b.report);
  EXPECT_EQ(a.report->imported, b.report->imported);
  ASSERT_EQ(a.writer.contacts.size(), b.writer.contacts.size());
  for (size_t i = 0; i < a.writer.contacts.size(); ++i) {
    EXPECT_EQ(a.writer.contacts[i].line, b.writer.contacts[i].line);
    EXPECT_EQ(a.writer.contacts[i].phone, b.writer.contacts[i].phone);
    EXPECT_EQ(a.writer.contacts[i].variables_json, b.writer.contacts[i].variables_json);
  }
  ASSERT_EQ(a.writer.rejections.size(), b.writer.rejections.size());
  for (size_t i = 0; i < a.writer.rejections.size(); ++i) {
    EXPECT_EQ(a.writer.rejections[i].line, b.writer.rejections[i].line);
    EXPECT_EQ(a.writer.rejections[i].reason, b.writer.rejections[i].reason);
  }
  EXPECT_GT(a.writer.rejections.size(), 50u);
  EXPECT_EQ(a.report->total_rows, 5000u);
}

// --- rows ------------------------------------------------------------------------

TEST(ContactImport, DuplicateNumbersPointToTheFirstLine) {
  auto run = import_text("name,phone\nAnn,(650) 253-0000\nBob,202-456-1111\nCarl,+1 650 253 0000\nDee,6502530000 x12\n");
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.report->imported, 2u);
  ASSERT_EQ(run.writer.rejections.size(), 2u);
  EXPECT_EQ(run.writer.rejections[0].line, 4u);
  EXPECT_EQ(run.writer.rejections[0].column, "phone");
  EXPECT_EQ(run.writer.rejections[0].reason, "duplicate of line 2");
  EXPECT_EQ(run.writer.rejections[1].line, 5u);
  EXPECT_EQ(run.writer.rejections[1].reason, "duplicate of line 2");
}

TEST(ContactImport, ManyDistinctNumbersAreNotDuplicates) {
  // Grows the duplicate index through several rehashes.
  std::string text = "phone\n";
  for (int i = 0; i < 20000; ++i) text += "+1 202 " + std::to_string(200 + i / 10000) + " " + std::to_string(10000 + i).substr(1) + "\n";
  text += "+1 202 200 0000\n+1 202 201 9999\n";
  auto run = import_text(text);
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.report->imported, 20000u);
  ASSERT_EQ(run.writer.rejections.size(), 2u);
  EXPECT_EQ(run.writer.rejections[0].reason, "duplicate of line 2");
  EXPECT_EQ(run.writer.rejections[1].reason, "duplicate of line 20001");
}

TEST(ContactImport, NulByteRejectsOnlyItsRow) {
  const std::string text = "name,phone\nAnn,650-253-0000\nB\0b,202-456-1111\nCy,202-456-1112\n"s;
  auto run = import_text(text);
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.report->imported, 2u);
  ASSERT_EQ(run.writer.rejections.size(), 1u);
  EXPECT_EQ(run.writer.rejections[0].line, 3u);
  EXPECT_EQ(run.writer.rejections[0].column, "name");
  EXPECT_EQ(run.writer.rejections[0].reason, "contains a NUL byte");
}

TEST(ContactImport, Windows1252FileIsImportedWithWarnings) {
  // Saved by Excel as "CSV (Windows)": é = 0xE9, í = 0xED, ’ = 0x92.
  auto run = import_text("name,phone,note\nJos\xE9 Garc\xED" "a,650-253-0000,it\x92s fine\nAnn,202-456-1111,plain\n");
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.report->imported, 2u);
  ASSERT_NE(run.writer.contact_at(2), nullptr);
  EXPECT_EQ(run.writer.contact_at(2)->name, "Jos\xC3\xA9 Garc\xC3\xAD" "a");
  EXPECT_EQ(vars_at(run.writer, 2)["note"], "it\xE2\x80\x99s fine");
  ASSERT_EQ(run.writer.warnings.size(), 1u);
  EXPECT_EQ(run.writer.warnings[0].line, 2u);
  EXPECT_EQ(run.writer.warnings[0].column, "name");
  EXPECT_EQ(run.writer.warnings[0].reason, "not UTF-8; read as Windows-1252");
  EXPECT_EQ(run.report->warnings_total, 1u);
}

TEST(ContactImport, TenThousandColumnRow) {
  std::string header = "h1,h2,h3,h4,h5,h6,h7,h8,h9,h10,h11,phone";
  std::string wide;
  for (int i = 0; i < 10000; ++i) wide += (i ? ",x" : "x");
  auto run = import_text(header + "\n" + wide + "\n" + ",,,,,,,,,,,650-253-0000\n");
  ASSERT_TRUE(run.report) << error_of(run);
  ASSERT_EQ(run.writer.rejections.size(), 1u);
  EXPECT_EQ(run.writer.rejections[0].line, 2u);
  EXPECT_EQ(run.writer.rejections[0].column, "");
  EXPECT_EQ(run.writer.rejections[0].reason, "too many fields (10000; header has 12)");
  EXPECT_EQ(run.report->imported, 1u);
}

TEST(ContactImport, ShortRowsTrailingEmptyFieldsAndEmptyRows) {
  auto run = import_text(
      "name,phone,city,zip\n"
      "Ann,650-253-0000\n"             // short: city and zip empty
      "Bob,202-456-1111,Austin,,,\n"   // trailing empty extras are fine
      ",,,\n"                           // empty
      "Cy,202-456-1112,Waco,1,extra\n"  // a real extra field
      "\"\",\"\"\n");                   // empty too
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.report->total_rows, 5u);
  EXPECT_EQ(run.report->imported, 2u);
  EXPECT_EQ(vars_at(run.writer, 2), nlohmann::json::parse(R"({"city":"","zip":""})"));
  EXPECT_EQ(vars_at(run.writer, 3), nlohmann::json::parse(R"({"city":"Austin","zip":""})"));
  ASSERT_EQ(run.writer.rejections.size(), 3u);
  EXPECT_EQ(run.writer.rejections[0].line, 4u);
  EXPECT_EQ(run.writer.rejections[0].reason, "empty row");
  EXPECT_EQ(run.writer.rejections[1].line, 5u);
  EXPECT_EQ(run.writer.rejections[1].reason, "too many fields (5; header has 4)");
  EXPECT_EQ(run.writer.rejections[2].line, 6u);
  EXPECT_EQ(run.writer.rejections[2].reason, "empty row");
}

TEST(ContactImport, PhoneErrorsNameTheColumn) {
  auto run = import_text("Name,Mobile,Notes\nAnn,,x\nBob,12,y\nCy,n/a,z\nDee,(041) 737-3846,w\n");
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.report->imported, 0u);
  ASSERT_EQ(run.writer.rejections.size(), 4u);
  EXPECT_EQ(run.writer.rejections[0].column, "Mobile");
  EXPECT_EQ(run.writer.rejections[0].reason, "missing phone");
  EXPECT_EQ(run.writer.rejections[1].reason, "invalid number: too short");
  EXPECT_EQ(run.writer.rejections[2].reason, "not a phone number");
  EXPECT_EQ(run.writer.rejections[3].reason, "not a valid number for region US: area code 041 cannot start with 0 or 1");
}

TEST(ContactImport, ExtensionGoesToVariables) {
  auto run = import_text("name,phone\nAnn,650-253-0000 ext. 12\n");
  ASSERT_TRUE(run.report) << error_of(run);
  ASSERT_EQ(run.writer.contacts.size(), 1u);
  EXPECT_EQ(run.writer.contacts[0].phone, "+16502530000");
  EXPECT_EQ(run.writer.contacts[0].variables_json, R"({"extension":"12"})");

  // A file with its own "extension" column: the cell wins when it has a value.
  auto own = import_text("phone,extension\n650-253-0000 x7,99\n202-456-1111 x8,\n");
  ASSERT_TRUE(own.report) << error_of(own);
  ASSERT_EQ(own.writer.contacts.size(), 2u);
  EXPECT_EQ(own.writer.contacts[0].variables_json, R"({"extension":"99"})");
  EXPECT_EQ(own.writer.contacts[1].variables_json, R"({"extension":"8"})");
}

TEST(ContactImport, FieldLongerThanTheLimitRejectsItsRow) {
  ImportOptions options;
  options.max_field_bytes = 100;
  auto run = import_text("name,phone,notes\nAnn,650-253-0000," + std::string(500, 'n') + "\nBob,202-456-1111,ok\n", options);
  ASSERT_TRUE(run.report) << error_of(run);
  ASSERT_EQ(run.writer.rejections.size(), 1u);
  EXPECT_EQ(run.writer.rejections[0].line, 2u);
  EXPECT_EQ(run.writer.rejections[0].column, "notes");
  EXPECT_EQ(run.writer.rejections[0].reason, "field longer than 100 bytes");
  EXPECT_EQ(run.report->imported, 1u);
}

TEST(ContactImport, ReportKeepsAtMostTheCapButTheWriterGetsAll) {
  ImportOptions options;
  options.max_report_issues = 2;
  auto run = import_text("phone\n1\n2\n3\n4\n5\n650-253-0000\n", options);
  ASSERT_TRUE(run.report) << error_of(run);
  EXPECT_EQ(run.writer.rejections.size(), 5u);
  EXPECT_EQ(run.report->rejected.size(), 2u);
  EXPECT_EQ(run.report->rejected_total, 5u);
  EXPECT_EQ(run.report->imported, 1u);
}

TEST(ContactImport, VariablesAreValidJsonWhateverTheText) {
  auto run = import_text("phone,Note \"quoted\",back\\slash\n650-253-0000,\"line1\nline2 \"\"q\"\" \t\",\\\n");
  ASSERT_TRUE(run.report) << error_of(run);
  ASSERT_EQ(run.writer.contacts.size(), 1u);
  const auto v = vars(run.writer.contacts[0]);
  EXPECT_EQ(v["Note \"quoted\""], "line1\nline2 \"q\" \t");
  EXPECT_EQ(v["back\\slash"], "\\");
}

TEST(ContactImport, WriterErrorsStopTheImport) {
  std::istringstream in("phone\n650-253-0000\n202-456-1111\n");
  FakeWriter writer;
  writer.fail_after = 1;
  auto r = import_rows(in, writer, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "disk full");
}

// --- headers -----------------------------------------------------------------------

TEST(ContactImport, HeaderMapping) {
  struct Case {
    std::string header, phone, name;
  };
  const std::vector<Case> cases = {
      {"Name,Phone", "Phone", "Name"},
      {"full_name,phone_number", "phone_number", "full_name"},
      {"Contact Name,Contact Phone Number", "Contact Phone Number", "Contact Name"},
      {"first-name,LAST NAME,CELL", "CELL", "first-name + LAST NAME"},
      {"First Name,Tel", "Tel", "First Name"},
      {"Work Phone,Mobile", "Mobile", ""},        // a listed name beats "contains phone"
      {"Phone 2,Phone 1", "Phone 1", ""},
      {"Home phone,Office phone", "Home phone", ""},  // first header containing "phone"
      {"Telephone,Mobile Phone", "Mobile Phone", ""},  // list order: mobile phone before telephone
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    auto run = import_text(c.header + "\n" + std::string(std::count(c.header.begin(), c.header.end(), ','), ',') +
                           "650-253-0000\n");
    ASSERT_TRUE(run.report) << error_of(run);
    EXPECT_EQ(run.report->phone_column, c.phone);
    EXPECT_EQ(run.report->name_column, c.name);
  }
}

TEST(ContactImport, DuplicateAndEmptyHeaderNames) {
  auto run = import_text("phone,tag,tag,,tag\n650-253-0000,a,b,c,d\n");
  ASSERT_TRUE(run.report) << error_of(run);
  ASSERT_EQ(run.writer.contacts.size(), 1u);
  EXPECT_EQ(run.writer.contacts[0].variables_json, R"j({"tag":"a","tag (2)":"b","column 4":"c","tag (3)":"d"})j");
}

TEST(ContactImport, BomAndDelimiters) {
  const std::vector<std::pair<std::string, char>> cases = {
      {"\xEF\xBB\xBFPhone,Name,City\n650-253-0000,Ann,\"Paris, TX\"\n", ','},
      {"\xEF\xBB\xBFPhone;Name;City\r\n650-253-0000;Ann;Paris, TX\r\n", ';'},
      {"Phone\tName\tCity\n650-253-0000\tAnn\tParis, TX\n", '\t'},
      {"Phone|Name|City\n650-253-0000|Ann|Paris, TX\n", '|'},
  };
  for (const auto& [text, delimiter] : cases) {
    SCOPED_TRACE(std::string(1, delimiter));
    auto run = import_text(text);
    ASSERT_TRUE(run.report) << error_of(run);
    EXPECT_EQ(run.report->delimiter, delimiter);
    EXPECT_EQ(run.report->phone_column, "Phone");
    ASSERT_EQ(run.writer.contacts.size(), 1u);
    EXPECT_EQ(run.writer.contacts[0].phone, "+16502530000");
    EXPECT_EQ(run.writer.contacts[0].name, "Ann");
    EXPECT_EQ(run.writer.contacts[0].variables_json, R"({"City":"Paris, TX"})");
    EXPECT_EQ(run.writer.contacts[0].line, 2u);
  }
}

// --- hard errors ----------------------------------------------------------------------

TEST(ContactImport, HardErrors) {
  EXPECT_EQ(error_of(import_text("")), "file is empty");
  EXPECT_EQ(error_of(import_text("\xEF\xBB\xBF\r\n\r\n")), "file is empty");
  EXPECT_EQ(error_of(import_text("name,phone\n")), "the file has a header but no data rows");
  EXPECT_EQ(error_of(import_text("name,phone\r\n\r\n\r\n")), "the file has a header but no data rows");
  EXPECT_EQ(error_of(import_text("name,email\nAnn,a@example.com\n")),
            "no phone column: expected one of phone, phone 1, phone number, mobile, cell, tel");
  auto empty = import_text("");
  EXPECT_EQ(empty.report.error().code, voqo::ErrorCode::invalid_argument);
  EXPECT_EQ(empty.report.error().field(), "file");

  ImportOptions options;
  options.max_columns = 5;
  auto wide = import_text("phone,a,b,c,d,e\n650-253-0000\n", options);
  ASSERT_FALSE(wide.report.has_value());
  EXPECT_EQ(wide.report.error().code, voqo::ErrorCode::too_large);
  EXPECT_EQ(wide.report.error().message, "the header has 6 columns; at most 5 are allowed");

  auto quote = import_text("phone,note\n650-253-0000,\"open\n202-456-1111,x\n");
  EXPECT_EQ(error_of(quote), "unclosed quote in the field starting at line 2");
}

TEST(ContactImport, UnclosedQuoteInALargeFileIsAHardErrorWithoutReadingItAll) {
  // 200 MB made on the fly: a quote opened on line 3 that never closes.
  GeneratedBuf buf("name,phone\nAnn,650-253-0000\nBob,\"202-456-1111\n", "Carol,202-456-1112,more text\n",
                   200ull * 1000 * 1000);
  std::istream in(&buf);
  FakeWriter writer;
  auto r = import_rows(in, writer, {});  // max_field_bytes 64 KiB → hard limit 1 MiB
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, voqo::ErrorCode::too_large);
  EXPECT_EQ(r.error().message, "field longer than 1048576 bytes starting at line 3 (unclosed quote?)");
  EXPECT_LT(buf.produced(), 4u << 20);
}
