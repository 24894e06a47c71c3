// The worker process: the real kho binary extracting real files, and small
// shell programs standing in for a parser that hangs, crashes or babbles,
// since no sample file makes Poppler do that on demand.
#include "importers/worker.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "importers/importer.h"
#include "tests/testing.h"

namespace fs = std::filesystem;
namespace imp = kho::importers;
using kho::testing::kho_binary;
using kho::testing::read_file;
using kho::testing::sample;
using kho::testing::TempDir;
using kho::testing::write_file;

namespace {

const char* const kPdf = "ke-hoach-44-KH-PGDDT.pdf";

bool have_kho() {
  if (fs::exists(kho_binary())) return true;
  WARN("kho binary not built yet (" << kho_binary() << "); worker test skipped");
  return false;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// An executable shell script standing in for the worker.
std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  fs::path path = dir.path() / name;
  write_file(path, "#!/bin/sh\n" + body + "\n");
  fs::permissions(path, fs::perms::owner_all);
  return path.string();
}

struct Timed {
  kho::Status status;
  double seconds;
};

Timed run(const std::string& exe, const std::string& path, int seconds) {
  imp::Document doc;
  auto start = std::chrono::steady_clock::now();
  kho::Status status = imp::extract_in_worker(exe, path, {std::size_t{2} << 30, seconds}, &doc);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return {status, took.count()};
}

}  // namespace

TEST_CASE("The worker gives the same Document as extracting in-process") {
  if (!have_kho()) return;
  for (const char* name : {kPdf, "khbd-toan-6-phan-so.html", "qd-cong-nhan-tot-nghiep-utf16.txt"}) {
    CAPTURE(name);
    imp::Document here, there;
    REQUIRE(imp::Registry::builtin().extract(sample(name).string(), &here).ok());
    kho::Status s = imp::extract_in_worker(kho_binary(), sample(name).string(), {}, &there);
    REQUIRE(s.ok());
    CHECK(there.media_type == here.media_type);
    CHECK(there.meta == here.meta);
    CHECK(there.pages == here.pages);
  }
}

TEST_CASE("A bad file in the worker gives the in-process reason, not a crash") {
  if (!have_kho()) return;
  TempDir dir;
  std::string pdf = read_file(sample(kPdf));
  write_file(dir.path() / "cut.pdf", pdf.substr(0, pdf.size() / 2));
  write_file(dir.path() / "empty.txt", "");
  for (const char* name : {"cut.pdf", "empty.txt", "missing.pdf"}) {
    CAPTURE(name);
    std::string path = (dir.path() / name).string();
    imp::Document doc;
    kho::Status here = imp::Registry::builtin().extract(path, &doc);
    kho::Status there = imp::extract_in_worker(kho_binary(), path, {}, &doc);
    REQUIRE_FALSE(there.ok());
    CHECK(there.message() == here.message());
    CHECK(there.code() == here.code());
  }
}

TEST_CASE("Workers run side by side from several threads") {
  if (!have_kho()) return;
  std::vector<kho::Status> results(6);
  std::vector<std::size_t> pages(results.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < results.size(); ++i)
      threads.emplace_back([&, i] {
        imp::Document doc;
        results[i] = imp::extract_in_worker(kho_binary(), sample(kPdf).string(), {}, &doc);
        pages[i] = doc.pages.size();
      });
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    CHECK(results[i].ok());
    CHECK(pages[i] >= 3);
  }
}

TEST_CASE("A worker short of memory reports it") {
  if (!have_kho()) return;
  TempDir dir;
  std::string line = "Thư viện số dùng chung cho các trường học trong huyện.\n";
  std::string text;
  while (text.size() < (std::size_t{40} << 20)) text += line;
  write_file(dir.path() / "big.txt", text);
  imp::Document doc;
  kho::Status s = imp::extract_in_worker(kho_binary(), (dir.path() / "big.txt").string(),
                                         {std::size_t{128} << 20, 60}, &doc);
  REQUIRE_FALSE(s.ok());
  CHECK(contains(s.message(), "out of memory"));
}

TEST_CASE("A worker that cannot start is a clear error, not a hang") {
  TempDir dir;
  auto [status, seconds] = run((dir.path() / "no-kho").string(), sample(kPdf).string(), 5);
  REQUIRE_FALSE(status.ok());
  CHECK(contains(status.message(), "cannot start the parser worker"));
  CHECK(contains(status.message(), "No such file or directory"));
  CHECK(seconds < 2);
}

TEST_CASE("A parser that hangs is killed at the deadline") {
  TempDir dir;
  SECTION("silent") {
    auto [status, seconds] = run(script(dir, "hang", "exec sleep 30"), "x.pdf", 1);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "timed out after 1 s");
    CHECK(seconds < 5);
  }
  SECTION("after closing its output") {
    auto [status, seconds] = run(script(dir, "linger", "exec >&-\nexec sleep 30"), "x.pdf", 1);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "timed out after 1 s");
    CHECK(seconds < 5);
  }
}

TEST_CASE("A parser that crashes or babbles costs one file with a reason") {
  TempDir dir;
  SECTION("killed by a signal") {
    auto [status, seconds] = run(script(dir, "crash", "kill -SEGV $$"), "x.pdf", 5);
    REQUIRE_FALSE(status.ok());
    CHECK(contains(status.message(), "parser crashed (signal 11"));
  }
  SECTION("exits with an error") {
    auto [status, seconds] = run(script(dir, "fail", "exit 7"), "x.pdf", 5);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "parser failed (exit status 7)");
  }
  SECTION("prints something that is not an answer") {
    auto [status, seconds] = run(script(dir, "babble", "echo '{\"ok\":\"yes\"'"), "x.pdf", 5);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "parser worker gave no answer");
  }
  SECTION("answers with a mistyped reply") {
    auto [status, seconds] = run(script(dir, "odd", "echo '{\"ok\":1,\"error\":2}'"), "x.pdf", 5);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "unreadable file");
  }
}

// The lasting worker (Assistant): the same answers, file after file, and a
// fresh process after one that broke.
namespace {

kho::Status assist(imp::Assistant& assistant, const fs::path& path, imp::Document* doc = nullptr) {
  imp::Document scratch;
  return assistant.extract(path.string(), doc ? doc : &scratch);
}

}  // namespace

TEST_CASE("An assistant answers file after file as extracting in-process does") {
  if (!have_kho()) return;
  TempDir dir;
  write_file(dir.path() / "empty.pdf", "");
  write_file(dir.path() / "cut.pdf", read_file(sample(kPdf)).substr(0, 2000));
  imp::Assistant assistant(kho_binary(), {std::size_t{2} << 30, 60});
  for (int round = 0; round < 3; ++round) {
    for (const fs::path& path : {sample(kPdf), dir.path() / "empty.pdf", dir.path() / "cut.pdf",
                                 sample("tin-chuyen-doi-so-hoa-binh.txt")}) {
      INFO(path.string());
      imp::Document in_worker, in_process;
      kho::Status worker = assist(assistant, path, &in_worker);
      kho::Status here = imp::Registry::builtin().extract(path.string(), &in_process);
      CHECK(worker.ok() == here.ok());
      CHECK(worker.message() == here.message());
      CHECK(in_worker.pages == in_process.pages);
      CHECK(in_worker.meta == in_process.meta);
    }
  }
}

TEST_CASE(
    "An assistant that crashes, hangs or runs out of memory costs that file, the next is read") {
  if (!have_kho()) return;
  TempDir dir;
  SECTION("a worker that crashes on the file it was given") {
    imp::Assistant crashing(script(dir, "crash", "read -r length; kill -SEGV $$"), {1 << 30, 5});
    kho::Status s = assist(crashing, sample(kPdf));
    CHECK(contains(s.message(), "parser crashed (signal 11"));
    CHECK(contains(assist(crashing, sample(kPdf)).message(), "parser crashed (signal 11"));
  }
  SECTION("a worker that hangs") {
    imp::Assistant hanging(script(dir, "hang", "read -r length; exec sleep 30"), {1 << 30, 1});
    auto start = std::chrono::steady_clock::now();
    CHECK(assist(hanging, sample(kPdf)).message() == "timed out after 1 s");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  SECTION("a file too big for its memory, then a small one") {
    std::string line = "Thư viện số dùng chung cho các trường học trong huyện.\n", text;
    while (text.size() < (std::size_t{40} << 20)) text += line;
    write_file(dir.path() / "big.txt", text);
    imp::Assistant assistant(kho_binary(), {std::size_t{128} << 20, 60});
    CHECK(contains(assist(assistant, dir.path() / "big.txt").message(), "out of memory"));
    imp::Document doc;
    REQUIRE(assist(assistant, sample(kPdf), &doc).ok());
    CHECK(contains(doc.pages.at(0), "PGDĐT"));
  }
}

TEST_CASE("An assistant that dies at once says how, whether or not it took the file first") {
  imp::Assistant failing("/bin/false", {1 << 30, 5});
  for (int i = 0; i < 20; ++i)
    CHECK(assist(failing, sample(kPdf)).message() == "parser failed (exit status 1)");
}
