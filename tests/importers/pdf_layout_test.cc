// The Decree 30 header read from PDFs as schools get them: made by LibreOffice
// from a Word file whose header is a two-column table (Poppler interleaves or
// separates the columns), and printed to PDF by Chromium from a legal website
// with the site's banner, menu and search box above the letter. The PDF and
// the file it was made from must give the same fields, as a user sees them.
// Fixtures: scripts/make-fixtures (write_pdf_sources).
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "importers/admin_doc.h"
#include "importers/importer.h"
#include "tests/importers/extract.h"
#include "tests/testing.h"

namespace fs = std::filesystem;
using kho::testing::fixture;
namespace imp = kho::importers;
using Meta = std::map<std::string, std::string>;

namespace {

imp::Document extract(const fs::path& path) {
  kho::testing::Extracted e = kho::testing::extract(path);
  INFO(path.string() << ": " << e.status.message());
  REQUIRE(e.status.ok());
  return e.doc;
}

// What a user sees of a document described by its layout.
Meta described(const imp::Document& doc) {
  static const char* const kNames[] = {"kind",       "number", "doc_type",    "issuer",
                                       "place",      "issued", "date",        "title",
                                       "recipients", "signer", "signer_role", "description"};
  Meta out;
  for (const char* name : kNames)
    if (auto it = doc.meta.find(name); it != doc.meta.end()) out[name] = it->second;
  return out;
}

const Meta kPlan44 = {
    {"kind", "admin-doc"},
    {"number", "44/KH-PGDĐT"},
    {"doc_type", "Kế hoạch"},
    {"issuer", "UBND HUYỆN CẨM GIÀNG – PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"},
    {"place", "Cẩm Giàng"},
    {"issued", "2022-10-04"},
    {"date", "2022-10-04"},
    {"recipients",
     "Sở GD&ĐT (Để báo cáo); Lãnh đạo, Chuyên viên Phòng GDĐT; Các trường MN, TH, THCS; "
     "Website Phòng GDĐT; Lưu: VT, CNTT"},
    {"signer", "Phạm Thị Oanh"},
    {"signer_role", "KT. TRƯỞNG PHÒNG – PHÓ TRƯỞNG PHÒNG"},
    {"title",
     "Thực hiện nhiệm vụ ứng dụng công nghệ thông tin và thống kê giáo dục năm học 2022 - 2023"},
};

const Meta kLetter4267 = {{"kind", "admin-doc"},
                          {"number", "4267/BGDĐT-CNTT"},
                          {"doc_type", "Công văn"},
                          {"issuer", "BỘ GIÁO DỤC VÀ ĐÀO TẠO"},
                          {"place", "Hà Nội"},
                          {"issued", "2023-08-18"},
                          {"date", "2023-08-18"},
                          {"recipients", "Như trên; Lưu: VT, Cục CNTT"},
                          {"signer_role", "KT. BỘ TRƯỞNG – THỨ TRƯỞNG"},
                          {"title", "Hướng dẫn thực hiện nhiệm vụ CNTT năm học 2023-2024"}};

const Meta kPlanMaoKhe = {
    {"kind", "admin-doc"},
    {"number", "205/KH-THCSMKh"},
    {"doc_type", "Kế hoạch"},
    {"issuer", "TRƯỜNG THCS MẠO KHÊ II"},
    {"place", "Mạo Khê"},
    {"issued", "2023-09-12"},
    {"date", "2023-09-12"},
    {"title", "Ứng dụng công nghệ thông tin và chuyển đổi số năm học 2023-2024"}};

void check_fields(const Meta& got, const Meta& want);

// A PDF's pages as Poppler reads them in one of its orders: raw (as the maker
// wrote the text: one column, then the other), physical (columns side by side
// on each line) or its default reading order.
std::vector<std::string> pages_in(const fs::path& path, poppler::page::text_layout_enum order) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path.string()));
  REQUIRE(doc);
  std::vector<std::string> pages;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    auto bytes = page->text(poppler::rectf(), order).to_utf8();
    pages.emplace_back(bytes.begin(), bytes.end());
  }
  return pages;
}

// What describe_document() makes of a PDF's text in each order, with the
// title the PDF maker wrote, as the PDF importer would have it.
void check_every_order(const fs::path& path, const std::string& pdf_title, const Meta& want) {
  for (auto order : {poppler::page::raw_order_layout, poppler::page::physical_layout,
                     poppler::page::non_raw_non_physical_layout}) {
    INFO(path.filename().string() << ", Poppler's order " << static_cast<int>(order));
    Meta meta;
    if (!pdf_title.empty()) meta["title"] = pdf_title;
    imp::describe_document(pages_in(path, order), &meta);
    if (want.count("date") == 0) meta.erase("date");
    check_fields(meta, want);
  }
}

// Field by field, so that a failure names the field and both values.
void check_fields(const Meta& got, const Meta& want) {
  for (const auto& [name, value] : want) {
    INFO(name);
    CHECK(got.count(name) == 1);
    if (auto it = got.find(name); it != got.end()) CHECK(it->second == value);
  }
  for (const auto& [name, value] : got) {
    INFO("unexpected " << name << ": " << value);
    CHECK(want.count(name) == 1);
  }
}

}  // namespace

TEST_CASE(
    "a plan exported to PDF by LibreOffice from its DOCX: the header table's columns "
    "interleaved and wrapped, every field as the DOCX gives it",
    "[layout][pdf]") {
  imp::Document pdf = extract(fixture("ke-hoach-44-nd30.pdf"));
  // The PDF's reading order runs the two cells' wrapped lines into each other.
  REQUIRE(pdf.pages.at(0).starts_with("UBND HUYỆN CẨM\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT\nGIÀNG\n"));
  check_fields(described(pdf), kPlan44);
  check_fields(described(extract(fixture("ke-hoach-44-nd30.docx"))), kPlan44);
}

TEST_CASE(
    "a ministry's letter printed to PDF by Chromium from a legal website: the site's "
    "banner is not its title, the letter's header is read below it",
    "[layout][pdf]") {
  imp::Document pdf = extract(fixture("cong-van-4267-web.pdf"));
  // What the browser put in the file: the page's title, the site's name.
  REQUIRE(pdf.pages.at(0).find("Hệ thống pháp luật") < pdf.pages.at(0).find("BỘ GIÁO DỤC"));
  Meta m = described(pdf);
  check_fields(m, kLetter4267);
  CHECK(m["title"].find("Hệ thống pháp luật") == std::string::npos);
  CHECK(m["issuer"].find("Hệ thống") == std::string::npos);
  // The web page itself, imported as HTML, reads the same.
  check_fields(described(extract(fixture("cong-van-4267-web.html"))), kLetter4267);
}

TEST_CASE(
    "a school's plan as PDF gets its own title, not its file name, from LibreOffice "
    "and from Chromium",
    "[layout][pdf]") {
  check_fields(described(extract(fixture("ke-hoach-cntt-mao-khe.pdf"))), kPlanMaoKhe);
  check_fields(described(extract(fixture("ke-hoach-cntt-mao-khe.docx"))), kPlanMaoKhe);
  // Printed by Chromium from the school's web page, which has no <title>: the
  // PDF's title is the page's file name, which gives way to the plan's own.
  imp::Document web = extract(fixture("ke-hoach-cntt-mao-khe-web.pdf"));
  check_fields(described(web), kPlanMaoKhe);
}

TEST_CASE("the three PDFs give the same fields in each of Poppler's reading orders",
          "[layout][pdf]") {
  check_every_order(fixture("ke-hoach-44-nd30.pdf"), "", kPlan44);
  check_every_order(fixture("cong-van-4267-web.pdf"), "Hệ thống pháp luật", kLetter4267);
  check_every_order(fixture("ke-hoach-cntt-mao-khe.pdf"), "", kPlanMaoKhe);
}

TEST_CASE("the nation's name in a decision's grounds is not where the document starts",
          "[layout]") {
  // A scan of the page under the header: no motto, but the grounds name the nation.
  Meta meta;
  imp::describe_document({"QUYẾT ĐỊNH\nVề việc công nhận tốt nghiệp trung học cơ sở\n"
                          "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n"
                          "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;\n"},
                         &meta);
  CHECK(meta["kind"] == "admin-doc");
  CHECK(meta["doc_type"] == "Quyết định");
  CHECK(meta["title"] == "Về việc công nhận tốt nghiệp trung học cơ sở");
}
