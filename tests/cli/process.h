// Runs the built kho binary as a user would, capturing what it prints.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/testing.h"

extern char** environ;

namespace kho::testing {

struct Run {
  int exit_code = -1;
  std::string out, err;
};

class Process {
 public:
  // Standard input comes from `input` (a file path).
  explicit Process(std::vector<std::string> args, const std::string& input = "/dev/null") {
    args.insert(args.begin(), kho_binary());
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + args[0]);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  const std::string& out() const { return result_.out; }

  // Reads stdout until it holds `marker` (or the timeout passes).
  bool wait_for_output(const std::string& marker, int seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (result_.out.find(marker) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline || !pump(100)) return false;
    }
    return true;
  }

  // Waits for the process to end (killing it after `seconds`), returns what it printed.
  Run finish(int sig = 0, int seconds = 120) {
    // Once finished there is no process: kill(-1, …) would signal every process we may.
    if (pid_ <= 0) return result_;
    if (sig != 0) kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (pump(200)) {
      if (std::chrono::steady_clock::now() > deadline) kill(pid_, SIGKILL);
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result_;
  }

 private:
  // Moves available output into the buffers; false once both pipes are closed.
  bool pump(int timeout_ms) {
    std::vector<pollfd> fds;
    if (out_open_) fds.push_back({out_, POLLIN, 0});
    if (err_open_) fds.push_back({err_, POLLIN, 0});
    if (fds.empty()) return false;
    if (poll(fds.data(), fds.size(), timeout_ms) < 0) return errno == EINTR;
    char buf[65536];
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      ssize_t n = read(p.fd, buf, sizeof buf);
      bool is_out = p.fd == out_;
      if (n > 0) {
        (is_out ? result_.out : result_.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        (is_out ? out_open_ : err_open_) = false;
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
  bool out_open_ = true, err_open_ = true;
  Run result_;
};

inline Run run_kho(std::vector<std::string> args) { return Process(std::move(args)).finish(); }

// Runs kho with `input` on its standard input (through a file in `dir`).
inline Run run_kho_with_input(std::vector<std::string> args, const std::string& input,
                              const std::filesystem::path& dir) {
  auto path = dir / "stdin.txt";
  write_file(path, input);
  return Process(std::move(args), path.string()).finish();
}

}  // namespace kho::testing
