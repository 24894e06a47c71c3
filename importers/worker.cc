#include "importers/worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <nlohmann/json.hpp>

extern char** environ;

namespace kho::importers {

namespace {

constexpr std::size_t kMaxOutput = std::size_t{512} << 20;
constexpr int kExitOutOfMemory = 3;

const char* code_name(Status::Code c) {
  switch (c) {
    case Status::Code::kUnsupported: return "unsupported";
    case Status::Code::kTooLarge: return "too_large";
    case Status::Code::kInvalid: return "invalid";
    case Status::Code::kIoError: return "io";
    default: return "corrupt";
  }
}

Status status_from(const std::string& code, const std::string& message) {
  if (code == "unsupported") return Status::Unsupported(message);
  if (code == "too_large") return Status::TooLarge(message);
  if (code == "invalid") return Status::Invalid(message);
  if (code == "io") return Status::IoError(message);
  return Status::Corrupt(message);
}

// Reads the child's stdout until it closes or the deadline passes.
Status read_until(int fd, std::chrono::steady_clock::time_point deadline, std::string* out) {
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::Busy("timed out");
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Ok();
    out->append(buf, static_cast<std::size_t>(n));
    if (out->size() > kMaxOutput) return Status::TooLarge("extracted text is larger than 512 MiB");
  }
}

Status describe_exit(int status, const WorkerLimits& limits) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU) return Status::Corrupt("parser timed out after " + std::to_string(limits.seconds) + " s");
    return Status::Corrupt("parser crashed (signal " + std::to_string(sig) + ", " + strsignal(sig) + ")");
  }
  if (WEXITSTATUS(status) == kExitOutOfMemory)
    return Status::TooLarge("parser ran out of memory (limit " + std::to_string(limits.memory_bytes >> 20) + " MiB)");
  return Status::Corrupt("parser failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
}

pid_t spawn_worker(const std::string& exe, const std::string& path, int out_fd, Status* status) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string arg0 = "kho", arg1 = "_extract", arg2 = path;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) *status = Status::IoError("cannot start the parser worker " + exe + ": " + std::strerror(rc));
  return rc == 0 ? pid : -1;
}

}  // namespace

int run_worker(const std::string& path, const WorkerLimits& limits) {
  rlimit mem{limits.memory_bytes, limits.memory_bytes};
  setrlimit(RLIMIT_AS, &mem);
  rlimit cpu{static_cast<rlim_t>(limits.seconds), static_cast<rlim_t>(limits.seconds) + 1};
  setrlimit(RLIMIT_CPU, &cpu);
  nlohmann::json reply;
  try {
    Document doc;
    Status s = Registry::builtin().extract(path, &doc);
    if (s.ok()) {
      std::cout << "{\"ok\":true,\"document\":" << to_json(doc) << "}";
      std::cout.flush();
      return std::cout.good() ? 0 : 1;
    }
    reply = {{"ok", false}, {"code", code_name(s.code())}, {"error", s.message()}};
  } catch (const std::bad_alloc&) {
    return kExitOutOfMemory;
  } catch (const std::exception& e) {
    reply = {{"ok", false}, {"code", "corrupt"}, {"error", std::string("parser error: ") + e.what()}};
  }
  std::cout << reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}

Status extract_in_worker(const std::string& worker_exe, const std::string& path, const WorkerLimits& limits,
                         Document* out) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  Status status;
  pid_t pid = spawn_worker(worker_exe, path, fds[1], &status);
  close(fds[1]);
  std::string output;
  if (pid > 0) status = read_until(fds[0], std::chrono::steady_clock::now() + std::chrono::seconds(limits.seconds), &output);
  close(fds[0]);
  if (pid <= 0) return status;
  if (!status.ok()) kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (status.code() == Status::Code::kBusy)
    return Status::Corrupt("parser timed out after " + std::to_string(limits.seconds) + " s");
  if (!status.ok()) return status;
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) return describe_exit(wstatus, limits);
  auto reply = nlohmann::json::parse(output, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) return Status::Corrupt("parser worker gave no answer");
  if (!reply.value("ok", false)) return status_from(reply.value("code", ""), reply.value("error", "unreadable file"));
  return from_json(reply["document"].dump(), out);
}

}  // namespace kho::importers
