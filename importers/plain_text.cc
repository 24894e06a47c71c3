// Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, and the 8-bit
// encodings Vietnamese was typed in before Unicode (TCVN3, VNI, Windows-1258;
// text/legacy.h tells which). Form feeds separate pages; the first line of
// several words is the title.
#include <algorithm>
#include <vector>

#include "importers/formats.h"
#include "text/legacy.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string utf16_to_utf8(std::string_view bytes, bool little_endian) {
  std::string out;
  auto unit = [&](std::size_t i) -> char16_t {
    auto a = static_cast<unsigned char>(bytes[i]), b = static_cast<unsigned char>(bytes[i + 1]);
    return static_cast<char16_t>(little_endian ? (b << 8 | a) : (a << 8 | b));
  };
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    char32_t c = unit(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 3 < bytes.size()) {
      char32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      } else {
        c = 0xFFFD;
      }
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    append_utf8(out, c);
  }
  return out;
}

bool has_utf16_bom(std::string_view b) {
  return b.size() >= 2 &&
         ((b[0] == '\xFF' && b[1] == '\xFE') || (b[0] == '\xFE' && b[1] == '\xFF'));
}

bool is_binary_control(unsigned char c) { return c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B); }

// Valid UTF-8 without NULs or other binary control bytes. A multi-byte
// sequence cut by the end of a sniffed head still counts as text.
bool looks_like_utf8(std::string_view b, bool may_be_cut) {
  std::size_t check = b.size();
  if (may_be_cut) {
    std::size_t k = 0;
    while (k < 3 && k < check && (static_cast<unsigned char>(b[check - 1 - k]) & 0xC0) == 0x80) ++k;
    if (k < check && static_cast<unsigned char>(b[check - 1 - k]) >= 0xC0) check -= k + 1;
  }
  std::string_view part = b.substr(0, check);
  for (unsigned char c : part)
    if (is_binary_control(c)) return false;
  return text::valid_utf8(part) == part;
}

// Bytes a text editor would show as letters in a single-byte code page.
bool looks_8bit(std::string_view b) {
  return std::none_of(b.begin(), b.end(),
                      [](char c) { return is_binary_control(static_cast<unsigned char>(c)); });
}

// A UTF-16 BOM is two bytes any binary file may start with; the text after it
// must decode to characters, not controls.
bool looks_like_utf16(std::string_view b) {
  if (!has_utf16_bom(b)) return false;
  std::string decoded = utf16_to_utf8(b.substr(2), b[0] == '\xFF');
  for (unsigned char c : decoded)
    if (is_binary_control(c)) return false;
  return true;
}

// "a\r\nb" -> "a\nb": Windows line ends would otherwise reach snippets.
std::string unix_lines(std::string s) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < s.size(); ++r)
    if (!(s[r] == '\r' && r + 1 < s.size() && s[r + 1] == '\n')) s[w++] = s[r];
  s.resize(w);
  return s;
}

// Cuts at most `max_chars` characters, at a space when there is one, never
// inside a UTF-8 sequence.
std::string cut(const std::string& line, std::size_t max_chars) {
  std::size_t chars = 0, at = 0;
  for (; at < line.size(); ++at) {
    if ((static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) continue;
    if (chars++ == max_chars) break;
  }
  if (at == line.size()) return line;
  std::size_t space = line.rfind(' ', at);
  return line.substr(0, space != std::string::npos && space > at / 2 ? space : at);
}

std::vector<std::string> split_pages(const std::string& s) {
  std::vector<std::string> pages;
  std::size_t start = 0;
  for (std::size_t ff; (ff = s.find('\f', start)) != std::string::npos; start = ff + 1)
    pages.push_back(s.substr(start, ff - start));
  // pdftotext and printers end the last page with a form feed too.
  if (start < s.size() || pages.empty()) pages.push_back(s.substr(start));
  return pages;
}

std::size_t count_replacements(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = s.find("\xEF\xBF\xBD", at)) != std::string_view::npos; at += 3)
    ++n;
  return n;
}

// The head decided "text"; the rest may still disappoint. A few bad sequences
// (a file cut mid-letter) are replaced; many mean another encoding.
Status decode_whole(const std::string& bytes, std::string* utf8) {
  if (decode_text(bytes, utf8)) return Status::Ok();
  for (unsigned char c : bytes)
    if (is_binary_control(c)) return Status::Corrupt("binary data inside a text file");
  // Legacy-typed Vietnamese first: even a short note in TCVN3 is all "bad" UTF-8.
  text::Legacy used = text::Legacy::kNone;
  std::string decoded = text::decode_8bit(bytes, &used);
  if (used != text::Legacy::kNone) return *utf8 = std::move(decoded), Status::Ok();
  std::string repaired = text::valid_utf8(bytes);
  std::size_t bad = count_replacements(repaired) - count_replacements(bytes);
  if (bad > 8 && bad > bytes.size() / 1000)
    return Status::Unsupported(
        "text is neither UTF-8 nor Vietnamese in TCVN3, VNI or Windows-1258; save it as UTF-8");
  *utf8 = repaired.starts_with("\xEF\xBB\xBF") ? repaired.substr(3) : repaired;
  return Status::Ok();
}

class PlainTextImporter : public Importer {
 public:
  std::string_view name() const override { return "text"; }
  int accepts(const Sniff& sniff) const override {
    bool may_be_cut = sniff.may_be_cut();
    if (looks_like_utf16(sniff.head)) return 60;
    // 8-bit text (TCVN3, VNI...): the last resort, after every other format.
    if (!looks_like_utf8(sniff.head, may_be_cut)) return looks_8bit(sniff.head) ? 5 : 0;
    return sniff.head.starts_with("\xEF\xBB\xBF") ? 60 : 30;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::string bytes;
    if (Status s = read_whole(path, &bytes); !s.ok()) return s;
    std::string utf8;
    if (Status s = decode_whole(bytes, &utf8); !s.ok()) return s;
    std::string().swap(bytes);  // large files: keep the peak down
    utf8 = unix_lines(std::move(utf8));
    out->media_type = "text/plain";
    out->pages = split_pages(utf8);
    std::string title = first_line(utf8);
    if (!title.empty()) out->meta["title"] = title;
    return Status::Ok();
  }

 private:
  // The first line of two or more words: a lone token ("DetailController",
  // a page number) left over from a web page or a header is not a title.
  static std::string first_line(const std::string& s) {
    std::string fallback;
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find_first_of("\r\n\f", pos);
      if (end == std::string::npos) end = s.size();
      std::string line = s.substr(pos, end - pos);
      auto a = line.find_first_not_of(" \t"), b = line.find_last_not_of(" \t");
      if (a != std::string::npos) {
        line = cut(line.substr(a, b - a + 1), 200);
        if (line.find_first_of(" \t") != std::string::npos) return line;
        if (fallback.empty()) fallback = line;
      }
      pos = end + 1;
    }
    return fallback;
  }
};

}  // namespace

bool decode_text(std::string_view bytes, std::string* utf8, bool may_be_cut) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (has_utf16_bom(bytes)) {
    *utf8 = utf16_to_utf8(bytes.substr(2), bytes[0] == '\xFF');
    return true;
  }
  if (!looks_like_utf8(bytes, may_be_cut)) return false;
  *utf8 = std::string(bytes);
  return true;
}

std::unique_ptr<Importer> make_plain_text_importer() {
  return std::make_unique<PlainTextImporter>();
}

}  // namespace kho::importers
