// Statistics for reports against a library whose counts are known: small
// text files imported by `kho import` with sidecars across three schools
// (one code typed in lower case), kinds, years written several ways,
// languages vi / vi-VN / VI / en, one record withdrawn. Counted through the
// CLI (as the library, as an office, as a visitor) and the API (an office
// clerk, a teacher, a visitor); the CSV parsed and the XLSX read by
// openpyxl give the same numbers.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "api/server.h"
#include "core/library.h"
#include "tests/cli/process.h"
#include "tests/http.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::testing::http;
using kho::testing::HttpResponse;
using kho::testing::run_kho;
using kho::testing::TempDir;
using kho::testing::url_encode;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Known {
  const char* name;
  const char* sidecar;  // FILE.meta.json
};

// Ten records. THCS-01 and THCS-02 are under the office PGD-01; THCS-03 is not.
const Known kFiles[] = {
    {"a1", R"({"school":"THCS-01","kind":"lesson-plan","visibility":"public","date":"2024-09-05",
       "language":"vi","subject":"Toán","grade":"6"})"},
    {"a2", R"({"school":"THCS-01","kind":"lesson-plan","visibility":"school","date":"15/10/2024",
       "language":"vi-VN","subject":"toán","grade":"6"})"},
    {"a3", R"({"school":"THCS-01","kind":"lesson-plan","visibility":"private","date":"2023",
       "language":"VI","subject":"Ngữ văn","grade":"7"})"},
    {"a4", R"({"school":"THCS-01","kind":"book","visibility":"public","date":"2023-01-01",
       "language":"vi","subject":"Lịch sử"})"},
    {"a5", R"({"school":"THCS-01","kind":"diploma","visibility":"private","date":"2024-06-20"})"},
    {"b1", R"({"school":"thcs-02","kind":"lesson-plan","visibility":"public",
       "date":"tháng 5 năm 2022","language":"vi-VN","subject":"TOÁN","grade":"Lớp 8"})"},
    {"b2", R"({"school":"THCS-02","kind":"admin-doc","visibility":"private","date":"2022-03-01",
       "language":"vi"})"},
    {"b3", R"({"school":"THCS-02","kind":"book","visibility":"public","date":"2024-02-02",
       "language":"en"})"},
    {"c1", R"({"school":"THCS-03","kind":"lesson-plan","visibility":"public","date":"2024",
       "language":"vi","subject":"Toán"})"},
    {"c2", R"({"school":"THCS-03","kind":"diploma","visibility":"private","date":"2024"})"},
};

// Count per value of a one-dimension answer: {"THCS-01": 4, ...}.
std::map<std::string, std::uint64_t> counts_of(const json& stats, const std::string& dim) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& row : stats["rows"])
    out[row[dim].get<std::string>()] += row["count"].get<std::uint64_t>();
  return out;
}

// What a Python reader makes of an export: "value|value|count" per line.
std::string python(const std::string& script, const std::string& file) {
  std::string command = "/usr/bin/python3 -c '" + script + "' " + file;
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  CHECK(::pclose(p) == 0);
  return out;
}

const char* const kReadCsv =
    "import csv,sys\n"
    "for r in csv.reader(open(sys.argv[1], encoding=\"utf-8-sig\", newline=\"\")):\n"
    "  print(\"|\".join(r))\n";
const char* const kReadXlsx =
    "import openpyxl,sys\n"
    "ws = openpyxl.load_workbook(sys.argv[1])[\"Thống kê\"]\n"
    "for r in ws.iter_rows(values_only=True):\n"
    "  print(\"|\".join(\"\" if v is None else str(int(v)) if isinstance(v, float) else str(v) "
    "for v in r))\n";

struct StatsLibrary {
  TempDir dir;
  std::string data;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::string base;
  std::map<std::string, std::string> callers;  // name -> Authorization header ("" anonymous)

  StatsLibrary() : data(dir.str() + "/data") {
    REQUIRE(kho::Library::open(data, true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"PGD-01", "Phòng GD&ĐT Mỹ Thành", "", ""}, "cli").ok());
    for (const char* school : {"THCS-01", "THCS-02"})
      REQUIRE(accounts.add_school({school, school, "PGD-01", ""}, "cli").ok());
    REQUIRE(accounts.add_school({"THCS-03", "THCS-03", "", ""}, "cli").ok());
    callers["anonymous"] = "";
    for (const auto& [name, org, role] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"phong", "PGD-01", "office"}, {"giao-vien", "THCS-01", "teacher"}}) {
      REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{org, role}}, "cli").ok());
      kho::NewSecret t;
      REQUIRE(accounts.create_token(name, "", std::chrono::seconds(0), "cli", &t).ok());
      callers[name] = "Authorization: Bearer " + t.secret;
    }
    import_known();
    kho::api::ServerOptions options;
    options.port = 0;
    server = std::make_unique<kho::api::Server>(*library, options);
    REQUIRE(server->start().ok());
    base = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~StatsLibrary() { server->stop(); }

  // Through the CLI, as a school would: a folder of files with sidecars.
  void import_known() {
    fs::path in = dir.path() / "in";
    fs::create_directories(in);
    for (const Known& f : kFiles) {
      kho::testing::write_file(in / (std::string(f.name) + ".txt"),
                               std::string("Tài liệu ") + f.name + " của thư viện thử.\n");
      kho::testing::write_file(in / (std::string(f.name) + ".txt.meta.json"), f.sidecar);
    }
    auto imported = run_kho({"--data", data, "import", in.string(), "--json"});
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    std::string b2;
    for (kho::store::RecordId id = 1; id <= library->store().record_count(); ++id) {
      kho::store::Record r;
      REQUIRE(library->store().get(id, &r).ok());
      if (!r.originals.empty() && r.originals[0].filename == "b2.txt") b2 = std::to_string(id);
    }
    REQUIRE(library->store().record_count() == 10);
    REQUIRE(run_kho({"--data", data, "withdraw", b2, "--reason", "trùng"}).exit_code == 0);
    REQUIRE(library->index().catch_up().ok());
  }

  json cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data, "stats", "--json"});
    auto run = run_kho(args);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    return json::parse(run.out);
  }

  HttpResponse get(const std::string& who, const std::string& path) {
    std::vector<std::string> headers;
    if (!callers.at(who).empty()) headers.push_back(callers.at(who));
    return http({"GET", base + path, headers, nullptr});
  }
  json api(const std::string& who, const std::string& query) {
    auto r = get(who, "/api/v1/stats?" + query);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }
};

using Counts = std::map<std::string, std::uint64_t>;

}  // namespace

TEST_CASE("stats: the library's own counts through the CLI, values that mean the same as one") {
  StatsLibrary lib;
  json all = lib.cli({"--by", "school"});
  CHECK(all["total"] == 10);
  CHECK(counts_of(all, "school") == Counts{{"THCS-01", 5}, {"THCS-02", 3}, {"THCS-03", 2}});
  CHECK(counts_of(lib.cli({"--by", "language"}), "language") ==
        Counts{{"", 2}, {"en", 1}, {"vi", 7}});
  CHECK(counts_of(lib.cli({"--by", "year"}), "year") ==
        Counts{{"2022", 2}, {"2023", 2}, {"2024", 6}});
  CHECK(counts_of(lib.cli({"--by", "subject"}), "subject") ==
        Counts{{"", 4}, {"Lịch sử", 1}, {"Ngữ văn", 1}, {"Toán", 4}});
  CHECK(counts_of(lib.cli({"--by", "grade"}), "grade") ==
        Counts{{"", 6}, {"6", 2}, {"7", 1}, {"8", 1}});
  CHECK(counts_of(lib.cli({"--by", "status"}), "status") ==
        Counts{{"active", 9}, {"withdrawn", 1}});
  // Every lesson plan starts as its teacher's draft (core/approval.h); other kinds have no state.
  CHECK(counts_of(lib.cli({"--by", "approval"}), "approval") == Counts{{"", 5}, {"draft", 5}});

  json cross = lib.cli({"--by", "school,kind,year"});
  CHECK(cross["rows"].size() == 9);
  CHECK(cross["rows"][0] ==
        json({{"school", "THCS-01"}, {"kind", "book"}, {"year", "2023"}, {"count", 1}}));
  std::uint64_t months = 0;
  for (const auto& m : cross["monthly"]) months += m["count"].get<std::uint64_t>();
  CHECK(months == 10);

  SECTION("a query goes through the index, and the index agrees with the store") {
    json plans = lib.cli({"--by", "school", "--query", "kind:lesson-plan"});
    CHECK(plans["via"] == "index");
    CHECK(counts_of(plans, "school") == Counts{{"THCS-01", 3}, {"THCS-02", 1}, {"THCS-03", 1}});
    json by_index = lib.cli({"--by", "school,kind,year,status", "--via", "index"});
    json by_store = lib.cli({"--by", "school,kind,year,status", "--via", "store"});
    CHECK(by_index["rows"] == by_store["rows"]);
    CHECK(by_store["via"] == "store");
  }
  SECTION("as an office and as a visitor") {
    CHECK(counts_of(lib.cli({"--by", "school", "--as", "phong"}), "school") ==
          Counts{{"THCS-01", 4}, {"THCS-02", 3}, {"THCS-03", 1}});
    json visitor = lib.cli({"--by", "kind", "--visitor"});
    CHECK(counts_of(visitor, "kind") == Counts{{"book", 2}, {"lesson-plan", 3}});
  }
  SECTION("bad requests are usage errors") {
    CHECK(run_kho({"--data", lib.data, "stats", "--by", "colour"}).exit_code == 2);
    CHECK(run_kho({"--data", lib.data, "stats", "--format", "xlsx"}).exit_code == 2);
    CHECK(run_kho({"--data", lib.data, "stats", "--query", "(toan"}).exit_code == 2);
    CHECK(run_kho({"--data", lib.data, "stats", "--as", "nobody"}).exit_code == 3);
  }
}

TEST_CASE("stats: each caller counts only what it may read through the API") {
  StatsLibrary lib;
  json office = lib.api("phong", "by=school,kind");
  CHECK(office["total"] == 8);
  CHECK(counts_of(office, "kind") ==
        Counts{{"admin-doc", 1}, {"book", 2}, {"diploma", 1}, {"lesson-plan", 4}});
  CHECK(office["schools"] == json::parse(R"([{"school":"THCS-01","count":4},
      {"school":"THCS-02","count":3},{"school":"THCS-03","count":1}])"));

  json teacher = lib.api("giao-vien", "by=kind");
  CHECK(teacher["total"] == 7);
  CHECK(counts_of(teacher, "kind") == Counts{{"book", 2}, {"lesson-plan", 5}});

  json visitor = lib.api("anonymous", "by=kind,language");
  CHECK(visitor["total"] == 5);
  CHECK(counts_of(visitor, "kind") == Counts{{"book", 2}, {"lesson-plan", 3}});
  CHECK(counts_of(visitor, "language") == Counts{{"en", 1}, {"vi", 4}});
  // A query cannot find what the caller may not read either.
  CHECK(lib.api("anonymous", "by=kind&q=" + url_encode("kind:diploma"))["total"] == 0);
  CHECK(lib.api("giao-vien", "by=kind&q=" + url_encode("kind:diploma"))["total"] == 0);
  CHECK(lib.api("phong", "by=kind&q=" + url_encode("kind:diploma"))["total"] == 1);

  SECTION("the office's diploma counts are audited; a visitor's are not personal") {
    std::vector<kho::store::AuditEntry> log;
    REQUIRE(lib.library->store().audit_log(0, 1000, &log).ok());
    int office_reads = 0;
    for (const auto& e : log)
      if (e.action == "read-personal" && e.actor == "phong" && e.detail.rfind("stats:", 0) == 0)
        ++office_reads;
    CHECK(office_reads == 2);
  }
  SECTION("bad parameters name themselves") {
    auto r = lib.get("phong", "/api/v1/stats?by=colour");
    CHECK(r.status == 400);
    CHECK(r.j()["error"]["field"] == "by");
    CHECK(lib.get("phong", "/api/v1/stats?format=pdf").status == 400);
    CHECK(lib.get("phong", "/api/v1/stats?q=" + url_encode("(toan")).status == 400);
  }
}

TEST_CASE("stats: the CSV and the XLSX read back by Python give the JSON's numbers") {
  StatsLibrary lib;
  json office = lib.api("phong", "by=school,kind,year");
  std::string expected = "Trường|Loại|Năm|Số lượng\n";
  for (const auto& row : office["rows"]) {
    std::string kind = row["kind"];
    std::map<std::string, std::string> names = {{"book", "Sách"},
                                                {"diploma", "Văn bằng"},
                                                {"lesson-plan", "Kế hoạch bài dạy"},
                                                {"admin-doc", "Văn bản hành chính"}};
    expected += row["school"].get<std::string>() + "|" + names.at(kind) + "|" +
                row["year"].get<std::string>() + "|" + std::to_string(row["count"].get<int>()) +
                "\n";
  }
  expected += "Tổng cộng|||8\n";

  auto csv = lib.get("phong", "/api/v1/stats?by=school,kind,year&format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type") == "text/csv; charset=utf-8");
  CHECK(csv.header("content-disposition").find("thong-ke.csv") != std::string::npos);
  fs::path csv_file = lib.dir.path() / "thong-ke.csv";
  kho::testing::write_file(csv_file, csv.body);
  CHECK(python(kReadCsv, csv_file.string()) == expected);

  auto xlsx = lib.get("phong", "/api/v1/stats?by=school,kind,year&format=xlsx");
  REQUIRE(xlsx.status == 200);
  CHECK(xlsx.body.rfind("PK", 0) == 0);
  fs::path xlsx_file = lib.dir.path() / "thong-ke.xlsx";
  kho::testing::write_file(xlsx_file, xlsx.body);
  CHECK(python(kReadXlsx, xlsx_file.string()) == expected);

  SECTION("the CLI writes the same workbook for the same caller") {
    fs::path cli_file = lib.dir.path() / "cli.xlsx";
    auto run = run_kho({"--data", lib.data, "stats", "--as", "phong", "--by", "school,kind,year",
                        "--format", "xlsx", "--output", cli_file.string()});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(python(kReadXlsx, cli_file.string()) == expected);
  }
  SECTION("records added per month, as CSV") {
    auto monthly = lib.get("anonymous", "/api/v1/stats?format=csv&monthly=1");
    REQUIRE(monthly.status == 200);
    fs::path file = lib.dir.path() / "thang.csv";
    kho::testing::write_file(file, monthly.body);
    std::string month = kho::store::now_rfc3339().substr(0, 7);
    CHECK(python(kReadCsv, file.string()) == "Tháng|Số lượng\n" + month + "|5\nTổng cộng|5\n");
  }
}
