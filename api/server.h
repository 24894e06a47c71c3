// The HTTP API and the web UI, served by Pistache. Thin: each route parses,
// calls the Library, and renders JSON. Errors are {"error": {"code", "message"}}
// with the matching status. Listens on 127.0.0.1 unless told otherwise.
// Pistache 0.0.5 hazards (see shared notes) are handled here: a route for every
// method is registered before serving, handlers catch everything and answer on
// their own thread, request bodies are bounded, Range is implemented by kho.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "core/library.h"

namespace kho::api {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see Server::port())
  std::size_t threads = 2;
  std::size_t max_request_bytes = std::size_t{256} << 20;
  std::string worker_exe;     // kho binary for isolated parsing of uploads
  std::string harvest_token;  // sent to origins when fetching harvested records' files
  // Records per OAI-PMH list answer (ListIdentifiers, ListRecords).
  std::size_t oai_page_size = 100;
  // Checks the library (core/verify.h) in the background, at low priority,
  // when the last check is older than this; 0: never.
  double verify_every_hours = 0;
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
