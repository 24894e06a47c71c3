// What the core tests share: a library in a temporary directory, options that
// parse files in the real worker process, and the IDs a query finds.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/library.h"
#include "tests/testing.h"

namespace kho::testing {

inline std::unique_ptr<Library> open_library(const TempDir& dir) {
  std::unique_ptr<Library> library;
  REQUIRE(Library::open(dir.str() + "/data", true, &library).ok());
  return library;
}

inline ImportOptions worker_options() {
  ImportOptions options;
  if (std::filesystem::exists(kho_binary())) options.worker_exe = kho_binary();
  return options;
}

inline std::vector<store::RecordId> search_ids(Library& library, const std::string& query) {
  indexer::SearchRequest request;
  request.query = query;
  indexer::Results results;
  Status s = library.index().search(request, &results);
  INFO(query << ": " << s.message());
  REQUIRE(s.ok());
  std::vector<store::RecordId> ids;
  for (const auto& hit : results.hits) ids.push_back(hit.id);
  return ids;
}

}  // namespace kho::testing
