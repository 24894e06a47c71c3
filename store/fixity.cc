// Fixity: reading the store back to prove it sound (`kho verify`), marking
// damage so that damaged bytes are never served as sound, copying the LMDB
// environment for a backup, and removing originals left by a crash.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "store/env.h"
#include "store/lmdb.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace kho::store {

std::string to_hex(const unsigned char* bytes, std::size_t n);  // sha256.cc

namespace {

constexpr std::string_view kDamagedPrefix = "damaged:";

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string id_text(RecordId id) { return std::to_string(id); }

// Records 1..last_id, each readable and naming itself; their originals.
void check_records(const Store::Env& e, const lmdb::Txn& txn, std::vector<Problem>* problems,
                   std::vector<StoredOriginal>* originals,
                   std::unordered_map<RecordId, std::uint32_t>* page_counts) {
  const RecordId last_id = e.counter(txn, "last_id");
  lmdb::Cursor cursor(txn, e.records);
  if (!cursor.ok()) return problems->push_back({0, "", "the records table cannot be read"});
  RecordId expected = 1;
  MDB_val k, v;
  int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    RecordId id = lmdb::from_be64(lmdb::view(k));
    for (; expected < id && expected <= last_id; ++expected)
      problems->push_back({expected, "", "record " + id_text(expected) + " is missing"});
    expected = id + 1;
    if (id > last_id) {
      problems->push_back({id, "", "record " + id_text(id) + " is beyond the last ID given"});
      continue;
    }
    Record r;
    if (Status s = from_json(std::string(lmdb::view(v)), &r); !s.ok() || r.id != id) {
      problems->push_back(
          {id, "",
           "record " + id_text(id) + " cannot be read" +
               (s.ok() ? ": it names itself " + id_text(r.id) : ": " + s.message())});
      continue;
    }
    (*page_counts)[id] = r.page_count;
    for (const Original& o : r.originals) originals->push_back({id, r.status, o});
  }
  if (rc != MDB_NOTFOUND)
    problems->push_back({0, "", std::string("the records table: ") + mdb_strerror(rc)});
  for (; expected <= last_id; ++expected)
    problems->push_back({expected, "", "record " + id_text(expected) + " is missing"});
}

// The change log: one readable entry per sequence number up to last_seq.
void check_changes(const Store::Env& e, const lmdb::Txn& txn, std::vector<Problem>* problems) {
  const Sequence last = e.counter(txn, "last_seq");
  lmdb::Cursor cursor(txn, e.changes);
  if (!cursor.ok()) return problems->push_back({0, "", "the change log cannot be read"});
  Sequence expected = 1;
  MDB_val k, v;
  int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    Sequence seq = lmdb::from_be64(lmdb::view(k));
    if (seq != expected)
      problems->push_back(
          {0, "",
           "the change log skips from " + std::to_string(expected) + " to " + std::to_string(seq)});
    expected = seq + 1;
    if (nlohmann::json::parse(lmdb::view(v), nullptr, false).is_discarded())
      problems->push_back({0, "", "change " + std::to_string(seq) + " cannot be read"});
  }
  if (rc != MDB_NOTFOUND)
    problems->push_back({0, "", std::string("the change log: ") + mdb_strerror(rc)});
  if (expected != last + 1)
    problems->push_back({0, "",
                         "the change log ends at " + std::to_string(expected - 1) +
                             " but should end at " + std::to_string(last)});
}

// The SHA-256 table names, for each file, a record that holds it.
void check_by_sha(const Store::Env& e, const lmdb::Txn& txn,
                  const std::vector<StoredOriginal>& originals, std::vector<Problem>* problems) {
  std::unordered_map<std::string, std::vector<RecordId>> holders;
  for (const auto& o : originals) holders[o.original.sha256].push_back(o.record);
  lmdb::Cursor cursor(txn, e.by_sha);
  if (!cursor.ok()) return problems->push_back({0, "", "the SHA-256 table cannot be read"});
  MDB_val k, v;
  int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string sha(lmdb::view(k));
    RecordId id = lmdb::from_be64(lmdb::view(v));
    auto it = holders.find(sha);
    if (it == holders.end() ||
        std::find(it->second.begin(), it->second.end(), id) == it->second.end())
      problems->push_back(
          {id, "",
           "the SHA-256 table names record " + id_text(id) + " for a file it does not hold"});
    if (it != holders.end()) holders.erase(it);
  }
  if (rc != MDB_NOTFOUND)
    problems->push_back({0, "", std::string("the SHA-256 table: ") + mdb_strerror(rc)});
  for (const auto& [sha, ids] : holders)
    problems->push_back({ids.front(), "",
                         "the file " + sha + " of record " + id_text(ids.front()) +
                             " is missing from the SHA-256 table"});
}

// Each record's pages as the text table holds them, against its page count.
void check_pages(const Store::Env& e, const lmdb::Txn& txn,
                 const std::unordered_map<RecordId, std::uint32_t>& page_counts,
                 std::vector<Problem>* problems) {
  std::unordered_map<RecordId, std::uint32_t> held;
  lmdb::Cursor cursor(txn, e.text);
  if (!cursor.ok()) return problems->push_back({0, "", "the page text table cannot be read"});
  MDB_val k, v;
  int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT))
    ++held[lmdb::from_be64(lmdb::view(k))];
  if (rc != MDB_NOTFOUND)
    problems->push_back({0, "", std::string("the page text table: ") + mdb_strerror(rc)});
  for (const auto& [id, count] : page_counts)
    if (held[id] != count)
      problems->push_back({id, "",
                           "record " + id_text(id) + " has " + std::to_string(count) +
                               " pages but the store holds the text of " +
                               std::to_string(held[id])});
}

}  // namespace

Status Store::check(std::vector<Problem>* problems, std::vector<StoredOriginal>* originals) const {
  problems->clear();
  originals->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  std::unordered_map<RecordId, std::uint32_t> page_counts;
  check_records(*env_, txn, problems, originals, &page_counts);
  check_changes(*env_, txn, problems);
  check_by_sha(*env_, txn, *originals, problems);
  check_pages(*env_, txn, page_counts, problems);
  return Status::Ok();
}

Status Store::check_original(const Original& original,
                             const std::function<bool(std::uint64_t)>& progress) const {
  const std::string path = original_path(original);
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0 && errno == ENOENT) return Status::NotFound("the file is missing");
  if (in.fd < 0)
    return Status::IoError(std::string("it cannot be opened: ") + std::strerror(errno));
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<unsigned char, 1 << 16> buf;
  std::uint64_t size = 0;
  for (;;) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(std::string("it cannot be read: ") + std::strerror(errno));
    if (n == 0) break;
    crypto_hash_sha256_update(&state, buf.data(), static_cast<unsigned long long>(n));
    size += static_cast<std::uint64_t>(n);
    if (progress && !progress(static_cast<std::uint64_t>(n))) return Status::Busy("check stopped");
  }
  // A check reads everything once: keep the page cache for what is read often.
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_DONTNEED);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&state, digest.data());
  std::string sha = to_hex(digest.data(), digest.size());
  if (size != original.size)
    return Status::Corrupt("it has " + std::to_string(size) + " bytes where " +
                           std::to_string(original.size) + " were stored");
  if (sha != original.sha256)
    return Status::Corrupt("its bytes have changed (SHA-256 " + sha + ", stored as " +
                           original.sha256 + ")");
  return Status::Ok();
}

Status Store::mark_damaged(const std::string& sha256, const std::string& why) {
  lmdb::Txn txn(env_->env, true);
  if (!txn.status().ok()) return txn.status();
  Status s = env_->put(txn, env_->meta, std::string(kDamagedPrefix) + sha256, why);
  return s.ok() ? txn.commit() : s;
}

Status Store::clear_damaged(const std::string& sha256) {
  lmdb::Txn txn(env_->env, true);
  if (!txn.status().ok()) return txn.status();
  std::string key = std::string(kDamagedPrefix) + sha256;
  MDB_val k = lmdb::val(key);
  int rc = mdb_del(txn.get(), env_->meta, &k, nullptr);
  if (rc == MDB_NOTFOUND) return Status::Ok();
  if (rc != 0) return lmdb::error(rc, "clear damage mark");
  return txn.commit();
}

bool Store::is_damaged(const std::string& sha256) const {
  lmdb::Txn txn(env_->env, false);
  std::string_view v;
  return txn.status().ok() &&
         env_->get(txn, env_->meta, std::string(kDamagedPrefix) + sha256, &v).ok();
}

Status Store::damaged(std::map<std::string, std::string>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, env_->meta);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k = lmdb::val(kDamagedPrefix), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(kDamagedPrefix)) break;
    (*out)[std::string(key.substr(kDamagedPrefix.size()))] = std::string(lmdb::view(v));
  }
  return Status::Ok();
}

Status Store::copy_environment(const std::string& file, bool compact) const {
  Fd out{::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)};
  if (out.fd < 0) return Status::IoError(file + ": " + std::strerror(errno));
  int rc = mdb_env_copyfd2(env_->env, out.fd, compact ? MDB_CP_COMPACT : 0);
  if (rc != 0) return lmdb::error(rc, "copying the store to " + file);
  if (::fsync(out.fd) != 0) return Status::IoError("fsync " + file + ": " + std::strerror(errno));
  return Status::Ok();
}

namespace {

// A read-only LMDB environment of one file, closed on every path out.
struct ReadOnlyEnv {
  MDB_env* env = nullptr;
  ~ReadOnlyEnv() {
    if (env != nullptr) mdb_env_close(env);
  }
};

}  // namespace

Status Store::originals_in_copy(const std::string& file, std::vector<Original>* out) {
  out->clear();
  ReadOnlyEnv e;
  int rc = mdb_env_create(&e.env);
  if (rc == 0) rc = mdb_env_set_maxdbs(e.env, 16);
  // NOLOCK: nobody else uses a copy; it needs no lock file beside it.
  if (rc == 0) rc = mdb_env_open(e.env, file.c_str(), MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0);
  if (rc != 0) return lmdb::error(rc, "cannot open the copy " + file);
  lmdb::Txn txn(e.env, false);
  if (!txn.status().ok()) return txn.status();
  MDB_dbi records = 0;
  if (int r = mdb_dbi_open(txn.get(), "records", 0, &records); r != 0)
    return lmdb::error(r, file + ": no records table");
  lmdb::Cursor cursor(txn, records);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  std::set<std::string> seen;
  MDB_val k, v;
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    Record r;
    if (Status s = from_json(std::string(lmdb::view(v)), &r); !s.ok())
      return s.with_context(file + ": record " + id_text(lmdb::from_be64(lmdb::view(k))));
    for (const Original& o : r.originals)
      if (seen.insert(o.sha256).second) out->push_back(o);
  }
  return rc == MDB_NOTFOUND ? Status::Ok() : lmdb::error(rc, file);
}

// Under the write lock no other process is between placing an original and
// committing the record that names it (place_original runs inside the write
// transaction), so a file the SHA-256 table does not name is a true orphan:
// its transaction aborted, or its process died before the commit. Files
// still being copied live in originals/.tmp, which is left alone here.
Status Store::remove_orphan_originals(std::vector<std::string>* removed) {
  removed->clear();
  lmdb::Txn txn(env_->env, true);
  if (!txn.status().ok()) return txn.status();
  fs::path root = fs::path(dir_) / "originals";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code kind;
    if (it->is_directory(kind) && it->path().filename() == ".tmp") {
      it.disable_recursion_pending();
      continue;
    }
    std::string name = it->path().filename().string();
    if (!it->is_regular_file(kind) || name.size() != 64 ||
        name.find_first_not_of("0123456789abcdef") != std::string::npos)
      continue;  // not a file kho names: not ours to judge
    std::string_view holder;
    if (env_->get(txn, env_->by_sha, name, &holder).ok()) continue;
    std::error_code gone;
    if (fs::remove(it->path(), gone)) removed->push_back(it->path().string());
  }
  if (ec) return Status::IoError("cannot read " + root.string() + ": " + ec.message());
  return Status::Ok();  // the transaction wrote nothing: aborting it is all
}

}  // namespace kho::store
