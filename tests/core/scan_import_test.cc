// A scan imported through the Library, as `kho import` does it: parsed by OCR
// in the worker process, stored with its OCR confidence, and found by search
// with or without diacritics.
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/library.h"
#include "tests/core/library_fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::search_ids;
using kho::testing::TempDir;
namespace fs = std::filesystem;
using kho::testing::fixture;

TEST_CASE("an imported scan is searchable by the words OCR read") {
  TempDir dir;
  std::unique_ptr<Library> library;
  REQUIRE(Library::open(dir.str() + "/data", true, &library).ok());
  ImportOptions options;
  if (fs::exists(kho::testing::kho_binary())) options.worker_exe = kho::testing::kho_binary();
  options.kind = "admin-doc";
  store::Record png, pdf;
  bool duplicate = true;
  Status s =
      library->import_file(fixture("scan-quyet-dinh.png").string(), options, &png, &duplicate);
  INFO(s.message());
  REQUIRE(s.ok());
  CHECK_FALSE(duplicate);
  CHECK(png.dc.at("format") == "image/png");
  REQUIRE(png.ocr_confidence.count(1) == 1);
  CHECK(png.ocr_confidence.at(1) > 60);
  s = library->import_file(fixture("scan-ke-hoach.pdf").string(), options, &pdf, &duplicate);
  INFO(s.message());
  REQUIRE(s.ok());

  CHECK(search_ids(*library, "tot nghiep mao khe") == std::vector<store::RecordId>{png.id});
  CHECK(search_ids(*library, "\"Trường THCS Mạo Khê\"") == std::vector<store::RecordId>{png.id});
  CHECK(search_ids(*library, "chuyển đổi số hoà bình") == std::vector<store::RecordId>{pdf.id});

  // The text is stored as read, page by page, so `kho show` and snippets have it.
  std::string text;
  REQUIRE(library->store().page_text(png.id, 1, &text).ok());
  CHECK(text.find("Điều 1. Công nhận") != std::string::npos);
}
