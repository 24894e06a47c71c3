// The HTTP API and the web UI, served by Pistache. Thin: each route parses,
// calls the Library, and renders JSON. Errors are {"error": {"code", "message"}}
// with the matching status. Listens on 127.0.0.1 unless told otherwise.
// Pistache 0.0.5 hazards (see shared notes) are handled here: a route for every
// method is registered before serving, handlers catch everything and answer on
// their own thread, request bodies are bounded, Range is implemented by kho.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/library.h"
#include "core/watch.h"

namespace kho::api {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see Server::port())
  std::size_t threads = 2;
  // The largest upload, in one request; only a signed-in caller may send it,
  // and it is buffered whole (Pistache 0.0.5). Larger files: `kho import`.
  std::size_t max_request_bytes = std::size_t{64} << 20;
  // A resumable upload (POST /api/v1/uploads, then PATCH in chunks): its
  // whole size, and the largest chunk, the only body held in memory.
  std::uint64_t max_upload_bytes = std::uint64_t{4} << 30;
  std::size_t upload_chunk_bytes = std::size_t{8} << 20;
  // Any other request body (sign-in, OAI-PMH forms): refused beyond this
  // before it is read.
  std::size_t max_small_body_bytes = std::size_t{64} << 10;
  int verify_per_minute = 10;  // public verifications per client address
  // Hostile or broken clients: a request head must arrive within
  // header_timeout and a whole request within body_timeout; an idle
  // keep-alive connection ends after idle_timeout; an answer whose reader
  // takes nothing for write_stall_timeout is abandoned.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds body_timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds write_stall_timeout{std::chrono::seconds(30)};
  // Open connections, in total (also bounded by the descriptors the process
  // may open, less those kept for its own work) and per client address.
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 256;
  // Answers too large for the socket at once are written by one thread;
  // at most this many at a time, and per client address.
  std::size_t max_slow_writes = 64;
  std::size_t max_slow_writes_per_address = 8;
  // Proxies (e.g. nginx on 127.0.0.1) whose X-Forwarded-For and
  // X-Forwarded-Proto are believed; their own address has no per-address cap.
  std::vector<std::string> trusted_proxies;
  std::string worker_exe;     // kho binary for isolated parsing of uploads
  std::string harvest_token;  // sent to origins when fetching harvested records' files
  // Records per OAI-PMH list answer (ListIdentifiers, ListRecords).
  std::size_t oai_page_size = 100;
  // Checks the library (core/verify.h) in the background, at low priority,
  // when the last check is older than this; 0: never.
  double verify_every_hours = 0;
  // Watch folders running beside the server (core/watch.h), shown to
  // admins by GET /api/v1/watch; they outlive the server.
  std::vector<const Watcher*> watchers;
};

class Server {
 public:
  Server(Library& library, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Status start();  // binds and serves on background threads
  std::uint16_t port() const;
  void stop();  // stops accepting, lets running handlers finish

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kho::api
