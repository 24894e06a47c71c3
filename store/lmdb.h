// RAII for LMDB handles, private to the store.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/big_endian.h"
#include "common/status.h"

namespace kho::store::lmdb {

inline Status error(int rc, const std::string& what) {
  if (rc == MDB_NOTFOUND) return Status::NotFound(what);
  if (rc == MDB_MAP_FULL) return Status::IoError(what + ": the database map is full");
  return Status::IoError(what + ": " + mdb_strerror(rc));
}

class Txn {
 public:
  Txn(MDB_env* env, bool write) {
    rc_ = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn_);
    if (rc_ != 0) txn_ = nullptr;
  }
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Status status() const { return rc_ == 0 ? Status::Ok() : error(rc_, "cannot begin transaction"); }
  MDB_txn* get() const { return txn_; }
  Status commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return rc == 0 ? Status::Ok() : error(rc, "commit failed");
  }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn.get(), dbi, &cursor_); }
  ~Cursor() {
    if (rc_ == 0) mdb_cursor_close(cursor_);
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  bool ok() const { return rc_ == 0; }
  MDB_cursor* get() const { return cursor_; }

 private:
  MDB_cursor* cursor_ = nullptr;
  int rc_ = 0;
};

inline MDB_val val(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }
inline std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

using ::kho::be64;  // common/big_endian.h
using ::kho::from_be64;

}  // namespace kho::store::lmdb
