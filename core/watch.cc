#include "core/watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>  // renameat2
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace kho {

namespace {

// Every change that can mean a file is arriving, is done, or has gone.
constexpr std::uint32_t kEvents = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB |
                                  IN_OPEN | IN_CLOSE_NOWRITE | IN_MOVED_FROM | IN_DELETE |
                                  IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
constexpr const char* kLog = "kho-watch.log";

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Names copying tools give a file while it is still arriving (rsync,
// browsers, Office's lock files, hidden temporaries): left alone.
bool partial_name(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.rfind("~$", 0) == 0) return true;
  for (const char* tail : {".part", ".partial", ".tmp", ".crdownload"})
    if (ends_with(name, tail)) return true;
  return false;
}

bool is_sidecar(const std::string& name) {
  return name == "metadata.csv" || (name.size() > 10 && ends_with(name, ".meta.json"));
}

std::string join(const std::string& folder, const std::string& name) {
  return folder.empty() ? name : folder + "/" + name;
}

std::string parent_of(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

long long mtime_ns(const struct stat& st) {
  return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// "a/b.pdf" as the n-th of its name: "a/b (2).pdf".
std::string nth_name(const std::string& rel, int n) {
  if (n == 1) return rel;
  std::string folder = parent_of(rel), base = rel.substr(folder.empty() ? 0 : folder.size() + 1);
  auto dot = base.rfind('.');
  if (dot == 0 || dot == std::string::npos) dot = base.size();
  return join(folder, base.substr(0, dot) + " (" + std::to_string(n) + ")" + base.substr(dot));
}

// Makes `root`/`rel_folder`, each part a real folder: a link planted in
// done/ must not lead the move elsewhere.
Status make_folders(const std::string& root, const std::string& rel_folder) {
  std::string path = root;
  std::string rest = rel_folder;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    path += "/" + rest.substr(0, slash);
    rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (::mkdir(path.c_str(), 0775) != 0 && errno != EEXIST)
      return Status::IoError("cannot make folder " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return Status::Invalid(path + " is not a folder (a link?): nothing is moved into it");
  }
  return Status::Ok();
}

// Moves without ever replacing what is at `to`; 0 or an errno.
int move_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  // A file system without RENAME_NOREPLACE (some network mounts): link, then unlink.
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  return ::unlink(from.c_str()) == 0 ? 0 : errno;
}

Status write_new_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0664);
  if (fd < 0) return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

// The import's answer for one dropped file (an archive: for each file in it).
void judge(const std::vector<ImportItem>& items, const std::string& abs, WatchResult* r,
           std::string* reason) {
  std::string failures, imported;
  bool any_new = false;
  for (const auto& item : items) {
    std::string name = item.name == abs ? "" : item.name + ": ";
    if (!item.status.ok()) {
      failures += (failures.empty() ? "" : "\n") + name + item.status.message();
      continue;
    }
    r->ids.push_back(item.record.id);
    any_new = any_new || !item.duplicate;
    imported += "  " + (name.empty() ? "this file" : item.name) + ": record " +
                std::to_string(item.record.id) + (item.duplicate ? " (already there)\n" : "\n");
  }
  if (items.empty()) failures = "nothing in it could be imported";
  if (failures.empty()) {
    r->outcome = any_new ? "imported" : "duplicate";
    return;
  }
  r->outcome = "failed";
  r->error = failures;
  *reason = "kho could not import " + r->path + " (" + r->at + "):\n\n" + failures + "\n";
  if (!imported.empty())
    *reason += "\nThese were imported all the same:\n" + imported +
               "Putting the file into the watch folder again is safe: what is already in the "
               "library is recognised, not imported twice.\n";
  else
    *reason +=
        "\nWhat to do: correct the file (or its .meta.json) and put it into the watch "
        "folder again.\n";
}

}  // namespace

nlohmann::json to_json(const WatchResult& r) {
  nlohmann::json j = {{"event", r.outcome}, {"at", r.at}, {"path", r.path}, {"ids", r.ids}};
  if (r.ids.size() == 1) j["id"] = r.ids.front();
  if (!r.error.empty()) j["error"] = r.error;
  j["moved_to"] = r.moved_to;
  return j;
}

Watcher::Watcher(Library& library, WatchOptions options)
    : library_(library), options_(std::move(options)) {}

Watcher::~Watcher() {
  if (inotify_ >= 0) ::close(inotify_);
  if (stop_ >= 0) ::close(stop_);
  if (lock_ >= 0) ::close(lock_);
}

Status Watcher::start() {
  std::error_code ec;
  fs::path dir = fs::canonical(options_.dir, ec);
  if (ec || !fs::is_directory(dir, ec))
    return Status::NotFound("watch folder " + options_.dir + ": no such folder");
  dir_ = dir.string();
  if (fs::equivalent(dir_, library_.store().data_dir(), ec))
    return Status::Invalid("watch folder " + options_.dir + " is the library's own data folder");
  for (const char* box : {"done", "failed"})
    if (Status s = make_folders(dir_, box); !s.ok()) return s;
  // Two watchers of one folder would both take each file: one is enough.
  std::string lock_path = dir_ + "/done/.kho-watch.lock";
  lock_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0664);
  if (lock_ < 0) return Status::IoError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_, LOCK_EX | LOCK_NB) != 0)
    return Status::Busy("watch folder " + dir_ + " is already watched by another kho");
  inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  stop_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_ < 0 || stop_ < 0)
    return Status::IoError(std::string("cannot watch folders: ") + std::strerror(errno));
  // What waits already was most likely complete long ago: one short look
  // that its size holds, not a whole quiet period.
  auto look = std::min<Clock::duration>(options_.quiet, std::chrono::seconds(1));
  scan("", Clock::now() - options_.quiet + look);
  if (watches_.empty())
    return Status::IoError("cannot watch " + dir_ + ": " + std::strerror(errno));
  std::lock_guard lock(mutex_);
  state_.dir = dir_;
  state_.school = options_.import.school;
  state_.running = true;
  return Status::Ok();
}

void Watcher::stop() {
  std::uint64_t one = 1;
  if (stop_ >= 0) {
    ssize_t n = ::write(stop_, &one, sizeof one);  // only fails when 2^64 stops are pending
    (void)n;
  }
}

bool Watcher::stop_requested() const {
  pollfd p{stop_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

WatchState Watcher::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void Watcher::say(const std::string& line) const {
  if (log_) log_(line);
}

// Watches `folder` (relative to DIR) and everything under it, and notes each
// file in it as pending, changed at `since`.
void Watcher::scan(const std::string& folder, Clock::time_point since) {
  std::string abs = folder.empty() ? dir_ : dir_ + "/" + folder;
  std::error_code ec;
  if (fs::equivalent(abs, library_.store().data_dir(), ec)) return;  // kho's own files
  // The watch first, then the listing: a file arriving in between is in one or both.
  int wd = ::inotify_add_watch(inotify_, abs.c_str(), kEvents);
  if (wd < 0) {
    say("cannot watch " + abs + ": " + std::strerror(errno));
    return;
  }
  watches_[wd] = folder;
  DIR* d = ::opendir(abs.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (folder.empty() && (name == "done" || name == "failed")) continue;
    if (!partial_name(name)) names.push_back(name);
  }
  ::closedir(d);
  for (const auto& name : names) {
    std::string rel = join(folder, name);
    struct stat st {};
    if (::lstat((dir_ + "/" + rel).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      scan(rel, since);
    } else if (!pending_.count(rel)) {
      pending_[rel] = Pending{static_cast<long long>(st.st_size), mtime_ns(st), since, 0};
    }
  }
}

// A folder moved away or deleted: nothing under it is watched or waits.
void Watcher::unwatch(const std::string& folder) {
  auto under = [&](const std::string& rel) {
    return rel == folder || rel.rfind(folder + "/", 0) == 0;
  };
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (under(it->second)) {
      ::inotify_rm_watch(inotify_, it->first);
      it = watches_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(pending_, [&](const auto& p) { return under(p.first); });
}

Status Watcher::read_events() {
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(inotify_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return Status::Ok();
    if (n <= 0) return Status::IoError(std::string("cannot read changes: ") + std::strerror(errno));
    for (char* p = buf; p < buf + n;) {
      auto* e = reinterpret_cast<inotify_event*>(p);
      on_event(e->wd, e->mask, e->len > 0 ? std::string(e->name) : std::string());
      p += sizeof(inotify_event) + e->len;
    }
  }
}

void Watcher::on_event(int wd, std::uint32_t mask, const std::string& name) {
  auto now = Clock::now();
  if (mask & IN_Q_OVERFLOW) {  // events were lost: look at everything again
    say("many changes at once: looking at the whole folder again");
    for (auto& [rel, p] : pending_) p = Pending{p.size, p.mtime_ns, now, 0};
    scan("", now);
    return;
  }
  auto w = watches_.find(wd);
  if (w == watches_.end()) return;
  if (mask & IN_IGNORED) {
    watches_.erase(w);
    return;
  }
  const std::string folder = w->second;
  if (name.empty() || partial_name(name)) return;
  if (folder.empty() && (name == "done" || name == "failed")) return;
  const std::string rel = join(folder, name);
  if (mask & IN_ISDIR) {
    if (mask & (IN_CREATE | IN_MOVED_TO)) scan(rel, now);
    if (mask & (IN_MOVED_FROM | IN_DELETE)) unwatch(rel);
    return;
  }
  if (mask & (IN_DELETE | IN_MOVED_FROM)) {
    pending_.erase(rel);
    stuck_.erase(rel);
    return;
  }
  if (mask & (IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE)) stuck_.erase(rel);
  if (mask & (IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB))
    pending_[rel].changed = now;
  // Opens and closes only count for files already waiting: kho's own reads
  // of a file it has taken must not bring it back.
  auto it = pending_.find(rel);
  if (it == pending_.end()) return;
  if (mask & IN_OPEN) {
    ++it->second.opens;
    it->second.changed = now;
  }
  if (mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE))
    it->second.opens = std::max(0, it->second.opens - 1);
}

// The files complete now, in name order; settled sidecars stop waiting.
std::vector<std::string> Watcher::ready() {
  auto now = Clock::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    struct stat st {};
    if (::lstat((dir_ + "/" + it->first).c_str(), &st) != 0 || S_ISDIR(st.st_mode)) {
      it = pending_.erase(it);
      continue;
    }
    Pending& p = it->second;
    if (p.size != st.st_size || p.mtime_ns != mtime_ns(st)) {
      p.size = st.st_size;
      p.mtime_ns = mtime_ns(st);
      p.changed = now;
    }
    ++it;
  }
  auto settled = [&](const std::string& rel) {
    auto it = pending_.find(rel);
    return it == pending_.end() ||
           (it->second.opens <= 0 && now - it->second.changed >= options_.quiet);
  };
  std::vector<std::string> out, sidecars;
  for (const auto& [rel, p] : pending_) {
    if (!settled(rel)) continue;
    std::string folder = parent_of(rel), name = rel.substr(folder.empty() ? 0 : folder.size() + 1);
    if (is_sidecar(name)) {
      sidecars.push_back(rel);
    } else if (!stuck_.count(rel) && settled(rel + ".meta.json") &&
               settled(join(folder, "metadata.csv"))) {
      out.push_back(rel);
    }
  }
  for (const auto& rel : sidecars) pending_.erase(rel);
  return out;
}

// Imports one complete file and moves it to done/ or failed/.
WatchResult Watcher::take(const std::string& rel) {
  pending_.erase(rel);
  WatchResult r;
  r.at = utc_now();
  r.path = rel;
  const std::string abs = dir_ + "/" + rel;
  std::string reason;
  struct stat st {};
  if (::lstat(abs.c_str(), &st) != 0) return r;  // taken away meanwhile: nothing to say
  if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
    r.outcome = "failed";
    r.error = S_ISLNK(st.st_mode)
                  ? "a symbolic link: kho takes only files put into the watch folder itself, "
                    "never what a link points to"
                  : "not a file (a pipe, socket or device)";
    reason = "kho could not import " + rel + " (" + r.at + "):\n\n" + r.error + "\n";
  } else {
    std::vector<ImportItem> items;
    Status s = library_.import_path(abs, options_.import,
                                    [&](const ImportItem& item) { items.push_back(item); });
    if (!s.ok()) items.push_back({abs, s, store::Record{}, false});
    judge(items, abs, &r, &reason);
  }
  finish(rel, &r, reason);
  return r;
}

// Moves the file (and its NAME.meta.json) to done/ or failed/ under the
// first free name, writes the reason beside a failed one, and logs it.
void Watcher::finish(const std::string& rel, WatchResult* r, const std::string& reason) {
  const bool failed = r->outcome == "failed";
  const std::string box = failed ? "failed" : "done";
  const std::string abs = dir_ + "/" + rel, sidecar = abs + ".meta.json";
  struct stat st {};
  const bool has_sidecar = ::lstat(sidecar.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  Status s = make_folders(dir_ + "/" + box, parent_of(rel));
  std::string target;
  for (int n = 1; s.ok() && n < 10000; ++n) {
    std::string candidate = box + "/" + nth_name(rel, n), full = dir_ + "/" + candidate;
    if (exists(full) || exists(full + ".meta.json") || exists(full + ".error.txt")) continue;
    target = candidate;
    break;
  }
  if (s.ok() && target.empty()) s = Status::IoError("no free name in " + box + "/ for " + rel);
  const std::string full = dir_ + "/" + target;
  // The sidecar first: a crash before the file moves leaves the file to be
  // taken again, as a duplicate of the record just made.
  if (s.ok() && has_sidecar) {
    if (int e = move_no_replace(sidecar, full + ".meta.json"); e != 0)
      say("cannot move " + rel + ".meta.json: " + std::strerror(e));
  }
  if (s.ok() && failed) s = write_new_file(full + ".error.txt", reason);
  if (s.ok()) {
    if (int e = move_no_replace(abs, full); e != 0)
      s = Status::IoError("cannot move it to " + target + ": " + std::strerror(e));
  }
  if (!s.ok()) {
    say(rel + ": " + s.message() + "; it stays where it is until it changes");
    stuck_.insert(rel);
    return;
  }
  r->moved_to = target;
  std::string ids;
  for (auto id : r->ids) ids += (ids.empty() ? "record " : ", ") + std::to_string(id);
  std::string first_line = r->error.substr(0, r->error.find('\n'));
  std::string line = r->at + "\t" + r->outcome + "\t" + rel + "\t" + (ids.empty() ? "-" : ids) +
                     "\t" + target + (failed ? "\t" + first_line : "") + "\n";
  int fd = ::open((dir_ + "/done/" + kLog).c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0664);
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    say(std::string("cannot write done/") + kLog + ": " + std::strerror(errno));
  if (fd >= 0) ::close(fd);
}

void Watcher::record(const WatchResult& r) {
  std::lock_guard lock(mutex_);
  (r.outcome == "imported"    ? state_.imported
   : r.outcome == "duplicate" ? state_.duplicates
                              : state_.failed)++;
  state_.recent.insert(state_.recent.begin(), r);
  if (state_.recent.size() > kRecent) state_.recent.pop_back();
}

Status Watcher::run(const std::function<void(const WatchResult&)>& report,
                    const std::function<void(const std::string&)>& log) {
  log_ = log;
  auto tick = std::clamp<Clock::duration>(options_.quiet / 4, std::chrono::milliseconds(50),
                                          std::chrono::milliseconds(500));
  Status result;
  for (;;) {
    for (const auto& rel : ready()) {
      if (stop_requested()) break;
      WatchResult r = take(rel);
      if (r.outcome.empty()) continue;
      record(r);
      if (report) report(r);
    }
    std::size_t waiting = std::count_if(pending_.begin(), pending_.end(), [](const auto& p) {
      return !is_sidecar(fs::path(p.first).filename().string());
    });
    {
      std::lock_guard lock(mutex_);
      state_.waiting = waiting;
    }
    if (options_.once && waiting == 0) break;
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_, POLLIN, 0}};
    int n = ::poll(
        fds, 2,
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(tick).count()));
    if (n < 0 && errno != EINTR) {
      result = Status::IoError(std::string("cannot watch: ") + std::strerror(errno));
      break;
    }
    if (fds[1].revents & POLLIN) break;
    if (fds[0].revents & POLLIN) {
      if (result = read_events(); !result.ok()) break;
    }
  }
  std::lock_guard lock(mutex_);
  state_.running = false;
  return result;
}

}  // namespace kho
