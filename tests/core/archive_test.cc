// Archives and sidecars through Library::import_path, with the archive worker
// (kho _unpack) and the parser worker, on fixtures made by zip, tar and
// Python's zipfile (scripts/make-archive-fixtures).
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "core/library.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::TempDir;
namespace fs = std::filesystem;
using kho::testing::fixture;

namespace {

struct Imported {
  std::map<std::string, store::Record> records;  // by provenance (or name)
  std::map<std::string, std::string> failed;     // name -> reason
  std::size_t duplicates = 0;
};

struct Lib {
  TempDir dir;
  std::unique_ptr<Library> library;
  Lib() { REQUIRE(Library::open(dir.str() + "/data", true, &library).ok()); }

  Imported import(const fs::path& path) {
    ImportOptions options;
    options.worker_exe = kho::testing::kho_binary();
    Imported out;
    Status s = library->import_path(path.string(), options, [&](const ImportItem& item) {
      if (!item.status.ok())
        out.failed[item.name] = item.status.message();
      else if (item.duplicate)
        ++out.duplicates;
      else
        out.records[item.name] = item.record;
    });
    REQUIRE(s.ok());
    return out;
  }

  // Nothing half-unpacked is left behind.
  bool tmp_is_empty() { return fs::is_empty(fs::path(dir.str()) / "data" / "originals" / ".tmp"); }
};

}  // namespace

TEST_CASE("an archive's files are imported with their path, sidecars and nested archives too") {
  Lib lib;
  auto got = lib.import(fixture("archive-nested.zip"));
  CHECK(got.failed.empty());
  REQUIRE(got.records.size() == 4);  // the sidecars are not records of their own
  for (const char* name :
       {"archive-nested.zip/thong-bao.txt", "archive-nested.zip/ke-hoach/bai-1.txt",
        "archive-nested.zip/ke-hoach/bai-2.txt",
        "archive-nested.zip/luu-tru.tar.gz/ben-trong.txt"}) {
    INFO(name);
    REQUIRE(got.records.count(name) == 1);
    CHECK(got.records[name].fields["provenance"] == name);
  }
  const auto& plan = got.records["archive-nested.zip/ke-hoach/bai-1.txt"];
  CHECK(plan.kind == "lesson-plan");
  CHECK(plan.dc.at("title") == "Kế hoạch bài dạy số 1");
  CHECK(plan.fields.at("grade") == "6");
  CHECK(plan.sources.at("grade") == "sidecar");
  CHECK(plan.originals.at(0).filename == "bai-1.txt");
  const auto& sheet_row = got.records["archive-nested.zip/ke-hoach/bai-2.txt"];
  CHECK(sheet_row.dc.at("subject") == "Ngữ văn");
  CHECK(sheet_row.visibility == "school");

  indexer::SearchRequest search;
  search.query = "grade:6 kind:lesson-plan";
  indexer::Results results;
  REQUIRE(lib.library->index().search(search, &results).ok());
  CHECK(results.total == 1);

  auto again = lib.import(fixture("archive-nested.zip"));
  CHECK(again.records.empty());
  CHECK(again.duplicates == 4);
  CHECK(lib.tmp_is_empty());
}

TEST_CASE("hostile archives are refused whole with their reason, and store nothing") {
  const std::map<std::string, std::string> reasons = {
      {"archive-bomb.zip", "zip bomb"},
      {"archive-link.tar", "link"},
      {"archive-traversal.zip", "escapes its folder"},
      {"archive-truncated.zip", "damaged archive"}};
  for (const auto& [name, reason] : reasons) {
    INFO(name);
    Lib lib;
    auto got = lib.import(fixture(name));
    CHECK(got.records.empty());
    REQUIRE(got.failed.size() == 1);
    CHECK(got.failed.begin()->second.find(reason) != std::string::npos);
    CHECK(lib.library->store().record_count() == 0);
    CHECK(lib.tmp_is_empty());
  }
}

TEST_CASE("an encrypted entry fails alone, a legacy code-page name reads as Vietnamese") {
  Lib lib;
  auto got = lib.import(fixture("archive-encrypted.zip"));
  CHECK(got.records.count("archive-encrypted.zip/cong-khai.txt") == 1);
  REQUIRE(got.failed.count("archive-encrypted.zip/bi-mat.txt") == 1);
  CHECK(got.failed["archive-encrypted.zip/bi-mat.txt"].find("encrypted") != std::string::npos);

  auto legacy = lib.import(fixture("archive-cp1258.zip"));
  REQUIRE(legacy.records.size() == 1);
  // Windows-1258 bytes with combining tones, composed to NFC.
  CHECK(legacy.records.begin()->first == "archive-cp1258.zip/T\u1EDD tr\u00ECnh.txt");
}

TEST_CASE("a sidecar beside a file on disk sets its fields, a bad one fails that file") {
  Lib lib;
  fs::path folder = lib.dir.path() / "lo";
  fs::create_directories(folder);
  kho::testing::write_file(folder / "a.txt", "Quyết định khen thưởng học sinh giỏi\n");
  kho::testing::write_file(folder / "a.txt.meta.json",
                           R"({"kind": "admin-doc", "number": "12/QĐ-THCS", "school": "THCS-01"})");
  kho::testing::write_file(folder / "b.txt", "Biên bản họp\n");
  kho::testing::write_file(folder / "b.txt.meta.json", R"({"colour": "red"})");
  auto a = lib.import(folder / "a.txt");
  REQUIRE(a.records.size() == 1);
  const auto& r = a.records.begin()->second;
  CHECK(r.kind == "admin-doc");
  CHECK(r.school == "THCS-01");
  CHECK(r.fields.at("number") == "12/QĐ-THCS");
  auto b = lib.import(folder / "b.txt");
  REQUIRE(b.failed.size() == 1);
  CHECK(b.failed.begin()->second.find("'colour'") != std::string::npos);
  CHECK(lib.import(folder / "a.txt.meta.json").records.empty());  // not imported itself
}

TEST_CASE("a file too short to be an archive is only a file: an empty one says so") {
  Lib lib;
  auto empty = fs::path(lib.dir.str()) / "trong.docx";
  auto tiny = fs::path(lib.dir.str()) / "ngan.txt";
  kho::testing::write_file(empty, "");
  kho::testing::write_file(tiny, "PK");
  auto got = lib.import(empty);
  REQUIRE(got.failed.size() == 1);
  CHECK(got.failed.begin()->second == "empty file");
  CHECK(lib.import(tiny).records.size() == 1);
}
