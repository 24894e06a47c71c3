// A bounded run of an external tool: posix_spawn (no shell), a pipe for its
// output, poll() against a deadline, SIGKILL when it overruns.
#include "importers/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace kho::importers {

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Kills and reaps the child on every way out, unless it was reaped already.
struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
};

struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup(int out_fd) {
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::string tool_name(const std::vector<std::string>& argv) {
  std::string exe = argv.empty() ? "" : argv[0];
  return exe.substr(exe.rfind('/') + 1);
}

Status collect(int fd, const std::string& tool, const ToolLimits& limits, std::string* out) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.seconds);
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Status::Busy(tool + " timed out after " + std::to_string(limits.seconds) + " s");
    pollfd p{fd, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Status::IoError(std::string("poll: ") + std::strerror(errno));
    if (rc == 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Ok();
    out->append(buf, static_cast<std::size_t>(n));
    if (out->size() > limits.max_output)
      return Status::TooLarge(tool + " wrote more than " + std::to_string(limits.max_output >> 20) +
                              " MiB of text");
  }
}

}  // namespace

std::string find_tool(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return "";
}

Status run_tool(const std::vector<std::string>& argv, const ToolLimits& limits,
                std::string* output) {
  const std::string tool = tool_name(argv);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  Fd read_end{fds[0]}, write_end{fds[1]};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The environment as it is, or with HOME replaced.
  std::vector<std::string> env_strings;
  std::vector<char*> env;
  for (char** e = environ; !limits.home.empty() && *e; ++e)
    if (std::strncmp(*e, "HOME=", 5) != 0) env_strings.emplace_back(*e);
  if (!limits.home.empty()) env_strings.push_back("HOME=" + limits.home);
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  Child child;
  {
    SpawnSetup setup(write_end.fd);
    int rc = ::posix_spawn(&child.pid, args[0], &setup.actions, &setup.attr, args.data(),
                           limits.home.empty() ? environ : env.data());
    if (rc != 0) {
      child.pid = -1;
      return Status::IoError("cannot run " + tool + ": " + std::strerror(rc));
    }
  }
  ::close(write_end.fd), write_end.fd = -1;  // so that its exit closes the pipe
  output->clear();
  if (Status s = collect(read_end.fd, tool, limits, output); !s.ok()) return s;  // ~Child kills it
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  child.pid = -1;
  if (WIFSIGNALED(status))
    return Status::Corrupt(tool + " crashed (signal " + std::to_string(WTERMSIG(status)) + ")");
  if (WEXITSTATUS(status) != 0)
    return Status::Corrupt(tool + " could not read the file (exit status " +
                           std::to_string(WEXITSTATUS(status)) + ")");
  return Status::Ok();
}

}  // namespace kho::importers
