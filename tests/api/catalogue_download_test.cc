// GET /api/v1/catalogue/export through a real server on loopback: what each
// caller may take away, the file's type and name, clear refusals, the audit.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/server.h"
#include "core/library.h"
#include "tests/http.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::testing::TempDir;

namespace {

using Answer = kho::testing::HttpResponse;
using kho::testing::call;

// THCS-01's sheet catalogue is public; THCS-02's MARC catalogue private.
// A librarian at each school.
struct Shelf {
  TempDir dir;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::string base;
  std::map<std::string, std::string> auth = {{"anonymous", ""}};

  Shelf() {
    REQUIRE(kho::Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
    REQUIRE(accounts.add_school({"THCS-02", "Trường THCS Tân Hội", "", ""}, "cli").ok());
    for (const auto& [name, school] : std::vector<std::pair<std::string, std::string>>{
             {"thu-thu-01", "THCS-01"}, {"thu-thu-02", "THCS-02"}}) {
      REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{school, "librarian"}}, "cli").ok());
      kho::NewSecret t;
      REQUIRE(accounts.create_token(name, "", std::chrono::seconds(0), "cli", &t).ok());
      auth[name] = "Authorization: Bearer " + t.secret;
    }
    import("danh-muc-sach.csv", "THCS-01", "public");
    import("catalogue-utf8.mrc", "THCS-02", "private");
    kho::api::ServerOptions options;
    options.port = 0;
    server = std::make_unique<kho::api::Server>(*library, options);
    REQUIRE(server->start().ok());
    base = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~Shelf() { server->stop(); }

  void import(const std::string& name, const std::string& school, const std::string& visibility) {
    kho::ImportOptions options;
    options.school = school;
    options.visibility = visibility;
    kho::store::Record r;
    bool duplicate = false;
    kho::Status s =
        library->import_file(kho::testing::fixture(name).string(), options, &r, &duplicate);
    INFO(s.message());
    REQUIRE(s.ok());
  }
  Answer get(const std::string& who, const std::string& query) const {
    return call("GET", base + "/api/v1/catalogue/export?" + query, auth.at(who));
  }
};

std::string marcdump(const TempDir& dir, const std::string& bytes) {
  std::string path = dir.str() + "/danh-muc.mrc";
  kho::testing::write_file(path, bytes);
  std::string out;
  FILE* p = ::popen(("yaz-marcdump " + path + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  CHECK(::pclose(p) == 0);
  return out;
}

}  // namespace

TEST_CASE("a visitor exports the public books only, a librarian her school's private ones too") {
  Shelf shelf;
  Answer visitor = shelf.get("anonymous", "format=csv");
  REQUIRE(visitor.status == 200);
  CHECK(visitor.header("content-type") == "text/csv; charset=utf-8");
  CHECK(visitor.header("content-disposition").find("danh-muc.csv") != std::string::npos);
  CHECK(visitor.header("x-kho-records") == "4");
  CHECK(visitor.body.find("Tô Hoài") != std::string::npos);
  CHECK(visitor.body.find("Lão Hạc") == std::string::npos);  // THCS-02's, private

  Answer other = shelf.get("thu-thu-01", "format=iso2709");
  REQUIRE(other.status == 200);
  CHECK(other.header("x-kho-records") == "4");  // another school's private books stay there

  Answer own = shelf.get("thu-thu-02", "format=iso2709");
  REQUIRE(own.status == 200);
  CHECK(own.header("content-type") == "application/marc");
  CHECK(own.header("content-disposition").find("danh-muc.mrc") != std::string::npos);
  CHECK(own.header("x-kho-records") == "9");
  std::string dump = marcdump(shelf.dir, own.body);
  CHECK(dump.find("001 TV-0003\n") != std::string::npos);
  CHECK(dump.find("245 10 $a Dế Mèn phiêu lưu ký, bản đặc biệt\n") != std::string::npos);

  Answer xml = shelf.get("thu-thu-02", "format=marcxml");
  REQUIRE(xml.status == 200);
  CHECK(xml.header("content-type") == "application/marcxml+xml");
  CHECK(xml.body.find("<collection xmlns=\"http://www.loc.gov/MARC21/slim\">") == 0);

  Answer xlsx = shelf.get("anonymous", "format=xlsx");
  REQUIRE(xlsx.status == 200);
  CHECK(xlsx.header("content-type") ==
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(xlsx.body.rfind("PK", 0) == 0);  // a zip, as every XLSX is
}

TEST_CASE("an export of a search holds what the search finds that the caller may read") {
  Shelf shelf;
  using kho::testing::url_encode;
  CHECK(shelf.get("thu-thu-02", "format=csv&q=" + url_encode("Kiều")).header("x-kho-records") ==
        "2");
  CHECK(shelf.get("anonymous", "format=csv&q=" + url_encode("Kiều")).header("x-kho-records") ==
        "1");
  CHECK(shelf.get("thu-thu-02", "format=csv&school=THCS-02").header("x-kho-records") == "5");
  CHECK(shelf.get("anonymous", "format=csv&school=THCS-02").header("x-kho-records") == "0");
}

TEST_CASE("a bad format or query is refused with a clear 400") {
  Shelf shelf;
  Answer pdf = shelf.get("anonymous", "format=pdf");
  CHECK(pdf.status == 400);
  CHECK(pdf.error_code() == "bad_format");
  CHECK(pdf.j()["error"]["field"] == "format");
  CHECK(pdf.j()["error"]["message"].get<std::string>().find("iso2709, marcxml, csv or xlsx") !=
        std::string::npos);
  Answer none = shelf.get("anonymous", "q=x");
  CHECK(none.status == 400);
  CHECK(none.error_code() == "bad_format");
  Answer query = shelf.get("anonymous", "format=csv&q=" + kho::testing::url_encode("(Kiều"));
  CHECK(query.status == 400);
  CHECK(query.error_code() == "query_syntax");
  CHECK(query.j()["error"]["field"] == "q");
}

TEST_CASE("every catalogue export is in the audit log with who took what") {
  Shelf shelf;
  REQUIRE(shelf.get("thu-thu-02", "format=xlsx&q=" + kho::testing::url_encode("Kiều")).status ==
          200);
  std::vector<kho::store::AuditEntry> log;
  REQUIRE(shelf.library->store().audit_log(0, 1000, &log).ok());
  std::vector<kho::store::AuditEntry> exports;
  for (const auto& e : log)
    if (e.action == "export") exports.push_back(e);
  REQUIRE(exports.size() == 1);
  CHECK(exports[0].actor == "thu-thu-02");
  CHECK(exports[0].from == "127.0.0.1");
  CHECK(exports[0].detail == "catalogue as danh-muc.xlsx: 2 record(s), q=Kiều");
}
