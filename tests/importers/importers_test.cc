// Importers on real files: the samples made by scripts/make-samples, damaged
// and encrypted copies made from them here, and small files written by hand
// where the point is one byte pattern (a BOM, NFD letters, a charset).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "importers/importer.h"
#include "importers/worker.h"
#include "tests/importers/extract.h"
#include "tests/testing.h"
#include "text/vietnamese.h"

namespace fs = std::filesystem;
namespace imp = kho::importers;
using kho::testing::extract;
using kho::testing::Extracted;
using kho::testing::read_file;
using kho::testing::sample;
using kho::testing::TempDir;
using kho::testing::write_file;

namespace {

const char* const kPdf = "ke-hoach-44-KH-PGDDT.pdf";
const char* const kHtml = "khbd-toan-6-phan-so.html";
const char* const kUtf16 = "qd-cong-nhan-tot-nghiep-utf16.txt";

// Writes `bytes` to a file in `dir` and extracts it.
Extracted extract_bytes(const TempDir& dir, const std::string& name, const std::string& bytes) {
  write_file(dir.path() / name, bytes);
  return extract(dir.path() / name);
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string all_text(const imp::Document& doc) {
  std::string text;
  for (const auto& page : doc.pages) text += page + "\n";
  return text;
}

bool is_nfc(const imp::Document& doc) {
  for (const auto& page : doc.pages)
    if (kho::text::nfc(page) != page) return false;
  for (const auto& [name, value] : doc.meta)
    if (kho::text::nfc(value) != value) return false;
  return true;
}

std::string meta(const imp::Document& doc, const std::string& name) {
  auto it = doc.meta.find(name);
  return it == doc.meta.end() ? "" : it->second;
}

bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// A one-page PDF with no text layer, like a scan before OCR: the smallest file
// Poppler reads without repairing, with a correct cross-reference table.
std::string pdf_without_text() {
  const char* objects[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                           "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                           "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"};
  std::string pdf = "%PDF-1.4\n";
  std::string xref = "xref\n0 4\n0000000000 65535 f \n";
  for (int i = 0; i < 3; ++i) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", pdf.size());
    xref += entry;
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t at = pdf.size();
  return pdf + xref + "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + std::to_string(at) +
         "\n%%EOF\n";
}

// UTF-8 (BMP only) to UTF-16 with a BOM, for the byte orders Notepad writes.
std::string utf16_with_bom(const std::string& utf8, bool little_endian) {
  std::u16string units;
  for (std::size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : 3;
    char16_t u = len == 1 ? c : len == 2 ? (c & 0x1F) : (c & 0x0F);
    for (int k = 1; k < len; ++k) u = static_cast<char16_t>(u << 6 | (utf8[i + k] & 0x3F));
    units += u;
    i += len;
  }
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t u : units) {
    char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out += little_endian ? std::string{lo, hi} : std::string{hi, lo};
  }
  return out;
}

}  // namespace

TEST_CASE("A LibreOffice PDF gives its pages, Vietnamese text and document information") {
  auto [status, doc] = extract(sample(kPdf));
  REQUIRE(status.ok());
  CHECK(doc.media_type == "application/pdf");
  CHECK(meta(doc, "format") == "application/pdf");
  REQUIRE(doc.pages.size() >= 3);
  CHECK(meta(doc, "pages") == std::to_string(doc.pages.size()));
  CHECK(contains(doc.pages[0], "Số: 44/KH-PGDĐT"));
  CHECK(contains(doc.pages[0], "Cẩm Giàng, ngày 04 tháng 10 năm 2022"));
  CHECK(contains(doc.pages.back(), "Phạm Thị Oanh"));  // the signer
  CHECK(is_nfc(doc));
  CHECK(contains(meta(doc, "title"), "Kế hoạch thực hiện nhiệm vụ ứng dụng CNTT"));
  CHECK(meta(doc, "creator") == "Phòng Giáo dục và Đào tạo Cẩm Giàng");
  CHECK(contains(meta(doc, "keywords"), "chuyển đổi số"));
  CHECK(meta(doc, "date").size() == 10);  // YYYY-MM-DD
  CHECK(meta(doc, "date")[4] == '-');
}

TEST_CASE("PDF text comes in reading order, without layout padding") {
  auto [status, doc] = extract(sample(kPdf));
  REQUIRE(status.ok());
  CHECK_FALSE(contains(doc.pages[0], "     "));
}

TEST_CASE("A truncated PDF is refused as damaged, not half read") {
  TempDir dir;
  std::string pdf = read_file(sample(kPdf));
  for (std::size_t size : {pdf.size() / 2, pdf.size() - 40, std::size_t{200}}) {
    CAPTURE(size);
    auto [status, doc] = extract_bytes(dir, "cut.pdf", pdf.substr(0, size));
    REQUIRE_FALSE(status.ok());
    CHECK(contains(status.message(), "truncated or damaged PDF"));
  }
}

TEST_CASE("A PDF padded after its end marker is still read") {
  TempDir dir;
  std::string pdf = read_file(sample(kPdf));
  auto [status, doc] = extract_bytes(dir, "padded.pdf", pdf + std::string(4096, '\0') + "\r\n");
  REQUIRE(status.ok());
  CHECK(contains(doc.pages[0], "PGDĐT"));
}

TEST_CASE("An encrypted PDF asks for its password, an owner-only lock does not stop reading") {
  if (!have("qpdf")) {
    WARN("qpdf is not installed; encrypted PDFs not tested");
    return;
  }
  TempDir dir;
  std::string in = sample(kPdf).string(), locked = (dir.path() / "locked.pdf").string(),
              owner_only = (dir.path() / "owner-only.pdf").string();
  REQUIRE(std::system(("qpdf --encrypt user owner 256 -- '" + in + "' '" + locked + "'").c_str()) ==
          0);
  REQUIRE(std::system(
              ("qpdf --encrypt '' owner 256 -- '" + in + "' '" + owner_only + "'").c_str()) == 0);
  auto [status, doc] = extract(locked);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() == "encrypted PDF (password required)");
  auto readable = extract(owner_only);
  REQUIRE(readable.status.ok());
  CHECK(contains(readable.doc.pages[0], "PGDĐT"));
}

// A PDF of `pages` pages written by hand, each saying "Trang N": small however
// many pages it claims, as a hostile file would be.
std::string pdf_of_pages(int pages) {
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", "",
                                      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string kids;
  for (int i = 1; i <= pages; ++i) {
    std::string text = "BT /F1 12 Tf 72 720 Td (Trang " + std::to_string(i) + ") Tj ET";
    int page_obj = static_cast<int>(objects.size()) + 1;
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
        "<< /F1 3 0 R >> >> /Contents " +
        std::to_string(page_obj + 1) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(text.size()) + " >>\nstream\n" + text +
                      "\nendstream");
    kids += std::to_string(page_obj) + " 0 R ";
  }
  objects[1] = "<< /Type /Pages /Count " + std::to_string(pages) + " /Kids [" + kids + "] >>";
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char line[21];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

TEST_CASE("A PDF of more pages than any book is refused with its count, three pages read") {
  TempDir dir;
  auto [small_status, small] = extract_bytes(dir, "ba-trang.pdf", pdf_of_pages(3));
  REQUIRE(small_status.ok());
  REQUIRE(small.pages.size() == 3);
  CHECK(contains(small.pages[2], "Trang 3"));
  auto [status, doc] = extract_bytes(dir, "qua-nhieu-trang.pdf", pdf_of_pages(20001));
  CHECK(status.message() == "PDF has 20001 pages, more than 20000");
}

TEST_CASE("A PDF page without a text layer is kept as an empty page") {
  TempDir dir;
  auto [status, doc] = extract_bytes(dir, "scan.pdf", pdf_without_text());
  REQUIRE(status.ok());
  REQUIRE(doc.pages.size() == 1);
  CHECK(doc.pages[0].find_first_not_of(" \n\f") == std::string::npos);
}

TEST_CASE("Content decides the format, not the file name") {
  TempDir dir;
  SECTION("a PDF named .txt is read as PDF") {
    auto [status, doc] = extract_bytes(dir, "ke-hoach.txt", read_file(sample(kPdf)));
    REQUIRE(status.ok());
    CHECK(doc.media_type == "application/pdf");
    CHECK(contains(all_text(doc), "Cẩm Giàng"));
  }
  SECTION("a PDF after some leading garbage is read as PDF") {
    auto [status, doc] =
        extract_bytes(dir, "mail.bin", "From: x\r\n\r\n" + read_file(sample(kPdf)));
    REQUIRE(status.ok());
    CHECK(doc.media_type == "application/pdf");
  }
  SECTION("text named .pdf is read as text") {
    auto [status, doc] = extract_bytes(dir, "bao-cao.pdf", "Báo cáo tổng kết năm học\n");
    REQUIRE(status.ok());
    CHECK(doc.media_type == "text/plain");
    CHECK(doc.pages[0] == "Báo cáo tổng kết năm học\n");
  }
  SECTION("HTML named .txt is read as HTML") {
    auto [status, doc] = extract_bytes(dir, "trang.txt", read_file(sample(kHtml)));
    REQUIRE(status.ok());
    CHECK(doc.media_type == "text/html");
  }
}

TEST_CASE("Files that are not documents get a plain reason") {
  TempDir dir;
  SECTION("an empty file") {
    auto [status, doc] = extract_bytes(dir, "empty.pdf", "");
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "empty file");
  }
  SECTION("binary bytes") {
    std::string bytes;
    for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i * 7 % 256);
    auto [status, doc] = extract_bytes(dir, "data.txt", bytes);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == kho::Status::Code::kUnsupported);
    CHECK(status.message() == "unsupported format (starts with 00 07 0e 15 1c 23 2a 31)");
  }
  SECTION("a Word document") {
    auto [status, doc] = extract_bytes(dir, "giao-an.docx", std::string("PK\x03\x04\x14\0\0\0", 8));
    REQUIRE_FALSE(status.ok());
    CHECK(contains(status.message(), "unsupported format (a ZIP container such as DOCX"));
  }
  SECTION("8-bit text in no Vietnamese encoding") {
    std::string latin1;
    for (int i = 0; i < 4; ++i)
      latin1 += "L'\xe9l\xe8ve a visit\xe9 le ch\xe2teau pr\xe8s de la for\xeat.\n";
    auto [status, doc] = extract_bytes(dir, "fr.txt", latin1);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() ==
          "text is neither UTF-8 nor Vietnamese in TCVN3, VNI or Windows-1258; save it as UTF-8");
  }
  SECTION("a missing file") {
    auto [status, doc] = extract(dir.path() / "no-such.pdf");
    REQUIRE_FALSE(status.ok());
    CHECK(status.is_not_found());
    CHECK(status.message() == "file not found");
  }
  SECTION("a named pipe is refused, not waited on") {
    std::string fifo = (dir.path() / "pipe.txt").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto [status, doc] = extract(fifo);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "not a regular file");
  }
  SECTION("a folder") {
    auto [status, doc] = extract(dir.path());
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "a folder, not a file");
  }
}

TEST_CASE("text typed in TCVN3 on an old office PC is read as Vietnamese") {
  TempDir dir;
  // "Thực hiện chuyển đổi số" in TCVN3 bytes: not UTF-8 at all.
  auto [status, doc] = extract_bytes(dir, "cv.txt",
                                     "Th\xf9"
                                     "c hi\xd6n chuy\xd3n \xae\xe6i s\xe8\n");
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(doc.pages[0] == "Thực hiện chuyển đổi số\n");
  CHECK(meta(doc, "title") == "Thực hiện chuyển đổi số");
}

TEST_CASE("UTF-16 text with a byte order mark is decoded") {
  auto [status, doc] = extract(sample(kUtf16));
  REQUIRE(status.ok());
  CHECK(doc.media_type == "text/plain");
  // Not the first line: the decision's summary (admin_doc.h).
  CHECK(meta(doc, "title") == "Về việc công nhận tốt nghiệp trung học cơ sở năm học 2022-2023");
  CHECK(contains(doc.pages[0], "Số: 215/QĐ-PGDĐT"));
  CHECK(is_nfc(doc));

  TempDir dir;
  auto be = extract_bytes(dir, "be.txt", utf16_with_bom("Quyết định công nhận\n", false));
  REQUIRE(be.status.ok());
  CHECK(be.doc.pages[0] == "Quyết định công nhận\n");
}

TEST_CASE("Plain text: NFC, pages at form feeds, a title from the first line") {
  TempDir dir;
  SECTION("NFD letters come out NFC") {
    // "Tiếng Việt" with the marks as separate combining characters (macOS, some PDFs).
    std::string nfd = "Tie\xcc\x82\xcc\x81ng Vie\xcc\xa3\xcc\x82t\n";
    auto [status, doc] = extract_bytes(dir, "nfd.txt", nfd);
    REQUIRE(status.ok());
    CHECK(doc.pages[0] == "Tiếng Việt\n");
    CHECK(meta(doc, "title") == "Tiếng Việt");
  }
  SECTION("a UTF-8 BOM is dropped and Windows line ends become \\n") {
    auto [status, doc] = extract_bytes(dir, "bom.txt", "\xEF\xBB\xBF  Thông báo\r\nNội dung\r\n");
    REQUIRE(status.ok());
    CHECK(doc.pages[0] == "  Thông báo\nNội dung\n");
    CHECK(meta(doc, "title") == "Thông báo");
  }
  SECTION("form feeds separate pages; a final one adds no empty page") {
    auto [status, doc] = extract_bytes(dir, "ff.txt", "\n\nTrang một\n\fTrang hai\n\f");
    REQUIRE(status.ok());
    REQUIRE(doc.pages.size() == 2);
    CHECK(doc.pages[1] == "Trang hai\n");
    CHECK(meta(doc, "title") == "Trang một");
  }
  SECTION("a long first line makes a title cut between words") {
    std::string line;
    for (int i = 0; i < 100; ++i) line += "Đường ";
    auto [status, doc] = extract_bytes(dir, "long.txt", line + "\n");
    REQUIRE(status.ok());
    std::string title = meta(doc, "title");
    CHECK(title.size() < line.size());
    CHECK(title.ends_with("Đường"));
    CHECK(kho::text::valid_utf8(title) == title);
    CHECK_FALSE(contains(title, "\xEF\xBF\xBD"));
  }
  SECTION("a stray bad byte far into a UTF-8 file is replaced, not fatal") {
    std::string text = std::string(5000, 'a') + " h\xe1\xbb\n";  // cut inside "ọ"
    auto [status, doc] = extract_bytes(dir, "cut.txt", text);
    REQUIRE(status.ok());
    CHECK(contains(doc.pages[0], "h\xEF\xBF\xBD"));
  }
  SECTION("binary data after a text-like start is refused") {
    auto [status, doc] = extract_bytes(dir, "mixed.txt", std::string(5000, 'a') + '\0' + "b");
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "binary data inside a text file");
  }
  SECTION("whitespace only still gives one page") {
    auto [status, doc] = extract_bytes(dir, "blank.txt", "\n\n");
    REQUIRE(status.ok());
    CHECK(doc.pages.size() == 1);
    CHECK(doc.meta.count("title") == 0);
  }
}

TEST_CASE("HTML: visible text, title, author and language, without scripts and styles") {
  auto [status, doc] = extract(sample(kHtml));
  REQUIRE(status.ok());
  CHECK(doc.media_type == "text/html");
  CHECK(meta(doc, "title") == "Kế hoạch bài dạy: Phân số với tử và mẫu là số nguyên (Toán 6)");
  CHECK(meta(doc, "creator") == "Nguyễn Thị Thu Hằng");
  CHECK(meta(doc, "language") == "vi");
  REQUIRE(doc.pages.size() == 1);
  CHECK(doc.pages[0].starts_with("KẾ HOẠCH BÀI DẠY\n"));
  CHECK(contains(doc.pages[0], "Trường: THCS Mạo Khê II"));
  CHECK_FALSE(contains(doc.pages[0], "console.log"));
  CHECK_FALSE(contains(doc.pages[0], "không được lập chỉ mục"));
  CHECK_FALSE(contains(doc.pages[0], "font-family"));
  CHECK(is_nfc(doc));
}

TEST_CASE("HTML: blocks on their own lines, source line breaks are spaces") {
  TempDir dir;
  auto [status, doc] = extract_bytes(
      dir, "p.html",
      "<!-- saved page -->\n<html><body><div>Mục\ntiêu&nbsp;bài <b>học</b></div><ul><li>Kiến "
      "thức</li><li>Kỹ năng</li></ul><pre>a\n  b</pre>"
      "<meta name=description content='Bài 1'><meta name=KEYWORDS content='toán, phân số'>");
  REQUIRE(status.ok());
  CHECK(doc.pages[0] == "Mục tiêu bài học\nKiến thức\nKỹ năng\na\nb");
  CHECK(meta(doc, "description") == "Bài 1");
  CHECK(meta(doc, "keywords") == "toán, phân số");
}

TEST_CASE("HTML: the declared charset is honoured and the result is NFC UTF-8") {
  TempDir dir;
  SECTION("windows-1258, which writes tones as combining marks") {
    // "Hà Nội": 'ộ' is ô (F4) followed by the combining dot below (F2).
    auto [status, doc] = extract_bytes(
        dir, "cp1258.html",
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1258'>"
        "<title>H\xe0 N\xf4\xf2i</title></head><body><p>Tr\xfd\xf5\xccng</p></body></html>");
    REQUIRE(status.ok());
    CHECK(meta(doc, "title") == "Hà Nội");
    CHECK(doc.pages[0] == "Trường");
    CHECK(is_nfc(doc));
  }
  SECTION("HTML5 <meta charset>") {
    auto [status, doc] =
        extract_bytes(dir, "latin1.html", "<!DOCTYPE html><meta charset=iso-8859-1><p>caf\xe9</p>");
    REQUIRE(status.ok());
    CHECK(doc.pages[0] == "café");
  }
  SECTION("UTF-16 with a byte order mark") {
    auto [status, doc] = extract_bytes(
        dir, "utf16.htm", utf16_with_bom("<html><title>Thời khóa biểu</title><p>Lớp 6A</p>", true));
    REQUIRE(status.ok());
    CHECK(doc.media_type == "text/html");
    CHECK(meta(doc, "title") == "Thời khóa biểu");
    CHECK(doc.pages[0] == "Lớp 6A");
  }
  SECTION("no charset: UTF-8 is assumed, not Latin-1") {
    auto [status, doc] = extract_bytes(dir, "plain.html", "<html><p>Giáo dục</p></html>");
    REQUIRE(status.ok());
    CHECK(doc.pages[0] == "Giáo dục");
  }
  SECTION("no charset, one bad byte: the rest is still UTF-8") {
    auto [status, doc] =
        extract_bytes(dir, "bad.html", "<html><p>Giáo dục \xff và Đào tạo</p></html>");
    REQUIRE(status.ok());
    CHECK(contains(doc.pages[0], "và Đào tạo"));
  }
}

TEST_CASE("Pick chooses by content with the sniffed head") {
  const auto& registry = imp::Registry::builtin();
  std::string why;
  CHECK(registry.pick({"%PDF-1.7\n", "a.html"}, &why)->name() == "pdf");
  CHECK(registry.pick({"<!doctype html><p>%PDF-1.7 header", "a.pdf"}, &why)->name() == "html");
  CHECK(registry.pick({"\xEF\xBB\xBF  <!DOCTYPE HTML>", "a.pdf"}, &why)->name() == "html");
  CHECK(registry.pick({"<?xml version='1.0'?><html xmlns='x'>", "a"}, &why)->name() == "html");
  CHECK(registry.pick({"Số: 44/KH-PGDĐT", "a.pdf"}, &why)->name() == "text");
  CHECK(registry.pick({std::string_view("\xFF\xFE\x41\x00", 4), "a"}, &why)->name() == "text");
  CHECK(registry.pick({std::string_view("\xFF\xFE\x01\x00\x02\x00", 6), "a"}, &why) == nullptr);
  CHECK(registry.pick({"", "a.txt"}, &why) == nullptr);
  CHECK(why == "empty file");
  CHECK(registry.by_name("html") != nullptr);
  CHECK(registry.by_name("docx") == nullptr);
}

TEST_CASE("A Document survives the JSON round trip unchanged") {
  imp::Document doc{"text/plain",
                    {{"title", "Kế hoạch \"số\" 44"}, {"creator", "Phòng GD&ĐT"}},
                    {"Trang 1\n\ttab", "", "Trang 3 \\ \x01"},
                    {},
                    {}};
  imp::Document entry;  // a catalogue's entry: metadata only
  entry.media_type = "application/marc";
  entry.meta = {{"title", "Truyện Kiều"}, {"isbn", "9786046927143"}};
  doc.entries = {entry, entry};
  imp::Document back;
  REQUIRE(imp::from_json(imp::to_json(doc), &back).ok());
  CHECK(back.media_type == doc.media_type);
  CHECK(back.meta == doc.meta);
  CHECK(back.pages == doc.pages);
  REQUIRE(back.entries.size() == 2);
  CHECK(back.entries[1].meta == entry.meta);
  CHECK(back.entries[1].media_type == "application/marc");

  for (const char* bad : {"", "[1,2]", "{\"media_type\":1}", "{\"pages\":\"x\"}"}) {
    CAPTURE(bad);
    kho::Status s = imp::from_json(bad, &back);
    CHECK_FALSE(s.ok());
  }
}
