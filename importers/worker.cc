// The worker protocol: the child prints one JSON object on stdout and exits 0,
// {"ok":true,"document":{...}} or {"ok":false,"code":"corrupt","error":"..."};
// anything else (a signal, another exit status, no JSON) means the parser broke.
#include "importers/worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <nlohmann/json.hpp>
#include <thread>
#include <type_traits>
#include <vector>

extern char** environ;

namespace kho::importers {

namespace {

constexpr std::size_t kMaxOutput = std::size_t{512} << 20;
constexpr int kExitOutOfMemory = 3;

const char* code_name(Status::Code c) {
  switch (c) {
    case Status::Code::kUnsupported:
      return "unsupported";
    case Status::Code::kTooLarge:
      return "too_large";
    case Status::Code::kInvalid:
      return "invalid";
    case Status::Code::kIoError:
      return "io";
    case Status::Code::kNotFound:
      return "not_found";
    default:
      return "corrupt";
  }
}

Status status_from(const std::string& code, const std::string& message) {
  if (code == "unsupported") return Status::Unsupported(message);
  if (code == "too_large") return Status::TooLarge(message);
  if (code == "invalid") return Status::Invalid(message);
  if (code == "io") return Status::IoError(message);
  if (code == "not_found") return Status::NotFound(message);
  return Status::Corrupt(message);
}

// Reads the child's stdout until it closes or the deadline passes.
Status read_until(int fd, std::chrono::steady_clock::time_point deadline, std::string* out) {
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::Busy("timed out");
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Status::IoError(std::string("poll: ") + std::strerror(errno));
    if (rc == 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Ok();
    out->append(buf, static_cast<std::size_t>(n));
    if (out->size() > kMaxOutput) return Status::TooLarge("extracted text is larger than 512 MiB");
  }
}

// OCR keeps every core busy (ocr.h), so a worker may use its wall-clock
// time on each core.
rlim_t cpu_seconds(const WorkerLimits& limits) {
  return static_cast<rlim_t>(limits.seconds) * std::max(1u, std::thread::hardware_concurrency());
}

Status describe_exit(int status, const WorkerLimits& limits) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU)
      return Status::Corrupt("timed out after " + std::to_string(cpu_seconds(limits)) +
                             " s of CPU time");
    const char* what = sigdescr_np(sig);  // unlike strsignal(), safe from any thread
    return Status::Corrupt("parser crashed (signal " + std::to_string(sig) + ", " +
                           (what ? what : "unknown") + ")");
  }
  if (WEXITSTATUS(status) == 127)  // from the dynamic loader or exec
    return Status::Corrupt("parser worker could not start (exit status 127)");
  if (WEXITSTATUS(status) == kExitOutOfMemory)
    return Status::TooLarge("parser ran out of memory (limit " +
                            std::to_string(limits.memory_bytes >> 20) + " MiB)");
  return Status::Corrupt("parser failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
}

enum class Reaped { kExited, kKilled, kLost };

// A worker that closed its stdout may still hang on the way out; it gets until
// the deadline like everything else, then SIGKILL.
Reaped reap(pid_t pid, std::chrono::steady_clock::time_point deadline, int* wstatus) {
  auto nap = std::chrono::microseconds(200);
  for (;;) {
    pid_t r = waitpid(pid, wstatus, WNOHANG);
    if (r == pid) return Reaped::kExited;
    if (r < 0 && errno != EINTR) return Reaped::kLost;  // ECHILD: SIGCHLD is ignored
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::microseconds(50000));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR) {
  }
  return Reaped::kKilled;
}

// The child starts with default signal handling and nothing blocked, whatever
// the server's threads have set up for themselves.
void reset_signals(posix_spawnattr_t* attr) {
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(attr, &none);
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

// The child reads `in_fd` (or /dev/null when it is -1) and writes `out_fd`.
pid_t spawn_worker(const std::string& exe, std::vector<std::string> args, int in_fd, int out_fd,
                   Status* status) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in_fd < 0)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  reset_signals(&attr);
  args.insert(args.begin(), "kho");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    *status = Status::IoError("cannot start the parser worker " + exe + ": " + std::strerror(rc));
  return rc == 0 ? pid : -1;
}

// Only ever lowers a limit: an unprivileged process cannot raise a hard limit.
void lower_limit(decltype(RLIMIT_AS) resource, rlim_t soft, rlim_t hard) {
  rlimit now{};
  if (getrlimit(resource, &now) != 0) return;
  rlimit want{std::min(soft, now.rlim_max), std::min(hard, now.rlim_max)};
  setrlimit(resource, &want);
}

// The child cannot be told its limits on the command line, so the parent
// lowers them as soon as the child exists; run_worker() lowers them again to
// its own defaults.
void limit_child(pid_t pid, const WorkerLimits& limits) {
  rlim_t seconds = cpu_seconds(limits);
  rlimit mem{limits.memory_bytes, limits.memory_bytes}, cpu{seconds, seconds + 1};
  prlimit(pid, RLIMIT_AS, &mem, nullptr);
  prlimit(pid, RLIMIT_CPU, &cpu, nullptr);
}

// A field of the worker's reply, or `fallback` when missing or mistyped.
template <typename T>
T field(const nlohmann::json& j, const char* name, T fallback) {
  auto it = j.find(name);
  if (it == j.end()) return fallback;
  if constexpr (std::is_same_v<T, bool>)
    return it->is_boolean() ? it->template get<bool>() : fallback;
  else
    return it->is_string() ? it->template get<std::string>() : fallback;
}

Status read_reply(std::string output, Document* out) {
  auto reply = nlohmann::json::parse(output, nullptr, false);
  output = std::string();
  if (reply.is_discarded() || !reply.is_object())
    return Status::Corrupt("parser worker gave no answer");
  if (!field(reply, "ok", false))
    return status_from(field(reply, "code", std::string()),
                       field(reply, "error", std::string("unreadable file")));
  auto doc = reply.find("document");
  if (doc == reply.end()) return Status::Corrupt("parser worker gave no document");
  std::string json = doc->dump();
  reply = nullptr;
  return from_json(json, out);
}

// The child's answer for one file, as JSON; a bad_alloc is left to the caller.
std::string answer(const std::string& path) {
  nlohmann::json reply;
  try {
    Document doc;
    Status s = Registry::builtin().extract(path, &doc);
    if (s.ok()) return "{\"ok\":true,\"document\":" + to_json(doc) + "}";
    reply = {{"ok", false}, {"code", code_name(s.code())}, {"error", s.message()}};
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    reply = {
        {"ok", false}, {"code", "corrupt"}, {"error", std::string("parser error: ") + e.what()}};
  }
  return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// An assistant's messages each way: the length in decimal, a newline, the bytes.
std::string frame(const std::string& bytes) { return std::to_string(bytes.size()) + "\n" + bytes; }

bool write_all(int fd, const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

enum class Frame { kRead, kClosed, kTimedOut, kTooLarge, kBroken };

Frame read_frame(int fd, std::chrono::steady_clock::time_point deadline, std::string* out) {
  std::string buf;
  std::size_t need = std::string::npos, body = 0;
  char chunk[65536];
  for (;;) {
    if (need == std::string::npos) {
      std::size_t nl = buf.find('\n');
      if (nl == std::string::npos && buf.size() > 20) return Frame::kBroken;
      if (nl != std::string::npos) {
        auto [end, ec] = std::from_chars(buf.data(), buf.data() + nl, need);
        if (ec != std::errc() || end != buf.data() + nl) return Frame::kBroken;
        if (need > kMaxOutput) return Frame::kTooLarge;
        body = nl + 1;
      }
    }
    if (need != std::string::npos && buf.size() >= body + need) {
      *out = buf.substr(body, need);
      return Frame::kRead;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Frame::kTimedOut;
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (rc < 0 && errno != EINTR) return Frame::kBroken;
    if (rc <= 0) continue;
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Frame::kClosed;
    if (n < 0) return Frame::kBroken;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace

bool worker_broke(const Status& s) {
  const std::string& m = s.message();
  for (const char* prefix : {"parser crashed", "timed out", "parser failed", "parser ran out",
                             "parser worker", "cannot start the parser worker"})
    if (m.rfind(prefix, 0) == 0) return true;
  return false;
}

int run_worker(const std::string& path, const WorkerLimits& limits) {
  lower_limit(RLIMIT_AS, limits.memory_bytes, limits.memory_bytes);
  lower_limit(RLIMIT_CPU, cpu_seconds(limits), cpu_seconds(limits) + 1);
  lower_limit(RLIMIT_CORE, 0, 0);  // a parser that crashes on a bad file leaves no core dumps about
  try {
    std::cout << answer(path);
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
  } catch (const std::bad_alloc&) {
    return kExitOutOfMemory;
  }
}

int run_assistant(const WorkerLimits& limits) {
  lower_limit(RLIMIT_AS, limits.memory_bytes, limits.memory_bytes);
  lower_limit(RLIMIT_CORE, 0, 0);
  auto forever = std::chrono::steady_clock::now() + std::chrono::hours(24 * 365);
  for (std::string path; read_frame(0, forever, &path) == Frame::kRead;) {
    // Each file gets the CPU time of a one-shot worker on top of what the
    // files before it used; past that, SIGXCPU ends the process.
    rusage used{};
    getrusage(RUSAGE_SELF, &used);
    rlim_t spent = static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec) + 1;
    lower_limit(RLIMIT_CPU, spent + cpu_seconds(limits), RLIM_INFINITY);
    try {
      if (!write_all(1, frame(answer(path)))) return 1;  // the parent has gone
    } catch (const std::bad_alloc&) {
      return kExitOutOfMemory;
    }
  }
  return 0;
}

Status extract_in_worker(const std::string& worker_exe, const std::string& path,
                         const WorkerLimits& limits, Document* out) {
  std::string output;
  if (Status s = run_worker_command(worker_exe, {"_extract", path}, limits, &output); !s.ok())
    return s;
  return read_reply(std::move(output), out);
}

Status run_worker_command(const std::string& worker_exe, const std::vector<std::string>& args,
                          const WorkerLimits& limits, std::string* reply) {
  if (worker_exe.empty()) return Status::Invalid("no parser worker program given");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  Status status;
  pid_t pid = spawn_worker(worker_exe, args, -1, fds[1], &status);
  close(fds[1]);
  if (pid > 0) limit_child(pid, limits);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.seconds);
  std::string output;
  if (pid > 0) status = read_until(fds[0], deadline, &output);
  close(fds[0]);
  if (pid <= 0) return status;
  if (!status.ok()) kill(pid, SIGKILL);
  int wstatus = 0;
  Reaped reaped = reap(pid, deadline, &wstatus);
  if (status.code() == Status::Code::kBusy || (status.ok() && reaped == Reaped::kKilled))
    return Status::Corrupt("timed out after " + std::to_string(limits.seconds) + " s");
  if (!status.ok()) return status;
  if (reaped == Reaped::kExited && (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0))
    return describe_exit(wstatus, limits);
  *reply = std::move(output);
  return Status::Ok();
}

Assistant::Assistant(std::string worker_exe, WorkerLimits limits)
    : exe_(std::move(worker_exe)), limits_(limits) {}

Assistant::~Assistant() { stop(); }

Status Assistant::start() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return Status::IoError(std::string("socketpair: ") + std::strerror(errno));
  Status status;
  pid_t pid = spawn_worker(exe_, {"_assist"}, fds[1], fds[1], &status);
  close(fds[1]);
  if (pid <= 0) {
    close(fds[0]);
    return status;
  }
  rlimit mem{limits_.memory_bytes, limits_.memory_bytes};
  prlimit(pid, RLIMIT_AS, &mem, nullptr);
  pid_ = pid;
  socket_ = fds[0];
  served_ = 0;
  return Status::Ok();
}

// Closing its socket ends the worker's loop; one that does not go is killed.
void Assistant::stop() {
  if (pid_ <= 0) return;
  close(socket_);
  int wstatus = 0;
  reap(pid_, std::chrono::steady_clock::now() + std::chrono::seconds(2), &wstatus);
  pid_ = -1;
  socket_ = -1;
}

// The worker is gone or going (it closed its socket, or `kill_it`): reaped,
// and what became of it said as a one-shot worker's end would be.
Status Assistant::lost(bool kill_it) {
  if (kill_it) kill(pid_, SIGKILL);
  close(socket_);
  int wstatus = 0;
  Reaped reaped = reap(pid_, std::chrono::steady_clock::now() + std::chrono::seconds(2), &wstatus);
  pid_ = -1;
  socket_ = -1;
  if (reaped == Reaped::kExited && !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0))
    return describe_exit(wstatus, limits_);
  return Status::Corrupt("parser worker gave no answer");
}

Status Assistant::ask(const std::string& path, std::string* reply) {
  // A worker that went away between files (killed, say) is replaced once.
  for (int attempt = 0;; ++attempt) {
    if (pid_ <= 0)
      if (Status s = start(); !s.ok()) return s;
    if (write_all(socket_, frame(path))) break;
    Status gone = lost(false);
    if (attempt == 1) return gone;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits_.seconds);
  Frame got = read_frame(socket_, deadline, reply);
  if (got == Frame::kRead) {
    if (++served_ >= kFilesPerProcess) stop();
    return Status::Ok();
  }
  Status gone = lost(got != Frame::kClosed);
  if (got == Frame::kTimedOut)
    return Status::Corrupt("timed out after " + std::to_string(limits_.seconds) + " s");
  if (got == Frame::kTooLarge) return Status::TooLarge("extracted text is larger than 512 MiB");
  return gone;
}

Status Assistant::extract(const std::string& path, Document* out) {
  if (exe_.empty()) return Status::Invalid("no parser worker program given");
  std::string reply;
  if (Status s = ask(path, &reply); !s.ok()) return s;
  return read_reply(std::move(reply), out);
}

}  // namespace kho::importers
