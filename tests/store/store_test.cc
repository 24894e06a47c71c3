#include "store/store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/store/fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::open_store;
using kho::testing::TempDir;
namespace fs = std::filesystem;

namespace {

store::NewRecord new_record(const fs::path& file, const std::string& bytes) {
  kho::testing::write_file(file, bytes);
  store::NewRecord in;
  in.source_path = file.string();
  in.kind = "admin-doc";
  in.dc = {{"title", "Kế hoạch chuyển đổi số"}};
  in.pages = {"trang một", "trang hai"};
  in.media_type = "text/plain";
  return in;
}

}  // namespace

TEST_CASE("a new record keeps its fields, pages and original bytes") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool dup = true;
  REQUIRE(s->add(new_record(dir.path() / "a.txt", "xin chào"), &r, &dup).ok());
  CHECK_FALSE(dup);
  CHECK(r.id == 1);
  store::Record back;
  REQUIRE(s->get(r.id, &back).ok());
  CHECK(back.dc.at("title") == "Kế hoạch chuyển đổi số");
  CHECK(back.kind == "admin-doc");
  CHECK(back.page_count == 2);
  CHECK(back.originals.at(0).filename == "a.txt");
  CHECK(kho::testing::read_file(s->original_path(back.originals.at(0))) == "xin chào");
  std::string page;
  REQUIRE(s->page_text(r.id, 2, &page).ok());
  CHECK(page == "trang hai");
  std::vector<std::string> pages;
  REQUIRE(s->pages(r.id, &pages).ok());
  CHECK(pages == std::vector<std::string>{"trang một", "trang hai"});
}

TEST_CASE("sha256 matches the standard test vector") {
  TempDir dir;
  kho::testing::write_file(dir.path() / "abc", "abc");
  std::string hex;
  REQUIRE(store::sha256_file((dir.path() / "abc").string(), &hex).ok());
  CHECK(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("the same bytes imported twice make one record") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record first, second;
  bool dup = false;
  REQUIRE(s->add(new_record(dir.path() / "a.txt", "cùng nội dung"), &first, &dup).ok());
  REQUIRE(s->add(new_record(dir.path() / "b.txt", "cùng nội dung"), &second, &dup).ok());
  CHECK(dup);
  CHECK(second.id == first.id);
  CHECK(s->record_count() == 1);
  CHECK(s->last_sequence() == 1);
}

TEST_CASE("IDs are never reused and survive reopening") {
  TempDir dir;
  store::RecordId last = 0;
  {
    auto s = open_store(dir);
    for (int i = 0; i < 3; ++i) {
      store::Record r;
      bool dup = false;
      REQUIRE(s->add(new_record(dir.path() / "f.txt", "tệp " + std::to_string(i)), &r, &dup).ok());
      CHECK(r.id > last);
      last = r.id;
    }
    REQUIRE(s->withdraw(2, "nhập nhầm", "tester").ok());
  }
  auto s = open_store(dir);
  store::Record r;
  bool dup = false;
  REQUIRE(s->add(new_record(dir.path() / "g.txt", "tệp mới"), &r, &dup).ok());
  CHECK(r.id == 4);
  store::Record withdrawn;
  REQUIRE(s->get(2, &withdrawn).ok());
  CHECK(withdrawn.status == "withdrawn");
  CHECK(withdrawn.withdrawn_reason == "nhập nhầm");
}

TEST_CASE("every change is in the change log, in order") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool dup = false;
  REQUIRE(s->add(new_record(dir.path() / "a.txt", "một"), &r, &dup).ok());
  REQUIRE(s->add(new_record(dir.path() / "b.txt", "hai"), &r, &dup).ok());
  REQUIRE(s->withdraw(1, "trùng lặp", "tester").ok());
  std::vector<store::Change> changes;
  REQUIRE(s->changes_since(0, 100, &changes).ok());
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].op == "create");
  CHECK(changes[2].op == "withdraw");
  CHECK(changes[2].id == 1);
  CHECK(changes[2].actor == "tester");
  REQUIRE(s->changes_since(2, 100, &changes).ok());
  CHECK(changes.size() == 1);
}

TEST_CASE("bad input is refused and nothing is stored") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool dup = false;
  auto in = new_record(dir.path() / "a.txt", "x");
  in.kind = "novel";
  CHECK(s->add(in, &r, &dup).code() == Status::Code::kInvalid);
  in = new_record(dir.path() / "a.txt", "x");
  in.source_path = (dir.path() / "missing.txt").string();
  Status missing = s->add(in, &r, &dup);
  CHECK_FALSE(missing.ok());
  CHECK(missing.message().find("missing.txt") != std::string::npos);
  CHECK(s->record_count() == 0);
  CHECK(s->last_sequence() == 0);
  CHECK(s->withdraw(99, "không có", "tester").is_not_found());
  CHECK(s->withdraw(1, "", "tester").code() == Status::Code::kInvalid);
  // No temporary copies are left behind.
  CHECK(fs::is_empty(dir.path() / "data" / "originals" / ".tmp"));
}

TEST_CASE("opening a missing library without create says how to make one") {
  TempDir dir;
  std::unique_ptr<store::Store> s;
  Status st = store::Store::open(dir.str() + "/nothing", false, &s);
  CHECK(st.is_not_found());
  CHECK(st.message().find("kho init") != std::string::npos);
}

TEST_CASE("a record survives a second process writing the same store") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool dup = false;
  REQUIRE(s->add(new_record(dir.path() / "a.txt", "một"), &r, &dup).ok());
  // A child process opens the same environment and writes: LMDB serialises it.
  pid_t pid = fork();
  if (pid == 0) {
    std::unique_ptr<store::Store> child;
    if (!store::Store::open(dir.str() + "/data", false, &child).ok()) _exit(2);
    store::Record cr;
    bool cdup = false;
    kho::testing::write_file(dir.path() / "c.txt", "từ tiến trình khác");
    store::NewRecord in;
    in.source_path = (dir.path() / "c.txt").string();
    in.pages = {"từ tiến trình khác"};
    _exit(child->add(in, &cr, &cdup).ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(s->record_count() == 2);
  store::Record child_record;
  REQUIRE(s->get(2, &child_record).ok());
  CHECK(child_record.page_count == 1);
}

TEST_CASE("metadata is corrected in place, with its source and a change-log entry") {
  TempDir dir;
  auto s = open_store(dir);
  store::NewRecord in = new_record(dir.path() / "kh.txt", "Số: 44/KH-PGDĐT");
  in.fields = {{"number", "44/KH-PGDĐT"}};
  in.sources = {{"number", store::kSourceExtracted}, {"title", store::kSourceExtracted}};
  in.ocr_confidence = {{2, 87.5}};
  store::Record r;
  bool dup = false;
  REQUIRE(s->add(in, &r, &dup).ok());
  store::Sequence before = s->last_sequence();

  store::Record updated;
  REQUIRE(s->update(
               r.id,
               [](store::Record* rec) {
                 rec->dc["title"] = "Kế hoạch ứng dụng CNTT năm học 2022-2023";
                 rec->sources["title"] = store::kSourceTyped;
                 rec->id = 999;  // not the editor's to change
                 rec->originals.clear();
                 return Status::Ok();
               },
               "thu-vien", &updated)
              .ok());
  store::Record back;
  REQUIRE(s->get(r.id, &back).ok());
  CHECK(back.id == r.id);
  CHECK(back.dc.at("title") == "Kế hoạch ứng dụng CNTT năm học 2022-2023");
  CHECK(back.sources.at("title") == "typed");
  CHECK(back.fields.at("number") == "44/KH-PGDĐT");
  CHECK(back.sources.at("number") == "extracted");
  CHECK(back.ocr_confidence.at(2) == Approx(87.5));
  CHECK(back.originals.size() == 1);
  CHECK(back.updated_by == "thu-vien");
  CHECK(back.created_by == r.created_by);
  CHECK(s->last_sequence() == before + 1);
  std::vector<store::Change> changes;
  REQUIRE(s->changes_since(before, 10, &changes).ok());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].op == "update");

  // A refused edit and an invalid kind change nothing.
  CHECK(s->update(
             r.id, [](store::Record*) { return Status::Invalid("no"); }, "x", nullptr)
            .code() == Status::Code::kInvalid);
  CHECK(s->update(
             r.id,
             [](store::Record* rec) {
               rec->kind = "poster";
               return Status::Ok();
             },
             "x", nullptr)
            .code() == Status::Code::kInvalid);
  CHECK(s->update(
             12345, [](store::Record*) { return Status::Ok(); }, "x", nullptr)
            .is_not_found());
  CHECK(s->last_sequence() == before + 1);
}

TEST_CASE("a new version replaces the record's pages and keeps every earlier file") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool dup = false;
  store::NewRecord first = new_record(dir.path() / "v1.txt", "bản một");
  first.pages = {"một", "hai", "ba"};
  REQUIRE(s->add(first, &r, &dup).ok());
  store::NewRecord second = new_record(dir.path() / "v2.txt", "bản hai");
  second.pages = {"chỉ một trang"};
  second.actor = store::Actor("to-truong");
  store::Record after;
  REQUIRE(s->add_version(r.id, second, &after).ok());
  CHECK(after.originals.size() == 2);
  CHECK(after.page_count == 1);
  CHECK(after.originals.back().added_by == "to-truong");
  CHECK_FALSE(after.originals.back().added_at.empty());
  CHECK(after.dc == r.dc);  // metadata is the staff's to change, not the new file's
  std::vector<std::string> pages;
  REQUIRE(s->pages(r.id, &pages).ok());
  CHECK(pages == std::vector<std::string>{"chỉ một trang"});
  store::Record back;
  REQUIRE(s->get(r.id, &back).ok());
  CHECK(kho::testing::read_file(s->original_path(back.originals.at(0))) == "bản một");
  CHECK(kho::testing::read_file(s->original_path(back.originals.at(1))) == "bản hai");
  // The same bytes as the current version: refused, nothing written.
  store::Record unchanged;
  store::Sequence seq = s->last_sequence();
  CHECK(s->add_version(r.id, new_record(dir.path() / "v3.txt", "bản hai"), &unchanged).code() ==
        Status::Code::kConflict);
  CHECK(s->last_sequence() == seq);
  // The file of a record that no longer holds it as current still has its holder.
  store::RecordId holder = 0;
  REQUIRE(s->find_by_sha256(back.originals.at(0).sha256, &holder).ok());
  CHECK(holder == r.id);
  std::vector<store::Problem> problems;
  std::vector<store::StoredOriginal> originals;
  REQUIRE(s->check(&problems, &originals).ok());
  CHECK(problems.empty());
  CHECK(originals.size() == 2);
  std::vector<store::Change> history;
  REQUIRE(s->history(r.id, &history).ok());
  REQUIRE(history.size() == 2);
  CHECK(history[1].op == "version");
  CHECK(history[1].actor == "to-truong");
}
