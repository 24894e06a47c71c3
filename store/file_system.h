// The seam through which the store makes an original durable: creating its
// temporary copy, writing and fsyncing it, making the folders it goes in,
// renaming it into place and fsyncing those folders. Modelled on LevelDB's
// Env: the store makes the real POSIX calls unless it is opened with another
// FileSystem, which a test derives from this one to make the Nth call fail
// (ENOSPC, EIO) and see that nothing half-written is acknowledged.
// Each function is the POSIX call of the same name: -1 and errno on failure.
// LMDB's own writes do not go through it.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>

namespace kho::store {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual int open(const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); }
  virtual ssize_t write(int fd, const void* data, std::size_t n) { return ::write(fd, data, n); }
  virtual int fsync(int fd) { return ::fsync(fd); }
  virtual int mkdir(const char* path, mode_t mode) { return ::mkdir(path, mode); }
  virtual int rename(const char* from, const char* to) { return ::rename(from, to); }

  // The real calls, which every store uses unless a test says otherwise.
  static FileSystem& posix() {
    static FileSystem real;
    return real;
  }
};

}  // namespace kho::store
