// Text typed in TCVN3 (.VnTime) or VNI fonts comes back as Vietnamese, and
// text that was Unicode (or French, or English) all along is left alone.
#include "text/legacy.h"

#include <iconv.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "text/vietnamese.h"

using namespace kho::text;

namespace {

// What a Windows program shows for legacy bytes: each byte read as Latin-1
// (TCVN3 and VNI use no byte in 0x80-0x9F, where Windows-1252 differs).
std::string as_latin1(const std::string& bytes) {
  std::string out;
  for (unsigned char b : bytes) {
    if (b < 0x80) {
      out += static_cast<char>(b);
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

// glibc's converters, an implementation of the published tables we do not share.
std::string iconv_convert(const std::string& in, const char* from, const char* to) {
  iconv_t cd = iconv_open(to, from);
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::unique_ptr<void, int (*)(iconv_t)> closer(cd, iconv_close);
  std::string src = in, out(in.size() * 4 + 16, '\0');
  char* inp = src.data();
  char* outp = out.data();
  std::size_t inleft = src.size(), outleft = out.size();
  REQUIRE(iconv(cd, &inp, &inleft, &outp, &outleft) != static_cast<std::size_t>(-1));
  // TCVN5712-1 holds a base letter back in case a combining tone follows.
  REQUIRE(iconv(cd, nullptr, nullptr, &outp, &outleft) != static_cast<std::size_t>(-1));
  out.resize(out.size() - outleft);
  return out;
}

const char* const kSamples[] = {
    "Trường Trung học cơ sở",
    "chuyển đổi số",
    "Đoàn Thị Điểm",
    "Nghị định",
    "đ Đ ư ơ â ê ô ă",
    "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ e è é ẻ ẽ ẹ ê ề ế ể ễ ệ",
    "i ì í ỉ ĩ ị o ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ ơ ờ ớ ở ỡ ợ",
    "u ù ú ủ ũ ụ ư ừ ứ ử ữ ự y ỳ ý ỷ ỹ ỵ",
    "Kế hoạch thực hiện nhiệm vụ năm học 2022 - 2023; Hòa Bình, thủy, khuya.",
};

const char* const kTcvn3Paragraph =
    "Thùc hiÖn NghÞ quyÕt sè 06-NQ/TU ngµy 26/3/2021 cña Ban chÊp hµnh §¶ng bé tØnh "
    "H¶i D­¬ng vÒ chuyÓn ®æi sè giai ®o¹n 2021-2025.";
const char* const kVniParagraph =
    "Thöïc hieän Nghò quyeát soá 06-NQ/TU ngaøy 26/3/2021 cuûa Ban chaáp haønh Ñaûng boä tænh "
    "Haûi Döông veà chuyeån ñoåi soá giai ñoaïn 2021-2025.";
const char* const kUnicodeParagraph =
    "Thực hiện Nghị quyết số 06-NQ/TU ngày 26/3/2021 của Ban chấp hành Đảng bộ tỉnh "
    "Hải Dương về chuyển đổi số giai đoạn 2021-2025.";

}  // namespace

TEST_CASE("TCVN3 table agrees with glibc's TCVN5712-1 for every byte of the upper half") {
  for (int b = 0xA0; b <= 0xFF; ++b) {
    std::string byte(1, static_cast<char>(b));
    INFO("byte " << b);
    CHECK(from_tcvn3(as_latin1(byte)) == nfc(iconv_convert(byte, "TCVN5712-1", "UTF-8")));
  }
}

TEST_CASE("TCVN3 and VNI round trips keep every letter, tone and đ") {
  for (const char* sample : kSamples) {
    INFO(sample);
    CHECK(from_tcvn3(as_latin1(to_tcvn3(sample))) == sample);
    CHECK(from_vni(as_latin1(to_vni(sample))) == sample);
    CHECK(from_vni(as_latin1(to_vni(lower(sample)))) == lower(sample));
  }
  // VNI spells capitals with capital mark bytes, so they survive too.
  CHECK(from_vni(as_latin1(to_vni("TRƯỜNG ĐẠI HỌC Ứng Ý Ỵ"))) == "TRƯỜNG ĐẠI HỌC Ứng Ý Ỵ");
}

TEST_CASE("the mojibake of the notes reads as Vietnamese again") {
  CHECK(from_tcvn3("chuyÓn ®æi sè") == "chuyển đổi số");
  CHECK(from_vni("chuyeån ñoåi soá") == "chuyển đổi số");
  CHECK(from_tcvn3("Tr\u00ADêng Trung häc c¬ së") == "Trường Trung học cơ sở");
  CHECK(from_vni("Tröôøng Trung hoïc cô sôû") == "Trường Trung học cơ sở");
  CHECK(from_tcvn3("§oµn ThÞ §iÓm") == "Đoàn Thị Điểm");
  CHECK(from_vni("Ñoaøn Thò Ñieåm") == "Đoàn Thị Điểm");
}

TEST_CASE(
    "TCVN3 capitals typed with .VnTimeH come back as capitals, a sentence's first letter not") {
  // VN3 has no capitals with tones: .VnTimeH draws the small letters' codes large.
  CHECK(to_tcvn3("KẾ HOẠCH") ==
        "K\xD5 HO\xB9"
        "CH");
  CHECK(from_tcvn3(as_latin1(to_tcvn3("KẾ HOẠCH"))) == "KẾ HOẠCH");
  CHECK(from_tcvn3(as_latin1(to_tcvn3("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))) ==
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
  CHECK(from_tcvn3("Sè: 44/KH-PGD§T") == "Số: 44/KH-PGDĐT");
  CHECK(from_tcvn3("KÕ ho¹ch") == "Kế hoạch");
}

TEST_CASE("syllables: Vietnamese spellings pass, mojibake and French do not") {
  for (const char* w : {"trường", "Nghị", "nghiêng", "quý", "gì", "khuya", "học", "Đoàn", "thuở",
                        "hoà", "hòa", "xoong", "ươu", "giữa", "chuyển", "KẾ"})
    CHECK(is_vietnamese_syllable(w));
  for (const char* w : {"chuyÓn", "®æi", "ho¹ch", "élève", "côté", "hoc", "họcc", "trườngg", "ắp̣",
                        "Tröôøng", "xyz", ""})
    CHECK_FALSE(is_vietnamese_syllable(w));
  SyllableCount c = count_syllables("chuyển đổi số, năm 2022 (CNTT)");
  CHECK(c.words == 4);  // "2022" and "CNTT" are ASCII: no encoding changes them
  CHECK(c.syllables == 4);
}

TEST_CASE("detection converts only when it clearly helps") {
  CHECK(detect_legacy(kTcvn3Paragraph) == Legacy::kTcvn3);
  CHECK(detect_legacy(kVniParagraph) == Legacy::kVni);
  CHECK(from_tcvn3(kTcvn3Paragraph) == kUnicodeParagraph);
  CHECK(from_vni(kVniParagraph) == kUnicodeParagraph);
  CHECK(detect_legacy(kUnicodeParagraph) == Legacy::kNone);
  CHECK(detect_legacy("Hòa Bình, thủy, khỏe, là, bà, có") == Legacy::kNone);
  CHECK(detect_legacy("L'élève a visité le château près de la forêt à Noël.") == Legacy::kNone);
  CHECK(detect_legacy("Plain English, nothing to do.") == Legacy::kNone);
  CHECK(detect_legacy("") == Legacy::kNone);
}

TEST_CASE("a document mixing Unicode and TCVN3 lines gets only the TCVN3 lines converted") {
  std::string mixed =
      std::string("Trường THCS Lê Quý Đôn: là, bà, có\n") + kTcvn3Paragraph + "\nSè: 44/KH-PGD§T\n";
  std::string repaired = repair_lines(mixed, detect_legacy(mixed));
  CHECK(repaired == std::string("Trường THCS Lê Quý Đôn: là, bà, có\n") + kUnicodeParagraph +
                        "\nSố: 44/KH-PGDĐT\n");
  CHECK(repair_lines(kUnicodeParagraph, Legacy::kTcvn3) == kUnicodeParagraph);
}

TEST_CASE("bytes that are not UTF-8 are read as the Vietnamese encoding that fits") {
  Legacy used = Legacy::kNone;
  CHECK(decode_8bit(to_tcvn3(kUnicodeParagraph), &used) == kUnicodeParagraph);
  CHECK(used == Legacy::kTcvn3);
  CHECK(decode_8bit(to_vni(kUnicodeParagraph), &used) == kUnicodeParagraph);
  CHECK(used == Legacy::kVni);
  // Windows-1258 writes tones as combining marks; glibc makes the bytes.
  std::string cp1258 = iconv_convert(kUnicodeParagraph, "UTF-8", "CP1258");
  CHECK(decode_8bit(cp1258, &used) == kUnicodeParagraph);
  CHECK(used == Legacy::kWindows1258);
  CHECK(decode_8bit("caf\xE9 cr\xE8me br\xFBl\xE9"
                    "e",
                    &used) == "café crème brûlée");
  CHECK(used == Legacy::kNone);
}
