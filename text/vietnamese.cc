#include "text/vietnamese.h"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace kho::text {

namespace {

constexpr UChar32 kReplacement = 0xFFFD;
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";  // U+FFFD

const icu::Normalizer2& normalizer(bool compose) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n =
      compose ? icu::Normalizer2::getNFCInstance(status) : icu::Normalizer2::getNFDInstance(status);
  // Only a broken ICU installation (missing data) gets here.
  if (U_FAILURE(status) || n == nullptr) throw std::runtime_error("ICU normalizer unavailable");
  return *n;
}
const icu::Normalizer2& nfc_norm() { return normalizer(true); }
const icu::Normalizer2& nfd_norm() { return normalizer(false); }

// The end of the run of ASCII bytes starting at i; eight bytes at a time
// because most of a Vietnamese page is ASCII (spaces, digits, unaccented letters).
std::size_t ascii_end(std::string_view s, std::size_t i) {
  for (std::uint64_t w; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

bool is_ascii(std::string_view s) { return ascii_end(s, 0) == s.size(); }

// Decodes the code point at i and moves i past it; negative when ill-formed.
// ICU then skips the maximal valid prefix, as the Unicode standard recommends,
// so "\xE1\xBA" (a truncated "ạ") is one error and "\xC0\xAF" (overlong) two.
UChar32 decode(std::string_view s, std::size_t& i) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  UChar32 c;
  U8_NEXT(p, i, s.size(), c);
  return c;
}

// As decode(), but an ill-formed sequence reads as U+FFFD, so nothing
// downstream ever sees broken UTF-8.
UChar32 next_code_point(std::string_view s, std::size_t& i) {
  UChar32 c = decode(s, i);
  return c < 0 ? kReplacement : c;
}

void append_utf8(std::string& out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  std::size_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out.append(buf, n);
}

icu::UnicodeString from_utf8(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

std::string to_utf8(const icu::UnicodeString& u) {
  std::string out;
  return u.toUTF8String(out);
}

bool is_nonspacing_mark(UChar32 c) {
  return (c >= 0x300 && c <= 0x36F) || u_charType(c) == U_NON_SPACING_MARK;
}

// The definition of folding, straight from ICU: NFD, drop Mn, NFC, then đ/Đ,
// which have no decomposition. The fast paths below must agree with it.
icu::UnicodeString reference_fold(const icu::UnicodeString& s) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString decomposed = nfd_norm().normalize(s, status), kept;
  for (int32_t i = 0; i < decomposed.length(); i = decomposed.moveIndex32(i, 1)) {
    UChar32 c = decomposed.char32At(i);
    if (!is_nonspacing_mark(c)) kept.append(c);
  }
  icu::UnicodeString out = nfc_norm().normalize(kept, status);
  if (U_FAILURE(status)) return s;
  return out.findAndReplace(u"\u0111", u"d").findAndReplace(u"\u0110", u"D");
}

// How fold() treats a code point: the table covers the Latin letters Vietnamese
// (and its neighbours) use; other letters either fold to themselves or need ICU.
enum class Kind { kAscii, kMapped, kDropped, kSelf, kComplex };

// Folded UTF-8 of every code point in U+0080–U+024F and U+1E00–U+1EFF, built
// once from reference_fold() so the two cannot drift apart.
class FoldTable {
 public:
  FoldTable() {
    for (UChar32 c = 0x80; c <= 0x24F; ++c) latin_[c - 0x80] = make(c);
    for (UChar32 c = 0x1E00; c <= 0x1EFF; ++c) extended_[c - 0x1E00] = make(c);
  }

  Kind kind(UChar32 c) const {
    if (c < 0x80) return Kind::kAscii;
    if (const Entry* e = find(c)) return e->size == 0 ? Kind::kDropped : Kind::kMapped;
    if (is_nonspacing_mark(c)) return Kind::kDropped;
    // Inert for both: no decomposition, and nothing composes with it either side.
    if (nfc_norm().isInert(c) && nfd_norm().isInert(c)) return Kind::kSelf;
    return Kind::kComplex;
  }

  // For a kMapped code point: its folded bytes.
  std::string_view folded(UChar32 c) const {
    const Entry* e = find(c);
    return {e->bytes.data(), e->size};
  }

 private:
  struct Entry {
    std::array<char, 4> bytes;
    std::uint8_t size;
  };

  const Entry* find(UChar32 c) const {
    if (c >= 0x80 && c <= 0x24F) return &latin_[c - 0x80];
    if (c >= 0x1E00 && c <= 0x1EFF) return &extended_[c - 0x1E00];
    return nullptr;
  }

  static Entry make(UChar32 c) {
    std::string f = to_utf8(reference_fold(icu::UnicodeString(c)));
    Entry e{};
    // Every Latin letter folds to one code point; fail loudly if ICU disagrees.
    if (f.size() > e.bytes.size()) throw std::logic_error("fold table: folded form too long");
    std::memcpy(e.bytes.data(), f.data(), f.size());
    e.size = static_cast<std::uint8_t>(f.size());
    return e;
  }

  std::array<Entry, 0x24F - 0x80 + 1> latin_{};
  std::array<Entry, 0x1EFF - 0x1E00 + 1> extended_{};
};

const FoldTable& fold_table() {
  static const FoldTable table;  // C++ guarantees thread-safe initialisation
  return table;
}

// Folds the code points from i that the table cannot handle alone (Greek,
// Cyrillic, Hangul jamo...) with ICU; returns where it stopped. It stops before
// ASCII, a table letter or an inert code point: none of them composes with what
// precedes it, so folding the pieces apart equals folding them together.
std::size_t fold_complex(std::string_view s, std::size_t i, std::string& out) {
  const FoldTable& table = fold_table();
  icu::UnicodeString segment;
  while (i < s.size()) {
    std::size_t at = i;
    UChar32 c = next_code_point(s, i);
    Kind kind = table.kind(c);
    if (kind == Kind::kAscii || kind == Kind::kMapped || kind == Kind::kSelf) {
      i = at;
      break;
    }
    segment.append(c);
  }
  out += to_utf8(reference_fold(segment));
  return i;
}

// Places one syllable's tone mark for matching: the old placement on the first vowel
// of a final "oa", "oe", "uy" (hòa, thủy) moves to the second (hoà, thuỷ).
// "qu" is a consonant, so "quý" keeps its mark; a final consonant (hoàng) means
// both styles already agree. d is NFD and lower-case; [begin, end) one syllable.
void place_tone(icu::UnicodeString& d, int32_t begin, int32_t end) {
  if (end - begin < 3) return;
  UChar v1 = d.charAt(end - 3), tone = d.charAt(end - 2), v2 = d.charAt(end - 1);
  bool is_tone = tone == 0x300 || tone == 0x301 || tone == 0x303 || tone == 0x309 || tone == 0x323;
  bool pair = (v1 == u'o' && (v2 == u'a' || v2 == u'e')) || (v1 == u'u' && v2 == u'y');
  bool after_q = v1 == u'u' && end - 4 >= begin && d.charAt(end - 4) == u'q';
  if (!is_tone || !pair || after_q) return;
  d.setCharAt(end - 2, v2);
  d.setCharAt(end - 1, tone);
}

bool is_syllable_part(UChar32 c) {
  return u_isalpha(c) || (U_GET_GC_MASK(c) & (U_GC_MN_MASK | U_GC_MC_MASK)) != 0;
}

bool is_word_part(UChar32 c, bool in_word) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (u_isalnum(c)) return true;
  // A combining mark belongs to the letter before it (NFD "a" + U+0300 is "à").
  return in_word && (U_GET_GC_MASK(c) & (U_GC_MN_MASK | U_GC_MC_MASK)) != 0;
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t start = i;
    i = ascii_end(bytes, i);
    out.append(bytes, start, i - start);
    if (i == bytes.size()) break;
    start = i;
    if (decode(bytes, i) < 0)
      out += kReplacementUtf8;
    else
      out.append(bytes, start, i - start);
  }
  return out;
}

std::string nfc(std::string_view utf8) {
  std::string valid = valid_utf8(utf8);
  if (is_ascii(valid)) return valid;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(valid.size()));
  UErrorCode status = U_ZERO_ERROR;
  nfc_norm().normalizeUTF8(0, valid, sink, nullptr, status);
  return U_SUCCESS(status) ? out : valid;
}

std::string fold(std::string_view utf8) {
  const FoldTable& table = fold_table();
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t start = i;
    i = ascii_end(utf8, i);
    out.append(utf8, start, i - start);
    if (i == utf8.size()) break;
    start = i;
    UChar32 c = next_code_point(utf8, i);
    switch (table.kind(c)) {
      case Kind::kMapped:
        out += table.folded(c);
        break;
      case Kind::kSelf:
        append_utf8(out, c);
        break;
      case Kind::kComplex:
        i = fold_complex(utf8, start, out);
        break;
      case Kind::kAscii:
      case Kind::kDropped:
        break;
    }
  }
  return out;
}

bool has_diacritics(std::string_view utf8) {
  const FoldTable& table = fold_table();
  for (std::size_t i = 0; i < utf8.size();) {
    i = ascii_end(utf8, i);
    if (i == utf8.size()) break;
    std::size_t start = i;
    UChar32 c = next_code_point(utf8, i);
    Kind kind = table.kind(c);
    if (kind == Kind::kDropped) return true;
    if (kind == Kind::kMapped && table.folded(c) != utf8.substr(start, i - start)) return true;
    if (kind == Kind::kComplex) {
      std::string folded;
      i = fold_complex(utf8, start, folded);
      if (folded != valid_utf8(utf8.substr(start, i - start))) return true;
    }
  }
  return false;
}

std::string lower(std::string_view utf8) {
  if (is_ascii(utf8)) {
    std::string out(utf8);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  std::string valid = valid_utf8(utf8), out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(valid.size()));
  UErrorCode status = U_ZERO_ERROR;
  // "" is the root locale: no Turkish dotless i, whatever the process locale.
  icu::CaseMap::utf8ToLower("", 0, valid, sink, nullptr, status);
  return U_SUCCESS(status) ? out : valid;
}

std::string match_form(std::string_view word) {
  std::string low = lower(word);  // lower() also replaces invalid UTF-8
  if (is_ascii(low)) return low;  // no marks, so no tone to move
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString d = nfd_norm().normalize(from_utf8(low), status);
  for (int32_t i = 0; i < d.length();) {
    int32_t begin = i;
    while (i < d.length() && is_syllable_part(d.char32At(i))) i = d.moveIndex32(i, 1);
    place_tone(d, begin, i);
    if (i == begin) i = d.moveIndex32(i, 1);
  }
  icu::UnicodeString composed = nfc_norm().normalize(d, status);
  return U_SUCCESS(status) ? to_utf8(composed) : nfc(low);
}

std::vector<Word> words(std::string_view utf8) {
  std::vector<Word> out;
  bool in_word = false;
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t start = i;
    bool part = is_word_part(next_code_point(utf8, i), in_word);
    if (part && in_word)
      out.back().length = i - out.back().offset;
    else if (part)
      out.push_back({start, i - start});
    in_word = part;
  }
  return out;
}

}  // namespace kho::text
