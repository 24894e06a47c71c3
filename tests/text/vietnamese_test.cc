// What users of search notice: a name typed without accents finds the name with
// them, old and new tone placement find each other, and broken bytes never crash.
#include "text/vietnamese.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

using namespace kho::text;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";  // U+FFFD, what bad bytes become

// The same text decomposed, as some PDF and Mac tools emit it.
std::string to_nfd(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString u =
      icu::Normalizer2::getNFDInstance(status)->normalize(icu::UnicodeString::fromUTF8(s), status);
  REQUIRE(U_SUCCESS(status));
  std::string out;
  return u.toUTF8String(out);
}

std::vector<std::string> word_texts(const std::string& s) {
  std::vector<std::string> out;
  for (const Word& w : words(s)) out.push_back(s.substr(w.offset, w.length));
  return out;
}

}  // namespace

TEST_CASE("fold drops every diacritic, maps đ to d and keeps case") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"Trần Đình Hà", "Tran Dinh Ha"},
      {"Đường", "Duong"},
      {"đường", "duong"},
      {"tốt nghiệp", "tot nghiep"},
      {"KẾ HOẠCH", "KE HOACH"},
      {"Số: 44/KH-PGDĐT", "So: 44/KH-PGDDT"},
      {"ứng dụng công nghệ thông tin", "ung dung cong nghe thong tin"},
      {"Nguyễn Thị Ngọc Ánh", "Nguyen Thi Ngoc Anh"},
      {"AND OR NOT", "AND OR NOT"},
      {"", ""},
      {"café résumé naïve", "cafe resume naive"},
      {"Ελλάδα", "Ελλαδα"},           // outside the Latin table: ICU fallback
      {"Йошкар-Ола", "Иошкар-Ола"},   // й decomposes to и + breve
      {"\u212Bngström", "Angstrom"},  // ANGSTROM SIGN decomposes to Å
      {"“Chuyển đổi số” – 2030…", "“Chuyen doi so” – 2030…"},
      {"Łódź", "Łodz"},              // Ł has no decomposition, like ICU's reference
      {"Tra\u0302\u0300n", "Tran"},  // NFD: the marks are simply dropped
      {"\xFFHà\xE1\xBA", kFffd + "Ha" + kFffd},
  }));
  CAPTURE(in);
  CHECK(fold(in) == out);
}

TEST_CASE("decomposed input folds, normalises and matches like composed input") {
  std::string composed =
      GENERATE(as<std::string>{}, "Trần Đình Hà", "Đường", "tốt nghiệp", "Hòa Bình", "thủy", "KHỎE",
               "Nguyễn Thị Ngọc Ánh", "Số: 44/KH-PGDĐT ngày 04", "Ελλάδα");
  std::string decomposed = to_nfd(composed);
  CAPTURE(composed);
  REQUIRE(decomposed != composed);
  CHECK(nfc(decomposed) == composed);
  CHECK(fold(decomposed) == fold(composed));
  CHECK(match_form(decomposed) == match_form(composed));
  CHECK(has_diacritics(decomposed) == has_diacritics(composed));
  CHECK(word_texts(nfc(decomposed)) == word_texts(composed));
  CHECK(words(decomposed).size() == words(composed).size());
}

TEST_CASE("nfc composes and replaces invalid UTF-8") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"Tra\u0302\u0300n", "Trần"},
      {"Trần", "Trần"},
      {"plain ASCII", "plain ASCII"},
      {"hoa\u0300 ho\u0323c", "hoà học"},
      {"\xFF"
       "a\u0300",
       kFffd + "à"},
      {"\xE1\xBA", kFffd},
  }));
  CAPTURE(in);
  CHECK(nfc(in) == out);
}

TEST_CASE("lower is full Unicode lower-casing in the root locale") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"ĐẠI HỌC", "đại học"},
      {"TIẾNG VIỆT", "tiếng việt"},  // I -> i, never a Turkish dotless ı
      {"ISBN 978-604", "isbn 978-604"},
      {"ΟΔΟΣ", "οδος"},  // final sigma needs context, so no per-letter table
      {"A\xFF", "a" + kFffd},
  }));
  CAPTURE(in);
  CHECK(lower(in) == out);
}

TEST_CASE("match_form makes old and new tone placement equal") {
  auto [old_style, new_style] = GENERATE(table<std::string, std::string>({
      {"hòa", "hoà"},
      {"thủy", "thuỷ"},
      {"khỏe", "khoẻ"},
      {"hóa", "hoá"},
      {"òa", "oà"},
      {"họa", "hoạ"},
      {"Thúy", "thuý"},
      {"tùy", "tuỳ"},
      {"lũy", "luỹ"},
      {"ủy ban", "uỷ ban"},
      {"Hòa Bình", "hoà bình"},
      {"HÒA", "hoà"},
      {"Thủy-điện Hòa", "thuỷ-điện hoà"},
      {"ho\u0300a", "hoà"},  // NFD input
  }));
  CAPTURE(old_style, new_style);
  CHECK(match_form(old_style) == new_style);
  CHECK(match_form(new_style) == new_style);
}

TEST_CASE("match_form leaves syllables that both styles write alike") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"hoàng", "hoàng"},
      {"thuyền", "thuyền"},
      {"khuếch", "khuếch"},
      {"quý", "quý"},
      {"quỷ", "quỷ"},
      {"qủy", "qủy"},  // "qu" is a consonant: a mark on its u is no tone placement
      {"quả", "quả"},
      {"mùa", "mùa"},
      {"thuở", "thuở"},
      {"ngoài", "ngoài"},
      {"ĐẠI HỌC", "đại học"},
      {"Đường", "đường"},
      {"hoa", "hoa"},
  }));
  CAPTURE(in);
  CHECK(match_form(in) == out);
}

TEST_CASE("has_diacritics says whether fold would change the text") {
  auto [in, expected] = GENERATE(table<std::string, bool>({
      {"Trần", true},
      {"Đ", true},
      {"đ", true},
      {"a\u0300", true},  // NFD
      {"café", true},
      {"Ελλάδα", true},
      {"Tran Dinh Ha", false},
      {"", false},
      {"AND 2022", false},
      {"“Chuyen doi so” – 2030…", false},
      {"Ελλαδα", false},
      {"\xFF\xE1\xBA", false},  // bad bytes are not diacritics
  }));
  CAPTURE(in);
  CHECK(has_diacritics(in) == expected);
}

TEST_CASE("words are runs of letters, digits and combining marks") {
  using Expected = std::vector<std::tuple<std::string, std::size_t>>;
  auto [in, expected] = GENERATE(table<std::string, Expected>({
      {"Số: 44/KH-PGDĐT ngày 04",
       {{"Số", 0}, {"44", 6}, {"KH", 9}, {"PGDĐT", 12}, {"ngày", 19}, {"04", 25}}},
      {"l'école d’été", {{"l", 0}, {"école", 2}, {"d", 9}, {"été", 13}}},
      {"Tra\u0302\u0300n Đình", {{"Tra\u0302\u0300n", 0}, {"Đình", 9}}},
      {" \u0301a", {{"a", 3}}},  // a mark continues a word, never starts one
      {"ab\xFF"
       "cd",
       {{"ab", 0}, {"cd", 3}}},
      {"Hà\xE1\xBA", {{"Hà", 0}}},
      {"...", {}},
  }));
  CAPTURE(in);
  Expected got;
  for (const Word& w : words(in)) got.emplace_back(in.substr(w.offset, w.length), w.offset);
  CHECK(got == expected);
}

TEST_CASE("valid_utf8 replaces each bad sequence and keeps good text as it is") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"\xFF\xFE", kFffd + kFffd},
      {"\xE1\xBA", kFffd},                                  // truncated "ạ": one error
      {"\xC0\xAF", kFffd + kFffd},                          // overlong "/"
      {"\xE0\x80\xAF", kFffd + kFffd + kFffd},              // overlong "/" in three bytes
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},              // UTF-16 surrogate
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // above U+10FFFF
      {"a\xE1\xBAz", "a" + kFffd + "z"},
      {"Trần \xF0\x9F\x93\x9A", "Trần \xF0\x9F\x93\x9A"},
      {kFffd, kFffd},
      {"", ""},
  }));
  CAPTURE(in);
  CHECK(valid_utf8(in) == out);
}
