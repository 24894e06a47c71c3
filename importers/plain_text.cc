// Plain text: UTF-8 (with or without BOM) and UTF-16 with BOM. Form feeds
// separate pages; the first non-empty line is the title.
#include <fstream>
#include <iterator>

#include "importers/formats.h"
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
  return b.size() >= 2 && ((b[0] == '\xFF' && b[1] == '\xFE') || (b[0] == '\xFE' && b[1] == '\xFF'));
}

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
    if (c == 0 || (c < 0x09) || (c > 0x0D && c < 0x20 && c != 0x1B)) return false;
  return text::valid_utf8(part) == part;
}

class PlainTextImporter : public Importer {
 public:
  std::string_view name() const override { return "text"; }
  int accepts(const Sniff& sniff) const override {
    if (has_utf16_bom(sniff.head) || sniff.head.starts_with("\xEF\xBB\xBF")) return 60;
    return looks_like_utf8(sniff.head, sniff.head.size() >= 4096) ? 30 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail()) return Status::IoError("cannot read file");
    std::string utf8;
    if (!decode_text(bytes, &utf8)) return Status::Corrupt("not valid UTF-8 or UTF-16 text");
    out->media_type = "text/plain";
    std::size_t start = 0;
    for (std::size_t ff; (ff = utf8.find('\f', start)) != std::string::npos; start = ff + 1)
      out->pages.push_back(utf8.substr(start, ff - start));
    out->pages.push_back(utf8.substr(start));
    std::string title = first_line(utf8);
    if (!title.empty()) out->meta["title"] = title;
    return Status::Ok();
  }

 private:
  static std::string first_line(const std::string& s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find_first_of("\r\n\f", pos);
      if (end == std::string::npos) end = s.size();
      std::string line = s.substr(pos, end - pos);
      auto a = line.find_first_not_of(" \t"), b = line.find_last_not_of(" \t");
      if (a != std::string::npos) {
        line = line.substr(a, b - a + 1);
        if (line.size() > 200) line = text::valid_utf8(line.substr(0, 200));  // cut may split a letter
        return line;
      }
      pos = end + 1;
    }
    return "";
  }
};

}  // namespace

bool decode_text(std::string_view bytes, std::string* utf8) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (has_utf16_bom(bytes)) {
    *utf8 = utf16_to_utf8(bytes.substr(2), bytes[0] == '\xFF');
    return true;
  }
  if (!looks_like_utf8(bytes, false)) return false;
  *utf8 = std::string(bytes);
  return true;
}

std::unique_ptr<Importer> make_plain_text_importer() { return std::make_unique<PlainTextImporter>(); }

}  // namespace kho::importers
