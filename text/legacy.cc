#include "text/legacy.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "text/vietnamese.h"

namespace kho::text {

namespace {

// TCVN 5712:1993, bytes 0xA0-0xFF, as glibc's iconv reads TCVN5712-1 (the
// tests check every entry against it). 0xB0-0xB4 are combining tones.
constexpr std::array<char16_t, 96> kTcvn3 = {
    0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110,  // A0-A7
    0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0,  // A8-AF
    0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3,  // B0-B7
    0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4,  // B8-BF
    0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7,  // C0-C7
    0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD,  // C8-CF
    0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC,  // D0-D7
    0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2,  // D8-DF
    0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7,  // E0-E7
    0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9,  // E8-EF
    0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,  // F0-F7
    0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,  // F8-FF
};

// VNI-Windows mark bytes (small; the capital is 0x20 lower): the quality
// mark they add to the letter before them (circumflex, breve) and the tone.
struct VniMark {
  unsigned char byte;
  char16_t quality, tone;
};
constexpr VniMark kVniMarks[] = {
    {0xF9, 0, 0x0301},      {0xF8, 0, 0x0300},      {0xFB, 0, 0x0309},      {0xF5, 0, 0x0303},
    {0xEF, 0, 0x0323},      {0xE2, 0x0302, 0},      {0xE1, 0x0302, 0x0301}, {0xE0, 0x0302, 0x0300},
    {0xE5, 0x0302, 0x0309}, {0xE3, 0x0302, 0x0303}, {0xE4, 0x0302, 0x0323}, {0xEA, 0x0306, 0},
    {0xE9, 0x0306, 0x0301}, {0xE8, 0x0306, 0x0300}, {0xFA, 0x0306, 0x0309}, {0xFC, 0x0306, 0x0303},
    {0xEB, 0x0306, 0x0323},
};

// VNI-Windows letters of one byte (small; the capital is 0x20 lower).
struct VniLetter {
  unsigned char byte;
  char16_t letter;
};
constexpr VniLetter kVniLetters[] = {
    {0xF4, 0x01A1}, {0xF6, 0x01B0}, {0xF1, 0x0111}, {0xED, 0x00ED}, {0xEC, 0x00EC},
    {0xE6, 0x1EC9}, {0xF3, 0x0129}, {0xF2, 0x1ECB}, {0xEE, 0x1EF5},
};

constexpr char16_t kGrave = 0x0300, kAcute = 0x0301, kTilde = 0x0303, kHook = 0x0309, kDot = 0x0323,
                   kCircumflex = 0x0302, kBreve = 0x0306, kHorn = 0x031B;

bool is_tone(UChar32 c) {
  return c == kGrave || c == kAcute || c == kTilde || c == kHook || c == kDot;
}

void append(std::string& out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  std::size_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out.append(buf, n);
}

const icu::Normalizer2& nfd() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status) || n == nullptr) throw std::runtime_error("ICU normalizer unavailable");
  return *n;
}

const VniMark* vni_mark(UChar32 c) {
  for (const auto& m : kVniMarks)
    if (c == m.byte || c == m.byte - 0x20) return &m;
  return nullptr;
}

const VniLetter* vni_letter(UChar32 c) {
  for (const auto& l : kVniLetters)
    if (c == l.byte || c == l.byte - 0x20) return &l;
  return nullptr;
}

bool is_ascii_letter(UChar32 c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ".VnTimeH" capitals: the line has no small ASCII letter, and some word with
// a converted small letter has two ASCII capitals or more ("HO¹CH"). "Sè:"
// beside "KH-PGD§T" stays "Số:": one capital could begin a sentence.
bool typed_in_capitals(const std::vector<UChar32>& line) {
  bool qualifies = false;
  int capitals = 0;
  bool converted = false;
  auto end_word = [&] {
    if (capitals >= 2 && converted) qualifies = true;
    capitals = 0, converted = false;
  };
  for (UChar32 c : line) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z')
      ++capitals;
    else if (c >= 0xA0 && c <= 0xFF && u_islower(kTcvn3[c - 0xA0]))
      converted = true;
    else if (c < 0x80)
      end_word();
  }
  end_word();
  return qualifies;
}

// Decided per table cell: Word and catdoc put a row's cells on one line.
std::string tcvn3_line(const std::vector<UChar32>& line) {
  std::string out;
  for (std::size_t start = 0; start < line.size();) {
    std::size_t end = std::find(line.begin() + start, line.end(), '\t') - line.begin();
    std::vector<UChar32> cell(line.begin() + start, line.begin() + end);
    bool capitals = typed_in_capitals(cell);
    for (UChar32 c : cell) {
      if (c >= 0xA0 && c <= 0xFF) {
        UChar32 letter = kTcvn3[c - 0xA0];
        append(out, capitals ? u_toupper(letter) : letter);
      } else {
        append(out, c);
      }
    }
    if (end < line.size()) out += '\t';
    start = end + 1;
  }
  return out;
}

// Vowels a VNI mark byte may follow: circumflex after a, e, o; breve after a;
// a tone after any vowel written with more than one byte.
bool vni_takes(UChar32 base, const VniMark& mark) {
  UChar32 b = u_tolower(base);
  if (mark.quality == kCircumflex) return b == 'a' || b == 'e' || b == 'o';
  if (mark.quality == kBreve) return b == 'a';
  return b == 'a' || b == 'e' || b == 'o' || b == 'u' || b == 'y' || b == 0x01A1 || b == 0x01B0;
}

// Splits into lines, keeping each line's '\n' with it.
template <typename F>
void each_line(std::string_view s, F f) {
  for (std::size_t start = 0; start < s.size();) {
    std::size_t end = s.find('\n', start);
    end = end == std::string_view::npos ? s.size() : end + 1;
    f(s.substr(start, end - start));
    start = end;
  }
}

// A letter Vietnamese writes, without its tone: "ấ" -> {"â", acute}.
struct Toneless {
  UChar32 letter;
  char16_t tone;
};

class LetterTable {
 public:
  LetterTable() {
    for (UChar32 c = 'a'; c <= 'z'; ++c) add(c);
    for (UChar32 c = 0xC0; c <= 0x1B0; ++c) add(c);
    for (UChar32 c = 0x1EA0; c <= 0x1EF9; ++c) add(c);
    letters_[0x0111] = {0x0111, 0};
  }
  const Toneless* find(UChar32 c) const {
    auto it = letters_.find(u_tolower(c));
    return it == letters_.end() ? nullptr : &it->second;
  }

 private:
  void add(UChar32 c) {
    if (u_tolower(c) != c) return;
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString d = nfd().normalize(icu::UnicodeString(c), status);
    if (U_FAILURE(status) || d.length() == 0 || d.charAt(0) < 'a' || d.charAt(0) > 'z') return;
    UChar32 base = d.charAt(0);
    char16_t quality = 0, tone = 0;
    for (int32_t i = 1; i < d.length(); ++i) {
      char16_t m = d.charAt(i);
      if (is_tone(m) && tone == 0)
        tone = m;
      else if ((m == kCircumflex || m == kBreve || m == kHorn) && quality == 0)
        quality = m;
      else
        return;
    }
    icu::UnicodeString plain(base);
    if (quality != 0) plain.append(static_cast<UChar>(quality));
    UErrorCode s2 = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(s2);
    icu::UnicodeString composed = nfc->normalize(plain, s2);
    if (U_FAILURE(s2) || composed.countChar32() != 1) return;
    letters_[c] = {composed.char32At(0), tone};
  }
  std::unordered_map<UChar32, Toneless> letters_;
};

const LetterTable& letter_table() {
  static const LetterTable table;
  return table;
}

// Written rimes. Those in kRimesWithFinal also take a final consonant.
constexpr std::string_view kOnsets[] = {"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr",
                                        "qu",  "b",  "c",  "d",  "đ",  "g",  "h",  "k",  "l",  "m",
                                        "n",   "p",  "r",  "s",  "t",  "v",  "x",  ""};
constexpr std::string_view kRimesWithFinal[] = {
    "a",  "ă",  "â",  "e",  "ê",  "i",  "y",  "o",  "ô",  "ơ",   "u",  "ư", "oa",
    "oă", "oe", "uâ", "uê", "uy", "uô", "ươ", "iê", "yê", "uyê", "oo", "uơ"};
constexpr std::string_view kOpenRimes[] = {"ai",  "ao",  "au",  "ay",  "âu",  "ây",  "eo",  "êu",
                                           "ia",  "iu",  "oi",  "ôi",  "ơi",  "ua",  "ui",  "ưa",
                                           "ưi",  "ưu",  "oai", "oay", "oao", "oeo", "uây", "uôi",
                                           "ươi", "ươu", "iêu", "yêu", "uya", "uyu", "uêu"};
constexpr std::string_view kFinals[] = {"ch", "ng", "nh", "c", "m", "n", "p", "t"};

template <std::size_t N>
bool one_of(std::string_view s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

bool is_rime(std::string_view r, char16_t tone) {
  if (one_of(r, kOpenRimes) || one_of(r, kRimesWithFinal)) return true;
  for (std::string_view final : kFinals) {
    if (r.size() <= final.size() || !r.ends_with(final)) continue;
    if (!one_of(r.substr(0, r.size() - final.size()), kRimesWithFinal)) continue;
    bool stop = final == "c" || final == "ch" || final == "p" || final == "t";
    return !stop || tone == kAcute || tone == kDot;
  }
  return false;
}

bool separates(UChar32 c) {
  if (c < 0x80) return !is_ascii_letter(c);
  return c == 0xA0 || u_isUWhiteSpace(c) || (c >= 0x2000 && c <= 0x206F) || c == 0xFFFD;
}

// Characters Windows-1252 gives to bytes 0x80-0x9F: text read through it may
// still be legacy-typed. Anything else above U+00FF was typed in Unicode.
bool windows_1252_only(UChar32 c) {
  static constexpr char16_t kHigh[] = {0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017D, 0x017E,
                                       0x0192, 0x02C6, 0x02DC, 0x2013, 0x2014, 0x2018, 0x2019,
                                       0x201A, 0x201C, 0x201D, 0x201E, 0x2020, 0x2021, 0x2022,
                                       0x2026, 0x2030, 0x2039, 0x203A, 0x20AC, 0x2122};
  return c <= 0xFF || std::find(std::begin(kHigh), std::end(kHigh), c) != std::end(kHigh);
}

std::string decode_with(std::string_view bytes, const char* codepage) {
  icu::UnicodeString u(bytes.data(), static_cast<int32_t>(bytes.size()), codepage);
  std::string out;
  return u.toUTF8String(out);
}

}  // namespace

const char* legacy_name(Legacy encoding) {
  switch (encoding) {
    case Legacy::kTcvn3:
      return "TCVN3";
    case Legacy::kVni:
      return "VNI";
    case Legacy::kWindows1258:
      return "Windows-1258";
    case Legacy::kNone:
      break;
  }
  return "none";
}

std::string from_tcvn3(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 2);
  each_line(utf8, [&](std::string_view line) { out += tcvn3_line(code_points(line)); });
  return nfc(out);
}

std::string from_vni(std::string_view utf8) {
  std::vector<UChar32> cps = code_points(utf8);
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < cps.size(); ++i) {
    UChar32 c = cps[i];
    const VniLetter* letter = vni_letter(c);
    UChar32 base = letter ? (c == letter->byte ? letter->letter : u_toupper(letter->letter)) : c;
    const VniMark* mark = i + 1 < cps.size() ? vni_mark(cps[i + 1]) : nullptr;
    bool vowel = letter ? letter->letter == 0x01A1 || letter->letter == 0x01B0
                        : (c < 0x80 && is_ascii_letter(c));
    append(out, base);
    if (vowel && mark && vni_takes(base, *mark)) {
      if (mark->quality) append(out, mark->quality);
      if (mark->tone) append(out, mark->tone);
      ++i;
    }
  }
  return nfc(out);
}

std::string from_legacy(std::string_view utf8, Legacy encoding) {
  if (encoding == Legacy::kTcvn3) return from_tcvn3(utf8);
  if (encoding == Legacy::kVni) return from_vni(utf8);
  return std::string(utf8);
}

std::string to_tcvn3(std::string_view utf8) {
  static const auto reverse = [] {
    std::unordered_map<UChar32, char> r;
    for (int b = 0xA1; b <= 0xFF; ++b) {
      UChar32 c = kTcvn3[b - 0xA0];
      bool small_or_plain_capital = u_islower(c) || (b >= 0xA1 && b <= 0xA7);
      if (small_or_plain_capital) r[c] = static_cast<char>(b);
    }
    return r;
  }();
  std::string out;
  for (UChar32 c : code_points(nfc(utf8))) {
    auto it = reverse.find(c);
    if (it == reverse.end()) it = reverse.find(u_tolower(c));  // .VnTimeH capitals
    if (it != reverse.end() && (c >= 0x80))
      out += it->second;
    else
      append(out, c);
  }
  return out;
}

std::string to_vni(std::string_view utf8) {
  static constexpr char16_t kIWithTone[] = {kAcute, kGrave, kHook, kTilde, kDot};
  static constexpr unsigned char kIBytes[] = {0xED, 0xEC, 0xE6, 0xF3, 0xF2};
  std::string out;
  for (UChar32 c : code_points(nfc(utf8))) {
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    bool capital = u_isupper(c);
    auto byte = [&](unsigned char small) {
      out += static_cast<char>(capital ? small - 0x20 : small);
    };
    if (c == 0x0111 || c == 0x0110) {
      byte(0xF1);
      continue;
    }
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString d = nfd().normalize(icu::UnicodeString(c), status);
    UChar32 base = d.length() ? u_tolower(d.char32At(0)) : 0;
    char16_t quality = 0, tone = 0;
    for (int32_t i = 1; i < d.length(); ++i) (is_tone(d.charAt(i)) ? tone : quality) = d.charAt(i);
    if (U_FAILURE(status) || base < 'a' || base > 'z') {
      append(out, c);
    } else if (quality == kHorn) {
      byte(base == 'o' ? 0xF4 : 0xF6);
      for (const auto& m : kVniMarks)
        if (m.quality == 0 && tone && m.tone == tone) byte(m.byte);
    } else if (base == 'i' && tone) {
      byte(kIBytes[std::find(std::begin(kIWithTone), std::end(kIWithTone), tone) - kIWithTone]);
    } else if (base == 'y' && tone == kDot) {
      byte(0xEE);
    } else {
      out += static_cast<char>(capital ? u_toupper(base) : base);
      for (const auto& m : kVniMarks)
        if (m.quality == quality && m.tone == tone && (quality || tone)) byte(m.byte);
    }
  }
  return out;
}

bool is_vietnamese_syllable(std::string_view word) {
  const LetterTable& table = letter_table();
  std::string plain;
  char16_t tone = 0;
  for (UChar32 c : code_points(nfc(word))) {
    const Toneless* t = table.find(c);
    if (t == nullptr) return false;
    if (t->tone && tone) return false;
    if (t->tone) tone = t->tone;
    append(plain, t->letter);
  }
  if (plain.empty()) return false;
  std::string_view p = plain;
  for (std::string_view onset : kOnsets)
    if (p.starts_with(onset) && p.size() > onset.size() && is_rime(p.substr(onset.size()), tone))
      return true;
  return false;
}

SyllableCount count_syllables(std::string_view utf8) {
  SyllableCount count;
  std::vector<UChar32> cps = code_points(utf8);
  std::string word;
  bool non_ascii = false;
  auto end_word = [&] {
    if (non_ascii) {
      ++count.words;
      if (is_vietnamese_syllable(word)) ++count.syllables;
    }
    word.clear(), non_ascii = false;
  };
  for (UChar32 c : cps) {
    if (separates(c)) {
      end_word();
      continue;
    }
    append(word, c);
    non_ascii = non_ascii || c >= 0x80;
  }
  end_word();
  return count;
}

Legacy detect_legacy(std::string_view utf8) {
  constexpr std::size_t kSample = std::size_t{1} << 20;  // enough words to decide
  std::string_view sample = utf8.substr(0, std::min(utf8.size(), kSample));
  // Fast path for Unicode text: its letters beyond Latin-1 (ư, ơ, đ, ạ...)
  // outnumber Latin-1's, while legacy-typed text has next to none of them.
  std::size_t latin1 = 0, beyond = 0;
  for (UChar32 c : code_points(sample)) {
    if (c >= 0xA0 && c <= 0xFF) ++latin1;
    if (c >= 0x100 && c <= 0x1EFF) ++beyond;
  }
  if (beyond >= latin1) return Legacy::kNone;
  SyllableCount before = count_syllables(sample);
  if (before.words == 0) return Legacy::kNone;
  Legacy best = Legacy::kNone;
  SyllableCount best_count = before;
  for (Legacy e : {Legacy::kTcvn3, Legacy::kVni}) {
    SyllableCount after = count_syllables(from_legacy(sample, e));
    if (after.syllables > best_count.syllables) best = e, best_count = after;
  }
  if (best == Legacy::kNone) return best;
  std::size_t gain = best_count.syllables - before.syllables;
  bool clear = gain * 4 >= before.words && best_count.syllables * 2 > best_count.words;
  return clear ? best : Legacy::kNone;
}

std::string repair_lines(std::string_view utf8, Legacy encoding) {
  if (encoding != Legacy::kTcvn3 && encoding != Legacy::kVni) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  each_line(utf8, [&](std::string_view line) {
    std::vector<UChar32> cps = code_points(line);
    bool legacy_typed = std::all_of(cps.begin(), cps.end(), windows_1252_only) &&
                        std::any_of(cps.begin(), cps.end(), [](UChar32 c) { return c >= 0xA0; });
    if (!legacy_typed) return void(out += line);
    std::string converted = from_legacy(line, encoding);
    SyllableCount before = count_syllables(line), after = count_syllables(converted);
    bool no_worse = after.syllables >= before.syllables &&
                    after.words - after.syllables <= before.words - before.syllables;
    out += no_worse ? converted : std::string(line);
  });
  return out;
}

std::string decode_8bit(std::string_view bytes, Legacy* used) {
  // Decided on a sample (whole lines are not needed: no encoding here has
  // sequences), then the whole file is read once.
  constexpr std::size_t kSample = std::size_t{256} << 10;
  std::string_view sample = bytes.substr(0, std::min(bytes.size(), kSample));
  std::string western = decode_with(sample, "windows-1252");
  SyllableCount best_count = count_syllables(western);
  Legacy best = Legacy::kNone;
  for (Legacy e : {Legacy::kWindows1258, Legacy::kTcvn3, Legacy::kVni}) {
    std::string reading = e == Legacy::kWindows1258 ? nfc(decode_with(sample, "windows-1258"))
                                                    : from_legacy(western, e);
    SyllableCount c = count_syllables(reading);
    if (c.syllables > best_count.syllables) best = e, best_count = c;
  }
  if (best_count.syllables * 2 <= best_count.words) best = Legacy::kNone;
  *used = best;
  if (best == Legacy::kWindows1258) return nfc(decode_with(bytes, "windows-1258"));
  std::string text = decode_with(bytes, "windows-1252");
  return best == Legacy::kNone ? nfc(text) : from_legacy(text, best);
}

std::vector<std::int32_t> code_points(std::string_view s) {
  std::vector<std::int32_t> out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  for (std::size_t i = 0; i < s.size();) {
    UChar32 c;
    U8_NEXT(p, i, s.size(), c);
    out.push_back(c < 0 ? 0xFFFD : c);
  }
  return out;
}

}  // namespace kho::text
