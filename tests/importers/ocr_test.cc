// Scans through OCR (Tesseract, vie+eng) on files ImageMagick rendered from
// Vietnamese text (scripts/make-fixtures): a PNG, a JPEG, a two-page TIFF, an
// image-only PDF and a PDF with one text page and one scanned page; and bad
// images that must be refused with their reason. OCR may misread a letter
// here and there, so a word is checked exactly where the fixture reads
// reliably and without diacritics where one mark is known to go astray.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "importers/importer.h"
#include "importers/worker.h"
#include "tests/importers/extract.h"
#include "tests/testing.h"
#include "text/vietnamese.h"

namespace fs = std::filesystem;
using kho::testing::fixture;
namespace imp = kho::importers;
using kho::testing::extract;
using kho::testing::Extracted;
using kho::testing::read_file;
using kho::testing::sample;
using kho::testing::source_dir;
using kho::testing::TempDir;
using kho::testing::write_file;

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The same text without diacritics, for words where OCR drops a mark.
bool contains_folded(std::string_view haystack, std::string_view needle) {
  return contains(kho::text::fold(haystack), kho::text::fold(needle));
}

bool is_nfc(const imp::Document& doc) {
  for (const auto& page : doc.pages)
    if (kho::text::nfc(page) != page) return false;
  return true;
}

// OCR's confidence for a page that was read: present and plausible.
void check_confidence(const imp::Document& doc, std::uint32_t page) {
  INFO("page " << page);
  REQUIRE(doc.ocr_confidence.count(page) == 1);
  CHECK(doc.ocr_confidence.at(page) > 60);
  CHECK(doc.ocr_confidence.at(page) <= 100);
}

// A copy of a fixture cut to `size` bytes, or with `garbage` written at `at`.
fs::path damaged(const TempDir& dir, const std::string& name, std::size_t size, std::size_t at = 0,
                 const std::string& garbage = "") {
  std::string bytes = read_file(fixture(name)).substr(0, size);
  if (!garbage.empty()) bytes.replace(at, garbage.size(), garbage);
  fs::path path = dir.path() / ("damaged-" + name);
  write_file(path, bytes);
  return path;
}

}  // namespace

TEST_CASE("A PNG scan is read by OCR with its Vietnamese diacritics") {
  auto [status, doc] = extract(fixture("scan-quyet-dinh.png"));
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(doc.media_type == "image/png");
  REQUIRE(doc.pages.size() == 1);
  const std::string& text = doc.pages[0];
  INFO(text);
  CHECK(contains(text, "QUYẾT ĐỊNH"));
  CHECK(contains(text, "công nhận tốt nghiệp trung học cơ sở"));
  CHECK(contains(text, "Trường THCS Mạo Khê"));
  CHECK(contains(text, "Hiệu trưởng"));
  CHECK(is_nfc(doc));
  check_confidence(doc, 1);
}

TEST_CASE("A JPEG scan with speckles is read by OCR") {
  auto [status, doc] = extract(fixture("scan-thong-bao.jpg"));
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(doc.media_type == "image/jpeg");
  REQUIRE(doc.pages.size() == 1);
  const std::string& text = doc.pages[0];
  INFO(text);
  CHECK(contains(text, "TRƯỜNG THPT CHU VĂN AN"));
  CHECK(contains(text, "Tuyển sinh vào lớp 10"));
  CHECK(contains(text, "bằng tốt nghiệp"));
  CHECK(contains(text, "giấy chứng nhận"));
  check_confidence(doc, 1);
}

TEST_CASE("Text on a transparent background is read as on white paper") {
  auto [status, doc] = extract(fixture("scan-transparent.png"));
  INFO(status.message());
  REQUIRE(status.ok());
  INFO(doc.pages.at(0));
  CHECK(contains(doc.pages.at(0), "Trường THCS Mạo Khê"));
  CHECK(contains(doc.pages.at(0), "danh sách tốt nghiệp"));
  check_confidence(doc, 1);
}

TEST_CASE("A JPEG with data after its end, as phones append a video, is still read") {
  TempDir dir;
  fs::path path = dir.path() / "motion-photo.jpg";
  write_file(path, read_file(fixture("scan-thong-bao.jpg")) + std::string(64 << 10, '\x42'));
  auto [status, doc] = extract(path);
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(contains(doc.pages.at(0), "Tuyển sinh vào lớp 10"));
}

TEST_CASE("A page a phone saved sideways is turned upright by its EXIF orientation, then read") {
  auto [status, doc] = extract(fixture("scan-dien-thoai.jpg"));
  INFO(status.message());
  REQUIRE(status.ok());
  const std::string& text = doc.pages.at(0);
  INFO(text);
  CHECK(contains(text, "TRƯỜNG THPT CHU VĂN AN"));
  CHECK(contains(text, "Tuyển sinh vào lớp 10"));
  check_confidence(doc, 1);
}

TEST_CASE("Each page of a multi-page TIFF is a page of its own") {
  auto [status, doc] = extract(fixture("scan-so-goc.tif"));
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(doc.media_type == "image/tiff");
  REQUIRE(doc.pages.size() == 2);
  INFO(doc.pages[0] << "\n---\n" << doc.pages[1]);
  // Bilevel capitals lose their marks more often: "SỔ GỐC" may come out bare.
  CHECK(contains_folded(doc.pages[0], "SỔ GỐC CẤP VĂN BẰNG"));
  CHECK(contains(doc.pages[0], "Trường THCS Nguyễn Trãi"));
  CHECK(contains(doc.pages[0], "tốt nghiệp"));
  CHECK_FALSE(contains(doc.pages[0], "Hương"));
  CHECK(contains(doc.pages[1], "Trần Thị Hương"));
  CHECK(contains(doc.pages[1], "Xếp loại tốt nghiệp"));
  check_confidence(doc, 1);
  check_confidence(doc, 2);
}

TEST_CASE("A PDF of scanned pages is rendered and read by OCR") {
  auto [status, doc] = extract(fixture("scan-ke-hoach.pdf"));
  INFO(status.message());
  REQUIRE(status.ok());
  CHECK(doc.media_type == "application/pdf");
  REQUIRE(doc.pages.size() == 1);
  const std::string& text = doc.pages[0];
  INFO(text);
  CHECK(contains_folded(text, "KẾ HOẠCH"));
  CHECK(contains(text, "Chuyển đổi số trong nhà trường"));
  CHECK(contains(text, "Trường Tiểu học Hòa Bình"));
  CHECK(contains(text, "Thư viện số"));
  check_confidence(doc, 1);
}

TEST_CASE("In a mixed PDF only the page without text is OCRed") {
  auto [status, doc] = extract(fixture("mixed-text-and-scan.pdf"));
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(doc.pages.size() == 2);
  // Page 1 is page 1 of the sample PDF: its text layer, exactly, no OCR.
  auto original = extract(sample("ke-hoach-44-KH-PGDDT.pdf"));
  REQUIRE(original.status.ok());
  CHECK(doc.pages[0] == original.doc.pages[0]);
  CHECK(contains(doc.pages[0], "44/KH-PGDĐT"));
  CHECK(doc.ocr_confidence.count(1) == 0);
  INFO(doc.pages[1]);
  CHECK(contains(doc.pages[1], "Chuyển đổi số trong nhà trường"));
  check_confidence(doc, 2);
  CHECK(doc.ocr_confidence.size() == 1);
}

TEST_CASE("A scanned PDF page whose text layer is garbage is OCRed instead") {
  // Under the image: "Ban sao dien tu tu may quet" and 60 private-use code points.
  auto [status, doc] = extract(fixture("scan-garbage-text.pdf"));
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(doc.pages.size() == 1);
  const std::string& text = doc.pages[0];
  INFO(text);
  CHECK_FALSE(contains(text, "may quet"));
  CHECK_FALSE(contains(text, "\uE000"));
  CHECK(contains(text, "Chuyển đổi số trong nhà trường"));
  check_confidence(doc, 1);
}

TEST_CASE("A PDF with a text layer on every page is not OCRed") {
  auto [status, doc] = extract(sample("ke-hoach-44-KH-PGDDT.pdf"));
  REQUIRE(status.ok());
  CHECK(doc.pages.size() > 1);
  CHECK(doc.ocr_confidence.empty());
}

TEST_CASE("An image claiming huge dimensions is refused before it is decoded") {
  // 784 megapixels in 95 KB: decoded it would take gigabytes.
  auto [status, doc] = extract(fixture("broken-bomb.png"));
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == kho::Status::Code::kTooLarge);
  CHECK(status.message() == "image too large: 28000x28000 pixels (more than 80 megapixels)");
}

TEST_CASE("Truncated and damaged images are refused with their reason") {
  TempDir dir;
  SECTION("a PNG cut in half") {
    auto [status, doc] = extract(fixture("broken-truncated.png"));
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "truncated PNG image (no end marker)");
  }
  SECTION("a JPEG cut in half") {
    auto size = fs::file_size(fixture("scan-thong-bao.jpg"));
    auto [status, doc] = extract(damaged(dir, "scan-thong-bao.jpg", size / 2));
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "truncated JPEG image (no end marker)");
  }
  SECTION("a PNG with garbage in the middle of its pixels") {
    auto size = fs::file_size(fixture("scan-quyet-dinh.png"));
    auto [status, doc] =
        extract(damaged(dir, "scan-quyet-dinh.png", size, size / 2, std::string(64, '\x5A')));
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "damaged PNG image (cannot be decoded)");
  }
  SECTION("a TIFF cut in half") {
    auto size = fs::file_size(fixture("scan-so-goc.tif"));
    auto [status, doc] = extract(damaged(dir, "scan-so-goc.tif", size / 2));
    REQUIRE_FALSE(status.ok());
    INFO(status.message());
    CHECK(contains(status.message(), "damaged TIFF image"));
  }
  SECTION("only the header of a PNG") {
    auto [status, doc] = extract(damaged(dir, "scan-quyet-dinh.png", 40));
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == "truncated PNG image (no end marker)");
  }
}

TEST_CASE("Scans go through the worker process within its limits") {
  if (!fs::exists(kho::testing::kho_binary())) {
    WARN("kho binary not built yet; worker test skipped");
    return;
  }
  imp::Document doc;
  kho::Status status = imp::extract_in_worker(
      kho::testing::kho_binary(), fixture("scan-so-goc.tif").string(), imp::WorkerLimits{}, &doc);
  INFO(status.message());
  REQUIRE(status.ok());
  REQUIRE(doc.pages.size() == 2);
  CHECK(contains(doc.pages[1], "Trần Thị Hương"));
  check_confidence(doc, 2);
  imp::Document bomb;
  status = imp::extract_in_worker(kho::testing::kho_binary(), fixture("broken-bomb.png").string(),
                                  imp::WorkerLimits{}, &bomb);
  CHECK(status.message() == "image too large: 28000x28000 pixels (more than 80 megapixels)");
}
