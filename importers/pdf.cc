// PDF through Poppler: text per page in reading order, and the document
// information dictionary (title, author, subject, keywords, dates). Pages
// without usable text (scans, or fonts whose glyphs map to nothing) are
// rendered and read by OCR; pages with good text are not.
#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <new>

#include "importers/formats.h"
#include "importers/ocr.h"

namespace kho::importers {

namespace {

constexpr int kMaxPages = 20000;

// By hand rather than ustring::to_utf8(), which goes through iconv and a
// copy (a tenth of a page's reading); a lone surrogate becomes U+FFFD.
std::string utf8(const poppler::ustring& s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (std::size_t i = 0; i < s.size(); ++i) {
    UChar32 c = s[i];
    if (U16_IS_LEAD(c) && i + 1 < s.size() && U16_IS_TRAIL(s[i + 1]))
      c = U16_GET_SUPPLEMENTARY(c, s[++i]);
    else if (U16_IS_SURROGATE(c))
      c = 0xFFFD;
    char buf[U8_MAX_LENGTH];
    std::size_t n = 0;
    U8_APPEND_UNSAFE(buf, n, c);
    out.append(buf, n);
  }
  return out;
}

std::string trim(const std::string& s) {
  auto a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string iso_date(time_t t) {
  if (t <= 0) return "";
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// Poppler repairs a PDF cut short and reads what is left; an archive wants to
// know the file is damaged, so look for the end-of-file marker ourselves. Some
// writers pad the end with NULs or blank lines, which does not count.
bool has_eof_marker(const std::string& path) {
  std::string tail = file_tail(path, 64 << 10);
  std::size_t end = tail.find_last_not_of(std::string_view(" \t\r\n\0", 5));
  if (end == std::string::npos) return false;
  std::string_view last(tail.data(), end + 1);
  if (last.size() > 1024) last.remove_prefix(last.size() - 1024);
  return last.find("%%EOF") != std::string_view::npos;
}

// Reading order as pdftotext gives it: the physical layout pads justified
// lines with runs of spaces, which spoil snippets. A page without a text layer
// (a scan) is empty here; read_scans() fills it by OCR.
std::string page_text(const poppler::document& doc, int index) {
  std::unique_ptr<poppler::page> page(doc.create_page(index));
  if (!page) return "";
  return utf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
}

// Fewer letters than this and a page may be a scan with at most a running
// head in its text layer, so it is worth a look by OCR.
constexpr int kMinLetters = 20;

struct Letters {
  int good = 0;  // letters and digits
  int bad = 0;   // U+FFFD, private-use code points, stray control characters
};

// What a text layer is made of. Fonts without a usable ToUnicode map give
// U+FFFD or private-use code points instead of letters: text in name only.
Letters count_letters(const std::string& text) {
  Letters n;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  int32_t at = 0, length = static_cast<int32_t>(text.size());
  while (at < length) {
    UChar32 c;
    U8_NEXT(bytes, at, length, c);
    if (c < 0 || c == 0xFFFD || u_charType(c) == U_PRIVATE_USE_CHAR ||
        (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f'))
      ++n.bad;
    else if (u_isalnum(c))
      ++n.good;
  }
  return n;
}

bool needs_ocr(const std::string& text) {
  Letters n = count_letters(text);
  return n.good < kMinLetters || n.bad > n.good;
}

// The page as a grey image at kDpi, or less if the page is so large that
// kDpi would pass ocr::kMaxPixels.
Status render(const poppler::document& doc, int index, ocr::PageImage* out) {
  std::string page_name = "page " + std::to_string(index + 1);
  std::unique_ptr<poppler::page> page(doc.create_page(index));
  if (!page) return Status::Corrupt("damaged PDF (" + page_name + " cannot be read)");
  poppler::rectf box = page->page_rect();
  double square_inches = (box.width() / 72.0) * (box.height() / 72.0);
  if (!(square_inches > 0)) return Status::Ok();  // no area, nothing to read
  double dpi =
      std::min<double>(ocr::kDpi, std::sqrt(static_cast<double>(ocr::kMaxPixels) / square_inches));
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  renderer.set_render_hints(poppler::page_renderer::antialiasing |
                            poppler::page_renderer::text_antialiasing);
  poppler::image image = renderer.render_page(page.get(), dpi, dpi);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0)
    return Status::Corrupt("damaged PDF (" + page_name + " cannot be rendered)");
  out->pix.reset(pixCreate(image.width(), image.height(), 8));
  if (!out->pix) throw std::bad_alloc();
  l_uint32* data = pixGetData(out->pix.get());
  int wpl = pixGetWpl(out->pix.get());
  for (int y = 0; y < image.height(); ++y) {
    const char* row = image.const_data() + static_cast<std::ptrdiff_t>(y) * image.bytes_per_row();
    l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    for (int x = 0; x < image.width(); ++x) SET_DATA_BYTE(line, x, static_cast<uint8_t>(row[x]));
  }
  out->dpi = static_cast<int>(std::lround(dpi));
  return Status::Ok();
}

// Whether OCR's reading of a page beats its text layer. Any reading beats
// none; but a short text layer (a cover's title) is real text, and OCR of
// the picture beside it may read noise as letters, so it must be confident.
bool better_than_layer(const ocr::PageText& ocr, const std::string& layer) {
  constexpr double kSure = 60;
  if (!ocr.has_words) return false;
  int had = count_letters(layer).good;
  return had == 0 || (ocr.confidence >= kSure && count_letters(ocr.text).good > had);
}

// OCRs the pages without usable text and keeps the better reading of each.
Status read_scans(const poppler::document& doc, Document* out) {
  std::vector<int> scans;
  for (std::size_t i = 0; i < out->pages.size(); ++i)
    if (needs_ocr(out->pages[i])) scans.push_back(static_cast<int>(i));
  if (scans.size() > static_cast<std::size_t>(ocr::kMaxPages))
    return Status::TooLarge("PDF has " + std::to_string(scans.size()) +
                            " pages without text, more than " + std::to_string(ocr::kMaxPages) +
                            " to OCR");
  auto load = [&](std::size_t job, ocr::PageImage* image) {
    return render(doc, scans[job], image);
  };
  std::vector<ocr::PageText> texts;
  if (Status s = ocr::recognise(scans.size(), load, &texts); !s.ok()) return s;
  for (std::size_t j = 0; j < scans.size(); ++j) {
    auto& page = out->pages[static_cast<std::size_t>(scans[j])];
    if (!better_than_layer(texts[j], page)) continue;
    page = std::move(texts[j].text);
    out->ocr_confidence[static_cast<std::uint32_t>(scans[j] + 1)] = texts[j].confidence;
  }
  return Status::Ok();
}

void quiet(const std::string&, void*) {}  // Poppler's complaints are summarised in our Status

class PdfImporter : public Importer {
 public:
  PdfImporter() { poppler::set_debug_error_function(quiet, nullptr); }
  std::string_view name() const override { return "pdf"; }
  // Readers accept the header anywhere in the first 1 KiB (mail and web
  // servers prepend junk); there it is likely rather than certain, so a web
  // page that merely mentions "%PDF-" early on stays a web page.
  int accepts(const Sniff& sniff) const override {
    auto at = sniff.head.find("%PDF-");
    if (at == std::string_view::npos || at > 1024) return 0;
    return at == 0 ? 100 : 80;
  }
  Status extract(const std::string& path, Document* out) const override {
    if (!has_eof_marker(path))
      return Status::Corrupt("truncated or damaged PDF (no end-of-file marker)");
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path));
    if (!doc) return Status::Corrupt("damaged PDF (its structure cannot be read)");
    if (doc->is_locked()) return Status::Unsupported("encrypted PDF (password required)");
    int pages = doc->pages();
    if (pages > kMaxPages)
      return Status::TooLarge("PDF has " + std::to_string(pages) + " pages, more than " +
                              std::to_string(kMaxPages));
    out->media_type = "application/pdf";
    read_info(*doc, out);
    out->meta["pages"] = std::to_string(pages);
    for (int i = 0; i < pages; ++i) out->pages.push_back(page_text(*doc, i));
    return read_scans(*doc, out);
  }

 private:
  static void read_info(const poppler::document& doc, Document* out) {
    struct Key {
      const char* pdf;
      const char* dc;
    };
    for (auto [pdf, dc] : {Key{"Title", "title"}, Key{"Author", "creator"},
                           Key{"Subject", "subject"}, Key{"Keywords", "keywords"}}) {
      std::string value = trim(utf8(doc.info_key(pdf)));
      if (!value.empty()) out->meta[dc] = value;
    }
    std::string created = iso_date(doc.info_date_t("CreationDate"));
    if (!created.empty()) out->meta["date"] = created;
    std::string modified = iso_date(doc.info_date_t("ModDate"));
    if (!modified.empty()) out->meta["modified"] = modified;
  }
};

}  // namespace

std::unique_ptr<Importer> make_pdf_importer() { return std::make_unique<PdfImporter>(); }

}  // namespace kho::importers
