// A fresh store in a test's temporary directory.
#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "store/store.h"
#include "tests/testing.h"

namespace kho::testing {

inline std::unique_ptr<store::Store> open_store(const TempDir& dir) {
  std::unique_ptr<store::Store> s;
  REQUIRE(store::Store::open(dir.str() + "/data", true, &s).ok());
  return s;
}

}  // namespace kho::testing
