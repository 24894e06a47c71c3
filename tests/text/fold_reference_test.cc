// fold() takes fast paths (ASCII, a Latin table); these tests hold it to the
// slow definition, ICU's "NFD; [:Mn:] Remove; NFC" plus đ -> d, over real
// documents and over every code point where the fast paths could go wrong.
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing.h"
#include "text/vietnamese.h"

using namespace kho::text;
namespace fs = std::filesystem;

namespace {

std::string utf8(const icu::UnicodeString& u) {
  std::string out;
  return u.toUTF8String(out);
}

std::string code_point(UChar32 c) { return utf8(icu::UnicodeString(c)); }

class ReferenceFold {
 public:
  ReferenceFold() {
    UErrorCode status = U_ZERO_ERROR;
    remove_marks_.reset(
        icu::Transliterator::createInstance("NFD; [:Mn:] Remove; NFC", UTRANS_FORWARD, status));
    REQUIRE(U_SUCCESS(status));
  }
  std::string operator()(const std::string& s) const {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(valid_utf8(s));
    remove_marks_->transliterate(u);
    return utf8(u.findAndReplace(u"đ", u"d").findAndReplace(u"Đ", u"D"));
  }

 private:
  std::unique_ptr<icu::Transliterator> remove_marks_;
};

const icu::Normalizer2& nfc_norm() {
  UErrorCode status = U_ZERO_ERROR;
  return *icu::Normalizer2::getNFCInstance(status);
}

std::string to_nfd(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  return utf8(nfd->normalize(icu::UnicodeString::fromUTF8(s), status));
}

std::vector<fs::path> corpus_files() {
  fs::path dir = kho::testing::source_dir() / ".." / "shared" / "corpus";
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".txt") out.push_back(entry.path());
  return out;
}

// "" when equal, else both strings around the first difference: a whole
// document in a failure message would bury the point.
std::string first_difference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  std::size_t from = i < 40 ? 0 : i - 40;
  return "at byte " + std::to_string(i) + ": got \"" + got.substr(from, 80) + "\", want \"" +
         want.substr(from, 80) + "\"";
}

bool in_table(UChar32 c) { return (c >= 0x80 && c <= 0x24F) || (c >= 0x1E00 && c <= 0x1EFF); }

}  // namespace

TEST_CASE("fold agrees with the ICU reference over the shared corpus") {
  std::vector<fs::path> files = corpus_files();
  if (files.empty()) {
    WARN("no ../shared/corpus/*.txt beside the source tree; skipped");
    return;
  }
  ReferenceFold reference;
  std::string all;
  for (const fs::path& file : files) {
    std::string text = kho::testing::read_file(file);
    CAPTURE(file.string());
    CHECK(first_difference(fold(text), reference(text)) == "");
    CHECK(first_difference(fold(to_nfd(text)), reference(text)) == "");
    all += text;
  }
  // Long mixed text: corpus in NFC and NFD, other scripts, stray bad bytes.
  std::string mixed = all + to_nfd(all) + " Ελλάδα Йошкар \u1100\u1161\u11A8 \u0B95\u0BC6\u0BBE " +
                      "a\u0301\u0BBE \xFF\xE1\xBA " + all;
  CHECK(first_difference(fold(mixed), reference(mixed)) == "");
}

TEST_CASE("has_diacritics is true exactly when fold changes a corpus word") {
  std::vector<fs::path> files = corpus_files();
  if (files.empty()) {
    WARN("no ../shared/corpus/*.txt beside the source tree; skipped");
    return;
  }
  int with = 0, without = 0;
  for (const fs::path& file : files) {
    std::string text = kho::testing::read_file(file);
    for (const Word& w : words(text)) {
      std::string word = text.substr(w.offset, w.length);
      bool changes = fold(word) != word;
      if (has_diacritics(word) != changes) FAIL_CHECK(word);
      ++(changes ? with : without);
    }
  }
  CHECK(with > 100);  // the corpus is Vietnamese: both kinds of words are common
  CHECK(without > 100);
}

TEST_CASE("fold agrees with the ICU reference on every single code point") {
  ReferenceFold reference;
  int mismatches = 0;
  for (UChar32 c = 0x80; c <= 0x10FFFF; ++c) {
    if (U_IS_SURROGATE(c)) continue;
    std::string s = code_point(c);
    if (fold(s) != reference(s) && ++mismatches <= 10) FAIL_CHECK("U+" << std::hex << c);
    if ((fold(s) != s) != has_diacritics(s) && ++mismatches <= 10)
      FAIL_CHECK("has_diacritics U+" << std::hex << c);
  }
  CHECK(mismatches == 0);
}

TEST_CASE("a table letter never interacts with the code point after it") {
  // Code points that could compose with, or reorder around, what precedes them.
  std::vector<UChar32> joiners;
  for (UChar32 c = 0x80; c <= 0x10FFFF; ++c)
    if (!U_IS_SURROGATE(c) && u_charType(c) != U_NON_SPACING_MARK &&
        !nfc_norm().hasBoundaryBefore(c))
      joiners.push_back(c);
  REQUIRE(joiners.size() > 50);  // Hangul vowels and trailing consonants at least
  ReferenceFold reference;
  int mismatches = 0;
  for (UChar32 c = 0x80; c <= 0x1EFF; ++c) {
    if (!in_table(c)) continue;
    REQUIRE(nfc_norm().hasBoundaryBefore(c));  // nor with the code point before
    for (UChar32 j : joiners) {
      // Directly after, and with a dropped mark between them.
      for (std::string s :
           {code_point(c) + code_point(j), code_point(c) + "\u0323" + code_point(j)})
        if (fold(s) != reference(s) && ++mismatches <= 10)
          FAIL_CHECK("U+" << std::hex << c << " U+" << j);
    }
  }
  CHECK(mismatches == 0);
}
