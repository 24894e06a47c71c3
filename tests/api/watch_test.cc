// `kho serve --watch DIR`: the built binary serves and watches a scanner's
// folder at once; a file dropped there becomes a record that search finds
// through the API, and admins of the folder's school (only they) see what
// became of each file at GET /api/v1/watch.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/cli/process.h"
#include "tests/http.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::testing::call;
using kho::testing::HttpResponse;
using kho::testing::Process;
using kho::testing::run_kho;
using kho::testing::run_kho_with_input;
using kho::testing::TempDir;
using kho::testing::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string bearer(const std::string& data, const std::string& account) {
  auto made = run_kho({"--data", data, "token", "create", account, "--json"});
  REQUIRE(made.exit_code == 0);
  return "Authorization: Bearer " + json::parse(made.out)["secret"].get<std::string>();
}

void add_account(const std::string& data, const TempDir& dir, const std::string& name,
                 const std::string& role) {
  auto run = run_kho_with_input({"--data", data, "user", "add", name, "--role", role},
                                "mat-khau-rat-dai\n", dir.path());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
}

// Asks until `done` holds of the answer (the watcher works beside the server).
json poll(const std::string& url, const std::string& auth,
          const std::function<bool(const json&)>& done) {
  json body;
  for (int i = 0; i < 100; ++i) {
    HttpResponse r = call("GET", url, auth);
    REQUIRE(r.status == 200);
    body = r.j();
    if (done(body)) return body;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FAIL("no answer as expected from " << url << ": " << body.dump());
  return body;
}

}  // namespace

TEST_CASE("kho serve --watch imports a dropped file that search then finds, and admins see it") {
  TempDir dir;
  const std::string data = (dir.path() / "kho-data").string();
  const fs::path drop = dir.path() / "may-quet";
  fs::create_directories(drop / "to-van");
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "school", "add", "THCS-MT", "THCS Mỹ Thành"}).exit_code == 0);
  REQUIRE(run_kho({"--data", data, "school", "add", "THCS-AB", "THCS An Bình"}).exit_code == 0);
  add_account(data, dir, "hieu-pho", "THCS-MT=admin");
  add_account(data, dir, "giao-vien", "THCS-MT=teacher");
  add_account(data, dir, "quan-tri-ab", "THCS-AB=admin");
  const std::string admin = bearer(data, "hieu-pho"), teacher = bearer(data, "giao-vien"),
                    other_admin = bearer(data, "quan-tri-ab");

  Process server({"--data", data, "serve", "--listen", "127.0.0.1:0", "--watch", drop.string(),
                  "--watch-school", "THCS-MT", "--watch-visibility", "public", "--watch-quiet",
                  "0.3"});
  REQUIRE(server.wait_for_output("http://"));
  std::smatch m;
  std::string out = server.out();
  REQUIRE(std::regex_search(out, m, std::regex("http://127\\.0\\.0\\.1:([0-9]+)")));
  const std::string base = "http://127.0.0.1:" + m[1].str();

  write_file(drop / "to-van" / "ngoai-khoa.txt",
             "Kế hoạch hoạt động ngoại khoá trải nghiệm sáng tạo của tổ Ngữ văn, học kì II.\n");
  fs::copy_file(kho::testing::fixture("broken-truncated.docx"), drop / "hong.docx");

  // Anonymous search finds it: the folder's records are public.
  const std::string search =
      base + "/api/v1/search?q=" + kho::testing::url_encode("ngoại khoá trải nghiệm");
  json found = poll(search, "", [](const json& b) { return b["total"] == 1; });
  auto id = found["hits"][0]["id"].get<std::uint64_t>();
  CHECK(fs::exists(drop / "done" / "to-van" / "ngoai-khoa.txt"));

  json watch = poll(base + "/api/v1/watch", admin, [](const json& b) {
    return !b["folders"].empty() && b["folders"][0]["failed"] == 1;
  });
  REQUIRE(watch["folders"].size() == 1);
  const json& folder = watch["folders"][0];
  CHECK(folder["dir"] == fs::canonical(drop).string());
  CHECK(folder["school"] == "THCS-MT");
  CHECK(folder["running"] == true);
  CHECK(folder["imported"] == 1);
  CHECK(folder["waiting"] == 0);
  REQUIRE(folder["recent"].size() == 2);
  for (const auto& r : folder["recent"]) {
    if (r["path"] == "to-van/ngoai-khoa.txt") {
      CHECK(r["event"] == "imported");
      CHECK(r["id"] == id);
      CHECK(r["moved_to"] == "done/to-van/ngoai-khoa.txt");
    } else {
      CHECK(r["path"] == "hong.docx");
      CHECK(r["event"] == "failed");
      CHECK(r["error"].get<std::string>().find("truncated") != std::string::npos);
      CHECK(r["moved_to"] == "failed/hong.docx");
    }
  }

  // Only admins, and only of the folder's school.
  CHECK(call("GET", base + "/api/v1/watch", "").status == 401);
  CHECK(call("GET", base + "/api/v1/watch", teacher).status == 403);
  HttpResponse other = call("GET", base + "/api/v1/watch", other_admin);
  REQUIRE(other.status == 200);
  CHECK(other.j()["folders"].empty());

  auto run = server.finish(SIGTERM);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("kho: watch: imported to-van/ngoai-khoa.txt") != std::string::npos);
}
