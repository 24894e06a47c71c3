// The query language: whatever a visitor types goes through parsing, synonym
// expansion, run terms, facets, the access grants and "did you mean" on a real
// index. A malformed query must come back as Status::Invalid, never a crash.
#include <filesystem>
#include <memory>

#include "fuzz/fuzz.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace {

struct Library {
  std::unique_ptr<kho::store::Store> store;
  std::unique_ptr<kho::indexer::Index> index;

  Library() {
    if (!kho::store::Store::open(kho::fuzz::scratch_dir() + "/data", true, &store).ok()) abort();
    const char* texts[][3] = {
        {"admin-doc", "Kế hoạch chuyển đổi số năm học 2022-2023", "Số: 44/KH-PGDĐT Cẩm Giàng"},
        {"lesson-plan", "Kế hoạch bài dạy Toán 6", "Phân số bằng nhau, học sinh THCS"},
        {"diploma", "Bằng tốt nghiệp THCS", "Trần Đình Hà sinh ngày 04/10/2008"},
        {"book", "Truyện Kiều", "Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau"},
    };
    int n = 0;
    for (const auto& t : texts) {
      kho::store::NewRecord in;
      in.kind = t[0];
      in.dc = {{"title", t[1]}, {"date", "2022-10-04"}};
      in.pages = {t[2], std::string(t[1]) + " " + t[2]};
      in.source_path = kho::fuzz::as_file("original " + std::to_string(++n), "seed");
      in.filename = "tệp.txt";
      in.visibility = n % 2 ? "public" : "private";
      kho::store::Record r;
      bool duplicate = false;
      if (!store->add(in, &r, &duplicate).ok()) abort();
    }
    index = std::make_unique<kho::indexer::Index>(*store);
    if (!index->catch_up().ok()) abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Library library;
  auto [filters, query] = kho::fuzz::first_line(kho::fuzz::bytes(data, size));
  kho::indexer::SearchRequest request;
  request.query = std::string(query.empty() ? std::string_view(filters) : query);
  request.facets = size % 2 == 0;
  request.restricted = size % 3 == 0;
  request.grants = {{"public", {}, {}, "", 0}};
  if (!query.empty() && filters.find(':') != std::string::npos)
    request.filters = {
        {filters.substr(0, filters.find(':')), filters.substr(filters.find(':') + 1)}};
  kho::indexer::Results results;
  (void)library.index->search(request, &results);
  std::vector<kho::indexer::Hit> pages;
  (void)library.index->search_record(1, request.query, &pages);
  return 0;
}
