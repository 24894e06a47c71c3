// Abbreviations and their expansions (THCS = trung học cơ sở), private to the
// indexer. Applied to queries, not documents: a query word or phrase from a
// group becomes an OR of every form in the group, so either side finds both
// and the index stays the same whatever the list says.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "text/vietnamese.h"

namespace kho::indexer {

class Synonyms {
 public:
  // The list shipped with kho (indexer/synonyms.txt, compiled in).
  static const Synonyms& builtin();
  // A list in the same format; errors name the line.
  static Status parse(const std::string& text, Synonyms* out);

  // Rewrites a folded query: "thcs Cam Giang" -> "(thcs OR "trung hoc co so") Cam Giang".
  // Words inside quotes, after "field:" or joined to other words by
  // punctuation (44/KH-PGDDT) are left alone.
  std::string expand(const std::string& folded_query) const;

  // The ways a plain folded query reads, as lists of lower-cased words: as
  // typed first, then with abbreviations and expansions swapped ("ung dung
  // cntt" also reads "ung dung cong nghe thong tin"); at most `most`.
  std::vector<std::vector<std::string>> readings(const std::string& folded_query,
                                                 std::size_t most) const;

  std::size_t size() const { return groups_.size(); }

  // An abbreviation as the list writes it ("thcs" -> "THCS", "gddt" ->
  // "GDĐT"), given its folded, lower-cased form; "" for any other word.
  std::string abbreviation(const std::string& folded_word) const;

 private:
  using Form = std::vector<std::string>;  // folded, lower-cased words
  const std::vector<Form>* match_at(const std::string& q, const std::vector<text::Word>& tokens,
                                    std::size_t i, std::size_t* next, std::size_t* typed) const;
  std::vector<std::vector<Form>> groups_;
  std::map<std::string, std::string> written_;  // one-word abbreviations
};

}  // namespace kho::indexer
