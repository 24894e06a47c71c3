// The query language's fields: facets with exact values, ranges of years,
// grades and dates, document numbers by their parts.
#include <catch2/catch.hpp>

#include "tests/indexer/fixture.h"

using namespace kho;
using kho::testing::IndexFixture;
using Ids = std::vector<store::RecordId>;

namespace {

store::NewRecord record(const std::string& title, const std::string& kind, const std::string& date,
                        std::map<std::string, std::string> fields, const std::string& text) {
  store::NewRecord in;
  in.kind = kind;
  in.dc = {{"title", title}, {"date", date}};
  in.fields = std::move(fields);
  in.pages = {text};
  in.school = "MTH01";
  return in;
}

struct Library : IndexFixture {
  store::RecordId plan, decision, lesson6, lesson9, book;
  Library() {
    plan = add(record("Kế hoạch ứng dụng CNTT", "admin-doc", "2022-10-04",
                      {{"number", "44/KH-PGDĐT"}, {"doc_type", "Kế hoạch"}},
                      "Thực hiện nhiệm vụ ứng dụng CNTT"));
    decision = add(record("Quyết định công nhận tốt nghiệp", "admin-doc", "2019-06-15",
                          {{"number", "215/QĐ-PGDĐT"}, {"doc_type", "Quyết định"}},
                          "Công nhận tốt nghiệp THCS"));
    lesson6 = add(record("Phân số", "lesson-plan", "2023-09-05", {{"grade", "6"}},
                         "Bài học về phân số, lớp 6"));
    lesson9 = add(record("Hệ phương trình", "lesson-plan", "2021-01-20", {{"grade", "9"}},
                         "Giải hệ phương trình"));
    book =
        add(record("Tiếng Việt 1", "book", "2020", {{"isbn", "9786040253714"}}, "Sách giáo khoa"));
  }
};

}  // namespace

TEST_CASE("number: finds a document number whole, by its symbol and by its parts") {
  Library f;
  CHECK(f.ids("number:44/KH-PGDĐT") == Ids{f.plan});
  CHECK(f.ids("number:44/kh-pgddt") == Ids{f.plan});  // without Đ, lower case
  CHECK(f.ids("number:KH-PGDĐT") == Ids{f.plan});
  CHECK(f.ids("number:44") == Ids{f.plan});
  CHECK(f.ids("number:QĐ-PGDĐT") == Ids{f.decision});
  CHECK(f.ids("number:45/KH-PGDĐT").empty());
}

TEST_CASE("facet fields filter on exact values, however they are written") {
  Library f;
  CHECK(f.ids("kind:lesson-plan").size() == 2);
  CHECK(f.ids("kind:book") == Ids{f.book});
  CHECK(f.ids("doctype:\"kế hoạch\"") == Ids{f.plan});
  CHECK(f.ids("doctype:ke-hoach") == Ids{f.plan});
  CHECK(f.ids("school:mth01").size() == 5);
  CHECK(f.ids("kind:admin-doc tốt nghiệp") == Ids{f.decision});
  CHECK(f.ids("kind:admin-doc -tốt").size() == 1);
}

TEST_CASE("years, grades and dates take ranges") {
  Library f;
  auto sorted = [](Ids v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  CHECK(sorted(f.ids("year:2020..2022")) == sorted({f.plan, f.lesson9, f.book}));
  CHECK(sorted(f.ids("year:..2020")) == sorted({f.decision, f.book}));
  CHECK(f.ids("year:2023") == Ids{f.lesson6});
  CHECK(f.ids("grade:6..9").size() == 2);
  CHECK(f.ids("grade:7..9") == Ids{f.lesson9});
  CHECK(f.ids("date:2022-01-01..2022-12-31") == Ids{f.plan});
  CHECK(f.ids("date:2022-10-04") == Ids{f.plan});
  CHECK(sorted(f.ids("date:2019..2020")) == sorted({f.decision, f.book}));
  CHECK(f.ids("date:2023-09..") == Ids{f.lesson6});
  CHECK(f.ids("kind:lesson-plan date:..2022") == Ids{f.lesson9});
}

TEST_CASE("a field value that cannot be understood is refused with the reason") {
  Library f;
  for (const char* q : {"year:20x..2023", "year:2023..2019", "year:1..99999", "date:4/10/2022",
                        "date:2022-13", "grade:a..b"}) {
    Status s = f.refusal(q);
    INFO(q << " -> " << s.message());
    CHECK(s.code() == Status::Code::kInvalid);
    CHECK(s.message().find(std::string(q).substr(0, std::string(q).find(':'))) !=
          std::string::npos);
  }
}

TEST_CASE("facets count grade, subject and document type") {
  Library f;
  indexer::Results results;
  indexer::SearchRequest request;
  request.query = "year:2000..2030";
  request.facets = true;
  REQUIRE(f.index->search(request, &results).ok());
  CHECK(results.total == 5);
  auto count = [&](const std::string& facet, const std::string& value) -> std::uint64_t {
    for (const auto& c : results.facets[facet])
      if (c.value == value) return c.count;
    return 0;
  };
  CHECK(count("doctype", "Kế hoạch") == 1);
  CHECK(count("doctype", "Quyết định") == 1);
  CHECK(count("grade", "6") == 1);
  CHECK(count("kind", "admin-doc") == 2);

  request.filters = {{"doctype", "Quyết định"}};
  REQUIRE(f.index->search(request, &results).ok());
  CHECK(results.total == 1);
}
