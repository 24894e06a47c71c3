// A workflow's step (Store::update_step): the record's fields and visibility
// change in one transaction with a change-log entry named by the step, its
// note kept as the reason and audited; nothing else of the record changes.
#include <catch2/catch.hpp>

#include "store/store.h"
#include "tests/store/fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::open_store;
using kho::testing::TempDir;

TEST_CASE("a workflow step changes fields and visibility only, and is named in the history") {
  TempDir dir;
  auto s = open_store(dir);
  kho::testing::write_file(dir.path() / "khbd.txt", "kế hoạch bài dạy");
  store::NewRecord in;
  in.source_path = (dir.path() / "khbd.txt").string();
  in.kind = "lesson-plan";
  in.dc = {{"title", "Phân số"}};
  in.fields = {{"approval", "pending"}};
  in.visibility = "school";
  in.actor = "hang";
  store::Record added;
  bool dup = false;
  REQUIRE(s->add(in, &added, &dup).ok());

  store::Record after;
  REQUIRE(s->update_step(
               added.id, "approve", "Đạt yêu cầu",
               [](store::Record* r) {
                 r->fields["approval"] = "approved";
                 r->visibility = "public";
                 r->dc["title"] = "not the step's to change";
                 r->kind = "book";
                 return Status::Ok();
               },
               store::Actor("tuan", "10.0.0.7"), &after)
              .ok());
  CHECK(after.fields.at("approval") == "approved");
  CHECK(after.visibility == "public");
  CHECK(after.dc.at("title") == "Phân số");
  CHECK(after.kind == "lesson-plan");
  CHECK(after.updated_by == "tuan");
  store::Record stored;
  REQUIRE(s->get(added.id, &stored).ok());
  CHECK(stored.fields.at("approval") == "approved");

  std::vector<store::Change> history;
  REQUIRE(s->history(added.id, &history).ok());
  REQUIRE(history.size() == 2);
  CHECK(history[1].op == "approve");
  CHECK(history[1].actor == "tuan");
  CHECK(history[1].reason == "Đạt yêu cầu");
  REQUIRE(history[1].fields.size() == 2);
  CHECK(history[1].fields[0].field == "visibility");
  CHECK(history[1].fields[1].field == "approval");
  CHECK(history[1].fields[1].old_value == "pending");
  CHECK(history[1].fields[1].new_value == "approved");
  std::vector<store::AuditEntry> audit;
  REQUIRE(s->audit_log(0, 100, &audit).ok());
  CHECK(audit.back().action == "approve");
  CHECK(audit.back().from == "10.0.0.7");
  CHECK(audit.back().detail == "Đạt yêu cầu");

  // A step its check refuses writes nothing.
  auto seq = s->last_sequence();
  Status refused = s->update_step(
      added.id, "return", "", [](store::Record*) { return Status::Conflict("already approved"); },
      "tuan", nullptr);
  CHECK(refused.code() == Status::Code::kConflict);
  CHECK(s->last_sequence() == seq);
  CHECK(s->update_step(
             999, "submit", "", [](store::Record*) { return Status::Ok(); }, "hang", nullptr)
            .is_not_found());
}
