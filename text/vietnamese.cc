#include "text/vietnamese.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <array>
#include <mutex>

namespace kho::text {

namespace {

constexpr UChar32 kReplacement = 0xFFFD;

bool is_mark(UChar32 c) {
  auto type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

void append_utf8(std::string& out, UChar32 c) {
  char buf[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(buf, n, 4, c, error);
  if (!error) out.append(buf, static_cast<std::size_t>(n));
}

// Calls f(code point, offset, length) for each code point; invalid bytes come
// through as U+FFFD so nothing downstream sees ill-formed UTF-8.
template <typename F>
void for_each_code_point(std::string_view s, F f) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    f(c < 0 ? kReplacement : c, static_cast<std::size_t>(start), static_cast<std::size_t>(i - start));
  }
}

// Folded form of the Latin letters (U+00C0–U+024F, U+1E00–U+1EFF), built
// once: the first code point of the canonical decomposition, or 0 when the
// letter keeps itself. đ/Đ have no decomposition and are mapped by hand.
class FoldTable {
 public:
  FoldTable() {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    for (UChar32 c = 0xC0; c <= 0x24F; ++c) latin_[c - 0xC0] = base_of(nfd, c);
    for (UChar32 c = 0x1E00; c <= 0x1EFF; ++c) extended_[c - 0x1E00] = base_of(nfd, c);
    latin_[0x110 - 0xC0] = 'D';
    latin_[0x111 - 0xC0] = 'd';
  }
  // The folded code point, or -1 to drop (a combining mark), or c itself.
  UChar32 fold(UChar32 c) const {
    if (c >= 0xC0 && c <= 0x24F) return latin_[c - 0xC0] ? latin_[c - 0xC0] : c;
    if (c >= 0x1E00 && c <= 0x1EFF) return extended_[c - 0x1E00] ? extended_[c - 0x1E00] : c;
    if (c >= 0x300 && c <= 0x36F) return -1;
    if (c > 0x36F && is_mark(c)) return -1;
    return c;
  }

 private:
  static UChar32 base_of(const icu::Normalizer2* nfd, UChar32 c) {
    icu::UnicodeString decomposed;
    if (nfd == nullptr || !nfd->getDecomposition(c, decomposed) || decomposed.isEmpty()) return 0;
    UChar32 base = decomposed.char32At(0);
    // Folding repeats until the base is plain: ấ -> â -> a.
    icu::UnicodeString again;
    while (base >= 0x80 && nfd->getDecomposition(base, again) && !again.isEmpty()) base = again.char32At(0);
    return base == c ? 0 : base;
  }
  std::array<UChar32, 0x24F - 0xC0 + 1> latin_{};
  std::array<UChar32, 0x1EFF - 0x1E00 + 1> extended_{};
};

const FoldTable& fold_table() {
  static const FoldTable table;  // thread-safe initialisation
  return table;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

const icu::Normalizer2* nfc_instance() {
  UErrorCode status = U_ZERO_ERROR;
  return icu::Normalizer2::getNFCInstance(status);
}

bool is_tone_mark(UChar32 c) { return c == 0x300 || c == 0x301 || c == 0x303 || c == 0x309 || c == 0x323; }

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for_each_code_point(bytes, [&](UChar32 c, std::size_t, std::size_t) { append_utf8(out, c); });
  return out;
}

std::string nfc(std::string_view utf8) {
  std::string valid = valid_utf8(utf8);
  if (is_ascii(valid)) return valid;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* norm = nfc_instance();
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(valid);
  if (norm == nullptr || norm->isNormalized(u, status)) return valid;
  status = U_ZERO_ERROR;
  icu::UnicodeString normal = norm->normalize(u, status);
  if (U_FAILURE(status)) return valid;
  std::string out;
  return normal.toUTF8String(out);
}

std::string fold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  const FoldTable& table = fold_table();
  std::size_t i = 0;
  while (i < utf8.size()) {
    // ASCII runs are copied as they are: most text, most of the time.
    std::size_t run = i;
    while (run < utf8.size() && static_cast<unsigned char>(utf8[run]) < 0x80) ++run;
    out.append(utf8, i, run - i);
    if (run == utf8.size()) break;
    std::size_t end = run;
    while (end < utf8.size() && static_cast<unsigned char>(utf8[end]) >= 0x80) ++end;
    for_each_code_point(utf8.substr(run, end - run), [&](UChar32 c, std::size_t, std::size_t) {
      UChar32 f = table.fold(c);
      if (f >= 0) append_utf8(out, f);
    });
    i = end;
  }
  return out;
}

bool has_diacritics(std::string_view utf8) {
  if (is_ascii(utf8)) return false;
  const FoldTable& table = fold_table();
  bool found = false;
  for_each_code_point(utf8, [&](UChar32 c, std::size_t, std::size_t) {
    if (!found && c >= 0x80 && table.fold(c) != c) found = true;
  });
  return found;
}

std::string lower(std::string_view utf8) {
  if (is_ascii(utf8)) {
    std::string out(utf8);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  std::string out;
  return u.toLower(icu::Locale::getRoot()).toUTF8String(out);
}

// Moves the tone mark of a syllable ending in "oa", "oe" or "uy" (with no
// final consonant) from the first of the two vowels to the second: the old
// placement (hòa, thủy) becomes the new one (hoà, thuỷ). "quy" is left alone:
// there "u" belongs to the consonant, and both styles agree.
std::string match_form(std::string_view word) {
  std::string low = lower(nfc(word));
  if (is_ascii(low)) return low;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString d = nfd->normalize(icu::UnicodeString::fromUTF8(low), status);
  if (U_FAILURE(status)) return low;
  int32_t n = d.length();
  // Shape required: ... X V1 TONE V2 with V1V2 in {oa, oe, uy}, at the very end.
  if (n < 3 || !is_tone_mark(d.charAt(n - 2))) return low;
  UChar v1 = d.charAt(n - 3), v2 = d.charAt(n - 1);
  bool pair = (v1 == 'o' && (v2 == 'a' || v2 == 'e')) || (v1 == 'u' && v2 == 'y');
  if (!pair || (v1 == 'u' && n >= 4 && d.charAt(n - 4) == 'q')) return low;
  if (n >= 4 && is_mark(d.charAt(n - 4))) return low;  // e.g. "ươ…": not this pattern
  UChar tone = d.charAt(n - 2);
  d.remove(n - 2, 1);
  d.append(tone);
  const icu::Normalizer2* norm = nfc_instance();
  icu::UnicodeString composed = norm->normalize(d, status);
  if (U_FAILURE(status)) return low;
  std::string out;
  return composed.toUTF8String(out);
}

std::vector<Word> words(std::string_view utf8) {
  std::vector<Word> out;
  bool in_word = false;
  for_each_code_point(utf8, [&](UChar32 c, std::size_t offset, std::size_t length) {
    bool part = c < 0x80 ? ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                         : (u_isalnum(c) || (in_word && is_mark(c)));
    if (part && in_word) {
      out.back().length = offset + length - out.back().offset;
    } else if (part) {
      out.push_back({offset, length});
    }
    in_word = part;
  });
  return out;
}

}  // namespace kho::text
