// "Did you mean": spelling corrections from the collection's own vocabulary
// and accents restored to a query typed without them (terms.h: suggest). Its
// own file so that query parsing and suggestions change apart.
#include <algorithm>

#include "indexer/fields.h"
#include "indexer/terms.h"
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

// The flags parse_query (query.cc) parses with, so that a suggestion reads
// the query as the search did.
constexpr unsigned kParseFlags =
    Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
    Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
    Xapian::QueryParser::FLAG_PURE_NOT;

}  // namespace

namespace {

// Whether some record the caller may read (`allowed`: its grants; null: any
// record) has the term. "Did you mean" offers only such words: the spelling
// dictionary and the exact forms are the whole library's, and a word offered
// from a record the caller may not read tells what that record says.
bool readable(const Xapian::Database& db, const std::string& term, const Xapian::Query* allowed) {
  if (!db.term_exists(term)) return false;
  if (allowed == nullptr) return true;
  Xapian::Enquire enquire(db);
  enquire.set_weighting_scheme(Xapian::BoolWeight());
  enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query(term), *allowed));
  return !enquire.get_mset(0, 1).empty();
}

// The commonest exact form of an unaccented word among those the caller may
// read, or the word.
std::string commonest_form(const Xapian::Database& db, const std::string& word,
                           const Xapian::Query* allowed) {
  std::string prefix = exact_prefix(text::lower(word));
  std::vector<std::pair<Xapian::doccount, std::string>> forms;  // commonest first
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t)
    forms.emplace_back(t.get_termfreq(), *t);
  std::stable_sort(forms.begin(), forms.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [freq, term] : forms)
    if (readable(db, term, allowed)) return term.substr(prefix.size());
  return word;
}

// Each word typed without marks in its likeliest written form: an
// abbreviation as the synonym list writes it (thcs: THCS, gddt: GDĐT), any
// other word as the collection most often has it.
std::string restore_accents(const Xapian::Database& db, const std::string& q,
                            const Synonyms& synonyms, const Xapian::Query* allowed) {
  std::string out;
  std::size_t copied = 0;
  for (const auto& w : text::words(q)) {
    std::string word = q.substr(w.offset, w.length);
    std::string abbreviation = synonyms.abbreviation(text::lower(word));
    out += q.substr(copied, w.offset - copied) + (text::has_diacritics(word) ? word
                                                  : !abbreviation.empty()
                                                      ? abbreviation
                                                      : commonest_form(db, word, allowed));
    copied = w.offset + w.length;
  }
  return out + q.substr(copied);
}

// Xapian corrects a word to a commoner one within two edits even when the
// collection has the word itself ("tot" to "to": tốt to tổ), so a word the
// collection knows is put back as typed; so is one corrected to a word the
// caller may not read.
std::string keep_known_words(const Xapian::Database& db, const std::string& folded,
                             const std::string& corrected, const Xapian::Query* allowed) {
  auto typed = text::words(folded), offered = text::words(corrected);
  // Words that cannot be paired up cannot be checked one by one.
  if (typed.size() != offered.size()) return allowed == nullptr ? corrected : folded;
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    std::string word = folded.substr(typed[i].offset, typed[i].length);
    std::string correction = corrected.substr(offered[i].offset, offered[i].length);
    bool keep = db.term_exists(text::lower(word)) ||
                (correction != word && !readable(db, text::lower(correction), allowed));
    out += corrected.substr(copied, offered[i].offset - copied) + (keep ? word : correction);
    copied = offered[i].offset + offered[i].length;
  }
  return out + corrected.substr(copied);
}

// Whether the collection has every word of the query: then there is nothing
// to correct, and Xapian's search of its spelling table is skipped. Field
// values (kind:lesson-plan) are exact values, not words.
bool all_known(const Xapian::Database& db, const Xapian::Query& query) {
  for (auto t = query.get_unique_terms_begin(); t != query.get_unique_terms_end(); ++t)
    if (is_word(*t) && !db.term_exists(*t)) return false;
  return true;
}

}  // namespace

std::string suggest(const Xapian::Database& db, const std::string& query, const Synonyms& synonyms,
                    const Xapian::Query* allowed) {
  std::string q = text::nfc(query);
  std::string corrected;
  try {
    std::string folded = text::fold(q);
    QueryFields fields;
    Xapian::QueryParser parser;
    parser.set_database(db);
    fields.add_to(parser);
    if (!all_known(db, parser.parse_query(folded, kParseFlags))) {
      parser.parse_query(folded, kParseFlags | Xapian::QueryParser::FLAG_SPELLING_CORRECTION);
      corrected = parser.get_corrected_query_string();
      if (!corrected.empty()) corrected = keep_known_words(db, folded, corrected, allowed);
      if (corrected == folded) corrected.clear();
    }
  } catch (const Xapian::Error&) {
    return "";
  }
  std::string base = !corrected.empty() ? corrected : text::has_diacritics(q) ? "" : q;
  if (base.empty()) return "";
  std::string better = restore_accents(db, base, synonyms, allowed);
  return text::lower(better) == text::lower(q) ? "" : better;
}

}  // namespace kho::indexer
