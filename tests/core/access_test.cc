// The authorisation matrix: every role at every kind of organisation, against
// records of every kind and visibility at the caller's own school and another.
// Reading a record and finding it by search must agree, and neither may leak.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "core/library.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::TempDir;

namespace {

const char* const kKinds[] = {"book", "diploma", "lesson-plan", "admin-doc", "other"};
const char* const kVisibilities[] = {"private", "school", "shared", "public"};

// Province office SO → district office PHONG → schools A and B; school C
// elsewhere, with the same word "matran" in every record.
struct Network {
  TempDir dir;
  std::unique_ptr<Library> library;
  std::vector<store::Record> records;

  Network() {
    REQUIRE(Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    for (store::Organisation org : {store::Organisation{"SO", "Sở GD&ĐT", "", ""},
                                    store::Organisation{"PHONG", "Phòng GD&ĐT", "SO", ""},
                                    store::Organisation{"A", "Trường A", "PHONG", ""},
                                    store::Organisation{"B", "Trường B", "PHONG", ""},
                                    store::Organisation{"C", "Trường C", "", ""}})
      REQUIRE(accounts.add_school(org, "cli").ok());
    int n = 0;
    for (const char* school : {"A", "C"})
      for (const char* kind : kKinds)
        for (const char* visibility : kVisibilities) {
          if (std::string(kind) == "diploma" && std::string(visibility) == "public") continue;
          auto file = dir.path() / ("r" + std::to_string(++n) + ".txt");
          kho::testing::write_file(file, "matran ban ghi so " + std::to_string(n) + "\n");
          ImportOptions options;
          options.kind = kind;
          options.school = school;
          options.visibility = visibility;
          store::Record r;
          bool duplicate = false;
          REQUIRE(library->import_file(file.string(), options, &r, &duplicate).ok());
          records.push_back(r);
        }
  }

  Access as(const std::string& org, const std::string& role) {
    store::Account account;
    account.name = role + "@" + org;
    account.roles = {{org, role}};
    Access access;
    REQUIRE(Access::for_account(library->store(), account, "", &access).ok());
    return access;
  }

  std::set<store::RecordId> found(const Access& access) {
    indexer::SearchRequest search;
    search.query = "matran";
    search.limit = 1000;
    search.facets = true;
    access.restrict(&search);
    indexer::Results results;
    REQUIRE(library->index().search(search, &results).ok());
    std::set<store::RecordId> ids;
    for (const auto& hit : results.hits) ids.insert(hit.id);
    CHECK(results.total == ids.size());  // counts see only what may be read
    return ids;
  }

  std::set<store::RecordId> readable(const Access& access) {
    std::set<store::RecordId> ids;
    for (const auto& r : records)
      if (access.may_read(r)) ids.insert(r.id);
    return ids;
  }

  // What `access` may read, as "school/kind/visibility" strings.
  std::set<std::string> read_set(const Access& access) {
    std::set<std::string> out;
    for (const auto& r : records)
      if (access.may_read(r)) out.insert(r.school + "/" + r.kind + "/" + r.visibility);
    return out;
  }
};

}  // namespace

TEST_CASE("search and record access agree for every role, school and office") {
  Network net;
  REQUIRE(net.records.size() == 38);
  std::vector<Access> callers = {Access::anonymous(), Access::library_staff()};
  for (const char* org : {"A", "B", "PHONG", "SO", "C"})
    for (const char* role : {"admin", "librarian", "teacher", "office", "reader"})
      callers.push_back(net.as(org, role));
  for (const Access& who : callers) {
    INFO(who.account());
    CHECK(net.found(who) == net.readable(who));
  }
}

TEST_CASE("visibility rules, role by role") {
  Network net;
  // Anonymous: public only, and diplomas never.
  auto anonymous = net.read_set(Access::anonymous());
  CHECK(anonymous.size() == 8);  // 4 public kinds x 2 schools
  for (const auto& s : anonymous) CHECK(s.ends_with("/public"));

  // A reader at A: public, shared, and A's school-wide records; nothing private.
  auto reader = net.read_set(net.as("A", "reader"));
  CHECK(reader.count("A/book/school") == 1);
  CHECK(reader.count("C/book/school") == 0);
  CHECK(reader.count("C/book/shared") == 1);
  CHECK(reader.count("A/book/private") == 0);

  // Private records go to the roles that handle their kind.
  auto teacher = net.read_set(net.as("A", "teacher"));
  CHECK(teacher.count("A/lesson-plan/private") == 1);
  CHECK(teacher.count("A/diploma/private") == 0);
  CHECK(teacher.count("A/book/private") == 0);
  auto office = net.read_set(net.as("A", "office"));
  CHECK(office.count("A/diploma/private") == 1);
  CHECK(office.count("A/admin-doc/private") == 1);
  CHECK(office.count("A/lesson-plan/private") == 0);
  CHECK(office.count("C/diploma/private") == 0);  // another school's diplomas
  CHECK(office.count("C/diploma/school") == 0);
  auto librarian = net.read_set(net.as("A", "librarian"));
  CHECK(librarian.count("A/book/private") == 1);
  CHECK(librarian.count("A/diploma/private") == 0);

  // Offices see what the schools below them hold, and nothing of others.
  auto district = net.read_set(net.as("PHONG", "office"));
  CHECK(district.count("A/diploma/private") == 1);
  CHECK(district.count("C/diploma/private") == 0);
  CHECK(net.read_set(net.as("SO", "admin")).count("A/other/private") == 1);
  // A sibling school does not.
  CHECK(net.read_set(net.as("B", "admin")).count("A/other/private") == 0);
  CHECK(net.read_set(net.as("B", "admin")).count("A/other/school") == 0);
  CHECK(net.read_set(net.as("B", "admin")).count("A/other/shared") == 1);
}

TEST_CASE("only staff who handle a kind may add it to their school, or change it") {
  Network net;
  auto file = net.dir.path() / "new.txt";
  kho::testing::write_file(file, "Bằng tốt nghiệp THCS\n");
  auto try_import = [&](const Access& who, const std::string& school, const std::string& kind) {
    ImportOptions options;
    options.access = who;
    options.school = school;
    options.kind = kind;
    store::Record r;
    bool duplicate = false;
    return net.library->import_file(file.string(), options, &r, &duplicate);
  };
  CHECK(try_import(net.as("A", "teacher"), "A", "diploma").code() == Status::Code::kDenied);
  CHECK(try_import(net.as("A", "reader"), "A", "other").code() == Status::Code::kDenied);
  CHECK(try_import(net.as("A", "office"), "C", "diploma").code() == Status::Code::kDenied);
  CHECK(try_import(Access::anonymous(), "A", "other").code() == Status::Code::kDenied);
  CHECK(try_import(net.as("A", "office"), "A", "diploma").ok());

  // Editing: a teacher may not move a lesson plan to another school.
  store::RecordId plan = 0;
  for (const auto& r : net.records)
    if (r.school == "A" && r.kind == "lesson-plan" && r.visibility == "private") plan = r.id;
  Edit edit;
  edit.access = net.as("A", "teacher");
  edit.set = {{"title", "Bài 1"}};
  store::Record out;
  CHECK(net.library->edit(plan, edit, &out).ok());
  edit.set = {{"school", "C"}};
  CHECK(net.library->edit(plan, edit, &out).code() == Status::Code::kDenied);
  edit.access = net.as("C", "admin");
  edit.set = {{"title", "x"}};
  CHECK(net.library->edit(plan, edit, &out).is_not_found());  // not even visible to C
}
