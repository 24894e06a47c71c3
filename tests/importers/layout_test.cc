// What staff would otherwise type: administrative documents (Decree 30
// layout) and lesson plans (Công văn 5512 template) describe themselves, from
// real files in every text-bearing format, and old TCVN3/VNI files read as
// Vietnamese. Fixtures: scripts/make-fixtures; corpus: tests/relevance/corpus.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "importers/admin_doc.h"
#include "importers/importer.h"
#include "tests/testing.h"

namespace fs = std::filesystem;
using kho::testing::fixture;
namespace imp = kho::importers;
using kho::testing::source_dir;
using Meta = std::map<std::string, std::string>;

namespace {

fs::path corpus(const std::string& name) {
  return source_dir() / "tests" / "relevance" / "corpus" / name;
}

imp::Document extract(const fs::path& path) {
  imp::Document doc;
  kho::Status s = imp::Registry::builtin().extract(path.string(), &doc);
  INFO(path.string() << ": " << s.message());
  REQUIRE(s.ok());
  return doc;
}

// The fields describe_document() is about, as extracted.
Meta described(const imp::Document& doc) {
  static const char* const kNames[] = {
      "kind",          "number",  "doc_type",    "issuer", "place",  "issued",
      "recipients",    "signer",  "signer_role", "title",  "date",   "school_name",
      "subject_group", "teacher", "subject",     "grade",  "periods"};
  Meta out;
  for (const char* name : kNames)
    if (auto it = doc.meta.find(name); it != doc.meta.end()) out[name] = it->second;
  return out;
}

bool have_catdoc() { return std::system("command -v catdoc >/dev/null 2>&1") == 0; }

const Meta kPlan44 = {
    {"kind", "admin-doc"},
    {"number", "44/KH-PGDĐT"},
    {"doc_type", "Kế hoạch"},
    {"issuer", "UBND HUYỆN CẨM GIÀNG – PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"},
    {"place", "Cẩm Giàng"},
    {"issued", "2022-10-04"},
    {"recipients",
     "Sở GD&ĐT (Để báo cáo); Lãnh đạo, Chuyên viên Phòng GDĐT; Các trường MN, TH, THCS; "
     "Website Phòng GDĐT; Lưu: VT, CNTT"},
    {"signer", "Phạm Thị Oanh"},
    {"signer_role", "KT. TRƯỞNG PHÒNG – PHÓ TRƯỞNG PHÒNG"},
    {"title",
     "Thực hiện nhiệm vụ ứng dụng công nghệ thông tin và thống kê giáo dục năm học 2022 - 2023"},
};

}  // namespace

TEST_CASE("an administrative plan as DOCX: every Decree 30 field, dated the day it was issued",
          "[layout]") {
  Meta m = described(extract(fixture("ke-hoach-44.docx")));
  Meta want = kPlan44;
  want["date"] = "2022-10-04";
  CHECK(m == want);
}

TEST_CASE("the same plan as PDF: the columns interleaved, Word's placeholder title replaced",
          "[layout]") {
  imp::Document doc = extract(fixture("ke-hoach-44.pdf"));
  Meta m = described(doc);
  Meta want = kPlan44;
  want["date"] = "2022-10-04";  // the day it was signed, not the day the PDF was saved
  CHECK(m == want);
}

TEST_CASE("the corpus plan as plain text: no issuer block, signer without capacity", "[layout]") {
  Meta m = described(extract(corpus("ke-hoach-44-KH-PGDDT.txt")));
  CHECK(m.at("kind") == "admin-doc");
  CHECK(m.at("number") == "44/KH-PGDĐT");
  CHECK(m.at("issued") == "2022-10-04");
  CHECK(m.at("date") == "2022-10-04");
  CHECK(m.at("place") == "Cẩm Giàng");
  CHECK(m.at("doc_type") == "Kế hoạch");
  CHECK(m.at("signer") == "Phạm Thị Oanh");
  CHECK(m.at("recipients") == kPlan44.at("recipients"));
  // The importer's guess (the first line, "Số: 44/KH-PGDĐT") gives way to the summary.
  CHECK(m.at("title") == kPlan44.at("title"));
  CHECK(m.count("issuer") == 0);
  CHECK(m.count("signer_role") == 0);
}

TEST_CASE("decisions and official letters from the corpus", "[layout]") {
  CHECK(described(extract(corpus("qd-cong-nhan-tot-nghiep-thcs-2023.txt"))) ==
        Meta{{"kind", "admin-doc"},
             {"number", "215/QĐ-PGDĐT"},
             {"doc_type", "Quyết định"},
             {"issuer", "UBND HUYỆN CẨM GIÀNG – PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"},
             {"place", "Cẩm Giàng"},
             {"issued", "2023-06-20"},
             {"date", "2023-06-20"},
             {"recipients", "Các trường THCS; Lưu: VT"},
             {"signer", "Nguyễn Văn Hùng"},
             {"signer_role", "TRƯỞNG PHÒNG"},
             {"title", "Về việc công nhận tốt nghiệp trung học cơ sở năm học 2022-2023"}});
  // A công văn: no type line, "V/v ..." is its summary; signed on behalf (KT.).
  CHECK(described(extract(corpus("cv-4267-bgddt-cntt-huong-dan.txt"))) ==
        Meta{{"kind", "admin-doc"},
             {"number", "4267/BGDĐT-CNTT"},
             {"doc_type", "Công văn"},
             {"issuer", "BỘ GIÁO DỤC VÀ ĐÀO TẠO"},
             {"place", "Hà Nội"},
             {"issued", "2023-08-18"},
             {"date", "2023-08-18"},
             {"recipients", "Như trên; Lưu: VT, Cục CNTT"},
             {"signer_role", "KT. BỘ TRƯỞNG – THỨ TRƯỞNG"},
             {"title", "Hướng dẫn thực hiện nhiệm vụ CNTT năm học 2023-2024"}});
  Meta report = described(extract(corpus("bao-cao-thu-vien-so.txt")));
  CHECK(report.at("kind") == "admin-doc");
  CHECK(report.at("issuer") == "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO CẨM GIÀNG");
  CHECK(report.at("doc_type") == "Báo cáo");
  CHECK(report.at("number") == "98/BC-PGDĐT");
}

TEST_CASE("news, rules and notices without the layout stay undescribed", "[layout]") {
  for (const char* name :
       {"tin-cntt-ben-tre.txt", "tin-chuyen-doi-so-hoa-binh.txt", "noi-quy-thu-vien.txt",
        "thong-bao-tuyen-sinh-lop-10.txt", "quy-che-chuyen-mon-to-khtn.txt"}) {
    INFO(name);
    Meta m = described(extract(corpus(name)));
    CHECK(m.count("kind") == 0);
    CHECK(m.count("number") == 0);
  }
}

TEST_CASE("a lesson plan on the 5512 template, as DOCX and ODT", "[layout]") {
  const Meta want = {{"kind", "lesson-plan"},
                     {"school_name", "THCS Mạo Khê II"},
                     {"subject_group", "Khoa học tự nhiên"},
                     {"teacher", "Nguyễn Thị Thu Hằng"},
                     {"title", "PHÂN SỐ VỚI TỬ VÀ MẪU LÀ SỐ NGUYÊN"},
                     {"subject", "Toán"},
                     {"grade", "6"},
                     {"periods", "2"}};
  CHECK(described(extract(fixture("khbd-toan-6.docx"))) == want);
  CHECK(described(extract(fixture("khbd-toan-6.odt"))) == want);
}

TEST_CASE("a lesson plan keeps the title and subject its file states", "[layout]") {
  Meta m = described(extract(fixture("lao-hac.docx")));
  CHECK(m.at("kind") == "lesson-plan");
  CHECK(m.at("title") == "Kế hoạch bài dạy: Lão Hạc (Ngữ văn 8)");
  CHECK(m.at("subject") == "Ngữ văn 8");
  CHECK(m.at("teacher") == "Trần Văn Minh");
  CHECK(m.at("school_name") == "THCS Nguyễn Trãi");
  CHECK(m.at("grade") == "8");
  CHECK(m.at("periods") == "3");
  // A plain-text plan has no stated title: the lesson's name is it.
  Meta plain = described(extract(corpus("khbd-vat-ly-9-dinh-luat-om.txt")));
  CHECK(plain.at("title") == "ĐỊNH LUẬT ÔM");
  CHECK(plain.at("subject") == "Vật lý");
  CHECK(plain.at("grade") == "9");
  CHECK(plain.at("periods") == "1");
}

namespace {

// The decision typed in TCVN3: Word 97 through catdoc, DOCX and ODT alike.
void check_tcvn3_decision(const imp::Document& doc) {
  CHECK(doc.pages.at(0).starts_with(
      "SỞ GIÁO DỤC VÀ ĐÀO TẠO HẢI DƯƠNG\nSố: 1032/QĐ-SGDĐT\t"
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"));
  // ư is byte 0xAD, Word's optional hyphen: it must survive catdoc and <w:softHyphen/>.
  CHECK(doc.pages.at(0).find("Trường THCS Mạo Khê II và thầy Phạm Quốc Khánh, Trường THCS Lê Quý "
                             "Đôn") != std::string::npos);
  CHECK(described(doc) == Meta{{"kind", "admin-doc"},
                               {"number", "1032/QĐ-SGDĐT"},
                               {"doc_type", "Quyết định"},
                               {"issuer", "SỞ GIÁO DỤC VÀ ĐÀO TẠO HẢI DƯƠNG"},
                               {"place", "Hải Dương"},
                               {"issued", "2022-12-15"},
                               {"date", "2022-12-15"},
                               {"recipients", "Như Điều 2; Lưu: VT, TCCB"},
                               {"signer", "Lê Minh Tuấn"},
                               {"signer_role", "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC"},
                               {"title",
                                "Về việc khen thưởng giáo viên dạy giỏi cấp tỉnh năm "
                                "học 2022-2023"}});
}

}  // namespace

TEST_CASE("a decision typed in TCVN3 (.VnTime, .VnTimeH) reads as Unicode from DOC, DOCX, ODT",
          "[layout]") {
  check_tcvn3_decision(extract(fixture("tcvn3-quyet-dinh.docx")));
  check_tcvn3_decision(extract(fixture("tcvn3-quyet-dinh.odt")));
  if (!have_catdoc()) {
    WARN("catdoc is not installed (scripts/install-deps); the .doc is skipped");
    return;
  }
  check_tcvn3_decision(extract(fixture("tcvn3-quyet-dinh.doc")));
}

TEST_CASE("old 8-bit text files in VNI and TCVN3 are imported as Vietnamese", "[layout]") {
  imp::Document vni = extract(fixture("vni-cong-van.txt"));
  CHECK(
      vni.pages.at(0).starts_with("SỞ GIÁO DỤC VÀ ĐÀO TẠO HÒA BÌNH\nSố: 812/SGDĐT-QLT\n"
                                  "V/v tổ chức Kỳ thi tốt nghiệp THPT năm 2024\n"));
  CHECK(described(vni) == Meta{{"kind", "admin-doc"},
                               {"number", "812/SGDĐT-QLT"},
                               {"doc_type", "Công văn"},
                               {"issuer", "SỞ GIÁO DỤC VÀ ĐÀO TẠO HÒA BÌNH"},
                               {"place", "Hòa Bình"},
                               {"issued", "2024-05-02"},
                               {"date", "2024-05-02"},
                               {"title", "Tổ chức Kỳ thi tốt nghiệp THPT năm 2024"}});
  imp::Document tcvn3 = extract(fixture("tcvn3-ke-hoach.txt"));
  CHECK(tcvn3.pages.at(0).starts_with("TRƯỜNG THCS MẠO KHÊ II\nSố: 205/KH-THCSMKh\nKẾ HOẠCH\n"));
  CHECK(tcvn3.meta.at("number") == "205/KH-THCSMKh");
  // VN3 has no Ứ: the typist's capital came out small, the title gets it back.
  CHECK(tcvn3.meta.at("title") ==
        "Ứng dụng công nghệ thông tin và chuyển đổi số năm học 2023-2024");
}

TEST_CASE("placeholder titles are told from real ones", "[layout]") {
  std::vector<std::string> pages = {"Số: 44/KH-PGDĐT\nCẩm Giàng, ngày 04 tháng 10 năm 2022\n"};
  CHECK(imp::is_placeholder_title("", pages));
  CHECK(imp::is_placeholder_title("Microsoft Word - KH 44.doc", pages));
  CHECK(imp::is_placeholder_title("ke-hoach-44.pdf", pages));
  CHECK(imp::is_placeholder_title("Số: 44/KH-PGDĐT", pages));
  CHECK_FALSE(imp::is_placeholder_title("Kế hoạch ứng dụng CNTT năm học 2022-2023", pages));
}

TEST_CASE("a PDF that runs the header's columns into one line is still read", "[layout]") {
  // Reading order as some PDF writers give it: left and right cells on one line.
  std::vector<std::string> pages = {
      "UBND HUYỆN CẨM GIÀNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
      "TRƯỜNG THCS CẨM VĂN Độc lập - Tự do - Hạnh phúc\n"
      "Số: 07 /TTr-THCS Cẩm Văn, ngày 9 tháng 3 năm 2024\n"
      "TỜ TRÌNH\n"
      "Về việc đề nghị mua sắm thiết bị\n"
      "dạy học môn Tin học\n"
      "Kính gửi: Phòng Giáo dục và Đào tạo\n"
      "Nơi nhận: HIỆU TRƯỞNG\n"
      "- Như trên;\n"
      "- Lưu: VT. Trần Thị Mai\n"};
  Meta meta;
  imp::describe_document(pages, &meta);
  CHECK(meta["kind"] == "admin-doc");
  CHECK(meta["issuer"] == "UBND HUYỆN CẨM GIÀNG – TRƯỜNG THCS CẨM VĂN");
  CHECK(meta["number"] == "07/TTr-THCS");
  CHECK(meta["place"] == "Cẩm Văn");
  CHECK(meta["issued"] == "2024-03-09");
  CHECK(meta["doc_type"] == "Tờ trình");
  CHECK(meta["title"] == "Về việc đề nghị mua sắm thiết bị dạy học môn Tin học");
  CHECK(meta["recipients"] == "Như trên; Lưu: VT. Trần Thị Mai");
}

TEST_CASE("template blanks and impossible dates are not taken for values", "[layout]") {
  std::vector<std::string> pages = {
      "Trường: ..................\tHọ và tên giáo viên:\n"
      "Tổ: …………………\t……………………………\n"
      "TÊN BÀI DẠY: …………………………………..\n"
      "Môn học/Hoạt động giáo dục: ……….; lớp:………\n"
      "Thời gian thực hiện: (số tiết)\n"};
  Meta meta;
  imp::describe_document(pages, &meta);
  CHECK(meta.empty());  // an empty template is not a lesson plan yet

  Meta admin;
  imp::describe_document({"Số: 12/QĐ-UBND\nHà Nội, ngày 31 tháng 2 năm 2023\nQUYẾT ĐỊNH\n"},
                         &admin);
  CHECK(admin["kind"] == "admin-doc");
  CHECK(admin.count("issued") == 0);  // 31 February
}

TEST_CASE("a book's printed ISBN is read when its check digit holds", "[layout]") {
  kho::testing::TempDir dir;
  auto isbn_of = [&](const std::string& name, const std::string& text) {
    kho::testing::write_file(dir.path() / name, text);
    imp::Document doc = extract(dir.path() / name);
    auto it = doc.meta.find("isbn");
    return std::pair{it == doc.meta.end() ? std::string() : it->second,
                     doc.meta.count("kind") ? doc.meta.at("kind") : std::string()};
  };
  CHECK(isbn_of("toan-6.txt",
                "TOÁN 6 – TẬP MỘT\nNhà xuất bản Giáo dục Việt Nam\n"
                "ISBN: 978-604-0-25371-2\nIn 5.000 bản, khổ 19 x 26,5 cm.\n") ==
        std::pair<std::string, std::string>{"9786040253712", "book"});
  CHECK(isbn_of("lao-hac.txt", "Lão Hạc\nISBN-10 604-1-05432-1 Giá: 25.000đ\n").first ==
        "6041054321");
  CHECK(isbn_of("sai.txt", "Sách tham khảo\nISBN 978-604-0-25371-5\n")
            .first.empty());  // check digit 2
}

TEST_CASE("a decision's body page without its header is still a decision, by its heading",
          "[layout]") {
  kho::testing::TempDir dir;
  // What OCR reads from a scan of the page under the header.
  kho::testing::write_file(dir.path() / "quet.txt",
                           "QUYẾT ĐỊNH\n\nVề việc công nhận tốt nghiệp trung học cơ sở năm học "
                           "2022-2023\nTrường THCS Mạo Khê, thị xã Đông Triều\n\nĐiều 1. Công "
                           "nhận 1.284 học sinh tốt nghiệp THCS.\n");
  Meta m = described(extract(dir.path() / "quet.txt"));
  CHECK(m == Meta{{"kind", "admin-doc"},
                  {"doc_type", "Quyết định"},
                  {"title", "Về việc công nhận tốt nghiệp trung học cơ sở năm học 2022-2023"}});
  // A heading deep in running text, or one without "Về việc" under it, is not enough.
  kho::testing::write_file(dir.path() / "tin.txt",
                           "Tin tức\nNhà trường họp phụ huynh\nChiều qua, nhà trường đã họp.\n"
                           "QUYẾT ĐỊNH\nVề việc khen thưởng sẽ được công bố sau.\n");
  CHECK(described(extract(dir.path() / "tin.txt")).count("kind") == 0);
  kho::testing::write_file(dir.path() / "kh.txt", "KẾ HOẠCH\nHoạt động ngoại khóa tháng 10\n");
  CHECK(described(extract(dir.path() / "kh.txt")).count("kind") == 0);
}
