// The built-in importers, private to the module; registry.cc lists them.
// Adding a format: one file with its Importer and one make_…() line here.
#pragma once

#include <memory>
#include <string>
#include <string_view>

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

// The visible text of an XHTML (or HTML) page, one line per block, as the
// HTML importer reads it; for the chapters of an e-book.
std::string xhtml_text(const std::string& bytes);

// "starts with 50 4b 03 04 …", for messages about unknown content.
std::string describe_bytes(std::string_view head);

// Text bytes (UTF-8 with or without BOM, UTF-16 with BOM) to UTF-8; false
// when they are not text.
bool decode_text(std::string_view bytes, std::string* utf8);

}  // namespace kho::importers
