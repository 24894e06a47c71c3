// The index is derived data: a Xapian database in DATA/index built from the
// store's change log. It promises:
//  - catch_up() applies the change log past the last applied sequence and
//    records that sequence in the same Xapian commit, so after a crash it
//    resumes exactly where it was; deleting index/ and calling rebuild() gives
//    the same search results;
//  - any process may bring the index up to date: writers take Xapian's lock
//    (waiting for it), so `kho import` and `kho serve` share a data directory;
//  - Vietnamese matching: diacritic-insensitive (đ -> d), exact-diacritic
//    matches ranked first, document numbers ("44/KH-PGDĐT") findable as typed.
// One Xapian document per page; hits are collapsed to one per record, naming
// its best page.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace kho::indexer {

struct Hit {
  store::RecordId id = 0;
  std::string title;
  std::string kind;
  std::string filename;
  std::uint32_t page = 0;  // best-matching page, from 1 (0: metadata only)
  std::string snippet;     // plain text around the match
  double score = 0;
  std::uint32_t matching_pages = 0;  // at least this many pages match
};

struct Results {
  std::uint64_t total = 0;  // records matching (estimate when large)
  std::vector<Hit> hits;
};

struct SearchRequest {
  std::string query;
  std::size_t offset = 0;
  std::size_t limit = 10;
  bool include_withdrawn = false;
};

// Called while catching up: changes applied so far, changes to apply.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

class Index {
 public:
  explicit Index(const store::Store& store);
  ~Index();

  std::string path() const;

  // Applies every change after the last applied one. Safe to call from
  // several threads and processes at once.
  Status catch_up(const Progress& progress = {}, std::uint64_t* applied = nullptr);

  // Deletes the index and builds it again from the store.
  Status rebuild(const Progress& progress = {});

  // The last change-log sequence the index holds (0 when empty or missing).
  store::Sequence applied_sequence() const;

  // A malformed query gives Status::Invalid with a message naming the problem.
  Status search(const SearchRequest& request, Results* out) const;

 private:
  const store::Store& store_;
  struct Writer;
  std::unique_ptr<Writer> writer_;
};

}  // namespace kho::indexer
