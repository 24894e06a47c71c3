// The built-in importers, private to the module; registry.cc lists them.
// Adding a format: one file with its Importer and one make_…() line here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/isbn.h"
#include "importers/importer.h"

namespace kho::importers {

std::unique_ptr<Importer> make_pdf_importer();
std::unique_ptr<Importer> make_html_importer();
std::unique_ptr<Importer> make_plain_text_importer();
std::unique_ptr<Importer> make_office_open_xml_importer();
std::unique_ptr<Importer> make_opendocument_importer();
std::unique_ptr<Importer> make_epub_importer();
std::unique_ptr<Importer> make_office97_importer();
std::unique_ptr<Importer> make_image_importer();  // PNG, JPEG, TIFF through OCR
std::unique_ptr<Importer> make_marc_importer();
std::unique_ptr<Importer> make_catalogue_sheet_importer();

// A sheet's rows as catalogue entries (catalogue_sheet.cc): false when no
// header row in the first rows names a title column and another one; then
// `entries` is left alone. Each row below the header with a title is an entry.
bool catalogue_sheet(const std::vector<std::vector<std::string>>& rows,
                     std::vector<Document>* entries);

// The visible text of an XHTML (or HTML) page, one line per block, as the
// HTML importer reads it; for the chapters of an e-book.
std::string xhtml_text(const std::string& bytes);

// The whole file, read into one allocation of its size: the text is copied a
// few times on its way to a Document, and a doubling buffer would add to that
// peak.
Status read_whole(const std::string& path, std::string* bytes);

// The last `max_bytes` of a file (all of a smaller one), where formats keep
// their end markers; "" when it cannot be read.
std::string file_tail(const std::string& path, std::size_t max_bytes);

// "starts with 50 4b 03 04 …", for messages about unknown content.
std::string describe_bytes(std::string_view head);

// Text bytes (UTF-8 with or without BOM, UTF-16 with BOM) to UTF-8; false
// when they are not text. `may_be_cut`: the bytes are a file's head, whose
// last letter may be cut short (Sniff::may_be_cut); it is then let be.
bool decode_text(std::string_view bytes, std::string* utf8, bool may_be_cut = false);

// Rows of CSV text (catalogue_sheet.cc): RFC 4180, quoted cells with
// separators, doubled quotes and line breaks; at most kMaxSheetRows + 1 rows.
inline constexpr std::size_t kMaxSheetRows = 200000;
std::vector<std::vector<std::string>> csv_rows(std::string_view text, char sep);
// The separator Excel used: the one of ',' ';' '\t' the first line has most of.
char separator_of(std::string_view text);

}  // namespace kho::importers
