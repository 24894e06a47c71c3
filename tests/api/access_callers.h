// The callers the access tests of the API and of OAI-PMH ask as, and what
// each may read of THCS-01's diplomas and lesson plans: one statement of the
// rule (core/access.h) for both endpoints.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/accounts.h"

namespace kho::testing {

// A reader, a teacher and an office clerk of THCS-01, an office clerk of
// THCS-02 (both schools must exist), and "anonymous": caller -> the
// Authorization header to send ("" for anonymous).
inline std::map<std::string, std::string> make_callers(Accounts& accounts) {
  std::map<std::string, std::string> callers = {{"anonymous", ""}};
  for (const auto& [name, school, role] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"doc-gia", "THCS-01", "reader"},
           {"giao-vien", "THCS-01", "teacher"},
           {"van-thu", "THCS-01", "office"},
           {"van-thu-khac", "THCS-02", "office"}}) {
    REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{school, role}}, "cli").ok());
    NewSecret t;
    REQUIRE(accounts.create_token(name, "", std::chrono::seconds(0), "cli", &t).ok());
    callers[name] = "Authorization: Bearer " + t.secret;
  }
  return callers;
}

// Caller -> the "kind/visibility" records of THCS-01 it may read.
inline const std::map<std::string, std::set<std::string>> kReadable = {
    {"anonymous", {"lesson-plan/public"}},
    {"doc-gia",
     {"lesson-plan/public", "lesson-plan/shared", "lesson-plan/school", "diploma/shared",
      "diploma/school"}},
    {"giao-vien",
     {"lesson-plan/public", "lesson-plan/shared", "lesson-plan/school", "lesson-plan/private",
      "diploma/shared", "diploma/school"}},
    {"van-thu",
     {"lesson-plan/public", "lesson-plan/shared", "lesson-plan/school", "diploma/shared",
      "diploma/school", "diploma/private"}},
    {"van-thu-khac", {"lesson-plan/public", "lesson-plan/shared", "diploma/shared"}}};

}  // namespace kho::testing
