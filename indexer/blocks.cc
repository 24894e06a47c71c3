#include "indexer/blocks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>

#include "indexer/terms.h"

namespace kho::indexer {

namespace {

constexpr const char* kBoundKey = "kho:bound:";  // + term: its blocks' frontiers
// The last docid the bounds cover, and the blocks changed since they were written.
constexpr const char* kCoveredKey = "kho:blocks-covered";
constexpr const char* kChangedKey = "kho:blocks-changed";
// Terms in fewer records are bounded from their postings at search time.
constexpr Xapian::doccount kStoredFrom = 2 * kBlock;
constexpr Xapian::doccount kReadUpTo = 16 * kBlock;
// Xapian's limit on a metadata key.
constexpr std::size_t kMaxKey = 240;

using Point = std::pair<Xapian::termcount, Xapian::termcount>;  // wdf, document length
using Frontiers = std::map<Xapian::docid, std::vector<Point>>;  // block -> points

// Keeps `p` unless a point of the block has as high a wdf and as short a length.
void add_point(std::vector<Point>& frontier, Point p) {
  for (const Point& q : frontier)
    if (q.first >= p.first && q.second <= p.second) return;
  std::erase_if(frontier,
                [&](const Point& q) { return p.first >= q.first && p.second <= q.second; });
  frontier.push_back(p);
}

Frontiers read_postings(const Xapian::Database& db, const std::string& term) {
  Frontiers out;
  for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p)
    add_point(out[(*p - 1) / kBlock], {p.get_wdf(), p.get_doclength()});
  return out;
}

void put(std::string& s, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) s += static_cast<char>((v & 0x7f) | 0x80);
  s += static_cast<char>(v);
}

bool get(const std::string& s, std::size_t& at, std::uint64_t* v) {
  *v = 0;
  for (int shift = 0; at < s.size() && shift < 64; shift += 7) {
    auto byte = static_cast<unsigned char>(s[at++]);
    *v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::string encode(const Frontiers& frontiers) {
  std::string s;
  Xapian::docid previous = 0;
  for (const auto& [block, points] : frontiers) {
    put(s, block - previous);
    previous = block;
    put(s, points.size());
    for (const auto& [wdf, length] : points) put(s, wdf), put(s, length);
  }
  return s;
}

// Calls `block(b, points)` for each block encode() wrote; false when the
// bytes are not what it writes.
template <typename Block>
bool decode(const std::string& s, const Block& block) {
  std::size_t at = 0;
  std::uint64_t b = 0, delta = 0, n = 0, wdf = 0, length = 0;
  std::vector<Point> points;
  while (at < s.size()) {
    if (!get(s, at, &delta) || !get(s, at, &n) || n > s.size()) return false;
    b += delta;
    points.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!get(s, at, &wdf) || !get(s, at, &length)) return false;
      points.emplace_back(static_cast<Xapian::termcount>(wdf),
                          static_cast<Xapian::termcount>(length));
    }
    block(static_cast<Xapian::docid>(b), points);
  }
  return true;
}

std::vector<Xapian::docid> decode_blocks(const std::string& s) {
  std::vector<Xapian::docid> out;
  std::size_t at = 0;
  for (std::uint64_t b = 0; at < s.size() && get(s, at, &b);)
    out.push_back(static_cast<Xapian::docid>(b));
  return out;
}

// Terms that carry weight: words, exact forms, syllable pairs and fielded
// words; not the boolean terms (record, facet, number) that only filter.
bool weighted(const std::string& term) {
  if (term.starts_with(kPrefixExact) || indexed_run(term)) return true;
  return !term.empty() && term[0] != 'X' && term[0] != 'Q' && term[0] != kPrefixRecord[0];
}

// A term's weight in a record as Xapian's BM25Weight gives it with its
// defaults (k1 1, k2 0, k3 1, b 0.5, min_normlen 0.5) for a term the query
// has once.
class Bm25 {
 public:
  Bm25(const Xapian::Database& db, Xapian::doccount termfreq) {
    double tw = (db.get_doccount() - termfreq + 0.5) / (termfreq + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;
    termweight_ = std::log(tw) * 2;
    double average = db.get_avlength();
    len_factor_ = average != 0 ? 1 / average : 0;
  }
  double operator()(Point p) const {
    double normlen = std::max(p.second * len_factor_, 0.5);
    double wdf = p.first;
    return termweight_ * (wdf / ((normlen * 0.5 + 0.5) + wdf));
  }

 private:
  double termweight_ = 0, len_factor_ = 0;
};

// The terms whose weights add up to a record's weight (once per leaf, as
// Xapian adds them), or false when a weighted part is not a sum of terms
// (wildcards, synonyms, scaled weights, everything-queries) or is a phrase:
// Xapian already checks a phrase's positions only where a record can still
// reach the hits, and a block would have them checked in all its records.
// Constant weights are the query's run bonuses, bounded apart (`runs`).
bool weighted_terms(const Xapian::Query& q, bool runs, std::vector<std::string>* terms) {
  switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM:
      terms->push_back(*q.get_terms_begin());
      return true;
    case Xapian::Query::LEAF_POSTING_SOURCE:
      return runs;
    case Xapian::Query::LEAF_MATCH_NOTHING:
      return true;
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_XOR:
      for (std::size_t i = 0; i < q.get_num_subqueries(); ++i)
        if (!weighted_terms(q.get_subquery(i), runs, terms)) return false;
      return true;
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_FILTER:  // the rest only filter
      return weighted_terms(q.get_subquery(0), runs, terms);
    default:
      return false;
  }
}

// The records in some blocks, for a query filtered to them.
class BlockSet : public Xapian::PostingSource {
 public:
  explicit BlockSet(std::vector<Xapian::docid> blocks) : blocks_(std::move(blocks)) {
    std::sort(blocks_.begin(), blocks_.end());
  }
  void init(const Xapian::Database& db) override {
    last_ = db.get_lastdocid();
    i_ = 0;
    at_ = 0;
  }
  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return max(); }
  Xapian::doccount get_termfreq_max() const override { return max(); }
  Xapian::docid get_docid() const override { return at_; }
  bool at_end() const override { return i_ >= blocks_.size() || at_ > last_; }
  void next(double min_wt) override { skip_to(at_ + 1, min_wt); }
  void skip_to(Xapian::docid id, double) override {
    if (id <= at_) return;
    while (i_ < blocks_.size() && (blocks_[i_] + 1) * kBlock < id) ++i_;
    if (i_ < blocks_.size()) at_ = std::max(id, blocks_[i_] * kBlock + 1);
  }
  PostingSource* clone() const override { return new BlockSet(blocks_); }

 private:
  Xapian::doccount max() const {
    return static_cast<Xapian::doccount>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(blocks_.size()) * kBlock, last_));
  }
  std::vector<Xapian::docid> blocks_;
  std::size_t i_ = 0;
  Xapian::docid at_ = 0, last_ = 0;
};

// Adds each run's weight to the blocks where some record holds it (all
// blocks, when that would take reading a long posting list) and where
// something matches at all: a run only adds to the words' weight.
bool add_run_bounds(const Xapian::Database& db, const std::vector<RunBonus>& runs,
                    std::vector<double>* bounds) {
  for (const RunBonus& run : runs) {
    std::vector<bool> has(bounds->size(), false);
    Xapian::doccount tf = db.get_termfreq(run.term);
    std::string stored = tf < kStoredFrom ? "" : db.get_metadata(kBoundKey + run.term);
    auto mark = [&](Xapian::docid block, const std::vector<Point>&) {
      if (block < has.size()) has[block] = true;
    };
    if (!stored.empty()) {
      if (!decode(stored, mark)) return false;
    } else if (tf <= kReadUpTo) {
      for (const auto& [block, points] : read_postings(db, run.term)) mark(block, points);
    } else {
      has.assign(has.size(), true);
    }
    for (std::size_t b = 0; b < has.size(); ++b)
      if (has[b] && (*bounds)[b] >= 0) (*bounds)[b] += run.weight;
  }
  return true;
}

// Each block's bound on a record's weight for `terms`: -1 where no record
// has any of them (nothing there can match), infinity where the bounds do
// not cover it. False when a term's bounds are missing.
bool block_bounds(const Xapian::Database& db, const std::vector<std::string>& terms,
                  const std::vector<RunBonus>& runs, std::vector<double>* bounds) {
  const Xapian::docid blocks = (db.get_lastdocid() + kBlock - 1) / kBlock;
  bounds->assign(blocks, -1);
  for (const std::string& term : terms) {
    Xapian::doccount tf = db.get_termfreq(term);
    if (tf == 0) continue;
    Bm25 weight(db, tf);
    auto add = [&](Xapian::docid block, const std::vector<Point>& points) {
      if (block >= blocks) return;
      double best = 0;
      for (Point p : points) best = std::max(best, weight(p));
      (*bounds)[block] = std::max(0.0, (*bounds)[block]) + best;
    };
    std::string stored = tf < kStoredFrom ? "" : db.get_metadata(kBoundKey + term);
    if (stored.empty() && tf > kReadUpTo) return false;
    if (!stored.empty() && !decode(stored, add)) return false;
    if (stored.empty())
      for (const auto& [block, points] : read_postings(db, term)) add(block, points);
  }
  if (!add_run_bounds(db, runs, bounds)) return false;
  const double unbounded = std::numeric_limits<double>::infinity();
  auto covered =
      static_cast<Xapian::docid>(std::strtoul(db.get_metadata(kCoveredKey).c_str(), nullptr, 10));
  for (Xapian::docid b = covered / kBlock; b < blocks; ++b) (*bounds)[b] = unbounded;
  for (Xapian::docid b : decode_blocks(db.get_metadata(kChangedKey)))
    if (b < blocks) (*bounds)[b] = unbounded;
  return true;
}

}  // namespace

Xapian::Query in_blocks(std::vector<Xapian::docid> blocks) {
  return Xapian::Query((new BlockSet(std::move(blocks)))->release());
}

std::vector<Xapian::docid> share_of_blocks(Xapian::docid last, unsigned thread, unsigned threads) {
  std::vector<Xapian::docid> blocks;
  for (Xapian::docid b = thread; b * kBlock < last; b += threads) blocks.push_back(b);
  return blocks;
}

void write_block_bounds(Xapian::WritableDatabase& records) {
  std::vector<std::string> terms;
  for (auto t = records.allterms_begin(); t != records.allterms_end(); ++t)
    if (t.get_termfreq() >= kStoredFrom && weighted(*t) &&
        (*t).size() + std::char_traits<char>::length(kBoundKey) <= kMaxKey)
      terms.push_back(*t);
  // A term now in fewer records keeps no bounds: were it in many again
  // later, its old ones would not know what changed meanwhile.
  std::vector<std::string> stale;
  for (auto k = records.metadata_keys_begin(kBoundKey); k != records.metadata_keys_end(kBoundKey);
       ++k)
    stale.push_back(*k);
  for (const std::string& key : stale) records.set_metadata(key, "");
  for (const std::string& term : terms)
    records.set_metadata(kBoundKey + term, encode(read_postings(records, term)));
  records.set_metadata(kChangedKey, "");
  records.set_metadata(kCoveredKey, std::to_string(records.get_lastdocid()));
}

void mark_changed_blocks(Xapian::WritableDatabase& records,
                         const std::set<store::RecordId>& changed) {
  if (records.get_metadata(kCoveredKey).empty() || changed.empty()) return;
  std::vector<Xapian::docid> blocks = decode_blocks(records.get_metadata(kChangedKey));
  for (store::RecordId id : changed)
    if (id > 0) blocks.push_back(static_cast<Xapian::docid>((id - 1) / kBlock));
  std::sort(blocks.begin(), blocks.end());
  blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
  std::string s;
  for (Xapian::docid b : blocks) put(s, b);
  records.set_metadata(kChangedKey, s);
}

bool top_by_blocks(const Xapian::Database& db, const Xapian::Query& query,
                   const std::vector<RunBonus>& runs, Xapian::doccount wanted,
                   std::vector<std::pair<Xapian::docid, double>>* out) {
  std::vector<std::string> terms;
  if (wanted == 0 || db.get_metadata(kCoveredKey).empty() ||
      !weighted_terms(query, !runs.empty(), &terms))
    return false;
  // A query whose terms are all in few records is cheap as it is.
  Xapian::doccount most = 0;
  for (const std::string& t : terms) most = std::max(most, db.get_termfreq(t));
  std::vector<double> bounds;
  if (most < 8 * kBlock || !block_bounds(db, terms, runs, &bounds)) return false;
  std::vector<std::pair<double, Xapian::docid>> order;
  for (Xapian::docid b = 0; b < bounds.size(); ++b)
    if (bounds[b] >= 0) order.emplace_back(bounds[b], b);
  auto unbounded =
      std::count_if(order.begin(), order.end(), [](const auto& o) { return std::isinf(o.first); });
  // Most blocks changed since the bounds were written: they would save little.
  if (unbounded * 4 > static_cast<std::ptrdiff_t>(bounds.size())) return false;
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  // Blocks a few at a time, best bound first, until none left can reach the
  // last hit wanted (ties included: a record of equal weight and lower docid
  // comes first). A small margin covers rounding in the bound.
  constexpr std::size_t kChunk = 8;
  double threshold = -1;
  auto can_reach = [&](std::size_t i) {
    return i < order.size() && order[i].first * (1 + 1e-9) + 1e-12 >= threshold;
  };
  out->clear();
  for (std::size_t next = 0; can_reach(next);) {
    std::vector<Xapian::docid> chunk;
    for (; chunk.size() < kChunk && can_reach(next); ++next) chunk.push_back(order[next].second);
    Xapian::Enquire enquire(db);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query, in_blocks(std::move(chunk))));
    Xapian::MSet mset = enquire.get_mset(0, wanted);
    for (auto m = mset.begin(); m != mset.end(); ++m) out->emplace_back(*m, m.get_weight());
    std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (out->size() > wanted) out->resize(wanted);
    if (out->size() == wanted) threshold = out->back().second;
  }
  return true;
}

}  // namespace kho::indexer
