// Module tables (store.h): one LMDB table, "modules", keyed by the module
// table's name, a NUL, and the module's key, so a module adds no LMDB table
// and a backup copies it with everything else.
#include <lmdb.h>

#include "store/env.h"
#include "store/lmdb.h"
#include "store/store.h"

namespace kho::store {

struct Tables::Open {
  const Store::Env& env;
  const lmdb::Txn& txn;
  bool write;
};

namespace {

std::string full_key(std::string_view table, std::string_view key) {
  std::string k(table);
  k.push_back('\0');
  k.append(key);
  return k;
}

}  // namespace

Status Tables::get(std::string_view table, std::string_view key, std::string* value) const {
  std::string_view v;
  Status s = open_.env.get(open_.txn, open_.env.modules, full_key(table, key), &v);
  if (s.is_not_found()) return Status::NotFound(std::string(table) + ": no such key");
  if (!s.ok()) return s;
  value->assign(v);
  return Status::Ok();
}

Status Tables::put(std::string_view table, std::string_view key, std::string_view value) {
  if (!open_.write) return Status::Invalid("a read-only transaction cannot write");
  std::string k = full_key(table, key);
  if (k.size() > 500) return Status::Invalid(std::string(table) + ": key too long");
  return open_.env.put(open_.txn, open_.env.modules, k, value);
}

Status Tables::scan(std::string_view table, std::string_view prefix, const Each& each) const {
  lmdb::Cursor cursor(open_.txn, open_.env.modules);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  std::string start = full_key(table, prefix);
  const std::size_t skip = table.size() + 1;
  MDB_val k = lmdb::val(start), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(start)) break;
    if (!each(key.substr(skip), lmdb::view(v))) break;
  }
  return Status::Ok();
}

Status Tables::next(std::string_view counter, std::uint64_t* out) {
  std::string v;
  Status s = get("counters", counter, &v);
  if (!s.ok() && !s.is_not_found()) return s;
  *out = (s.ok() ? lmdb::from_be64(v) : 0) + 1;
  return put("counters", counter, lmdb::be64(*out));
}

Status Tables::audit(AuditEntry entry) {
  if (!open_.write) return Status::Invalid("a read-only transaction cannot write");
  if (entry.at.empty()) entry.at = now_rfc3339();
  return open_.env.append_audit(open_.txn, entry);
}

Status Store::write_tables(const std::function<Status(Tables&)>& work) {
  lmdb::Txn txn(env_->env, true);
  if (!txn.status().ok()) return txn.status();
  Tables::Open open{*env_, txn, true};
  Tables tables(open);
  if (Status s = work(tables); !s.ok()) return s;
  return txn.commit();
}

Status Store::read_tables(const std::function<Status(const Tables&)>& work) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  Tables::Open open{*env_, txn, false};
  const Tables tables(open);
  return work(tables);
}

}  // namespace kho::store
