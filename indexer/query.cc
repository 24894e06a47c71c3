// Query text -> Xapian query. Xapian's QueryParser gives the query language
// (phrases, AND/OR/NOT, -word, wildcards, fields); it sees the query folded,
// exactly as documents were folded at index time. Two boosts are added on
// top, never filters: exact-diacritic words, and the query's words standing
// together (Vietnamese words are several syllables: "học sinh").
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <sstream>

#include "indexer/fields.h"
#include "indexer/pages.h"
#include "indexer/terms.h"
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

bool is_plain(const std::string& q) {
  if (q.find_first_of("\":()*+-") != std::string::npos) return false;
  for (const char* op : {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ"})
    if (q.find(op) != std::string::npos) return false;
  return true;
}

// Whether the byte at `offset` is inside a "quoted phrase".
bool quoted(const std::string& q, std::size_t offset) {
  return std::count(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(offset), '"') % 2 == 1;
}

// Only the exact forms that some documents with the word lack: when every
// document with "hoc" has "học", boosting "học" cannot lift one above
// another, and each boost term costs a posting list read for every match.
// Not for the words of a quoted phrase: several syllables in a row already
// say which words they are ("ke hoach bai day" is "kế hoạch bài dạy"), and a
// boost would make Xapian check the phrase's positions in every record that
// has its words instead of only in those that can still reach the top.
Xapian::Query exact_boost(const Xapian::Database& db, const std::string& q) {
  std::vector<Xapian::Query> terms;
  for (const auto& w : text::words(q)) {
    std::string_view word(q.data() + w.offset, w.length);
    if (!text::has_diacritics(word) || quoted(q, w.offset)) continue;
    std::string term = exact_term(word);
    if (db.get_termfreq(term) < db.get_termfreq(text::lower(text::fold(word))))
      terms.emplace_back(term);
  }
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

// A bound on what the query's terms can weigh together in one document:
// Xapian's BM25 gives a term at most 2 ln((N + 0.5) / 0.5), twice that for a
// term the query repeats.
double words_bound(const Xapian::Database& db, const Xapian::Query& query) {
  double terms = static_cast<double>(std::distance(query.get_terms_begin(), query.get_terms_end()));
  return 4 * terms * std::log(2.0 * db.get_doccount() + 2) + 1;
}

// Vietnamese words are several syllables ("chữ ký số", "Cẩm Giàng") and
// nobody types quotes: a document where the query's syllables stand together
// as typed beats one where they are scattered, however long it is and however
// often the other repeats them, and one with part of the run (two of three
// syllables) comes between. Each of the query's pairs and triples a document
// holds adds a weight no sum of word weights reaches; the run terms the index
// holds (terms.h: pairs, triples of common syllables) say which without
// reading positions, and the query adds their weight; any other triple's is
// added to the best records afterwards, from their positions
// (rank_by_triples). Within one count of runs, the words' weights decide. A query
// with an abbreviation reads both ways ("ung dung CNTT", "ung dung cong nghe
// thong tin"), each reading's whole run weighing the same.
Xapian::Query run_bonus(const Xapian::Database& db, const std::string& folded,
                        const Synonyms& synonyms, const Xapian::Query& words, bool local,
                        ParsedQuery* out) {
  out->runs.clear();
  out->triples.clear();
  std::vector<std::vector<std::string>> readings;
  std::size_t most = 0;
  for (const auto& reading : synonyms.readings(folded, 4)) {
    readings.push_back(run_terms(reading));
    if (!local)
      std::erase_if(readings.back(), [](const std::string& t) { return !indexed_run(t); });
    most = std::max(most, readings.back().size());
  }
  if (most == 0 || most > 32) return Xapian::Query();
  const double bound = words_bound(db, words);
  std::map<std::string, double> weights;
  for (const auto& terms : readings)
    for (const std::string& term : terms)
      weights[term] = std::max(
          weights[term], bound * static_cast<double>(most) / static_cast<double>(terms.size()));
  std::vector<Xapian::Query> parts;
  for (const auto& [term, weight] : weights) {
    if (!indexed_run(term)) {
      out->triples.push_back({term, weight});  // added by rank_by_triples
      continue;
    }
    // Owned by the query: Xapian's way for a posting source (release()).
    auto* constant = new Xapian::FixedWeightPostingSource(weight);
    parts.emplace_back(Xapian::Query::OP_FILTER, Xapian::Query(constant->release()),
                       Xapian::Query(term));
    out->runs.push_back({term, weight});
  }
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

// Hides records that are not active. As AND_NOT of the other statuses, which
// few records have, rather than a filter on "active", which almost all have:
// Xapian then reads a short posting list instead of checking a long one for
// every match.
Status finish_query(const Xapian::Database& db, bool include_withdrawn, ParsedQuery* out) {
  if (include_withdrawn) return Status::Ok();
  const std::string prefix = find_facet("status")->prefix;
  const std::string active = facet_term(*find_facet("status"), "active");
  std::vector<Xapian::Query> hidden;
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t)
    if (*t != active) hidden.emplace_back(*t);
  if (!hidden.empty())
    out->query = Xapian::Query(Xapian::Query::OP_AND_NOT, out->query,
                               Xapian::Query(Xapian::Query::OP_OR, hidden.begin(), hidden.end()));
  return Status::Ok();
}

// Xapian's parser quietly repairs broken syntax; a librarian would rather be
// told where the query is broken than get results for a guess.
Status check_syntax(const std::string& q) {
  std::vector<std::size_t> open;
  std::size_t quote = std::string::npos;
  for (std::size_t i = 0; i < q.size(); ++i) {
    char c = q[i];
    if (c == '"') {
      quote = quote == std::string::npos ? i : std::string::npos;
    } else if (quote == std::string::npos && c == '(') {
      open.push_back(i);
    } else if (quote == std::string::npos && c == ')') {
      if (open.empty())
        return Status::Invalid("')' at character " + std::to_string(i + 1) + " has no matching '('")
            .with_reason("query_syntax");
      open.pop_back();
    }
  }
  if (quote != std::string::npos)
    return Status::Invalid("the quote at character " + std::to_string(quote + 1) +
                           " is never closed")
        .with_reason("query_syntax");
  if (!open.empty())
    return Status::Invalid("'(' at character " + std::to_string(open.back() + 1) +
                           " is never closed")
        .with_reason("query_syntax");
  auto words = text::words(q);
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string w = q.substr(words[i].offset, words[i].length);
    bool op = w == "AND" || w == "OR" || w == "NOT" || w == "XOR";
    if (op && (i + 1 == words.size() || ((w == "AND" || w == "OR" || w == "XOR") && i == 0)))
      return Status::Invalid("'" + w + "' needs a word " + (i == 0 ? "before" : "after") + " it")
          .with_reason("query_syntax");
  }
  return Status::Ok();
}

// Takes ISBNs ("978-604-0-25371-4", "isbn:9786040253714") out of the query:
// they are matched by their digits, whatever hyphens either side wrote.
std::string take_isbns(const std::string& q, std::vector<Xapian::Query>* isbns) {
  std::istringstream in(q);
  std::string rest;
  for (std::string token; in >> token;) {
    std::string value =
        token.size() > 5 && text::lower(token.substr(0, 5)) == "isbn:" ? token.substr(5) : token;
    std::string digits = isbn_digits(value);
    if (digits.empty())
      rest += (rest.empty() ? "" : " ") + token;
    else
      isbns->emplace_back(kPrefixIsbn + digits);
  }
  return rest;
}

// A query is typed by a person: a few words, a title, a phrase. Limits well
// above that keep one request from costing what a 2 MB query did (23 s and
// 827 MB, most of it kept). Checked before any other work on the text.
Status check_size(const std::string& q) {
  if (q.size() > kMaxQueryBytes)
    return Status::Invalid("the query is " + std::to_string(q.size()) + " bytes long: at most " +
                           std::to_string(kMaxQueryBytes) + " are taken")
        .with_reason("query_too_long");
  std::size_t words = text::words(q).size();
  if (words > kMaxQueryWords)
    return Status::Invalid("the query has " + std::to_string(words) + " words: at most " +
                           std::to_string(kMaxQueryWords) + " are taken")
        .with_reason("query_too_many_words");
  return Status::Ok();
}

}  // namespace

bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

Status match_all(const Xapian::Database& db, bool include_withdrawn, ParsedQuery* out) {
  out->query = Xapian::Query::MatchAll;
  out->words.clear();
  out->runs.clear();
  out->triples.clear();
  return finish_query(db, include_withdrawn, out);
}

Status parse_query(const Xapian::Database& db, const std::string& text, bool include_withdrawn,
                   const Synonyms& synonyms, bool local, ParsedQuery* out) {
  if (Status s = check_size(text); !s.ok()) return s;
  std::vector<Xapian::Query> isbns;
  std::string q = take_isbns(text::nfc(text), &isbns);
  std::string folded = text::fold(q);
  if (text::words(folded).empty() && isbns.empty())
    return Status::Invalid("the query has no words to search for").with_reason("query_no_words");
  if (Status s = check_syntax(q); !s.ok()) return s;
  if (text::words(folded).empty()) {
    out->query = Xapian::Query(Xapian::Query::OP_OR, isbns.begin(), isbns.end());
    out->words.clear();
    out->runs.clear();
    out->triples.clear();
    return finish_query(db, include_withdrawn, out);
  }

  QueryFields fields;
  Xapian::QueryParser parser;
  parser.set_database(db);
  parser.set_default_op(Xapian::Query::OP_AND);
  fields.add_to(parser);
  Xapian::Query query;
  try {
    query = parser.parse_query(synonyms.expand(folded), kParseFlags);
  } catch (const Xapian::QueryParserError& e) {
    return Status::Invalid("cannot understand the query: " + e.get_msg())
        .with_reason("query_syntax");
  } catch (const Xapian::Error& e) {
    return Status::Invalid("cannot run the query: " + e.get_msg()).with_reason("query_syntax");
  }
  if (query.empty())
    return Status::Invalid("the query has no words to search for").with_reason("query_no_words");

  out->words.clear();
  for (auto t = query.get_terms_begin(); t != query.get_terms_end(); ++t) {
    const std::string& term = *t;
    if (is_word(term)) out->words.insert(term);
  }
  Xapian::Query boosts = exact_boost(db, q);
  out->runs.clear();
  out->triples.clear();
  if (is_plain(q)) {
    Xapian::Query weighed(Xapian::Query::OP_AND_MAYBE, query, boosts);
    boosts = Xapian::Query(Xapian::Query::OP_OR, boosts,
                           run_bonus(db, text::lower(folded), synonyms, weighed, local, out));
  }
  if (!boosts.empty()) query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query, boosts);
  if (!isbns.empty())
    query = Xapian::Query(Xapian::Query::OP_AND, query,
                          Xapian::Query(Xapian::Query::OP_OR, isbns.begin(), isbns.end()));
  out->query = query;
  return finish_query(db, include_withdrawn, out);
}

namespace {

// The run terms (terms.h) a document must have to hold an exact phrase: the
// one that decides it when the index holds the phrase's whole run (two
// words, or three common syllables; *decided); for longer ones, pairs that
// spare position checks. None when run terms cannot tell: prefixed words
// (title:"..."), a wider window (ADJ/3), a nested query, words too long.
std::vector<std::string> phrase_runs(const Xapian::Database& db, const Xapian::Query& phrase,
                                     bool* decided) {
  *decided = false;
  const std::size_t n = phrase.get_num_subqueries();
  // Xapian 1.4 has no getter for a phrase's window; its description says it.
  if (n < 2 ||
      phrase.get_description().find(" PHRASE " + std::to_string(n) + " ") == std::string::npos)
    return {};
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; ++i) {
    Xapian::Query word = phrase.get_subquery(i);
    if (word.get_type() != Xapian::Query::LEAF_TERM) return {};
    std::string term = *word.get_terms_begin();
    if (!is_word(term)) return {};
    words.push_back(std::move(term));
  }
  if (std::string run = run_term(words); !run.empty() && indexed_run(run)) {
    *decided = true;
    return {run};
  }
  // Each pair costs a posting list read: it pays only when it leaves out
  // many documents, being in at most half of those with the rarest word.
  Xapian::doccount rarest = db.get_doccount();
  for (const std::string& w : words) rarest = std::min(rarest, db.get_termfreq(w));
  std::vector<std::string> runs;
  for (std::size_t i = 0; i + 2 <= n; ++i) {
    std::string run = run_term({words[i], words[i + 1]});
    if (!run.empty() && db.get_termfreq(run) <= rarest / 2) runs.push_back(std::move(run));
  }
  return runs;
}

// Rebuilds only what holds a phrase to rewrite; `changed` says whether it did.
// Not below OP_SYNONYM, where a phrase's wdf is not its words' wdf.
Xapian::Query by_runs(const Xapian::Database& db, const Xapian::Query& query, bool* changed) {
  using Q = Xapian::Query;
  const Q::op op = query.get_type();
  std::vector<Q> parts;
  for (std::size_t i = 0; i < query.get_num_subqueries(); ++i)
    parts.push_back(query.get_subquery(i));
  if (op == Q::OP_PHRASE) {
    bool decided = false;
    std::vector<std::string> runs = phrase_runs(db, query, &decided);
    if (runs.empty()) return query;
    *changed = true;
    Q needed(Q::OP_AND, runs.begin(), runs.end());
    // AND weighs a document as the phrase does: the sum of its words'
    // weights. A longer phrase still checks positions, in fewer documents.
    return Q(Q::OP_FILTER, decided ? Q(Q::OP_AND, parts.begin(), parts.end()) : query, needed);
  }
  if (op != Q::OP_AND && op != Q::OP_OR && op != Q::OP_AND_NOT && op != Q::OP_XOR &&
      op != Q::OP_AND_MAYBE && op != Q::OP_FILTER && op != Q::OP_MAX)
    return query;
  bool any = false;
  for (Q& part : parts) part = by_runs(db, part, &any);
  if (!any) return query;
  *changed = true;
  return Q(op, parts.begin(), parts.end());
}

}  // namespace

RunPositions::RunPositions(const Xapian::Database& db, const std::string& run)
    : words_(run_words(run)) {
  for (std::size_t i = 1; i < words_.size(); ++i)
    if (db.get_collection_freq(words_[i]) < db.get_collection_freq(words_[anchor_])) anchor_ = i;
}

bool RunPositions::held_by(TermReader& reader, Xapian::docid docid) const {
  if (words_.empty()) return false;
  for (Xapian::termpos p : reader.positions(docid, words_[anchor_]))
    if (p > anchor_ &&
        reader.in_row(docid, words_, p - static_cast<Xapian::termpos>(anchor_), anchor_))
      return true;
  return false;
}

Xapian::Query phrases_by_runs(const Xapian::Database& db, const Xapian::Query& query) {
  bool changed = false;
  return by_runs(db, query, &changed);
}

}  // namespace kho::indexer
