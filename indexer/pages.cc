#include "indexer/pages.h"

#include <algorithm>
#include <cmath>

#include "indexer/terms.h"

namespace kho::indexer {

namespace {

using Q = Xapian::Query;
constexpr double kNoMatch = -1;
// A page holding one of the query's runs (a pair or triple of its syllables
// in a row) ranks before any holding the words apart, as records do.
constexpr double kRunWeight = 1000;

void put_varint(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::vector<Xapian::termpos> decode_page_starts(const std::string& value) {
  std::vector<Xapian::termpos> starts;
  std::uint64_t v = 0, at = 0;
  unsigned shift = 0;
  for (char c : value) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(c) & 0x7f) << shift;
    shift += 7;
    if (static_cast<unsigned char>(c) & 0x80) continue;
    at += v;
    starts.push_back(static_cast<Xapian::termpos>(at));
    v = 0;
    shift = 0;
  }
  return starts;
}

}  // namespace

std::string encode_page_starts(const std::vector<Xapian::termpos>& starts) {
  std::string out;
  Xapian::termpos last = 0;
  for (Xapian::termpos s : starts) {
    put_varint(&out, s - last);
    last = s;
  }
  return out;
}

const std::vector<Xapian::termpos>& TermReader::positions(Xapian::docid docid,
                                                          const std::string& term) {
  auto [it, added] = positions_.try_emplace({docid, term});
  if (added)
    for (auto p = db_.positionlist_begin(docid, term); p != db_.positionlist_end(docid, term); ++p)
      it->second.push_back(*p);
  return it->second;
}

bool TermReader::in_row(Xapian::docid docid, const std::vector<std::string>& words,
                        Xapian::termpos first, std::size_t known) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i == known) continue;
    const auto& at = positions(docid, words[i]);
    if (!std::binary_search(at.begin(), at.end(), first + static_cast<Xapian::termpos>(i)))
      return false;
  }
  return true;
}

double TermReader::idf(const std::string& term) {
  auto [it, added] = idf_.try_emplace(term, 0.0);
  if (added) {
    const double n = db_.get_doccount(), df = db_.get_termfreq(term);
    it->second = std::max(0.1, std::log((n - df + 0.5) / (df + 0.5)));
  }
  return it->second;
}

RecordPages::RecordPages(TermReader& reader, Xapian::docid docid)
    : reader_(reader), db_(reader.db()), docid_(docid) {
  try {
    starts_ = decode_page_starts(db_.get_document(docid).get_value(kSlotPageStarts));
  } catch (const Xapian::DocNotFoundError&) {
  }
  if (count() > 0)
    average_length_ = std::max(1.0, double(starts_.back() - starts_.front()) / double(count()));
}

std::vector<double> RecordPages::scores(const Xapian::Query& query) {
  if (count() == 0) return {};
  return evaluate(query);
}

std::size_t RecordPages::page_of(Xapian::termpos pos) const {
  // starts_ is sorted; a position before the first page is the metadata's.
  auto it = std::upper_bound(starts_.begin(), starts_.end(), pos);
  if (it == starts_.begin() || it == starts_.end()) return count();
  return static_cast<std::size_t>(it - starts_.begin() - 1);
}

// BM25's shape: more of the term weighs more, less so on a long page.
double RecordPages::page_weight(std::size_t page, unsigned count) const {
  constexpr double k1 = 1.2, b = 0.75;
  const double length = double(starts_[page + 1] - starts_[page]);
  return count * (k1 + 1) / (count + k1 * (1 - b + b * length / average_length_));
}

const std::vector<Xapian::termpos>& RecordPages::positions(const std::string& term) {
  return reader_.positions(docid_, term);
}

bool RecordPages::holds(const std::string& term) {
  Xapian::PostingIterator p = db_.postlist_begin(term);
  p.skip_to(docid_);
  return p != db_.postlist_end(term) && *p == docid_;
}

RecordPages::Scores RecordPages::term(const std::string& term) {
  if (term.empty()) return Scores(count(), 0);  // every record: MatchAll
  if (std::vector<std::string> words = run_words(term); !words.empty())
    return phrase(words, kRunWeight);
  const auto& at = positions(term);
  if (at.empty()) return Scores(count(), holds(term) ? 0 : kNoMatch);
  std::vector<unsigned> counts(count() + 1, 0);
  for (Xapian::termpos p : at) ++counts[page_of(p)];
  Scores out(count(), kNoMatch);
  const double weight = reader_.idf(term);
  for (std::size_t i = 0; i < count(); ++i)
    if (counts[i] > 0) out[i] = weight * page_weight(i, counts[i]);
  return out;
}

// Pages where `words` stand in a row, weighed by how often.
RecordPages::Scores RecordPages::phrase(const std::vector<std::string>& words, double weight) {
  std::vector<unsigned> counts(count() + 1, 0);
  for (Xapian::termpos p : positions(words.front()))
    if (reader_.in_row(docid_, words, p, 0)) ++counts[page_of(p)];
  for (const std::string& w : words) weight += reader_.idf(w);
  Scores out(count(), kNoMatch);
  for (std::size_t i = 0; i < count(); ++i)
    if (counts[i] > 0) out[i] = weight * page_weight(i, counts[i]);
  return out;
}

// A wildcard as the parser wrote it ("WILDCARD SYNONYM hoc"): the record's
// own terms it expands to, each a word of the page.
RecordPages::Scores RecordPages::wildcard(const Xapian::Query& query) {
  const std::string d = query.get_description();
  const std::size_t op = d.find("WILDCARD ");
  const std::size_t from = op == std::string::npos ? op : d.find(' ', op + 9);
  if (from == std::string::npos) return Scores(count(), 0);
  const std::string prefix = d.substr(from + 1, d.size() - from - 2);  // less the ")"
  std::vector<Q> terms;
  auto t = db_.termlist_begin(docid_);
  for (t.skip_to(prefix); t != db_.termlist_end(docid_) && (*t).rfind(prefix, 0) == 0; ++t)
    terms.emplace_back(*t);
  return evaluate(Q(Q::OP_OR, terms.begin(), terms.end()));
}

RecordPages::Scores RecordPages::evaluate(const Xapian::Query& query) {
  const Q::op op = query.get_type();
  switch (op) {
    case Q::LEAF_TERM:
      return term(*query.get_terms_begin());
    case Q::LEAF_MATCH_NOTHING:
      return Scores(count(), kNoMatch);
    case Q::OP_WILDCARD:
      return wildcard(query);
    default:
      break;
  }
  const std::size_t n = query.get_num_subqueries();
  if (n == 0) return Scores(count(), 0);  // posting sources, value ranges: the record's
  if (op == Q::OP_PHRASE || op == Q::OP_NEAR) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < n; ++i) {
      Q part = query.get_subquery(i);
      if (part.get_type() == Q::LEAF_TERM) words.push_back(*part.get_terms_begin());
    }
    const bool exact =
        op == Q::OP_PHRASE && words.size() == n &&
        query.get_description().find(" PHRASE " + std::to_string(n) + " ") != std::string::npos;
    if (exact) return phrase(words, 0);
  }
  std::vector<Scores> parts;
  for (std::size_t i = 0; i < n; ++i) parts.push_back(evaluate(query.get_subquery(i)));
  Scores out = parts[0];
  for (std::size_t page = 0; page < count(); ++page) {
    double& s = out[page];
    for (std::size_t i = 1; i < n; ++i) {
      const double x = parts[i][page];
      switch (op) {
        case Q::OP_OR:
        case Q::OP_SYNONYM:
        case Q::OP_ELITE_SET:
          s = s < 0 ? x : (x < 0 ? s : s + x);
          break;
        case Q::OP_MAX:
          s = std::max(s, x);
          break;
        case Q::OP_XOR:
          s = (s < 0) == (x < 0) ? kNoMatch : std::max(s, x);
          break;
        case Q::OP_AND_NOT:
          if (x >= 0) s = kNoMatch;
          break;
        case Q::OP_AND_MAYBE:
          if (s >= 0 && x >= 0) s += x;
          break;
        default:  // AND, FILTER, phrases not decided above: every part
          s = s < 0 || x < 0 ? kNoMatch : s + x;
          break;
      }
    }
  }
  return out;
}

}  // namespace kho::indexer
