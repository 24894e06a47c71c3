// The by_isbn table: which records carry an ISBN, so that a catalogue record
// and the book's file find each other whichever arrives first. Keys are the
// ISBN-13 form (an ISBN-10 is the same book as 978 + its first nine digits)
// followed by the record ID, so one ISBN may name several records.
#include "common/isbn.h"

#include <string>
#include <vector>

#include "store/env.h"

namespace kho::store {

namespace {

std::string isbn_of(const Record& r) {
  auto it = r.fields.find("isbn");
  return it == r.fields.end() ? "" : isbn13(it->second);
}

}  // namespace

Status Store::Env::index_isbn(const lmdb::Txn& txn, const Record* before,
                              const Record& after) const {
  std::string old_isbn = before ? isbn_of(*before) : "", new_isbn = isbn_of(after);
  if (old_isbn == new_isbn) return Status::Ok();
  if (!old_isbn.empty()) {
    std::string key = old_isbn + lmdb::be64(after.id);
    MDB_val k = lmdb::val(key);
    int rc = mdb_del(txn.get(), by_isbn, &k, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb::error(rc, "del");
  }
  return new_isbn.empty() ? Status::Ok() : put(txn, by_isbn, new_isbn + lmdb::be64(after.id), "");
}

Status Store::Env::build_isbn_index(const lmdb::Txn& txn) const {
  std::string_view built;
  if (get(txn, meta, "by_isbn_built", &built).ok()) return Status::Ok();
  lmdb::Cursor cursor(txn, records);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    Record r;
    if (!from_json(std::string(lmdb::view(v)), &r).ok()) continue;
    if (Status s = index_isbn(txn, nullptr, r); !s.ok()) return s;
  }
  return put(txn, meta, "by_isbn_built", "1");
}

Status Store::find_by_isbn(const std::string& isbn, std::vector<RecordId>* out) const {
  out->clear();
  std::string prefix = isbn13(isbn);
  if (prefix.empty()) return Status::Ok();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, env_->by_isbn);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k = lmdb::val(prefix), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) break;
    out->push_back(lmdb::from_be64(key.substr(prefix.size())));
  }
  return Status::Ok();
}

}  // namespace kho::store
