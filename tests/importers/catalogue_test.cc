// Catalogue records (scripts/make-fixtures): five MARC 21 records written as
// MARCXML and turned into ISO 2709 by yaz-marcdump, in UTF-8 and in MARC-8;
// a CSV sheet with a Vietnamese header and an XLSX (LibreOffice) with an
// English one; broken ones. Each record must come out as one entry with its
// Dublin Core after the Library of Congress crosswalk and its MARCXML whole.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "importers/importer.h"
#include "importers/worker.h"
#include "tests/testing.h"
#include "text/vietnamese.h"

namespace fs = std::filesystem;
using kho::testing::fixture;
namespace imp = kho::importers;
using kho::testing::source_dir;

namespace {

imp::Document extract_ok(const std::string& name) {
  imp::Document doc;
  kho::Status s = imp::Registry::builtin().extract(fixture(name).string(), &doc);
  INFO(name << ": " << s.message());
  REQUIRE(s.ok());
  return doc;
}

std::string meta(const imp::Document& doc, const std::string& name) {
  auto it = doc.meta.find(name);
  return it == doc.meta.end() ? "" : it->second;
}

std::string picked(const std::string& name) {
  std::string head = kho::testing::read_file(fixture(name)).substr(0, 4096), why;
  const imp::Importer* i = imp::Registry::builtin().pick({head, fixture(name).string()}, &why);
  return i ? std::string(i->name()) : why;
}

void check_truyen_kieu(const imp::Document& e) {
  CHECK(meta(e, "title") == "Truyện Kiều");
  CHECK(meta(e, "creator") == "Nguyễn Du; Đào Duy Anh");
  CHECK(meta(e, "publisher") == "Văn học");
  CHECK(meta(e, "date") == "2015");
  CHECK(meta(e, "language") == "vi");
  CHECK(meta(e, "isbn") == "9786046927143");
  CHECK(meta(e, "identifier") == "978-604-69-2714-3; https://thuvien.example.edu.vn/truyen-kieu");
  CHECK(meta(e, "subject") == "Văn học Việt Nam -- Truyện thơ");
  CHECK(meta(e, "description") == "Truyện thơ lục bát gồm 3.254 câu, kể về cuộc đời Thúy Kiều.");
  CHECK(meta(e, "classification") == "895.9221");
  CHECK(meta(e, "type") == "text");
  CHECK(meta(e, "kind") == "book");
  // Kept whole, as UTF-8 MARCXML, whatever the file's syntax and encoding.
  std::string marcxml = meta(e, "marcxml");
  CHECK(marcxml.find("<leader>") != std::string::npos);
  CHECK(marcxml.find("<subfield code=\"c\">85000đ</subfield>") != std::string::npos);
  CHECK(marcxml.find("tag=\"300\"") != std::string::npos);
}

}  // namespace

TEST_CASE("MARCXML: each record an entry, mapped to Dublin Core field by field", "[catalogue]") {
  imp::Document doc = extract_ok("catalogue.marcxml");
  CHECK(picked("catalogue.marcxml") == "marc");
  CHECK(doc.media_type == "application/marcxml+xml");
  REQUIRE(doc.entries.size() == 5);
  check_truyen_kieu(doc.entries[0]);

  const imp::Document& toan = doc.entries[1];
  CHECK(meta(toan, "title") == "Toán 6. Tập một : sách giáo khoa");
  CHECK(meta(toan, "publisher") == "Giáo dục Việt Nam");  // 264 with second indicator 1
  CHECK(meta(toan, "date") == "2021");
  CHECK(meta(toan, "language") == "vi");  // from 008 when there is no 041
  CHECK(meta(toan, "subject") == "Toán học -- Sách giáo khoa; Lớp 6");
  CHECK(meta(toan, "type") == "text; Sách giáo khoa");  // leader, then 655
  CHECK(meta(toan, "isbn") == "9786040253714");

  const imp::Document& lao_hac = doc.entries[2];
  CHECK(meta(lao_hac, "title") == "Lão Hạc : truyện ngắn");
  CHECK(meta(lao_hac, "isbn") == "604105432X");
  CHECK(meta(lao_hac, "date") == "2019");  // "c2019."
  CHECK(meta(lao_hac, "description") == "In lần thứ 5.");
  CHECK(meta(lao_hac, "subject") == "Văn học hiện đại -- Việt Nam");

  // A serial: the leader says it is not a book.
  const imp::Document& journal = doc.entries[3];
  CHECK(meta(journal, "kind") == "other");
  CHECK(meta(journal, "title") == "Tạp chí Nghiên cứu văn học");
  CHECK(meta(journal, "identifier") == "0866-7241");
  CHECK(meta(journal, "isbn").empty());

  const imp::Document& english = doc.entries[4];
  CHECK(meta(english, "creator") == "Bộ Giáo dục và Đào tạo. Vụ Giáo dục Trung học");
  CHECK(meta(english, "title") == "English 10 : teacher's book");
  CHECK(meta(english, "language") == "en");
  CHECK(meta(english, "isbn") == "9786045887325");  // "(bìa mềm)" is not part of it
}

TEST_CASE("ISO 2709 in UTF-8 and in MARC-8 give the same Vietnamese entries", "[catalogue]") {
  for (const char* name : {"catalogue-utf8.mrc", "catalogue-marc8.mrc"}) {
    INFO(name);
    CHECK(picked(name) == "marc");
    imp::Document doc = extract_ok(name);
    CHECK(doc.media_type == "application/marc");
    REQUIRE(doc.entries.size() == 5);
    check_truyen_kieu(doc.entries[0]);
    for (const auto& entry : doc.entries)
      for (const auto& [field, value] : entry.meta) {
        INFO(field << ": " << value);
        CHECK(kho::text::nfc(value) == value);  // MARC-8 decodes to decomposed letters
      }
    CHECK(meta(doc.entries[2], "title") == "Lão Hạc : truyện ngắn");
    CHECK(meta(doc.entries[4], "creator") == "Bộ Giáo dục và Đào tạo. Vụ Giáo dục Trung học");
  }
}

TEST_CASE("A CSV with a Vietnamese header under a heading row", "[catalogue]") {
  CHECK(picked("danh-muc-sach.csv") == "catalogue-sheet");
  imp::Document doc = extract_ok("danh-muc-sach.csv");
  CHECK(doc.media_type == "text/csv");
  REQUIRE(doc.entries.size() == 5);
  const imp::Document& kieu = doc.entries[0];
  CHECK(meta(kieu, "title") == "Truyện Kiều");
  CHECK(meta(kieu, "creator") == "Nguyễn Du");
  CHECK(meta(kieu, "publisher") == "Văn học");
  CHECK(meta(kieu, "date") == "2015");
  CHECK(meta(kieu, "isbn") == "9786046927143");
  CHECK(meta(kieu, "subject") == "Văn học Việt Nam");
  CHECK(meta(kieu, "classification") == "895.9221");
  CHECK(meta(kieu, "accession") == "VV.00123");
  CHECK(meta(kieu, "kind") == "book");
  CHECK(meta(doc.entries[1], "title") == "Dế Mèn phiêu lưu ký, bản đặc biệt");  // quoted comma
  CHECK(meta(doc.entries[4], "isbn").empty());
}

TEST_CASE("An XLSX sheet with an English header is a catalogue too", "[catalogue]") {
  imp::Document doc = extract_ok("library-books.xlsx");
  CHECK(picked("library-books.xlsx") == "ooxml");
  REQUIRE(doc.entries.size() == 3);
  CHECK(meta(doc.entries[0], "title") == "Tiếng Việt 1");
  CHECK(meta(doc.entries[0], "creator") == "Bùi Mạnh Hùng");
  CHECK(meta(doc.entries[0], "date") == "2020");
  CHECK(meta(doc.entries[0], "isbn") == "9786040209179");
  CHECK(meta(doc.entries[1], "isbn") == "604105432X");
  CHECK(meta(doc.entries[2], "language") == "en");
  // The sheet is still read as a sheet.
  CHECK(doc.pages.at(0).find("Science for Schools") != std::string::npos);
  // A workbook that is not a catalogue has no entries.
  CHECK(extract_ok("hsg.xlsx").entries.empty());
}

TEST_CASE("Broken catalogue files give one clear reason", "[catalogue]") {
  struct Case {
    const char* name;
    const char* reason;
  };
  for (auto [name, reason] : {Case{"broken-truncated.mrc", "truncated: MARC record 3"},
                              Case{"broken-not-xml.marcxml", "damaged XML"},
                              Case{"broken-no-header.csv", "not a catalogue sheet"}}) {
    imp::Document doc;
    kho::Status s = imp::Registry::builtin().extract(fixture(name).string(), &doc);
    INFO(name << ": " << s.message());
    CHECK_FALSE(s.ok());
    CHECK(s.message().find(reason) != std::string::npos);
    CHECK(s.message().find('\n') == std::string::npos);
  }
}

TEST_CASE("Catalogue entries survive the worker process", "[catalogue][worker]") {
  imp::Document doc;
  kho::Status s =
      imp::extract_in_worker(kho::testing::kho_binary(), fixture("catalogue-marc8.mrc").string(),
                             imp::WorkerLimits{}, &doc);
  INFO(s.message());
  REQUIRE(s.ok());
  REQUIRE(doc.entries.size() == 5);
  check_truyen_kieu(doc.entries[0]);
}

TEST_CASE("A CSV catalogue over 4 KiB is a catalogue wherever the sniffed head cuts a letter",
          "[catalogue]") {
  // Rows of Vietnamese titles: a padding of 0 to 5 bytes in the heading moves
  // the 4,096th byte through the middle of two- and three-byte letters.
  kho::testing::TempDir dir;
  const std::string row = "Truyện Kiều – Đoạn trường tân thanh,Nguyễn Du,Văn học,2015\n";
  int cut_inside_a_letter = 0;
  for (std::size_t rows : {70, 71, 150, 400})
    for (std::size_t pad = 0; pad < 6; ++pad) {
      std::string csv =
          "DANH MỤC SÁCH" + std::string(pad, '.') + "\nNhan đề,Tác giả,Nhà xuất bản,Năm xuất bản\n";
      for (std::size_t i = 0; i < rows; ++i) csv += row;
      if (csv.size() > imp::Sniff::kHeadBytes &&
          (static_cast<unsigned char>(csv[imp::Sniff::kHeadBytes]) & 0xC0) == 0x80)
        ++cut_inside_a_letter;
      fs::path file = dir.path() / ("sach-" + std::to_string(rows) + "-" + std::to_string(pad));
      kho::testing::write_file(file, csv);
      std::string head = csv.substr(0, imp::Sniff::kHeadBytes), why;
      const imp::Importer* i = imp::Registry::builtin().pick({head, file.string()}, &why);
      INFO(rows << " rows, " << pad << " bytes of padding (" << csv.size() << " bytes): " << why);
      REQUIRE(i != nullptr);
      CHECK(i->name() == "catalogue-sheet");
      imp::Document doc;
      REQUIRE(imp::Registry::builtin().extract(file.string(), &doc).ok());
      CHECK(doc.entries.size() == rows);
    }
  CHECK(cut_inside_a_letter >= 6);  // the case that failed is among them
}
