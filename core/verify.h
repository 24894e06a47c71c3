// Fixity: proving the library is still what was stored. `kho verify` and the
// server's scheduled check re-read every original (its size and SHA-256), read
// the LMDB store through, and compare the index with the store. What is wrong
// is reported in plain words naming the record and the file; a damaged
// original is marked in the store so that it is never served as sound.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/library.h"

namespace kho {

struct VerifyProblem {
  // "damaged" (an original's bytes changed), "missing" (an original is gone),
  // "unreadable" (the disk will not give it), "store" (LMDB), "index".
  std::string kind;
  store::RecordId record = 0;  // 0: not one record's
  std::string filename;        // the name the original was imported under
  std::string file;            // its path on disk
  std::string what;            // in plain words
};

struct VerifyReport {
  std::string started_at, finished_at;  // RFC 3339, UTC
  double seconds = 0;
  std::uint64_t records = 0, originals = 0, bytes = 0;
  std::vector<VerifyProblem> problems;
  bool sound() const { return problems.empty(); }
};

std::string to_json(const VerifyReport& report);
Status from_json(const std::string& json, VerifyReport* out);

struct VerifyOptions {
  // Told of the bytes read so far, of how many there are, and the file being
  // read; returning false stops the check (Busy), and nothing is recorded.
  std::function<bool(std::uint64_t done, std::uint64_t total, const std::string& file)> progress;
};

// Checks everything; the report is kept in the store (last_verification) and
// damage marks follow it. Non-OK only when the check could not run.
Status verify_library(Library& library, const VerifyOptions& options, VerifyReport* out);

// The report of the last complete check; NotFound when there was none.
Status last_verification(const store::Store& store, VerifyReport* out);

// Re-reads one original before it is given out whole: Corrupt (or NotFound,
// IoError) with a message naming the record and file when it is not sound;
// its damage mark follows what was found.
Status check_before_serving(store::Store& store, const store::Record& record,
                            const store::Original& original);

// The message for an original found damaged, naming the record and file.
std::string damage_message(const store::Record& record, const store::Original& original,
                           const std::string& path, const Status& found);

}  // namespace kho
