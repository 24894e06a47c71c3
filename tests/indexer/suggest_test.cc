// "Did you mean" restores accents phrase by phrase: syllables that stand
// together take the forms the collection writes them in together, and
// nothing is offered when the collection does not tell. A real store and
// Xapian index (tests/indexer/fixture.h).
#include <catch2/catch.hpp>

#include "tests/indexer/fixture.h"

using kho::testing::IndexFixture;

namespace {

// Decisions of the kind schools file: "định" (quyết định, quy định) and
// "hà" (Hà Nội) stand everywhere, "đình" only in one teacher's name.
void add_decisions(IndexFixture& f) {
  f.add("Quyết định khen thưởng giáo viên",
        {"Quyết định khen thưởng ông Trần Đình Hà, giáo viên Toán, theo quy định hiện hành.",
         "Nơi nhận: như Điều 3; lưu văn thư."});
  f.add(
      "Quyết định cử giáo viên đi tập huấn",
      {"Cử thầy Trần Đình Hà và cô Nguyễn Thị Lan dự tập huấn tại Hà Nội theo quyết định số 12."});
  f.add("Quy định về thi đua", {"Quy định này áp dụng từ ngày ký quyết định; Hà Nội, 2023.",
                                "Các quyết định trước đây trái với quy định này bị bãi bỏ."});
  f.add("Kế hoạch năm học", {"Hà Nam, Hà Giang và Hà Nội cùng thực hiện quyết định của Bộ."});
}

}  // namespace

TEST_CASE("did you mean gives a name as the collection writes it, not its commonest syllables") {
  IndexFixture f;
  add_decisions(f);
  // "định" is in every record and "đình" in two: the name's own records decide.
  CHECK(f.search("tran dinh ha").suggestion == "trần đình hà");
  CHECK(f.search("Tran Dinh Ha").suggestion == "trần đình hà");
  // The same syllables standing in other company take that company's forms.
  CHECK(f.search("quyet dinh").suggestion == "quyết định");
  CHECK(f.search("ha noi").suggestion == "hà nội");
  // Typed with the marks, there is nothing to suggest.
  CHECK(f.search("Trần Đình Hà").suggestion.empty());
}

TEST_CASE("did you mean prefers the phrase's forms over the commonest forms of its syllables") {
  IndexFixture f;
  // More records have "cơ" (cơ sở, cơ quan) and "bàn" (bàn ghế) than "có"
  // and "bạn", but together the collection writes "có bạn".
  f.add("Cơ sở vật chất", {"Cơ sở vật chất: bàn ghế, bàn giáo viên."});
  f.add("Cơ quan", {"Cơ quan cấp trên cấp bàn làm việc."});
  f.add("Kiểm kê", {"Kiểm kê bàn ghế của cơ sở."});
  f.add("Nhật ký lớp", {"Em có bạn thân ở lớp bên."});
  f.add("Bài văn", {"Ai cũng có bạn bè."});
  CHECK(f.search("co ban").suggestion == "có bạn");
  // On its own, a syllable still takes its commonest form.
  CHECK(f.search("ban").suggestion == "bàn");
}

TEST_CASE("did you mean offers nothing for words that never stand together") {
  IndexFixture f;
  f.add("Thông báo", {"Thư viện không mở cửa ngày thứ Bảy."});
  f.add("Cơ sở", {"Cơ sở vật chất của trường; cơ quan chủ quản."});
  f.add("Nội quy", {"Học sinh có thẻ thư viện mới được mượn sách."});
  // "không" and "cơ" are in the collection, but never side by side.
  CHECK(f.search("xyzzy khong co").suggestion.empty());
  CHECK(f.search("khong co").suggestion.empty());
  // Where they do stand together, the phrase is offered.
  CHECK(f.search("thu vien khong").suggestion == "thư viện không");
}

TEST_CASE("did you mean offers nothing when two ways of writing a phrase are equally common") {
  IndexFixture f;
  f.add("Danh sách giáo viên", {"Thầy Lê Văn Thu dạy Toán."});
  f.add("Danh sách nhân viên", {"Ông Lê Văn Thư làm văn thư."});
  CHECK(f.search("le van thu").suggestion.empty());
  // A third record tips it.
  f.add("Phân công", {"Thầy Lê Văn Thu chủ nhiệm lớp 9A."});
  CHECK(f.search("le van thu").suggestion == "lê văn thu");
}

TEST_CASE("did you mean reads a phrase from the metadata of a record without pages") {
  IndexFixture f;
  kho::store::NewRecord in;
  in.kind = "book";
  in.dc = {{"title", "Truyện Kiều"}, {"creator", "Nguyễn Du"}};
  f.add(std::move(in));
  f.add("Thông báo", {"Thư viện nhận sách của dự án; các dụ dỗ không được chấp nhận."});
  CHECK(f.search("nguyen du").suggestion == "nguyễn du");
  CHECK(f.search("truyen kieu").suggestion == "truyện kiều");
}

TEST_CASE("did you mean reads each phrase of a query on the pages where it stands") {
  IndexFixture f;
  f.add("Báo cáo năm học", {"Phòng giáo dục báo cáo.", "Ngành giáo dục tổng kết.",
                            "Huyện Cẩm Giàng, tỉnh Hải Dương."});
  CHECK(f.search("giao duc cam giang").suggestion == "giáo dục cẩm giàng");
}
