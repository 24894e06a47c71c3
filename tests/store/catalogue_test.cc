// What catalogue records need of the store: a record without a file, a file
// given later to such a record, and a lookup by ISBN that follows every change
// and treats the 10- and 13-digit forms of one ISBN as the same book.
#include <catch2/catch.hpp>
#include <filesystem>

#include "store/store.h"
#include "tests/store/fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::open_store;
using kho::testing::TempDir;
namespace fs = std::filesystem;

namespace {

store::NewRecord entry(const std::string& title, const std::string& isbn) {
  store::NewRecord in;
  in.kind = "book";
  in.dc = {{"title", title}, {"publisher", "Giáo dục Việt Nam"}};
  in.fields = {{"isbn", isbn}, {"provenance", "sach.mrc#1"}};
  for (const auto& name : {"title", "publisher", "isbn", "provenance"})
    in.sources[name] = store::kSourceCatalogue;
  return in;
}

std::vector<store::RecordId> by_isbn(const store::Store& s, const std::string& isbn) {
  std::vector<store::RecordId> ids;
  REQUIRE(s.find_by_isbn(isbn, &ids).ok());
  return ids;
}

}  // namespace

TEST_CASE("a catalogue entry is a record without a file, in the change log") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool duplicate = true;
  REQUIRE(s->add(entry("Toán 6", "9786040253714"), &r, &duplicate).ok());
  CHECK_FALSE(duplicate);
  CHECK(r.originals.empty());
  CHECK(r.page_count == 0);
  CHECK(s->last_sequence() == 1);
  store::Record again;
  REQUIRE(s->add(entry("Toán 6", "9786040253714"), &again, &duplicate).ok());
  CHECK_FALSE(duplicate);  // without bytes nothing is the same file
  CHECK(again.id != r.id);
  CHECK(by_isbn(*s, "978-604-0-25371-4") == std::vector<store::RecordId>{r.id, again.id});
}

TEST_CASE("find_by_isbn: both forms of an ISBN, and it follows edits") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool duplicate = false;
  REQUIRE(s->add(entry("Sách cũ", "0-306-40615-2"), &r, &duplicate).ok());
  CHECK(by_isbn(*s, "9780306406157") == std::vector<store::RecordId>{r.id});
  CHECK(by_isbn(*s, "0306406152") == std::vector<store::RecordId>{r.id});
  CHECK(by_isbn(*s, "9786040253714").empty());
  CHECK(by_isbn(*s, "not an isbn").empty());

  REQUIRE(s->update(
               r.id,
               [](store::Record* rec) {
                 rec->fields["isbn"] = "9786040253714";
                 return Status::Ok();
               },
               "cli", &r)
              .ok());
  CHECK(by_isbn(*s, "9780306406157").empty());
  CHECK(by_isbn(*s, "9786040253714") == std::vector<store::RecordId>{r.id});
  // Still there after reopening.
  s.reset();
  s = open_store(dir);
  CHECK(by_isbn(*s, "9786040253714") == std::vector<store::RecordId>{r.id});
}

TEST_CASE("add_file gives a waiting record its book, pages and missing fields, once") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r;
  bool duplicate = false;
  REQUIRE(s->add(entry("Toán 6", "9786040253714"), &r, &duplicate).ok());
  auto file = dir.path() / "toan-6.pdf";
  kho::testing::write_file(file, "%PDF-1.4 giả\n");
  store::NewRecord book;
  book.source_path = file.string();
  book.media_type = "application/pdf";
  book.dc = {{"title", "toan-6"}, {"publisher", "NXB GD"}, {"format", "application/pdf"}};
  book.sources = {{"title", "extracted"}, {"publisher", "extracted"}, {"format", "extracted"}};
  book.pages = {"Chương 1. Số tự nhiên", "Chương 2. Phân số"};
  store::Record joined;
  REQUIRE(s->add_file(r.id, book, &joined).ok());
  CHECK(joined.id == r.id);
  REQUIRE(joined.originals.size() == 1);
  CHECK(joined.originals[0].filename == "toan-6.pdf");
  CHECK(joined.page_count == 2);
  CHECK(joined.dc.at("title") == "Toán 6");  // the catalogue's stays
  CHECK(joined.dc.at("publisher") == "Giáo dục Việt Nam");
  CHECK(joined.dc.at("format") == "application/pdf");  // what it lacked
  CHECK(joined.sources.at("format") == "extracted");
  std::string page;
  REQUIRE(s->page_text(r.id, 2, &page).ok());
  CHECK(page == "Chương 2. Phân số");
  store::RecordId holder = 0;
  REQUIRE(s->find_by_sha256(joined.originals[0].sha256, &holder).ok());
  CHECK(holder == r.id);
  // A record with a file takes no other.
  CHECK(s->add_file(r.id, book, &joined).code() == Status::Code::kConflict);
}
