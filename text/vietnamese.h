// Vietnamese text handling, in one place, used by importing, indexing and
// querying alike so that a word folds the same way wherever it is seen.
//  - nfc():            Unicode NFC (documents arrive in NFC, NFD or mixed).
//  - fold():           drops every diacritic, including đ/Đ -> d/D (đ has no
//                      Unicode decomposition, so "remove marks" alone misses it).
//                      Case is kept, so query operators like AND survive.
//  - match_form():     the exact-diacritic form used for matching: NFC,
//                      lower-cased, tone mark placed the "new" way (hòa -> hoà,
//                      thủy -> thuỷ) so both placements match each other.
//  - words():          the words of a text with their byte offsets; a word is a
//                      run of letters, digits and combining marks.
// All functions take and return UTF-8; invalid UTF-8 is replaced, never fatal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kho::text {

std::string nfc(std::string_view utf8);
std::string fold(std::string_view utf8);
std::string lower(std::string_view utf8);
std::string match_form(std::string_view word);

// True when the text carries any Vietnamese diacritic (fold would change it).
bool has_diacritics(std::string_view utf8);

struct Word {
  std::size_t offset;  // byte offset in the input
  std::size_t length;  // byte length in the input
};
std::vector<Word> words(std::string_view utf8);

// The code points of UTF-8 text (ICU's UChar32), bad bytes as U+FFFD.
std::vector<std::int32_t> code_points(std::string_view utf8);

// Makes sure a byte string is valid UTF-8, replacing bad sequences with U+FFFD.
std::string valid_utf8(std::string_view bytes);

}  // namespace kho::text
