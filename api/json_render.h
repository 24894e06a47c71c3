// JSON shapes of the API, shared with the CLI's --json output so that a
// script sees the same document from either.
#pragma once

#include <string>

#include "indexer/indexer.h"
#include "store/store.h"

namespace kho::api {

// {"total": N, "hits": [{"id","title","kind","filename","page","snippet","score","matching_pages"}], ...}
std::string render_results(const indexer::Results& results);
// The record's canonical JSON plus "file_url".
std::string render_record(const store::Record& record, bool duplicate = false);
// {"error": {"code": code, "message": message}}
std::string render_error(const std::string& code, const std::string& message);

}  // namespace kho::api
