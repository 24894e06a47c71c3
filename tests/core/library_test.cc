#include "core/library.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/core/library_fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::open_library;
using kho::testing::TempDir;
using kho::testing::worker_options;
namespace fs = std::filesystem;

namespace {}  // namespace

TEST_CASE("importing a file stores its text and makes it searchable") {
  TempDir dir;
  auto library = open_library(dir);
  auto file = dir.path() / "thong-bao.txt";
  kho::testing::write_file(file, "THÔNG BÁO\nLịch thi tốt nghiệp trung học phổ thông năm 2023\n");
  ImportOptions options = worker_options();
  options.kind = "admin-doc";
  options.school = "THPT-01";
  store::Record record;
  bool duplicate = true;
  Status s = library->import_file(file.string(), options, &record, &duplicate);
  INFO(s.message());
  REQUIRE(s.ok());
  CHECK_FALSE(duplicate);
  CHECK(record.kind == "admin-doc");
  CHECK(record.school == "THPT-01");
  CHECK(record.dc.at("format") == "text/plain");
  CHECK(record.originals.at(0).filename == "thong-bao.txt");

  indexer::SearchRequest request;
  request.query = "lich thi tot nghiep";
  indexer::Results results;
  REQUIRE(library->index().search(request, &results).ok());
  REQUIRE(results.hits.size() == 1);
  CHECK(results.hits[0].id == record.id);
}

TEST_CASE("a file's metadata can be overridden at import") {
  TempDir dir;
  auto library = open_library(dir);
  auto file = dir.path() / "a.txt";
  kho::testing::write_file(file, "nội dung\n");
  ImportOptions options = worker_options();
  options.dc = {{"title", "Tên do thủ thư đặt"}, {"creator", "Nguyễn Văn A"}};
  store::Record record;
  bool duplicate = false;
  REQUIRE(library->import_file(file.string(), options, &record, &duplicate).ok());
  CHECK(record.dc.at("title") == "Tên do thủ thư đặt");
  CHECK(record.dc.at("creator") == "Nguyễn Văn A");
}

TEST_CASE("the same bytes again are a duplicate, not a new record") {
  TempDir dir;
  auto library = open_library(dir);
  auto a = dir.path() / "a.txt", b = dir.path() / "b.txt";
  kho::testing::write_file(a, "giống nhau\n");
  kho::testing::write_file(b, "giống nhau\n");
  store::Record first, second;
  bool duplicate = false;
  REQUIRE(library->import_file(a.string(), worker_options(), &first, &duplicate).ok());
  REQUIRE(library->import_file(b.string(), worker_options(), &second, &duplicate).ok());
  CHECK(duplicate);
  CHECK(second.id == first.id);
}

TEST_CASE("a bad file is refused with its reason and nothing is stored") {
  TempDir dir;
  auto library = open_library(dir);
  auto empty = dir.path() / "empty.pdf";
  kho::testing::write_file(empty, "");
  store::Record record;
  bool duplicate = false;
  Status s = library->import_file(empty.string(), worker_options(), &record, &duplicate);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("empty") != std::string::npos);
  CHECK(library->store().record_count() == 0);
  CHECK(library->store().last_sequence() == 0);

  ImportOptions bad_kind = worker_options();
  bad_kind.kind = "novel";
  kho::testing::write_file(empty, "có nội dung");
  CHECK(library->import_file(empty.string(), bad_kind, &record, &duplicate).code() ==
        Status::Code::kInvalid);
}

TEST_CASE("a filter that breaks on file after file is set aside, and says so") {
  TempDir dir;
  auto library = open_library(dir);
  ImportOptions options;
  options.worker_exe = "/bin/false";  // a worker that dies on everything: a broken installation
  std::vector<std::string> reasons;
  for (int i = 0; i < 5; ++i) {
    auto file = dir.path() / ("t" + std::to_string(i) + ".txt");
    kho::testing::write_file(file, "Thông báo số " + std::to_string(i) + "\n");
    store::Record record;
    bool duplicate = false;
    Status s = library->import_file(file.string(), options, &record, &duplicate);
    REQUIRE_FALSE(s.ok());
    reasons.push_back(s.message());
  }
  for (int i = 0; i < 3; ++i) CHECK(reasons[i].find("parser failed") != std::string::npos);
  for (int i = 3; i < 5; ++i) CHECK(reasons[i].find("filter broke") != std::string::npos);
  CHECK(library->store().record_count() == 0);
  // A good file of another format is still read.
  auto html = dir.path() / "a.html";
  kho::testing::write_file(html, "<html><head><title>Lịch thi</title></head><body>x</body></html>");
  options.worker_exe.clear();
  store::Record record;
  bool duplicate = false;
  CHECK(library->import_file(html.string(), options, &record, &duplicate).ok());
}

TEST_CASE("a link in a file's place is refused, never followed") {
  // What a folder's owner could swap in after `kho import` listed the folder.
  TempDir dir;
  auto library = open_library(dir);
  auto secret = dir.path() / "luong.txt", link = dir.path() / "bao-cao.txt";
  kho::testing::write_file(secret, "Bảng lương mật: xuyenbimat\n");
  fs::create_symlink(secret, link);
  store::Record record;
  bool duplicate = false;
  Status s = library->import_file(link.string(), worker_options(), &record, &duplicate);
  CHECK(s.message().find("a symbolic link, not followed") != std::string::npos);
  std::vector<ImportItem> items;
  REQUIRE(library
              ->import_path(link.string(), worker_options(),
                            [&](const ImportItem& item) { items.push_back(item); })
              .ok());
  REQUIRE(items.size() == 1);
  CHECK(items[0].status.message() == "a symbolic link: not followed");
  CHECK(library->store().record_count() == 0);
}

TEST_CASE(
    "a school code typed in another case is the registered school's, so its staff read the "
    "record") {
  TempDir dir;
  auto library = open_library(dir);
  REQUIRE(library->accounts().add_school({"THCS-02", "Trường THCS Tân Hội", "", ""}, "cli").ok());
  auto file = dir.path() / "ke-hoach.txt";
  kho::testing::write_file(file, "Kế hoạch tổ chuyên môn năm học 2024-2025\n");
  ImportOptions options = worker_options();
  options.kind = "admin-doc";
  options.school = "thcs-02";
  store::Record record;
  bool duplicate = false;
  REQUIRE(library->import_file(file.string(), options, &record, &duplicate).ok());
  CHECK(record.school == "THCS-02");
  store::Account clerk;
  clerk.name = "van-thu";
  clerk.roles = {{"THCS-02", "office"}};
  Access access;
  REQUIRE(Access::for_account(library->store(), clerk, "", &access).ok());
  CHECK(access.may_read(record));  // private, and theirs
  // An edit typed in lower case too; a code no school has is kept as typed.
  Edit move;
  move.set["school"] = "thcs-02";
  store::Record after;
  REQUIRE(library->edit(record.id, move, &after).ok());
  CHECK(after.school == "THCS-02");
  auto other = dir.path() / "khac.txt";
  kho::testing::write_file(other, "Một văn bản khác\n");
  options.school = "thpt-09";
  REQUIRE(library->import_file(other.string(), options, &record, &duplicate).ok());
  CHECK(record.school == "thpt-09");
}
