// Watch folders for `kho watch` and `kho serve --watch` (cli/watch.cc): each
// folder watched on its own thread, importing through the Library given.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "core/library.h"
#include "core/watch.h"

namespace kho::cli {

struct WatchArgs {
  std::vector<std::string> dirs;
  std::string kind;  // empty: recognised from the content
  std::string school;
  std::string visibility = "private";
  double quiet_seconds = 5;
  bool once = false;
  bool json = false;
};

class WatchThreads {
 public:
  WatchThreads(Library& library, const WatchArgs& args);
  ~WatchThreads();  // stops and joins
  // Checks every folder and starts watching each (events are kept from now).
  Status start();
  // Runs each watcher on its own thread, reporting on stderr (and as JSON
  // lines on stdout when asked).
  void run();
  void stop();
  // Waits for every watcher to end; false when one failed or, with
  // `once`, when a file failed.
  bool join();
  std::vector<const Watcher*> watchers() const;

 private:
  Library& library_;
  WatchArgs args_;
  std::vector<std::unique_ptr<Watcher>> watchers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> ok_{true};
};

int watch(const std::string& data_dir, const WatchArgs& args);

}  // namespace kho::cli
