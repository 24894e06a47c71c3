// How records become Xapian terms and how queries find them; private to the
// indexer. Two term streams: folded words (no prefix, with positions, so
// phrases and adjacency work diacritic-insensitively) and exact-diacritic
// words ("XE" prefix, no positions) that rank exact matches first.
#pragma once

#include <xapian.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/isbn.h"
#include "common/status.h"
#include "indexer/synonyms.h"
#include "store/store.h"

namespace kho::indexer {

// Value slots and boolean term prefixes, part of the index format.
// Every boolean prefix is "X" plus one letter, so no prefix is the start of
// another and values may begin with capitals (school codes).
// kSlotPageStarts: where each of the record's pages starts among its
// document's positions (pages.h). (Slots 0 and 1, once a collapse key and a
// page document's text start, are unused.)
enum Slot : Xapian::valueno { kSlotDate = 2, kSlotSortTitle = 3, kSlotPageStarts = 4 };
inline constexpr const char* kPrefixExact = "XE";
inline constexpr const char* kPrefixRecord = "R";
// Each record has one document, in DATA/index/records with the record's id
// as docid: its metadata and the text of all its pages, each word once with
// its positions. Search ranks these; the pages of a hit are found from the
// same positions (pages.h), so no page has a document of its own.
inline constexpr const char* kRecordsDatabase = "records";
// The records database of the index at `index` (DATA/index).
std::string records_path(const std::string& index);
inline constexpr const char* kPrefixKind = "XK";
inline constexpr const char* kPrefixSchool = "XO";
inline constexpr const char* kPrefixStatus = "XA";
inline constexpr const char* kPrefixVisibility = "XV";
inline constexpr const char* kPrefixYear = "XY";
inline constexpr const char* kPrefixLanguage = "XL";
inline constexpr const char* kPrefixIsbn = "XI";  // digits only: hyphens do not matter
inline constexpr const char* kPrefixGrade = "XG";
inline constexpr const char* kPrefixSubject = "XS";
inline constexpr const char* kPrefixDocType = "XT";
inline constexpr const char* kPrefixCollection = "XC";
// A lesson plan's approval state (core/approval.h): draft, pending, reviewed,
// approved, returned.
inline constexpr const char* kPrefixApproval = "XD";
// Document numbers ("44/KH-PGDĐT"): the whole number, folded and lower-cased,
// and each of its parts ("44", "kh", "pgddt", "kh-pgddt").
inline constexpr const char* kPrefixNumber = "XN";
inline constexpr const char* kPrefixNumberPart = "XP";
// Run terms: words standing together, as Xapian's positions have them
// (never across fields or pages). "XB" + "hoc sinh" for two in a row:
// Vietnamese words are mostly two syllables, and a query's pairs rank the
// records that hold them first (query.cc run_bonus) and decide a quoted
// phrase of two words without the cost of checking positions. "XW" + "giao
// vien truong" names three in a row; the index holds it only when all three
// are common syllables (is_common_syllable). Any other run of three is
// checked on positions (RunPositions): triples were most of the index's
// size, and a rarer syllable's pairs are in few records, which bounds the
// reading; the pairs of common syllables are in most, where a term of its
// own lets Xapian skip the records without the run.
inline constexpr const char* kPrefixPair = "XB";
inline constexpr const char* kPrefixTriple = "XW";

// The syllables (folded, lower-case) that most school documents hold:
// Vietnamese function words and the sector's own ("giáo dục", "học sinh",
// "kế hoạch", "hoạt động"...), about half of such text.
bool is_common_syllable(std::string_view folded);
// Whether the index holds this run term: a pair, or a triple of common syllables.
bool indexed_run(const std::string& term);

// Whether a term is a folded word, as Xapian indexed it with its position:
// prefixes begin with a capital letter, and Xapian lower-cases words.
inline bool is_word(const std::string& term) {
  return !term.empty() && !(term[0] >= 'A' && term[0] <= 'Z');
}

// The run term of two or three indexed words in a row; empty when too long.
std::string run_term(const std::vector<std::string>& words);
// The run terms of a query's words (lower-cased, folded): its pairs, then its
// triples.
std::vector<std::string> run_terms(const std::vector<std::string>& words);
// The words of a run term ("XBhoc sinh" -> hoc, sinh); empty for any other.
std::vector<std::string> run_words(const std::string& term);

// The terms of a document number: whole first, then its parts.
std::vector<std::string> number_terms(std::string_view number);

// Facets: a record field counted in results and usable as a filter. Each has
// a boolean prefix (filter) and a value slot (counting).
struct Facet {
  const char* name;
  const char* prefix;
  Xapian::valueno slot;
};
inline constexpr Facet kFacets[] = {
    {"kind", kPrefixKind, 10},        {"school", kPrefixSchool, 11},
    {"year", kPrefixYear, 12},        {"language", kPrefixLanguage, 13},
    {"status", kPrefixStatus, 14},    {"visibility", kPrefixVisibility, 15},
    {"grade", kPrefixGrade, 16},      {"subject", kPrefixSubject, 17},
    {"doctype", kPrefixDocType, 18},  {"collection", kPrefixCollection, 19},
    {"approval", kPrefixApproval, 20}};

// The value a record has for a facet ("" when none). Values that mean the
// same are one: a language is its primary tag, lower-cased ("vi-VN" -> "vi"),
// a school code is upper-cased ("thcs-01" -> "THCS-01").
std::string facet_value(const store::Record& record, const std::string& facet);
// The boolean term for a facet value: folded and lower-cased, spaces as "-",
// so "Kế hoạch", "ke hoach" and "KE-HOACH" filter alike; a language by its
// primary tag, so "vi-VN" filters as "vi".
std::string facet_term(const Facet& facet, std::string_view value);
const Facet* find_facet(std::string_view name);
inline constexpr const char* kAppliedKey = "kho:applied_seq";
// Bumped whenever terms or values change meaning; an index of another format
// is rebuilt by the next catch-up.
inline constexpr const char* kFormatKey = "kho:format";
inline constexpr const char* kFormat = "12";

// The exact-diacritic term of a word: "XE" + folded + ":" + exact form. Keyed
// by the folded form so that the exact forms of "tot" can be listed (and the
// commonest offered back to a user who typed without diacritics).
std::string exact_term(std::string_view word);
std::string exact_prefix(const std::string& folded_lower);

// Words for the spelling dictionary used for "did you mean", each with how
// often it occurs: what Xapian's TermGenerator would add, gathered so that
// documents can be built in other threads than the one writing the database.
using SpellingWords = std::vector<std::pair<std::string, Xapian::termcount>>;
// The Xapian document of one record (its metadata and every page's text).
// With `spelling`, its folded words are put there for the spelling
// dictionary. Touches no database: safe to call from several threads at once.
Xapian::Document record_document(const store::Record& record, const std::vector<std::string>& pages,
                                 SpellingWords* spelling = nullptr);

// A run of a plain query's syllables (terms.h: a pair or triple term) and the
// weight a document holding it gains: more than all the query's words can
// weigh together, so documents rank first by how many of the query's runs
// they hold, then by their words' weights.
struct RunBonus {
  std::string term;
  double weight = 0;
};

struct ParsedQuery {
  Xapian::Query query;
  std::set<std::string> words;  // folded, lower-cased query words, for snippets
  std::vector<RunBonus> runs;   // what query adds for them (blocks.h bounds it)
  // Runs of three syllables the index has no term for (indexed_run): their
  // weight is added to the best matches afterwards (rank_by_triples).
  std::vector<RunBonus> triples;
};
// A run term's words looked for in a row in records' positions: each
// position of its rarest word (chosen once, for every record checked), the
// others looked for beside it.
class TermReader;  // pages.h
class RunPositions {
 public:
  RunPositions(const Xapian::Database& db, const std::string& run);
  bool held_by(TermReader& reader, Xapian::docid docid) const;

 private:
  std::vector<std::string> words_;
  std::size_t anchor_ = 0;
};
// `db` lets wildcards expand against the collection's vocabulary. A query
// longer than kMaxQueryBytes or with more than kMaxQueryWords words is
// Invalid, with a message naming the limit.
constexpr std::size_t kMaxQueryBytes = 2048;
// The query language Xapian's parser reads, for searches and for the
// suggestions made from the same query text (suggest.cc).
constexpr unsigned kParseFlags =
    Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
    Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
    Xapian::QueryParser::FLAG_PURE_NOT;
constexpr std::size_t kMaxQueryWords = 64;
// `local`: `db` is this library's own index, where runs of three syllables
// without a term are checked by positions; over remote libraries only the
// runs the index holds rank (indexed_run).
Status parse_query(const Xapian::Database& db, const std::string& text, bool include_withdrawn,
                   const Synonyms& synonyms, bool local, ParsedQuery* out);
// A query of white space only asks for every record (a browse).
bool is_blank(const std::string& text);
// Every record (withdrawn ones only when asked), with no words.
Status match_all(const Xapian::Database& db, bool include_withdrawn, ParsedQuery* out);

// The query with its quoted phrases decided by their run term instead of
// positions where the index holds one (two words, three common syllables);
// longer ones checked only in the documents with their rarer pairs. The
// same matches and weights.
// Counting a phrase's matches for facets checked positions in every record
// with its words. Only for this library's own index: a remote library's may
// be older.
Xapian::Query phrases_by_runs(const Xapian::Database& db, const Xapian::Query& query);

// This library's own records and the store they come from: where "did you
// mean" reads which forms of syllables stand together (exact forms are
// indexed without positions). A remote library's text is not at hand.
struct LocalText {
  const Xapian::Database& records;
  const store::Store& store;
};

// "Did you mean": misspelt words corrected from the collection's own
// vocabulary, and a query typed without diacritics given the accented form
// the collection has most: syllables that stand together in `local`'s
// records as those records write them together (tran dinh ha -> trần đình
// hà, though "định" is commoner), a word alone in its commonest form (tot
// nghiep thcs -> tốt nghiệp THCS). Empty when there is nothing better or the
// collection does not tell (a tie; words that never stand together). Every
// word offered is in a record that `allowed` (the caller's grants; null:
// every record) matches.
std::string suggest(const Xapian::Database& db, const std::string& query, const Synonyms& synonyms,
                    const Xapian::Query* allowed, const LocalText* local);

// The metadata a record is searched by (title, creator, subject, ...), the
// values it has, as indexed.
std::vector<std::string> searchable_metadata(const store::Record& record);

// A window of the page around the densest run of query words, with where
// those words are in it.
struct Snippet {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> highlights;  // byte offset, length
};
Snippet make_snippet(const std::string& page, const std::set<std::string>& words,
                     std::size_t max_words = 30);

}  // namespace kho::indexer
