// Small HTTP helpers of the API, kept apart from the routes so each is
// plain to read and to test: numbers and IDs from the query string, byte
// ranges (RFC 7233, single range), Content-Disposition (RFC 6266/5987).
#pragma once

#include <pistache/http.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "core/library.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace kho::api {

// A query-string parameter, percent-decoded ('+' is a space): Pistache 0.0.5
// hands parameters over still encoded.
std::optional<std::string> query_param(const Pistache::Http::Uri::Query& query,
                                       const std::string& name);
std::string percent_decode(const std::string& s);

// An absent value keeps *out; a present one must be a whole number in [min, max].
bool parse_count(const std::optional<std::string>& value, std::size_t min, std::size_t max,
                 std::size_t* out, std::string* error);
bool parse_id(const std::string& text, store::RecordId* id);

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
  bool partial = false;        // answer 206
  bool unsatisfiable = false;  // answer 416
};
// The slice of a `size`-byte file that a Range header asks for. Missing,
// malformed or multi-range headers get the whole file.
ByteRange parse_range(const std::string& header, std::uint64_t size);

std::string content_disposition(const std::string& filename);

Status read_slice(const std::string& path, std::uint64_t first, std::uint64_t length,
                  std::string* out);
// Writes an uploaded body to DATA/tmp, durably enough to be read back.
// Removes an upload's temporary file however the handler ends.
struct TempFile {
  std::string path;
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();
};
Status write_temp(const std::string& data_dir, const std::string& body, std::string* path);

// Upload parameters: filename (required), kind, school, visibility and
// Dublin Core fields (title, creator, subject, description, date, language).
bool import_options_from(const Pistache::Http::Uri::Query& query, ImportOptions* options,
                         std::string* error);

// Search parameters beside q, page and per_page: sort (relevance, newest,
// oldest, title), facets=1 (count them), withdrawn=1, and a filter per facet
// (kind=book, year=2022, doctype=Quyết định; alternatives comma-separated).
// `field`, when given, names the parameter at fault.
bool search_options_from(const Pistache::Http::Uri::Query& query, indexer::SearchRequest* request,
                         std::string* error, std::string* field = nullptr);

}  // namespace kho::api
