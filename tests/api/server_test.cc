// The API as a client sees it: a real Library in a temporary directory, a
// real Pistache server on a loopback port, real HTTP through libcurl.
#include "api/server.h"

#include <curl/curl.h>
#include <dirent.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/approval.h"
#include "core/library.h"
#include "tests/api/access_callers.h"
#include "tests/cli/process.h"
#include "tests/http.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::testing::http;
using kho::testing::HttpRequest;
using kho::testing::HttpResponse;
using kho::testing::TempDir;
using kho::testing::url_encode;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

inline HttpResponse http_get(const std::string& url, std::vector<std::string> headers = {}) {
  return http({"GET", url, std::move(headers), nullptr});
}

inline HttpResponse http_post(const std::string& url, const std::string& body,
                              std::vector<std::string> headers = {}) {
  headers.push_back("Content-Type: application/octet-stream");
  return http({"POST", url, std::move(headers), &body});
}

const char* const kText = "tin-chuyen-doi-so-hoa-binh.txt";
const char* const kPdf = "ke-hoach-44-KH-PGDDT.pdf";

std::string sample_bytes(const char* name) {
  return kho::testing::read_file(kho::testing::sample(name));
}

// A library in a temporary directory served on a free loopback port.
struct Api {
  TempDir dir;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::string base;
  std::string staff;  // "Authorization: Bearer …" of THCS-01's admin

  explicit Api(std::size_t max_request_bytes = std::size_t{16} << 20) {
    REQUIRE(kho::Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
    REQUIRE(accounts.add_user("quan-tri", "mat-khau-rat-dai", {{"THCS-01", "admin"}}, "cli").ok());
    kho::NewSecret token;
    REQUIRE(
        accounts.create_token("quan-tri", "tests", std::chrono::seconds(0), "cli", &token).ok());
    staff = "Authorization: Bearer " + token.secret;
    kho::api::ServerOptions options;
    options.port = 0;
    options.max_request_bytes = max_request_bytes;
    if (fs::exists(kho::testing::kho_binary())) options.worker_exe = kho::testing::kho_binary();
    server = std::make_unique<kho::api::Server>(*library, options);
    kho::Status s = server->start();
    INFO(s.message());
    REQUIRE(s.ok());
    REQUIRE(server->port() != 0);
    base = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~Api() { server->stop(); }  // handlers finish before the library closes

  HttpResponse get(const std::string& path, std::vector<std::string> headers = {}) const {
    return http_get(base + path, std::move(headers));
  }
  // Uploads as public unless the query says otherwise: anonymous callers read
  // public records only.
  HttpResponse upload(const std::string& bytes, const std::string& query) const {
    bool typed = query.find("visibility=") != std::string::npos;
    return http_post(base + "/api/v1/records?" + query + (typed ? "" : "&visibility=public"), bytes,
                     {staff});
  }
  json search(const std::string& q) const {
    auto r = get("/api/v1/search?q=" + url_encode(q));
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }
};

std::vector<std::uint64_t> hit_ids(const json& results) {
  std::vector<std::uint64_t> ids;
  for (const auto& h : results["hits"]) ids.push_back(h["id"].get<std::uint64_t>());
  return ids;
}

// The JSON error body every failure carries; returns its code.
std::string error_code(const HttpResponse& r) {
  INFO(r.body);
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
  json body = json::parse(r.body);
  REQUIRE(body.contains("error"));
  CHECK_FALSE(body["error"]["message"].get<std::string>().empty());
  return body["error"]["code"].get<std::string>();
}

std::string error_message(const HttpResponse& r) { return json::parse(r.body)["error"]["message"]; }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::uint64_t upload_id(const HttpResponse& r) {
  INFO(r.body);
  REQUIRE((r.status == 201 || r.status == 200));
  return json::parse(r.body)["id"].get<std::uint64_t>();
}

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

}  // namespace

TEST_CASE("the server says it is healthy and serves the web application") {
  Api api;
  auto health = api.get("/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body) == json{{"status", "ok"}});

  auto page = api.get("/");
  CHECK(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  // Embedded byte for byte: the Vietnamese labels arrive intact.
  CHECK(page.body == kho::testing::read_file(kho::testing::source_dir() / "web" / "index.html"));
  auto catalogue = api.get("/app/i18n.js");
  CHECK(catalogue.status == 200);
  CHECK(catalogue.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(contains(catalogue.body, "Văn bản hành chính"));
  // The viewer is Debian's PDF.js, served from the binary too.
  auto pdfjs = api.get("/app/pdf.worker.js");
  CHECK(pdfjs.status == 200);
  CHECK(pdfjs.body.size() > 500000);
  CHECK(api.get("/app/nothing.js").status == 404);
  CHECK(api.get("/app/index.html").status == 404);
}

TEST_CASE("an uploaded file is stored, searchable at once, and not stored twice") {
  Api api;
  std::string text = sample_bytes(kText);
  auto created =
      api.upload(text, std::string("filename=") + kText + "&kind=admin-doc&school=THCS-01" +
                           "&title=" + url_encode("Chuyển đổi số ngành giáo dục"));
  INFO(created.body);
  REQUIRE(created.status == 201);
  json record = json::parse(created.body);
  auto id = record["id"].get<std::uint64_t>();
  CHECK(created.header("location") == "/api/v1/records/" + std::to_string(id));
  CHECK(record["kind"] == "admin-doc");
  CHECK(record["file_url"] == "/api/v1/records/" + std::to_string(id) + "/file");
  CHECK_FALSE(record.contains("duplicate"));

  SECTION("search finds it with and without diacritics") {
    json with = api.search("chuyển đổi số");
    json without = api.search("chuyen doi so");
    REQUIRE(with["total"].get<int>() >= 1);
    CHECK(hit_ids(with) == std::vector<std::uint64_t>{id});
    CHECK(hit_ids(without) == hit_ids(with));
    const json& hit = with["hits"][0];
    CHECK(hit["title"] == "Chuyển đổi số ngành giáo dục");
    CHECK(hit["kind"] == "admin-doc");
    CHECK(hit["filename"] == kText);
    CHECK(hit["page"].get<int>() >= 1);
    CHECK(hit["matching_pages"].get<int>() >= 1);
    CHECK(hit["score"].is_number());
    CHECK_FALSE(hit["snippet"].get<std::string>().empty());
  }
  SECTION("the same bytes again answer 200 with the existing record") {
    auto again = api.upload(text, "filename=copy.txt");
    INFO(again.body);
    CHECK(again.status == 200);
    json dup = json::parse(again.body);
    CHECK(dup["id"] == id);
    CHECK(dup["duplicate"] == true);
    CHECK(again.header("location").empty());
    CHECK(api.library->store().record_count() == 1);
  }
  SECTION("its metadata is served by ID") {
    auto got = api.get("/api/v1/records/" + std::to_string(id));
    REQUIRE(got.status == 200);
    CHECK(got.header("content-type") == "application/json; charset=utf-8");
    json j = json::parse(got.body);
    CHECK(j["id"] == id);
    CHECK(j["school"] == "THCS-01");
    CHECK(j["file_url"] == record["file_url"]);
  }
}

TEST_CASE("search results come in pages") {
  Api api;
  for (int i = 1; i <= 3; ++i) {
    std::string body = "Thư viện số của trường, bản tin số " + std::to_string(i) + ".\n";
    upload_id(api.upload(body, "filename=ban-tin-" + std::to_string(i) + ".txt"));
  }
  auto page = [&](int n) {
    auto r = api.get("/api/v1/search?q=" + url_encode("thư viện") +
                     "&per_page=2&page=" + std::to_string(n));
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  };
  json first = page(1), second = page(2);
  CHECK(first["total"] == 3);
  CHECK(first["total_exact"] == true);
  CHECK(first["hits"].size() == 2);
  REQUIRE(second["hits"].size() == 1);
  auto ids = hit_ids(first);
  CHECK(std::find(ids.begin(), ids.end(), second["hits"][0]["id"].get<std::uint64_t>()) ==
        ids.end());
  CHECK(page(3)["hits"].empty());
}

TEST_CASE("an original is served whole or in one range") {
  Api api;
  std::string text = sample_bytes(kText);
  const std::string name = "Tin chuyển đổi số.txt";
  auto id = upload_id(api.upload(text, "filename=" + url_encode(name)));
  const std::string path = "/api/v1/records/" + std::to_string(id) + "/file";
  const std::string size = std::to_string(text.size());

  SECTION("whole, as a download named in ASCII and in UTF-8") {
    auto r = api.get(path);
    CHECK(r.status == 200);
    CHECK(r.body == text);
    CHECK(r.header("content-length") == size);
    CHECK(r.header("content-type").rfind("text/plain", 0) == 0);
    CHECK(r.header("accept-ranges") == "bytes");
    CHECK(r.header("content-disposition") ==
          "attachment; filename=\"Tin chuyen doi so.txt\"; filename*=UTF-8''" + url_encode(name));
  }
  SECTION("the first ten bytes") {
    auto r = api.get(path, {"Range: bytes=0-9"});
    CHECK(r.status == 206);
    CHECK(r.body == text.substr(0, 10));
    CHECK(r.header("content-length") == "10");
    CHECK(r.header("content-range") == "bytes 0-9/" + size);
  }
  SECTION("the last five bytes") {
    auto r = api.get(path, {"Range: bytes=-5"});
    CHECK(r.status == 206);
    CHECK(r.body == text.substr(text.size() - 5));
    CHECK(r.header("content-range") == "bytes " + std::to_string(text.size() - 5) + "-" +
                                           std::to_string(text.size() - 1) + "/" + size);
  }
  SECTION("from an offset to the end") {
    auto r = api.get(path, {"Range: bytes=100-"});
    CHECK(r.status == 206);
    CHECK(r.body == text.substr(100));
  }
  SECTION("past the end is unsatisfiable") {
    auto r = api.get(path, {"Range: bytes=" + size + "-"});
    CHECK(r.status == 416);
    CHECK(r.header("content-range") == "bytes */" + size);
    CHECK(error_code(r) == "range_not_satisfiable");
  }
  SECTION("several ranges or a malformed one get the whole file") {
    for (const char* range : {"bytes=0-1,4-5", "bytes=abc", "pages=1-2", "bytes=9-3"}) {
      INFO(range);
      auto r = api.get(path, {std::string("Range: ") + range});
      CHECK(r.status == 200);
      CHECK(r.body == text);
    }
  }
}

TEST_CASE("an uploaded PDF is served as a PDF and found by its document number") {
  Api api;
  std::string pdf = sample_bytes(kPdf);
  auto id = upload_id(api.upload(pdf, std::string("filename=") + kPdf + "&kind=admin-doc"));
  auto file =
      api.get("/api/v1/records/" + std::to_string(id) + "/file", {"Range: bytes=1000-1999"});
  CHECK(file.status == 206);
  CHECK(file.header("content-type") == "application/pdf");
  CHECK(file.body == pdf.substr(1000, 1000));
  json found = api.search("44/KH-PGDĐT");
  REQUIRE(found["hits"].size() >= 1);
  CHECK(found["hits"][0]["id"] == id);
  CHECK(found["hits"][0]["page"].get<int>() >= 1);
}

TEST_CASE("a truncated PDF is refused with its reason and leaves nothing behind") {
  Api api;
  std::string pdf = sample_bytes(kPdf);
  auto r = api.upload(pdf.substr(0, pdf.size() / 3), "filename=broken.pdf");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "bad_request");
  CHECK(contains(error_message(r), "broken.pdf: "));
  CHECK(api.library->store().record_count() == 0);
  CHECK(fs::is_empty(api.dir.path() / "data" / "tmp"));  // the upload's temporary file is gone
}

TEST_CASE("bad requests get a JSON error naming the problem") {
  Api api;
  SECTION("search parameters") {
    for (const char* q : {"/api/v1/search?q=%21%21", "/api/v1/search?q=%22%22"}) {
      auto r = api.get(q);
      CHECK(r.status == 400);
      CHECK(error_code(r) == "query_no_words");
    }
    auto per_page = api.get("/api/v1/search?q=sach&per_page=abc");
    CHECK(per_page.status == 400);
    CHECK(contains(error_message(per_page), "per_page"));
    CHECK(error_code(per_page) == "bad_parameter");
    CHECK(json::parse(per_page.body)["error"]["field"] == "per_page");
    CHECK(api.get("/api/v1/search?q=sach&per_page=101").status == 400);
    CHECK(api.get("/api/v1/search?q=sach&page=0").status == 400);
    CHECK(api.get("/api/v1/search?q=sach&page=-1").status == 400);
  }
  SECTION("a query the index cannot parse") {
    auto r = api.get("/api/v1/search?q=" + url_encode("(unbalanced"));
    CHECK(r.status == 400);
    CHECK(error_code(r) == "query_syntax");
  }
  SECTION("unknown records") {
    for (const char* path :
         {"/api/v1/records/999", "/api/v1/records/abc", "/api/v1/records/0",
          "/api/v1/records/999/file", "/api/v1/records/99999999999999999999999"}) {
      INFO(path);
      auto r = api.get(path);
      CHECK(r.status == 404);
      CHECK(error_code(r) == "record_not_found");
    }
  }
  SECTION("upload parameters") {
    auto no_name = api.upload("Thư viện", "kind=book");
    CHECK(no_name.status == 400);
    CHECK(contains(error_message(no_name), "filename"));
    auto kind = api.upload("Thư viện", "filename=a.txt&kind=novel");
    CHECK(kind.status == 400);
    CHECK(contains(error_message(kind), "kind"));
    auto visibility = api.upload("Thư viện", "filename=a.txt&visibility=everyone");
    CHECK(visibility.status == 400);
    CHECK(contains(error_message(visibility), "visibility"));
    auto control =
        api.upload("Thư viện", "filename=a%0D%0AX-Evil:%201.txt");  // no header splitting
    CHECK(control.status == 400);
    CHECK(contains(error_message(control), "filename"));
    CHECK(api.library->store().record_count() == 0);
  }
  SECTION("unknown addresses and methods") {
    auto missing = api.get("/api/v1/nothing-here");
    CHECK(missing.status == 404);
    CHECK(error_code(missing) == "not_found");
    auto del = http({"DELETE", api.base + "/api/v1/records/1", {}, nullptr});
    CHECK(del.status == 405);
    CHECK(error_code(del) == "method_not_allowed");
    CHECK(del.header("allow") == "GET, PATCH");  // a record is read and edited
    CHECK(http({"PUT", api.base + "/api/v1/search?q=x", {}, nullptr}).status == 405);
    auto head = http({"HEAD", api.base + "/healthz", {}, nullptr});
    CHECK(head.status == 405);
    CHECK(head.header("content-length") == "0");  // a HEAD answer carries no body
    CHECK(api.get("/healthz").status == 200);
  }
}

TEST_CASE("bodies over the limit are refused with 413") {
  Api api(64 << 10);
  SECTION("just over: kho's own JSON answer") {
    auto r = api.upload(std::string((64 << 10) + 1, 'a'), "filename=big.txt");
    CHECK(r.status == 413);
    CHECK(error_code(r) == "too_large");
  }
  SECTION("far over: Pistache stops reading") {
    auto r = api.upload(std::string(4 << 20, 'a'), "filename=huge.txt");
    CHECK(r.status == 413);
  }
  CHECK(api.library->store().record_count() == 0);
  CHECK(api.get("/healthz").status == 200);
}

TEST_CASE("a failure inside the server is a JSON 500 that keeps internals out") {
  Api api;
  auto id = upload_id(api.upload("Sổ gốc cấp văn bằng\n", "filename=so-goc.txt"));
  kho::store::Record record;
  REQUIRE(api.library->store().get(id, &record).ok());
  std::string original = api.library->store().original_path(record.originals.front());
  fs::permissions(original, fs::perms::owner_write, fs::perm_options::add);
  fs::remove(original);  // the disk lost it

  auto r = api.get("/api/v1/records/" + std::to_string(id) + "/file");
  CHECK(r.status == 500);
  CHECK(error_code(r) == "damaged");  // a lost file is damage, named in the log only
  CHECK_FALSE(contains(r.body, api.dir.str()));
}

// The index does not exist until something is indexed.
TEST_CASE("an empty library answers a search with no hits") {
  Api api;
  auto r = api.get("/api/v1/search?q=sach");
  INFO(r.body);
  CHECK(r.status == 200);
  CHECK(nlohmann::json::parse(r.body)["total"] == 0);
  CHECK(api.get("/api/v1/search?q=(sach").status == 400);
}

TEST_CASE("records added to the store by another writer become searchable") {
  Api api;
  upload_id(api.upload("Thư viện số\n", "filename=a.txt"));  // the index exists from here on
  auto source = api.dir.path() / "thong-bao.txt";
  kho::testing::write_file(source, "Thông báo lịch kiểm tra học kỳ môn Địa lý\n");
  kho::store::NewRecord in;
  in.pages = {"Thông báo lịch kiểm tra học kỳ môn Địa lý"};
  in.source_path = source.string();
  in.media_type = "text/plain";
  in.visibility = "public";
  kho::store::Record record;
  bool duplicate = false;
  REQUIRE(api.library->store().add(in, &record, &duplicate).ok());  // the index is not told

  bool found = false;
  for (int i = 0; i < 100 && !found; ++i) {
    found = api.search("dia ly")["total"].get<int>() == 1;
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(found);
}

TEST_CASE("many requests leave no open files behind") {
  Api api;
  upload_id(api.upload("Thư viện số\n", "filename=a.txt"));
  for (int i = 0; i < 20; ++i) api.search("thu vien");  // warm up every server thread
  std::size_t before = open_fds();
  for (int i = 0; i < 300; ++i) {
    api.search("thu vien");
    api.get("/api/v1/records/1/file", {"Range: bytes=0-3"});
  }
  CHECK(open_fds() <= before + 2);
}

TEST_CASE("search takes filters, facets and sort, and highlights safely") {
  Api api;
  auto plan = upload_id(api.upload(
      "Kế hoạch <b>chuyển đổi số</b> & CNTT năm 2022\n",
      "filename=kh.txt&kind=admin-doc&date=2022-10-04&title=K%E1%BA%BF%20ho%E1%BA%A1ch"));
  auto book = upload_id(api.upload("Sách về chuyển đổi số trong nhà trường\n",
                                   "filename=sach.txt&kind=book&date=2020&title=S%C3%A1ch"));

  auto r = api.get("/api/v1/search?q=chuyen+doi+so&facets=1&sort=oldest");
  INFO(r.body);
  REQUIRE(r.status == 200);
  json body = json::parse(r.body);
  CHECK(hit_ids(body) == std::vector<std::uint64_t>{book, plan});
  CHECK(body["facets"]["kind"].size() == 2);
  json first_plan = body["hits"][1];
  // The page's own "<b>" is text, shown as such; only the matches are marked.
  CHECK(contains(first_plan["snippet_html"],
                 "&lt;b&gt;<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>&lt;/b&gt; &amp;"));
  CHECK(contains(first_plan["snippet"], "<b>chuyển đổi số</b>"));

  body = json::parse(api.get("/api/v1/search?q=chuyen+doi+so&kind=book").body);
  CHECK(hit_ids(body) == std::vector<std::uint64_t>{book});
  body =
      json::parse(api.get("/api/v1/search?q=chuyen+doi+so&kind=book,admin-doc&sort=newest").body);
  CHECK(hit_ids(body) == std::vector<std::uint64_t>{plan, book});
  body = json::parse(api.get("/api/v1/search?q=" + url_encode("chuyển đổi số year:2022")).body);
  CHECK(hit_ids(body) == std::vector<std::uint64_t>{plan});

  CHECK(api.get("/api/v1/search?q=so&sort=random").status == 400);
  CHECK(api.get("/api/v1/search?q=so&facets=maybe").status == 400);
  auto bad = api.get("/api/v1/search?q=" + url_encode("year:2023..2019"));
  CHECK(bad.status == 400);
  CHECK(contains(error_message(bad), "year:2023..2019"));
}

TEST_CASE("search inside a record lists its matching pages") {
  Api api;
  auto id =
      upload_id(api.upload("Trang một: học sinh\fTrang hai: giáo viên\fTrang ba: học sinh giỏi\n",
                           "filename=ba-trang.txt"));
  auto r = api.get("/api/v1/records/" + std::to_string(id) + "/search?q=hoc+sinh");
  INFO(r.body);
  REQUIRE(r.status == 200);
  json body = json::parse(r.body);
  CHECK(body["total"] == 2);
  std::set<int> pages;
  for (const auto& p : body["pages"]) pages.insert(p["page"].get<int>());
  CHECK(pages == std::set<int>{1, 3});
  CHECK(api.get("/api/v1/records/" + std::to_string(id) + "/search").status == 400);
  CHECK(api.get("/api/v1/records/999/search?q=hoc").status == 404);
}

TEST_CASE("anonymous callers see public records only, and counts do not leak the rest") {
  Api api;
  auto open =
      upload_id(api.upload("Thông báo tuyển sinh lớp 6\n", "filename=tb.txt&visibility=public"));
  auto school = upload_id(
      api.upload("Thông báo họp hội đồng tuyển sinh\n", "filename=hd.txt&visibility=school"));
  auto hidden = upload_id(api.upload("Danh sách tuyển sinh có số điện thoại phụ huynh\n",
                                     "filename=ds.txt&visibility=private"));
  auto r = api.get("/api/v1/search?q=tuyen+sinh&facets=1");
  json body = json::parse(r.body);
  CHECK(hit_ids(body) == std::vector<std::uint64_t>{open});
  CHECK(body["total"] == 1);
  CHECK(body["facets"]["visibility"].size() == 1);
  for (auto id : {school, hidden}) {
    auto path = "/api/v1/records/" + std::to_string(id);
    CHECK(api.get(path).status == 404);
    CHECK(api.get(path + "/file").status == 404);
    CHECK(api.get(path + "/search?q=tuyen").status == 404);
  }
  CHECK(api.get("/api/v1/records/" + std::to_string(open) + "/file").status == 200);
  // Graduation records are personal data: never public.
  auto diploma = api.upload("Bằng tốt nghiệp THCS: Nguyễn Văn An\n",
                            "filename=bang.txt&kind=diploma&visibility=public");
  CHECK(diploma.status == 400);
  CHECK(contains(error_message(diploma), "diploma"));
}

namespace {

json login(const Api& api, const std::string& name, const std::string& password, long* status) {
  std::string body = json{{"name", name}, {"password", password}}.dump();
  auto r = http({"POST", api.base + "/api/v1/login", {"Content-Type: application/json"}, &body});
  *status = r.status;
  return r.status == 200 ? json::parse(r.body) : json::object();
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token; }

}  // namespace

TEST_CASE("signing in: sessions, wrong passwords, lock-out, disabled accounts, sign-out") {
  Api api;
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_user("co-lan", "mat-khau-co-lan", {{"THCS-01", "teacher"}}, "cli").ok());
  long status = 0;
  json session = login(api, "co-lan", "mat-khau-co-lan", &status);
  REQUIRE(status == 200);
  std::string token = session["token"];
  CHECK(json::parse(api.get("/api/v1/me", {bearer(token)}).body)["account"] == "co-lan");
  CHECK(json::parse(api.get("/api/v1/me").body)["account"].is_null());
  // The cookie the web page keeps works like the token.
  CHECK(json::parse(api.get("/api/v1/me", {"Cookie: kho_session=" + token}).body)["account"] ==
        "co-lan");
  // A made-up token is refused, not treated as anonymous.
  CHECK(api.get("/api/v1/search?q=a", {bearer("khos_made-up")}).status == 401);

  // Wrong passwords: the same answer as an unknown name; then a lock-out.
  login(api, "co-lan", "sai-mat-khau", &status);
  CHECK(status == 401);
  login(api, "khong-co-ai", "sai-mat-khau", &status);
  CHECK(status == 401);
  for (int i = 0; i < 4; ++i) login(api, "co-lan", "sai-mat-khau", &status);
  login(api, "co-lan", "mat-khau-co-lan", &status);
  CHECK(status == 429);

  // Signing out ends the session; disabling an account ends its tokens.
  std::string body;
  auto out = http({"POST", api.base + "/api/v1/logout", {bearer(token)}, &body});
  CHECK(out.status == 200);
  CHECK(api.get("/api/v1/me", {bearer(token)}).status == 401);
  // The web page's cookie of an ended session is cleared, not refused.
  auto stale = http({"POST", api.base + "/api/v1/logout", {"Cookie: kho_session=" + token}, &body});
  CHECK(stale.status == 200);
  CHECK(contains(stale.header("set-cookie"), "kho_session=;"));
  CHECK(api.get("/api/v1/me", {api.staff}).status == 200);
  // An admin cannot lock themselves out; they can disable another account.
  const std::string off = R"({"disabled": true})";
  auto self = http({"PATCH",
                    api.base + "/api/v1/accounts/quan-tri",
                    {api.staff, "Content-Type: application/json"},
                    &off});
  CHECK(self.status == 409);
  CHECK(error_message(self) == "an account cannot disable itself; ask another admin");
  CHECK(api.get("/api/v1/me", {api.staff}).status == 200);
  auto other = http({"PATCH",
                     api.base + "/api/v1/accounts/co-lan",
                     {api.staff, "Content-Type: application/json"},
                     &off});
  CHECK(other.status == 200);
  CHECK(json::parse(other.body)["disabled"] == true);
  REQUIRE(accounts.set_disabled("quan-tri", true, "cli").ok());
  CHECK(api.get("/api/v1/me", {api.staff}).status == 401);
  // Passwords are stored as Argon2id hashes, never as typed.
  kho::store::Account stored;
  REQUIRE(api.library->store().get_account("co-lan", &stored).ok());
  CHECK(stored.password_hash.rfind("$argon2id$", 0) == 0);
  CHECK_FALSE(contains(stored.password_hash, "mat-khau-co-lan"));
}

TEST_CASE("every endpoint applies the same check, for every role and visibility") {
  Api api;
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_school({"THCS-02", "Trường THCS khác", "", ""}, "cli").ok());
  auto tokens = kho::testing::make_callers(accounts);  // caller -> Authorization header
  // Visibility alone: THCS-01 lets lesson plans be shared before approval (core/approval.h).
  REQUIRE(kho::approval::put_settings(api.library->store(), "THCS-01", {false, false}, "cli").ok());
  // One diploma and one lesson plan of THCS-01 in each visibility they may have.
  std::map<std::string, std::uint64_t> ids;
  for (const std::string kind : {"diploma", "lesson-plan"})
    for (const std::string visibility : {"private", "school", "shared", "public"}) {
      if (kind == "diploma" && visibility == "public") continue;
      auto r = api.upload("hoso " + kind + " " + visibility + "\n",
                          "filename=" + kind + "-" + visibility + ".txt&kind=" + kind +
                              "&visibility=" + visibility + "&school=THCS-01");
      ids[kind + "/" + visibility] = upload_id(r);
    }
  const auto& expected = kho::testing::kReadable;
  for (const auto& [caller, header] : tokens) {
    std::vector<std::string> headers;
    if (!header.empty()) headers.push_back(header);
    std::set<std::string> searched;
    auto found = json::parse(api.get("/api/v1/search?q=hoso&per_page=50&facets=1", headers).body);
    for (const auto& [name, id] : ids)
      for (const auto& hit : found["hits"])
        if (hit["id"] == id) searched.insert(name);
    INFO(caller);
    CHECK(searched == expected.at(caller));
    CHECK(found["total"] == expected.at(caller).size());
    for (const auto& [name, id] : ids) {
      INFO(name);
      long want = expected.at(caller).count(name) ? 200 : 404;
      std::string path = "/api/v1/records/" + std::to_string(id);
      CHECK(api.get(path, headers).status == want);
      CHECK(api.get(path + "/file", headers).status == want);
      CHECK(api.get(path + "/search?q=hoso", headers).status == want);
    }
  }
  // Adding records needs an account whose role handles the kind at that school.
  auto anonymous = http_post(api.base + "/api/v1/records?filename=x.txt", "x\n");
  CHECK(anonymous.status == 401);
  auto teacher = http_post(api.base + "/api/v1/records?filename=y.txt&kind=diploma", "y\n",
                           {tokens["giao-vien"]});
  CHECK(teacher.status == 403);
}

TEST_CASE("share links: open without an account, expire, are revoked, and are audited") {
  Api api;
  // A private administrative file (a diploma is never lent by a link: tests/register).
  auto id = upload_id(api.upload("Công văn 12/PGDĐT: danh sách học sinh chuyển trường\n",
                                 "filename=cong-van.txt&kind=admin-doc&visibility=private"));
  std::string path = "/api/v1/records/" + std::to_string(id);
  std::string none;
  CHECK(http({"POST", api.base + path + "/shares", {}, &none}).status == 401);
  auto made = http({"POST", api.base + path + "/shares?days=7", {api.staff}, &none});
  REQUIRE(made.status == 201);
  json link = json::parse(made.body);
  std::string url = link["url"];
  CHECK_FALSE(link["expires_at"].is_null());
  // Usable without an account: the record and its file, nothing else.
  auto opened = api.get("/api/v1/shared/" + url.substr(3));
  INFO(opened.body);
  CHECK(json::parse(opened.body)["record"]["id"] == id);
  auto file = api.get(url + "/file");
  CHECK(file.status == 200);
  CHECK(file.body == "Công văn 12/PGDĐT: danh sách học sinh chuyển trường\n");
  CHECK(api.get(path).status == 404);  // the record itself stays private
  CHECK(api.get("/api/v1/me", {bearer(url.substr(3))}).status == 401);  // not a sign-in
  // Revoked: gone.
  auto revoked = http({"DELETE",
                       api.base + "/api/v1/shares/" + std::to_string(link["id"].get<int>()),
                       {api.staff},
                       nullptr});
  CHECK(revoked.status == 200);
  CHECK(api.get(url).status == 404);
  CHECK(api.get(url + "/file").status == 404);
  // Expired: gone too.
  kho::NewSecret brief;
  REQUIRE(api.library->accounts()
              .create_share(kho::Access::library_staff(), id, "", std::chrono::seconds(1), &brief)
              .ok());
  CHECK(api.get("/s/" + brief.secret).status == 200);              // the page
  CHECK(api.get("/api/v1/shared/" + brief.secret).status == 200);  // what it reads, audited
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK(api.get("/s/" + brief.secret).status == 404);

  // The audit log: admins only, and it names who opened the link and read the file.
  CHECK(api.get("/api/v1/audit").status == 401);
  auto audit = api.get("/api/v1/audit?limit=1000", {api.staff});
  REQUIRE(audit.status == 200);
  INFO(audit.body);
  json log = json::parse(audit.body);
  std::multiset<std::string> actions;
  for (const auto& e : log["entries"]) {
    actions.insert(e["action"].get<std::string>());
    if (e["action"] == "read-file") {
      CHECK(e["record"] == id);
      CHECK(e["actor"].get<std::string>().rfind("share:", 0) == 0);
      CHECK(e["from"] == "127.0.0.1");
    }
  }
  CHECK(actions.count("create") == 1);
  CHECK(actions.count("share-create") == 2);
  CHECK(actions.count("share-open") >= 2);
  CHECK(actions.count("read-file") == 1);
  CHECK(actions.count("share-revoke") == 1);
}

TEST_CASE("an admin reads the audit log of its own school, not of another") {
  Api api;
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_school({"THCS-02", "Trường THCS Đông Triều", "", ""}, "cli").ok());
  REQUIRE(accounts.add_user("quan-tri-2", "mat-khau-khac-dai", {{"THCS-02", "admin"}}, "cli").ok());
  kho::NewSecret other;
  REQUIRE(
      accounts.create_token("quan-tri-2", "tests", std::chrono::seconds(0), "cli", &other).ok());
  auto id = upload_id(api.upload("Sổ gốc cấp bằng tốt nghiệp THCS năm 2023\n",
                                 "filename=so-goc.txt&kind=diploma&visibility=private"));
  REQUIRE(api.get("/api/v1/records/" + std::to_string(id) + "/file", {api.staff}).status == 200);
  auto records_in = [&](const std::string& auth) {
    auto r = api.get("/api/v1/audit?limit=1000", {auth});
    REQUIRE(r.status == 200);
    json log = json::parse(r.body);
    std::multiset<std::string> seen;
    for (const auto& e : log["entries"])
      if (e["record"] == id) seen.insert(e["action"].get<std::string>());
    return seen;
  };
  CHECK(records_in(api.staff) == std::multiset<std::string>{"create", "read-file"});
  CHECK(records_in(bearer(other.secret)).empty());  // who read THCS-01's diplomas is its business

  // Filters apply on the server, and paging goes on past what does not match.
  for (int i = 0; i < 5; ++i)
    REQUIRE(api.get("/api/v1/records/" + std::to_string(id), {api.staff}).status == 200);
  auto entries = [&](const std::string& query) {
    auto r = api.get("/api/v1/audit?" + query, {api.staff});
    INFO(query << ": " << r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  };
  json reads = entries("action=READ-FILE&record=" + std::to_string(id));
  REQUIRE(reads["entries"].size() == 1);
  CHECK(reads["entries"][0]["actor"] == "quan-tri");
  CHECK_FALSE(reads.contains("next"));
  std::string today = reads["entries"][0]["at"].get<std::string>().substr(0, 10);
  CHECK(entries("actor=quan&from=" + today + "&to=" + today)["entries"].size() >= 7);
  CHECK(entries("actor=quan-tri-2")["entries"].empty());
  CHECK(entries("to=2000-01-01")["entries"].empty());
  // One entry a page: each page names the next until the last.
  std::set<std::uint64_t> paged;
  json page = entries("limit=1&record=" + std::to_string(id));
  for (int pages = 0; pages < 20; ++pages) {
    for (const auto& e : page["entries"]) paged.insert(e["seq"].get<std::uint64_t>());
    if (!page.contains("next")) break;
    page = entries("limit=1&record=" + std::to_string(id) +
                   "&after=" + std::to_string(page["next"].get<std::uint64_t>()));
  }
  CHECK(paged.size() == 7);  // create, read-file, five readings of the record
  CHECK(error_message(api.get("/api/v1/audit?from=05/12/2026", {api.staff})) ==
        "from: a day as YYYY-MM-DD");
  CHECK(api.get("/api/v1/audit?record=abc", {api.staff}).status == 400);
}

TEST_CASE("an uploaded archive imports each file, a zip bomb is refused with 413") {
  Api api;
  auto fixture = [](const char* name) {
    return kho::testing::read_file(kho::testing::source_dir() / "tests" / "fixtures" / name);
  };
  auto r = api.upload(fixture("archive-nested.zip"), "filename=ho-so.zip");
  INFO(r.body);
  REQUIRE(r.status == 201);
  json body = json::parse(r.body);
  CHECK(body["imported"].size() == 4);
  CHECK(body["failed"].empty());
  CHECK(body["imported"][0]["path"].get<std::string>().rfind("ho-so.zip/", 0) == 0);
  auto bomb = api.upload(fixture("archive-bomb.zip"), "filename=bom.zip");
  CHECK(bomb.status == 413);
  CHECK(contains(error_message(bomb), "zip bomb"));
}

// --- Leaks (issue 19): what a caller may learn or keep doing ----------------------------

TEST_CASE("a password typed as the account name is not kept in the audit log") {
  Api api;
  const std::string secret = "Hoa-Sen-2026!bi-mat";
  long status = 0;
  // Typed into the name field, again and again until that name is locked out.
  for (int i = 0; i < 6; ++i) login(api, secret, "mat-khau-gi-do", &status);
  CHECK(status == 429);
  login(api, "quan-tri", "sai-mat-khau", &status);  // an account's failure still names it
  CHECK(status == 401);

  auto run = kho::testing::run_kho({"--data", api.dir.str() + "/data", "audit", "--json"});
  REQUIRE(run.exit_code == 0);
  CHECK_FALSE(contains(run.out, secret));
  json log = json::parse(run.out);
  std::multiset<std::string> failed_as;
  for (const auto& e : log)
    if (e["action"] == "login-failed" || e["action"] == "login-refused")
      failed_as.insert(e["actor"].get<std::string>() + " " + e["detail"].get<std::string>());
  CHECK(failed_as.count("anonymous no such account") == 5);
  CHECK(failed_as.count("anonymous too many failed logins, no such account") == 1);
  CHECK(failed_as.count("quan-tri ") == 1);
}

namespace {

// An account with one role and an API token: the Authorization header.
std::string user_with_token(Api& api, const std::string& name, const std::string& school,
                            const std::string& role) {
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{school, role}}, "cli").ok());
  kho::NewSecret token;
  REQUIRE(accounts.create_token(name, "tests", std::chrono::seconds(0), "cli", &token).ok());
  return bearer(token.secret);
}

json make_share(const Api& api, std::uint64_t record, const std::string& auth) {
  std::string none;
  auto made = http(
      {"POST", api.base + "/api/v1/records/" + std::to_string(record) + "/shares", {auth}, &none});
  INFO(made.body);
  REQUIRE(made.status == 201);
  return json::parse(made.body);
}

long revoke_share(const Api& api, const json& link, const std::string& auth) {
  return http({"DELETE",
               api.base + "/api/v1/shares/" + std::to_string(link["id"].get<int>()),
               {auth},
               nullptr})
      .status;
}

}  // namespace

TEST_CASE("a share link works only while its maker may still share the record") {
  Api api;
  std::string clerk = user_with_token(api, "van-thu", "THCS-01", "office");
  auto id = upload_id(api.upload("Quyết định 45/QĐ-PGDĐT về việc khen thưởng\n",
                                 "filename=quyet-dinh.txt&kind=admin-doc&visibility=private"));
  std::string url = make_share(api, id, clerk)["url"];
  CHECK(api.get(url).status == 200);
  CHECK(api.get(url + "/file").status == 200);

  // The clerk leaves: the link stops with the account, record and file alike.
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.set_disabled("van-thu", true, "cli").ok());
  CHECK(api.get(url).status == 404);
  CHECK(api.get(url + "/file").status == 404);
  // Enabled again (back from leave): the link works again, as it was not revoked.
  REQUIRE(accounts.set_disabled("van-thu", false, "cli").ok());
  CHECK(api.get(url + "/file").status == 200);

  // Moved to a role that does not handle diplomas: the link no longer stands.
  kho::store::Account moved;
  REQUIRE(api.library->store().get_account("van-thu", &moved).ok());
  moved.roles = {{"THCS-01", "teacher"}};
  REQUIRE(api.library->store().put_account(moved, false, "cli").ok());
  CHECK(api.get(url).status == 404);
  CHECK(api.get(url + "/file").status == 404);
}

TEST_CASE("an admin revokes share links of its own school only") {
  Api api;
  REQUIRE(api.library->accounts().add_school({"THCS-02", "Trường THCS khác", "", ""}, "cli").ok());
  std::string clerk = user_with_token(api, "van-thu", "THCS-01", "office");
  std::string other_admin = user_with_token(api, "quan-tri-2", "THCS-02", "admin");
  auto id = upload_id(api.upload("Kế hoạch 7/KH-THCS năm học 2024\n",
                                 "filename=ke-hoach.txt&kind=admin-doc&visibility=private"));
  json link = make_share(api, id, clerk);
  std::string url = link["url"];

  // Another school's admin: as if the link did not exist, and it keeps working.
  CHECK(revoke_share(api, link, other_admin) == 404);
  CHECK(api.get(url).status == 200);
  // The admin of the record's school may, though another made it.
  CHECK(revoke_share(api, link, api.staff) == 200);
  CHECK(api.get(url).status == 404);
  // Its maker may revoke its own links.
  json again = make_share(api, id, clerk);
  CHECK(revoke_share(api, again, other_admin) == 404);
  CHECK(revoke_share(api, again, clerk) == 200);
}

TEST_CASE("did you mean offers only words from records the caller may read") {
  Api api;
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_school({"THCS-02", "Trường THCS khác", "", ""}, "cli").ok());
  auto callers = kho::testing::make_callers(accounts);
  // THCS-01 lets lesson plans be public before approval (core/approval.h).
  REQUIRE(kho::approval::put_settings(api.library->store(), "THCS-01", {false, false}, "cli").ok());
  // "Quỳnh" is only in the private diploma; the rest of the library is open.
  auto open = upload_id(api.upload("Kế hoạch bài dạy môn Toán lớp 6: phân số\n",
                                   "filename=khbd.txt&kind=lesson-plan&visibility=public"));
  auto diploma = upload_id(api.upload("Bằng tốt nghiệp THCS cấp cho học sinh Lò Thị Quỳnh\n",
                                      "filename=bang.txt&kind=diploma&visibility=private"));
  // A collection's share link never opens its diplomas.
  for (auto id : {open, diploma}) {
    kho::Edit edit;
    edit.set["collection"] = "Tủ hồ sơ";
    kho::store::Record edited;
    REQUIRE(api.library->edit(id, edit, &edited).ok());
  }
  kho::NewSecret link;
  REQUIRE(
      accounts
          .create_share(kho::Access::library_staff(), 0, "Tủ hồ sơ", std::chrono::seconds(0), &link)
          .ok());
  auto suggestion = [&](const std::string& path, const std::string& header) {
    std::vector<std::string> headers;
    if (!header.empty()) headers.push_back(header);
    auto r = api.get(path, headers);
    INFO(path << " " << r.body);
    REQUIRE(r.status == 200);
    json body = json::parse(r.body);
    if (body.contains("results")) body = body["results"];  // a shared collection's listing
    return body.contains("suggestion") ? body["suggestion"].get<std::string>() : std::string();
  };
  // One letter off, and without its marks: neither gives the word away.
  for (const std::string q : {"quynk", "quynh", "Lo Thi Quynh"}) {
    INFO(q);
    for (const char* who : {"anonymous", "doc-gia", "giao-vien", "van-thu-khac"}) {
      INFO(who);
      CHECK(suggestion("/api/v1/search?q=" + url_encode(q), callers[who]).empty());
    }
    CHECK(suggestion("/api/v1/shared/" + link.secret + "?q=" + url_encode(q), "").empty());
  }
  // Those who may read the diploma are still helped.
  for (const std::string& header : {callers["van-thu"], api.staff}) {
    CHECK(suggestion("/api/v1/search?q=quynk", header) == "quỳnh");
    CHECK(suggestion("/api/v1/search?q=quynh", header) == "quỳnh");
    CHECK(suggestion("/api/v1/search?q=" + url_encode("Lo Thi Quynh"), header) == "lò thị quỳnh");
  }
  // Words the caller may read are still offered to everyone.
  CHECK(suggestion("/api/v1/search?q=" + url_encode("phan so"), "") == "phân số");
  CHECK(suggestion("/api/v1/search?q=phaan", "") == "phân");
}

TEST_CASE("an upload tells nothing of the same bytes in a record the caller may not read") {
  Api api;
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_school({"THCS-02", "Trường THCS khác", "", ""}, "cli").ok());
  auto callers = kho::testing::make_callers(accounts);
  const std::string bytes = "Quyết định khen thưởng và kỷ luật học sinh năm 2024\n";
  auto hidden = upload_id(
      api.upload(bytes, "filename=qd.txt&kind=admin-doc&visibility=private&school=THCS-01"));

  // A teacher of the school and another school's clerk: each as if the file were new.
  std::set<std::uint64_t> ids{hidden};
  for (const char* who : {"giao-vien", "van-thu-khac"}) {
    INFO(who);
    auto r = http_post(api.base + "/api/v1/records?filename=ban-sao.txt", bytes, {callers[who]});
    INFO(r.body);
    CHECK(r.status == 201);
    json record = json::parse(r.body);
    CHECK_FALSE(record.contains("duplicate"));
    std::uint64_t own = record["id"];
    CHECK(ids.insert(own).second);
    CHECK(api.get("/api/v1/records/" + std::to_string(own), {callers[who]}).status == 200);
    CHECK(api.get("/api/v1/records/" + std::to_string(hidden), {callers[who]}).status == 404);
    CHECK(api.get("/api/v1/records/" + std::to_string(own) + "/file", {callers[who]}).body ==
          bytes);
    // Their own copy again: the same bytes are stored once for whoever may read them.
    auto again = http_post(api.base + "/api/v1/records?filename=lai.txt", bytes, {callers[who]});
    CHECK(again.status == 200);
    CHECK(json::parse(again.body)["id"] == own);
    CHECK(json::parse(again.body)["duplicate"] == true);
  }
  // The admin, who reads every copy, is answered with the first.
  auto admin = api.upload(bytes, "filename=qd-2.txt&visibility=private");
  CHECK(admin.status == 200);
  CHECK(json::parse(admin.body)["id"] == hidden);
  // Three records, one file on disk.
  std::size_t stored = 0;
  for (const auto& f : fs::recursive_directory_iterator(api.dir.path() / "data" / "originals"))
    if (f.is_regular_file() && f.path().string().find("/.tmp/") == std::string::npos) ++stored;
  CHECK(stored == 1);
}

TEST_CASE("browse lists every record the caller may read, latest first, with filters and paging") {
  Api api;
  auto book = upload_id(api.upload("Sách giáo khoa Toán 6\n", "filename=a.txt&kind=book"));
  auto plan = upload_id(api.upload("Kế hoạch năm học\n", "filename=b.txt&kind=admin-doc"));
  auto hidden = upload_id(api.upload("Danh sách riêng\n", "filename=c.txt&visibility=private"));
  auto r = api.get("/api/v1/search?facets=1");
  INFO(r.body);
  REQUIRE(r.status == 200);
  json body = json::parse(r.body);
  CHECK(hit_ids(body) == std::vector<std::uint64_t>{plan, book});
  CHECK(body["total"] == 2);
  CHECK(body["hits"][0]["snippet"] == "");
  CHECK(body["facets"]["kind"].size() == 2);
  CHECK(hit_ids(json::parse(api.get("/api/v1/search?q=%20&kind=book").body)) ==
        std::vector<std::uint64_t>{book});
  CHECK(hit_ids(json::parse(api.get("/api/v1/search?per_page=1&page=2").body)) ==
        std::vector<std::uint64_t>{book});
  CHECK(hit_ids(json::parse(api.get("/api/v1/search", {api.staff}).body)) ==
        std::vector<std::uint64_t>{hidden, plan, book});
}

TEST_CASE("search hits carry the record's display fields and its file") {
  Api api;
  upload_id(
      api.upload("Giáo trình tin học\n",
                 "filename=gt.txt&kind=book&title=Gi%C3%A1o%20tr%C3%ACnh&creator=Nguy%E1%BB%85n%20"
                 "V%C4%83n%20A&date=2022-09-01&language=vi-VN"));
  json hit = api.search("giao trinh")["hits"][0];
  INFO(hit.dump());
  CHECK(hit["fields"]["title"] == "Giáo trình");
  CHECK(hit["fields"]["creator"] == "Nguyễn Văn A");
  CHECK(hit["fields"]["year"] == "2022");
  CHECK(hit["fields"]["language"] == "vi");
  CHECK(hit["fields"]["school"] == "THCS-01");
  CHECK(hit["has_file"] == true);
  CHECK(contains(hit["media_type"].get<std::string>(), "text/plain"));
  CHECK(hit["page_count"] == 1);
}

TEST_CASE("a hit's matching pages are the pages the search inside its record lists") {
  Api api;
  // The title has the words, which are on no page; the text has them on pages 2 and 4.
  auto some = upload_id(
      api.upload("Mở đầu\fKế hoạch dạy học tuần 1\fBài tập\fKế hoạch dạy học tuần 2\fPhụ lục\n",
                 "filename=five.txt&title=K%E1%BA%BF%20ho%E1%BA%A1ch%20n%C4%83m%20h%E1%BB%8Dc"));
  auto none =
      upload_id(api.upload("Mở đầu\fBài một\fBài hai\fBài ba\fPhụ lục\n",
                           "filename=none.txt&title=K%E1%BA%BF%20ho%E1%BA%A1ch%20kh%C3%A1c"));
  json results = api.search("ke hoach");
  for (const auto& hit : results["hits"]) {
    auto id = hit["id"].get<std::uint64_t>();
    auto pages =
        json::parse(api.get("/api/v1/records/" + std::to_string(id) + "/search?q=ke+hoach").body);
    INFO(hit.dump() << pages.dump());
    CHECK(hit["matching_pages"] == pages["total"]);
    CHECK(hit["matching_pages"] == (id == some ? 2 : 0));
  }
  CHECK(hit_ids(results).size() == 2);
  (void)none;
}

TEST_CASE("equivalent language values are one facet value and filter alike") {
  Api api;
  for (const char* lang : {"vi", "vi-VN", "VI", "vi-vn"})
    upload_id(api.upload(std::string("Tài liệu ") + lang + "\n",
                         std::string("filename=") + lang + ".txt&language=" + lang));
  json body = json::parse(api.get("/api/v1/search?facets=1").body);
  INFO(body.dump());
  REQUIRE(body["facets"]["language"].size() == 1);
  CHECK(body["facets"]["language"][0]["value"] == "vi");
  CHECK(body["facets"]["language"][0]["count"] == 4);
  CHECK(json::parse(api.get("/api/v1/search?language=vi-VN").body)["total"] == 4);
  CHECK(json::parse(api.get("/api/v1/search?school=thcs-01").body)["total"] == 4);
}

TEST_CASE("share links default to 7 days, are listed, and open as a page with working files") {
  Api api;
  auto id = upload_id(api.upload("Kế hoạch chia sẻ\n", "filename=share.txt&visibility=private"));
  std::string path = "/api/v1/records/" + std::to_string(id) + "/shares";
  std::string none;
  auto made = http({"POST", api.base + path, {api.staff}, &none});
  REQUIRE(made.status == 201);
  json link = json::parse(made.body);
  CHECK(link["expires_at"].get<std::string>().substr(0, 10) ==
        kho::rfc3339_in(std::chrono::hours(24 * 7)).substr(0, 10));
  json forever = json::parse(http({"POST", api.base + path + "?never=1", {api.staff}, &none}).body);
  CHECK(forever["expires_at"].is_null());
  auto zero = http({"POST", api.base + path + "?days=0", {api.staff}, &none});
  CHECK(zero.status == 400);
  CHECK(error_code(zero) == "bad_parameter");
  CHECK(json::parse(zero.body)["error"]["field"] == "days");
  auto missing = http({"POST", api.base + "/api/v1/records/999/shares", {api.staff}, &none});
  CHECK(error_code(missing) == "record_not_found");

  json listed = json::parse(api.get(path, {api.staff}).body);
  CHECK(listed["shares"].size() == 2);
  CHECK(json::parse(api.get("/api/v1/shares", {api.staff}).body)["shares"].size() == 2);
  CHECK(api.get("/api/v1/shares").status == 401);

  std::string url = link["url"];
  auto page = api.get(url);
  CHECK(page.status == 200);
  CHECK(contains(page.header("content-type"), "text/html"));
  auto opened = api.get("/api/v1/shared/" + url.substr(3));
  INFO(opened.body);
  json shared = json::parse(opened.body);
  CHECK(shared["kind"] == "record");
  CHECK(shared["record"]["file_url"] == url + "/file");
  CHECK(api.get(shared["record"]["file_url"]).body == "Kế hoạch chia sẻ\n");
  auto unknown = api.get("/api/v1/shared/khos_nothing");
  CHECK(unknown.status == 404);
  CHECK(error_code(unknown) == "share_not_found");
  kho::NewSecret brief;
  REQUIRE(api.library->accounts()
              .create_share(kho::Access::library_staff(), id, "", std::chrono::seconds(1), &brief)
              .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto expired = api.get("/api/v1/shared/" + brief.secret);
  CHECK(expired.status == 404);
  CHECK(error_code(expired) == "share_expired");
}

TEST_CASE("a collection's share link lists its records and serves their files only") {
  Api api;
  auto inside = upload_id(api.upload("Tài liệu trong tủ\n", "filename=in.txt&visibility=private"));
  auto outside =
      upload_id(api.upload("Tài liệu ngoài tủ\n", "filename=out.txt&visibility=private"));
  kho::Edit edit;
  edit.set["collection"] = "Tủ sách";
  kho::store::Record edited;
  REQUIRE(api.library->edit(inside, edit, &edited).ok());
  REQUIRE(api.library->index().catch_up().ok());
  kho::NewSecret link;
  REQUIRE(
      api.library->accounts()
          .create_share(kho::Access::library_staff(), 0, "Tủ sách", std::chrono::hours(1), &link)
          .ok());
  auto r = api.get("/api/v1/shared/" + link.secret);
  INFO(r.body);
  REQUIRE(r.status == 200);
  json body = json::parse(r.body);
  CHECK(body["kind"] == "collection");
  CHECK(hit_ids(body["results"]) == std::vector<std::uint64_t>{inside});
  std::string file = body["results"]["hits"][0]["file_url"];
  CHECK(file == "/s/" + link.secret + "/records/" + std::to_string(inside) + "/file");
  CHECK(api.get(file).body == "Tài liệu trong tủ\n");
  auto other = api.get("/s/" + link.secret + "/records/" + std::to_string(outside) + "/file");
  CHECK(other.status == 404);
  CHECK(error_code(other) == "record_not_found");
}
