// What both relevance sets share: a text file becomes a record titled by its
// first non-blank line, with its text as its one page and the file as its
// original, added to a real store (the index is then built from the store as
// kho builds it).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "store/store.h"
#include "tests/testing.h"

namespace kho::relevance {

inline void add_file(store::Store& store, const std::filesystem::path& file) {
  std::string text = kho::testing::read_file(file);
  std::istringstream lines(text);
  std::string title;
  while (title.find_first_not_of(" \r\t") == std::string::npos && std::getline(lines, title)) {
  }
  store::NewRecord in;
  in.source_path = file.string();
  in.filename = file.filename().string();
  in.dc = {{"title", title}};
  in.pages = {text};
  store::Record r;
  bool dup = false;
  REQUIRE(store.add(in, &r, &dup).ok());
}

// Each file of `dir`, in name order.
inline void load_corpus(store::Store& store, const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) add_file(store, file);
}

}  // namespace kho::relevance
