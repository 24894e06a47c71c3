// End to end: PDFs as schools get them (a letter printed by Chromium from a
// legal website, a school's plan exported by LibreOffice) imported through the
// library (worker process, store, index) are records titled by their summary,
// of kind admin-doc, with their number and issuer: not the site's name, not
// the file's name. Fixtures: scripts/make-fixtures (write_pdf_sources).
#include <catch2/catch.hpp>

#include "core/library.h"
#include "tests/core/library_fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::fixture;
using kho::testing::search_ids;

TEST_CASE("a letter printed from a legal website and a school's plan, imported as PDF") {
  kho::testing::TempDir dir;
  auto library = kho::testing::open_library(dir);
  ImportOptions options = kho::testing::worker_options();
  options.school = "PGD-CG";
  store::Record letter, plan;
  bool duplicate = false;
  REQUIRE(
      library->import_file(fixture("cong-van-4267-web.pdf").string(), options, &letter, &duplicate)
          .ok());
  CHECK(letter.kind == "admin-doc");
  CHECK(letter.dc.at("title") == "Hướng dẫn thực hiện nhiệm vụ CNTT năm học 2023-2024");
  CHECK(letter.dc.at("date") == "2023-08-18");
  CHECK(letter.fields.at("number") == "4267/BGDĐT-CNTT");
  CHECK(letter.fields.at("doc_type") == "Công văn");
  CHECK(letter.fields.at("issuer") == "BỘ GIÁO DỤC VÀ ĐÀO TẠO");
  CHECK(letter.fields.at("place") == "Hà Nội");

  REQUIRE(
      library
          ->import_file(fixture("ke-hoach-cntt-mao-khe.pdf").string(), options, &plan, &duplicate)
          .ok());
  CHECK(plan.kind == "admin-doc");
  CHECK(plan.dc.at("title") == "Ứng dụng công nghệ thông tin và chuyển đổi số năm học 2023-2024");
  CHECK(plan.fields.at("number") == "205/KH-THCSMKh");
  CHECK(plan.fields.at("issuer") == "TRƯỜNG THCS MẠO KHÊ II");
  // The same plan printed from the school's web page: Chromium titled the PDF
  // "ke-hoach-cntt-mao-khe.html".
  store::Record web;
  REQUIRE(library
              ->import_file(fixture("ke-hoach-cntt-mao-khe-web.pdf").string(), options, &web,
                            &duplicate)
              .ok());
  CHECK(web.kind == "admin-doc");
  CHECK(web.dc.at("title") == plan.dc.at("title"));
  CHECK(web.fields.at("number") == "205/KH-THCSMKh");

  // Found as staff look for them: by number, and by the letter's type.
  CHECK(search_ids(*library, "number:4267/BGDĐT-CNTT") == std::vector<store::RecordId>{letter.id});
  CHECK(search_ids(*library, "doctype:\"Công văn\"") == std::vector<store::RecordId>{letter.id});
}
