// Catalogue export (core/catalogue_export.h) read back by real readers:
// yaz-marcdump (Debian's yaz) for ISO 2709 and MARCXML, libxml2 for the
// MARCXML collection, kho's own importer and openpyxl for the sheets. npm's
// marcjs reads the MARC too (tests/web/marc-export.mjs).
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/catalogue_export.h"
#include "tests/core/library_fixture.h"

using kho::ExportFormat;
using kho::testing::fixture;
using kho::testing::TempDir;

namespace {

// Runs a shell command; its standard output, its exit status in *status.
std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int rc = ::pclose(p);
  if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

// A library of its own with catalogue files imported into it.
struct Catalogue {
  TempDir dir;
  std::unique_ptr<kho::Library> library = kho::testing::open_library(dir);

  std::vector<kho::store::RecordId> import(const std::string& path,
                                           const std::string& school = "THCS-01",
                                           const std::string& visibility = "public") {
    kho::ImportOptions options;
    options.school = school;
    options.visibility = visibility;
    std::vector<kho::store::RecordId> entries;
    options.catalogue_entries = &entries;
    kho::store::Record file;
    bool duplicate = false;
    kho::Status s = library->import_file(path, options, &file, &duplicate);
    INFO(path << ": " << s.message());
    REQUIRE(s.ok());
    return entries;
  }

  std::string exported(ExportFormat format, const std::string& query = "",
                       kho::Access access = kho::Access::library_staff(),
                       kho::ExportSummary* summary = nullptr) {
    kho::ExportOptions options;
    options.format = format;
    options.query = query;
    options.access = std::move(access);
    std::string out;
    kho::Status s = kho::export_catalogue(
        library->store(), library->index(), options,
        [&out](std::string_view bytes) {
          out.append(bytes);
          return kho::Status::Ok();
        },
        summary);
    INFO(s.message());
    REQUIRE(s.ok());
    return out;
  }

  // The export written to a file, as a librarian would save it.
  std::string saved(ExportFormat format, const std::string& name) {
    std::string path = dir.str() + "/" + name;
    kho::testing::write_file(path, exported(format));
    return path;
  }
};

// yaz-marcdump's line format; fails the test when yaz-marcdump complains.
std::string marcdump(const std::string& args) {
  int status = -1;
  std::string err = args + ".stderr";
  std::string out = run("yaz-marcdump " + args + " 2>" + err, &status);
  INFO("yaz-marcdump " << args << "\n" << kho::testing::read_file(err));
  CHECK(status == 0);
  CHECK(kho::testing::read_file(err).empty());
  CHECK(out.find("<!--") == std::string::npos);  // how it reports a damaged record
  std::remove(err.c_str());
  return out;
}

// A dump with each leader's record length and base address blanked: MARCXML
// carries neither, and MARC-8 and UTF-8 lengths differ.
std::string without_lengths(const std::string& dump) {
  std::istringstream in(dump);
  std::string out;
  bool leader = true;
  for (std::string line; std::getline(in, line);) {
    if (leader && line.size() == 24)
      line = "....." + line.substr(5, 4) + "?" + line.substr(10, 2) + "....." + line.substr(17);
    leader = line.empty();
    out += line + "\n";
  }
  return out;
}

// The fixture's UTF-8 catalogue as yaz-marcdump reads it.
std::string source_dump() {
  return run("yaz-marcdump " + fixture("catalogue-utf8.mrc").string() + " 2>&1");
}

}  // namespace

TEST_CASE("a MARC catalogue exports as ISO 2709 identical to the file imported") {
  const std::string kSourceDump = source_dump();
  REQUIRE(kSourceDump.find("001 TV-0005") != std::string::npos);
  for (const char* name : {"catalogue-utf8.mrc", "catalogue-marc8.mrc", "catalogue.marcxml"}) {
    INFO(name);
    Catalogue c;
    REQUIRE(c.import(fixture(name).string()).size() == 5);
    kho::ExportSummary summary;
    std::string bytes =
        c.exported(ExportFormat::kIso2709, "", kho::Access::library_staff(), &summary);
    CHECK(summary.records == 5);
    CHECK(summary.kept_marc == 5);
    // The records as catalogued, in UTF-8: the fixture's UTF-8 file byte for byte.
    CHECK(bytes == kho::testing::read_file(fixture("catalogue-utf8.mrc")));
    std::string path = c.dir.str() + "/danh-muc.mrc";
    kho::testing::write_file(path, bytes);
    CHECK(marcdump(path) == kSourceDump);
  }
  // Against the MARC-8 file itself, as yaz-marcdump converts it: every field
  // the same, only the leader's length and encoding differ. YAZ gives
  // MARC-8's diacritics as combining marks, kho stores Vietnamese composed
  // (NFC): the same text, compared composed.
  Catalogue c;
  c.import(fixture("catalogue-marc8.mrc").string());
  std::string source =
      run("yaz-marcdump -f marc8 -t utf8 " + fixture("catalogue-marc8.mrc").string() +
          " | /usr/bin/python3 -c 'import sys, unicodedata; "
          "sys.stdout.write(unicodedata.normalize(\"NFC\", sys.stdin.read()))'");
  CHECK(without_lengths(marcdump(c.saved(ExportFormat::kIso2709, "danh-muc.mrc"))) ==
        without_lengths(source));
}

TEST_CASE("a title corrected in kho goes out in 245 and the rest of the MARC record as imported") {
  Catalogue c;
  auto entries = c.import(fixture("catalogue-utf8.mrc").string());
  kho::Edit edit;
  edit.set["title"] = "Truyện Kiều (bản hiệu đính)";
  kho::store::Record edited;
  kho::Status s = c.library->edit(entries[0], edit, &edited);
  INFO(s.message());
  REQUIRE(s.ok());
  std::string dump = marcdump(c.saved(ExportFormat::kIso2709, "danh-muc.mrc"));
  INFO(dump);
  std::string first = dump.substr(0, dump.find("\n\n"));
  CHECK(first.find("245 10 $a Truyện Kiều (bản hiệu đính)\n") != std::string::npos);
  CHECK(first.find("Nguyễn Du ; Đào Duy Anh hiệu đính") == std::string::npos);
  for (const char* kept : {"001 TV-0001\n", "100 1  $a Nguyễn Du, $d 1766-1820\n",
                           "300    $a 256 tr. ; $c 21 cm.\n", "856 40 $u "})
    CHECK(first.find(kept) != std::string::npos);
  CHECK(first.find("\n245") > first.find("\n100"));  // in tag order
  CHECK(first.find("\n245") < first.find("\n260"));
  // The other four records are untouched.
  std::string source = source_dump();
  CHECK(dump.substr(dump.find("\n\n")) == source.substr(source.find("\n\n")));
}

TEST_CASE("the MARCXML export is one collection of the records imported") {
  Catalogue c;
  c.import(fixture("catalogue-utf8.mrc").string());
  std::string xml = c.exported(ExportFormat::kMarcxml);
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8", XML_PARSE_NONET),
      xmlFreeDoc);
  REQUIRE(doc);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  REQUIRE(root != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(root->name)) == "collection");
  REQUIRE(root->ns != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(root->ns->href)) ==
        "http://www.loc.gov/MARC21/slim");
  int records = 0;
  for (xmlNode* n = root->children; n; n = n->next)
    records += n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST "record") == 0;
  CHECK(records == 5);
  std::string path = c.saved(ExportFormat::kMarcxml, "danh-muc.xml");
  CHECK(without_lengths(marcdump("-i marcxml " + path)) == without_lengths(source_dump()));
}

TEST_CASE("records catalogued from a sheet get MARC records yaz-marcdump reads without complaint") {
  Catalogue c;
  c.import(fixture("danh-muc-sach.csv").string());
  kho::ExportSummary summary;
  c.exported(ExportFormat::kIso2709, "", kho::Access::library_staff(), &summary);
  CHECK(summary.built_marc == 4);  // five rows, two of them copies of one book
  std::string dump = marcdump(c.saved(ExportFormat::kIso2709, "danh-muc.mrc"));
  INFO(dump);
  for (const char* line :
       {"245 10 $a Truyện Kiều\n", "100 1  $a Nguyễn Du\n", "020    $a 978-604-69-2714-3\n",
        "082 04 $a 895.9221\n", "264  1 $b Giáo dục Việt Nam $c 2021\n", "852    $p SGK.00045\n",
        "852    $p SGK.00046\n", "650  4 $a Thư viện học\n"})
    CHECK(dump.find(line) != std::string::npos);
  // 008 is 40 characters: entered, "s" and the year, the language code last but one.
  std::size_t at = dump.find("\n008 ");
  REQUIRE(at != std::string::npos);
  std::string fixed = dump.substr(at + 5, dump.find('\n', at + 1) - at - 5);
  CHECK(fixed.size() == 40);
  CHECK(fixed.substr(6, 5) == "s2015");
  // Every record says UTF-8 in leader/09, and -v finds each directory entry where it says.
  CHECK(run("yaz-marcdump -v " + c.dir.str() + "/danh-muc.mrc 2>&1").find("Bad") ==
        std::string::npos);
}

namespace {

// The fields a catalogue sheet carries, of each record (two records may
// share a title: a MARC record and a sheet's row of one book).
using Fields = std::multiset<std::map<std::string, std::string>>;

Fields sheet_fields(kho::Library& library, const std::vector<kho::store::RecordId>& ids) {
  Fields out;
  for (kho::store::RecordId id : ids) {
    kho::store::Record r;
    REQUIRE(library.store().get(id, &r).ok());
    std::map<std::string, std::string> f = {{"title", r.dc["title"]}};
    for (const char* name : {"creator", "contributor", "publisher", "date", "subject", "language",
                             "description", "type"})
      if (r.dc.count(name)) f[name] = r.dc[name];
    for (const char* name : {"classification", "accession", "grade", "isbn"})
      if (r.fields.count(name)) f[name] = r.fields[name];
    out.insert(std::move(f));
  }
  return out;
}

std::vector<kho::store::RecordId> exported_ids(Catalogue& c) {
  kho::ExportOptions options;
  std::vector<kho::store::Record> records;
  REQUIRE(kho::select_catalogue(c.library->store(), c.library->index(), options, &records).ok());
  std::vector<kho::store::RecordId> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

}  // namespace

TEST_CASE("an exported sheet imports into an empty library with the same fields") {
  ExportFormat format = ExportFormat::kCsv;
  std::string name = "danh-muc.csv";
  SECTION("CSV") {}
  SECTION("XLSX") {
    format = ExportFormat::kXlsx;
    name = "danh-muc.xlsx";
  }
  // A sheet's catalogue, and a MARC one: each through the sheet and back.
  for (const char* source : {"danh-muc-sach.csv", "catalogue-utf8.mrc"}) {
    INFO(source << " as " << name);
    Catalogue from;
    from.import(fixture(source).string());
    auto ids = exported_ids(from);
    Fields before = sheet_fields(*from.library, ids);
    std::string path = from.saved(format, name);
    Catalogue to;
    auto entries = to.import(path);
    CHECK(entries.size() == ids.size());
    Fields after = sheet_fields(*to.library, entries);
    CHECK(nlohmann::json(after).dump(1) == nlohmann::json(before).dump(1));
  }
}

TEST_CASE("a cell a spreadsheet would run as a formula goes out as text and reads back as typed") {
  // A catalogue sheet from outside, with cells Excel would run ("=HYPERLINK"
  // in a title sends whoever opens the export to a website) or take for a
  // number, and one ordinary row.
  TempDir in;
  const std::string sheet = in.str() + "/sach-tang.csv";
  kho::testing::write_file(
      sheet,
      "Nhan đề,Tác giả\r\n"
      "\"=HYPERLINK(\"\"http://x.example/\"\";\"\"Bấm vào\"\")\",Nhà tài trợ\r\n"
      "+84 912 345 678,Nguyễn Văn A\r\n"
      "-Như trên,@Trần Thị B\r\n"
      "Truyện Kiều,Nguyễn Du\r\n");
  Catalogue from;
  auto ids = from.import(sheet);
  REQUIRE(ids.size() == 4);
  Fields before = sheet_fields(*from.library, ids);
  const std::string csv = from.exported(ExportFormat::kCsv);
  INFO(csv);
  CHECK(csv.find("\r\n\"'=HYPERLINK(\"\"http://x.example/\"\";") != std::string::npos);
  CHECK(csv.find("\r\n'+84 912 345 678,Nguyễn Văn A,") != std::string::npos);
  CHECK(csv.find("\r\n'-Như trên,'@Trần Thị B,") != std::string::npos);
  CHECK(csv.find("\r\nTruyện Kiều,Nguyễn Du,") != std::string::npos);
  // kho reads its own export back as the cells were typed.
  Catalogue to;
  auto entries = to.import(from.saved(ExportFormat::kCsv, "xuat.csv"));
  CHECK(nlohmann::json(sheet_fields(*to.library, entries)).dump(1) ==
        nlohmann::json(before).dump(1));
  for (const auto& f : before) CHECK(f.at("title").find('\'') == std::string::npos);
}

TEST_CASE("the sheets have the importer's header: CSV with a BOM, XLSX as openpyxl reads it") {
  Catalogue c;
  c.import(fixture("danh-muc-sach.csv").string());
  std::string csv = c.exported(ExportFormat::kCsv);
  CHECK(csv.rfind("\xEF\xBB\xBFNhan đề,Tác giả,", 0) == 0);  // a BOM for Excel, then the header
  CHECK(csv.find("\r\n\"Dế Mèn phiêu lưu ký, bản đặc biệt\",Tô Hoài,") != std::string::npos);
  std::string rows =
      run("/usr/bin/python3 -c 'import json, sys, openpyxl; "
          "ws = openpyxl.load_workbook(sys.argv[1]).active; "
          "print(json.dumps([list(r) for r in ws.iter_rows(values_only=True)]))' " +
          c.saved(ExportFormat::kXlsx, "danh-muc.xlsx"));
  INFO(rows);
  nlohmann::json sheet = nlohmann::json::parse(rows);
  REQUIRE(sheet.size() == 5);
  CHECK(sheet[0] == nlohmann::json(kho::export_sheet_header()));
  CHECK(sheet[1][0] == "Truyện Kiều");
  CHECK(sheet[1][4] == "2015");  // text, as typed: not the number 2015.0
  CHECK(sheet[3][8] == "SGK.00045; SGK.00046");
}

TEST_CASE("an export holds only what the caller may read and what the query finds") {
  Catalogue c;
  c.import(fixture("danh-muc-sach.csv").string(), "THCS-01", "public");
  c.import(fixture("catalogue-utf8.mrc").string(), "THCS-02", "private");
  std::string everything = c.exported(ExportFormat::kCsv);
  std::string visitor = c.exported(ExportFormat::kCsv, "", kho::Access::anonymous());
  CHECK(everything.find("Lão Hạc") != std::string::npos);
  CHECK(visitor.find("Lão Hạc") == std::string::npos);
  CHECK(visitor.find("Tô Hoài") != std::string::npos);
  kho::ExportSummary summary;
  c.exported(ExportFormat::kIso2709, "", kho::Access::anonymous(), &summary);
  CHECK(summary.records == 4);
  c.exported(ExportFormat::kIso2709, "", kho::Access::library_staff(), &summary);
  CHECK(summary.records == 9);

  c.exported(ExportFormat::kIso2709, "Kiều", kho::Access::library_staff(), &summary);
  CHECK(summary.records == 2);  // the sheet's row and the MARC record
  c.exported(ExportFormat::kIso2709, "Kiều", kho::Access::anonymous(), &summary);
  CHECK(summary.records == 1);

  kho::ExportOptions bad;
  bad.query = "(Truyện Kiều";
  std::vector<kho::store::Record> records;
  kho::Status s = kho::select_catalogue(c.library->store(), c.library->index(), bad, &records);
  CHECK(s.code() == kho::Status::Code::kInvalid);
  CHECK(s.message().find("'('") != std::string::npos);
}

TEST_CASE("export format names") {
  ExportFormat f;
  CHECK(kho::parse_export_format("iso2709", &f));
  CHECK(f == ExportFormat::kIso2709);
  CHECK(kho::parse_export_format("marcxml", &f));
  CHECK(f == ExportFormat::kMarcxml);
  CHECK(kho::parse_export_format("xlsx", &f));
  CHECK(f == ExportFormat::kXlsx);
  CHECK_FALSE(kho::parse_export_format("pdf", &f));
  CHECK_FALSE(kho::parse_export_format("", &f));
}
