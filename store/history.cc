// The change log as each record's history: every entry names its record, and
// an update keeps the old and new value of each field it changed, written in
// the transaction of the change itself. by_record finds one record's entries
// without reading the whole log. Entries written before kho kept values have
// no field list; they still read.
#include <nlohmann/json.hpp>

#include "store/env.h"
#include "store/store.h"

namespace kho::store {

namespace {

using nlohmann::json;

void compare(const std::string& field, const std::string& before, const std::string& after,
             std::vector<FieldChange>* out, const std::string& source = "") {
  if (before != after) out->push_back({field, before, after, source});
}

void compare_maps(const std::map<std::string, std::string>& before,
                  const std::map<std::string, std::string>& after,
                  const std::map<std::string, std::string>& sources,
                  std::vector<FieldChange>* out) {
  std::map<std::string, std::pair<std::string, std::string>> both;
  for (const auto& [name, value] : before) both[name].first = value;
  for (const auto& [name, value] : after) both[name].second = value;
  for (const auto& [name, values] : both) {
    auto source = sources.find(name);
    compare(name, values.first, values.second, out,
            source == sources.end() || values.second.empty() ? "" : source->second);
  }
}

std::string history_key(RecordId id, Sequence seq) { return lmdb::be64(id) + lmdb::be64(seq); }

Change change_from_json(Sequence seq, const json& j) {
  Change c{seq,
           j.value("id", RecordId{0}),
           j.value("op", ""),
           j.value("at", ""),
           j.value("actor", ""),
           j.value("reason", ""),
           {}};
  if (auto f = j.find("fields"); f != j.end() && f->is_array())
    for (const auto& field : *f)
      if (field.is_object())
        c.fields.push_back({field.value("field", ""), field.value("old", ""),
                            field.value("new", ""), field.value("source", "")});
  return c;
}

}  // namespace

std::vector<FieldChange> field_changes(const Record& before, const Record& after) {
  std::vector<FieldChange> out;
  compare("kind", before.kind, after.kind, &out);
  compare("school", before.school, after.school, &out);
  compare("visibility", before.visibility, after.visibility, &out);
  compare_maps(before.dc, after.dc, after.sources, &out);
  compare_maps(before.fields, after.fields, after.sources, &out);
  return out;
}

Status Store::Env::append_change(const lmdb::Txn& txn, RecordId id, const std::string& op,
                                 const std::string& at, const Actor& actor,
                                 const std::string& detail,
                                 const std::vector<FieldChange>& fields) const {
  Sequence seq = counter(txn, "last_seq") + 1;
  json j = {{"id", id}, {"op", op}, {"at", at}, {"actor", actor.name}};
  if (!detail.empty()) j["reason"] = detail;
  if (!fields.empty()) {
    json list = json::array();
    for (const auto& f : fields) {
      json field = {{"field", f.field}, {"old", f.old_value}, {"new", f.new_value}};
      if (!f.source.empty()) field["source"] = f.source;
      list.push_back(std::move(field));
    }
    j["fields"] = std::move(list);
  }
  std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (Status s = put(txn, changes, lmdb::be64(seq), text); !s.ok()) return s;
  if (Status s = put(txn, by_record, history_key(id, seq), ""); !s.ok()) return s;
  if (Status s = put(txn, meta, "last_seq", lmdb::be64(seq)); !s.ok()) return s;
  // The audit line names the fields an update changed (their values stay in
  // the change log, where only those who may change the record read them).
  std::string audited = detail;
  if (audited.empty())
    for (const auto& f : fields) audited += (audited.empty() ? "" : ", ") + f.field;
  return append_audit(txn, {0, at, actor.name, actor.from, op, id, audited});
}

Status Store::Env::build_history_index(const lmdb::Txn& txn) const {
  std::string_view built;
  if (get(txn, meta, "by_record_built", &built).ok()) return Status::Ok();
  lmdb::Cursor cursor(txn, changes);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    json j = json::parse(lmdb::view(v), nullptr, false);
    if (j.is_discarded()) continue;  // `kho verify` reports it
    Sequence seq = lmdb::from_be64(lmdb::view(k));
    if (Status s = put(txn, by_record, history_key(j.value("id", RecordId{0}), seq), ""); !s.ok())
      return s;
  }
  return put(txn, meta, "by_record_built", "1");
}

Status Store::changes_since(Sequence after, std::size_t limit, std::vector<Change>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, env_->changes);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  std::string start = lmdb::be64(after + 1);
  MDB_val k = lmdb::val(start), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0 && out->size() < limit;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    auto j = json::parse(lmdb::view(v), nullptr, false);
    if (j.is_discarded()) return Status::Corrupt("change log entry is not valid JSON");
    out->push_back(change_from_json(lmdb::from_be64(lmdb::view(k)), j));
  }
  return Status::Ok();
}

Status Store::history(RecordId id, std::vector<Change>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  Record r;
  if (Status s = env_->read_record(txn, id, &r); !s.ok()) return s;
  lmdb::Cursor cursor(txn, env_->by_record);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  const std::string prefix = lmdb::be64(id);
  MDB_val k = lmdb::val(prefix), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) break;
    Sequence seq = lmdb::from_be64(key.substr(prefix.size()));
    std::string_view text;
    if (Status s = env_->get(txn, env_->changes, lmdb::be64(seq), &text); !s.ok())
      return Status::Corrupt("change " + std::to_string(seq) + " of record " + std::to_string(id) +
                             " is missing");
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded())
      return Status::Corrupt("change " + std::to_string(seq) + " is not valid JSON");
    out->push_back(change_from_json(seq, j));
  }
  return Status::Ok();
}

}  // namespace kho::store
