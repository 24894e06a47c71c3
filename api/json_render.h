// JSON shapes of the API, shared with the CLI's --json output so that a
// script sees the same document from either.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "indexer/indexer.h"
#include "store/store.h"

namespace kho::api {

// {"total": N, "total_exact": false when N is an estimate, "hits": [{"id",
//  "title","kind","filename","page","snippet","snippet_html","score",
//  "matching_pages"}], "facets": {...}, "suggestion"}
std::string render_results(const indexer::Results& results);
// Search inside one record: {"id", "total", "pages": [{"page","snippet","snippet_html","score"}]}
std::string render_pages(store::RecordId id, const std::vector<indexer::Hit>& pages);
// The snippet as HTML: escaped, the query's words in <mark>.
std::string snippet_html(const indexer::Hit& hit);
// The record's canonical JSON plus "file_url".
std::string render_record(const store::Record& record, bool duplicate = false);
// One audit-log entry: {"seq","at","actor","from","action","record","detail"}.
nlohmann::json audit_json(const store::AuditEntry& entry);
// {"error": {"code": code, "message": message}}
std::string render_error(const std::string& code, const std::string& message,
                         const std::string& field = "");

}  // namespace kho::api
