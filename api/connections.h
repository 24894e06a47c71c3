// Connections that clients cannot abuse. Pistache 0.0.5 reads and writes
// kho's connections, but it cannot be trusted with either against a client
// that misbehaves:
// - Its transport spins when a client stops reading: Transport::asyncWriteImpl
//   retries a send that failed with EAGAIN at once, in a loop that never
//   returns to epoll (upstream issue #949, open), copying the rest of the
//   answer each turn. Two clients that ask for a large file and read nothing
//   keep both server threads at 100 % CPU and nothing else is answered.
// - It buffers a whole request body before any handler sees the request, and
//   its parser throws on malformed headers into a plain-text 500.
// So kho writes its own answers (reply, reply_file): what the socket takes at
// once is written from the handler's thread, and the rest of a large answer
// goes to one Sender thread that polls the sockets and closes a connection
// whose reader makes no progress for a while. And a Gate in front of
// Pistache's handler reads each request head before Pistache does, and
// answers 400/401/403/411/413/431 in kho's JSON before any body is read.
// Idle and slow connections are closed by Pistache's own timeouts (they do
// fire in 0.0.5, also for a connection that sends nothing), and the number
// of open connections is capped in total and per address.
#pragma once

#include <pistache/http.h>
#include <pistache/peer.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace kho::api {

// What the Gate does with a request whose head it has read.
struct Verdict {
  Pistache::Http::Code code = Pistache::Http::Code::Ok;  // Ok: let it in
  std::string kind, message;                             // the JSON error otherwise
  static Verdict admit() { return {}; }
  static Verdict refuse(Pistache::Http::Code code, std::string kind, std::string message) {
    return {code, std::move(kind), std::move(message)};
  }
};
// Decides on a request from its head alone, before its body is read.
using Admission =
    std::function<Verdict(const Pistache::Http::Request& head, std::uint64_t body_bytes)>;

// Reads a whole request head (request line and headers, up to and including
// the empty line) as the Gate does before any body: the body's length,
// whether the client waits for 100 Continue, and Pistache's parse of it in
// `parser`. A head Pistache would choke on or read otherwise than kho is
// refused here, in kho's words, and so is a body over `max_body` bytes
// (Pistache reserves a body's whole length as soon as it reads the head).
Verdict read_head(const std::string& head, std::uint64_t max_body, std::uint64_t* length,
                  bool* expects_continue, Pistache::Http::RequestParser& parser);

struct ConnectionLimits {
  std::size_t max_connections = 1024;
  std::uint64_t max_body = std::uint64_t{64} << 20;  // the largest body any route takes
  std::size_t max_per_address = 256;  // a school behind one NAT address is many users
  std::size_t max_slow_writes = 64;   // answers being written by the Sender
  std::size_t max_slow_writes_per_address = 8;
  std::chrono::milliseconds write_stall{30000};
  std::set<std::string> exempt;  // trusted proxies: every client comes through them
};

// Writes the rest of answers that the socket could not take at once, on one
// thread, without blocking anyone else; gives up on a reader that stalls.
class Sender {
 public:
  explicit Sender(const ConnectionLimits& limits);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  bool has_room(const std::string& address);
  // Takes ownership of `socket` (a dup of the connection's) and `file`
  // (-1: none). False when full: the caller closes the connection.
  bool add(int socket, std::string bytes, int file, std::uint64_t offset, std::uint64_t length,
           const std::string& address);

 private:
  struct Job;
  void run();
  bool pump(Job& job);  // false: finished or failed
  void finish(Job& job);

  const ConnectionLimits limits_;
  std::mutex mutex_;
  std::vector<Job> incoming_;
  std::map<std::string, std::size_t> per_address_;
  std::size_t active_ = 0;
  bool stopping_ = false;
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

// Shared by every connection of one server.
struct Connections {
  explicit Connections(ConnectionLimits l, Admission a)
      : limits(std::move(l)), admission(std::move(a)), sender(limits) {}
  ConnectionLimits limits;
  Admission admission;
  Sender sender;
  std::mutex mutex;  // guards the counts below
  std::size_t open = 0;
  std::map<std::string, std::size_t> open_by_address;
};

struct ConnState;  // kept in each Pistache peer

// Wraps Pistache's HTTP handler (the router's): sees every byte of a
// connection first, frames requests itself, and lets Pistache parse a
// request only once its head has been admitted.
class Gate : public Pistache::Http::Handler {
 public:
  Gate(std::shared_ptr<Connections> connections, std::shared_ptr<Pistache::Http::Handler> inner);
  std::shared_ptr<Pistache::Tcp::Handler> clone() const override;
  void onRequest(const Pistache::Http::Request&, Pistache::Http::ResponseWriter) override {}

 private:
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onInput(const char* buffer, size_t len,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  bool admit(const std::string& head, const std::shared_ptr<Pistache::Tcp::Peer>& peer,
             ConnState& conn);
  void forward(const char* data, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer);

  std::shared_ptr<Connections> connections_;
  std::shared_ptr<Pistache::Http::Handler> inner_;
  bool inner_bound_ = false;
};

// Answers on the request's own connection: `response`'s headers, then the
// body. What the socket does not take at once is written by the Sender.
void reply(Pistache::Http::ResponseWriter& response, Pistache::Http::Code code, std::string body);
// Busy when an answer of `length` bytes, if its reader is slow, would find
// the Sender full for this client: ask before writing anything.
Status room_for(Pistache::Http::ResponseWriter& response, std::uint64_t length);
// The same as reply() with `length` bytes of a file from `first`, never read
// whole into memory.
Status reply_file(Pistache::Http::ResponseWriter& response, Pistache::Http::Code code,
                  const std::string& path, std::uint64_t first, std::uint64_t length);

}  // namespace kho::api
