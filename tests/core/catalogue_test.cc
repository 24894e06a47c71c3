// Catalogue files through the import path: the file kept as one record, each
// entry a record of its own without a file (searchable by title and ISBN), and
// a catalogue record and a book file with the same ISBN made one record,
// whichever arrives first. Fixtures from scripts/make-fixtures.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "core/library.h"
#include "tests/core/library_fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::open_library;
using kho::testing::search_ids;
using kho::testing::TempDir;
namespace fs = std::filesystem;
using kho::testing::fixture;

namespace {

ImportOptions school_options() {
  ImportOptions options = kho::testing::worker_options();
  options.school = "THCS-NT";
  return options;
}

store::Record import_ok(Library& library, const std::string& name,
                        std::vector<store::RecordId>* entries = nullptr, bool* dup = nullptr) {
  ImportOptions options = school_options();
  options.catalogue_entries = entries;
  store::Record record;
  bool duplicate = false;
  Status s = library.import_file(fixture(name).string(), options, &record, &duplicate);
  INFO(name << ": " << s.message());
  REQUIRE(s.ok());
  if (dup) *dup = duplicate;
  return record;
}

store::Record get(Library& library, store::RecordId id) {
  store::Record r;
  REQUIRE(library.store().get(id, &r).ok());
  return r;
}

}  // namespace

TEST_CASE("a MARC file is one record and each of its records another, searchable") {
  TempDir dir;
  auto library = open_library(dir);
  std::vector<store::RecordId> entries;
  store::Record file = import_ok(*library, "catalogue-marc8.mrc", &entries);
  CHECK(file.kind == "other");
  CHECK(file.dc.at("title") == "catalogue-marc8");
  REQUIRE(file.originals.size() == 1);
  CHECK(file.originals[0].filename == "catalogue-marc8.mrc");
  REQUIRE(entries.size() == 5);
  CHECK(library->store().record_count() == 6);

  store::Record kieu = get(*library, entries[0]);
  CHECK(kieu.kind == "book");
  CHECK(kieu.originals.empty());
  CHECK(kieu.school == "THCS-NT");
  CHECK(kieu.dc.at("title") == "Truyện Kiều");
  CHECK(kieu.dc.at("creator") == "Nguyễn Du; Đào Duy Anh");
  CHECK(kieu.fields.at("isbn") == "9786046927143");
  CHECK(kieu.fields.at("provenance") == "catalogue-marc8.mrc#1");
  CHECK(kieu.fields.at("marcxml").find("Truyện Kiều /") != std::string::npos);
  for (const auto& [name, source] : kieu.sources) {
    INFO(name);
    CHECK(source == store::kSourceCatalogue);
  }
  CHECK(get(*library, entries[3]).kind == "other");  // the journal
  CHECK(get(*library, entries[4]).fields.at("provenance") == "catalogue-marc8.mrc#5");

  CHECK(search_ids(*library, "truyện kiều") == std::vector<store::RecordId>{entries[0]});
  CHECK(search_ids(*library, "isbn:9786046927143") == std::vector<store::RecordId>{entries[0]});
  CHECK(search_ids(*library, "isbn:978-604-0-25371-4") == std::vector<store::RecordId>{entries[1]});
  CHECK(search_ids(*library, "Nam Cao") == std::vector<store::RecordId>{entries[2]});
}

TEST_CASE("the same catalogue file again is a duplicate and adds no entries") {
  TempDir dir;
  auto library = open_library(dir);
  std::vector<store::RecordId> first_entries, second_entries;
  store::Record first = import_ok(*library, "catalogue.marcxml", &first_entries);
  auto sequence = library->store().last_sequence();
  bool duplicate = false;
  store::Record again = import_ok(*library, "catalogue.marcxml", &second_entries, &duplicate);
  CHECK(duplicate);
  CHECK(again.id == first.id);
  CHECK(second_entries.empty());
  CHECK(library->store().record_count() == 6);
  CHECK(library->store().last_sequence() == sequence);
}

TEST_CASE("a catalogue record joins the book file that has its ISBN, typed fields stay") {
  TempDir dir;
  auto library = open_library(dir);
  store::Record book = import_ok(*library, "truyen-kieu-epub2.epub");
  REQUIRE(book.fields.at("isbn") == "9786046927143");
  Edit edit;
  edit.set = {{"title", "Truyện Kiều (Đào Duy Anh hiệu đính)"}};
  REQUIRE(library->edit(book.id, edit, &book).ok());

  std::vector<store::RecordId> entries;
  import_ok(*library, "catalogue.marcxml", &entries);
  REQUIRE(entries.size() == 5);
  CHECK(entries[0] == book.id);
  CHECK(library->store().record_count() == 1 + 1 + 4);  // the book, the file, four new entries
  store::Record merged = get(*library, book.id);
  CHECK(merged.kind == "book");
  CHECK(merged.dc.at("title") == "Truyện Kiều (Đào Duy Anh hiệu đính)");  // typed wins
  CHECK(merged.sources.at("title") == store::kSourceTyped);
  CHECK(merged.dc.at("publisher") == "Văn học");  // was "Nhà xuất bản Văn học" in the EPUB
  CHECK(merged.sources.at("publisher") == store::kSourceCatalogue);
  CHECK(merged.fields.count("marcxml") == 1);
  REQUIRE(merged.originals.size() == 1);  // still the EPUB, with its text
  CHECK(merged.originals[0].filename == "truyen-kieu-epub2.epub");
  CHECK(merged.page_count == book.page_count);
  CHECK(search_ids(*library, "isbn:9786046927143") == std::vector<store::RecordId>{book.id});
}

TEST_CASE("a book file joins the catalogue record waiting for it") {
  TempDir dir;
  auto library = open_library(dir);
  std::vector<store::RecordId> entries;
  import_ok(*library, "catalogue-utf8.mrc", &entries);
  REQUIRE(entries.size() == 5);

  bool duplicate = true;
  store::Record book = import_ok(*library, "truyen-kieu-epub2.epub", nullptr, &duplicate);
  CHECK_FALSE(duplicate);
  CHECK(book.id == entries[0]);
  CHECK(library->store().record_count() == 6);
  REQUIRE(book.originals.size() == 1);
  CHECK(book.originals[0].filename == "truyen-kieu-epub2.epub");
  CHECK(book.page_count == 2);
  CHECK(book.dc.at("publisher") == "Văn học");            // the catalogue's, not the EPUB's
  CHECK(book.dc.at("format") == "application/epub+zip");  // the file fills what was missing
  CHECK(book.fields.at("provenance") == "catalogue-utf8.mrc#1");
  // The book's text is now found in the catalogue record.
  CHECK(search_ids(*library, "trăm năm trong cõi người ta") ==
        std::vector<store::RecordId>{book.id});
  // The same bytes again are a duplicate of that record.
  store::Record again = import_ok(*library, "truyen-kieu-epub2.epub", nullptr, &duplicate);
  CHECK(duplicate);
  CHECK(again.id == book.id);
}

TEST_CASE("a CSV sheet: copies of one book are one record with both register numbers") {
  TempDir dir;
  auto library = open_library(dir);
  std::vector<store::RecordId> entries;
  store::Record file = import_ok(*library, "danh-muc-sach.csv", &entries);
  CHECK(file.kind == "other");
  REQUIRE(entries.size() == 5);
  CHECK(entries[2] == entries[3]);
  CHECK(std::set<store::RecordId>(entries.begin(), entries.end()).size() == 4);
  store::Record toan = get(*library, entries[2]);
  CHECK(toan.fields.at("accession") == "SGK.00045; SGK.00046");
  CHECK(toan.fields.at("classification") == "510.712");
  CHECK(search_ids(*library, "Dế Mèn phiêu lưu ký") == std::vector<store::RecordId>{entries[1]});
  CHECK(search_ids(*library, "isbn:9786040253714") == std::vector<store::RecordId>{entries[2]});
}

TEST_CASE("a broken catalogue stores nothing and says why") {
  TempDir dir;
  auto library = open_library(dir);
  for (const char* name :
       {"broken-truncated.mrc", "broken-not-xml.marcxml", "broken-no-header.csv"}) {
    store::Record record;
    bool duplicate = false;
    Status s = library->import_file(fixture(name).string(), school_options(), &record, &duplicate);
    INFO(name << ": " << s.message());
    CHECK_FALSE(s.ok());
  }
  CHECK(library->store().record_count() == 0);
  CHECK(library->store().last_sequence() == 0);
}

TEST_CASE("each school's catalogue joins only its own copies") {
  TempDir dir;
  auto library = open_library(dir);
  store::Record book = import_ok(*library, "truyen-kieu-epub2.epub");  // school THCS-NT
  ImportOptions other = school_options();
  other.school = "THCS-MT";
  std::vector<store::RecordId> entries;
  other.catalogue_entries = &entries;
  store::Record file;
  bool duplicate = false;
  REQUIRE(
      library->import_file(fixture("catalogue.marcxml").string(), other, &file, &duplicate).ok());
  REQUIRE(entries.size() == 5);
  CHECK(entries[0] != book.id);
  CHECK(get(*library, entries[0]).school == "THCS-MT");
  CHECK(get(*library, book.id).dc.at("publisher") == "Nhà xuất bản Văn học");  // untouched
}
