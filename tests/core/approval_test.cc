// Lesson-plan approval (core/approval.h) against a real library: who may take
// each step, for every role; the whole cycle with a return and a revision;
// the second step; facets and filters; sharing only after approval.
#include "core/approval.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "core/library.h"
#include "tests/core/library_fixture.h"

using namespace kho;
using kho::testing::TempDir;

namespace {

using Actions = std::vector<std::string>;

// School A (with its group heads of Toán - Tin and Ngữ văn), school B with a
// head of Toán - Tin too, all below one office.
struct Schools {
  TempDir dir;
  std::unique_ptr<Library> library = kho::testing::open_library(dir);
  int files = 0;

  Schools() {
    for (store::Organisation org : {store::Organisation{"PHONG", "Phòng GD&ĐT", "", ""},
                                    store::Organisation{"A", "Trường A", "PHONG", ""},
                                    store::Organisation{"B", "Trường B", "PHONG", ""}})
      REQUIRE(library->accounts().add_school(org, "cli").ok());
  }

  Access as(const std::string& name) {
    static const std::map<std::string, std::pair<std::string, std::string>> kPeople = {
        {"tac-gia", {"A", "teacher"}},
        {"giao-vien-khac", {"A", "teacher"}},
        {"to-truong-toan", {"A", "group_head:Toán - Tin"}},
        {"to-truong-van", {"A", "group_head:Ngữ văn"}},
        {"to-truong-toan-b", {"B", "group_head:Toán - Tin"}},
        {"pho-hieu-truong", {"A", "vice_principal"}},
        {"thu-vien", {"A", "librarian"}},
        {"van-thu", {"A", "office"}},
        {"quan-tri", {"A", "admin"}},
        {"doc-gia", {"A", "reader"}}};
    if (name == "anonymous") return Access::anonymous();
    auto it = kPeople.find(name);
    REQUIRE(it != kPeople.end());
    store::Account account;
    account.name = name;
    account.roles = {{it->second.first, it->second.second}};
    REQUIRE(valid_role(it->second.second));
    Access access;
    REQUIRE(Access::for_account(library->store(), account, "", &access).ok());
    return access;
  }

  // A lesson plan of the Toán - Tin group uploaded by `author` to school A.
  store::Record plan(const std::string& author, const std::string& visibility = "private",
                     const std::string& group = "Toán - Tin") {
    auto file = dir.path() / ("khbd-" + std::to_string(++files) + ".txt");
    kho::testing::write_file(file, "Kế hoạch bài dạy phân số số " + std::to_string(files) + "\n");
    ImportOptions options;
    options.kind = "lesson-plan";
    options.school = "A";
    options.visibility = visibility;
    options.access = as(author);
    options.fields["subject_group"] = group;
    store::Record r;
    bool duplicate = false;
    Status s = library->import_file(file.string(), options, &r, &duplicate);
    INFO(s.message());
    REQUIRE(s.ok());
    return r;
  }

  Status act(store::RecordId id, const std::string& action, const std::string& who,
             const std::string& comment = "") {
    return approval::act(*library, id, action, comment, as(who), nullptr);
  }

  store::Record get(store::RecordId id) {
    store::Record r;
    REQUIRE(library->store().get(id, &r).ok());
    return r;
  }

  Actions actions(store::RecordId id, const std::string& who) {
    return approval::actions(as(who), get(id));
  }
};

bool offers(const Access& access, const store::Record& r, const std::string& action) {
  auto all = access.actions(r);
  return std::find(all.begin(), all.end(), action) != all.end();
}

}  // namespace

TEST_CASE("approval: who may submit, approve and return, for every role", "[approval]") {
  Schools s;
  store::Record draft = s.plan("tac-gia", "school");
  store::Record pending = s.plan("tac-gia", "school");
  REQUIRE(s.act(pending.id, "submit", "tac-gia").ok());

  struct Expect {
    std::string who;
    Actions on_draft, on_pending;
  };
  const std::vector<Expect> expected = {
      {"tac-gia", {"submit"}, {}},  // submits, never reviews their own
      {"giao-vien-khac", {}, {}},   {"to-truong-toan", {}, {"approve", "return"}},
      {"to-truong-van", {}, {}},     // another subject group
      {"to-truong-toan-b", {}, {}},  // another school
      {"pho-hieu-truong", {}, {}},   // only at a second step
      {"thu-vien", {"submit"}, {}}, {"van-thu", {}, {}},
      {"quan-tri", {"submit"}, {}}, {"doc-gia", {}, {}},
      {"anonymous", {}, {}}};
  for (const auto& e : expected) {
    INFO(e.who);
    CHECK(s.actions(draft.id, e.who) == e.on_draft);
    CHECK(s.actions(pending.id, e.who) == e.on_pending);
    // The record's actions (what the API and the record page offer) agree.
    CHECK(offers(s.as(e.who), s.get(pending.id), "approve") == !e.on_pending.empty());
  }

  // Refusals say why, with a stable code; nothing changes.
  for (const char* who : {"tac-gia", "giao-vien-khac", "to-truong-van", "pho-hieu-truong",
                          "thu-vien", "quan-tri", "doc-gia", "van-thu"}) {
    INFO(who);
    Status refused = s.act(pending.id, "approve", who);
    CHECK(refused.code() == Status::Code::kDenied);
    CHECK(refused.reason() == "not_allowed");
  }
  // Who may not read the plan is told it does not exist.
  for (const char* who : {"to-truong-toan-b", "anonymous"}) {
    INFO(who);
    CHECK(s.act(pending.id, "approve", who).is_not_found());
    CHECK(s.act(draft.id, "submit", who).is_not_found());
  }
  CHECK(s.act(draft.id, "submit", "giao-vien-khac").reason() == "not_allowed");
  CHECK(s.act(draft.id, "approve", "to-truong-toan").reason() == "wrong_state");
  CHECK(s.act(pending.id, "submit", "tac-gia").reason() == "wrong_state");
  CHECK(approval::state(s.get(pending.id)) == "pending");
  CHECK(approval::state(s.get(draft.id)) == "draft");

  // A group head's own plan waits for another reviewer.
  store::Record own = s.plan("to-truong-toan");
  REQUIRE(s.act(own.id, "submit", "to-truong-toan").ok());
  CHECK(s.act(own.id, "approve", "to-truong-toan").reason() == "not_allowed");
  // Group names match whatever their case, diacritics or a leading "Tổ".
  store::Record spelt = s.plan("tac-gia", "private", "tổ toán-tin");
  REQUIRE(s.act(spelt.id, "submit", "tac-gia").ok());
  CHECK(s.actions(spelt.id, "to-truong-toan") == Actions{"approve", "return"});
  // A plan that is not a lesson plan has no approval at all.
  CHECK(approval::state(store::Record{}).empty());
}

TEST_CASE("approval: submit, return with a comment, revise, submit again, approve", "[approval]") {
  Schools s;
  store::Record r = s.plan("tac-gia");
  CHECK(r.fields.at("approval") == "draft");
  REQUIRE(s.act(r.id, "submit", "tac-gia").ok());
  // A return says what to change.
  Status bare = s.act(r.id, "return", "to-truong-toan", "   ");
  CHECK(bare.reason() == "comment_required");
  CHECK(approval::state(s.get(r.id)) == "pending");
  REQUIRE(s.act(r.id, "return", "to-truong-toan", "Bổ sung mục tiêu năng lực").ok());
  CHECK(approval::state(s.get(r.id)) == "returned");
  CHECK(s.actions(r.id, "tac-gia") == Actions{"submit"});
  CHECK(s.actions(r.id, "to-truong-toan").empty());

  // The teacher revises, then submits again; the group head approves.
  Edit revise;
  revise.access = s.as("tac-gia");
  revise.set["description"] = "Mục tiêu: năng lực tư duy và lập luận toán học";
  REQUIRE(s.library->edit(r.id, revise, nullptr).ok());
  REQUIRE(s.act(r.id, "submit", "tac-gia", "Đã bổ sung").ok());
  REQUIRE(s.act(r.id, "approve", "to-truong-toan", "Đạt").ok());
  CHECK(approval::state(s.get(r.id)) == "approved");
  CHECK(s.actions(r.id, "to-truong-toan").empty());
  CHECK(s.act(r.id, "approve", "to-truong-toan").reason() == "wrong_state");

  // Each step: who, when, from -> to, the comment; in order.
  std::vector<store::Change> history;
  REQUIRE(s.library->store().history(r.id, &history).ok());
  auto steps = approval::steps(history);
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].action == "submit");
  CHECK(steps[0].from == "draft");
  CHECK(steps[0].to == "pending");
  CHECK(steps[0].actor == "tac-gia");
  CHECK(steps[1].action == "return");
  CHECK(steps[1].to == "returned");
  CHECK(steps[1].actor == "to-truong-toan");
  CHECK(steps[1].comment == "Bổ sung mục tiêu năng lực");
  CHECK(steps[2].from == "returned");
  CHECK(steps[2].comment == "Đã bổ sung");
  CHECK(steps[3].action == "approve");
  CHECK(steps[3].to == "approved");
  CHECK(!steps[3].at.empty());
  // The revision stays in the history between the steps.
  CHECK(std::any_of(history.begin(), history.end(), [](const store::Change& c) {
    return c.op == "update" && !c.fields.empty() && c.fields[0].field == "description";
  }));
  // The audit log keeps the return's comment, by whom.
  std::vector<store::AuditEntry> audit;
  REQUIRE(s.library->store().audit_log(0, 1000, &audit).ok());
  CHECK(std::any_of(audit.begin(), audit.end(), [&](const store::AuditEntry& e) {
    return e.action == "return" && e.actor == "to-truong-toan" && e.record == r.id &&
           e.detail == "Bổ sung mục tiêu năng lực";
  }));
}

TEST_CASE("approval: a school's second step by the vice-principal", "[approval]") {
  Schools s;
  REQUIRE(approval::put_settings(s.library->store(), "A", {true, true}, "cli").ok());
  approval::Settings read;
  REQUIRE(approval::settings(s.library->store(), "A", &read).ok());
  CHECK(read.two_step);
  store::Record r = s.plan("tac-gia");
  REQUIRE(s.act(r.id, "submit", "tac-gia").ok());
  CHECK(s.actions(r.id, "pho-hieu-truong").empty());
  REQUIRE(s.act(r.id, "approve", "to-truong-toan").ok());
  CHECK(approval::state(s.get(r.id)) == "reviewed");
  // The group head's part is done; the vice-principal (or the school's admin) decides.
  CHECK(s.actions(r.id, "to-truong-toan").empty());
  CHECK(s.actions(r.id, "pho-hieu-truong") == Actions{"approve", "return"});
  CHECK(s.actions(r.id, "quan-tri") == Actions{"approve", "return"});
  CHECK(s.act(r.id, "approve", "to-truong-toan").reason() == "not_allowed");
  // Returned at the second step, the plan goes round both steps again.
  REQUIRE(s.act(r.id, "return", "pho-hieu-truong", "Thiếu phần đánh giá").ok());
  CHECK(approval::state(s.get(r.id)) == "returned");
  REQUIRE(s.act(r.id, "submit", "tac-gia").ok());
  REQUIRE(s.act(r.id, "approve", "to-truong-toan").ok());
  REQUIRE(s.act(r.id, "approve", "pho-hieu-truong").ok());
  CHECK(approval::state(s.get(r.id)) == "approved");
  std::vector<store::Change> history;
  REQUIRE(s.library->store().history(r.id, &history).ok());
  auto steps = approval::steps(history);
  REQUIRE(steps.size() == 6);
  CHECK(steps[1].to == "reviewed");
  CHECK(steps[2].from == "reviewed");
  CHECK(steps[5].actor == "pho-hieu-truong");
  // Another school keeps one step.
  approval::Settings other;
  REQUIRE(approval::settings(s.library->store(), "B", &other).ok());
  CHECK_FALSE(other.two_step);
  CHECK(other.sharing_needs_approval);
}

TEST_CASE("approval: states are facets and filters, and what waits for a group head",
          "[approval]") {
  Schools s;
  store::Record draft = s.plan("tac-gia", "school");
  store::Record pending = s.plan("tac-gia", "school");
  store::Record approved = s.plan("tac-gia", "school");
  store::Record other_group = s.plan("tac-gia", "school", "Ngữ văn");
  for (auto id : {pending.id, approved.id, other_group.id})
    REQUIRE(s.act(id, "submit", "tac-gia").ok());
  REQUIRE(s.act(approved.id, "approve", "to-truong-toan").ok());

  indexer::SearchRequest search;
  search.query = "phân số";
  search.facets = true;
  s.as("giao-vien-khac").restrict(&search);
  indexer::Results results;
  REQUIRE(s.library->index().search(search, &results).ok());
  std::map<std::string, std::uint64_t> counts;
  for (const auto& f : results.facets["approval"]) counts[f.value] = f.count;
  CHECK(counts ==
        std::map<std::string, std::uint64_t>{{"approved", 1}, {"draft", 1}, {"pending", 2}});

  using kho::testing::search_ids;
  CHECK(search_ids(*s.library, "approval:approved") == std::vector<store::RecordId>{approved.id});
  auto waiting_ids = search_ids(*s.library, "phân số approval:pending");
  std::sort(waiting_ids.begin(), waiting_ids.end());
  CHECK(waiting_ids == std::vector<store::RecordId>{pending.id, other_group.id});
  CHECK(search_ids(*s.library, "approval:draft") == std::vector<store::RecordId>{draft.id});

  auto waiting_for = [&](const std::string& who) {
    std::vector<store::Record> plans;
    REQUIRE(approval::waiting(*s.library, s.as(who), &plans).ok());
    std::vector<store::RecordId> ids;
    for (const auto& r : plans) ids.push_back(r.id);
    return ids;
  };
  CHECK(waiting_for("to-truong-toan") == std::vector<store::RecordId>{pending.id});
  CHECK(waiting_for("to-truong-van") == std::vector<store::RecordId>{other_group.id});
  CHECK(waiting_for("to-truong-toan-b").empty());
  CHECK(waiting_for("tac-gia").empty());
}

TEST_CASE("approval: a lesson plan is shared beyond its school only once approved", "[approval]") {
  Schools s;
  store::Record r = s.plan("tac-gia", "school");
  Edit share;
  share.access = s.as("tac-gia");
  share.set["visibility"] = "public";
  Status refused = s.library->edit(r.id, share, nullptr);
  CHECK(refused.code() == Status::Code::kDenied);
  CHECK(refused.reason() == "approval_required");
  CHECK(refused.message().find("not approved") != std::string::npos);
  share.set["visibility"] = "shared";
  CHECK(s.library->edit(r.id, share, nullptr).reason() == "approval_required");
  CHECK(s.get(r.id).visibility == "school");
  // Within the school is always the teacher's to choose.
  Edit narrow;
  narrow.access = s.as("tac-gia");
  narrow.set["visibility"] = "private";
  CHECK(s.library->edit(r.id, narrow, nullptr).ok());

  REQUIRE(s.act(r.id, "submit", "tac-gia").ok());
  CHECK(s.library->edit(r.id, share, nullptr).reason() == "approval_required");
  REQUIRE(s.act(r.id, "approve", "to-truong-toan").ok());
  store::Record shared;
  REQUIRE(s.library->edit(r.id, share, &shared).ok());
  CHECK(shared.visibility == "shared");

  // An upload asking for public visibility waits, at school visibility, and
  // becomes public when approved.
  store::Record wish = s.plan("tac-gia", "public");
  CHECK(wish.visibility == "school");
  CHECK(wish.fields.at("share_on_approval") == "public");
  CHECK_FALSE(Access::anonymous().may_read(wish));
  REQUIRE(s.act(wish.id, "submit", "tac-gia").ok());
  REQUIRE(s.act(wish.id, "approve", "to-truong-toan").ok());
  store::Record approved = s.get(wish.id);
  CHECK(approved.visibility == "public");
  CHECK(approved.fields.count("share_on_approval") == 0);
  CHECK(Access::anonymous().may_read(approved));

  // A school that does not require approval lets teachers share at once.
  REQUIRE(approval::put_settings(s.library->store(), "A", {false, false}, "cli").ok());
  store::Record free = s.plan("tac-gia", "public");
  CHECK(free.visibility == "public");
  // The holder of the data directory (the CLI) is not bound by the rule.
  REQUIRE(approval::put_settings(s.library->store(), "A", {false, true}, "cli").ok());
  store::Record by_cli = s.plan("tac-gia", "school");
  Edit staff;
  staff.set["visibility"] = "public";
  CHECK(s.library->edit(by_cli.id, staff, nullptr).ok());
  // The approval state is not a field anyone types.
  Edit forge;
  forge.access = s.as("tac-gia");
  forge.set["approval"] = "approved";
  CHECK(s.library->edit(by_cli.id, forge, nullptr).code() == Status::Code::kInvalid);
}

TEST_CASE(
    "approval: a returned plan revised by a new version is approved, and a new version of an "
    "approved plan needs approval again",
    "[approval]") {
  Schools s;
  store::Record r = s.plan("tac-gia", "public");
  CHECK(r.visibility == "school");  // public waits for approval
  REQUIRE(s.act(r.id, "submit", "tac-gia").ok());
  REQUIRE(s.act(r.id, "return", "to-truong-toan", "Thiếu phần luyện tập").ok());
  auto revised = s.dir.path() / "khbd-sua.txt";
  kho::testing::write_file(revised, "Kế hoạch bài dạy phân số, thêm phần luyện tập\n");
  ImportOptions as_author;
  as_author.access = s.as("tac-gia");
  store::Record after;
  REQUIRE(s.library->add_version(r.id, revised.string(), as_author, &after).ok());
  CHECK(approval::state(after) == "returned");  // the teacher submits when ready
  REQUIRE(s.act(r.id, "submit", "tac-gia", "Đã thêm luyện tập").ok());
  REQUIRE(s.act(r.id, "approve", "to-truong-toan").ok());
  CHECK(s.get(r.id).visibility == "public");

  // What was approved is not the file any more: a draft again, back at school visibility.
  auto later = s.dir.path() / "khbd-sua-2.txt";
  kho::testing::write_file(later, "Kế hoạch bài dạy phân số, bản thứ ba\n");
  REQUIRE(s.library->add_version(r.id, later.string(), as_author, &after).ok());
  CHECK(approval::state(after) == "draft");
  CHECK(after.visibility == "school");
  CHECK(after.originals.size() == 3);
  std::vector<store::Change> history;
  REQUIRE(s.library->store().history(r.id, &history).ok());
  REQUIRE(history.back().op == "version");
  bool recorded = false;
  for (const auto& f : history.back().fields)
    recorded |= f.field == "approval" && f.old_value == "approved" && f.new_value == "draft";
  CHECK(recorded);
  REQUIRE(s.act(r.id, "submit", "tac-gia").ok());
  REQUIRE(s.act(r.id, "approve", "to-truong-toan").ok());
  CHECK(s.get(r.id).visibility == "public");
}
