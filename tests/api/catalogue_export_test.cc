// A catalogue imported from MARC-8 ISO 2709 goes out again over OAI-PMH as the
// librarian catalogued it: marcxml gives the record kept whole, in UTF-8, and
// oai_dc the crosswalked fields.
#include "tests/api/oai_fixture.h"

using kho::testing::oai::Repository;
using kho::testing::oai::Xml;

TEST_CASE("a MARC catalogue record is exported whole as MARCXML and as Dublin Core") {
  Repository repo;
  kho::ImportOptions options;
  options.school = "THCS-01";
  options.visibility = "public";
  std::vector<kho::store::RecordId> entries;
  options.catalogue_entries = &entries;
  kho::store::Record file;
  bool duplicate = false;
  auto path = kho::testing::source_dir() / "tests" / "fixtures" / "catalogue-marc8.mrc";
  kho::Status s = repo.library->import_file(path.string(), options, &file, &duplicate);
  INFO(s.message());
  REQUIRE(s.ok());
  REQUIRE(entries.size() == 5);

  std::string id = repo.identifier(entries[0]);
  Xml marc = repo.ask("verb=GetRecord&metadataPrefix=marcxml&identifier=" + id);
  CHECK(marc.first("//marc:datafield[@tag='245']/marc:subfield[@code='a']") == "Truyện Kiều /");
  CHECK(marc.first("//marc:datafield[@tag='020']/marc:subfield[@code='c']") == "85000đ");
  CHECK(marc.first("//marc:datafield[@tag='300']/marc:subfield[@code='a']") == "256 tr. ;");
  CHECK(marc.first("//marc:controlfield[@tag='001']") == "TV-0001");

  Xml dc = repo.ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + id);
  CHECK(dc.first("//o:metadata/oai_dc:dc/dc:title") == "Truyện Kiều");
  CHECK(dc.first("//o:metadata/oai_dc:dc/dc:publisher") == "Văn học");
}
