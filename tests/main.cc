// The test programs' main: Catch2's, with two checks a passing run must also pass.
// - A run that matches no test case fails (exit 2): ctest names each entry
//   by its test case, and a name that matches nothing would otherwise pass
//   having run nothing (a ';' in a name splits the entry in two).
// - A run that leaves a process behind fails: this process is made the
//   subreaper of everything the tests start, so a server or worker whose
//   parent forgot it (or that outlived its parent) is found here, named,
//   and killed.
#define CATCH_CONFIG_RUNNER
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Leftover {
  pid_t pid;
  std::string command;
};

// Processes whose parent is this one: children not waited for and orphans
// of children, which the subreaper inherits.
std::vector<Leftover> leftovers() {
  std::vector<Leftover> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid != ::getpid() || state == 'Z') continue;
    auto open = line.find('(');
    found.push_back({std::stoi(name), line.substr(open + 1, close - open - 1)});
  }
  return found;
}

void reap() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// Waits a little for processes that are already stopping, then kills the
// rest. Returns how many had to be killed.
int end_leftovers() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  std::vector<Leftover> found;
  for (;;) {
    reap();
    found = leftovers();
    if (found.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& p : found) {
    std::fprintf(stderr, "test left a process behind: %d (%s); killed\n", p.pid, p.command.c_str());
    ::kill(p.pid, SIGKILL);
  }
  for (std::size_t i = 0; i < found.size(); ++i) ::waitpid(-1, nullptr, 0);
  return static_cast<int>(found.size());
}

}  // namespace

int main(int argc, char* argv[]) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  Catch::Session session;
  session.configData().warnings = static_cast<Catch::WarnAbout::What>(Catch::WarnAbout::NoTests);
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  int rc = session.run();
  if (session.config().listTestNamesOnly() || session.config().listTests()) return rc;
  if (end_leftovers() > 0 && rc == 0) rc = 1;
  return rc;
}
