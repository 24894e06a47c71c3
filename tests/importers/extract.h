// What the importer tests share: a file extracted in-process by the registry,
// with the Status and the Document.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "importers/importer.h"

namespace kho::testing {

struct Extracted {
  Status status;
  importers::Document doc;
};

inline Extracted extract(const std::filesystem::path& path) {
  Extracted e;
  e.status = importers::Registry::builtin().extract(path.string(), &e.doc);
  return e;
}

}  // namespace kho::testing
