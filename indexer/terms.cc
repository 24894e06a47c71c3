#include "indexer/terms.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "indexer/pages.h"
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

// Gap between fields so that a phrase never matches across them.
constexpr Xapian::termpos kFieldGap = 100;

std::string field(const store::Record& r, const char* name) {
  auto it = r.dc.find(name);
  return it == r.dc.end() ? std::string() : it->second;
}

std::string own_field(const store::Record& r, const char* name) {
  auto it = r.fields.find(name);
  return it == r.fields.end() ? std::string() : it->second;
}

// The first of several values ("Toán; Hình học" -> "Toán").
std::string first_value(const std::string& s) {
  std::string v = s.substr(0, s.find_first_of(";,"));
  auto a = v.find_first_not_of(' '), b = v.find_last_not_of(' ');
  return a == std::string::npos ? "" : v.substr(a, b - a + 1);
}

// ISBNs in running text: runs of digits and hyphens with 10 or 13 digits.
void add_isbn_terms(Xapian::Document& doc, const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                               text[j] == '-' || text[j] == 'X' || text[j] == 'x'))
      ++j;
    std::string digits = isbn_digits(std::string_view(text).substr(i, j - i));
    if (!digits.empty()) doc.add_term(kPrefixIsbn + digits);
    i = j;
  }
}

// A document's words with diacritics, counted as written before their exact
// terms are made and added: folding and ICU once per distinct form, one Xapian
// add_term per distinct term (its term map was the most of indexing's time).
using WrittenForms = std::unordered_map<std::string, Xapian::termcount>;

void add_exact_terms(WrittenForms& written, const std::string& text) {
  for (const auto& w : text::words(text)) {
    std::string_view word(text.data() + w.offset, w.length);
    if (text::has_diacritics(word)) ++written[std::string(word)];
  }
}

void add_exact_terms(Xapian::Document& doc, const WrittenForms& written) {
  std::unordered_map<std::string, Xapian::termcount> exact;
  for (const auto& [word, count] : written)
    if (std::string term = exact_term(word); term.size() <= 200) exact[std::move(term)] += count;
  for (const auto& [term, count] : exact) doc.add_term(term, count);
}

// Searchable metadata: indexed before the pages, so it is on no page.
struct MetadataField {
  const char* name;
  const char* prefix;
};
constexpr MetadataField kMetadata[] = {{"title", "S"},      {"creator", "A"},    {"subject", "K"},
                                       {"keywords", "K"},   {"description", ""}, {"identifier", ""},
                                       {"teacher", "A"},    {"signer", "A"},     {"issuer", "B"},
                                       {"school_name", "B"}};

// A metadata field's value: Dublin Core's, else the record's own field's.
std::string metadata_value(const store::Record& r, const char* name) {
  std::string value = field(r, name);
  return value.empty() ? own_field(r, name) : value;
}

void index_metadata(Xapian::TermGenerator& tg, WrittenForms& written, const store::Record& r) {
  for (auto [name, prefix] : kMetadata) {
    std::string value = metadata_value(r, name);
    if (value.empty()) continue;
    std::string folded = text::fold(value);
    if (*prefix) tg.index_text(folded, 1, prefix);
    tg.index_text(folded);
    tg.increase_termpos(kFieldGap);
    add_exact_terms(written, value);
  }
}

std::string document_data(const store::Record& r) {
  nlohmann::json j = {{"id", r.id},
                      {"title", field(r, "title")},
                      {"kind", r.kind},
                      {"filename", r.originals.empty() ? "" : r.originals.back().filename}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The boolean terms that filter a record, its data, and the values that sort
// and count it.
void add_record_terms(Xapian::Document& doc, const store::Record& r) {
  add_isbn_terms(doc, field(r, "identifier"));
  add_isbn_terms(doc, own_field(r, "isbn"));
  for (const std::string& t : number_terms(own_field(r, "number"))) doc.add_boolean_term(t);
  std::string id = std::to_string(r.id);
  doc.add_boolean_term(kPrefixRecord + id);
  for (const Facet& facet : kFacets) {
    std::string value = facet_value(r, facet.name);
    if (value.empty()) continue;
    doc.add_boolean_term(facet_term(facet, value));
    doc.add_value(facet.slot, value);
  }
  doc.set_data(document_data(r));
  doc.add_value(kSlotDate, field(r, "date"));
  doc.add_value(kSlotSortTitle, text::lower(text::fold(field(r, "title"))));
}

// One page's text: folded words with positions, exact forms and ISBNs.
void index_page_text(Xapian::TermGenerator& tg, Xapian::Document& doc, WrittenForms& written,
                     const std::string& text) {
  tg.index_text(text::fold(text));
  add_exact_terms(written, text);
  add_isbn_terms(doc, text);
}

// The syllables of is_common_syllable, sorted.
constexpr std::string_view kCommonSyllables[] = {
    "ban",    "bao",   "bo",    "cac",  "cao", "cho",   "chuc", "co",    "con",   "cong",
    "cua",    "da",    "dao",   "de",   "den", "dinh",  "do",   "dong",  "duc",   "duoc",
    "giao",   "hien",  "hoach", "hoat", "hoc", "huyen", "ke",   "khi",   "khong", "la",
    "lam",    "lop",   "ly",    "mot",  "nam", "nay",   "ngay", "nguoi", "nha",   "nhung",
    "phat",   "phong", "quan",  "quy",  "ra",  "se",    "sinh", "so",    "tac",   "tai",
    "the",    "theo",  "thong", "thuc", "tin", "tinh",  "to",   "tren",  "trien", "trong",
    "truong", "tu",    "va",    "vao",  "ve",  "viec",  "vien", "voi",   "xa"};
static_assert(std::is_sorted(std::begin(kCommonSyllables), std::end(kCommonSyllables)));

// Runs of three common syllables (terms.h), counted by the syllables' places
// in kCommonSyllables, then added once each.
void add_common_triples(Xapian::Document& doc, const std::vector<std::string>& words,
                        const std::vector<std::uint32_t>& at) {
  constexpr std::uint32_t kNone = UINT32_MAX, kCount = std::size(kCommonSyllables);
  std::vector<std::uint32_t> common(words.size(), kNone);
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto it = std::lower_bound(std::begin(kCommonSyllables), std::end(kCommonSyllables), words[i]);
    if (it != std::end(kCommonSyllables) && *it == words[i])
      common[i] = static_cast<std::uint32_t>(it - std::begin(kCommonSyllables));
  }
  auto syllable = [&](std::size_t p) { return at[p] == kNone ? kNone : common[at[p]]; };
  std::unordered_map<std::uint32_t, Xapian::termcount> triples;
  for (std::size_t p = 2; p < at.size(); ++p) {
    const std::uint32_t a = syllable(p - 2), b = syllable(p - 1), c = syllable(p);
    if (a != kNone && b != kNone && c != kNone) ++triples[(a * kCount + b) * kCount + c];
  }
  for (const auto& [key, count] : triples)
    doc.add_term(run_term({std::string(kCommonSyllables[key / kCount / kCount]),
                           std::string(kCommonSyllables[key / kCount % kCount]),
                           std::string(kCommonSyllables[key % kCount])}),
                 count);
}

// Run terms (terms.h) from the positions Xapian gave the document's words,
// so that they find exactly what a phrase query would: the tokenising is
// Xapian's ("3.5", "at&t"), and the gaps between fields and pages hold.
void add_run_terms(Xapian::Document& doc) {
  // The word at each position (positions are dense: a page's words, then a
  // gap), and each distinct pair counted, then added once.
  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::string> words;
  std::vector<std::uint32_t> at;
  for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    std::string term = *t;
    if (!is_word(term)) continue;
    for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
      if (*p >= at.size()) at.resize(std::max<std::size_t>(*p + 1, 2 * at.size()), kNone);
      at[*p] = static_cast<std::uint32_t>(words.size());
    }
    words.push_back(std::move(term));
  }
  std::unordered_map<std::uint64_t, Xapian::termcount> pairs;
  for (std::size_t p = 1; p < at.size(); ++p)
    if (at[p - 1] != kNone && at[p] != kNone) ++pairs[std::uint64_t{at[p - 1]} << 32 | at[p]];
  for (const auto& [key, count] : pairs) {
    std::string pair = run_term({words[key >> 32], words[key & 0xffffffffu]});
    if (!pair.empty()) doc.add_term(pair, count);
  }
  add_common_triples(doc, words, at);
}

}  // namespace

std::vector<std::string> searchable_metadata(const store::Record& record) {
  std::vector<std::string> out;
  for (const MetadataField& f : kMetadata)
    if (std::string value = metadata_value(record, f.name); !value.empty())
      out.push_back(std::move(value));
  return out;
}

std::string records_path(const std::string& index) {
  return (std::filesystem::path(index) / kRecordsDatabase).string();
}

std::string run_term(const std::vector<std::string>& words) {
  if (words.size() < 2 || words.size() > 3) return "";
  std::string term = words.size() == 2 ? kPrefixPair : kPrefixTriple;
  for (const std::string& w : words) {
    if (&w != &words.front()) term += ' ';
    term += w;
  }
  // Xapian's limit is 245 bytes; pairs keep their old limit of 120 letters.
  return term.size() - 2 - (words.size() - 1) <= 60 * words.size() ? term : "";
}

std::vector<std::string> run_terms(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (std::size_t n : {2, 3})
    for (std::size_t i = 0; i + n <= words.size(); ++i)
      if (std::string run = run_term({words.begin() + i, words.begin() + i + n}); !run.empty())
        out.push_back(std::move(run));
  return out;
}

bool is_common_syllable(std::string_view folded) {
  return std::binary_search(std::begin(kCommonSyllables), std::end(kCommonSyllables), folded);
}

bool indexed_run(const std::string& term) {
  if (term.starts_with(kPrefixPair)) return true;
  if (!term.starts_with(kPrefixTriple)) return false;
  const std::vector<std::string> words = run_words(term);
  return std::all_of(words.begin(), words.end(),
                     [](const std::string& w) { return is_common_syllable(w); });
}

std::vector<std::string> run_words(const std::string& term) {
  if (term.rfind(kPrefixPair, 0) != 0 && term.rfind(kPrefixTriple, 0) != 0) return {};
  std::vector<std::string> words;
  std::size_t from = 2;
  for (std::size_t space; (space = term.find(' ', from)) != std::string::npos; from = space + 1)
    words.push_back(term.substr(from, space - from));
  words.push_back(term.substr(from));
  return words;
}

namespace {

// "vi-VN", "VI", "vi_vn" -> "vi".
std::string primary_language(std::string_view tag) {
  std::string v = text::lower(tag);
  v = v.substr(0, v.find_first_of("-_"));
  auto a = v.find_first_not_of(' '), b = v.find_last_not_of(' ');
  return a == std::string::npos ? "" : v.substr(a, b - a + 1);
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

}  // namespace

std::string facet_term(const Facet& facet, std::string_view value) {
  std::string v = text::lower(text::fold(
      std::string_view(facet.prefix) == kPrefixLanguage ? primary_language(value) : value));
  std::replace(v.begin(), v.end(), ' ', '-');
  return facet.prefix + v;
}

const Facet* find_facet(std::string_view name) {
  for (const Facet& f : kFacets)
    if (name == f.name) return &f;
  return nullptr;
}

std::vector<std::string> number_terms(std::string_view number) {
  std::string n = text::lower(text::fold(number));
  n.erase(std::remove(n.begin(), n.end(), ' '), n.end());
  if (n.empty() || n.size() > 100) return {};
  std::vector<std::string> terms{kPrefixNumber + n};
  std::size_t slash = n.find('/');
  if (slash != std::string::npos && slash + 1 < n.size())
    terms.push_back(kPrefixNumberPart + n.substr(slash + 1));
  std::size_t start = 0;
  for (std::size_t i = 0; i <= n.size(); ++i) {
    if (i < n.size() && n[i] != '/' && n[i] != '-' && n[i] != '.') continue;
    if (i > start) terms.push_back(kPrefixNumberPart + n.substr(start, i - start));
    start = i + 1;
  }
  return terms;
}

std::string exact_prefix(const std::string& folded_lower) {
  return kPrefixExact + folded_lower + ":";
}

std::string exact_term(std::string_view word) {
  return exact_prefix(text::lower(text::fold(word))) + text::match_form(word);
}

std::string facet_value(const store::Record& r, const std::string& facet) {
  if (facet == "kind") return r.kind;
  if (facet == "school") return upper(r.school);
  if (facet == "status") return r.status;
  if (facet == "visibility") return r.visibility;
  if (facet == "language") return primary_language(field(r, "language"));
  if (facet == "grade") {
    std::string grade = own_field(r, "grade");
    return grade.find_first_not_of("0123456789") == std::string::npos ? grade : "";
  }
  if (facet == "subject") return first_value(field(r, "subject"));
  if (facet == "doctype") return own_field(r, "doc_type");
  if (facet == "collection") return own_field(r, "collection");
  if (facet == "approval") {  // a lesson plan without a state is a draft
    if (r.kind != "lesson-plan") return "";
    std::string state = own_field(r, "approval");
    return state.empty() ? "draft" : state;
  }
  if (facet == "year") {
    std::string date = field(r, "date");
    bool year = date.size() >= 4 && std::all_of(date.begin(), date.begin() + 4, ::isdigit);
    return year ? date.substr(0, 4) : "";
  }
  return "";
}

// The record's metadata and the text of every page, positions running on
// from page to page with a gap, so a phrase never spans a page break; where
// each page starts is kept for finding a hit's pages (pages.h).
Xapian::Document record_document(const store::Record& record, const std::vector<std::string>& pages,
                                 SpellingWords* spelling) {
  Xapian::Document doc;
  Xapian::TermGenerator tg;
  tg.set_document(doc);
  WrittenForms written;
  index_metadata(tg, written, record);
  std::vector<Xapian::termpos> starts;
  for (const std::string& text : pages) {
    starts.push_back(tg.get_termpos() + 1);
    index_page_text(tg, doc, written, text);
    tg.increase_termpos(kFieldGap);
  }
  add_exact_terms(doc, written);
  starts.push_back(tg.get_termpos() + 1);
  doc.add_value(kSlotPageStarts, encode_page_starts(starts));
  // FLAG_SPELLING adds each unprefixed word as the generator meets it, which is
  // its wdf here (prefixed words and run terms are not words).
  if (spelling != nullptr)
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
      if (is_word(*t)) spelling->emplace_back(*t, t.get_wdf());
  add_run_terms(doc);
  add_record_terms(doc, record);
  return doc;
}

}  // namespace kho::indexer
