// Runs an importer in a child process so that a parser that crashes, hangs or
// eats memory costs one file, not the batch or the server (Omega's
// worker/assistant design). The one-shot child is `kho _extract FILE`: it
// lowers its own limits (RLIMIT_AS, RLIMIT_CPU), extracts, and writes the
// Document as JSON on stdout; the lasting one (Assistant) is `kho _assist`,
// which does the same for file after file. The parent enforces a wall-clock
// timeout and kills a worker after that.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "importers/importer.h"

namespace kho::importers {

struct WorkerLimits {
  std::size_t memory_bytes = std::size_t{2} << 30;  // address space of the child
  // Wall-clock time; CPU time is this on every core, as OCR uses them all.
  // Ten minutes lets a scanned book through: OCR of a dense A4 page costs
  // about 3 s of CPU (bench/ocr), so some 400 pages on two cores.
  int seconds = 600;
};

// The child side: sets limits, extracts `path`, prints JSON, returns exit code.
int run_worker(const std::string& path, const WorkerLimits& limits);

// The parent side. `worker_exe` is the kho binary (normally /proc/self/exe).
// A bad file gives a Status naming the reason ("truncated PDF", "timed out",
// "parser crashed (signal 11)", "out of memory").
Status extract_in_worker(const std::string& worker_exe, const std::string& path,
                         const WorkerLimits& limits, Document* out);

// A worker kept running from file to file, as Omega's assistants are: the
// process start (most of the cost of a small file) is paid once per
// kFilesPerProcess files. It answers each file as a one-shot worker would; a
// crash, a hang or running out of memory costs the file being read, and the
// next file gets a fresh process. One caller at a time.
class Assistant {
 public:
  static constexpr int kFilesPerProcess = 200;  // then a fresh heap
  Assistant(std::string worker_exe, WorkerLimits limits);
  ~Assistant();
  Assistant(const Assistant&) = delete;
  Assistant& operator=(const Assistant&) = delete;

  Status extract(const std::string& path, Document* out);

 private:
  Status start();
  void stop();
  Status ask(const std::string& path, std::string* reply);
  Status lost(bool kill_it);
  std::string exe_;
  WorkerLimits limits_;
  int pid_ = -1;
  int socket_ = -1;
  int served_ = 0;
};

// The child side of an Assistant (`kho _assist`): reads requests on stdin and
// answers on stdout until stdin closes. Returns the exit code.
int run_assistant(const WorkerLimits& limits);

// Runs `kho ARGS…` (worker_exe) as a worker under `limits`; *reply is what it
// printed. A crash, a timeout or running out of memory gives a Status.
Status run_worker_command(const std::string& worker_exe, const std::vector<std::string>& args,
                          const WorkerLimits& limits, std::string* reply);

// True when a Status from extract_in_worker says the worker broke (crashed,
// hung, ran out of memory, died, could not start) rather than that it read
// the file and found it bad. One broken run is a bad file; many in a row
// mean a broken filter.
bool worker_broke(const Status& s);

// JSON round trip of a Document, used across the worker pipe.
std::string to_json(const Document& doc);
Status from_json(const std::string& json, Document* out);

}  // namespace kho::importers
