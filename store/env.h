// The store's LMDB handles and the helpers its tables share; private to store/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/lmdb.h"
#include "store/store.h"

namespace kho::store {

struct Store::Env {
  MDB_env* env = nullptr;
  MDB_dbi meta = 0, records = 0, text = 0, by_sha = 0, changes = 0;
  MDB_dbi orgs = 0, accounts = 0, tokens = 0, audit = 0, by_origin = 0;
  MDB_dbi by_isbn = 0;    // ISBN-13 + record ID -> "" (catalogue.cc)
  MDB_dbi by_record = 0;  // record ID + sequence -> "": each record's changes (history.cc)
  MDB_dbi modules = 0;    // table name + NUL + key -> value: module tables (tables.cc)
  ~Env() {
    if (env != nullptr) mdb_env_close(env);
  }

  Status get(const lmdb::Txn& txn, MDB_dbi dbi, std::string_view key,
             std::string_view* value) const {
    MDB_val k = lmdb::val(key), v;
    int rc = mdb_get(txn.get(), dbi, &k, &v);
    if (rc != 0) return lmdb::error(rc, "get");
    *value = lmdb::view(v);
    return Status::Ok();
  }
  Status put(const lmdb::Txn& txn, MDB_dbi dbi, std::string_view key,
             std::string_view value) const {
    MDB_val k = lmdb::val(key), v = lmdb::val(value);
    int rc = mdb_put(txn.get(), dbi, &k, &v, 0);
    return rc == 0 ? Status::Ok() : lmdb::error(rc, "put");
  }
  std::uint64_t counter(const lmdb::Txn& txn, std::string_view name) const {
    std::string_view v;
    return get(txn, meta, name, &v).ok() ? lmdb::from_be64(v) : 0;
  }
  Status read_record(const lmdb::Txn& txn, RecordId id, Record* out) const {
    std::string_view v;
    Status s = get(txn, records, lmdb::be64(id), &v);
    if (s.is_not_found()) return Status::NotFound("no record " + std::to_string(id));
    if (!s.ok()) return s;
    return from_json(std::string(v), out);
  }
  // A change to a record: the change log for derived data and history (with
  // the fields changed), the audit log for people (history.cc).
  Status append_change(const lmdb::Txn& txn, RecordId id, const std::string& op,
                       const std::string& at, const Actor& actor, const std::string& detail = "",
                       const std::vector<FieldChange>& fields = {}) const;
  // Fills by_record from the change log once, for a library made before it existed.
  Status build_history_index(const lmdb::Txn& txn) const;
  Status append_audit(const lmdb::Txn& txn, const AuditEntry& entry) const;
  // Every record holding these bytes, the first first: by_sha keeps the
  // first under the SHA-256 itself, any other under the SHA-256 + its ID.
  Status holders(const lmdb::Txn& txn, const std::string& sha256, std::vector<RecordId>* out) const;
  // Keeps by_isbn in step with a record's "isbn" field (`before` null: new).
  Status index_isbn(const lmdb::Txn& txn, const Record* before, const Record& after) const;
  // Fills by_isbn from the records once, for a library made before it existed.
  Status build_isbn_index(const lmdb::Txn& txn) const;
};

}  // namespace kho::store
