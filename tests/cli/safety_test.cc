// Keeping the library safe, as an administrator does it with the built kho
// binary: `kho verify` finds a flipped byte and nothing serves it, `kho
// serve` checks on its schedule.
#include <curl/curl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/cli/process.h"
#include "tests/testing.h"

using kho::testing::read_file;
using kho::testing::run_kho;
using kho::testing::TempDir;
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

Response http_get(const std::string& url, const std::string& range = "") {
  Response r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (!range.empty()) curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

// A running `kho serve` on a free loopback port.
struct Server {
  kho::testing::Process process;
  std::string base;
  Server(const std::string& data, const std::string& verify_every = "0")
      : process(
            {"--data", data, "serve", "--listen", "127.0.0.1:0", "--verify-every", verify_every}) {
    REQUIRE(process.wait_for_output("http://"));
    std::smatch m;
    std::string out = process.out();
    REQUIRE(std::regex_search(out, m, std::regex("http://127\\.0\\.0\\.1:([0-9]+)")));
    base = "http://127.0.0.1:" + m[1].str();
  }
  ~Server() {
    if (!stopped) process.finish(SIGTERM);
  }
  kho::testing::Run stop() {
    stopped = true;
    return process.finish(SIGTERM);
  }
  bool stopped = false;
  Response file(int id, const std::string& range = "") const {
    return http_get(base + "/api/v1/records/" + std::to_string(id) + "/file", range);
  }
};

// A public library of the PDF (record 1) and the text sample (record 2).
std::string make_library(const TempDir& dir) {
  std::string data = (dir.path() / "data").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  auto run = run_kho({"--data", data, "import", "--visibility", "public",
                      kho::testing::sample(kPdf).string(), kho::testing::sample(kText).string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return data;
}

fs::path original_of(const std::string& data, int id) {
  auto show = run_kho({"--data", data, "show", "--json", std::to_string(id)});
  REQUIRE(show.exit_code == 0);
  std::string sha = json::parse(show.out)["originals"][0]["sha256"];
  return fs::path(data) / "originals" / sha.substr(0, 2) / sha.substr(2, 2) / sha;
}

// Flips one byte in the middle of a file, as a failing disk would.
void flip_byte(const fs::path& file) {
  std::string bytes = read_file(file);
  bytes[bytes.size() / 2] ^= 0x01;
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  kho::testing::write_file(file, bytes);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("kho verify passes a sound library and names a flipped byte, which is never served") {
  TempDir dir;
  std::string data = make_library(dir);
  auto sound = run_kho({"--data", data, "verify", "--json"});
  INFO(sound.out << sound.err);
  CHECK(sound.exit_code == 0);
  CHECK(json::parse(sound.out)["sound"] == true);
  CHECK(json::parse(sound.out)["originals"] == 2);
  fs::path text = original_of(data, 2), pdf = original_of(data, 1);
  const std::string text_bytes = read_file(text), pdf_bytes = read_file(pdf);
  flip_byte(text);

  auto found = run_kho({"--data", data, "verify"});
  CHECK(found.exit_code == 1);
  CHECK(contains(found.out, "record 2"));
  CHECK(contains(found.out, kText));
  CHECK(contains(found.out, text.filename().string()));
  auto report = json::parse(run_kho({"--data", data, "verify", "--json", "--last"}).out);
  REQUIRE(report["problems"].size() == 1);
  CHECK(report["problems"][0]["kind"] == "damaged");
  CHECK(report["problems"][0]["record"] == 2);
  CHECK(report["problems"][0]["filename"] == kText);

  auto get = run_kho({"--data", data, "get", "2", "-o", (dir.path() / "copy.txt").string()});
  CHECK(get.exit_code == 1);
  CHECK(contains(get.err, "damaged"));
  CHECK_FALSE(fs::exists(dir.path() / "copy.txt"));
  auto good = run_kho({"--data", data, "get", "1"});
  CHECK(good.exit_code == 0);
  CHECK(good.out == pdf_bytes);

  {
    Server server(data);
    auto whole = server.file(2);
    CHECK(whole.status == 500);
    CHECK(json::parse(whole.body)["error"]["code"] == "damaged");
    CHECK(server.file(2, "0-9").status == 500);  // marked damaged by the check
    CHECK(server.file(1).status == 200);
    // Damage nobody has checked for yet: the whole file is hashed as it is read,
    // and from then on its parts are refused too.
    flip_byte(pdf);
    CHECK(server.file(1, "0-9").status == 206);
    CHECK(server.file(1).status == 500);
    CHECK(server.file(1, "0-9").status == 500);
    auto stopped = server.stop();
    CHECK(contains(stopped.err, "record 1"));  // the log names it
  }

  // Restored from a backup, the files are sound and served again.
  kho::testing::write_file(text, text_bytes);
  kho::testing::write_file(pdf, pdf_bytes);
  CHECK(run_kho({"--data", data, "verify"}).exit_code == 0);
  Server server(data);
  CHECK(server.file(2).status == 200);
  CHECK(server.file(2, "0-9").status == 206);
  CHECK(server.file(1, "0-9").status == 206);
}

TEST_CASE("kho verify names a missing original and a store older than its index") {
  TempDir dir;
  std::string data = make_library(dir);
  fs::remove(original_of(data, 1));
  auto missing = run_kho({"--data", data, "verify"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.out, "record 1"));
  CHECK(contains(missing.out, "is missing"));
  CHECK(run_kho({"--data", data, "get", "1"}).exit_code == 1);

  // The store put back from an older copy while the index kept a later change.
  fs::copy(fs::path(data) / "db", dir.path() / "db-before", fs::copy_options::recursive);
  REQUIRE(run_kho({"--data", data, "withdraw", "2", "--reason", "nhầm"}).exit_code == 0);
  fs::remove_all(fs::path(data) / "db");
  fs::copy(dir.path() / "db-before", fs::path(data) / "db", fs::copy_options::recursive);
  auto behind = run_kho({"--data", data, "verify", "--json"});
  INFO(behind.out);
  CHECK(behind.exit_code == 1);
  bool index_named = false;
  const json problems = json::parse(behind.out)["problems"];
  for (const auto& p : problems)
    index_named |= p["kind"] == "index" && contains(p["message"], "kho reindex");
  CHECK(index_named);
}

TEST_CASE("kho serve checks the library on its schedule and keeps the result") {
  TempDir dir;
  std::string data = make_library(dir);
  CHECK(run_kho({"--data", data, "verify", "--last"}).exit_code == 3);  // never checked
  Server server(data, "0.0005");                                        // every 1.8 s
  auto last_exit = [&](int want) {
    for (int i = 0; i < 100; ++i) {
      if (run_kho({"--data", data, "verify", "--last"}).exit_code == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  };
  CHECK(last_exit(0));
  flip_byte(original_of(data, 2));
  CHECK(last_exit(1));
  CHECK(server.file(2, "0-9").status == 500);
}

namespace {

// Runs a shell command (coreutils) in `dir`; true when it exits 0.
bool shell_ok(const fs::path& dir, const std::string& command) {
  std::string line = "cd '" + dir.string() + "' && " + command + " >/dev/null 2>&1";
  return std::system(line.c_str()) == 0;
}

bool manifests_check(const fs::path& bag) {
  return shell_ok(bag, "sha256sum -c manifest-sha256.txt") &&
         shell_ok(bag, "sha256sum -c tagmanifest-sha256.txt");
}

json run_json(const std::vector<std::string>& args) {
  auto run = run_kho(args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

// What a user sees of a library: each record, its file, and search hits.
void check_same_library(const std::string& a, const std::string& b, int records) {
  for (int id = 1; id <= records; ++id) {
    std::string n = std::to_string(id);
    CHECK(run_kho({"--data", a, "show", "--json", n}).out ==
          run_kho({"--data", b, "show", "--json", n}).out);
    CHECK(run_kho({"--data", a, "get", n}).out == run_kho({"--data", b, "get", n}).out);
  }
  for (const char* q : {"chuyen doi so", "44/KH-PGDĐT", "phân số", "status:withdrawn"}) {
    auto one = run_json({"--data", a, "search", "--json", "--withdrawn", q});
    auto two = run_json({"--data", b, "search", "--json", "--withdrawn", q});
    CHECK(one["total"] == two["total"]);
    CHECK(one["hits"] == two["hits"]);
  }
}

}  // namespace

TEST_CASE("kho backup writes a BagIt bag while serving, and kho restore gives the same library") {
  TempDir dir;
  std::string data = make_library(dir);
  REQUIRE(run_kho({"--data", data, "import", kho::testing::sample("khbd-toan-6-phan-so.html")})
              .exit_code == 0);
  REQUIRE(run_kho({"--data", data, "withdraw", "2", "--reason", "ban hành nhầm"}).exit_code == 0);
  const fs::path photos = dir.path() / "photos";  // not a bag: left alone
  fs::create_directories(photos);
  kho::testing::write_file(photos / "a.jpg", "jpeg");
  CHECK(run_kho({"--data", data, "backup", photos.string()}).exit_code == 1);
  CHECK(fs::exists(photos / "a.jpg"));
  CHECK_FALSE(fs::exists(photos / "data"));
  const fs::path bag = dir.path() / "bag";
  json first;
  {
    Server server(data);  // LMDB's own copy: consistent while kho serves
    first = run_json({"--data", data, "backup", "--json", bag.string()});
    CHECK(server.file(1).status == 200);
  }
  CHECK(first["incremental"] == false);
  CHECK(first["copied"].size() == 4);  // the store and three originals

  CHECK(read_file(bag / "bagit.txt") == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  std::string info = read_file(bag / "bag-info.txt");
  CHECK(std::regex_search(info, std::regex("(^|\n)Bagging-Date: [0-9]{4}-[0-9]{2}-[0-9]{2}\n")));
  CHECK(contains(info, "Bag-Software-Agent: kho"));
  std::uintmax_t bytes = 0, files = 0;
  for (const auto& e : fs::recursive_directory_iterator(bag / "data"))
    if (e.is_regular_file()) bytes += e.file_size(), ++files;
  CHECK(contains(info,
                 "Payload-Oxum: " + std::to_string(bytes) + "." + std::to_string(files) + "\n"));
  CHECK(files == 4);  // no index: it is derived
  CHECK(manifests_check(bag));

  const std::string restored = (dir.path() / "restored").string();
  auto restore = run_kho({"restore", bag.string(), restored});
  INFO(restore.err);
  REQUIRE(restore.exit_code == 0);
  check_same_library(data, restored, 3);
  CHECK(run_kho({"--data", restored, "verify"}).exit_code == 0);

  SECTION("a second backup copies only the new original") {
    fs::path earlier = bag / fs::relative(original_of(data, 1), data).string().insert(0, "data/");
    REQUIRE(fs::exists(earlier));
    struct stat before {};
    ::stat(earlier.c_str(), &before);
    REQUIRE(run_kho({"--data", data, "import", kho::testing::sample("tin-cntt-ben-tre.txt")})
                .exit_code == 0);
    auto again = run_json({"--data", data, "backup", "--json", bag.string()});
    CHECK(again["incremental"] == true);
    REQUIRE(again["copied"].size() == 2);
    CHECK(again["copied"][0] == "data/db/data.mdb");
    CHECK(again["copied"][1] == "data/" + fs::relative(original_of(data, 4), data).string());
    struct stat after {};
    ::stat(earlier.c_str(), &after);
    CHECK(after.st_ino == before.st_ino);
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    CHECK(manifests_check(bag));
    const std::string second = (dir.path() / "second").string();
    REQUIRE(run_kho({"restore", bag.string(), second}).exit_code == 0);
    check_same_library(data, second, 4);
  }

  SECTION("a bag with one payload byte changed fails sha256sum -c and is refused by restore") {
    fs::path payload = bag / ("data/" + fs::relative(original_of(data, 3), data).string());
    flip_byte(payload);
    CHECK_FALSE(shell_ok(bag, "sha256sum -c manifest-sha256.txt"));
    const fs::path target = dir.path() / "refused";
    auto refused = run_kho({"restore", bag.string(), target.string()});
    CHECK(refused.exit_code == 1);
    CHECK(contains(refused.err, payload.string()));
    CHECK_FALSE(fs::exists(target));
  }

  SECTION("a file added to the payload or a changed tag file makes the bag invalid") {
    kho::testing::write_file(bag / "data" / "extra.txt", "x");
    auto extra = run_kho({"restore", bag.string(), (dir.path() / "r1").string()});
    CHECK(extra.exit_code == 1);
    CHECK(contains(extra.err, "extra.txt"));
    fs::remove(bag / "data" / "extra.txt");
    kho::testing::write_file(bag / "bag-info.txt", read_file(bag / "bag-info.txt") + "Note: x\n");
    CHECK_FALSE(shell_ok(bag, "sha256sum -c tagmanifest-sha256.txt"));
    auto tag = run_kho({"restore", bag.string(), (dir.path() / "r2").string()});
    CHECK(tag.exit_code == 1);
    CHECK(contains(tag.err, "bag-info.txt"));
  }
}

TEST_CASE(
    "leftovers of crashes are removed at start, never what a record names or a running kho uses") {
  TempDir dir;
  std::string data = make_library(dir);
  const fs::path root(data);
  auto leave = [](const fs::path& file) {
    fs::create_directories(file.parent_path());
    kho::testing::write_file(file, "left by a crash");
  };
  const fs::path upload = root / "tmp" / "upload-Ab12Cd",
                 staged = root / "originals" / ".tmp" / "Xy34Zw",
                 unpacked = root / "originals" / ".tmp" / "unpack-Qr56St" / "1",
                 fetched = root / "originals" / ".tmp" / "fetchUv78Wx",
                 rebuild = root / "index.rebuild" / "records" / "postlist.glass",
                 orphan = root / "originals" / "ab" / "cd" / ("abcd" + std::string(60, '0'));
  for (const auto& f : {upload, staged, unpacked, fetched, rebuild, orphan}) leave(f);
  // A resumable upload's parts outlive a restart, unless nobody added to them for a week.
  const fs::path resumable = root / "tmp" / "uploads" / "7f3a.part",
                 abandoned = root / "tmp" / "uploads" / "0b1c.part";
  leave(resumable);
  leave(abandoned);
  fs::last_write_time(abandoned, fs::file_time_type::clock::now() - std::chrono::hours(24 * 8));

  {
    Server server(data);  // alone: everything goes
    CHECK(fs::exists(resumable));
    CHECK_FALSE(fs::exists(abandoned));
    for (const auto& f : {upload, staged, unpacked, fetched, rebuild, orphan})
      CHECK_FALSE(fs::exists(f));
    CHECK_FALSE(fs::exists(root / "index.rebuild"));
    // While the server has the library open, another kho removes nothing it may be using.
    leave(upload);
    leave(staged);
    CHECK(run_kho({"--data", data, "show", "1"}).exit_code == 0);
    CHECK(fs::exists(upload));
    CHECK(fs::exists(staged));
    CHECK(server.file(1).status == 200);
    CHECK(server.file(2).status == 200);
  }
  // Alone again, any command clears temporary files (orphan originals wait for kho serve).
  leave(orphan);
  CHECK(run_kho({"--data", data, "show", "1"}).exit_code == 0);
  CHECK_FALSE(fs::exists(upload));
  CHECK_FALSE(fs::exists(staged));
  CHECK(fs::exists(orphan));
  auto verify = run_kho({"--data", data, "verify"});
  INFO(verify.out);
  CHECK(verify.exit_code == 0);  // every record's file is still there, sound
  CHECK(run_kho({"--data", data, "get", "1"}).out == read_file(kho::testing::sample(kPdf)));
}
