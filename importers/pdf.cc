// PDF through Poppler: text per page in reading order, and the document
// information dictionary (title, author, subject, keywords, dates).
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <ctime>
#include <fstream>

#include "importers/formats.h"

namespace kho::importers {

namespace {

constexpr int kMaxPages = 20000;

std::string utf8(const poppler::ustring& s) {
  auto bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
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
  constexpr std::streamoff kTail = 64 << 10;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  auto size = static_cast<std::streamoff>(in.tellg());
  std::streamoff from = size > kTail ? size - kTail : 0;
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  std::size_t end = tail.find_last_not_of(std::string_view(" \t\r\n\0", 5));
  if (end == std::string::npos) return false;
  std::string_view last(tail.data(), end + 1);
  if (last.size() > 1024) last.remove_prefix(last.size() - 1024);
  return last.find("%%EOF") != std::string_view::npos;
}

// Reading order as pdftotext gives it: the physical layout pads justified
// lines with runs of spaces, which spoil snippets. A page without a text layer
// (a scan) stays as an empty page until OCR fills it.
std::string page_text(const poppler::document& doc, int index) {
  std::unique_ptr<poppler::page> page(doc.create_page(index));
  if (!page) return "";
  return utf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
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
    return Status::Ok();
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
