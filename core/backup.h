// Backup and restore as BagIt bags (RFC 8493), so that any BagIt tool, or
// coreutils' `sha256sum -c` inside the bag, can check a backup without kho:
//   DEST/bagit.txt, bag-info.txt (Bagging-Date, Payload-Oxum, ...),
//   manifest-sha256.txt, tagmanifest-sha256.txt,
//   DEST/data/db/data.mdb             the store, copied by LMDB itself
//   DEST/data/originals/ab/cd/<sha>   every original the copied store names
//   DEST/data/synonyms.txt            the library's own synonyms, if any
// The search index is derived and not copied: restore rebuilds it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/library.h"

namespace kho {

// Bytes copied so far, bytes to copy (as far as known), the file at hand.
using CopyProgress =
    std::function<void(std::uint64_t done, std::uint64_t total, const std::string& file)>;

struct BackupReport {
  bool incremental = false;          // DEST was already a bag
  std::vector<std::string> copied;   // payload paths copied this time ("data/originals/...")
  std::vector<std::string> damaged;  // originals left out: their bytes are not what was stored
  std::uint64_t copied_bytes = 0;
  std::uint64_t payload_files = 0, payload_bytes = 0;
  double seconds = 0;
};

// Writes (or brings up to date) the bag in `dest`. The store is copied in one
// read transaction, so the bag is one consistent moment of the library even
// while it is being served; the originals copied are exactly those it names.
// Originals are immutable and named by their SHA-256, so a run into an
// existing bag copies only the new ones, and replaces the store's copy and the
// manifests. An original whose bytes are damaged is left out (an earlier sound
// copy in the bag is kept) and named in report->damaged; the rest is backed up.
Status backup_library(Library& library, const std::string& dest, bool compact,
                      const CopyProgress& progress, BackupReport* report);

struct RestoreReport {
  std::uint64_t records = 0, files = 0, bytes = 0;
  double seconds = 0;
};

// Checks the bag first (bagit.txt, every line of both manifests, no payload
// file missing or unlisted, Payload-Oxum) and refuses an invalid one, naming
// the bad file; then makes a library in `dir` (missing or empty) from it and
// rebuilds its index. Nothing is left in `dir` when the bag is refused.
Status restore_library(const std::string& bag, const std::string& dir, const CopyProgress& progress,
                       RestoreReport* report);

}  // namespace kho
