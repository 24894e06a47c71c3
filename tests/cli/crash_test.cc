// Crash injection: rounds of `kho import` (a folder of real files) and
// `kho serve` (uploads over HTTP) running together on one library, each
// killed with SIGKILL at a random moment, then checked as a restarted kho
// would find them:
//  - every acknowledged record is there with the bytes that were sent (an
//    upload answered 200/201 with its ID; an import's record once its
//    summary printed it), read back through `kho get` once and through the
//    store every round after;
//  - every record the store holds names a sound original (size, SHA-256);
//  - the index is never ahead of the store, and after a catch-up it holds
//    the store's last sequence and finds each record by its unique word,
//    and only it.
// Every file sent carries a word of its own in its title (a sidecar for the
// import, the title parameter for an upload) and its bytes differ from every
// earlier file's. The seed is printed; KHO_CRASH_SEED replays a run and
// KHO_CRASH_ROUNDS sets how many rounds (bench/crash runs a thousand).
#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <thread>

#include "indexer/indexer.h"
#include "store/store.h"
#include "tests/cli/process.h"
#include "tests/testing.h"
#include "tests/url.h"

using kho::Status;
using kho::testing::run_kho;
using kho::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

extern char** environ;

namespace {

// A kho process in a process group of its own, so that killing it kills its
// parsing workers too; stdout and stderr go to files.
class Group {
 public:
  Group(std::vector<std::string> args, const fs::path& out) : out_(out) {
    args.insert(args.begin(), kho::testing::kho_binary());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string err = out.string() + ".err";
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot start kho");
  }
  ~Group() { kill(); }
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  // True once the main process has exited by itself.
  bool exited() {
    if (status_ < 0 && waitpid(pid_, &status_, WNOHANG) != pid_) status_ = -1;
    return status_ >= 0;
  }
  // SIGKILL to the whole group, then every process of it reaped: the main
  // one first, so that its orphans are this process's (the subreaper's).
  void kill() {
    if (reaped_) return;
    ::kill(-pid_, SIGKILL);
    if (status_ < 0) waitpid(pid_, &status_, 0);
    while (waitpid(-pid_, nullptr, 0) > 0 || errno == EINTR) {
    }
    reaped_ = true;
  }
  std::string out() const { return kho::testing::read_file(out_); }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
  fs::path out_;
};

struct Source {
  std::string name;
  std::string bytes;
};

// Real documents of several formats that import without OCR.
std::vector<Source> sources() {
  std::vector<Source> out;
  for (const char* name : {"ke-hoach-44-KH-PGDDT.pdf", "khbd-toan-6-phan-so.html",
                           "tin-chuyen-doi-so-hoa-binh.txt", "tin-cntt-ben-tre.txt"})
    out.push_back({name, kho::testing::read_file(kho::testing::sample(name))});
  for (const char* name : {"ke-hoach-44.docx", "khbd-toan-6.odt", "lao-hac.epub", "bao-cao.pptx",
                           "hsg.xlsx", "lao-hac.doc", "ke-hoach-44.pdf", "bao-cao.odp"})
    out.push_back({name, kho::testing::read_file(kho::testing::fixture(name))});
  return out;
}

// The source's bytes made new with `word`, still a valid file of its format:
// a ZIP package gets it as its archive comment, anything else at its end
// (after a PDF's %%EOF as a comment, as text or markup otherwise).
std::string vary(const Source& source, const std::string& word) {
  std::string bytes = source.bytes;
  const std::size_t eocd = bytes.size() >= 22 ? bytes.size() - 22 : 0;
  if (bytes.compare(eocd, 4, "PK\x05\x06") == 0) {  // a ZIP without a comment
    bytes[bytes.size() - 2] = static_cast<char>(word.size());
    bytes[bytes.size() - 1] = 0;
    return bytes + word;
  }
  if (source.name.ends_with(".pdf")) return bytes + "\n%" + word + "\n";
  if (source.name.ends_with(".doc")) {  // one more sector, which no chain uses
    std::string sector = word;
    sector.resize(512, '\0');
    return bytes + sector;
  }
  return bytes + "\n" + word + "\n";
}

struct Sent {
  std::string word;  // in the title
  std::string sha256;
};

std::string sha256_of(const std::string& bytes, const fs::path& scratch) {
  kho::testing::write_file(scratch, bytes);
  std::string hex;
  REQUIRE(kho::store::sha256_file(scratch.string(), &hex).ok());
  return hex;
}

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Uploads files one after another until the server stops answering; each
// upload answered 200 or 201 with a record is acknowledged.
class Uploader {
 public:
  Uploader(std::string base, std::string token, std::vector<std::pair<Source, Sent>> files)
      : base_(std::move(base)), token_(std::move(token)), files_(std::move(files)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Uploader() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::map<kho::store::RecordId, Sent> acknowledged;

 private:
  void run() {
    curl_slist* headers = curl_slist_append(nullptr, ("Authorization: Bearer " + token_).c_str());
    for (const auto& [source, sent] : files_) {
      std::string body;
      long status = 0;
      CURL* curl = curl_easy_init();
      std::string url =
          base_ + "/api/v1/records?kind=other&filename=" + kho::testing::url_encode(source.name) +
          "&title=" + kho::testing::url_encode("crash " + sent.word);
      curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, source.bytes.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(source.bytes.size()));
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
      curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
      CURLcode rc = curl_easy_perform(curl);
      if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_cleanup(curl);
      if (rc != CURLE_OK) break;  // killed
      auto j = json::parse(body, nullptr, false);
      if ((status == 200 || status == 201) && j.is_object() && j.contains("id"))
        acknowledged[j["id"].get<kho::store::RecordId>()] = sent;
    }
    curl_slist_free_all(headers);
  }
  std::string base_, token_;
  std::vector<std::pair<Source, Sent>> files_;
  std::thread thread_;
};

struct Tally {
  int rounds = 0, libraries = 0, imports_killed = 0, imports_finished = 0, servers_killed = 0;
  std::size_t by_import = 0, by_upload = 0, checked = 0;
  std::vector<std::string> losses;         // acknowledged records missing or changed
  std::vector<std::string> disagreements;  // store and index, or store and its files
};

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoull(v) : fallback;
}

class Crasher {
 public:
  Crasher(std::uint64_t seed, Tally* tally) : random_(seed), tally_(tally) {}

  // A new library with an account whose token uploads.
  void start_library() {
    library_ = std::make_unique<TempDir>();
    data_ = (library_->path() / "data").string();
    REQUIRE(run_kho({"--data", data_, "init"}).exit_code == 0);
    REQUIRE(run_kho({"--data", data_, "school", "add", "CR", "Trường thử"}).exit_code == 0);
    auto added = kho::testing::run_kho_with_input(
        {"--data", data_, "user", "add", "crash", "--role", "CR=admin"},
        "mat-khau-thu-nghiem-2026\n", library_->path());
    REQUIRE(added.exit_code == 0);
    auto token = run_kho({"--data", data_, "token", "create", "crash", "--days", "2", "--json"});
    REQUIRE(token.exit_code == 0);
    token_ = json::parse(token.out)["secret"].get<std::string>();
    acknowledged_.clear();
    ++tally_->libraries;
  }

  void round() {
    const int n = ++tally_->rounds;
    fs::path dir = library_->path() / ("round-" + std::to_string(n));
    fs::create_directories(dir / "batch");
    std::map<std::string, Sent> batch;  // file name in the batch -> what it holds
    for (int copy = 0; copy < 2; ++copy) {
      for (const Source& source : pool_) {
        std::string word = next_word(), name = word + "-" + source.name;
        std::string bytes = vary(source, word);
        kho::testing::write_file(dir / "batch" / name, bytes);
        kho::testing::write_file(dir / "batch" / (name + ".meta.json"),
                                 json{{"title", "crash " + word}}.dump());
        batch[name] = {word, sha256_of(bytes, dir / "scratch")};
      }
    }
    std::vector<std::pair<Source, Sent>> uploads;
    for (int i = 0; i < 48; ++i) {
      const Source& source = pool_[pick(pool_.size())];
      std::string word = next_word();
      Source varied{word + "-" + source.name, vary(source, word)};
      uploads.push_back({varied, {word, sha256_of(varied.bytes, dir / "scratch")}});
    }

    Group server({"--data", data_, "serve", "--listen", "127.0.0.1:0"}, dir / "serve.out");
    Group import({"--data", data_, "import", "--json", "--school", "CR", (dir / "batch").string()},
                 dir / "import.out");
    std::string base = wait_for_address(server, dir);
    std::optional<Uploader> uploader;
    if (!base.empty()) uploader.emplace(base, token_, std::move(uploads));
    // Each dies at its own moment, anywhere in its work.
    auto start = std::chrono::steady_clock::now();
    auto kill_import = start + std::chrono::milliseconds(pick(1500));
    auto kill_server = start + std::chrono::milliseconds(200 + pick(2000));
    bool import_done = false;
    while (!import_done || std::chrono::steady_clock::now() < kill_server) {
      auto now = std::chrono::steady_clock::now();
      if (!import_done && (import.exited() || now >= kill_import)) {
        import_done = true;
        (import.exited() ? tally_->imports_finished : tally_->imports_killed)++;
        import.kill();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server.kill();
    ++tally_->servers_killed;
    if (uploader) {
      uploader->join();
      for (const auto& [id, sent] : uploader->acknowledged) acknowledge(id, sent, "upload");
      tally_->by_upload += uploader->acknowledged.size();
    }
    take_import_summary(import.out(), batch);
    check(dir);
  }

 private:
  std::string wait_for_address(Group& server, const fs::path& dir) {
    std::regex address("http://127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 2000; ++i) {
      std::smatch m;
      std::string out = server.out();
      if (std::regex_search(out, m, address)) return "http://127.0.0.1:" + m[1].str();
      if (server.exited()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL("kho serve did not start: " << kho::testing::read_file(dir / "serve.out.err"));
    return "";
  }

  // An import's records are acknowledged once its summary printed them.
  void take_import_summary(const std::string& out, const std::map<std::string, Sent>& batch) {
    auto summary = json::parse(out, nullptr, false);
    if (!summary.is_object()) return;  // killed before it printed one
    for (const auto& line : summary["failed"]) INFO("import failed: " << line.dump());
    CHECK(summary["failed"].empty());  // every varied file is still a sound file
    for (const auto& line : summary["imported"]) {
      std::string name = fs::path(line["path"].get<std::string>()).filename().string();
      acknowledge(line["id"].get<kho::store::RecordId>(), batch.at(name), "import");
      ++tally_->by_import;
    }
  }

  void acknowledge(kho::store::RecordId id, const Sent& sent, const char* how) {
    auto [it, fresh] = acknowledged_.emplace(id, sent);
    if (!fresh)
      tally_->losses.push_back("round " + std::to_string(tally_->rounds) + ": record " +
                               std::to_string(id) + " acknowledged twice (" + how + ")");
    else
      unread_.push_back(id);
  }

  void lose(const std::string& what) {
    tally_->losses.push_back("round " + std::to_string(tally_->rounds) + ": " + what);
  }
  void disagree(const std::string& what) {
    tally_->disagreements.push_back("round " + std::to_string(tally_->rounds) + ": " + what);
  }

  // What a restarted kho must find.
  void check(const fs::path& dir) {
    // A few through `kho get`, as a user reads them; all through the store below.
    std::shuffle(unread_.begin(), unread_.end(), random_);
    for (std::size_t i = 0; i < unread_.size() && i < 3; ++i) check_get(unread_[i], dir);
    unread_.clear();
    check_store_and_index();
    // `kho verify` (fixity, store against index) where this kho has it.
    if (has_verify_) {
      auto verified = run_kho({"--data", data_, "verify"});
      if (verified.exit_code != 0) disagree("kho verify: " + verified.out + verified.err);
    }
  }

  void check_store_and_index() {
    std::unique_ptr<kho::store::Store> store;
    Status opened = kho::store::Store::open(data_, false, &store);
    REQUIRE(opened.ok());
    kho::indexer::Index index(*store);
    if (index.applied_sequence() > store->last_sequence())
      disagree("the index is ahead of the store");
    Status caught = index.catch_up();
    if (!caught.ok()) return disagree("catch-up failed: " + caught.message());
    if (index.applied_sequence() != store->last_sequence())
      disagree("applied sequence " + std::to_string(index.applied_sequence()) + ", store at " +
               std::to_string(store->last_sequence()));
    for (const auto& [id, sent] : acknowledged_) {
      kho::store::Record r;
      if (!store->get(id, &r).ok()) {
        lose("acknowledged record " + std::to_string(id) + " is missing");
      } else if (r.originals.empty() || r.originals[0].sha256 != sent.sha256 ||
                 r.dc["title"] != "crash " + sent.word) {
        lose("acknowledged record " + std::to_string(id) + " is not what was sent");
      }
    }
    for (kho::store::RecordId id = 1; id <= store->record_count(); ++id)
      check_record(*store, index, id);
  }

  // `kho get`, as a user reads a record back, once per acknowledged record.
  void check_get(kho::store::RecordId id, const fs::path& dir) {
    fs::path copy = dir / "copy";
    auto got = run_kho({"--data", data_, "get", std::to_string(id), "-o", copy.string()});
    std::string sha;
    if (got.exit_code != 0 || !kho::store::sha256_file(copy.string(), &sha).ok() ||
        sha != acknowledged_.at(id).sha256)
      lose("kho get " + std::to_string(id) + " does not give the bytes sent: " + got.err);
    fs::remove(copy);
  }

  // Any record the store holds: a sound original, and the index finds it by
  // its word and finds nothing else by it.
  void check_record(const kho::store::Store& store, const kho::indexer::Index& index,
                    kho::store::RecordId id) {
    ++tally_->checked;
    const std::string what = "record " + std::to_string(id);
    kho::store::Record r;
    if (!store.get(id, &r).ok()) return disagree(what + " cannot be read");
    for (const auto& original : r.originals) {
      std::string sha;
      std::error_code ec;
      if (!kho::store::sha256_file(store.original_path(original), &sha).ok() ||
          sha != original.sha256 ||
          fs::file_size(store.original_path(original), ec) != original.size)
        disagree(what + " names an original that is missing or not sound");
    }
    const std::string& title = r.dc["title"];
    if (!title.starts_with("crash ")) return disagree(what + " has no word of its own: " + title);
    kho::indexer::SearchRequest request;
    request.query = title.substr(6);
    kho::indexer::Results results;
    if (!index.search(request, &results).ok() || results.hits.size() != 1 ||
        results.hits[0].id != id)
      disagree("a search for " + what + "'s word '" + request.query + "' finds " +
               std::to_string(results.hits.size()) + " records");
  }

  std::string next_word() {
    // Letters only, so that the word is one term; unique within the run.
    std::string word = "kx";
    for (std::uint64_t n = ++words_; n > 0; n /= 26) word += static_cast<char>('a' + n % 26);
    return word + "q";
  }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }

  std::mt19937_64 random_;
  Tally* tally_;
  std::vector<Source> pool_ = sources();
  std::unique_ptr<TempDir> library_;
  std::string data_, token_;
  std::map<kho::store::RecordId, Sent> acknowledged_;
  std::vector<kho::store::RecordId> unread_;
  std::uint64_t words_ = 0;
  bool has_verify_ = run_kho({"--help"}).out.find("\n  verify ") != std::string::npos;
};

}  // namespace

TEST_CASE("crash: kho import and kho serve killed at random moments lose no acknowledged record") {
  const std::uint64_t seed = env_number("KHO_CRASH_SEED", std::random_device{}());
  const std::uint64_t rounds = env_number("KHO_CRASH_ROUNDS", 20);
  const std::uint64_t per_library = env_number("KHO_CRASH_ROUNDS_PER_LIBRARY", 25);
  std::cout << "crash: seed " << seed << " (KHO_CRASH_SEED=" << seed << " replays it), " << rounds
            << " rounds" << std::endl;
  Tally tally;
  Crasher crasher(seed, &tally);
  for (std::uint64_t i = 0; i < rounds; ++i) {
    if (i % per_library == 0) crasher.start_library();
    crasher.round();
    if ((i + 1) % 50 == 0)
      std::cout << "crash: " << i + 1 << " rounds, " << tally.by_import + tally.by_upload
                << " acknowledged, " << tally.losses.size() << " lost" << std::endl;
  }
  for (const auto& l : tally.losses) std::cout << "crash: LOST " << l << "\n";
  for (const auto& d : tally.disagreements) std::cout << "crash: DISAGREE " << d << "\n";
  std::cout << "crash: seed " << seed << ", " << tally.rounds << " rounds in " << tally.libraries
            << " libraries; kho import killed " << tally.imports_killed << " times, finished "
            << tally.imports_finished << "; kho serve killed " << tally.servers_killed
            << " times; acknowledged " << tally.by_import + tally.by_upload << " records ("
            << tally.by_import << " imported, " << tally.by_upload << " uploaded); "
            << tally.checked << " record checks; lost " << tally.losses.size() << "; disagreements "
            << tally.disagreements.size() << std::endl;
  CHECK(tally.losses.empty());
  CHECK(tally.disagreements.empty());
  CHECK(tally.by_import > 0);  // some imports finish, some are killed
  CHECK(tally.imports_killed > 0);
  CHECK(tally.by_upload > 0);
}
