// A real store and index in a temporary directory, for the indexer's tests.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "indexer/indexer.h"
#include "store/store.h"
#include "tests/testing.h"

namespace kho::testing {

namespace fs = std::filesystem;

// A real store and index in a temporary directory.
struct IndexFixture {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<indexer::Index> index;
  int files = 0;

  IndexFixture() {
    REQUIRE(store::Store::open(dir.str() + "/data", true, &store).ok());
    index = std::make_unique<indexer::Index>(*store);
  }

  store::RecordId add(const std::string& title, std::vector<std::string> pages,
                      const std::string& kind = "other") {
    store::NewRecord in;
    in.kind = kind;
    in.dc = {{"title", title}};
    in.pages = std::move(pages);
    return add(std::move(in));
  }

  // A record with any fields; its original is a small unique file.
  store::RecordId add(store::NewRecord in) {
    store::RecordId id = store_record(std::move(in));
    REQUIRE(index->catch_up().ok());
    return id;
  }

  // A record stored but not yet indexed, as after a crash between the commits.
  store::RecordId add_unindexed(std::vector<std::string> pages) {
    store::NewRecord in;
    in.pages = std::move(pages);
    return store_record(std::move(in));
  }

  store::RecordId store_record(store::NewRecord in) {
    fs::path file = dir.path() / ("f" + std::to_string(++files));
    kho::testing::write_file(file, "original " + std::to_string(files));
    in.source_path = file.string();
    if (in.filename.empty()) in.filename = "tệp " + std::to_string(files) + ".txt";
    store::Record r;
    bool dup = false;
    REQUIRE(store->add(in, &r, &dup).ok());
    return r.id;
  }

  indexer::Results search(const std::string& q) {
    indexer::SearchRequest request;
    request.query = q;
    return search(request);
  }

  indexer::Results search(const indexer::SearchRequest& request) {
    indexer::Results results;
    Status s = index->search(request, &results);
    INFO(s.message());
    REQUIRE(s.ok());
    return results;
  }

  // The request's hits without facets (one thread, blocks when it can) and
  // with them (every match scored, on every core).
  std::pair<indexer::Results, indexer::Results> search_both_ways(indexer::SearchRequest request) {
    request.facets = false;
    indexer::Results without = search(request);
    request.facets = true;
    return {without, search(request)};
  }

  // The refusal of a query that must not run.
  Status refusal(const std::string& q) {
    indexer::Results results;
    indexer::SearchRequest request;
    request.query = q;
    return index->search(request, &results);
  }

  std::vector<store::RecordId> ids(const std::string& q) {
    std::vector<store::RecordId> out;
    for (const auto& h : search(q).hits) out.push_back(h.id);
    return out;
  }
};

}  // namespace kho::testing
