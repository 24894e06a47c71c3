// JSON shapes of the API, shared with the CLI's --json output so that a
// script sees the same document from either.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/access.h"
#include "core/approval.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace kho::api {

// {"total": N, "total_exact": false when N is an estimate, "hits": [{"id",
//  "title","kind","filename","page","snippet","snippet_html","score",
//  "matching_pages"}], "facets": {...}, "suggestion"}
//  plus, for a hit whose record is in `records` (this library's hits, when
//  the caller passes them): "fields" (display_fields), "has_file",
//  "media_type" (of the first original, "" without one) and "page_count".
std::string render_results(const indexer::Results& results,
                           const std::map<store::RecordId, store::Record>& records = {});
nlohmann::json results_json(const indexer::Results& results,
                            const std::map<store::RecordId, store::Record>& records = {});
// The metadata a hit shows, by display name, only those the record has.
nlohmann::json display_fields(const store::Record& record);
// Search inside one record: {"id", "total", "pages": [{"page","snippet","snippet_html","score"}]}
std::string render_pages(store::RecordId id, const std::vector<indexer::Hit>& pages);
// The snippet as HTML: escaped, the query's words in <mark>.
std::string snippet_html(const indexer::Hit& hit);
// The record's canonical JSON (store.h: "sources" maps each field to
// "extracted", "sidecar", "catalogue" or "typed"; "status" is "active" or
// "withdrawn") with "withdrawn_reason" ("" when active), "ocr_confidence" as
// [{"page","confidence"}] (pages read by OCR only), "media_type" and
// "file_url" of the first original (null without a file, or when `who` may
// not have it), and with `who`, "actions": what that caller may do (Access::actions).
std::string render_record(const store::Record& record, bool duplicate = false,
                          const Access* who = nullptr);
// A record's history, oldest first: {"changes": [{"seq","at","actor","op"
// ("create","update","withdraw","reinstate"),"reason","fields":[{"field","old","new"}]}]}.
std::string render_history(const std::vector<store::Change>& changes);
// A lesson plan's approval steps, oldest first (the API and `kho approval show --json`).
nlohmann::json steps_json(const std::vector<approval::Step>& steps);
// One audit-log entry: {"seq","at","actor","from","action","record","detail"}.
nlohmann::json audit_json(const store::AuditEntry& entry);
// {"error": {"code": code, "message": message}}, plus "field": the request
// parameter at fault when `field` is not empty.
std::string render_error(const std::string& code, const std::string& message,
                         const std::string& field = "");

}  // namespace kho::api
