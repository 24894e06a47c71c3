#include "api/connections.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <string_view>
#include <system_error>

#include "api/json_render.h"

using namespace Pistache;

namespace kho::api {

namespace {

constexpr std::size_t kMaxHead = std::size_t{32} << 10;  // request line and headers
constexpr std::size_t kTurn = std::size_t{256} << 10;    // bytes one socket gets per Sender turn
constexpr const char* kConnKey = "kho.connection";

// Pistache lets only its Transport set a handler's transport
// (Tcp::Handler::associateTransport is private). The Gate's inner handler
// must answer on the Gate's own transport; an explicit instantiation may name
// a private member, which is how kho reaches it.
using AssociateFn = void (Tcp::Handler::*)(Tcp::Transport*);
AssociateFn associate_fn();
template <AssociateFn F>
struct AssociateAccess {
  friend AssociateFn associate_fn() { return F; }
};
template struct AssociateAccess<&Tcp::Handler::associateTransport>;

// Writes what the socket takes now, without waiting. -1: the connection is gone.
ssize_t write_now(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      return -1;
    }
  }
  return static_cast<ssize_t>(done);
}

// True unless the client has left a good part of the socket's send buffer
// unread. Pistache answers a request that times out with a 408 through its
// transport, which spins if the socket cannot take it; so a client that does
// not read its answers is not served a request that could time out.
bool reads_its_answers(int fd) {
  int queued = 0, capacity = 0;
  socklen_t size = sizeof capacity;
  if (::ioctl(fd, SIOCOUTQ, &queued) != 0 ||
      ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &capacity, &size) != 0)
    return true;
  return queued <= capacity / 4;
}

std::string status_line(Http::Code code) {
  return "HTTP/1.1 " + std::to_string(static_cast<int>(code)) + " " + Http::codeString(code) +
         "\r\n";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// METHOD SP TARGET SP HTTP/1.x: anything else Pistache skips or misreads.
bool request_line_ok(std::string_view line) {
  std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos || sp2 == sp1 + 1 || sp2 == sp1) return false;
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  return std::all_of(method.begin(), method.end(), is_token_char) &&
         target.find(' ') == std::string_view::npos &&
         (line.substr(sp2 + 1) == "HTTP/1.1" || line.substr(sp2 + 1) == "HTTP/1.0");
}

// Content-Length and Transfer-Encoding, and cookies, read by kho itself:
// Pistache's parser takes "-1" for a huge length and throws on a cookie
// without '=', and kho's answer must name the header.
Verdict check_framing(const std::string& head, std::uint64_t* length, bool* expects_continue) {
  *length = 0;
  *expects_continue = false;
  // Pistache's parser stops at a NUL or another control byte where kho's
  // reading goes on, so the two would disagree on the headers (the head
  // fuzzer found a Content-Length only kho saw); HTTP allows none there.
  auto control = [](unsigned char c) {
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
  };
  // A CR must end a line (RFC 9112 2.2): Pistache ends a value there, kho would not.
  bool bare_cr = false;
  for (std::size_t i = 0; i < head.size(); ++i)
    bare_cr = bare_cr || (head[i] == '\r' && (i + 1 == head.size() || head[i + 1] != '\n')) ||
              (head[i] == '\n' && (i == 0 || head[i - 1] != '\r'));
  if (bare_cr || std::any_of(head.begin(), head.end(), control))
    return Verdict::refuse(Http::Code::Bad_Request, "bad_request",
                           "the request line or a header holds a control character");
  bool seen_length = false;
  if (!request_line_ok(std::string_view(head).substr(0, head.find("\r\n"))))
    return Verdict::refuse(Http::Code::Bad_Request, "bad_request",
                           "the request line is not METHOD TARGET HTTP/1.1");
  std::size_t at = head.find("\r\n") + 2;
  while (at < head.size()) {
    std::size_t end = head.find("\r\n", at);
    std::string_view line(head.data() + at, end - at);
    at = end + 2;
    if (line.empty()) continue;  // the head's last, empty line
    // A line that is not NAME: VALUE with NAME a token (RFC 9110 5.1) is one
    // Pistache reads otherwise than kho, or not at all: refused, not guessed.
    std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos ||
        !std::all_of(line.begin(), line.begin() + colon, is_token_char))
      return Verdict::refuse(Http::Code::Bad_Request, "bad_request",
                             "a header line is not NAME: VALUE");
    std::string name = lower(std::string(line.substr(0, colon))),
                value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      bool digits = !value.empty() && value.size() <= 18 &&
                    std::all_of(value.begin(), value.end(), ::isdigit);
      std::uint64_t n = digits ? std::stoull(value) : 0;
      if (!digits || (seen_length && n != *length))
        return Verdict::refuse(Http::Code::Bad_Request, "bad_request",
                               "Content-Length: not a number of bytes: '" + value + "'");
      *length = n;
      seen_length = true;
    } else if (name == "expect") {
      // Pistache 0.0.5 reads past the buffer on an empty Expect (the head
      // fuzzer's find); only 100-continue is an expectation HTTP defines.
      *expects_continue = lower(value) == "100-continue";
      if (!*expects_continue)
        return Verdict::refuse(Http::Code::Expectation_Failed, "expectation_failed",
                               "Expect: only 100-continue is understood");
    } else if (name == "transfer-encoding") {
      return Verdict::refuse(Http::Code::Length_Required, "length_required",
                             "send the body with a Content-Length; chunked bodies are not taken");
    } else if (name == "cookie") {
      std::stringstream cookies(value);
      for (std::string part; std::getline(cookies, part, ';');)
        if (trim(part).find('=') == std::string::npos)
          return Verdict::refuse(Http::Code::Bad_Request, "bad_request",
                                 "Cookie: each cookie must be NAME=VALUE: '" + trim(part) + "'");
    }
  }
  return Verdict::admit();
}

}  // namespace

Verdict read_head(const std::string& head, std::uint64_t max_body, std::uint64_t* length,
                  bool* expects_continue, Http::RequestParser& parser) {
  Verdict v = check_framing(head, length, expects_continue);
  if (v.code != Http::Code::Ok) return v;
  if (*length > max_body)
    return Verdict::refuse(
        Http::Code::Request_Entity_Too_Large, "too_large",
        "no request to kho may carry more than " + std::to_string(max_body) + " bytes");
  // The same parser Pistache runs next, on the head alone: whatever it would
  // throw on is a 400 here, not its plain-text 500.
  try {
    parser.feed(head.data(), head.size());
    parser.parse();
  } catch (const std::exception&) {
    return Verdict::refuse(Http::Code::Bad_Request, "bad_request",
                           "the request line or a header is malformed");
  }
  return v;
}

// What kho knows of one connection, kept in its Pistache peer; it leaves the
// counts when the peer goes.
struct ConnState {
  std::shared_ptr<Connections> connections;
  std::string address;
  bool counted = false;
  std::string head;             // the head of the next request, until it is whole
  std::uint64_t body_left = 0;  // body bytes of the admitted request still to come
  bool closed = false;          // answered for good: later input is dropped

  ~ConnState() {
    if (!counted) return;
    std::lock_guard lock(connections->mutex);
    --connections->open;
    auto it = connections->open_by_address.find(address);
    if (it != connections->open_by_address.end() && --it->second == 0)
      connections->open_by_address.erase(it);
  }
};

namespace {

std::shared_ptr<ConnState> conn_of(const std::shared_ptr<Tcp::Peer>& peer) {
  return std::static_pointer_cast<ConnState>(peer->tryGetData(kConnKey));
}

// Answers with kho's JSON error and ends the connection. `drain`: the client
// may still be sending (a body refused before it was read); its bytes are
// read and dropped until it closes, so that it sees the answer, not a reset.
void refuse(const std::shared_ptr<Tcp::Peer>& peer, ConnState& conn, const Verdict& v, bool drain) {
  std::string body = render_error(v.kind, v.message);
  std::string out = status_line(v.code) +
                    "Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  write_now(peer->fd(), out);
  ::shutdown(peer->fd(), drain ? SHUT_WR : SHUT_RDWR);
  conn.closed = true;
  conn.head = std::string();
  peer->setIdle(true);  // Pistache's keep-alive timeout ends a client that never closes
}

// Writes `bytes`, then `length` bytes of `file` from `offset` (file -1: none),
// as far as the socket takes them now; the Sender gets the rest.
void hand_over(const std::shared_ptr<Tcp::Peer>& peer, std::string bytes, int file,
               std::uint64_t offset, std::uint64_t length) {
  int fd = peer->fd();
  ssize_t n = write_now(fd, bytes);
  bool gone = n < 0;
  if (!gone) bytes.erase(0, static_cast<std::size_t>(n));
  while (!gone && bytes.empty() && length > 0) {
    off_t at = static_cast<off_t>(offset);
    ssize_t sent = ::sendfile(fd, file, &at, std::min<std::uint64_t>(length, kTurn));
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) gone = true;  // the connection failed, or the file ended early
    offset += static_cast<std::uint64_t>(std::max<ssize_t>(sent, 0));
    length -= static_cast<std::uint64_t>(std::max<ssize_t>(sent, 0));
  }
  if (gone || (bytes.empty() && length == 0)) {
    if (file >= 0) ::close(file);
    if (gone) ::shutdown(fd, SHUT_RDWR);
    peer->setIdle(true);
    return;
  }
  // A reader slower than the answer: it gets the Sender, and the connection
  // ends after the answer (its later requests would race the Sender's writes).
  auto conn = conn_of(peer);
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (!conn || copy < 0) {
    if (copy >= 0) ::close(copy);
    if (file >= 0) ::close(file);
    ::shutdown(fd, SHUT_RDWR);
    return;
  }
  conn->closed = true;
  peer->setIdle(true);
  conn->connections->sender.add(copy, std::move(bytes), file, offset, length, conn->address);
}

std::string head_for(const Http::ResponseWriter& response, Http::Code code, std::uint64_t length) {
  std::ostringstream os;
  os << status_line(code);
  for (const auto& h : response.headers().list()) {
    os << h->name() << ": ";
    h->write(os);
    os << "\r\n";
  }
  if (code != Http::Code::No_Content) os << "Content-Length: " << length << "\r\n";
  os << "\r\n";
  return os.str();
}

}  // namespace

// --- Sender ---

struct Sender::Job {
  int socket = -1;
  std::string bytes;
  std::size_t sent = 0;
  int file = -1;
  std::uint64_t offset = 0, left = 0;
  std::string address;
  std::chrono::steady_clock::time_point progress;

  bool done() const { return sent >= bytes.size() && left == 0; }
  void close() {
    ::shutdown(socket, SHUT_RDWR);  // Pistache sees the end and lets its peer go
    ::close(socket);
    if (file >= 0) ::close(file);
  }
};

Sender::Sender(const ConnectionLimits& limits) : limits_(limits) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  thread_ = std::thread([this] { run(); });
}

Sender::~Sender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  char c = 0;
  [[maybe_unused]] ssize_t n = ::write(wake_[1], &c, 1);
  thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

bool Sender::has_room(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (active_ >= limits_.max_slow_writes) return false;
  if (limits_.exempt.count(address) > 0) return true;
  auto it = per_address_.find(address);
  return it == per_address_.end() || it->second < limits_.max_slow_writes_per_address;
}

bool Sender::add(int socket, std::string bytes, int file, std::uint64_t offset,
                 std::uint64_t length, const std::string& address) {
  Job job{socket, std::move(bytes), 0,       file,
          offset, length,           address, std::chrono::steady_clock::now()};
  if (!has_room(address)) {
    job.close();
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    ++active_;
    ++per_address_[address];
    incoming_.push_back(std::move(job));
  }
  char c = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_[1], &c, 1);
  return true;
}

// Writes one turn's worth; false when the job is over (written, or failed).
bool Sender::pump(Job& job) {
  std::size_t budget = kTurn;
  while (budget > 0 && !job.done()) {
    ssize_t n;
    if (job.sent < job.bytes.size()) {
      n = ::send(job.socket, job.bytes.data() + job.sent,
                 std::min(budget, job.bytes.size() - job.sent), MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
      off_t at = static_cast<off_t>(job.offset);
      n = ::sendfile(job.socket, job.file, &at, std::min<std::uint64_t>(budget, job.left));
      if (n == 0) return false;  // the file ended early
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    auto written = static_cast<std::size_t>(n);
    if (job.sent < job.bytes.size()) {
      job.sent += written;
    } else {
      job.offset += written;
      job.left -= written;
    }
    budget -= std::min(budget, written);
    job.progress = std::chrono::steady_clock::now();
  }
  return !job.done();
}

void Sender::finish(Job& job) {
  job.close();
  std::lock_guard lock(mutex_);
  --active_;
  auto it = per_address_.find(job.address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

void Sender::run() {
  std::vector<Job> jobs;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      for (auto& job : incoming_) jobs.push_back(std::move(job));
      incoming_.clear();
      if (stopping_) break;
    }
    std::vector<pollfd> fds{{wake_[0], POLLIN, 0}};
    for (const auto& job : jobs) fds.push_back({job.socket, POLLOUT, 0});
    ::poll(fds.data(), fds.size(), 250);
    char drain[64];
    while (::read(wake_[0], drain, sizeof drain) > 0) {
    }
    auto now = std::chrono::steady_clock::now();
    std::vector<Job> kept;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      Job& job = jobs[i];
      bool alive = (fds[i + 1].revents & (POLLOUT | POLLERR | POLLHUP)) == 0 || pump(job);
      // A reader that takes nothing for this long gives up its place.
      if (alive && now - job.progress > limits_.write_stall) alive = false;
      if (alive) {
        kept.push_back(std::move(job));
      } else {
        finish(job);
      }
    }
    jobs.swap(kept);
  }
  for (auto& job : jobs) finish(job);
}

// --- Gate ---

Gate::Gate(std::shared_ptr<Connections> connections, std::shared_ptr<Http::Handler> inner)
    : connections_(std::move(connections)), inner_(std::move(inner)) {}

std::shared_ptr<Tcp::Handler> Gate::clone() const {
  auto inner = std::static_pointer_cast<Http::Handler>(inner_->clone());
  return std::make_shared<Gate>(connections_, inner);
}

void Gate::onConnection(const std::shared_ptr<Tcp::Peer>& peer) {
  Tcp::Handler& inner = *inner_;
  if (!inner_bound_) {
    (inner.*associate_fn())(transport());
    inner_bound_ = true;
  }
  inner.onConnection(peer);  // Pistache's parser, which its timeouts read too
  auto conn = std::make_shared<ConnState>();
  conn->connections = connections_;
  conn->address = peer->address().host();
  peer->putData(kConnKey, conn);
  std::string refusal;
  {
    Connections& c = *connections_;
    std::lock_guard lock(c.mutex);
    auto& from = c.open_by_address[conn->address];
    if (c.open >= c.limits.max_connections) {
      refusal = "the server has too many open connections: try again shortly";
    } else if (from >= c.limits.max_per_address && c.limits.exempt.count(conn->address) == 0) {
      refusal = "too many open connections from your address: close some and try again";
    } else {
      ++c.open;
      ++from;
      conn->counted = true;
    }
    if (from == 0) c.open_by_address.erase(conn->address);
  }
  if (!refusal.empty())
    refuse(peer, *conn,
           Verdict::refuse(Http::Code::Service_Unavailable, "too_many_connections", refusal),
           false);
}

void Gate::onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) {
  static_cast<Tcp::Handler&>(*inner_).onDisconnection(peer);
}

void Gate::forward(const char* data, size_t len, const std::shared_ptr<Tcp::Peer>& peer) {
  static_cast<Tcp::Handler&>(*inner_).onInput(data, len, peer);
}

// Requests are framed here: a head is held until it is whole and admitted,
// then passed on with exactly its Content-Length of body.
void Gate::onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) {
  auto conn = conn_of(peer);
  if (!conn) return;
  std::string carried;  // what followed a head in the same read
  std::string_view in(buffer, len);
  while (!in.empty() && !conn->closed) {
    if (conn->body_left > 0) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(conn->body_left, in.size()));
      conn->body_left -= n;
      forward(in.data(), n, peer);
      in.remove_prefix(n);
      continue;
    }
    std::size_t from = conn->head.size() >= 3 ? conn->head.size() - 3 : 0;
    conn->head.append(in);
    in = {};
    std::size_t end = conn->head.find("\r\n\r\n", from);
    if (end == std::string::npos) {
      if (conn->head.size() > kMaxHead)
        refuse(peer, *conn,
               Verdict::refuse(Http::Code::Request_Header_Fields_Too_Large, "too_large",
                               "the request line and headers take more than " +
                                   std::to_string(kMaxHead) + " bytes"),
               true);
      break;
    }
    carried = conn->head.substr(end + 4);
    std::string head = conn->head.substr(0, end + 4);
    conn->head.clear();
    if (!admit(head, peer, *conn)) break;
    forward(head.data(), head.size(), peer);
    in = carried;
  }
}

bool Gate::admit(const std::string& head, const std::shared_ptr<Tcp::Peer>& peer, ConnState& conn) {
  std::uint64_t length = 0;
  bool expects_continue = false;
  Http::RequestParser parser(head.size() + 1);
  Verdict v = read_head(head, connections_->limits.max_body, &length, &expects_continue, parser);
  if (v.code == Http::Code::Ok) {
    parser.request.copyAddress(peer->address());
    v = connections_->admission(parser.request, length);
  }
  if (v.code != Http::Code::Ok) {
    refuse(peer, conn, v, true);
    return false;
  }
  if (length > 0 && !reads_its_answers(peer->fd())) {
    ::shutdown(peer->fd(), SHUT_RDWR);
    conn.closed = true;
    return false;
  }
  // Pistache judges an idle peer by the keep-alive timeout, a busy one by the
  // body timeout: a body is work, however long the connection idled before.
  if (length > 0) peer->setIdle(false);
  conn.body_left = length;
  // Pistache 0.0.5 ignores Expect (#728): curl then waits a second before
  // each large upload. The body is welcome now that the head is admitted.
  if (expects_continue && length > 0) write_now(peer->fd(), "HTTP/1.1 100 Continue\r\n\r\n");
  return true;
}

// --- answers ---

void reply(Http::ResponseWriter& response, Http::Code code, std::string body) {
  auto peer = response.peer();
  std::string out = head_for(response, code, body.size());
  out += body;
  hand_over(peer, std::move(out), -1, 0, 0);
}

Status room_for(Http::ResponseWriter& response, std::uint64_t length) {
  auto conn = conn_of(response.peer());
  if (length > kTurn && conn && !conn->connections->sender.has_room(conn->address))
    return Status::Busy("too many downloads at once from your address: try again shortly");
  return Status::Ok();
}

Status reply_file(Http::ResponseWriter& response, Http::Code code, const std::string& path,
                  std::uint64_t first, std::uint64_t length) {
  auto peer = response.peer();
  int file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(file, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < first + length) {
    ::close(file);
    return Status::IoError(path + " is shorter than its record says");
  }
  hand_over(peer, head_for(response, code, length), file, first, length);
  return Status::Ok();
}

}  // namespace kho::api
