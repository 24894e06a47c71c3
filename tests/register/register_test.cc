// The graduation register as an office clerk and an employer use it: a real
// Library, a real server on loopback, real HTTP; the register's sheet written
// by openpyxl, the copy's PDF read back by pdftotext, its QR code by pdftoppm
// and zbarimg, its signature checked by PyNaCl.
#include "register/register.h"

#include <curl/curl.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/server.h"
#include "core/library.h"
#include "register/register_impl.h"
#include "store/store.h"
#include "tests/http.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::testing::TempDir;
using kho::testing::url_encode;
using nlohmann::json;

namespace {

using Answer = kho::testing::HttpResponse;
using kho::testing::call;

// Runs a command; its standard output, and its exit status in *status.
std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int rc = ::pclose(p);
  if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::string shell_quoted(const std::string& s) { return "'" + s + "'"; }

// A district office (PGD-CG) with a school below it (THCS-01), another
// district (PGD-KM); clerks, an admin and a teacher; a register of PGD-CG
// imported from the openpyxl sheet.
struct Office {
  TempDir dir;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::string base;
  std::map<std::string, std::string> auth = {{"anonymous", ""}};
  std::uint64_t reg = 0;
  json report;

  explicit Office(int verify_per_minute = 1000) {
    REQUIRE(kho::Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"PGD-CG", "Phòng GD&ĐT Cẩm Giàng", "", ""}, "cli").ok());
    REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Cẩm Giàng", "PGD-CG", ""}, "cli").ok());
    REQUIRE(accounts.add_school({"PGD-KM", "Phòng GD&ĐT Kim Môn", "", ""}, "cli").ok());
    for (const auto& [name, org, role] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"van-thu", "PGD-CG", "office"},
             {"quan-tri", "PGD-CG", "admin"},
             {"giao-vien", "PGD-CG", "teacher"},
             {"van-thu-truong", "THCS-01", "office"},
             {"van-thu-khac", "PGD-KM", "office"}}) {
      REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{org, role}}, "cli").ok());
      kho::NewSecret t;
      REQUIRE(accounts.create_token(name, "", std::chrono::seconds(0), "cli", &t).ok());
      auth[name] = "Authorization: Bearer " + t.secret;
    }
    kho::api::ServerOptions options;
    options.port = 0;
    options.worker_exe = kho::testing::kho_binary();
    options.verify_per_minute = verify_per_minute;
    server = std::make_unique<kho::api::Server>(*library, options);
    REQUIRE(server->start().ok());
    base = "http://127.0.0.1:" + std::to_string(server->port()) + "/api/v1";

    std::string made =
        run("/usr/bin/python3 " +
            (kho::testing::source_dir() / "tests/register/make_register.py").string() + " " +
            dir.str() + "/so-goc.xlsx " + dir.str() + "/so-goc.csv");
    std::string body = json{{"org", "PGD-CG"}, {"level", "THCS"}, {"year", 2023}}.dump();
    Answer made_reg = post("van-thu", "/register/registers", body);
    REQUIRE(made_reg.status == 201);
    reg = made_reg.j()["id"];
    std::string sheet = kho::testing::read_file(dir.path() / "so-goc.xlsx");
    Answer imported =
        post("van-thu", "/register/registers/" + std::to_string(reg) + "/import", sheet);
    REQUIRE(imported.status == 200);
    report = imported.j();
  }
  ~Office() { server->stop(); }

  Answer get(const std::string& who, const std::string& path) const {
    return call("GET", base + path, auth.at(who));
  }
  Answer post(const std::string& who, const std::string& path, const std::string& body) const {
    return call("POST", base + path, auth.at(who), &body);
  }
  json find(const std::string& who, const std::string& query) const {
    Answer a = get(who, "/register/entries?purpose=" + url_encode("xác minh hồ sơ") + "&" + query);
    INFO(a.body);
    REQUIRE(a.status == 200);
    return a.j()["entries"];
  }
  std::uint64_t entry_named(const std::string& name) const {
    json found = find("van-thu", "name=" + url_encode(name));
    REQUIRE(found.size() == 1);
    return found[0]["id"];
  }
  json copy(std::uint64_t entry) const {
    Answer a =
        post("van-thu", "/register/entries/" + std::to_string(entry) + "/copies",
             json{{"requester", "Công ty TNHH Minh Phát"}, {"purpose", "tuyển dụng"}}.dump());
    INFO(a.body);
    REQUIRE(a.status == 201);
    return a.j();
  }
  json verify_code(const std::string& code) const {
    Answer a = post("anonymous", "/verify", json{{"code", code}}.dump());
    INFO(a.body);
    REQUIRE(a.status == 200);
    return a.j();
  }
  // A file of the office's imported as a private diploma, as a scanned register is.
  kho::store::Record import_scan(const std::filesystem::path& file) const {
    kho::ImportOptions import;
    import.kind = "diploma";
    import.school = "PGD-CG";
    import.visibility = "private";
    kho::store::Record scan;
    bool duplicate = false;
    REQUIRE(library->import_file(file.string(), import, &scan, &duplicate).ok());
    return scan;
  }
  std::string key() const { return get("anonymous", "/register/keys").j()["keys"]["PGD-CG"]; }
};

const json kDecision = {{"number", "15/QĐ-PGDĐT"},
                        {"date", "20/08/2024"},
                        {"signer", "Trưởng phòng Lê Văn Tâm"},
                        {"reason", "sai ngày sinh"}};

}  // namespace

TEST_CASE("a register sheet made by openpyxl: good rows kept, each bad row named with its reason",
          "[register]") {
  Office office;
  const json& r = office.report;
  CHECK(r["added"] == 4);
  REQUIRE(r["refused"].size() == 3);
  // Rows as the spreadsheet numbers them: two heading rows, the header on row 3.
  CHECK(r["refused"][0]["row"] == 7);
  CHECK(r["refused"][0]["field"] == "birth_date");
  CHECK(r["refused"][0]["reason"].get<std::string>().find("31/02/2008") != std::string::npos);
  CHECK(r["refused"][0]["code"] == "not_a_date");
  CHECK(r["refused"][0]["value"] == "31/02/2008");
  CHECK(r["refused"][1]["row"] == 8);
  CHECK(r["refused"][1]["field"] == "serial");
  CHECK(r["refused"][1]["code"] == "duplicate");
  CHECK(r["refused"][1]["other_entry"] == r["entries"][0]);  // the serial of the first row
  CHECK(r["refused"][2]["row"] == 9);
  CHECK(r["refused"][2]["field"] == "full_name");
  CHECK(r["refused"][2]["code"] == "missing");

  // Names in any case are kept as names are written; dates as ISO.
  json huong = office.find("van-thu", "name=" + url_encode("trần thị hương"));
  REQUIRE(huong.size() == 1);
  CHECK(huong[0]["fields"]["full_name"] == "Trần Thị Hương");
  CHECK(huong[0]["fields"]["birth_date"] == "2008-03-07");  // a date cell, not text
  CHECK(huong[0]["fields"]["sex"] == "Nữ");
  CHECK(office.find("van-thu", "name=" + url_encode("Nguyễn Văn An"))[0]["fields"]["birth_date"] ==
        "2008-05-12");

  // The CSV variant, ';'-separated with a BOM and other header words.
  std::string csv = kho::testing::read_file(office.dir.path() / "so-goc.csv");
  Answer more =
      office.post("van-thu", "/register/registers/" + std::to_string(office.reg) + "/import", csv);
  REQUIRE(more.status == 200);
  CHECK(more.j()["added"] == 2);
  CHECK(office.find("van-thu", "name=ngo%20thi%20anh")[0]["fields"]["birth_date"] == "2008-11-30");

  // A file that is no sheet is refused whole, saying so.
  Answer junk =
      office.post("van-thu", "/register/registers/" + std::to_string(office.reg) + "/import",
                  std::string("%PDF-1.4 not a sheet"));
  CHECK(junk.status == 400);
}

TEST_CASE(
    "a graduate is found by name typed without diacritics, by serial as typed, and every "
    "lookup is audited with its purpose",
    "[register]") {
  Office office;
  CHECK(office.find("van-thu", "name=tran%20thi%20huong").size() == 1);
  CHECK(office.find("van-thu", "name=DANG%20DINH%20HA")[0]["fields"]["full_name"] ==
        "Đặng Đình Hà");
  CHECK(office.find("van-thu", "name=" + url_encode("Hoàng Thùy Linh")).size() ==
        1);  // old tone placement
  CHECK(office.find("van-thu", "name=huong&birth_date=08/03/2008").empty());
  CHECK(office.find("van-thu", "name=huong&birth_date=07/03/2008").size() == 1);
  CHECK(office.find("van-thu", "name=huong&year=2022").empty());
  CHECK(office.find("van-thu", "serial=b0123407")[0]["fields"]["full_name"] == "Hoàng Thuỳ Linh");
  CHECK(office.find("van-thu", "entry_number=cg-2023-003")[0]["fields"]["full_name"] ==
        "Đặng Đình Hà");

  Answer why = office.get("van-thu", "/register/entries?name=huong");
  CHECK(why.status == 400);
  CHECK(why.j()["error"]["field"] == "purpose");

  std::vector<kho::store::AuditEntry> log;
  REQUIRE(office.library->store().audit_log(0, 1000, &log).ok());
  int lookups = 0;
  for (const auto& e : log)
    if (e.action == "register-lookup" && e.actor == "van-thu" &&
        e.detail.find("purpose: xác minh hồ sơ") != std::string::npos)
      ++lookups;
  CHECK(lookups == 8);
}

TEST_CASE("only staff handling diplomas for the register's organisation see or change it",
          "[register]") {
  Office office;
  std::uint64_t id = office.entry_named("Nguyễn Văn An");
  json first = office.copy(id);
  const std::string entry = "/register/entries/" + std::to_string(id);
  const std::string decision = json{{"decision", kDecision}, {"set", {{"notes", "x"}}}}.dump();
  for (const std::string who : {"anonymous", "giao-vien", "van-thu-truong", "van-thu-khac"}) {
    INFO(who);
    Answer list = office.get(who, "/register/registers");
    Answer found = office.get(who, "/register/entries?purpose=x&name=an");
    Answer one = office.get(who, entry + "?purpose=x");
    Answer copies = office.get(who, "/register/copies");
    Answer pdf =
        office.get(who, "/register/copies/" + std::to_string(first["number"].get<int>()) + "/pdf");
    Answer fix = office.post(who, entry + "/corrections", decision);
    Answer copy = office.post(who, entry + "/copies", R"({"requester":"a","purpose":"b"})");
    Answer typed =
        office.post(who, "/register/registers/" + std::to_string(office.reg) + "/entries",
                    R"({"fields":{"full_name":"A","birth_date":"01/01/2008"}})");
    if (std::string(who) == "anonymous") {
      for (const Answer* a : {&list, &found, &one, &copies, &pdf, &fix, &copy, &typed})
        CHECK(a->status == 401);
      continue;
    }
    CHECK(list.j()["registers"].empty());
    CHECK(found.j()["entries"].empty());
    CHECK(copies.j()["copies"].empty());
    for (const Answer* a : {&one, &pdf, &fix, &copy, &typed}) {
      CHECK(a->status == 404);
      CHECK(a->body.find("Nguyễn") == std::string::npos);
    }
  }
  // The office's own admin does; nothing above was changed.
  CHECK(office.get("quan-tri", entry + "?purpose=x").status == 200);
  CHECK(office.get("van-thu", "/register/copies").j()["copies"].size() == 1);
  CHECK(office.get("van-thu", entry + "?purpose=x").j()["status"] == "valid");
}

TEST_CASE(
    "a copy from the register: its PDF says what the register says, its QR code decodes to "
    "its code, and PyNaCl checks its signature with the published key",
    "[register]") {
  Office office;
  json c = office.copy(office.entry_named("Nguyễn Văn An"));
  const std::string code = c["code"];
  CHECK(code.rfind(office.base.substr(0, office.base.size() - 7) + "/verify#", 0) == 0);

  Answer pdf =
      office.get("van-thu", "/register/copies/" + std::to_string(c["number"].get<int>()) + "/pdf");
  REQUIRE(pdf.status == 200);
  REQUIRE(pdf.body.rfind("%PDF-", 0) == 0);
  CHECK(kho::store::sha256_bytes(pdf.body) == c["pdf_sha256"]);
  const std::string path = office.dir.str() + "/ban-sao.pdf";
  kho::testing::write_file(path, pdf.body);
  std::string text = run("pdftotext -layout " + path + " -");
  for (const char* words : {"BẢN SAO TỪ SỔ GỐC", "Nguyễn Văn An", "12/05/2008", "B 0123401",
                            "CG-2023-001", "Phòng GD&ĐT Cẩm Giàng", "Công ty TNHH Minh Phát"}) {
    INFO(words << "\n" << text);
    CHECK(text.find(words) != std::string::npos);
  }
  run("pdftoppm -r 150 -png " + path + " " + office.dir.str() + "/trang");
  std::string qr = run("zbarimg -q --raw " + office.dir.str() + "/trang-1.png 2>/dev/null");
  while (!qr.empty() && qr.back() == '\n') qr.pop_back();
  CHECK(qr == code);

  // Downloaded again, byte for byte.
  CHECK(office.get("van-thu", "/register/copies/" + std::to_string(c["number"].get<int>()) + "/pdf")
            .body == pdf.body);

  int status = -1;
  const std::string check =
      "/usr/bin/python3 " +
      (kho::testing::source_dir() / "tests/register/check_signature.py").string();
  std::string payload =
      run(check + " " + shell_quoted(qr) + " " + shell_quoted(office.key()), &status);
  CHECK(status == 0);
  json signed_content = json::parse(payload);
  CHECK(signed_content["full_name"] == "Nguyễn Văn An");
  CHECK(signed_content["serial"] == "B 0123401");
  CHECK(signed_content.count("birth_place") == 0);  // only what a provincial lookup shows

  // One changed character of the payload and the signature no longer holds.
  std::string tampered = code;
  std::size_t at = tampered.find('#') + 12;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  run(check + " " + shell_quoted(tampered) + " " + shell_quoted(office.key()), &status);
  CHECK(status == 1);
  CHECK(office.verify_code(tampered)["status"] == "tampered");
}

TEST_CASE(
    "verification by anyone: valid, corrected by decision, revoked, never a list, rate-limited",
    "[register]") {
  Office office(/*verify_per_minute=*/12);
  std::uint64_t id = office.entry_named("Nguyễn Văn An");
  json c = office.copy(id);
  const std::string code = c["code"];
  json v = office.verify_code(code);
  CHECK(v["status"] == "valid");
  CHECK(v["shown"]["full_name"] == "Nguyễn Văn An");
  CHECK(v["shown"].count("birth_place") == 0);

  auto by_serial = [&](const std::string& serial, const std::string& born) {
    return office.get("anonymous",
                      "/verify?serial=" + url_encode(serial) + "&year=2023&birth_date=" + born);
  };
  CHECK(by_serial("B0123401", "12/05/2008").j()["status"] == "valid");
  json wrong = by_serial("B0123401", "13/05/2008").j();
  CHECK(wrong["status"] == "not_found");
  CHECK(wrong["shown"].empty());  // a wrong guess learns nothing
  CHECK(office.get("anonymous", "/verify?serial=B0123401&year=2023").status == 400);

  // Corrected by decision: the old value stays in the history, the copy says it changed.
  Answer fixed =
      office.post("van-thu", "/register/entries/" + std::to_string(id) + "/corrections",
                  json{{"decision", kDecision}, {"set", {{"birth_date", "13/05/2008"}}}}.dump());
  INFO(fixed.body);
  REQUIRE(fixed.status == 200);
  json history = fixed.j()["history"];
  REQUIRE(history.size() == 2);
  CHECK(history[1]["op"] == "correct");
  CHECK(history[1]["decision"]["number"] == "15/QĐ-PGDĐT");
  CHECK(history[1]["decision"]["date"] == "2024-08-20");
  CHECK(history[1]["changes"][0] ==
        json{{"field", "birth_date"}, {"old", "2008-05-12"}, {"new", "2008-05-13"}});
  v = office.verify_code(code);
  CHECK(v["status"] == "corrected");
  CHECK(v["changed_since_copy"] == true);
  CHECK(v["decision"]["number"] == "15/QĐ-PGDĐT");

  // A correction without its decision is refused, naming what is missing.
  Answer bare = office.post("van-thu", "/register/entries/" + std::to_string(id) + "/corrections",
                            R"({"set":{"notes":"x"}})");
  CHECK(bare.status == 400);
  CHECK(bare.j()["error"]["field"] == "decision.number");

  json revoke = kDecision;
  revoke["number"] = "16/QĐ-PGDĐT";
  revoke["reason"] = "cấp sai đối tượng";
  REQUIRE(office
              .post("van-thu", "/register/entries/" + std::to_string(id) + "/revocation",
                    json{{"decision", revoke}}.dump())
              .status == 200);
  v = office.verify_code(code);
  CHECK(v["status"] == "revoked");
  CHECK(v["decision"]["reason"] == "cấp sai đối tượng");
  CHECK(office
            .post("van-thu", "/register/entries/" + std::to_string(id) + "/copies",
                  R"({"requester":"a","purpose":"b"})")
            .status == 409);

  // Twelve verifications a minute from one address (six spent above), then 429.
  int answered = 0, limited = 0;
  for (int i = 0; i < 12; ++i) {
    Answer a = by_serial("B0123402", "07/03/2008");
    answered += a.status == 200;
    limited += a.status == 429;
  }
  CHECK(answered == 6);
  CHECK(limited == 6);
}

TEST_CASE("a diploma's scan is never lent by a share link, even by the staff who may read it",
          "[register]") {
  Office office;
  kho::store::Record scan =
      office.import_scan(kho::testing::sample("tin-chuyen-doi-so-hoa-binh.txt"));
  const std::string record = "/records/" + std::to_string(scan.id);
  Answer seen = office.get("van-thu", record);
  REQUIRE(seen.status == 200);
  json actions = seen.j()["actions"];  // a copy: j() is a temporary
  for (const auto& action : actions) CHECK(action != "share");
  Answer link = office.post("van-thu", record + "/shares?days=1", "");
  CHECK(link.status == 403);
  CHECK(link.body.find("never shared") != std::string::npos);

  // Reading it is written down: its metadata, a search that shows it, a
  // search inside it, its text in the viewer. Whoever may not read it finds
  // nothing.
  REQUIRE(office.library->index().catch_up().ok());
  Answer anonymous = office.get("anonymous", "/search?q=" + url_encode("chuyển đổi số"));
  CHECK(anonymous.j()["total"] == 0);
  Answer found = office.get("van-thu", "/search?q=" + url_encode("chuyển đổi số"));
  REQUIRE(found.j()["total"] == 1);
  CHECK(office.get("van-thu", record + "/search?q=" + url_encode("chuyển đổi số")).status == 200);
  CHECK(office.get("van-thu", record + "/text?page=1").status == 200);
  std::vector<kho::store::AuditEntry> log;
  REQUIRE(office.library->store().audit_log(0, 1000, &log).ok());
  std::vector<std::string> reads;
  for (const auto& e : log)
    if (e.action == "read-personal" && e.record == scan.id && e.actor == "van-thu")
      reads.push_back(e.detail);
  CHECK(reads == std::vector<std::string>{"metadata", "search: chuyển đổi số",
                                          "search inside: chuyển đổi số", "text of page 1"});
}

TEST_CASE("a line of a paper register is read into the fields it holds", "[register]") {
  auto g = kho::registry::guess_entry(
      "2   Trần Thị Hoa   07/03/1983   Hải Dương   Nữ   Kinh   Giỏi   A 0012302   CG-1998-002");
  CHECK(g == std::map<std::string, std::string>{{"full_name", "Trần Thị Hoa"},
                                                {"birth_date", "07/03/1983"},
                                                {"birth_place", "Hải Dương"},
                                                {"sex", "Nữ"},
                                                {"ethnicity", "Kinh"},
                                                {"classification", "Giỏi"},
                                                {"serial", "A 0012302"},
                                                {"entry_number", "CG-1998-002"}});
  // As OCR gives it: table rules read as bars, a name in capitals, dates with
  // dots, a two-word classification, a serial in one piece.
  g = kho::registry::guess_entry(
      "| 3 | ĐẶNG ĐÌNH HẢI | 01.01.1983 | Cẩm Giàng | Nam | Tày | Trung bình | A0012303 |");
  CHECK(g["full_name"] == "Đặng Đình Hải");
  CHECK(g["birth_date"] == "01/01/1983");
  CHECK(g["birth_place"] == "Cẩm Giàng");
  CHECK(g["sex"] == "Nam");
  CHECK(g["ethnicity"] == "Tày");
  CHECK(g["classification"] == "Trung bình");
  CHECK(g["serial"] == "A0012303");
  CHECK(g.count("entry_number") == 0);
  // A heading holds no entry: nothing is guessed rather than something wrong.
  CHECK(kho::registry::guess_entry("SỔ GỐC CẤP BẰNG TỐT NGHIỆP THCS NĂM 1998").empty());
}

TEST_CASE("staff type an old register beside its scan, from lines OCR read on the page",
          "[register]") {
  Office office;
  // The scan: a bilevel page made by ImageMagick (scripts/make-fixtures), read
  // by Tesseract when imported.
  kho::store::Record scan =
      office.import_scan(kho::testing::source_dir() / "tests/fixtures/scan-so-goc-1998.png");
  std::string body =
      json{{"org", "PGD-CG"}, {"level", "THCS"}, {"year", 1998}, {"scan", scan.id}}.dump();
  Answer made = office.post("van-thu", "/register/registers", body);
  REQUIRE(made.status == 201);
  const std::string reg = "/register/registers/" + made.j()["id"].dump();

  Answer page = office.get("van-thu", reg + "/scan?page=1");
  INFO(page.body);
  REQUIRE(page.status == 200);
  json line, lines = page.j()["lines"];
  for (const auto& l : lines)  // OCR may close up "A 0012302"
    if (kho::registry::index_form(l["guess"].value("serial", "")) == "A0012302") line = l;
  REQUIRE(line.is_object());
  json guess = line["guess"];
  CHECK(guess["full_name"] == "Trần Thị Hoa");
  CHECK(guess["birth_date"] == "07/03/1983");
  CHECK(guess["sex"] == "Nữ");
  CHECK(guess["entry_number"] == "CG-1998-002");

  // A person confirms (here: as guessed, with the line it came from); the
  // entry links to its page and line of the scan, and is found by name.
  guess["scan_page"] = "1";
  guess["scan_line"] = line["line"].dump();
  Answer typed = office.post("van-thu", reg + "/entries", json{{"fields", guess}}.dump());
  INFO(typed.body);
  REQUIRE(typed.status == 201);
  CHECK(typed.j()["fields"]["scan_line"] == line["line"].dump());
  CHECK(office.find("van-thu", "name=" + url_encode("tran thi hoa")).size() == 1);

  // Only staff of the register's office read its scan this way; each read is audited.
  CHECK(office.get("van-thu-khac", reg + "/scan?page=1").status == 404);
  CHECK(office.get("giao-vien", reg + "/scan?page=1").status == 404);
  CHECK(office.get("van-thu", reg + "/scan?page=9").status == 404);
  std::vector<kho::store::AuditEntry> log;
  REQUIRE(office.library->store().audit_log(0, 1000, &log).ok());
  CHECK(std::count_if(log.begin(), log.end(), [&](const kho::store::AuditEntry& e) {
          return e.action == "read-personal" && e.record == scan.id && e.actor == "van-thu" &&
                 e.detail.rfind("text of page 1, to type entries", 0) == 0;
        }) == 1);
}
