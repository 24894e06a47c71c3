// End to end: an administrative document and an old TCVN3 file imported
// through the library (worker process, store, index) come out as records with
// their kind and fields, found by number, type and text.
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

TEST_CASE("an imported plan is an admin-doc with its number, date and issuer, found by number") {
  TempDir dir;
  std::unique_ptr<Library> library;
  REQUIRE(Library::open(dir.str() + "/data", true, &library).ok());
  ImportOptions options;
  if (fs::exists(kho::testing::kho_binary())) options.worker_exe = kho::testing::kho_binary();
  options.school = "PGD-CG";

  store::Record plan, old_note;
  bool duplicate = false;
  REQUIRE(
      library->import_file(fixture("ke-hoach-44.docx").string(), options, &plan, &duplicate).ok());
  CHECK(plan.kind == "admin-doc");
  CHECK(plan.fields.at("number") == "44/KH-PGDĐT");
  CHECK(plan.fields.at("issued") == "2022-10-04");
  CHECK(plan.fields.at("issuer") == "UBND HUYỆN CẨM GIÀNG – PHÒNG GIÁO DỤC VÀ ĐÀO TẠO");
  CHECK(plan.fields.at("doc_type") == "Kế hoạch");
  CHECK(plan.fields.at("signer") == "Phạm Thị Oanh");
  CHECK(plan.dc.at("date") == "2022-10-04");
  CHECK(plan.sources.at("number") == store::kSourceExtracted);

  // A plain-text note typed in TCVN3 on an old office PC, never converted by hand.
  auto note = dir.path() / "thong-bao-cu.txt";
  kho::testing::write_file(note,
                           "TR\xAD\xEANG THCS L\xAA QU\xFD \xA7\xABN\r\n"  // capitals: .VnTimeH
                           "S\xE8: 12/KH-THCS\r\n"
                           "K\xD5 HO\xB9"
                           "CH\r\n"
                           "Th\xf9"
                           "c hi\xd6n chuy\xd3n \xae\xe6i s\xe8 trong nh\xb5 tr\xad\xeang.\r\n");
  REQUIRE(library->import_file(note.string(), options, &old_note, &duplicate).ok());
  CHECK(old_note.kind == "admin-doc");
  CHECK(old_note.fields.at("number") == "12/KH-THCS");
  CHECK(old_note.fields.at("issuer") == "TRƯỜNG THCS LÊ QUÝ ĐÔN");
  CHECK(old_note.dc.at("title") == "Thực hiện chuyển đổi số trong nhà trường.");

  CHECK(search_ids(*library, "number:44/KH-PGDĐT") == std::vector<store::RecordId>{plan.id});
  CHECK(search_ids(*library, "number:44/KH-PGDDT") == std::vector<store::RecordId>{plan.id});
  CHECK(search_ids(*library, "doctype:\"Kế hoạch\" kind:admin-doc").size() == 2);
  CHECK(search_ids(*library, "issuer:\"cẩm giàng\"") == std::vector<store::RecordId>{plan.id});
  // The TCVN3 text is searchable as Vietnamese, with or without diacritics.
  CHECK(search_ids(*library, "\"chuyển đổi số trong nhà trường\"") ==
        std::vector<store::RecordId>{old_note.id});
  CHECK(search_ids(*library, "truong thcs le quy don") ==
        std::vector<store::RecordId>{old_note.id});
  // The PDF of the plan says when it was saved; the plan says when it was signed.
  store::Record pdf;
  REQUIRE(
      library->import_file(fixture("ke-hoach-44.pdf").string(), options, &pdf, &duplicate).ok());
  CHECK(pdf.dc.at("date") == "2022-10-04");
  CHECK(pdf.fields.at("number") == "44/KH-PGDĐT");
}
