// Vietnamese typed before Unicode. Schools' old files were typed with the
// ABC keyboard in TCVN3 (".VnTime" fonts) or with VNI fonts ("VNI-Times"):
// the bytes are letters only in those fonts, so any other program shows them
// as Windows-1252 mojibake ("chuyÓn ®æi sè", "chuyeån ñoåi soá"). This module
// turns such text back into Unicode NFC, but only where that clearly helps:
// detection counts the words that are Vietnamese syllables before and after.
//  - TCVN3: one byte per letter; the table is the upper half of TCVN
//    5712:1993 (0xA0-0xFF, as glibc's TCVN5712-1 has it; VN3 is that half
//    without VN1's sixteen capitals). Capitals with tones have no code in VN3:
//    ".VnTimeH" fonts draw the small letters' codes as capitals, so a line
//    whose words are typed in capitals gets capitals ("KÕ HO¹CH" -> "KẾ HOẠCH").
//  - VNI (VNI-Windows): a base letter followed by a mark byte ("ö" ư, "ô" ơ,
//    "ñ" đ, "ø" grave, "aâ" â, "aá" ấ ...); i and ỵ with tones are single bytes.
//  - Windows-1258: a code page, base letters plus combining tones; only read
//    from bytes (decode_8bit), as NFC then makes them ordinary Unicode.
// Input and output are UTF-8. Tone placement is kept as written.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kho::text {

enum class Legacy { kNone, kTcvn3, kVni, kWindows1258 };
const char* legacy_name(Legacy encoding);  // "TCVN3", "VNI", "Windows-1258", "none"

// Text in a legacy font encoding, as read through Windows-1252 (or Latin-1),
// to Unicode NFC: every convertible character is converted.
std::string from_tcvn3(std::string_view utf8);
std::string from_vni(std::string_view utf8);
std::string from_legacy(std::string_view utf8, Legacy encoding);

// The bytes an old keyboard driver would have typed for Unicode text (for
// tests and fixtures); characters the encoding lacks are kept as UTF-8.
// TCVN3 capitals with tones become the small letters' codes, as with .VnTimeH.
std::string to_tcvn3(std::string_view utf8);
std::string to_vni(std::string_view utf8);

// True for one Vietnamese syllable ("trường", "Nghị", "quý"): an initial
// consonant, a rime Vietnamese spells, at most one tone, and c/ch/p/t finals
// only with the acute or dot-below tone.
bool is_vietnamese_syllable(std::string_view word);

// Words that carry a non-ASCII character, and how many of them are syllables.
struct SyllableCount {
  std::size_t words = 0;
  std::size_t syllables = 0;
};
SyllableCount count_syllables(std::string_view utf8);

// The legacy encoding the text was typed in, or kNone: the one whose
// conversion turns clearly more words into Vietnamese syllables (a quarter of
// the words at least, and most of them in the end).
Legacy detect_legacy(std::string_view utf8);

// Converts, line by line, the lines that read better in `encoding`: a file may
// mix Unicode paragraphs with legacy ones.
std::string repair_lines(std::string_view utf8, Legacy encoding);

// Bytes that are not UTF-8: read as the best of Windows-1258, TCVN3 and VNI
// when one of them gives Vietnamese (*used says which), else as Windows-1252
// with *used = kNone. Output is NFC.
std::string decode_8bit(std::string_view bytes, Legacy* used);

}  // namespace kho::text
