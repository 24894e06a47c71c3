// E-books: an EPUB 2 written by hand and zipped (ISBN, two authors, subjects,
// a cover) and an EPUB 3 exported by LibreOffice (scripts/make-fixtures).
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "importers/importer.h"
#include "tests/importers/extract.h"
#include "tests/testing.h"
#include "text/vietnamese.h"

namespace fs = std::filesystem;
using kho::testing::fixture;
namespace imp = kho::importers;
using kho::testing::extract;
using kho::testing::Extracted;
using kho::testing::source_dir;
using kho::testing::TempDir;

namespace {

std::string meta(const imp::Document& doc, const std::string& name) {
  auto it = doc.meta.find(name);
  return it == doc.meta.end() ? "" : it->second;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

TEST_CASE("EPUB 2: a page per spine item, the OPF's metadata mapped", "[epub]") {
  Extracted e = extract(fixture("truyen-kieu-epub2.epub"));
  REQUIRE(e.status.ok());
  CHECK(e.doc.media_type == "application/epub+zip");
  REQUIRE(e.doc.pages.size() == 2);
  CHECK(e.doc.pages[0] ==
        "Mở đầu\nTrăm năm trong cõi người ta,\nChữ tài chữ mệnh khéo là ghét nhau.\n"
        "Trải qua một cuộc bể dâu,\nNhững điều trông thấy mà đau đớn lòng.");
  CHECK(e.doc.pages[1].starts_with("Giới thiệu\nTruyện Kiều (Đoạn trường tân thanh)"));
  CHECK_FALSE(contains(e.doc.pages[0], "margin"));  // the style sheet is not text
  CHECK(meta(e.doc, "title") == "Truyện Kiều");
  CHECK(meta(e.doc, "creator") == "Nguyễn Du; Đào Duy Anh");
  CHECK(meta(e.doc, "language") == "vi");
  CHECK(meta(e.doc, "isbn") == "9786046927143");
  CHECK(meta(e.doc, "identifier") == "978-604-69-2714-3");
  CHECK(meta(e.doc, "subject") == "Văn học Việt Nam; Truyện thơ lục bát");
  CHECK(meta(e.doc, "description") == "Truyện thơ lục bát gồm 3.254 câu.");
  CHECK(meta(e.doc, "publisher") == "Nhà xuất bản Văn học");
  CHECK(meta(e.doc, "date") == "2015-03-01");
  CHECK(meta(e.doc, "cover") == "OEBPS/images/cover.png");
  for (const auto& page : e.doc.pages) CHECK(kho::text::nfc(page) == page);
}

TEST_CASE("EPUB 3 from LibreOffice: a page per chapter, metadata mapped", "[epub]") {
  Extracted e = extract(fixture("lao-hac.epub"));
  REQUIRE(e.status.ok());
  CHECK(e.doc.media_type == "application/epub+zip");
  // LibreOffice starts a chapter (a spine item) at each heading: I., II., III.
  REQUIRE(e.doc.pages.size() == 4);
  CHECK(e.doc.pages[0].starts_with("KẾ HOẠCH BÀI DẠY\nTrường: THCS Nguyễn Trãi"));
  CHECK(contains(e.doc.pages[0], "TÊN BÀI DẠY: LÃO HẠC (Nam Cao)"));
  CHECK(e.doc.pages[1].starts_with("I. Mục tiêu\nHọc sinh hiểu được tình cảnh khốn cùng"));
  CHECK(e.doc.pages[2].starts_with("II. Thiết bị dạy học"));
  CHECK(e.doc.pages[3].starts_with("III. Tiến trình dạy học"));
  CHECK_FALSE(contains(e.doc.pages[0], "Mục tiêu"));
  CHECK(meta(e.doc, "title") == "Kế hoạch bài dạy: Lão Hạc (Ngữ văn 8)");
  CHECK(meta(e.doc, "creator") == "Trần Văn Minh");
  CHECK(meta(e.doc, "language") == "vi-VN");
  CHECK(meta(e.doc, "modified") == "2023-09-12");
  CHECK_FALSE(meta(e.doc, "identifier").empty());
  CHECK(meta(e.doc, "isbn").empty());  // a UUID is not an ISBN
}

TEST_CASE("An EPUB is told by content, not by file name", "[epub]") {
  TempDir dir;
  fs::copy_file(fixture("truyen-kieu-epub2.epub"), dir.path() / "truyen-kieu.zip");
  Extracted e = extract(dir.path() / "truyen-kieu.zip");
  REQUIRE(e.status.ok());
  CHECK(e.doc.media_type == "application/epub+zip");
  CHECK(meta(e.doc, "isbn") == "9786046927143");
}

TEST_CASE("A truncated EPUB gives a clear reason", "[epub]") {
  TempDir dir;
  std::string bytes = kho::testing::read_file(fixture("truyen-kieu-epub2.epub"));
  kho::testing::write_file(dir.path() / "cut.epub", bytes.substr(0, bytes.size() / 2));
  Extracted e = extract(dir.path() / "cut.epub");
  REQUIRE_FALSE(e.status.ok());
  CHECK((contains(e.status.message(), "truncated or damaged") ||
         contains(e.status.message(), "damaged EPUB")));
}
