// `kho export` as a librarian runs it: the file written whole or not at all,
// standard output when no file is named, exit statuses that say what went wrong.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/process.h"

using kho::testing::fixture;
using kho::testing::read_file;
using kho::testing::run_kho;
using kho::testing::TempDir;

TEST_CASE("kho export writes the catalogue to a file or standard output and says why it cannot") {
  TempDir dir;
  std::string data = dir.str() + "/data";
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  auto imported = run_kho({"--data", data, "import", fixture("catalogue-utf8.mrc").string()});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);

  std::string file = dir.str() + "/danh-muc.mrc";
  auto written = run_kho({"--data", data, "export", "--format", "iso2709", "-o", file, "--json"});
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  auto summary = nlohmann::json::parse(written.out);
  CHECK(summary["records"] == 5);
  CHECK(summary["marc_as_imported"] == 5);
  CHECK(read_file(file) == read_file(fixture("catalogue-utf8.mrc")));
  CHECK_FALSE(std::filesystem::exists(file + ".part"));

  auto out = run_kho({"--data", data, "export", "--format", "marcxml", "--query", "Kiều"});
  CHECK(out.exit_code == 0);
  CHECK(out.out.find("<collection xmlns=\"http://www.loc.gov/MARC21/slim\">") == 0);
  CHECK(out.out.find("TV-0001") != std::string::npos);
  CHECK(out.out.find("TV-0003") == std::string::npos);  // Lão Hạc: not what the query finds
  CHECK(out.err.find("1 record(s)") != std::string::npos);

  auto format = run_kho({"--data", data, "export", "--format", "pdf"});
  CHECK(format.exit_code == 2);
  CHECK(format.err.find("iso2709, marcxml, csv or xlsx") != std::string::npos);
  auto query = run_kho({"--data", data, "export", "--format", "csv", "--query", "(Kiều"});
  CHECK(query.exit_code == 2);
  CHECK(query.err.find("'('") != std::string::npos);
  auto filter = run_kho({"--data", data, "export", "--format", "csv", "--filter", "school"});
  CHECK(filter.exit_code == 2);

  std::string nowhere = dir.str() + "/no-such-folder/danh-muc.csv";
  auto unwritable = run_kho({"--data", data, "export", "--format", "csv", "-o", nowhere});
  CHECK(unwritable.exit_code == 1);
  CHECK(unwritable.err.find("no-such-folder") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(nowhere));

  auto help = run_kho({"export", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--format") != std::string::npos);
}
