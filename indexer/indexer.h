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
// One document per record (its metadata and all its pages' text, each word
// once with its positions) is what search ranks; the positions also name
// each hit's best page and answer a search inside one record (pages.h).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "indexer/synonyms.h"
#include "store/store.h"

namespace kho::indexer {

struct Hit {
  store::RecordId id = 0;
  std::string title;
  std::string kind;
  std::string filename;
  std::uint32_t page = 0;  // best-matching page, from 1 (0: metadata only)
  std::string snippet;     // plain text around the match
  // Where the query's words are in the snippet: byte offset and length.
  std::vector<std::pair<std::size_t, std::size_t>> highlights;
  double score = 0;
  // Pages that match the query; when its words are spread over several pages
  // (none has them all), the pages that have any of them.
  std::uint32_t matching_pages = 0;
  std::string library;  // a Remote's name; empty: this library
};

struct FacetCount {
  std::string value;
  std::uint64_t count = 0;  // records, not pages
};

struct Results {
  std::uint64_t total = 0;  // records matching
  // False when `total` is Xapian's estimate: without facets a search stops
  // once nothing left can reach the hits asked for. With facets it counts.
  bool total_exact = true;
  std::vector<Hit> hits;
  std::map<std::string, std::vector<FacetCount>> facets;  // facet -> values, most common first
  std::string suggestion;                                 // "did you mean", or empty
  std::vector<std::string> unavailable;                   // remotes that did not answer
};

// kNewest and kOldest order by the document's date (Dublin Core "date"),
// records without one last; kAdded by when the record was added to the
// library, latest first (record ids are given in that order, never reused).
enum class Sort { kRelevance, kNewest, kOldest, kTitle, kAdded };
// "relevance", "newest", "oldest", "title", "added"; false for anything else.
bool parse_sort(const std::string& name, Sort* out);

// One way a caller may read records: those of this visibility, owned by one
// of `schools`, of one of `kinds`, in this collection, this one record (an
// empty value allows any).
struct Grant {
  std::string visibility;
  std::vector<std::string> schools;
  std::vector<std::string> kinds;
  std::string collection;
  store::RecordId record = 0;
};

struct SearchRequest {
  // Blank (empty or white space only): every record, as the filters and
  // grants allow (a browse); hits then have no page, snippet or matching pages.
  std::string query;
  std::size_t offset = 0;
  std::size_t limit = 10;
  bool include_withdrawn = false;
  Sort sort = Sort::kRelevance;
  // Facet filters, e.g. {"kind", "admin-doc"}, {"year", "2022"}; all must hold.
  std::vector<std::pair<std::string, std::string>> filters;
  bool facets = false;  // count kind, school, year, language, status, visibility
  // Who is asking: when `restricted`, only records some grant allows match
  // (none when there are no grants). Applied inside the query, so totals and
  // facet counts never include the rest.
  bool restricted = false;
  std::vector<Grant> grants;
};

// Another library's index, served by Xapian's `xapian-tcpsrv`, searched
// together with this one: one ranking over all of them, as if one index.
struct Remote {
  std::string name;  // shown with its hits
  std::string host;
  unsigned port = 0;
};

// A record the index does not hold as the store has it (Index::check).
struct Discrepancy {
  store::RecordId id = 0;  // 0: the index as a whole
  std::string what;
};

// The facets search can count and filter on.
const std::vector<std::string>& facet_names();
// A query of white space only: a browse of every record (SearchRequest).
bool is_blank(const std::string& query);
// The value a record has for a facet, as search counts it ("" when none).
std::string facet_value(const store::Record& record, const std::string& facet);

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

  // Rewrites the index compactly, as rebuild() leaves it; catch-ups leave
  // it loose. Worth it after a large import. Searches go on meanwhile.
  Status compact();

  // Removes what a rebuild or compaction cut short left beside the index
  // (index.rebuild, index.compact, index.old), putting index.old back when
  // the index itself is missing. Only for a process that knows nobody else
  // is indexing (Library::open, when it has the library to itself).
  void remove_leftovers(std::vector<std::string>* removed);

  // The last change-log sequence the index holds (0 when empty or missing).
  store::Sequence applied_sequence() const;

  // Read-only, for `kho verify`: the applied sequence is within the store's
  // change log, and every record is in the index with the store's kind,
  // school, status and visibility (what filters and access checks rely on).
  // Records changed after the applied sequence are not compared: the next
  // catch-up indexes them. An unreadable index is a discrepancy, not an error.
  Status check(std::vector<Discrepancy>* out) const;

  // A malformed query gives Status::Invalid with a message naming the problem.
  Status search(const SearchRequest& request, Results* out) const;

  // Searches also cover these libraries' indexes. Their hits carry the
  // Remote's name and no snippet (the page text stays with its library); a
  // remote that does not answer is skipped and named in Results::unavailable.
  void set_remotes(std::vector<Remote> remotes) { remotes_ = std::move(remotes); }

  // Every page of one record that matches, best first, each with its snippet:
  // the pages search counts in a hit's matching_pages (a page matches when
  // its own text has the query's words; when no page has them all, the pages
  // with any of them).
  Status search_record(store::RecordId id, const std::string& query, std::vector<Hit>* pages) const;

  // Every record of this library (remotes aside) that the request matches:
  // its query, filters and grants, withdrawn records as include_withdrawn
  // says; offset, limit, sort and facets do not apply. In id order. What
  // statistics count (core/stats.h), without ranking or snippets.
  Status matching_records(const SearchRequest& request, std::vector<store::RecordId>* out) const;

 private:
  Status rebuild_locked(const Progress& progress);
  Status search_once(const SearchRequest& request, Results* out) const;
  const store::Store& store_;
  struct Writer;
  std::unique_ptr<Writer> writer_;
  Synonyms synonyms_;
  std::vector<Remote> remotes_;
};

// Keeps an index caught up on a thread of its own while something else
// stores records (a long import), a batch of changes at a time, so that
// indexing overlaps reading the next files. Destroying it waits for the
// batch in hand; what is left, and any error, the next catch_up() meets.
class Follower {
 public:
  explicit Follower(Index& index, const store::Store& store);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

 private:
  void follow();
  Index& index_;
  const store::Store& store_;
  store::Sequence indexed_;  // the store's last change when the last batch began
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace kho::indexer
