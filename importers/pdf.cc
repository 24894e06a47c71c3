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

std::string trim(std::string s) {
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
// know the file is damaged, so look for the end-of-file marker ourselves.
bool has_eof_marker(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  auto size = static_cast<std::streamoff>(in.tellg());
  std::streamoff from = size > 2048 ? size - 2048 : 0;
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail.find("%%EOF") != std::string::npos;
}

void quiet(const std::string&, void*) {}  // Poppler's complaints are summarised in our Status

class PdfImporter : public Importer {
 public:
  PdfImporter() { poppler::set_debug_error_function(quiet, nullptr); }
  std::string_view name() const override { return "pdf"; }
  int accepts(const Sniff& sniff) const override {
    auto at = sniff.head.find("%PDF-");
    return at == std::string_view::npos || at > 1024 ? 0 : 100;
  }
  Status extract(const std::string& path, Document* out) const override {
    if (!has_eof_marker(path)) return Status::Corrupt("truncated or damaged PDF (no end-of-file marker)");
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path));
    if (!doc) return Status::Corrupt("damaged PDF (Poppler cannot read it)");
    if (doc->is_locked()) return Status::Unsupported("encrypted PDF (a password is required)");
    int pages = doc->pages();
    if (pages > kMaxPages) return Status::TooLarge("PDF has " + std::to_string(pages) + " pages, more than " + std::to_string(kMaxPages));
    out->media_type = "application/pdf";
    read_info(*doc, out);
    out->meta["pages"] = std::to_string(pages);
    for (int i = 0; i < pages; ++i) {
      std::unique_ptr<poppler::page> page(doc->create_page(i));
      out->pages.push_back(page ? utf8(page->text(poppler::rectf(), poppler::page::physical_layout)) : "");
    }
    return Status::Ok();
  }

 private:
  static void read_info(const poppler::document& doc, Document* out) {
    struct Key { const char* pdf; const char* dc; };
    for (auto [pdf, dc] : {Key{"Title", "title"}, Key{"Author", "creator"}, Key{"Subject", "subject"},
                           Key{"Keywords", "keywords"}}) {
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
