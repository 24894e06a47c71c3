// A record's history from the change log: each update keeps the old and new
// value of the fields it changed; withdrawals and reinstatements their reason.
#include <lmdb.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "tests/store/fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::open_store;
using kho::testing::TempDir;
namespace fs = std::filesystem;

namespace {

store::Record add_plan(store::Store& s, const TempDir& dir, const std::string& bytes = "giáo án") {
  kho::testing::write_file(dir.path() / "bai.txt", bytes);
  store::NewRecord in;
  in.source_path = (dir.path() / "bai.txt").string();
  in.kind = "lesson-plan";
  in.dc = {{"title", "Bài 1"}, {"date", "2022"}};
  in.fields = {{"grade", "8"}};
  in.pages = {"giáo án"};
  in.actor = "nhap";
  store::Record r;
  bool dup = false;
  REQUIRE(s.add(in, &r, &dup).ok());
  return r;
}

// Rewrites the store as kho kept it before the change log had values: no
// field lists, no reasons, no per-record index.
void make_old_style(const std::string& data_dir) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  REQUIRE(mdb_env_set_maxdbs(env, 16) == 0);
  REQUIRE(mdb_env_open(env, (data_dir + "/db").c_str(), 0, 0640) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  MDB_dbi changes, meta, by_record;
  REQUIRE(mdb_dbi_open(txn, "changes", 0, &changes) == 0);
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  REQUIRE(mdb_dbi_open(txn, "by_record", 0, &by_record) == 0);
  MDB_cursor* cursor = nullptr;
  REQUIRE(mdb_cursor_open(txn, changes, &cursor) == 0);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    auto j = nlohmann::json::parse(std::string(static_cast<char*>(v.mv_data), v.mv_size));
    j.erase("fields");
    j.erase("reason");
    std::string old = j.dump();
    MDB_val nv{old.size(), old.data()};
    REQUIRE(mdb_cursor_put(cursor, &k, &nv, MDB_CURRENT) == 0);
  }
  mdb_cursor_close(cursor);
  REQUIRE(mdb_drop(txn, by_record, 1) == 0);
  std::string built = "by_record_built";
  MDB_val key{built.size(), built.data()};
  REQUIRE(mdb_del(txn, meta, &key, nullptr) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

}  // namespace

TEST_CASE("an update keeps each changed field's old and new value in the change log") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r = add_plan(*s, dir);
  REQUIRE(s->update(
               r.id,
               [](store::Record* rec) {
                 rec->dc["title"] = "Bài 1: Phân số";
                 rec->dc.erase("date");
                 rec->fields["teacher"] = "Nguyễn Thị Lan";
                 rec->visibility = "school";
                 return Status::Ok();
               },
               store::Actor("lan", "10.0.0.7"), nullptr)
              .ok());
  std::vector<store::Change> history;
  REQUIRE(s->history(r.id, &history).ok());
  REQUIRE(history.size() == 2);
  CHECK(history[0].op == "create");
  CHECK(history[0].actor == "nhap");
  CHECK(history[0].fields.empty());
  const store::Change& update = history[1];
  CHECK(update.op == "update");
  CHECK(update.actor == "lan");
  REQUIRE(update.fields.size() == 4);
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  for (const auto& f : update.fields) by_name[f.field] = {f.old_value, f.new_value};
  CHECK(by_name["title"] == std::pair<std::string, std::string>{"Bài 1", "Bài 1: Phân số"});
  CHECK(by_name["date"] == std::pair<std::string, std::string>{"2022", ""});
  CHECK(by_name["teacher"] == std::pair<std::string, std::string>{"", "Nguyễn Thị Lan"});
  CHECK(by_name["visibility"] == std::pair<std::string, std::string>{"private", "school"});
  CHECK(by_name.count("grade") == 0);  // unchanged fields are not listed

  // The derived data reads the same entries, values and all.
  std::vector<store::Change> log;
  REQUIRE(s->changes_since(0, 10, &log).ok());
  REQUIRE(log.size() == 2);
  CHECK(log[1].fields.size() == 4);
  // The audit line names the fields, not their values.
  std::vector<store::AuditEntry> audit;
  REQUIRE(s->audit_log(0, 10, &audit).ok());
  REQUIRE(audit.size() == 2);
  CHECK(audit[1].detail == "visibility, date, title, teacher");
  CHECK(audit[1].from == "10.0.0.7");
}

TEST_CASE("withdrawing twice keeps the first reason and reinstating keeps its own") {
  TempDir dir;
  auto s = open_store(dir);
  store::Record r = add_plan(*s, dir);
  CHECK(s->withdraw(r.id, "", "lan").code() == Status::Code::kInvalid);
  bool changed = false;
  REQUIRE(s->withdraw(r.id, "trùng lặp", "lan", &changed).ok());
  CHECK(changed);
  REQUIRE(s->withdraw(r.id, "lý do khác", "lan", &changed).ok());
  CHECK_FALSE(changed);
  store::Record back;
  REQUIRE(s->get(r.id, &back).ok());
  CHECK(back.status == "withdrawn");
  CHECK(back.withdrawn_reason == "trùng lặp");
  CHECK(s->reinstate(r.id, "", "lan").code() == Status::Code::kInvalid);
  REQUIRE(s->reinstate(r.id, "không trùng", "lan", &changed).ok());
  CHECK(changed);
  REQUIRE(s->get(r.id, &back).ok());
  CHECK(back.status == "active");
  CHECK(back.withdrawn_reason.empty());
  REQUIRE(s->reinstate(r.id, "lần nữa", "lan", &changed).ok());
  CHECK_FALSE(changed);

  std::vector<store::Change> history;
  REQUIRE(s->history(r.id, &history).ok());
  REQUIRE(history.size() == 3);
  CHECK(history[1].op == "withdraw");
  CHECK(history[1].reason == "trùng lặp");
  CHECK(history[2].op == "reinstate");
  CHECK(history[2].reason == "không trùng");
  // A check that refuses leaves the record as it was.
  auto no = [](const store::Record&) { return Status::Denied("no"); };
  CHECK(s->withdraw(r.id, "x", "lan", nullptr, no).code() == Status::Code::kDenied);
  REQUIRE(s->get(r.id, &back).ok());
  CHECK(back.status == "active");
  CHECK(s->history(99, &history).is_not_found());
}

TEST_CASE("a change log written before values were kept still reads as history") {
  TempDir dir;
  const std::string data = dir.str() + "/data";
  store::RecordId id = 0;
  {
    auto s = open_store(dir);
    store::Record r = add_plan(*s, dir);
    id = r.id;
    REQUIRE(add_plan(*s, dir, "bài khác").id !=
            id);  // a second record, whose changes are not the first's
    REQUIRE(s->update(
                 id,
                 [](store::Record* rec) {
                   rec->dc["title"] = "Bài 2";
                   return Status::Ok();
                 },
                 "lan", nullptr)
                .ok());
    REQUIRE(s->withdraw(id, "hết hạn", "lan").ok());
  }
  make_old_style(data);
  std::unique_ptr<store::Store> s;
  REQUIRE(store::Store::open(data, false, &s).ok());
  std::vector<store::Change> history;
  REQUIRE(s->history(id, &history).ok());
  REQUIRE(history.size() == 3);
  CHECK(history[0].op == "create");
  CHECK(history[1].op == "update");
  CHECK(history[1].fields.empty());
  CHECK(history[2].op == "withdraw");
  CHECK(history[2].reason.empty());
  std::vector<store::Problem> problems;
  std::vector<store::StoredOriginal> originals;
  REQUIRE(s->check(&problems, &originals).ok());
  CHECK(problems.empty());
  // New changes are recorded with their values beside the old ones.
  REQUIRE(s->reinstate(id, "gia hạn", "lan").ok());
  REQUIRE(s->history(id, &history).ok());
  REQUIRE(history.size() == 4);
  CHECK(history[3].reason == "gia hạn");
}
