// Archives (ZIP, TAR, TAR.GZ/BZ2/XZ, 7z, RAR: whatever libarchive reads)
// unpacked for import. An entry's name is only ever a label (its provenance):
// entries are written under numbered names in a directory the caller owns, so
// no name can reach outside it. Links, absolute or ".." paths refuse the whole
// archive, and so do the bomb limits. Unpacking untrusted archives runs in a
// worker process (kho _unpack) like every parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "importers/worker.h"

namespace kho::importers {

struct ArchiveLimits {
  std::uint64_t max_total = std::uint64_t{4} << 30;  // uncompressed bytes, all entries
  std::uint64_t max_ratio = 200;                     // uncompressed : archive size
  std::size_t max_entries = 10000;
};

struct ArchiveEntry {
  std::string name;   // path inside the archive, UTF-8 NFC (legacy code pages converted)
  std::string file;   // where its bytes are now; empty when it could not be read
  std::string error;  // why not (e.g. "encrypted"), when file is empty
};

// True when the head of a file is an archive's: ZIP, TAR, 7z, RAR, or a
// gzip/bzip2/xz stream (a compressed TAR). Office files and EPUBs are ZIPs
// too: ask the Registry first.
bool looks_like_archive(std::string_view head);

// Writes the archive's regular files into `dir` (which must exist) as 1, 2, ….
Status unpack(const std::string& archive, const std::string& dir, const ArchiveLimits& limits,
              std::vector<ArchiveEntry>* out);

// The same in a worker process; the child side is run_unpack_worker.
Status unpack_in_worker(const std::string& worker_exe, const std::string& archive,
                        const std::string& dir, std::vector<ArchiveEntry>* out);
int run_unpack_worker(const std::string& archive, const std::string& dir);

}  // namespace kho::importers
