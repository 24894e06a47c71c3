#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "indexer/synonyms.h"
#include "indexer/terms.h"
#include "tests/indexer/fixture.h"
#include "text/vietnamese.h"

using namespace kho;
using kho::testing::IndexFixture;
using Ids = std::vector<store::RecordId>;
namespace fs = std::filesystem;

TEST_CASE("queries without diacritics find Vietnamese text") {
  IndexFixture f;
  auto a = f.add("Kế hoạch", {"Lễ xét công nhận tốt nghiệp THCS năm 2022"});
  auto b = f.add("Danh sách", {"Giáo viên chủ nhiệm: Trần Đình Hà, lớp 9A"});
  CHECK(f.ids("tot nghiep") == std::vector<store::RecordId>{a});
  CHECK(f.ids("tran dinh ha") == std::vector<store::RecordId>{b});
  CHECK(f.ids("TRẦN ĐÌNH HÀ") == std::vector<store::RecordId>{b});
  CHECK(f.ids("Đình") == std::vector<store::RecordId>{b});
  CHECK(f.ids("dinh") == std::vector<store::RecordId>{b});
  CHECK(f.ids("khong co tu nay").empty());
}

TEST_CASE("a query with diacritics ranks exact-diacritic matches first") {
  IndexFixture f;
  auto duong = f.add("Một", {"con đường đến trường"});
  auto duong2 = f.add("Hai", {"đại dương mênh mông"});
  auto hits = f.ids("dương");
  REQUIRE(hits.size() == 2);
  CHECK(hits.front() == duong2);
  hits = f.ids("đường");
  REQUIRE(hits.size() == 2);
  CHECK(hits.front() == duong);
}

TEST_CASE("old and new tone placement match") {
  IndexFixture f;
  auto a = f.add("Tin tức", {"Sở Giáo dục tỉnh Hòa Bình và ngành thủy lợi"});
  CHECK(f.ids("Hoà Bình") == std::vector<store::RecordId>{a});
  CHECK(f.ids("thuỷ") == std::vector<store::RecordId>{a});
}

TEST_CASE("document numbers are findable as typed") {
  IndexFixture f;
  auto a = f.add("Kế hoạch", {"Số: 44/KH-PGDĐT Cẩm Giàng, ngày 04 tháng 10 năm 2022"});
  f.add("Công văn", {"Số: 4267/BGDĐT-CNTT về việc hướng dẫn"});
  CHECK(f.ids("44/KH-PGDĐT") == std::vector<store::RecordId>{a});
  CHECK(f.ids("44/KH-PGDDT") == std::vector<store::RecordId>{a});
  CHECK(f.ids("44/kh-pgddt") == std::vector<store::RecordId>{a});
}

TEST_CASE("a hit names its best page and a snippet with the match") {
  IndexFixture f;
  auto id = f.add("Sách", {"trang đầu không có gì", "trang hai cũng vậy",
                           "ở đây có chuyển đổi số cho nhà trường"});
  auto results = f.search("chuyen doi so");
  REQUIRE(results.hits.size() == 1);
  const auto& hit = results.hits[0];
  CHECK(hit.id == id);
  CHECK(hit.page == 3);
  CHECK(hit.title == "Sách");
  CHECK(hit.filename == "tệp 1.txt");
  CHECK(hit.snippet.find("chuyển đổi số") != std::string::npos);
  CHECK(hit.score > 0);
}

TEST_CASE("a hit's pages are read from its record's positions as a page of its own would match") {
  // The index has one document per record; which pages match is decided
  // from the positions of the query's terms in it (indexer/pages.h).
  IndexFixture f;
  store::NewRecord in;
  in.kind = "book";
  in.dc = {{"title", "Kỷ yếu Cẩm Giàng"}};
  in.pages = {"học tập và sinh hoạt, giỏi giang",  // the words apart
              "trang không có gì",
              "em là học sinh giỏi cấp tỉnh",  // the words in a row, once
              "học sinh, học sinh giỏi và học sinh giỏi nữa", "giỏi"};
  auto id = f.add(std::move(in));
  auto hit = [&](const std::string& q) {
    auto results = f.search(q);
    REQUIRE(results.hits.size() == 1);
    CHECK(results.hits[0].id == id);
    return results.hits[0];
  };
  // Unquoted: the pages with all the words; those with them in a row first.
  auto together = hit("hoc sinh gioi");
  CHECK(together.matching_pages == 3);
  CHECK((together.page == 3 || together.page == 4));
  // Quoted: only where they stand in a row, never across a page break.
  CHECK(hit("\"học sinh giỏi\"").matching_pages == 2);
  CHECK(hit("\"gioi giang\"").page == 1);
  CHECK(f.search("\"nua gioi\"").hits.empty());  // "nữa" ends page 4, "giỏi" is page 5
  // Operators hold page by page.
  CHECK(hit("tap OR tinh").matching_pages == 2);
  CHECK(hit("hoc*").matching_pages == 3);
  // The title is on no page: a query only it answers names no page.
  auto title = hit("ky yeu");
  CHECK(title.page == 0);
  CHECK(title.matching_pages == 0);
  // Words on no one page: the pages with any of them.
  CHECK(hit("giang tinh").matching_pages == 2);
  std::vector<indexer::Hit> inside;
  REQUIRE(f.index->search_record(id, "hoc sinh gioi", &inside).ok());
  REQUIRE(inside.size() == 3);
  CHECK(inside[0].page == together.page);
  CHECK(inside[0].score >= inside[1].score);
}

TEST_CASE("a record matching on many pages is one hit") {
  IndexFixture f;
  f.add("Giáo trình", {"học sinh một", "học sinh hai", "học sinh ba"});
  auto results = f.search("học sinh");
  CHECK(results.total == 1);
  REQUIRE(results.hits.size() == 1);
  CHECK(results.hits[0].matching_pages == 3);
}

TEST_CASE("adjacent syllables rank above scattered ones") {
  IndexFixture f;
  auto scattered = f.add("A", {"học tập chăm chỉ, sinh hoạt lớp, và nhiều điều khác nữa về học"});
  auto together = f.add("B", {"mỗi học sinh cần cố gắng"});
  auto hits = f.ids("hoc sinh");
  REQUIRE(hits.size() == 2);
  CHECK(hits.front() == together);
  (void)scattered;
}

// Filler of ordinary words, none of them the queries' syllables.
static std::string filler(int words) {
  static const char* kWords[] = {"trường", "lớp",  "giáo", "viên", "năm", "học", "kế",    "hoạch",
                                 "thực",   "hiện", "nội",  "dung", "báo", "cáo", "phòng", "tổ"};
  std::string out;
  for (int i = 0; i < words; ++i) out += std::string(kWords[(i * 7 + i / 16) % 16]) + " ";
  return out;
}

TEST_CASE("three syllables in a row rank first however many records hold them apart") {
  // Here 100 short records hold both pairs of the run apart, repeated (the
  // best weights by words and pairs), and one long record holds the three in
  // a row once (the worst). A run of common syllables is a term of the index;
  // any other is added from positions to the best matches, read further down
  // while a record there could still reach the hits.
  struct Run {
    std::string a, b, c;
    std::vector<std::string> queries;
  };
  const Run runs[] = {
      {"giáo", "viên", "trường", {"giáo viên trường", "giao vien truong", "GIÁO VIÊN TRƯỜNG"}},
      {"thư", "viện", "điện", {"thư viện điện", "thu vien dien", "THƯ VIỆN ĐIỆN"}}};
  for (const Run& run : runs) {
    INFO(run.queries[0]);
    IndexFixture f;
    const std::string ab = run.a + " " + run.b, bc = run.b + " " + run.c;
    for (int i = 0; i < 100; ++i)
      f.add("Tin " + std::to_string(i),
            {ab + " giỏi, đoàn " + bc + " ta; " + ab + ", đoàn " + bc + " " + std::to_string(i)});
    std::string padding;
    for (int i = 0; i < 300; ++i) padding += "sách bàn ghế bảng phấn ";
    auto together = f.add("Báo cáo", {padding + ab + " " + run.c + " " + padding});
    for (const std::string& q : run.queries) {
      INFO(q);
      indexer::SearchRequest request;
      request.query = q;
      request.limit = 10;
      auto [plain, with_facets] = f.search_both_ways(request);
      for (const auto* results : {&plain, &with_facets}) {
        REQUIRE(!results->hits.empty());
        CHECK(results->hits[0].id == together);
        CHECK(results->total == 101);
      }
      // The next page goes on where the first stopped.
      request.offset = 10;
      auto next = f.search(request);
      REQUIRE(next.hits.size() == 10);
      for (const auto& h : next.hits) CHECK(h.id != together);
      CHECK(next.hits[0].score <= plain.hits[9].score);
    }
  }
}

TEST_CASE("a document with the query's syllables in a row beats any with them scattered") {
  IndexFixture f;
  // Short documents repeating each syllable, never together.
  std::vector<store::RecordId> scattered;
  for (int i = 0; i < 5; ++i)
    scattered.push_back(f.add("Văn bản " + std::to_string(i),
                              {"chữ viết đẹp, chữ in. Ký tên, ký nhận. Số liệu, số " +
                               std::to_string(i) + ". Cẩm nang. Giàng là họ. Chữ số"}));
  // Two of the three syllables together: between the two.
  auto partial =
      f.add("Biên bản", {"chữ ký của hiệu trưởng ở cuối trang, " + filler(40) + " số 5"});
  // Long, and saying each phrase once.
  auto whole = f.add("Báo cáo", {filler(600) + " triển khai chữ ký số cho giáo viên " + filler(600),
                                 filler(300) + " Cẩm Giàng, ngày 04 tháng 10 năm 2022 "});
  for (const std::string q : {"chữ ký số", "chu ky so", "CHỮ KÝ SỐ",
                              "chu\xcc\x9b\xcc\x83 ky\xcc\x81 so\xcc\x82\xcc\x81"}) {
    INFO(q);
    Ids hits = f.ids(q);
    REQUIRE(hits.size() == 7);
    CHECK(hits[0] == whole);
    CHECK(hits[1] == partial);
  }
  for (const std::string q : {"Cẩm Giàng", "cam giang"}) {
    INFO(q);
    Ids hits = f.ids(q);
    REQUIRE(hits.size() == 6);
    CHECK(hits[0] == whole);
  }
  // The same order with facets counted (every match scored) as by blocks.
  indexer::SearchRequest request;
  request.query = "chu ky so";
  request.facets = true;
  auto results = f.search(request);
  REQUIRE(results.hits.size() == 7);
  CHECK(results.hits[0].id == whole);
  CHECK(results.hits[0].page == 1);
  CHECK(results.hits[1].id == partial);
}

TEST_CASE("withdrawn records are hidden from search") {
  IndexFixture f;
  auto id = f.add("Văn bản", {"quyết định khen thưởng"});
  REQUIRE(f.store->withdraw(id, "ban hành nhầm", "tester").ok());
  REQUIRE(f.index->catch_up().ok());
  CHECK(f.ids("khen thưởng").empty());
}

TEST_CASE("the index records the last change applied and catches up from there") {
  IndexFixture f;
  f.add("Một", {"một"});
  CHECK(f.index->applied_sequence() == f.store->last_sequence());
  // A change the index has not seen (as after a crash between the two commits).
  f.add_unindexed({"bản ghi đến muộn"});
  CHECK(f.index->applied_sequence() + 1 == f.store->last_sequence());
  std::uint64_t applied = 0;
  REQUIRE(f.index->catch_up({}, &applied).ok());
  CHECK(applied == 1);
  CHECK(f.ids("den muon").size() == 1);
}

TEST_CASE("a follower indexes what is stored while storing goes on, in batches") {
  IndexFixture f;
  std::optional<indexer::Follower> follower(std::in_place, *f.index, *f.store);
  // Fewer changes than a batch: left for the next catch-up.
  for (int i = 0; i < 10; ++i) f.add_unindexed({"hồ sơ lưu trữ số " + std::to_string(i)});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(f.index->applied_sequence() == 0);
  // A batch's worth (256 changes): indexed on the follower's own thread, while
  // nobody calls catch_up.
  for (int i = 10; i < 300; ++i) f.add_unindexed({"hồ sơ lưu trữ số " + std::to_string(i)});
  for (int tries = 0; tries < 200 && f.index->applied_sequence() < 256; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(f.index->applied_sequence() >= 256);
  follower.reset();  // what is stored after it stops waits for the next catch-up
  f.add_unindexed({"bản ghi cuối cùng"});
  CHECK(f.index->applied_sequence() < 301);
  REQUIRE(f.index->catch_up().ok());
  CHECK(f.index->applied_sequence() == 301);
  CHECK(f.search("ho so luu tru").total == 300);
  CHECK(f.ids("ban ghi cuoi cung").size() == 1);
}

TEST_CASE("a batch of more text than one commit holds is committed in parts") {
  IndexFixture f;
  // A long book (more text than a commit holds: 2,100 dense pages, 18 MB),
  // a short record, then the book withdrawn: three changes the index has not seen.
  std::string page;
  for (int i = 0; i < 500; ++i) page += "trang sách dài ";
  auto book = f.add_unindexed(std::vector<std::string>(2100, page));
  f.add_unindexed({"bản ghi ngắn"});
  REQUIRE(f.store->withdraw(book, "nhập nhầm", "tester").ok());
  std::vector<std::uint64_t> progress;
  auto record_progress = [&](std::uint64_t done, std::uint64_t) { progress.push_back(done); };
  std::uint64_t applied = 0;
  REQUIRE(f.index->catch_up(record_progress, &applied).ok());
  CHECK(progress == std::vector<std::uint64_t>{1, 3});  // committed after the book, then at the end
  CHECK(applied == 3);
  CHECK(f.index->applied_sequence() == f.store->last_sequence());
  CHECK(f.ids("ban ghi ngan").size() == 1);
  CHECK(f.ids("sach dai").empty());  // indexed as the store has it now: withdrawn
}

TEST_CASE("a compacted index is smaller and answers and catches up as before") {
  IndexFixture f;
  for (int i = 0; i < 40; ++i)
    f.add("Kế hoạch " + std::to_string(i), {"kế hoạch bài dạy môn Toán lớp " + std::to_string(i)});
  auto size = [&] {
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(f.index->path()))
      if (e.is_regular_file()) bytes += e.file_size();
    return bytes;
  };
  auto before = f.ids("ke hoach bai day");
  std::uintmax_t loose = size();
  REQUIRE(f.index->compact().ok());
  CHECK(size() < loose);
  CHECK(f.ids("ke hoach bai day") == before);
  CHECK(f.index->applied_sequence() == f.store->last_sequence());
  f.add("Biên bản", {"biên bản họp tổ chuyên môn"});
  CHECK(f.ids("bien ban hop").size() == 1);
}

TEST_CASE("a rebuilt index gives the same results") {
  IndexFixture f;
  f.add("Kế hoạch", {"chuyển đổi số trong giáo dục", "tốt nghiệp THCS"});
  f.add("Tin", {"giáo dục Hòa Bình"});
  auto before = f.search("giao duc");
  fs::remove_all(f.index->path());
  REQUIRE(f.index->rebuild().ok());
  auto after = f.search("giao duc");
  REQUIRE(before.hits.size() == after.hits.size());
  for (std::size_t i = 0; i < before.hits.size(); ++i) {
    CHECK(before.hits[i].id == after.hits[i].id);
    CHECK(before.hits[i].page == after.hits[i].page);
    CHECK(before.hits[i].score == Approx(after.hits[i].score));
  }
}

TEST_CASE("a malformed or empty query is an error that names the problem") {
  IndexFixture f;
  f.add("Một", {"một"});
  indexer::Results results;
  indexer::SearchRequest request;
  request.query = "(giao duc";
  Status s = f.index->search(request, &results);
  CHECK(s.code() == Status::Code::kInvalid);
  request.query = "  ;; ";
  s = f.index->search(request, &results);
  CHECK(s.code() == Status::Code::kInvalid);
}

TEST_CASE("query language: phrases, NOT, fields and kinds") {
  IndexFixture f;
  auto a = f.add("Kế hoạch bài dạy Toán", {"bài học về phân số"}, "lesson-plan");
  auto b = f.add("Quyết định", {"phân công giáo viên dạy toán"}, "admin-doc");
  CHECK(f.ids("\"phan so\"") == std::vector<store::RecordId>{a});
  CHECK(f.ids("toan -phan") == std::vector<store::RecordId>{});
  CHECK(f.ids("toan NOT so") == std::vector<store::RecordId>{b});
  CHECK(f.ids("title:quyet") == std::vector<store::RecordId>{b});
  CHECK(f.ids("toan kind:lesson-plan") == std::vector<store::RecordId>{a});
}

TEST_CASE("facets count records, and filters combine with the query") {
  IndexFixture f;
  f.add("Kế hoạch A", {"giáo dục trang một", "giáo dục trang hai"}, "admin-doc");
  f.add("Kế hoạch B", {"giáo dục"}, "admin-doc");
  auto lesson = f.add("Bài dạy", {"giáo dục"}, "lesson-plan");
  indexer::SearchRequest request;
  request.query = "giao duc";
  request.facets = true;
  indexer::Results results;
  REQUIRE(f.index->search(request, &results).ok());
  CHECK(results.total == 3);
  auto& kinds = results.facets["kind"];
  REQUIRE(kinds.size() == 2);
  CHECK(kinds[0].value == "admin-doc");
  CHECK(kinds[0].count == 2);  // three pages, two records
  CHECK(kinds[1].count == 1);

  request.filters = {{"kind", "lesson-plan"}};
  REQUIRE(f.index->search(request, &results).ok());
  REQUIRE(results.hits.size() == 1);
  CHECK(results.hits[0].id == lesson);
  request.filters = {{"kind", "lesson-plan"}, {"kind", "admin-doc"}};
  REQUIRE(f.index->search(request, &results).ok());
  CHECK(results.total == 3);
  request.filters = {{"colour", "red"}};
  CHECK(f.index->search(request, &results).code() == Status::Code::kInvalid);
}

TEST_CASE("results sort by title and page stably") {
  IndexFixture f;
  auto c = f.add("Cờ vua", {"sách"});
  auto a = f.add("Âm nhạc", {"sách"});
  auto b = f.add("Bóng đá", {"sách"});
  indexer::SearchRequest request;
  request.query = "sach";
  request.sort = indexer::Sort::kTitle;
  request.limit = 2;
  indexer::Results first, second;
  REQUIRE(f.index->search(request, &first).ok());
  request.offset = 2;
  REQUIRE(f.index->search(request, &second).ok());
  REQUIRE(first.hits.size() == 2);
  REQUIRE(second.hits.size() == 1);
  CHECK(first.hits[0].id == a);
  CHECK(first.hits[1].id == b);
  CHECK(second.hits[0].id == c);
}

TEST_CASE("search inside a record lists every matching page") {
  IndexFixture f;
  auto id = f.add("Sách", {"điểm danh học sinh", "không liên quan", "học sinh giỏi"});
  f.add("Khác", {"học sinh khác"});
  std::vector<indexer::Hit> pages;
  REQUIRE(f.index->search_record(id, "hoc sinh", &pages).ok());
  REQUIRE(pages.size() == 2);
  std::set<std::uint32_t> numbers{pages[0].page, pages[1].page};
  CHECK(numbers == std::set<std::uint32_t>{1, 3});
  for (const auto& p : pages) CHECK(p.snippet.find("học sinh") != std::string::npos);
}

TEST_CASE("abbreviations match their expansions and back") {
  IndexFixture f;
  auto thcs = f.add("Một", {"Trường THCS Mạo Khê"});
  auto full = f.add("Hai", {"trường trung học cơ sở Cẩm Giàng"});
  auto both = std::vector<store::RecordId>{thcs, full};
  auto sorted = [](std::vector<store::RecordId> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  CHECK(sorted(f.ids("THCS")) == both);
  CHECK(sorted(f.ids("trung hoc co so")) == both);
  CHECK(sorted(f.ids("trường trung học cơ sở")) == both);
  CHECK(f.ids("\"trung hoc co so\"") ==
        std::vector<store::RecordId>{full});  // quotes mean as written
}

TEST_CASE("the synonym list parses and rewrites only free-standing words") {
  indexer::Synonyms s;
  REQUIRE(indexer::Synonyms::parse(
              "# comment\nTHCS = trung học cơ sở\nCNTT = công nghệ thông tin\n", &s)
              .ok());
  CHECK(s.size() == 2);
  CHECK(s.expand("thcs Cam Giang") == "(thcs OR \"trung hoc co so\") Cam Giang");
  CHECK(s.expand("44/KH-THCS") == "44/KH-THCS");
  CHECK(s.expand("title:cntt") == "title:cntt");
  CHECK(indexer::Synonyms::parse("no equals sign\n", &s).message().find("line 1") !=
        std::string::npos);
  CHECK(indexer::Synonyms::builtin().size() > 15);
}

TEST_CASE("did you mean: accents restored and misspellings corrected") {
  IndexFixture f;
  f.add("Một", {"Lễ xét công nhận tốt nghiệp năm 2022", "tốt nghiệp THCS"});
  f.add("Hai", {"học sinh tốt, tôt"});
  CHECK(f.search("tot nghiep").suggestion == "tốt nghiệp");
  CHECK(f.search("tốt nghiệp").suggestion.empty());
  CHECK(f.search("tot nghiepp").suggestion == "tốt nghiệp");
  // Abbreviations come back as the synonym list writes them.
  CHECK(f.search("tot nghiep thcs").suggestion == "tốt nghiệp THCS");
  CHECK(f.search("tốt nghiệp THCS").suggestion.empty());
  // Field names and values are not words to correct.
  CHECK(f.search("kind:other tốt nghiệp").suggestion.empty());
  CHECK(f.search("kind:other tot nghiepp").suggestion == "kind:other tốt nghiệp");
}

TEST_CASE("did you mean leaves alone a word the collection has, however common its neighbours") {
  IndexFixture f;
  f.add("Tổ chuyên môn", {"tổ Toán, tổ Văn, tổ Ngoại ngữ, tổ trưởng và tổ phó", "tổ Sử – Địa"});
  f.add("Quyết định", {"công nhận tốt nghiệp trung học cơ sở"});
  // Xapian offers "to" (tổ, six times) for "tot" (once): one edit, commoner.
  CHECK(f.search("công nhận tốt nghiệp").suggestion.empty());
  CHECK(f.search("tot nghiep").suggestion == "tốt nghiệp");
  CHECK(f.search("cong nhan tott").suggestion == "công nhận tốt");
}

TEST_CASE("a query typed in NFD, or in capitals, matches like NFC") {
  IndexFixture f;
  auto id = f.add("Quyết định", {"Công nhận tốt nghiệp trung học cơ sở"});
  // "tốt nghiệp" decomposed: base letters followed by combining marks.
  const std::string nfd = "to\xcc\x82\xcc\x81t nghie\xcc\xa3\xcc\x82p";
  CHECK(f.ids(nfd) == Ids{id});
  CHECK(f.ids("TỐT NGHIỆP") == Ids{id});
  auto exact = f.search(nfd);
  REQUIRE(exact.hits.size() == 1);
  CHECK(exact.hits[0].snippet.find("tốt nghiệp") != std::string::npos);
}

TEST_CASE("an index written in an older format is rebuilt by the next catch-up") {
  IndexFixture f;
  auto id = f.add("Kế hoạch", {"Kế hoạch chuyển đổi số"});
  {
    Xapian::WritableDatabase db(f.index->path() + "/records", Xapian::DB_OPEN);
    db.set_metadata("kho:format", "1");
    db.delete_document("R" + std::to_string(id));  // as if its terms meant something else
    db.commit();
  }
  CHECK(f.ids("chuyen doi so").empty());
  REQUIRE(f.index->catch_up().ok());
  CHECK(f.ids("chuyen doi so") == Ids{id});
  CHECK(Xapian::Database(f.index->path() + "/records").get_metadata("kho:format") ==
        kho::indexer::kFormat);
}

TEST_CASE("an index laid out as one database (format 6) is rebuilt as records and pages") {
  IndexFixture f;
  auto id = f.add("Kế hoạch", {"Kế hoạch chuyển đổi số", "trang hai"});
  fs::remove_all(f.index->path());
  {
    Xapian::WritableDatabase old(f.index->path(), Xapian::DB_CREATE);
    old.set_metadata("kho:format", "6");
    old.set_metadata("kho:applied_seq", "1");
    old.add_document(Xapian::Document());
    old.commit();
  }
  REQUIRE(f.index->catch_up().ok());
  CHECK(f.ids("chuyen doi so") == Ids{id});
  CHECK(f.search("chuyen doi so").hits.at(0).page == 1);
}

TEST_CASE("without facets the total still counts the records that match") {
  // Many pages per record, the word on one of them: an estimate that mixed
  // page and record documents came out at a third of the records matching.
  // Xapian estimates when the best hits come first and it stops early.
  IndexFixture f;
  std::string long_page;
  for (int w = 0; w < 300; ++w) long_page += "nội dung " + std::to_string(w) + " ";
  for (int i = 0; i < 150; ++i)
    f.add("Báo cáo " + std::to_string(i),
          {"mở đầu", long_page, i < 20 ? "tham gia tham gia tham gia" : "tham gia", long_page});
  indexer::SearchRequest request;
  request.query = "tham gia";
  indexer::Results estimated, counted;
  REQUIRE(f.index->search(request, &estimated).ok());
  request.facets = true;
  REQUIRE(f.index->search(request, &counted).ok());
  CHECK(counted.total == 150);
  CHECK(estimated.total == 150);
}

TEST_CASE("a total that is an estimate says so") {
  // A query of filters alone ranks nothing: Xapian stops once it has the
  // hits asked for and estimates the rest. The CLI then prints "about", the
  // API "total_exact": false.
  IndexFixture f;
  for (int i = 0; i < 150; ++i) {
    store::NewRecord in;
    in.kind = i % 2 == 0 ? "book" : "other";
    in.pages = {"tham gia phong trào"};
    f.store_record(std::move(in));
  }
  REQUIRE(f.index->catch_up().ok());
  indexer::SearchRequest request;
  request.query = "kind:book OR kind:other";
  indexer::Results estimated, counted, few;
  REQUIRE(f.index->search(request, &estimated).ok());
  CHECK_FALSE(estimated.total_exact);
  request.facets = true;
  REQUIRE(f.index->search(request, &counted).ok());
  CHECK(counted.total_exact);
  CHECK(counted.total == 150);
  f.add("Báo cáo", {"một trang riêng"});
  request.facets = false;
  request.query = "riêng";
  REQUIRE(f.index->search(request, &few).ok());
  CHECK(few.total == 1);
  CHECK(few.total_exact);
}

TEST_CASE("a faceted search split among the cores finds the hits in the order one thread finds") {
  // Counting facets visits every match, so that search is split among
  // threads and their hits merged; without facets one thread searches. Equal
  // weights and equal dates check the merge breaks ties as Xapian does.
  IndexFixture f;
  for (int i = 0; i < 150; ++i) {
    store::NewRecord in;
    in.kind = i % 3 == 0 ? "lesson-plan" : "admin-doc";
    in.dc = {{"title", "Báo cáo " + std::to_string(i % 40)},
             {"date", "20" + std::to_string(10 + i % 12) + "-01-01"}};
    std::string page;
    for (int k = 0; k <= i % 7; ++k) page += "tham gia ";
    in.pages = {page + "phong trào thi đua"};
    f.store_record(std::move(in));
  }
  REQUIRE(f.index->catch_up().ok());
  for (auto sort : {indexer::Sort::kRelevance, indexer::Sort::kNewest, indexer::Sort::kOldest,
                    indexer::Sort::kTitle}) {
    for (std::size_t offset : {0, 10, 45, 140}) {
      indexer::SearchRequest request;
      request.query = "tham gia";
      request.sort = sort;
      request.offset = offset;
      auto [one, split] = f.search_both_ways(request);
      auto ids = [](const indexer::Results& r) {
        std::vector<store::RecordId> out;
        for (const auto& hit : r.hits) out.push_back(hit.id);
        return out;
      };
      INFO("sort " << static_cast<int>(sort) << ", from " << offset);
      CHECK(ids(split) == ids(one));
      CHECK(split.total == 150);
      CHECK(split.facets.at("kind").at(0).count + split.facets.at("kind").at(1).count == 150);
    }
  }
}

TEST_CASE("faceted searches while records are indexed count what one commit holds") {
  // Each thread of a faceted search opens the index itself: had they read
  // different commits, a total would fall between two commits' (and not be
  // a multiple of the ten records each commit adds).
  IndexFixture f;
  f.add("Báo cáo", {"tham gia phong trào"});
  std::atomic<bool> done = false;
  Status failed;
  std::thread writer([&] {
    for (int batch = 0; batch < 30 && failed.ok(); ++batch) {
      for (int i = 0; i < 10; ++i) {
        store::NewRecord in;
        in.kind = i % 2 == 0 ? "book" : "other";
        in.pages = {"tham gia phong trào " + std::to_string(batch * 10 + i)};
        in.source_path = f.dir.str() + "/f" + std::to_string(++f.files);
        std::ofstream(in.source_path) << "original " << f.files;
        store::Record r;
        bool duplicate = false;
        if (Status s = f.store->add(in, &r, &duplicate); !s.ok()) failed = s;
      }
      if (Status s = f.index->catch_up(); !s.ok()) failed = s;
    }
    done = true;
  });
  std::vector<std::uint64_t> totals;
  int busy = 0;
  while (!done) {
    indexer::SearchRequest request;
    request.query = "tham gia";
    request.facets = true;
    indexer::Results results;
    Status s = f.index->search(request, &results);
    if (s.code() == Status::Code::kBusy) {
      ++busy;
      continue;
    }
    REQUIRE(s.ok());
    std::uint64_t counted = 0;
    for (const auto& v : results.facets.at("kind")) counted += v.count;
    CHECK(counted == results.total);
    totals.push_back(results.total);
  }
  writer.join();
  REQUIRE(failed.ok());
  INFO(totals.size() << " searches, " << busy << " told to try again");
  CHECK(totals.size() > 10);
  for (std::uint64_t total : totals) CHECK((total - 1) % 10 == 0);
}

TEST_CASE("a search that scores blocks of records finds the hits scoring every record finds") {
  // 3,000 records in 24 blocks, every one with the words: a compacted index
  // ranks such a query by blocks (blocks.h) when it counts no facets; with
  // facets it scores every record, which makes it the reference here.
  IndexFixture f;
  auto record = [](int i) {
    store::NewRecord in;
    std::string page;
    // Every fourth block weak: a record there is never among the best.
    bool weak = (i / 128) % 4 == 3;
    for (int k = 0; k <= (weak ? 0 : (i * 7) % 13); ++k) page += "tham gia phong trào ";
    for (int k = 0; k <= (weak ? 30 : (i * 11) % 17); ++k) page += "nội dung giáo viên ";
    if (i % 5 == 0) page += "GV chủ nhiệm";
    in.dc = {{"title", "Báo cáo " + std::to_string(i)}};
    in.pages = {page};
    return in;
  };
  for (int i = 0; i < 3000; ++i) f.store_record(record(i));
  REQUIRE(f.index->catch_up().ok());
  REQUIRE(f.index->compact().ok());
  auto same_hits = [&](const std::string& query) {
    for (std::size_t offset : {0, 10, 35}) {
      indexer::SearchRequest request;
      request.query = query;
      request.offset = offset;
      auto [blocks, every] = f.search_both_ways(request);
      std::vector<std::pair<store::RecordId, double>> a, b;
      for (const auto& h : blocks.hits) a.emplace_back(h.id, h.score);
      for (const auto& h : every.hits) b.emplace_back(h.id, h.score);
      INFO(query << ", from " << offset);
      CHECK(a == b);
      CHECK(a.size() == 10);
    }
  };
  for (const char* q : {"tham gia", "giao vien", "tham gia phong trào", "nội dung -chủ",
                        "\"phong trào\"", "tham OR nhiệm"})
    same_hits(q);

  // After the bounds were written: a record of a weak block edited to be the
  // best, and a new one better still, are found first.
  store::Record edited;
  REQUIRE(f.store
              ->update(
                  390,
                  [](store::Record* r) {
                    for (int k = 0; k < 50; ++k) r->dc["title"] += "tham gia ";
                    return Status::Ok();
                  },
                  "cli", &edited)
              .ok());
  REQUIRE(f.index->catch_up().ok());
  same_hits("tham gia");
  CHECK(f.ids("tham gia").front() == 390);
  store::NewRecord best;
  best.pages = {""};
  for (int k = 0; k < 200; ++k) best.pages[0] += "tham gia ";
  auto added = f.store_record(std::move(best));
  REQUIRE(f.index->catch_up().ok());
  same_hits("tham gia");
  CHECK(f.ids("tham gia").front() == added);
}

TEST_CASE("a search after the index is rebuilt in place reads the new one, and what follows") {
  IndexFixture f;
  auto first = f.add("Lão Hạc", {"truyện ngắn của Nam Cao"});
  CHECK(f.ids("Nam Cao") == std::vector<store::RecordId>{first});
  // A record the old index never saw, then the index rebuilt beside it and swapped in.
  store::NewRecord in;
  in.kind = "book";
  in.dc = {{"title", "Dế Mèn phiêu lưu ký"}};
  in.pages = {"truyện của Tô Hoài"};
  kho::testing::write_file(f.dir.path() / "de-men", "de men");
  in.source_path = (f.dir.path() / "de-men").string();
  in.filename = "de-men.txt";
  store::Record de_men;
  bool duplicate = false;
  REQUIRE(f.store->add(in, &de_men, &duplicate).ok());
  CHECK(f.ids("Tô Hoài").empty());
  REQUIRE(f.index->rebuild().ok());
  CHECK(f.ids("Tô Hoài") == std::vector<store::RecordId>{de_men.id});
  auto third = f.add("Tắt đèn", {"tiểu thuyết của Ngô Tất Tố"});
  CHECK(f.ids("Ngô Tất Tố") == std::vector<store::RecordId>{third});
}

TEST_CASE("a record whose words are on different pages is found, naming its best page") {
  IndexFixture f;
  auto spread = f.add("Hồ sơ", {"danh sách tuyển sinh", "không liên quan", "lớp mười chuyên toán"});
  auto together = f.add("Kế hoạch", {"mở đầu", "tuyển sinh lớp mười", "tuyển sinh và lớp mười"});
  auto results = f.search("tuyen sinh lop muoi");
  REQUIRE(results.hits.size() == 2);
  CHECK(results.total == 2);
  const auto& first = results.hits[0];
  CHECK(first.id == together);  // all the words on one page rank first
  CHECK(first.page == 2);       // and together on that page
  CHECK(first.matching_pages == 2);
  CHECK(first.snippet.find("tuyển sinh lớp mười") != std::string::npos);
  const auto& second = results.hits[1];
  CHECK(second.id == spread);
  CHECK((second.page == 1 || second.page == 3));
  CHECK(second.matching_pages == 2);  // no page has them all: the pages with any
  CHECK(!second.highlights.empty());
}

TEST_CASE("a phrase never matches across a page break") {
  IndexFixture f;
  f.add("Một", {"kế hoạch chuyển đổi", "số hóa thư viện"});
  auto whole = f.add("Hai", {"kế hoạch chuyển đổi số của trường"});
  CHECK(f.ids("\"chuyen doi so\"") == std::vector<store::RecordId>{whole});
  // Nor do two syllables either side of the break count as standing together.
  auto hits = f.ids("chuyen doi so");
  REQUIRE(hits.size() == 2);
  CHECK(hits.front() == whole);
}

TEST_CASE("a quoted phrase finds what checking its positions finds") {
  // The records' search decides a phrase of two or three words by run terms
  // (terms.h) instead of positions, and checks a longer one only where its
  // run terms are; a direct phrase query over the same index must agree on
  // every record and weight, where Xapian's tokens are not plain words
  // ("3.5", "at&t", "c++", a word too long to index) and across gaps.
  IndexFixture f;
  f.add("Chuyển đổi số", {"kế hoạch chuyển đổi số của trường"});
  f.add("Một", {"chuyển đổi, số hóa"});
  auto pages = f.add("Hai", {"chuyển đổi", "số liệu"});
  store::NewRecord fields;
  fields.dc = {{"title", "Chuyển đổi"}, {"description", "số liệu"}};
  auto two_fields = f.add(std::move(fields));
  f.add("Ba", {"số chuyển đổi"});
  f.add("Bốn", {"giá 3.5 triệu đồng AT&T chuyển đổi C++ và R&D"});
  f.add("Năm", {"số số số đổi số"});
  f.add("Sáu", {"chuyển đổi " + std::string(70, 'a') + " số"});
  // A long phrase whose words many records have, in another order.
  f.add("Bảy", {"học sinh giỏi cấp tỉnh"});
  for (const char* title : {"Tám", "Chín", "Mười"}) f.add(title, {"cấp tỉnh có học sinh giỏi"});
  // A hit's matching pages and a search inside the record count the pages a
  // phrase query finds.
  auto book = f.add("Sách", {"chuyển đổi số", "số chuyển đổi", "chuyển đổi, số hóa", "đổi số",
                             "3.5 triệu đồng", "học sinh giỏi cấp tỉnh, cấp tỉnh có học sinh"});
  Xapian::Database db(indexer::records_path(f.index->path()));
  // What Xapian's own phrase matching finds on each of a record's pages,
  // each indexed alone as the record document indexes it.
  auto phrase_pages = [&](const std::vector<std::string>& words, store::RecordId id) {
    std::vector<std::string> texts;
    REQUIRE(f.store->pages(id, &texts).ok());
    Xapian::WritableDatabase pages_db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    for (const std::string& text : texts) {
      Xapian::Document doc;
      Xapian::TermGenerator tg;
      tg.set_document(doc);
      tg.index_text(text::fold(text));
      pages_db.add_document(doc);  // docid: the page's number
    }
    Xapian::Enquire enquire(pages_db);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_PHRASE, words.begin(), words.end()));
    std::set<std::uint32_t> numbers;
    for (Xapian::docid page : enquire.get_mset(0, 100)) numbers.insert(page);
    return numbers;
  };
  for (std::string typed :
       {"chuyen doi so", "chuyen doi", "doi so", "3.5 trieu", "dong at&t chuyen", "c++ va",
        "va r&d", "so so", "so so so", "so doi", "doi so so", "so chuyen doi",
        "ke hoach chuyen doi so", "chuyen doi so cua", "so so so doi so", "so so doi so so",
        "hoc sinh gioi cap tinh", "cap tinh co hoc"}) {
    std::istringstream in(typed);
    std::vector<std::string> words{std::istream_iterator<std::string>(in), {}};
    INFO("\"" << typed << "\"");
    Xapian::Enquire enquire(db);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_PHRASE, words.begin(), words.end()));
    Xapian::MSet mset = enquire.get_mset(0, 100);
    std::vector<std::pair<store::RecordId, double>> expected, found;
    for (auto m = mset.begin(); m != mset.end(); ++m) expected.emplace_back(*m, m.get_weight());
    indexer::SearchRequest request;
    request.query = "\"" + typed + "\"";
    request.limit = 100;
    auto [without, with] = f.search_both_ways(request);
    for (const auto& h : without.hits) found.emplace_back(h.id, h.score);
    CHECK(found == expected);
    CHECK(with.total == expected.size());
    for (const auto& h : without.hits) {
      std::set<std::uint32_t> matching = phrase_pages(words, h.id);
      if (!matching.empty()) CHECK(h.matching_pages == matching.size());
    }
    std::vector<indexer::Hit> inside;
    REQUIRE(f.index->search_record(book, request.query, &inside).ok());
    std::set<std::uint32_t> listed;
    for (const auto& page : inside) listed.insert(page.page);
    CHECK(listed == phrase_pages(words, book));
  }
  // Typed with its marks, the phrase still finds neither the words either
  // side of a page break nor those in two fields.
  Ids hits = f.ids("\"chuyển đổi số\"");
  CHECK(hits.size() == 4);  // the title's record, "chuyển đổi, số", the long word's, the book
  CHECK(std::count(hits.begin(), hits.end(), pages) == 0);
  CHECK(std::count(hits.begin(), hits.end(), two_fields) == 0);
}

TEST_CASE("facet counts and totals count records, whatever their pages") {
  IndexFixture f;
  f.add("Sổ ghi", {"điểm kiểm tra", "điểm thi", "điểm tổng kết", "không có"}, "admin-doc");
  f.add("Giáo án", {"điểm danh"}, "lesson-plan");
  indexer::SearchRequest request;
  request.query = "diem";
  request.facets = true;
  indexer::Results results;
  REQUIRE(f.index->search(request, &results).ok());
  CHECK(results.total == 2);
  std::map<std::string, std::uint64_t> kinds;
  for (const auto& c : results.facets["kind"]) kinds[c.value] = c.count;
  CHECK(kinds == std::map<std::string, std::uint64_t>{{"admin-doc", 1}, {"lesson-plan", 1}});
  request.facets = false;
  REQUIRE(f.index->search(request, &results).ok());
  CHECK(results.total == 2);
  REQUIRE(results.hits.size() == 2);
  for (const auto& h : results.hits) CHECK(h.matching_pages == (h.title == "Sổ ghi" ? 3u : 1u));
}

TEST_CASE("search inside a record looks at its pages, not the whole record") {
  IndexFixture f;
  auto id = f.add("Sách", {"phần một: tuyển sinh", "phần hai: lớp mười"});
  std::vector<indexer::Hit> pages;
  REQUIRE(f.index->search_record(id, "tuyen sinh lop muoi", &pages).ok());
  // No page has all the words, though the record does: as a search hit's
  // matching_pages counts them, the pages with any of them.
  CHECK(pages.size() == 2);
  REQUIRE(f.index->search_record(id, "lop muoi", &pages).ok());
  REQUIRE(pages.size() == 1);
  CHECK(pages[0].page == 2);
}
