// Office documents made by LibreOffice from the same Vietnamese sources
// (scripts/make-fixtures): DOCX/ODT/DOC, XLSX/ODS/XLS, PPTX/ODP/PPT, plus broken
// ones. Each format must give the right text on the right page, the document's
// properties, and be recognised by content whatever the file is called.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "importers/importer.h"
#include "importers/worker.h"
#include "tests/testing.h"
#include "text/vietnamese.h"

namespace fs = std::filesystem;
using kho::testing::fixture;
namespace imp = kho::importers;
using kho::testing::kho_binary;
using kho::testing::source_dir;
using kho::testing::TempDir;

namespace {

struct Extracted {
  kho::Status status;
  imp::Document doc;
  std::string importer;  // the name of the importer the registry picked
};

Extracted extract(const fs::path& path) {
  Extracted e;
  e.status = imp::Registry::builtin().extract(path.string(), &e.doc);
  std::string head = kho::testing::read_file(path).substr(0, 4096), why;
  if (const imp::Importer* i = imp::Registry::builtin().pick({head, path.string()}, &why))
    e.importer = i->name();
  return e;
}

// A copy of a fixture under another name, to show that content decides.
fs::path renamed(const TempDir& dir, const std::string& name, const std::string& as) {
  fs::copy_file(fixture(name), dir.path() / as);
  return dir.path() / as;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string meta(const imp::Document& doc, const std::string& name) {
  auto it = doc.meta.find(name);
  return it == doc.meta.end() ? "" : it->second;
}

bool is_nfc(const imp::Document& doc) {
  for (const auto& page : doc.pages)
    if (kho::text::nfc(page) != page) return false;
  return true;
}

std::string all_pages(const imp::Document& doc) {
  std::string text;
  for (const auto& page : doc.pages) text += page + "\n";
  return text;
}

bool have_catdoc() { return std::system("command -v catdoc >/dev/null 2>&1") == 0; }

// The lesson plan: three pages, split where the source has page breaks.
void check_lesson_plan(const Extracted& e) {
  REQUIRE(e.status.ok());
  REQUIRE(e.doc.pages.size() == 3);
  CHECK(e.doc.pages[0].starts_with("KẾ HOẠCH BÀI DẠY\nTrường: THCS Nguyễn Trãi"));
  CHECK(e.doc.pages[1].starts_with("TÊN BÀI DẠY: LÃO HẠC (Nam Cao)"));
  CHECK(contains(e.doc.pages[2], "nhân cách cao quý của nhân vật lão Hạc"));
  CHECK_FALSE(contains(e.doc.pages[0], "LÃO HẠC"));
  // The footnote on page 2 follows the text rather than breaking its sentence.
  CHECK_FALSE(contains(e.doc.pages[1], "1915"));
  CHECK(contains(e.doc.pages[2], "Nam Cao (1915–1951), nhà văn hiện thực xuất sắc."));
  CHECK(is_nfc(e.doc));
}

void check_plan_properties(const imp::Document& doc) {
  CHECK(meta(doc, "title") == "Kế hoạch bài dạy: Lão Hạc (Ngữ văn 8)");
  CHECK(meta(doc, "creator") == "Trần Văn Minh");
  CHECK(meta(doc, "subject") == "Ngữ văn 8");
  CHECK(meta(doc, "description") == "Giáo án ba tiết về truyện ngắn Lão Hạc của Nam Cao");
  CHECK(contains(meta(doc, "keywords"), "Nam Cao"));
  CHECK(meta(doc, "date") == "2023-09-05");
  CHECK(meta(doc, "modified") == "2023-09-12");
  CHECK(meta(doc, "language") == "vi-VN");
}

// The prize list: one page per sheet, cells tab-separated, rows as lines.
void check_prize_list(const Extracted& e) {
  REQUIRE(e.status.ok());
  REQUIRE(e.doc.pages.size() == 2);
  CHECK(e.doc.pages[0].starts_with("STT\tHọ và tên\tTrường\tMôn\tGiải\n"));
  CHECK(contains(e.doc.pages[0], "\n1\tTrần Đình Hà\tTHCS Nguyễn Trãi\tmôn Toán\tgiải Nhất\n"));
  CHECK(contains(e.doc.pages[0],
                 "4\tPhạm Thị Khánh Hòa\tTHCS Chu Văn An\tmôn Tiếng Anh\tgiải Khuyến khích"));
  CHECK(e.doc.pages[1].starts_with("Giải\tSố học sinh\nNhất\t1\nNhì\t1\nBa\t1\nNgày thi\t"));
  CHECK(is_nfc(e.doc));
}

// The report: one page per slide, in the order of the deck.
void check_report(const Extracted& e) {
  REQUIRE(e.status.ok());
  REQUIRE(e.doc.pages.size() >= 2);
  CHECK(e.doc.pages[0].starts_with("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO CẨM GIÀNG\nBÁO CÁO"));
  CHECK(e.doc.pages[1].starts_with("Số: 98/BC-PGDĐT"));
  CHECK_FALSE(contains(e.doc.pages[0], "98/BC-PGDĐT"));
  CHECK_FALSE(contains(e.doc.pages[0], "Click to edit"));  // master slide text is not the deck's
  CHECK(is_nfc(e.doc));
}

}  // namespace

TEST_CASE("DOCX: a page per explicit page break, core properties mapped", "[office]") {
  Extracted e = extract(fixture("lao-hac.docx"));
  check_lesson_plan(e);
  check_plan_properties(e.doc);
  CHECK(e.importer == "ooxml");
  CHECK(e.doc.media_type ==
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
}

TEST_CASE("ODT: a page per explicit page break, meta.xml mapped", "[office]") {
  Extracted e = extract(fixture("lao-hac.odt"));
  check_lesson_plan(e);
  check_plan_properties(e.doc);
  CHECK(meta(e.doc, "keywords") == "Lão Hạc, Nam Cao, giáo án");
  CHECK(e.importer == "opendocument");
  CHECK(e.doc.media_type == "application/vnd.oasis.opendocument.text");
}

TEST_CASE("XLSX and ODS: a page per sheet, shared strings resolved, dates as dates", "[office]") {
  for (const char* name : {"hsg.xlsx", "hsg.ods"}) {
    INFO(name);
    Extracted e = extract(fixture(name));
    check_prize_list(e);
    CHECK(e.doc.pages[1].ends_with("Ngày thi\t15/03/2023"));  // a date cell as a date, not 45000
    CHECK(meta(e.doc, "title") == "Danh sách học sinh giỏi cấp tỉnh 2022-2023");
    CHECK(meta(e.doc, "creator") == "Phòng Giáo dục và Đào tạo");
    CHECK(meta(e.doc, "date") == "2023-04-02");
  }
}

TEST_CASE("PPTX and ODP: a page per slide", "[office]") {
  for (const char* name : {"bao-cao.pptx", "bao-cao.odp"}) {
    INFO(name);
    Extracted e = extract(fixture(name));
    check_report(e);
    CHECK(meta(e.doc, "title") == "Báo cáo xây dựng thư viện số");
    CHECK(meta(e.doc, "creator") == "Nguyễn Thị Lan");
    CHECK(meta(e.doc, "subject") == "Thư viện số");
    CHECK(meta(e.doc, "date") == "2023-11-20");
  }
}

TEST_CASE("Word, Excel and PowerPoint 97-2003 through catdoc's tools", "[office]") {
  if (!have_catdoc()) {
    WARN("catdoc is not installed (scripts/install-deps); old Office formats not tested");
    return;
  }
  Extracted doc = extract(fixture("lao-hac.doc"));
  REQUIRE(doc.status.ok());
  CHECK(doc.importer == "office97");
  CHECK(doc.doc.media_type == "application/msword");
  CHECK(contains(doc.doc.pages[0], "TÊN BÀI DẠY: LÃO HẠC (Nam Cao)"));
  CHECK(contains(doc.doc.pages.back(), "nhân cách cao quý của nhân vật lão Hạc"));
  CHECK(is_nfc(doc.doc));
  // Properties from the SummaryInformation stream, in the file's code page.
  CHECK(meta(doc.doc, "title") == "Kế hoạch bài dạy: Lão Hạc (Ngữ văn 8)");
  CHECK(meta(doc.doc, "creator") == "Trần Văn Minh");
  CHECK(meta(doc.doc, "subject") == "Ngữ văn 8");
  CHECK(meta(doc.doc, "keywords") == "Lão Hạc, Nam Cao, giáo án");
  CHECK(meta(doc.doc, "date") == "2023-09-05");
  CHECK(meta(doc.doc, "modified") == "2023-09-12");

  Extracted xls = extract(fixture("hsg.xls"));
  check_prize_list(xls);
  CHECK(xls.doc.media_type == "application/vnd.ms-excel");

  Extracted ppt = extract(fixture("bao-cao.ppt"));
  check_report(ppt);
  CHECK(ppt.doc.media_type == "application/vnd.ms-powerpoint");
  CHECK(meta(ppt.doc, "creator") == "Nguyễn Thị Lan");
  CHECK(meta(xls.doc, "title") == "Danh sách học sinh giỏi cấp tỉnh 2022-2023");
}

TEST_CASE("Old Office files without catdoc installed say so plainly", "[office]") {
  TempDir empty;
  const char* old_path = std::getenv("PATH");
  std::string saved = old_path ? old_path : "";
  ::setenv("PATH", empty.str().c_str(), 1);
  Extracted e = extract(fixture("lao-hac.doc"));
  ::setenv("PATH", saved.c_str(), 1);
  REQUIRE_FALSE(e.status.ok());
  CHECK(e.status.code() == kho::Status::Code::kUnsupported);
  CHECK(
      contains(e.status.message(), "catdoc is not installed: cannot read Word 97-2003 documents"));
}

TEST_CASE("Office formats are told by content, not by file name", "[office]") {
  TempDir dir;
  CHECK(extract(renamed(dir, "lao-hac.docx", "giao-an.pdf")).doc.pages.size() == 3);
  Extracted odt = extract(renamed(dir, "lao-hac.odt", "giao-an.docx"));
  CHECK(odt.doc.media_type == "application/vnd.oasis.opendocument.text");
  Extracted xlsx = extract(renamed(dir, "hsg.xlsx", "danh-sach"));
  CHECK(xlsx.doc.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  Extracted pptx = extract(renamed(dir, "bao-cao.pptx", "bao-cao.zip"));
  CHECK(pptx.importer == "ooxml");
  if (have_catdoc()) {
    Extracted xls = extract(renamed(dir, "hsg.xls", "danh-sach.doc"));
    CHECK(xls.doc.media_type == "application/vnd.ms-excel");
    CHECK(xls.doc.pages.size() == 2);
  }
  // A PDF called .docx is read as the PDF it is.
  Extracted pdf = extract(fixture("really-a-pdf.docx"));
  REQUIRE(pdf.status.ok());
  CHECK(pdf.doc.media_type == "application/pdf");
  CHECK(contains(pdf.doc.pages[0], "KẾ HOẠCH BÀI DẠY"));
}

TEST_CASE("A plain ZIP archive is not taken for an office document or e-book", "[office]") {
  Extracted e = extract(fixture("plain-archive.zip"));
  for (const char* ours : {"ooxml", "opendocument", "epub"}) CHECK(e.importer != ours);
  CHECK_FALSE(e.doc.media_type.starts_with("application/vnd.openxmlformats"));
}

TEST_CASE("Decomposed Vietnamese in a DOCX comes out NFC", "[office]") {
  Extracted e = extract(fixture("lao-hac-nfd.docx"));
  REQUIRE(e.status.ok());
  CHECK(is_nfc(e.doc));
  CHECK(e.doc.pages[1].starts_with("TÊN BÀI DẠY: LÃO HẠC (Nam Cao)"));
}

TEST_CASE("Broken office files give a clear reason, never a crash", "[office]") {
  Extracted truncated = extract(fixture("broken-truncated.docx"));
  CHECK(truncated.status.code() == kho::Status::Code::kCorrupt);
  CHECK(contains(truncated.status.message(), "truncated or damaged ZIP package"));

  Extracted bomb = extract(fixture("broken-zip-bomb.docx"));
  CHECK(bomb.status.code() == kho::Status::Code::kTooLarge);
  CHECK(contains(bomb.status.message(), "refused as a possible ZIP bomb"));

  Extracted empty = extract(fixture("broken-empty.docx"));
  CHECK_FALSE(empty.status.ok());
  CHECK(empty.status.message() == "empty file");

  // Entities are never expanded: not an external file (XXE), not a billion laughs.
  Extracted xxe = extract(fixture("broken-xxe.docx"));
  REQUIRE(xxe.status.ok());
  CHECK(xxe.doc.pages[0].starts_with("Bí mật: \nHết."));
  CHECK_FALSE(contains(xxe.doc.pages[0], "root:"));
  Extracted laughs = extract(fixture("broken-entities.docx"));
  CHECK(laughs.status.code() == kho::Status::Code::kCorrupt);
  CHECK(contains(laughs.status.message(), "damaged XML in word/document.xml"));
  CHECK_FALSE(contains(all_pages(laughs.doc), "lollol"));

  // An OLE2 header and nothing after it.
  TempDir dir;
  kho::testing::write_file(dir.path() / "cut.doc",
                           kho::testing::read_file(fixture("lao-hac.doc")).substr(0, 600));
  Extracted cut = extract(dir.path() / "cut.doc");
  CHECK(cut.status.code() == kho::Status::Code::kCorrupt);
  CHECK(contains(cut.status.message(), "damaged OLE2 compound file"));
}

TEST_CASE("A DOCX through the worker process", "[office][worker]") {
  if (!fs::exists(kho_binary())) {
    WARN("kho binary not built yet; worker test skipped");
    return;
  }
  imp::Document doc;
  kho::Status s = imp::extract_in_worker(kho_binary(), fixture("lao-hac.docx").string(), {}, &doc);
  REQUIRE(s.ok());
  REQUIRE(doc.pages.size() == 3);
  CHECK(doc.pages[1].starts_with("TÊN BÀI DẠY: LÃO HẠC"));
  CHECK(meta(doc, "title") == "Kế hoạch bài dạy: Lão Hạc (Ngữ văn 8)");
  CHECK(meta(doc, "date") == "2023-09-05");

  imp::Document none;
  kho::Status bomb =
      imp::extract_in_worker(kho_binary(), fixture("broken-zip-bomb.docx").string(), {}, &none);
  CHECK(bomb.code() == kho::Status::Code::kTooLarge);
  CHECK(contains(bomb.message(), "ZIP bomb"));
}
