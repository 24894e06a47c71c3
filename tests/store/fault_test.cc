// Faults while an original is made durable: each write, fsync, rename, mkdir
// and open the store makes while adding a record fails in turn (ENOSPC, EIO)
// through the store's FileSystem seam, and a commit fails in LMDB itself (a
// file size limit, as a full disk would). Each time the add must fail with a
// message naming the file and the reason, acknowledge nothing, leave nothing
// a later open would take for sound, and the next add must succeed.
#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "store/file_system.h"
#include "store/store.h"
#include "tests/store/fixture.h"
#include "tests/testing.h"

using namespace kho;
using kho::testing::TempDir;
namespace fs = std::filesystem;

namespace {

enum class Op { kOpen, kWrite, kFsync, kMkdir, kRename };

// The real file system, counting its calls; once armed, the Nth call of one
// operation fails with `error` (only that one, so that an error the store
// ignored is not covered up by the next). A failing write first writes half
// of what it was given, as a filling disk does, and the next write fails.
class FaultyFileSystem : public store::FileSystem {
 public:
  void fail(Op op, int nth, int error) {
    op_ = op, countdown_ = nth, error_ = error, armed_ = true, write_fails_ = false;
  }
  void clear() { armed_ = false; }
  int calls(Op op) const { return calls_.count(op) ? calls_.at(op) : 0; }
  void reset_counts() { calls_.clear(); }

  int open(const char* path, int flags, mode_t mode) override {
    return hit(Op::kOpen) ? refuse() : FileSystem::open(path, flags, mode);
  }
  ssize_t write(int fd, const void* data, std::size_t n) override {
    if (write_fails_) {
      write_fails_ = false;
      return refuse();
    }
    if (!hit(Op::kWrite)) return FileSystem::write(fd, data, n);
    write_fails_ = true;
    return FileSystem::write(fd, data, n / 2);
  }
  int fsync(int fd) override { return hit(Op::kFsync) ? refuse() : FileSystem::fsync(fd); }
  int mkdir(const char* path, mode_t mode) override {
    return hit(Op::kMkdir) ? refuse() : FileSystem::mkdir(path, mode);
  }
  int rename(const char* from, const char* to) override {
    return hit(Op::kRename) ? refuse() : FileSystem::rename(from, to);
  }

 private:
  bool hit(Op op) {
    ++calls_[op];
    return armed_ && op == op_ && --countdown_ == 0;
  }
  int refuse() const {
    errno = error_;
    return -1;
  }
  std::map<Op, int> calls_;
  Op op_ = Op::kOpen;
  int countdown_ = 0, error_ = 0;
  bool armed_ = false, write_fails_ = false;
};

const char* op_name(Op op) {
  switch (op) {
    case Op::kOpen:
      return "open";
    case Op::kWrite:
      return "write";
    case Op::kFsync:
      return "fsync";
    case Op::kMkdir:
      return "mkdir";
    case Op::kRename:
      return "rename";
  }
  return "?";
}

// About 200 KB, so that the copy takes several writes of the store's 64 KiB.
std::string big_bytes(const std::string& word) {
  std::string bytes;
  for (int i = 0; bytes.size() < 200'000; ++i) bytes += word + " " + std::to_string(i) + "\n";
  return bytes;
}

store::NewRecord new_record(const fs::path& file, const std::string& bytes) {
  kho::testing::write_file(file, bytes);
  store::NewRecord in;
  in.source_path = file.string();
  in.kind = "admin-doc";
  in.dc = {{"title", file.filename().string()}};
  in.pages = {"trang một"};
  in.media_type = "text/plain";
  return in;
}

Status open_with(const TempDir& dir, store::FileSystem* files, std::unique_ptr<store::Store>* out) {
  return store::Store::open(dir.str() + "/data", true, out, files);
}

// What a later open must find: the records given, each naming an original
// whose size and SHA-256 are what it says; under originals/ only files whose
// bytes have the SHA-256 they are named by; nothing left in originals/.tmp.
void check_sound(const TempDir& dir, std::uint64_t records) {
  std::unique_ptr<store::Store> s;
  REQUIRE(open_with(dir, nullptr, &s).ok());
  CHECK(s->record_count() == records);
  CHECK(s->last_sequence() == records);
  for (store::RecordId id = 1; id <= records; ++id) {
    store::Record r;
    REQUIRE(s->get(id, &r).ok());
    for (const auto& original : r.originals) {
      std::string sha;
      REQUIRE(store::sha256_file(s->original_path(original), &sha).ok());
      CHECK(sha == original.sha256);
      CHECK(fs::file_size(s->original_path(original)) == original.size);
    }
  }
  fs::path originals = dir.path() / "data" / "originals";
  CHECK(fs::is_empty(originals / ".tmp"));
  for (const auto& entry : fs::recursive_directory_iterator(originals)) {
    if (!entry.is_regular_file()) continue;
    std::string sha;
    REQUIRE(store::sha256_file(entry.path().string(), &sha).ok());
    INFO(entry.path());
    CHECK(sha == entry.path().filename().string());
  }
}

// Adds A, then B with the Nth `op` failing: B must be refused and leave the
// store as A alone left it; then B is added.
void add_through_fault(Op op, int nth, int error) {
  INFO(op_name(op) << " number " << nth << " fails with " << std::strerror(error));
  TempDir dir;
  FaultyFileSystem files;
  {
    std::unique_ptr<store::Store> s;
    REQUIRE(open_with(dir, &files, &s).ok());
    store::Record a, b;
    bool dup = false;
    REQUIRE(s->add(new_record(dir.path() / "a.txt", big_bytes("một")), &a, &dup).ok());
    files.fail(op, nth, error);
    const std::string b_bytes = big_bytes("hai");
    Status refused = s->add(new_record(dir.path() / "b.txt", b_bytes), &b, &dup);
    INFO(refused.message());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.message().find(dir.str() + "/data/originals") != std::string::npos);
    CHECK(refused.message().find(std::strerror(error)) != std::string::npos);
    CHECK(s->record_count() == 1);
    CHECK(s->last_sequence() == 1);
    std::string b_sha;
    REQUIRE(store::sha256_file((dir.path() / "b.txt").string(), &b_sha).ok());
    std::vector<store::RecordId> holders;
    REQUIRE(s->holders_of_sha256(b_sha, &holders).ok());
    CHECK(holders.empty());

    files.clear();
    REQUIRE(s->add(new_record(dir.path() / "b.txt", b_bytes), &b, &dup).ok());
    CHECK_FALSE(dup);
    CHECK(b.id == 2);
    CHECK(kho::testing::read_file(s->original_path(b.originals.at(0))) == b_bytes);
  }
  check_sound(dir, 2);
}

// How many calls of `op` adding B makes (after A, in a fresh store).
int calls_adding_b(Op op) {
  TempDir dir;
  FaultyFileSystem files;
  std::unique_ptr<store::Store> s;
  REQUIRE(open_with(dir, &files, &s).ok());
  store::Record r;
  bool dup = false;
  REQUIRE(s->add(new_record(dir.path() / "a.txt", big_bytes("một")), &r, &dup).ok());
  files.reset_counts();
  REQUIRE(s->add(new_record(dir.path() / "b.txt", big_bytes("hai")), &r, &dup).ok());
  return files.calls(op);
}

void each_fault_of(Op op, int expected_calls) {
  int calls = calls_adding_b(op);
  CHECK(calls == expected_calls);  // the seam sees every call the store makes
  for (int nth = 1; nth <= calls; ++nth)
    for (int error : {ENOSPC, EIO}) add_through_fault(op, nth, error);
}

// Lowers this process's file size limit (RLIMIT_FSIZE) for its lifetime, so
// that LMDB's writes beyond it fail with EFBIG as they would on a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
};

}  // namespace

TEST_CASE("an original whose copy cannot be created or a folder opened is never acknowledged") {
  // The copy in originals/.tmp, then originals/ab/cd, originals/ab, originals to fsync.
  each_fault_of(Op::kOpen, 4);
}

TEST_CASE("an original that cannot be written whole is never acknowledged") {
  each_fault_of(Op::kWrite, 4);  // 200 KB in writes of 64 KiB
}

TEST_CASE("an original that cannot be fsynced, or its folders, is never acknowledged") {
  each_fault_of(Op::kFsync, 4);  // the copy, then its three folders
}

TEST_CASE("an original whose folder cannot be made is never acknowledged") {
  each_fault_of(Op::kMkdir, 2);  // originals/ab and originals/ab/cd are new for B
}

TEST_CASE("an original that cannot be renamed into place is never acknowledged") {
  each_fault_of(Op::kRename, 1);
}

TEST_CASE("a record LMDB cannot commit is never acknowledged and the next one is") {
  TempDir dir;
  const fs::path mdb = dir.path() / "data" / "db" / "data.mdb";
  {
    std::unique_ptr<store::Store> s;
    REQUIRE(open_with(dir, nullptr, &s).ok());
    store::Record a, b;
    bool dup = false;
    REQUIRE(s->add(new_record(dir.path() / "a.txt", "một"), &a, &dup).ok());
    // A megabyte of page text needs pages past the end of data.mdb.
    store::NewRecord in = new_record(dir.path() / "b.txt", "hai");
    in.pages = {std::string(1 << 20, 'x')};
    Status refused;
    {
      FileSizeLimit limit(fs::file_size(mdb) + 4096);
      refused = s->add(in, &b, &dup);
    }
    INFO(refused.message());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.message().find(mdb.string()) != std::string::npos);
    // A write cut short by the limit is reported by LMDB as EIO.
    CHECK(refused.message().find("commit failed: " + std::string(std::strerror(EIO))) !=
          std::string::npos);
    CHECK(s->record_count() == 1);
    CHECK(s->last_sequence() == 1);
    std::string text;
    CHECK(s->page_text(2, 1, &text).is_not_found());

    REQUIRE(s->add(in, &b, &dup).ok());
    CHECK(b.id == 2);
  }
  check_sound(dir, 2);
}
