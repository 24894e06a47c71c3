// Which pages of a record a query matches, read from the record document
// alone; private to the indexer. The record document holds every page's
// words with positions, each page after a gap, and where each page starts
// (kSlotPageStarts): so the index holds each word once, and the pages of
// the few hits shown are found from the positions of the query's terms in
// those records, as a page document of their own would have found them.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kho::indexer {

// The value kSlotPageStarts holds: each page's first position, then the
// position after the last page.
std::string encode_page_starts(const std::vector<Xapian::termpos>& starts);

// What one search reads of its records' terms in `db` (a local or remote
// records database), each read once: a term's positions in a record (ranking
// runs of three and finding the hits' pages read the same ones) and a term's
// idf.
class TermReader {
 public:
  explicit TermReader(const Xapian::Database& db) : db_(db) {}
  const Xapian::Database& db() const { return db_; }
  const std::vector<Xapian::termpos>& positions(Xapian::docid docid, const std::string& term);
  // Whether `words` stand in a row in the record from position `first` on
  // (words[0] at first, words[1] after it...), words[known] being known to
  // stand at its place (the caller walks its positions).
  bool in_row(Xapian::docid docid, const std::vector<std::string>& words, Xapian::termpos first,
              std::size_t known);
  double idf(const std::string& term);

 private:
  const Xapian::Database& db_;
  std::map<std::pair<Xapian::docid, std::string>, std::vector<Xapian::termpos>> positions_;
  std::map<std::string, double> idf_;
};

// One record's pages, as its document says where they are.
class RecordPages {
 public:
  RecordPages(TermReader& reader, Xapian::docid docid);
  std::size_t count() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  // For each page (index 0 is page 1), how well its own text matches
  // `query`, negative where it does not: the query's operators evaluated on
  // the page's words (a phrase on their positions, run terms as phrases);
  // a term the record holds without positions (a filter, an exact form)
  // holds on every page of it.
  std::vector<double> scores(const Xapian::Query& query);

 private:
  using Scores = std::vector<double>;
  Scores evaluate(const Xapian::Query& query);
  Scores term(const std::string& term);
  Scores phrase(const std::vector<std::string>& words, double weight);
  Scores wildcard(const Xapian::Query& query);
  const std::vector<Xapian::termpos>& positions(const std::string& term);
  bool holds(const std::string& term);
  std::size_t page_of(Xapian::termpos pos) const;
  double page_weight(std::size_t page, unsigned count) const;

  TermReader& reader_;
  const Xapian::Database& db_;
  Xapian::docid docid_;
  std::vector<Xapian::termpos> starts_;
  double average_length_ = 1;
};

}  // namespace kho::indexer
