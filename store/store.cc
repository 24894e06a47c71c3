#include "store/store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/env.h"
#include "store/file_system.h"
#include "store/lmdb.h"

namespace fs = std::filesystem;

namespace kho::store {

std::string to_hex(const unsigned char* bytes, std::size_t n);  // sha256.cc

namespace {

constexpr std::size_t kMapSize = std::size_t{256} << 30;  // address space, not disk
const char* const kKinds[] = {"book", "diploma", "lesson-plan", "admin-doc", "other"};
const char* const kVisibilities[] = {"private", "school", "shared", "public"};

std::string page_key(RecordId id, std::uint32_t page) {
  std::string key = lmdb::be64(id);
  for (int shift = 24; shift >= 0; shift -= 8)
    key.push_back(static_cast<char>((page >> shift) & 0xff));
  return key;
}

Status errno_status(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

// Closes a file descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Makes the names just created in a folder durable.
Status fsync_dir(FileSystem& files, const fs::path& dir) {
  Fd d{files.open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)};
  if (d.fd < 0) return errno_status("cannot open " + dir.string());
  if (files.fsync(d.fd) != 0) return errno_status("cannot fsync " + dir.string());
  return Status::Ok();
}

// Creates `dir` and whichever of its parents are missing.
Status make_dirs(FileSystem& files, const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (Status s = make_dirs(files, dir.parent_path()); !s.ok()) return s;
  }
  if (files.mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return errno_status("cannot create " + dir.string());
  return Status::Ok();
}

Status write_all(FileSystem& files, int fd, const unsigned char* p, std::size_t n,
                 const std::string& path) {
  while (n > 0) {
    ssize_t w = files.write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno_status("cannot write " + path);
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return Status::Ok();
}

// Copies `source` into `target` (a new file), hashing as it goes, and makes
// the copy durable before returning.
Status copy_and_hash(FileSystem& files, const std::string& source, const std::string& target,
                     std::string* sha, std::uint64_t* size) {
  Fd in{::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (in.fd < 0 && errno == ELOOP)
    return Status::Invalid(source + ": a symbolic link, not followed");
  if (in.fd < 0) return errno_status(source);
  Fd out{files.open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444)};
  if (out.fd < 0) return errno_status("cannot create " + target);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<unsigned char, 1 << 16> buf;
  *size = 0;
  for (;;) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(source);
    if (n == 0) break;
    crypto_hash_sha256_update(&state, buf.data(), static_cast<unsigned long long>(n));
    Status s = write_all(files, out.fd, buf.data(), static_cast<std::size_t>(n), target);
    if (!s.ok()) return s;
    *size += static_cast<std::uint64_t>(n);
  }
  if (files.fsync(out.fd) != 0) return errno_status("cannot fsync " + target);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&state, digest.data());
  *sha = to_hex(digest.data(), digest.size());
  return Status::Ok();
}

// A copy of a file under originals/.tmp, durable and hashed, waiting for the
// transaction that names it; removed unless place_original() moved it.
struct StagedOriginal {
  std::string path;
  StagedOriginal() = default;
  StagedOriginal(const StagedOriginal&) = delete;
  StagedOriginal& operator=(const StagedOriginal&) = delete;
  ~StagedOriginal() {
    if (!path.empty()) ::unlink(path.c_str());  // no-op once renamed into place
  }

  Status stage(FileSystem& files, const std::string& data_dir, const std::string& source,
               Original* out) {
    std::string tmp = (fs::path(data_dir) / "originals" / ".tmp" / "XXXXXX").string();
    int tfd = ::mkstemp(tmp.data());
    if (tfd < 0) return errno_status("temporary file in " + data_dir);
    ::close(tfd);
    ::unlink(tmp.c_str());  // copy_and_hash creates it exclusively
    path = tmp;
    return copy_and_hash(files, source, path, &out->sha256, &out->size);
  }

  // The file a NewRecord names, with the type and name it is to be known by.
  Status stage(FileSystem& files, const std::string& data_dir, const NewRecord& in, Original* out) {
    if (Status s = stage(files, data_dir, in.source_path, out); !s.ok()) return s;
    out->media_type = in.media_type;
    out->filename =
        in.filename.empty() ? fs::path(in.source_path).filename().string() : in.filename;
    return Status::Ok();
  }
};

}  // namespace

bool valid_kind(const std::string& kind) {
  for (const char* k : kKinds)
    if (kind == k) return true;
  return false;
}

bool valid_visibility(const std::string& visibility) {
  for (const char* v : kVisibilities)
    if (visibility == v) return true;
  return false;
}

std::string now_rfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Store::Store(std::string dir, FileSystem& files)
    : dir_(std::move(dir)), fs_(files), env_(std::make_unique<Env>()) {}
Store::~Store() = default;

static Status check_schema(Store::Env& e, lmdb::Txn& txn, bool fresh) {
  std::string_view v;
  if (!e.get(txn, e.meta, "schema_version", &v).ok()) {
    if (!fresh) return Status::Corrupt("store has no schema version");
    return e.put(txn, e.meta, "schema_version", lmdb::be64(kSchemaVersion));
  }
  auto version = lmdb::from_be64(v);
  if (version > static_cast<std::uint64_t>(kSchemaVersion))
    return Status::Unsupported("store schema " + std::to_string(version) +
                               " is newer than this kho (" + std::to_string(kSchemaVersion) + ")");
  return Status::Ok();
}

Status Store::open(const std::string& data_dir, bool create, std::unique_ptr<Store>* out,
                   FileSystem* file_system) {
  fs::path db = fs::path(data_dir) / "db";
  std::error_code ec;
  bool fresh = !fs::exists(db / "data.mdb", ec);
  if (fresh && !create)
    return Status::NotFound("no kho library in " + data_dir + " (run `kho init`)");
  fs::create_directories(db, ec);
  if (ec) return Status::IoError("cannot create " + db.string() + ": " + ec.message());
  FileSystem& files = file_system != nullptr ? *file_system : FileSystem::posix();
  if (Status s = make_dirs(files, fs::path(data_dir) / "originals" / ".tmp"); !s.ok()) return s;

  std::unique_ptr<Store> store(new Store(data_dir, files));
  Env& e = *store->env_;
  int rc = mdb_env_create(&e.env);
  if (rc == 0) rc = mdb_env_set_maxdbs(e.env, 16);
  if (rc == 0) rc = mdb_env_set_mapsize(e.env, kMapSize);
  if (rc == 0) rc = mdb_env_set_maxreaders(e.env, 256);
  // NOTLS: read transactions are used from HTTP worker threads of a pool.
  if (rc == 0) rc = mdb_env_open(e.env, db.c_str(), MDB_NOTLS, 0640);
  if (rc != 0) return lmdb::error(rc, "cannot open store in " + db.string());

  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  struct Named {
    const char* name;
    MDB_dbi* dbi;
  };
  for (auto [name, dbi] :
       {Named{"meta", &e.meta}, Named{"records", &e.records}, Named{"text", &e.text},
        Named{"by_sha256", &e.by_sha}, Named{"changes", &e.changes}, Named{"orgs", &e.orgs},
        Named{"accounts", &e.accounts}, Named{"tokens", &e.tokens}, Named{"audit", &e.audit},
        Named{"by_origin", &e.by_origin}, Named{"by_isbn", &e.by_isbn},
        Named{"by_record", &e.by_record}, Named{"modules", &e.modules}}) {
    rc = mdb_dbi_open(txn.get(), name, MDB_CREATE, dbi);
    if (rc != 0) return lmdb::error(rc, std::string("cannot open table ") + name);
  }
  if (Status s = check_schema(e, txn, fresh); !s.ok()) return s;
  if (Status s = e.build_isbn_index(txn); !s.ok()) return s;
  if (Status s = e.build_history_index(txn); !s.ok()) return s;
  std::string_view id;
  if (e.get(txn, e.meta, "library_id", &id).ok()) {
    store->library_id_ = std::string(id);
  } else {
    std::array<unsigned char, 8> bytes;
    randombytes_buf(bytes.data(), bytes.size());
    store->library_id_ = to_hex(bytes.data(), bytes.size());
    if (Status s = e.put(txn, e.meta, "library_id", store->library_id_); !s.ok()) return s;
  }
  if (Status s = txn.commit(); !s.ok()) return s;
  *out = std::move(store);
  return Status::Ok();
}

std::string Store::original_path(const Original& original) const {
  const std::string& h = original.sha256;
  return (fs::path(dir_) / "originals" / h.substr(0, 2) / h.substr(2, 2) / h).string();
}

// Moves a durable temporary copy to its content address and makes the
// directory entry durable too, so a committed record never names a missing file.
static Status place_original(FileSystem& files, const std::string& tmp,
                             const std::string& final_path) {
  fs::path parent = fs::path(final_path).parent_path();
  if (Status s = make_dirs(files, parent); !s.ok()) return s;
  if (files.rename(tmp.c_str(), final_path.c_str()) != 0)
    return errno_status("cannot rename " + tmp + " to " + final_path);
  // originals/ab/cd, originals/ab and originals: any of the three may be new.
  for (const fs::path& dir : {parent, parent.parent_path(), parent.parent_path().parent_path()}) {
    if (Status s = fsync_dir(files, dir); !s.ok()) return s;
  }
  return Status::Ok();
}

Status Store::add(const NewRecord& in, Record* out, bool* duplicate) {
  *duplicate = false;
  if (!valid_kind(in.kind)) return Status::Invalid("unknown kind '" + in.kind + "'");
  if (!valid_visibility(in.visibility))
    return Status::Invalid("unknown visibility '" + in.visibility + "'");

  const bool has_file = !in.source_path.empty();
  Original original;
  StagedOriginal staged;
  if (has_file)
    if (Status s = staged.stage(fs_, dir_, in, &original); !s.ok()) return s;

  Env& e = *env_;
  lmdb::Txn txn(e.env, true);  // waits for any other writer, in any process
  if (!txn.status().ok()) return txn.status();
  std::vector<RecordId> holders;
  if (has_file) {
    if (Status s = e.holders(txn, original.sha256, &holders); !s.ok()) return s;
    for (RecordId id : holders) {
      Record holder;
      if (Status s = e.read_record(txn, id, &holder); !s.ok()) return s;
      if (in.repeats && !in.repeats(holder)) continue;
      *duplicate = true;
      *out = std::move(holder);
      return Status::Ok();
    }
    if (holders.empty()) {  // else the bytes are in place already
      if (Status s = place_original(fs_, staged.path, original_path(original)); !s.ok()) return s;
    }
  }

  Record r;
  r.id = e.counter(txn, "last_id") + 1;
  r.kind = in.kind;
  r.dc = in.dc;
  r.fields = in.fields;
  r.sources = in.sources;
  r.ocr_confidence = in.ocr_confidence;
  r.school = in.school;
  r.visibility = in.visibility;
  if (has_file) r.originals.push_back(original);
  r.page_count = static_cast<std::uint32_t>(in.pages.size());
  r.created_at = r.updated_at = now_rfc3339();
  r.created_by = r.updated_by = in.actor.name;

  Status s = e.put(txn, e.meta, "last_id", lmdb::be64(r.id));
  if (s.ok()) s = e.put(txn, e.records, lmdb::be64(r.id), to_json(r));
  for (std::uint32_t p = 0; s.ok() && p < in.pages.size(); ++p)
    s = e.put(txn, e.text, page_key(r.id, p + 1), in.pages[p]);
  if (s.ok() && has_file)
    s = e.put(txn, e.by_sha, original.sha256 + (holders.empty() ? "" : lmdb::be64(r.id)),
              lmdb::be64(r.id));
  if (s.ok()) s = e.index_isbn(txn, nullptr, r);
  if (s.ok()) s = e.append_change(txn, r.id, "create", r.created_at, in.actor);
  if (s.ok()) s = txn.commit();
  // LMDB's own writes (a full disk, a full map) fail here; nothing is acknowledged.
  if (!s.ok()) return s.with_context((fs::path(dir_) / "db" / "data.mdb").string());
  *out = std::move(r);
  return Status::Ok();
}

Status Store::put_harvested(const std::string& origin_key, const NewRecord& in, Record* out,
                            bool* updated) {
  *updated = false;
  if (!valid_kind(in.kind)) return Status::Invalid("unknown kind '" + in.kind + "'");
  if (!valid_visibility(in.visibility))
    return Status::Invalid("unknown visibility '" + in.visibility + "'");
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  std::string now = now_rfc3339();
  Record r;
  std::string_view existing;
  if (e.get(txn, e.by_origin, origin_key, &existing).ok()) {
    if (Status s = e.read_record(txn, lmdb::from_be64(existing), &r); !s.ok()) return s;
    *updated = true;
  } else {
    r.id = e.counter(txn, "last_id") + 1;
    r.created_at = now;
    r.created_by = in.actor.name;
    if (Status s = e.put(txn, e.meta, "last_id", lmdb::be64(r.id)); !s.ok()) return s;
    if (Status s = e.put(txn, e.by_origin, origin_key, lmdb::be64(r.id)); !s.ok()) return s;
  }
  const Record before = r;
  r.kind = in.kind;
  r.dc = in.dc;
  r.fields = in.fields;
  r.sources = in.sources;
  r.school = in.school;
  r.visibility = in.visibility;
  r.updated_at = now;
  r.updated_by = in.actor.name;
  Status s = e.put(txn, e.records, lmdb::be64(r.id), to_json(r));
  if (s.ok())
    s = e.append_change(txn, r.id, *updated ? "update" : "create", now, in.actor, "",
                        *updated ? field_changes(before, r) : std::vector<FieldChange>{});
  if (s.ok()) s = txn.commit();
  if (s.ok()) *out = std::move(r);
  return s;
}

Status Store::attach_original(RecordId id, const NewRecord& in, Record* out) {
  Original original;
  StagedOriginal staged;
  if (Status s = staged.stage(fs_, dir_, in, &original); !s.ok()) return s;
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Record r;
  if (Status s = e.read_record(txn, id, &r); !s.ok()) return s;
  if (!r.originals.empty()) return Status::Conflict("record " + std::to_string(id) + " has a file");
  if (Status s = place_original(fs_, staged.path, original_path(original)); !s.ok()) return s;
  r.originals.push_back(original);
  r.ocr_confidence = in.ocr_confidence;
  r.page_count = static_cast<std::uint32_t>(in.pages.size());
  r.updated_at = now_rfc3339();
  Status s = e.put(txn, e.records, lmdb::be64(id), to_json(r));
  for (std::uint32_t p = 0; s.ok() && p < in.pages.size(); ++p)
    s = e.put(txn, e.text, page_key(id, p + 1), in.pages[p]);
  std::string_view holder;
  if (s.ok() && !e.get(txn, e.by_sha, original.sha256, &holder).ok())
    s = e.put(txn, e.by_sha, original.sha256, lmdb::be64(id));
  if (s.ok())
    s = e.append_change(txn, id, "update", r.updated_at, Actor("harvest"), "file fetched");
  if (s.ok()) s = txn.commit();
  if (s.ok()) *out = std::move(r);
  return s;
}

Status Store::add_file(RecordId id, const NewRecord& in, Record* out) {
  Original original;
  StagedOriginal staged;
  if (Status s = staged.stage(fs_, dir_, in, &original); !s.ok()) return s;
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Record before;
  if (Status s = e.read_record(txn, id, &before); !s.ok()) return s;
  if (!before.originals.empty())
    return Status::Conflict("record " + std::to_string(id) + " has a file");
  std::string_view holder;
  if (e.get(txn, e.by_sha, original.sha256, &holder).ok())
    return Status::Conflict("these bytes are already record " +
                            std::to_string(lmdb::from_be64(holder)));
  if (Status s = place_original(fs_, staged.path, original_path(original)); !s.ok()) return s;
  Record r = before;
  r.originals.push_back(original);
  for (const auto* from : {&in.dc, &in.fields})
    for (const auto& [name, value] : *from) {
      auto& to = from == &in.dc ? r.dc : r.fields;
      if (value.empty() || to.count(name)) continue;
      to[name] = value;
      if (auto source = in.sources.find(name); source != in.sources.end())
        r.sources[name] = source->second;
    }
  r.ocr_confidence = in.ocr_confidence;
  r.page_count = static_cast<std::uint32_t>(in.pages.size());
  r.updated_at = now_rfc3339();
  r.updated_by = in.actor.name;
  Status s = e.put(txn, e.records, lmdb::be64(id), to_json(r));
  for (std::uint32_t p = 0; s.ok() && p < in.pages.size(); ++p)
    s = e.put(txn, e.text, page_key(id, p + 1), in.pages[p]);
  if (s.ok()) s = e.put(txn, e.by_sha, original.sha256, lmdb::be64(id));
  if (s.ok()) s = e.index_isbn(txn, &before, r);
  if (s.ok())
    s = e.append_change(txn, id, "update", r.updated_at, in.actor,
                        "file attached: " + original.filename, field_changes(before, r));
  if (s.ok()) s = txn.commit();
  if (s.ok()) *out = std::move(r);
  return s;
}

// Replaces the record's pages with `pages`: the pages the old version had
// beyond the new one's last go.
static Status replace_pages(const Store::Env& e, const lmdb::Txn& txn, RecordId id,
                            std::uint32_t old_count, const std::vector<std::string>& pages) {
  for (std::uint32_t p = 0; p < pages.size(); ++p)
    if (Status s = e.put(txn, e.text, page_key(id, p + 1), pages[p]); !s.ok()) return s;
  for (auto p = static_cast<std::uint32_t>(pages.size()) + 1; p <= old_count; ++p) {
    std::string key = page_key(id, p);
    MDB_val k = lmdb::val(key);
    int rc = mdb_del(txn.get(), e.text, &k, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND)
      return Status::IoError(std::string("cannot remove a page: ") + mdb_strerror(rc));
  }
  return Status::Ok();
}

Status Store::add_version(RecordId id, const NewRecord& in, Record* out, const Check& allowed,
                          const std::function<void(Record*)>& revise) {
  Original original;
  StagedOriginal staged;
  if (Status s = staged.stage(fs_, dir_, in, &original); !s.ok()) return s;
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Record r;
  if (Status s = e.read_record(txn, id, &r); !s.ok()) return s;
  if (allowed)
    if (Status s = allowed(r); !s.ok()) return s;
  if (!r.originals.empty() && r.originals.back().sha256 == original.sha256)
    return Status::Conflict("this file is already record " + std::to_string(id) +
                            "'s current version");
  std::vector<RecordId> holders;
  if (Status s = e.holders(txn, original.sha256, &holders); !s.ok()) return s;
  if (holders.empty())
    if (Status s = place_original(fs_, staged.path, original_path(original)); !s.ok()) return s;
  const std::uint32_t old_count = r.page_count;
  const Record before = r;
  if (revise) revise(&r);
  r.id = before.id;
  r.originals = before.originals;
  original.added_at = r.updated_at = now_rfc3339();
  original.added_by = r.updated_by = in.actor.name;
  r.originals.push_back(original);
  r.ocr_confidence = in.ocr_confidence;
  r.page_count = static_cast<std::uint32_t>(in.pages.size());
  Status s = e.put(txn, e.records, lmdb::be64(id), to_json(r));
  if (s.ok()) s = replace_pages(e, txn, id, old_count, in.pages);
  // A record going back to bytes it held before is a holder already.
  if (s.ok() && std::find(holders.begin(), holders.end(), id) == holders.end())
    s = e.put(txn, e.by_sha, original.sha256 + (holders.empty() ? "" : lmdb::be64(id)),
              lmdb::be64(id));
  if (s.ok())
    s = e.append_change(txn, id, "version", r.updated_at, in.actor,
                        "version " + std::to_string(r.originals.size()) + ": " + original.filename,
                        field_changes(before, r));
  if (s.ok()) s = txn.commit();
  if (!s.ok()) return s.with_context((fs::path(dir_) / "db" / "data.mdb").string());
  *out = std::move(r);
  return Status::Ok();
}

Status Store::harvested_from(const std::string& origin,
                             std::vector<std::pair<std::string, RecordId>>* out) const {
  out->clear();
  const std::string prefix = origin + "#";
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, env_->by_origin);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k = lmdb::val(prefix), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(prefix)) break;
    out->emplace_back(std::string(key.substr(prefix.size())), lmdb::from_be64(lmdb::view(v)));
  }
  return Status::Ok();
}

Status Store::find_by_origin(const std::string& origin_key, RecordId* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  std::string_view v;
  Status s = env_->get(txn, env_->by_origin, origin_key, &v);
  if (s.ok()) *out = lmdb::from_be64(v);
  return s.is_not_found() ? Status::NotFound("nothing harvested as " + origin_key) : s;
}

Status Store::get_setting(const std::string& name, std::string* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  std::string_view v;
  Status s = env_->get(txn, env_->meta, "setting:" + name, &v);
  if (s.is_not_found()) return Status::NotFound("no setting " + name);
  if (s.ok()) *out = std::string(v);
  return s;
}

Status Store::put_setting(const std::string& name, const std::string& value) {
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Status s = e.put(txn, e.meta, "setting:" + name, value);
  return s.ok() ? txn.commit() : s;
}

Status Store::get(RecordId id, Record* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  return env_->read_record(txn, id, out);
}

Status Store::page_text(RecordId id, std::uint32_t page, std::string* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  std::string_view v;
  Status s = env_->get(txn, env_->text, page_key(id, page), &v);
  if (s.is_not_found())
    return Status::NotFound("record " + std::to_string(id) + " has no page " +
                            std::to_string(page));
  if (s.ok()) out->assign(v);
  return s;
}

void Store::release_read_pages() const {
  // LMDB does not say where its map is; /proc/self/maps does.
  std::error_code ec;
  const std::string file = fs::weakly_canonical(fs::path(dir_) / "db" / "data.mdb", ec).string();
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.size() < file.size() ||
        line.compare(line.size() - file.size(), file.size(), file) != 0)
      continue;
    std::uintptr_t start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &start, &end) != 2 || end <= start) continue;
    madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  }
}

Status Store::pages(RecordId id, std::vector<std::string>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, env_->text);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  std::string prefix = lmdb::be64(id);
  std::string first = page_key(id, 0);
  MDB_val k = lmdb::val(first), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    if (!lmdb::view(k).starts_with(prefix)) break;
    out->emplace_back(lmdb::view(v));
  }
  return Status::Ok();
}

Status Store::withdraw(RecordId id, const std::string& reason, const Actor& actor, bool* changed,
                       const Check& allowed) {
  return set_status(id, "withdraw", reason, actor, changed, allowed);
}

Status Store::reinstate(RecordId id, const std::string& reason, const Actor& actor, bool* changed,
                        const Check& allowed) {
  return set_status(id, "reinstate", reason, actor, changed, allowed);
}

// Withdraws or reinstates: a record already so is left as it is, so that a
// repeated request (a double click) neither rewrites the first reason nor
// adds to the history.
Status Store::set_status(RecordId id, const std::string& op, const std::string& reason,
                         const Actor& actor, bool* changed, const Check& allowed) {
  if (changed != nullptr) *changed = false;
  const bool withdraw = op == "withdraw";
  if (reason.empty())
    return Status::Invalid(withdraw ? "a withdrawal needs a reason"
                                    : "a reinstatement needs a reason");
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Record r;
  if (Status s = e.read_record(txn, id, &r); !s.ok()) return s;
  if (allowed)
    if (Status s = allowed(r); !s.ok()) return s;
  if ((r.status == "withdrawn") == withdraw) return Status::Ok();
  r.status = withdraw ? "withdrawn" : "active";
  r.withdrawn_reason = withdraw ? reason : "";
  r.updated_at = now_rfc3339();
  r.updated_by = actor.name;
  Status s = e.put(txn, e.records, lmdb::be64(id), to_json(r));
  if (s.ok()) s = e.append_change(txn, id, op, r.updated_at, actor, reason);
  if (s.ok()) s = txn.commit();
  if (s.ok() && changed != nullptr) *changed = true;
  return s;
}

Status Store::update(RecordId id, const std::function<Status(Record*)>& edit, const Actor& actor,
                     Record* out) {
  return change(id, "update", "", edit, actor, out);
}

Status Store::change(RecordId id, const std::string& op, const std::string& note,
                     const std::function<Status(Record*)>& edit, const Actor& actor, Record* out) {
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Record before;
  if (Status s = e.read_record(txn, id, &before); !s.ok()) return s;
  Record r = before;
  if (Status s = edit(&r); !s.ok()) return s;
  if (!valid_kind(r.kind)) return Status::Invalid("unknown kind '" + r.kind + "'");
  if (!valid_visibility(r.visibility))
    return Status::Invalid("unknown visibility '" + r.visibility + "'");
  // What identifies the record and its history is not the editor's to change.
  r.id = before.id;
  r.originals = before.originals;
  r.page_count = before.page_count;
  r.status = before.status;
  r.withdrawn_reason = before.withdrawn_reason;
  r.created_at = before.created_at;
  r.created_by = before.created_by;
  r.updated_at = now_rfc3339();
  r.updated_by = actor.name;
  Status s = e.put(txn, e.records, lmdb::be64(id), to_json(r));
  if (s.ok()) s = e.index_isbn(txn, &before, r);
  if (s.ok()) s = e.append_change(txn, id, op, r.updated_at, actor, note, field_changes(before, r));
  if (s.ok()) s = txn.commit();
  if (s.ok() && out != nullptr) *out = std::move(r);
  return s;
}

Status Store::find_by_sha256(const std::string& sha256, RecordId* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  std::string_view v;
  Status s = env_->get(txn, env_->by_sha, sha256, &v);
  if (s.ok()) *out = lmdb::from_be64(v);
  return s.is_not_found() ? Status::NotFound("no original with SHA-256 " + sha256) : s;
}

Status Store::holders_of_sha256(const std::string& sha256, std::vector<RecordId>* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  return env_->holders(txn, sha256, out);
}

Status Store::Env::holders(const lmdb::Txn& txn, const std::string& sha256,
                           std::vector<RecordId>* out) const {
  out->clear();
  lmdb::Cursor cursor(txn, by_sha);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k = lmdb::val(sha256), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(sha256) ||
        (key.size() != sha256.size() && key.size() != sha256.size() + 8))
      break;
    out->push_back(lmdb::from_be64(lmdb::view(v)));
  }
  return Status::Ok();
}

Sequence Store::last_sequence() const {
  lmdb::Txn txn(env_->env, false);
  return txn.status().ok() ? env_->counter(txn, "last_seq") : 0;
}

std::uint64_t Store::record_count() const {
  lmdb::Txn txn(env_->env, false);
  return txn.status().ok() ? env_->counter(txn, "last_id") : 0;
}

}  // namespace kho::store
