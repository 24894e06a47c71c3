// A watch folder: what a scanner or a shared folder drops into DIR (and its
// subfolders) is imported with the rules of `kho import` (Library::import_path:
// sidecars, kinds, school, visibility), once each file is complete, then moved
// to DIR/done/ or DIR/failed/ under the same relative path (a name already
// taken there gets " (2)", " (3)", …: nothing is overwritten). A failed file
// gets NAME.error.txt beside it saying why; every file gets a line in
// DIR/done/kho-watch.log naming its record. Uses inotify (Linux).
//
// Complete means: nobody has the file open (inotify's opens and closes), and
// neither an event nor a change of its size or time came for `quiet`; its
// sidecars (NAME.meta.json, the folder's metadata.csv) must be complete too,
// so a sidecar that arrives within the quiet period still applies. Names that
// copying tools use for partial files (".name", "~$name", "*.part", "*.tmp",
// "*.crdownload") are left alone until renamed. Sidecars stay where they are
// until their file is taken (NAME.meta.json then moves with it).
//
// Restarts: files already waiting are taken on start. A crash after the
// store's commit but before the move leaves the file in DIR; it is taken
// again and the store answers that its bytes are a record already: it goes
// to done/ naming that record, and no second record is made.
// Symbolic links and other non-files are refused (moved to failed/), never
// followed; done/ and failed/ are not watched.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/library.h"

namespace kho {

struct WatchOptions {
  std::string dir;
  ImportOptions import;  // as `kho import` takes them; worker_exe should be set
  std::chrono::milliseconds quiet{std::chrono::seconds(5)};
  bool once = false;  // take what is there (once complete), then return
};

// What became of one file.
struct WatchResult {
  std::string at;                    // UTC, e.g. 2026-12-06T18:30:01Z
  std::string path;                  // relative to DIR
  std::string outcome;               // "imported", "duplicate" or "failed"
  std::vector<store::RecordId> ids;  // its record (an archive: one per file in it)
  std::string error;                 // failed: why, in plain words
  std::string moved_to;              // relative to DIR: "done/a/b.pdf"; "" if it could not move
};
// {"event": outcome, "at", "path", "id" (one record), "ids", "error", "moved_to"}
nlohmann::json to_json(const WatchResult& result);

// A watcher's state, for an admin's view (GET /api/v1/watch).
struct WatchState {
  std::string dir, school;
  bool running = false;
  std::size_t waiting = 0, imported = 0, duplicates = 0, failed = 0;  // since it started
  std::vector<WatchResult> recent;                                    // newest first
};

class Watcher {
 public:
  static constexpr std::size_t kRecent = 50;

  Watcher(Library& library, WatchOptions options);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Checks DIR (a folder, not the library's own), makes done/ and failed/,
  // and starts watching: files dropped from now on are seen. Busy when
  // another watcher (in any process) has DIR.
  Status start();
  // Takes files as they become complete until stop() (or, with `once`,
  // until none waits). `report` (may be empty) hears of each file; `log`
  // (may be empty) gets progress lines. Not OK only when watching broke.
  Status run(const std::function<void(const WatchResult&)>& report,
             const std::function<void(const std::string&)>& log);
  // From any thread (async-signal-safe): run() returns after the file it is
  // importing, if any.
  void stop();
  WatchState state() const;
  const std::string& dir() const { return dir_; }
  const std::string& school() const { return options_.import.school; }

 private:
  // A file seen but not taken yet.
  struct Pending {
    long long size = -1;
    long long mtime_ns = -1;
    std::chrono::steady_clock::time_point changed;  // last event or change seen
    int opens = 0;                                  // opens seen less closes seen
  };
  Library& library_;
  WatchOptions options_;
  std::string dir_;  // absolute, links resolved
  int inotify_ = -1, stop_ = -1, lock_ = -1;
  std::map<int, std::string> watches_;  // watch descriptor -> folder relative to DIR ("" is DIR)
  std::map<std::string, Pending> pending_;  // relative path -> what is known of it
  std::set<std::string> stuck_;             // could not be moved: left until it changes
  std::function<void(const std::string&)> log_;
  mutable std::mutex mutex_;  // guards state_
  WatchState state_;

  void say(const std::string& line) const;
  void scan(const std::string& folder, std::chrono::steady_clock::time_point since);
  void unwatch(const std::string& folder);
  Status read_events();
  void on_event(int wd, std::uint32_t mask, const std::string& name);
  bool stop_requested() const;
  std::vector<std::string> ready();
  WatchResult take(const std::string& rel);
  void finish(const std::string& rel, WatchResult* result, const std::string& reason_text);
  void record(const WatchResult& result);
};

}  // namespace kho
