// "Did you mean": spelling corrections from the collection's own vocabulary
// and accents restored to a query typed without them (terms.h: suggest).
// Accents are restored phrase by phrase: syllables that stand together in
// the collection take the forms the collection writes them in together
// ("tran dinh ha": "trần đình hà" where records name Trần Đình Hà, however
// often "định" stands elsewhere); a syllable alone takes its commonest form;
// nothing is offered where the collection does not tell.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "indexer/fields.h"
#include "indexer/pages.h"
#include "indexer/terms.h"
#include "text/vietnamese.h"

namespace kho::indexer {

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
// read; the word itself when it has none, or when two are equally common.
std::string commonest_form(const Xapian::Database& db, const std::string& word,
                           const Xapian::Query* allowed) {
  std::string prefix = exact_prefix(text::lower(word));
  std::vector<std::pair<Xapian::doccount, std::string>> forms;  // commonest first
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t)
    forms.emplace_back(t.get_termfreq(), *t);
  std::stable_sort(forms.begin(), forms.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const std::pair<Xapian::doccount, std::string>* best = nullptr;
  for (const auto& form : forms) {
    if (best != nullptr && form.first < best->first) break;
    if (!readable(db, form.second, allowed)) continue;
    if (best != nullptr) return word;  // as common as the first: no telling which
    best = &form;
  }
  return best == nullptr ? word : best->second.substr(prefix.size());
}

// --- Phrases: the forms the collection writes syllables in together --------

// A word of the text whose accents are restored: where it is, its folded
// form and, when its form is not the collection's to choose, the form it
// keeps (an abbreviation as the synonym list writes it; a word with marks,
// an operator or part of a field:value as typed).
struct Syllable {
  std::size_t offset = 0, length = 0;
  std::string folded;  // lower-cased
  std::string fixed;   // empty: the collection chooses
};

bool is_operator(const std::string& word) {
  for (const char* op : {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ"})
    if (word == op) return true;
  return false;
}

std::vector<Syllable> syllables(const std::string& q, const Synonyms& synonyms) {
  std::vector<Syllable> out;
  for (const auto& w : text::words(q)) {
    std::string word = q.substr(w.offset, w.length);
    Syllable s{w.offset, w.length, text::lower(text::fold(word)), ""};
    // The stretch between spaces that holds the word: "kind:other" is a field.
    std::size_t from = q.find_last_of(" \t", w.offset);
    from = from == std::string::npos ? 0 : from + 1;
    std::size_t to = q.find_first_of(" \t", w.offset);
    bool field =
        q.substr(from, to == std::string::npos ? std::string::npos : to - from).find(':') !=
        std::string::npos;
    std::string abbreviation = synonyms.abbreviation(text::lower(word));
    if (field || is_operator(word) || text::has_diacritics(word))
      s.fixed = word;
    else if (!abbreviation.empty())
      s.fixed = abbreviation;
    out.push_back(std::move(s));
  }
  return out;
}

// How the records read write syllables i and i+1 of the query (pair i):
// for each way, the number of records that write them so.
using PairForms = std::map<std::pair<std::string, std::string>, int>;

// Reads, in a few of this library's records the caller may read, which
// forms stand together where the query's syllables do. The index cannot
// say: exact forms are kept per document without positions, so a record
// naming Trần Đình Hà in a decision (quyết định) holds both "đình" and
// "định". One record counts once for each way it writes a pair, however
// often it repeats it.
class PhraseReader {
 public:
  PhraseReader(const LocalText& local, const std::vector<Syllable>& q, const Xapian::Query* allowed)
      : local_(local), reader_(local.records), q_(q), allowed_(allowed), forms_(q.size()) {
    for (std::size_t i = 0; i + 1 < q.size(); ++i) {
      bool open = q[i].fixed.empty() && q[i + 1].fixed.empty();
      std::string term = open ? run_term({q[i].folded, q[i + 1].folded}) : "";
      pair_terms_.push_back(!term.empty() && local.records.term_exists(term) ? term : "");
    }
    for (const Syllable& s : q)
      if (!s.folded.empty()) initials_ += s.folded[0];
  }

  // The forms of every pair the collection has, from up to kRecordsPerPair
  // records each (fewer when the first ones all agree).
  std::vector<PairForms> read() {
    for (std::size_t i = 0; i < pair_terms_.size(); ++i)
      if (!pair_terms_[i].empty()) read_pair(i);
    return std::move(forms_);
  }

 private:
  using Found = std::tuple<std::size_t, std::string, std::string>;  // pair, its two forms
  static constexpr std::size_t kRecordsPerPair = 8;
  static constexpr std::size_t kPagesPerRecord = 1;
  static constexpr int kUnanimous = 2;  // records agreeing on one form decide a pair

  Xapian::Query readable(Xapian::Query query) const {
    return allowed_ == nullptr ? query : Xapian::Query(Xapian::Query::OP_FILTER, query, *allowed_);
  }

  bool decided(std::size_t i) const {
    return forms_[i].size() == 1 && forms_[i].begin()->second >= kUnanimous;
  }

  void read_pair(std::size_t i) {
    if (decided(i)) return;
    Xapian::Enquire enquire(local_.records);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_query(readable(Xapian::Query(pair_terms_[i])));
    Xapian::MSet records = enquire.get_mset(0, kRecordsPerPair);
    for (auto m = records.begin(); m != records.end() && !decided(i); ++m) read_record(*m, i);
  }

  // A record's metadata (once) and its first pages with pair i (those not
  // read for another pair): every pair of the query found there is counted.
  void read_record(store::RecordId id, std::size_t i) {
    std::set<Found> found;
    store::Record r;
    if (metadata_read_.insert(id).second && local_.store.get(id, &r).ok())
      for (const std::string& value : searchable_metadata(r)) find_pairs(value, &found);
    RecordPages pages(reader_, static_cast<Xapian::docid>(id));
    const std::vector<double> scores = pages.scores(Xapian::Query(pair_terms_[i]));
    std::size_t read = 0;
    for (std::size_t p = 0; p < scores.size() && read < kPagesPerRecord; ++p) {
      if (scores[p] < 0 || !pages_read_.emplace(id, p + 1).second) continue;
      ++read;
      std::string text;
      if (local_.store.page_text(id, static_cast<std::uint32_t>(p + 1), &text).ok())
        find_pairs(text, &found);
    }
    for (const auto& [pair, a, b] : found)
      if (counted_.emplace(pair, a, b, id).second) ++forms_[pair][{a, b}];
  }

  // Each pair of the query's syllables standing together in `text`, in the
  // forms written there.
  void find_pairs(std::string_view text, std::set<Found>* found) const {
    std::string before;
    std::string_view before_word;
    for (const auto& w : text::words(text)) {
      std::string_view word = text.substr(w.offset, w.length);
      // Most words begin with a letter no syllable of the query begins
      // with: folding them all was a third of the time spent here.
      const auto first = static_cast<unsigned char>(word[0]);
      if (first < 0x80 &&
          initials_.find(static_cast<char>(std::tolower(first))) == std::string::npos) {
        before.clear();
        continue;
      }
      std::string folded = text::lower(text::fold(word));
      for (std::size_t i = 0; i < pair_terms_.size(); ++i)
        if (!pair_terms_[i].empty() && q_[i].folded == before && q_[i + 1].folded == folded)
          found->emplace(i, text::match_form(before_word), text::match_form(word));
      before = std::move(folded);
      before_word = word;
    }
  }

  const LocalText& local_;
  TermReader reader_;
  const std::vector<Syllable>& q_;
  const Xapian::Query* allowed_;
  std::vector<std::string> pair_terms_;  // pair i's run term; empty when nobody has it
  std::string initials_;                 // the first letters of the query's folded syllables
  std::vector<PairForms> forms_;
  std::set<store::RecordId> metadata_read_;
  std::set<std::pair<store::RecordId, std::size_t>> pages_read_;  // record, page
  // A record counts once for each way it writes a pair.
  std::set<std::tuple<std::size_t, std::string, std::string, store::RecordId>> counted_;
};

// The forms of syllables [first, last] (which stand together pair by pair)
// that most of the records read hold: each way of writing the phrase scores
// the records that write each of its pairs so. Empty when two ways score
// the same, or there are too many to weigh.
std::vector<std::string> likeliest(const std::vector<PairForms>& pairs, std::size_t first,
                                   std::size_t last) {
  std::vector<std::vector<std::string>> options(last - first + 1);
  std::size_t combinations = 1;
  for (std::size_t j = first; j <= last; ++j) {
    std::set<std::string> forms;
    if (j > first)
      for (const auto& [ab, n] : pairs[j - 1]) forms.insert(ab.second);
    if (j < last)
      for (const auto& [ab, n] : pairs[j]) forms.insert(ab.first);
    options[j - first].assign(forms.begin(), forms.end());
    combinations *= options[j - first].size();
    if (combinations > 512) return {};
  }
  std::vector<std::string> best, phrase(options.size());
  int best_score = 0, second = 0;
  for (std::size_t n = 0; n < combinations; ++n) {
    for (std::size_t k = 0, rest = n; k < options.size(); ++k) {
      phrase[k] = options[k][rest % options[k].size()];
      rest /= options[k].size();
    }
    int score = 0;
    for (std::size_t k = 0; k + 1 < phrase.size(); ++k) {
      auto it = pairs[first + k].find({phrase[k], phrase[k + 1]});
      if (it != pairs[first + k].end()) score += it->second;
    }
    if (score > best_score) {
      second = best_score;
      best_score = score;
      best = phrase;
    } else if (score > second) {
      second = score;
    }
  }
  return best_score > second ? best : std::vector<std::string>{};
}

// Each word typed without marks in its likeliest written form: an
// abbreviation as the synonym list writes it (thcs: THCS); syllables that
// stand together in this library's records (`local`) as those records write
// them together; a word typed alone as the collection most often has it.
// A word of a longer query that stands with none of its neighbours stays as
// typed: its commonest form alone may be another word ("khong co" is not
// "không cơ" because "cơ sở" is common).
std::string restore_accents(const Xapian::Database& db, const std::string& q,
                            const Synonyms& synonyms, const Xapian::Query* allowed,
                            const LocalText* local) {
  std::vector<Syllable> words = syllables(q, synonyms);
  std::vector<std::string> forms(words.size());  // empty: as typed
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < words.size(); ++i)
    if (words[i].fixed.empty())
      free.push_back(i);
    else
      forms[i] = words[i].fixed;
  if (free.size() == 1) forms[free[0]] = commonest_form(db, words[free[0]].folded, allowed);
  if (free.size() > 1 && local != nullptr) {
    std::vector<PairForms> pairs = PhraseReader(*local, words, allowed).read();
    for (std::size_t first = 0; first < words.size();) {
      std::size_t last = first;
      while (last + 1 < words.size() && !pairs[last].empty()) ++last;
      std::vector<std::string> phrase =
          last > first ? likeliest(pairs, first, last) : std::vector<std::string>{};
      for (std::size_t k = 0; k < phrase.size(); ++k)
        if (text::has_diacritics(phrase[k])) forms[first + k] = phrase[k];
      first = last + 1;
    }
  }
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const Syllable& w = words[i];
    bool marked = !forms[i].empty() && forms[i] != w.folded;
    out += q.substr(copied, w.offset - copied) + (marked ? forms[i] : q.substr(w.offset, w.length));
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
                    const Xapian::Query* allowed, const LocalText* local) {
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
  std::string better;
  try {
    better = restore_accents(db, base, synonyms, allowed, local);
  } catch (const Xapian::Error&) {
    return "";
  }
  return text::lower(better) == text::lower(q) ? "" : better;
}

}  // namespace kho::indexer
