// Catalogue export: the catalogue a caller may read, taken away as a file
// another library system (or kho itself) reads back.
//  - MARC 21, written through YAZ: ISO 2709 in UTF-8 (leader/09 "a") or a
//    MARCXML collection. A record that came from a MARC file goes out as the
//    librarian catalogued it (kho keeps the MARC record whole), except the
//    fields staff corrected in kho since, which are rebuilt from what they
//    typed (a corrected title: 245); any other record gets one built from
//    its fields (001, 005, 008, 020, 041, 082, 100/700, 245, 264, 520, 521,
//    650, 655, 852, 856).
//  - A sheet, CSV (UTF-8 with a BOM, for Excel) or XLSX, whose header row
//    holds the Vietnamese column names the catalogue importer reads, so that
//    an exported sheet imported into another library gives the same fields.
// Which records: with a blank query, every book and every catalogue entry
// (a MARC file's journals too) the caller may read, narrowed by any facet
// filters (school, year, ...; a kind filter asks for that kind instead);
// with a query (kho's search language), the records it finds that the
// caller may read. Withdrawn records are left out; a diploma is personal
// data and never part of a catalogue.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "core/access.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace kho {

enum class ExportFormat { kIso2709, kMarcxml, kCsv, kXlsx };

// "iso2709" (or "mrc", "marc"), "marcxml" (or "xml"), "csv", "xlsx".
bool parse_export_format(std::string_view name, ExportFormat* out);
// The names parse_export_format takes first, for messages: "iso2709, marcxml, csv or xlsx".
const char* export_format_names();
std::string export_media_type(ExportFormat format);
// A file name for the download: "danh-muc.mrc", "danh-muc.xml", ...
std::string export_filename(ExportFormat format);

// Called after each record written: records done, records in the export.
using ExportProgress = std::function<void(std::size_t done, std::size_t total)>;
// Receives the export in pieces, in order; a non-OK answer stops it.
using ExportSink = std::function<Status(std::string_view bytes)>;

struct ExportOptions {
  ExportFormat format = ExportFormat::kIso2709;
  std::string query;  // blank, and no filters: the whole catalogue
  // Facet filters, as search takes them: {"school", "THCS-01"}, {"year", "2021"}.
  std::vector<std::pair<std::string, std::string>> filters;
  Access access = Access::library_staff();
  ExportProgress progress;
};

struct ExportSummary {
  std::size_t records = 0;
  std::size_t kept_marc = 0;   // MARC records written as imported
  std::size_t built_marc = 0;  // MARC records built from fields
};

// The records an export holds (options.query, filters, access), oldest
// first. A malformed query or filter is Invalid, naming the problem.
Status select_catalogue(const store::Store& store, const indexer::Index& index,
                        const ExportOptions& options, std::vector<store::Record>* out);

// Writes the records to the sink in the format asked for.
Status write_catalogue(const std::vector<store::Record>& records, const ExportOptions& options,
                       const ExportSink& sink, ExportSummary* summary);

// select_catalogue, then write_catalogue.
Status export_catalogue(const store::Store& store, const indexer::Index& index,
                        const ExportOptions& options, const ExportSink& sink,
                        ExportSummary* summary);

// The sheet's header row, as the catalogue importer reads it.
const std::vector<std::string>& export_sheet_header();

}  // namespace kho
