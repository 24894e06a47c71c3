// The walking skeleton as a user drives it: the built kho binary imports the
// samples, searches them, serves them over HTTP, survives a restart and a
// deleted index.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/cli/process.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::testing::run_kho;
using kho::testing::TempDir;
using kho::testing::url_encode;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const kPdf = "ke-hoach-44-KH-PGDDT.pdf";
const char* const kText = "tin-chuyen-doi-so-hoa-binh.txt";

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Response {
  long status = 0;
  std::string body;
};

Response http_get(const std::string& url) {
  Response r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

json search(const std::string& data, const std::string& q) {
  auto run = run_kho({"--data", data, "search", "--json", q});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

std::vector<std::uint64_t> hit_ids(const json& results) {
  std::vector<std::uint64_t> ids;
  for (const auto& h : results["hits"]) ids.push_back(h["id"].get<std::uint64_t>());
  return ids;
}

// Copies the samples with a truncated PDF among them.
fs::path batch_with_broken_pdf(const TempDir& dir) {
  fs::path batch = dir.path() / "batch";
  fs::create_directories(batch / "sub");
  fs::copy_file(kho::testing::sample(kPdf), batch / kPdf);
  fs::copy_file(kho::testing::sample(kText), batch / "sub" / kText);
  std::string pdf = kho::testing::read_file(kho::testing::sample(kPdf));
  kho::testing::write_file(batch / "broken.pdf", pdf.substr(0, pdf.size() / 3));
  return batch;
}

// A running `kho serve` on a free loopback port.
struct Server {
  kho::testing::Process process;
  std::string base;
  explicit Server(const std::string& data)
      : process({"--data", data, "serve", "--listen", "127.0.0.1:0"}) {
    REQUIRE(process.wait_for_output("http://"));
    std::smatch m;
    std::string out = process.out();
    REQUIRE(std::regex_search(out, m, std::regex("http://127\\.0\\.0\\.1:([0-9]+)")));
    base = "http://127.0.0.1:" + m[1].str();
  }
  ~Server() { process.finish(SIGTERM); }
};

}  // namespace

TEST_CASE("import, search, serve, restart and reindex, end to end") {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);

  SECTION("a batch with a broken PDF imports the good files and names the bad one") {
    auto run = run_kho(
        {"--data", data, "import", "--kind", "admin-doc", batch_with_broken_pdf(dir).string()});
    CHECK(run.exit_code == 1);
    CHECK(run.out.find("2 imported, 0 duplicate, 1 failed") != std::string::npos);
    std::regex broken("failed: [^\\n]*broken\\.pdf: [^\\n]+");
    CHECK(std::regex_search(run.out, broken));
    CHECK(run_kho({"--data", data, "show", "3"}).exit_code == 3);  // nothing partial stored

    // Importing again makes no new records.
    auto again =
        run_kho({"--data", data, "import", "--json", (dir.path() / "batch" / kPdf).string()});
    CHECK(again.exit_code == 0);
    CHECK(json::parse(again.out)["duplicates"].size() == 1);
  }

  SECTION("search with and without diacritics, then through a restarted server") {
    // Public: the server's callers are anonymous and read public records only.
    REQUIRE(run_kho({"--data", data, "import", "--visibility", "public",
                     kho::testing::sample(kPdf).string(), kho::testing::sample(kText).string()})
                .exit_code == 0);
    auto with = search(data, "chuyển đổi số");
    auto without = search(data, "chuyen doi so");
    CHECK(with["total"].get<int>() >= 1);
    CHECK(hit_ids(with) == hit_ids(without));
    auto number = search(data, "44/KH-PGDĐT");
    REQUIRE(number["hits"].size() >= 1);
    const auto& hit = number["hits"][0];
    CHECK(hit["filename"] == kPdf);
    CHECK(hit["page"].get<int>() >= 1);
    CHECK(hit["snippet"].get<std::string>().size() > 0);
    auto pdf_id = hit["id"].get<std::uint64_t>();

    std::string original = kho::testing::read_file(kho::testing::sample(kPdf));
    for (int round = 0; round < 2; ++round) {  // the second round is after a restart
      Server server(data);
      auto file = http_get(server.base + "/api/v1/records/" + std::to_string(pdf_id) + "/file");
      CHECK(file.status == 200);
      CHECK(file.body == original);
      auto found = http_get(server.base + "/api/v1/search?q=" + url_encode("thong ke giao duc"));
      CHECK(found.status == 200);
      CHECK(json::parse(found.body)["total"].get<int>() >= 1);
    }

    // kho get writes the same bytes.
    auto out = dir.path() / "copy.pdf";
    REQUIRE(
        run_kho({"--data", data, "get", std::to_string(pdf_id), "-o", out.string()}).exit_code ==
        0);
    CHECK(kho::testing::read_file(out) == original);

    // The index is derived: compact it, or delete and rebuild it, same answers.
    auto before = search(data, "giao duc");
    auto compact = run_kho({"--data", data, "compact"});
    INFO(compact.err);
    REQUIRE(compact.exit_code == 0);
    CHECK(compact.out.find("index compacted") != std::string::npos);
    CHECK(hit_ids(search(data, "giao duc")) == hit_ids(before));
    fs::remove_all(fs::path(data) / "index");
    auto reindex = run_kho({"--data", data, "reindex"});
    INFO(reindex.err);
    REQUIRE(reindex.exit_code == 0);
    auto after = search(data, "giao duc");
    CHECK(hit_ids(before) == hit_ids(after));
    CHECK(before["total"] == after["total"]);
  }
}

TEST_CASE("the CLI explains itself and its failures") {
  TempDir dir;
  const std::string data = (dir.path() / "none").string();
  auto help = run_kho({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("import") != std::string::npos);
  auto missing = run_kho({"--data", data, "search", "x"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("kho init") != std::string::npos);
  CHECK(run_kho({"--data", data, "frobnicate"}).exit_code == 2);
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  CHECK(run_kho({"--data", data, "show", "abc"}).exit_code == 2);
  CHECK(run_kho({"--data", data, "show", "42"}).exit_code == 3);
  auto bad_query = run_kho({"--data", data, "search", "(unbalanced"});
  CHECK(bad_query.exit_code != 0);
}

TEST_CASE("kho search filters, counts facets, sorts and looks inside a record") {
  TempDir dir;
  const std::string data = (dir.path() / "lib").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "import", "--kind", "admin-doc",
                   kho::testing::sample(kPdf).string()})
              .exit_code == 0);
  REQUIRE(run_kho({"--data", data, "import", kho::testing::sample(kText).string()}).exit_code == 0);

  auto all =
      json::parse(run_kho({"--data", data, "search", "--json", "--facets", "chuyen doi so"}).out);
  CHECK(all["total"] == 2);
  CHECK(all["facets"]["kind"].size() == 2);
  auto admin = json::parse(
      run_kho({"--data", data, "search", "--json", "--filter", "kind=admin-doc", "chuyen doi so"})
          .out);
  REQUIRE(admin["hits"].size() == 1);
  CHECK(admin["hits"][0]["filename"] == kPdf);
  CHECK(json::parse(run_kho({"--data", data, "search", "--json", "kind:admin-doc chuyen doi so"})
                        .out)["total"] == 1);

  auto inside = run_kho({"--data", data, "search", "--json", "--in", "1", "chuyển đổi số"});
  REQUIRE(inside.exit_code == 0);
  auto pages = json::parse(inside.out);
  CHECK(pages["total"].get<int>() >= 3);  // the plan speaks of it on several of its 8 pages
  for (const auto& p : pages["pages"])
    CHECK(p["snippet_html"].get<std::string>().find("<mark>") != std::string::npos);

  CHECK(run_kho({"--data", data, "search", "--filter", "kind", "x"}).exit_code == 2);
  CHECK(run_kho({"--data", data, "search", "--sort", "random", "x"}).exit_code == 2);
  CHECK(run_kho({"--data", data, "search", "--in", "77", "x"}).exit_code == 3);
}

TEST_CASE("kho edit corrects metadata, marks it typed, and search follows") {
  TempDir dir;
  const std::string data = (dir.path() / "lib").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "import", kho::testing::sample(kText).string()}).exit_code == 0);
  auto edit =
      run_kho({"--data", data, "edit", "1", "title=Thực hiện chuyển đổi số ngành giáo dục Hòa Bình",
               "kind=admin-doc", "number=1656/KH-SGD&ĐT", "date=2022-06-28"});
  INFO(edit.err);
  REQUIRE(edit.exit_code == 0);
  auto record = json::parse(run_kho({"--data", data, "show", "--json", "1"}).out);
  CHECK(record["dc"]["title"] == "Thực hiện chuyển đổi số ngành giáo dục Hòa Bình");
  CHECK(record["sources"]["title"] == "typed");
  CHECK(record["fields"]["number"] == "1656/KH-SGD&ĐT");
  CHECK(record["kind"] == "admin-doc");
  auto found = json::parse(
      run_kho({"--data", data, "search", "--json", "number:1656 year:2022 kind:admin-doc"}).out);
  CHECK(found["total"] == 1);
  CHECK(json::parse(run_kho({"--data", data, "search", "--json", "title:hoa binh"}).out)["total"] ==
        1);

  CHECK(run_kho({"--data", data, "edit", "1", "colour=red"}).exit_code == 1);
  CHECK(run_kho({"--data", data, "edit", "1", "kind=poster"}).exit_code == 1);
  auto diploma = run_kho({"--data", data, "edit", "1", "kind=diploma", "visibility=public"});
  CHECK(diploma.exit_code == 1);
  CHECK(diploma.err.find("personal data") != std::string::npos);
  CHECK(run_kho({"--data", data, "edit", "1", "title"}).exit_code == 2);
  CHECK(run_kho({"--data", data, "edit", "9", "title=x"}).exit_code == 3);
}

TEST_CASE("kho school, user, token and audit manage who may do what") {
  TempDir dir;
  const std::string data = (dir.path() / "lib").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "school", "add", "PGD-CG", "Phòng GD&ĐT Cẩm Giàng"}).exit_code ==
          0);
  REQUIRE(run_kho({"--data", data, "school", "add", "THCS-MT", "Trường THCS Mỹ Thành", "--parent",
                   "PGD-CG"})
              .exit_code == 0);
  CHECK(run_kho({"--data", data, "school", "add", "X", "Trường X", "--parent", "KHONG-CO"})
            .exit_code == 3);
  auto add = kho::testing::run_kho_with_input(
      {"--data", data, "user", "add", "van-thu", "--role", "THCS-MT=office"}, "mat-khau-van-thu\n",
      dir.path());
  INFO(add.err);
  REQUIRE(add.exit_code == 0);
  auto weak = kho::testing::run_kho_with_input(
      {"--data", data, "user", "add", "b", "--role", "THCS-MT=reader"}, "ngan\n", dir.path());
  CHECK(weak.exit_code == 2);
  CHECK(weak.err.find("at least 8") != std::string::npos);
  CHECK(kho::testing::run_kho_with_input(
            {"--data", data, "user", "add", "c", "--role", "THCS-MT=hieu-truong"}, "mat-khau-dai\n",
            dir.path())
            .exit_code == 2);
  auto users = json::parse(run_kho({"--data", data, "user", "list", "--json"}).out);
  REQUIRE(users.size() == 1);
  CHECK(users[0]["roles"]["THCS-MT"] == "office");

  // A token works against the server until it is revoked.
  auto made = run_kho({"--data", data, "token", "create", "van-thu", "--days", "30", "--json"});
  REQUIRE(made.exit_code == 0);
  json token = json::parse(made.out);
  REQUIRE(run_kho({"--data", data, "import", "--kind", "diploma", "--school", "THCS-MT",
                   kho::testing::sample(kText).string()})
              .exit_code == 0);
  {
    Server server(data);
    std::string url = server.base + "/api/v1/records/1";
    CHECK(http_get(url).status == 404);
    CURL* curl = curl_easy_init();
    std::string body;
    curl_slist* headers = curl_slist_append(
        nullptr, ("Authorization: Bearer " + token["secret"].get<std::string>()).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, (url + "/file").c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    CHECK(status == 200);
  }
  CHECK(run_kho({"--data", data, "token", "revoke", std::to_string(token["id"].get<int>())})
            .exit_code == 0);
  CHECK(run_kho({"--data", data, "token", "revoke", "99"}).exit_code == 3);

  // The audit log has every step, with who did it.
  auto log = json::parse(run_kho({"--data", data, "audit", "--json"}).out);
  std::vector<std::string> actions;
  for (const auto& e : log) actions.push_back(e["action"]);
  for (const char* expected :
       {"organisation", "account-add", "token-create", "create", "read-file", "token-revoke"})
    CHECK(std::find(actions.begin(), actions.end(), expected) != actions.end());
  for (const auto& e : log)
    if (e["action"] == "read-file") CHECK(e["actor"] == "van-thu");
}

TEST_CASE("kho show lists what was read from a document, each field with its source") {
  TempDir dir;
  const std::string data = (dir.path() / "lib").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  // A Word 97 decision typed in TCVN3 fonts: no one typed any of its fields.
  auto doc = kho::testing::source_dir() / "tests" / "fixtures" / "tcvn3-quyet-dinh.doc";
  REQUIRE(run_kho({"--data", data, "import", doc.string()}).exit_code == 0);
  auto shown = run_kho({"--data", data, "show", "1"});
  REQUIRE(shown.exit_code == 0);
  for (const char* line :
       {"Kind:        admin-doc\n", "number:      1032/QĐ-SGDĐT  (extracted)\n",
        "issued:      2022-12-15  (extracted)\n",
        "signer_role: KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC  (extracted)\n",
        "title:       Về việc khen thưởng giáo viên dạy giỏi cấp tỉnh năm học 2022-2023  "
        "(extracted)\n"})
    CHECK(shown.out.find(line) != std::string::npos);
  CHECK(run_kho({"--data", data, "edit", "1", "signer=Lê Minh Tuấn"}).exit_code == 0);
  CHECK(run_kho({"--data", data, "show", "1"}).out.find("signer:      Lê Minh Tuấn  (typed)\n") !=
        std::string::npos);
}

TEST_CASE(
    "kho version keeps each file, kho get --version gives it back, kho history shows each change") {
  TempDir dir;
  const std::string data = (dir.path() / "lib").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  const fs::path first = kho::testing::sample(kText);
  REQUIRE(run_kho({"--data", data, "import", first.string()}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "edit", "1", "title=Chuyển đổi số", "grade=9"}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "edit", "1", "title=Chuyển đổi số ở Hòa Bình"}).exit_code == 0);
  const fs::path revised = dir.path() / "ban-sua.txt";
  kho::testing::write_file(revised, "Bản sửa: kế hoạch chuyển đổi số có tinhbotsan.\n");

  auto added = run_kho({"--data", data, "version", "--json", "1", revised.string()});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CHECK(json::parse(added.out)["version"] == 2);
  CHECK(search(data, "tinhbotsan")["total"] == 1);
  CHECK(search(data, "1656")["total"] == 0);
  // Each version back, byte for byte; the current one by default.
  const fs::path out = dir.path() / "out";
  REQUIRE(run_kho({"--data", data, "get", "1", "--version", "1", "-o", out.string()}).exit_code ==
          0);
  CHECK(kho::testing::read_file(out) == kho::testing::read_file(first));
  REQUIRE(run_kho({"--data", data, "get", "1", "-o", out.string()}).exit_code == 0);
  CHECK(kho::testing::read_file(out) == kho::testing::read_file(revised));
  CHECK(run_kho({"--data", data, "get", "1", "--version", "3"}).exit_code == 3);
  // The same file again: refused, exit 1, the reason in words.
  auto same = run_kho({"--data", data, "version", "1", revised.string()});
  CHECK(same.exit_code == 1);
  CHECK(same.err.find("current version") != std::string::npos);
  CHECK(run_kho({"--data", data, "version", "7", revised.string()}).exit_code == 3);
  CHECK(run_kho({"--data", data, "version", "1", (dir.path() / "missing").string()}).exit_code ==
        2);

  auto history = run_kho({"--data", data, "history", "--json", "1"});
  REQUIRE(history.exit_code == 0);
  json changes = json::parse(history.out)["changes"];
  REQUIRE(changes.size() == 4);
  CHECK(changes[1]["fields"][0]["field"] == "title");
  CHECK(changes[2]["fields"][0]["old"] == "Chuyển đổi số");
  CHECK(changes[2]["fields"][0]["new"] == "Chuyển đổi số ở Hòa Bình");
  CHECK(changes[2]["fields"][0]["source"] == "typed");
  CHECK(changes[3]["op"] == "version");
  auto text = run_kho({"--data", data, "history", "1"});
  CHECK(text.out.find("title: Chuyển đổi số -> Chuyển đổi số ở Hòa Bình  (typed)") !=
        std::string::npos);
  CHECK(text.out.find("version 2: ban-sua.txt") != std::string::npos);
}
