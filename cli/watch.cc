#include "cli/watch.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>

#include "cli/commands.h"

namespace kho::cli {

namespace {

std::mutex print_mutex;  // lines from several watchers' threads stay whole

void print_line(std::FILE* to, const std::string& line) {
  std::lock_guard lock(print_mutex);
  std::fprintf(to, "%s\n", line.c_str());
  std::fflush(to);
}

std::string describe(const WatchResult& r) {
  std::string ids;
  for (auto id : r.ids) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  std::string where = r.moved_to.empty() ? " (left in place)" : " -> " + r.moved_to;
  if (r.outcome == "imported") return "imported " + r.path + ": record " + ids + where;
  if (r.outcome == "duplicate")
    return "already in the library: " + r.path + ": record " + ids + where;
  return "failed: " + r.path + ": " + r.error + where;
}

}  // namespace

WatchThreads::WatchThreads(Library& library, const WatchArgs& args)
    : library_(library), args_(args) {}

WatchThreads::~WatchThreads() {
  stop();
  join();
}

Status WatchThreads::start() {
  for (const auto& dir : args_.dirs) {
    WatchOptions o;
    o.dir = dir;
    o.import.kind = args_.kind;
    o.import.school = args_.school;
    o.import.visibility = args_.visibility;
    o.import.worker_exe = self_exe();
    o.quiet = std::chrono::milliseconds(static_cast<long long>(args_.quiet_seconds * 1000));
    o.once = args_.once;
    auto w = std::make_unique<Watcher>(library_, o);
    if (Status s = w->start(); !s.ok()) return s;
    watchers_.push_back(std::move(w));
  }
  return Status::Ok();
}

void WatchThreads::run() {
  for (auto& w : watchers_) {
    Watcher* watcher = w.get();
    print_line(stderr, "kho: watching " + watcher->dir() +
                           " (complete files are imported, then moved to done/ or failed/)");
    if (args_.json)
      print_line(stdout, nlohmann::json{{"event", "watching"}, {"dir", watcher->dir()}}.dump());
    threads_.emplace_back([this, watcher] {
      auto report = [&](const WatchResult& r) {
        if (r.outcome == "failed" && args_.once) ok_ = false;
        print_line(stderr, "kho: watch: " + describe(r));
        if (args_.json) {
          auto j = to_json(r);
          j["dir"] = watcher->dir();
          print_line(stdout, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
      };
      auto log = [watcher](const std::string& line) {
        print_line(stderr, "kho: watch " + watcher->dir() + ": " + line);
      };
      if (Status s = watcher->run(report, log); !s.ok()) {
        print_line(stderr, "kho: watch " + watcher->dir() + ": " + s.message());
        ok_ = false;
      }
    });
  }
}

void WatchThreads::stop() {
  for (auto& w : watchers_) w->stop();
}

bool WatchThreads::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  return ok_;
}

std::vector<const Watcher*> WatchThreads::watchers() const {
  std::vector<const Watcher*> out;
  for (const auto& w : watchers_) out.push_back(w.get());
  return out;
}

int watch(const std::string& data_dir, const WatchArgs& args) {
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, true, &library); !s.ok()) {
    std::fprintf(stderr, "kho: %s\n", s.message().c_str());
    return kFailed;
  }
  // The stop signals are taken by one thread (sigtimedwait), so that an
  // import under way finishes and its file is moved before kho ends.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  WatchThreads watchers(*library, args);
  if (Status s = watchers.start(); !s.ok()) {
    std::fprintf(stderr, "kho: %s\n", s.message().c_str());
    return s.is_not_found() ? kNotFound : kFailed;
  }
  std::atomic<bool> finished{false};
  std::thread signals([&] {
    timespec wait{0, 200 * 1000 * 1000};
    while (!finished) {
      if (sigtimedwait(&stop, nullptr, &wait) > 0) {
        print_line(stderr, "kho: stopping (after the file being imported, if any)");
        watchers.stop();
        return;
      }
    }
  });
  watchers.run();
  bool ok = watchers.join();
  finished = true;
  signals.join();
  if (Status s = library->index().catch_up(); !s.ok()) {
    std::fprintf(stderr, "kho: %s\n", s.message().c_str());
    return kFailed;
  }
  return ok ? kOk : kFailed;
}

}  // namespace kho::cli
