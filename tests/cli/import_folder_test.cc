// One `kho import` of a school's folder that mixes every format kho reads, and
// broken files among them: each good file becomes a record of the right kind
// with the fields its layout shows and text that search finds; each bad file
// gets one reason in the summary, and nothing of it is stored.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/cli/process.h"
#include "tests/testing.h"

using kho::testing::run_kho;
using kho::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::vector<std::string>> kFolder = {
    {"van-phong",
     {"lao-hac.docx", "lao-hac.odt", "lao-hac.doc", "hsg.xlsx", "hsg.ods", "hsg.xls",
      "bao-cao.pptx", "bao-cao.odp", "bao-cao.ppt", "khbd-toan-6.docx"}},
    {"thu-vien", {"truyen-kieu-epub2.epub", "catalogue.marcxml", "danh-muc-sach.csv"}},
    {"cong-van", {"ke-hoach-44.pdf", "tcvn3-quyet-dinh.doc", "vni-cong-van.txt"}},
    {"ban-quet",
     {"scan-quyet-dinh.png", "scan-thong-bao.jpg", "scan-so-goc.tif", "scan-ke-hoach.pdf"}},
    {"nen", {"archive-nested.zip"}},
    {"hong",
     {"broken-truncated.docx", "broken-empty.docx", "broken-bomb.png", "broken-truncated.mrc",
      "archive-traversal.zip", "archive-bomb.zip"}},
};

fs::path make_folder(const TempDir& dir) {
  fs::path root = dir.path() / "tai-lieu";
  for (const auto& [sub, names] : kFolder) {
    fs::create_directories(root / sub);
    for (const auto& name : names) fs::copy_file(kho::testing::fixture(name), root / sub / name);
  }
  // A PDF locked with a password, as teachers send them.
  std::string qpdf = "qpdf --encrypt mat-khau mat-khau 256 -- '" +
                     (root / "cong-van" / "ke-hoach-44.pdf").string() + "' '" +
                     (root / "hong" / "khoa.pdf").string() + "'";
  REQUIRE(std::system(qpdf.c_str()) == 0);
  return root;
}

json kho_json(const std::vector<std::string>& args) {
  auto run = run_kho(args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

}  // namespace

TEST_CASE("kho import of a folder mixing every format gives each file its kind, fields and text") {
  TempDir dir;
  fs::path root = make_folder(dir);
  // The library lives in the folder it imports, as when one runs `kho import .`.
  const std::string data = (root / "kho-data").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);

  auto run = run_kho({"--data", data, "import", "--school", "THCS-MK", "--json", root.string()});
  INFO(run.err);
  CHECK(run.exit_code == 1);  // some files failed; the rest went in
  json summary = json::parse(run.out);

  // Every bad file, once, with its reason.
  std::map<std::string, std::string> failed;
  for (const auto& f : summary["failed"])
    failed[fs::path(f["path"].get<std::string>()).filename().string()] = f["error"];
  CHECK(failed.size() == 7);
  CHECK(failed["broken-truncated.docx"].find("truncated") != std::string::npos);
  CHECK(failed["broken-empty.docx"] == "empty file");
  CHECK(failed["broken-bomb.png"].find("megapixels") != std::string::npos);
  CHECK(failed["broken-truncated.mrc"].find("truncated") != std::string::npos);
  CHECK(failed["archive-traversal.zip"].find("escapes") != std::string::npos);
  CHECK(failed["archive-bomb.zip"].find("zip bomb") != std::string::npos);
  CHECK(failed["khoa.pdf"] == "encrypted PDF (password required)");

  // Every good file (entries of the archive by their path inside it) and
  // catalogue entries as records of their own.
  std::map<std::string, std::uint64_t> id_of;
  std::set<std::uint64_t> entries;
  for (const auto& f : summary["imported"]) {
    id_of[fs::path(f["path"].get<std::string>()).filename().string()] = f["id"];
    for (const auto& e : f.value("catalogue_entries", json::array()))
      entries.insert(e.get<std::uint64_t>());
  }
  CHECK(id_of.size() == 24);  // 20 good files, of which an archive of 4 text files
  CHECK(id_of.count("bai-2.txt") == 1);
  auto show = [&](const std::string& name) {
    INFO(name);
    REQUIRE(id_of.count(name) == 1);
    return kho_json({"--data", data, "show", "--json", std::to_string(id_of[name])});
  };

  // Office files and e-books: kind and properties.
  for (const char* name : {"lao-hac.docx", "lao-hac.odt", "lao-hac.doc"}) {
    json r = show(name);
    CHECK(r["kind"] == "lesson-plan");
    CHECK(r["dc"]["creator"] == "Trần Văn Minh");
    CHECK(r["fields"]["grade"] == "8");
  }
  for (const char* name :
       {"hsg.xlsx", "hsg.ods", "hsg.xls", "bao-cao.pptx", "bao-cao.odp", "bao-cao.ppt"})
    CHECK(show(name)["page_count"] == 2);  // sheets and slides as pages
  CHECK(show("khbd-toan-6.docx")["fields"]["teacher"] == "Nguyễn Thị Thu Hằng");
  json kieu = show("truyen-kieu-epub2.epub");
  CHECK(kieu["kind"] == "book");
  CHECK(kieu["fields"]["isbn"] == "9786046927143");
  CHECK(kieu["fields"]["accession"] == "VV.00123");  // the sheet's row joined the e-book

  // Administrative documents: fields read from the layout, legacy fonts converted.
  json plan = show("ke-hoach-44.pdf");
  CHECK(plan["kind"] == "admin-doc");
  CHECK(plan["fields"]["number"] == "44/KH-PGDĐT");
  CHECK(plan["dc"]["date"] == "2022-10-04");
  CHECK(show("tcvn3-quyet-dinh.doc")["fields"]["number"] == "1032/QĐ-SGDĐT");
  CHECK(show("vni-cong-van.txt")["fields"]["issuer"] == "SỞ GIÁO DỤC VÀ ĐÀO TẠO HÒA BÌNH");

  // Scans: read by OCR, with the confidence of each page.
  json tif = show("scan-so-goc.tif");
  CHECK(tif["page_count"] == 2);
  CHECK(tif["ocr_confidence"].size() == 2);
  json decision = show("scan-quyet-dinh.png");  // the body page of a decision, read by OCR
  CHECK(decision["kind"] == "admin-doc");
  CHECK(decision["fields"]["doc_type"] == "Quyết định");
  CHECK(show("bai-2.txt")["fields"]["provenance"] == "archive-nested.zip/ke-hoach/bai-2.txt");

  // Searchable text, found whatever the format it came in.
  auto found = [&](const std::string& query) {
    std::set<std::string> names;
    json results = kho_json({"--data", data, "search", "--json", "--per-page", "50", query});
    for (const auto& h : results["hits"])
      names.insert(h.value("filename", std::string()) + "|" + h.value("title", std::string()));
    return names;
  };
  auto has = [&](const std::string& query, const std::string& name) {
    auto names = found(query);
    bool hit = false;
    for (const auto& n : names) hit |= n.starts_with(name + "|") || n.ends_with("|" + name);
    std::string all;
    for (const auto& n : names) all += n + "; ";
    INFO(query << " should find " << name << " among: " << all);
    CHECK(hit);
  };
  has("Lão Hạc Nam Cao", "lao-hac.docx");
  has("Lão Hạc Nam Cao", "lao-hac.odt");
  has("Lão Hạc Nam Cao", "lao-hac.doc");
  has("học sinh giỏi cấp tỉnh", "hsg.xlsx");
  has("học sinh giỏi cấp tỉnh", "hsg.ods");
  has("hoc sinh gioi cap tinh", "hsg.xls");
  has("xây dựng thư viện số", "bao-cao.pptx");
  has("xây dựng thư viện số", "bao-cao.odp");
  has("xây dựng thư viện số", "bao-cao.ppt");
  has("phân số tử mẫu", "khbd-toan-6.docx");
  has("Thúy Kiều", "truyen-kieu-epub2.epub");
  has("isbn:978-604-0-25371-4", "Toán 6. Tập một");                 // a MARC record without a file
  has("Dế Mèn phiêu lưu ký", "Dế Mèn phiêu lưu ký, bản đặc biệt");  // a row of the CSV sheet
  has("number:44/KH-PGDDT", "ke-hoach-44.pdf");
  has("khen thưởng giáo viên dạy giỏi", "tcvn3-quyet-dinh.doc");
  has("number:812/SGDĐT-QLT", "vni-cong-van.txt");
  has("công nhận tốt nghiệp trung học cơ sở", "scan-quyet-dinh.png");
  has("tuyển sinh vào lớp 10", "scan-thong-bao.jpg");
  has("sổ gốc cấp văn bằng", "scan-so-goc.tif");
  has("thư viện số phục vụ giáo viên", "scan-ke-hoach.pdf");
  has("number:4267/BGDĐT-CNTT", "bai-2.txt");

  // Nothing of a bad file was stored: the records are the files and the
  // catalogue entries, numbered 1..n without a gap, and there is no n+1.
  std::set<std::uint64_t> ids(entries);
  for (const auto& [name, id] : id_of) ids.insert(id);
  CHECK(*ids.rbegin() == ids.size());
  CHECK(run_kho({"--data", data, "show", std::to_string(ids.size() + 1)}).exit_code == 3);
}

TEST_CASE("a folder's files are read ahead on every core yet stored in the folder's order") {
  // `kho import` reads the next files in workers while one is stored; the
  // records still take their numbers in the order of the files, and an
  // import run again finds each file already there.
  TempDir dir;
  fs::path folder = dir.path() / "ho-so";
  fs::create_directories(folder);
  std::vector<std::string> names;
  for (int i = 1; i <= 9; ++i) {
    names.push_back("van-ban-" + std::to_string(i) + ".txt");
    kho::testing::write_file(folder / names.back(),
                             "Công văn số " + std::to_string(i) + " về kế hoạch năm học\n");
  }
  const std::string data = (dir.path() / "kho-data").string();
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  json first = kho_json({"--data", data, "import", "--json", folder.string()});
  REQUIRE(first["imported"].size() == names.size());
  std::vector<std::uint64_t> ids;
  for (const auto& f : first["imported"]) {
    CHECK(fs::path(f["path"].get<std::string>()).filename() == names[ids.size()]);
    ids.push_back(f["id"]);
  }
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  for (std::size_t i = 0; i < names.size(); ++i) {
    json r = kho_json({"--data", data, "show", "--json", std::to_string(ids[i])});
    CHECK(r["originals"][0]["filename"] == names[i]);
    CHECK(r["dc"]["title"] == "Công văn số " + std::to_string(i + 1) + " về kế hoạch năm học");
  }
  json again = kho_json({"--data", data, "import", "--json", folder.string()});
  CHECK(again["imported"].empty());
  REQUIRE(again["duplicates"].size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(again["duplicates"][i]["id"] == ids[i]);
}
