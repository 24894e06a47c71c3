// Hostile and broken clients, as a tester saw them (issue 19): clients that
// never read, never speak, open too many connections, send bodies nobody
// asked for or headers Pistache cannot parse. A real server on loopback and
// raw sockets, since curl cannot express most of these.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/server.h"
#include "core/library.h"
#include "tests/testing.h"

using kho::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

struct Answer {
  int status = 0;  // 0: none (closed or timed out)
  std::string head, body;
  bool closed = false;  // the server ended the connection
};

// An open loopback connection; closed with the object.
class Socket {
 public:
  explicit Socket(std::uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  bool connected() const { return connected_; }

  // Sends what the server takes within the deadline; false if it stopped taking.
  bool send(const std::string& bytes, std::chrono::milliseconds within = 5s) {
    auto deadline = Clock::now() + within;
    std::size_t done = 0;
    while (done < bytes.size() && Clock::now() < deadline) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return done == bytes.size();
  }

  // Reads one answer (head and Content-Length body), or until the server
  // closes, or until the deadline.
  Answer read_answer(std::chrono::milliseconds within = 5s) {
    Answer a;
    std::string data;
    auto deadline = Clock::now() + within;
    std::size_t need = std::string::npos;
    while (Clock::now() < deadline && data.size() < need) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        a.closed = true;
        break;
      }
      data.append(buf, static_cast<std::size_t>(n));
      auto end = data.find("\r\n\r\n");
      if (need == std::string::npos && end != std::string::npos) {
        a.head = data.substr(0, end);
        auto cl = a.head.find("Content-Length: ");
        need = end + 4 + (cl == std::string::npos ? 0 : std::stoull(a.head.substr(cl + 16)));
      }
    }
    if (!a.head.empty()) {
      a.status = std::stoi(a.head.substr(9, 3));
      a.body = data.substr(a.head.size() + 4);
    }
    return a;
  }

  // True if the server ends the connection within the deadline (whatever it
  // sends before).
  bool closed_within(std::chrono::milliseconds within) {
    auto deadline = Clock::now() + within;
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[65536];
      if (::recv(fd_, buf, sizeof buf, 0) <= 0) return true;
    }
    return false;
  }

  // Reads everything until the server closes (bounded); how many bytes came.
  std::size_t drain(std::chrono::milliseconds within) {
    std::size_t total = 0;
    auto deadline = Clock::now() + within;
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      total += static_cast<std::size_t>(n);
    }
    return total;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

std::string post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string error_code(const Answer& a) {
  INFO(a.head << "\n" << a.body);
  CHECK(a.head.find("Content-Type: application/json; charset=utf-8") != std::string::npos);
  json j = json::parse(a.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "(not kho's JSON error)";
  return j["error"]["code"];
}

std::string error_message(const Answer& a) {
  json j = json::parse(a.body, nullptr, false);
  return j.is_discarded() || !j.contains("error") ? "" : j["error"]["message"].get<std::string>();
}

// Options a test can afford: every timeout about a second.
kho::api::ServerOptions quick_options() {
  kho::api::ServerOptions o;
  o.port = 0;
  o.max_request_bytes = std::size_t{1} << 20;
  o.header_timeout = 1s;
  o.body_timeout = 2s;
  o.idle_timeout = 1s;
  o.write_stall_timeout = 1s;
  return o;
}

// A library with one public record whose file is large, served on loopback.
struct Hostile {
  TempDir dir;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::uint16_t port = 0;
  std::string staff;  // "Authorization: Bearer …\r\n" of an admin
  std::uint64_t large = 0;
  static constexpr std::size_t kLarge = std::size_t{24} << 20;

  explicit Hostile(kho::api::ServerOptions options = quick_options()) {
    REQUIRE(kho::Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
    REQUIRE(accounts.add_user("quan-tri", "mat-khau-rat-dai", {{"THCS-01", "admin"}}, "cli").ok());
    kho::NewSecret token;
    REQUIRE(accounts.create_token("quan-tri", "t", std::chrono::seconds(0), "cli", &token).ok());
    staff = "Authorization: Bearer " + token.secret + "\r\n";
    auto source = dir.path() / "sach-lon.txt";
    {
      std::ofstream out(source, std::ios::binary);
      std::string line(1023, 'x');
      line += '\n';
      for (std::size_t i = 0; i < kLarge / line.size(); ++i) out << line;
    }
    kho::store::NewRecord in;
    in.pages = {"Sách lớn"};
    in.source_path = source.string();
    in.media_type = "text/plain";
    in.visibility = "public";
    kho::store::Record record;
    bool duplicate = false;
    REQUIRE(library->store().add(in, &record, &duplicate).ok());
    large = record.id;
    server = std::make_unique<kho::api::Server>(*library, options);
    REQUIRE(server->start().ok());
    port = server->port();
  }
  ~Hostile() { server->stop(); }

  Answer ask(const std::string& request, std::chrono::milliseconds within = 5s) {
    Socket s(port);
    s.send(request);
    return s.read_answer(within);
  }
  bool healthy() { return ask(get("/healthz"), 2s).status == 200; }
};

}  // namespace

TEST_CASE("clients that never read a large file take no server thread and are cut off") {
  Hostile api;
  std::vector<std::unique_ptr<Socket>> readers;
  for (int i = 0; i < 2; ++i) {
    readers.push_back(std::make_unique<Socket>(api.port, 4096));
    REQUIRE(readers.back()->send(get("/api/v1/records/" + std::to_string(api.large) + "/file")));
  }
  std::this_thread::sleep_for(300ms);
  std::size_t rss = rss_bytes();
  double cpu = cpu_seconds();
  auto start = Clock::now();
  for (int i = 0; i < 3; ++i) CHECK(api.healthy());  // each within 2 s
  std::this_thread::sleep_for(500ms);
  double busy = (cpu_seconds() - cpu) / std::chrono::duration<double>(Clock::now() - start).count();
  CHECK(busy < 0.5);                     // the two spinning threads used ~2 cores before
  CHECK(rss_bytes() < rss + (8 << 20));  // the file is not copied into memory
  // A reader that takes nothing for write_stall_timeout is dropped: reading
  // now gets the beginning of the file and then the end of the connection.
  std::this_thread::sleep_for(2s);
  for (auto& reader : readers) CHECK(reader->drain(5s) < Hostile::kLarge);
  CHECK(api.healthy());
}

TEST_CASE("a slow reader still gets the whole file, and so does a fast one") {
  Hostile api;
  Socket slow(api.port, 4096);
  REQUIRE(slow.send(
      get("/api/v1/records/" + std::to_string(api.large) + "/file", "Range: bytes=0-2097151\r\n")));
  Answer first = slow.read_answer(100ms);  // the head and a little of the body
  CHECK(first.status == 206);
  std::size_t got = first.body.size();
  for (int i = 0; i < 400 && got < (2u << 20); ++i) {
    std::this_thread::sleep_for(5ms);  // reads a little, often: progress, not a stall
    got += slow.drain(20ms);
  }
  CHECK(got == (2u << 20));
  Socket fast(api.port);
  REQUIRE(fast.send(get("/api/v1/records/" + std::to_string(api.large) + "/file")));
  Answer whole = fast.read_answer(20s);
  CHECK(whole.status == 200);
  CHECK(whole.body.size() == Hostile::kLarge);
}

TEST_CASE("connections that send nothing, or too slowly, or idle, are closed by the server") {
  Hostile api;
  Socket silent(api.port);
  Socket slow_head(api.port);
  REQUIRE(slow_head.send("GET /healthz HT"));
  Socket idle(api.port);
  REQUIRE(idle.send(get("/healthz", "Connection: keep-alive\r\n")));
  CHECK(idle.read_answer().status == 200);
  // header_timeout and idle_timeout are 1 s; Pistache checks every 0.5 s.
  CHECK(silent.closed_within(4s));
  CHECK(slow_head.closed_within(4s));
  CHECK(idle.closed_within(4s));
  CHECK(api.healthy());
}

TEST_CASE("open connections are capped per address and the server keeps answering") {
  auto options = quick_options();
  options.header_timeout = options.idle_timeout = 30s;
  options.max_connections_per_address = 4;
  Hostile api(options);
  std::vector<std::unique_ptr<Socket>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<Socket>(api.port));
  std::this_thread::sleep_for(200ms);
  Socket one_more(api.port);
  Answer refused = one_more.read_answer();
  CHECK(refused.status == 503);
  CHECK(error_code(refused) == "too_many_connections");
  CHECK(one_more.closed_within(2s));
  idle.clear();  // the server counts them out as they close
  bool answered = false;
  for (int i = 0; i < 20 && !answered; ++i) {
    std::this_thread::sleep_for(100ms);
    answered = api.healthy();
  }
  CHECK(answered);
}

TEST_CASE("an anonymous large body is refused with JSON 413 before it is read") {
  Hostile api;
  std::string body = "{\"name\":\"" + std::string(5 << 20, 'a') + "\",\"password\":\"x\"}";
  std::string request = post("/api/v1/login", body);
  std::size_t rss = rss_bytes();
  Socket s(api.port);
  s.send(request);  // the server may stop taking it: that is the point
  Answer a = s.read_answer();
  CHECK(a.status == 413);
  CHECK(error_code(a) == "too_large");
  CHECK(rss_bytes() < rss + (5 << 20));
  CHECK(s.closed_within(3s));

  SECTION("an upload beyond the small limit must be signed in before its body is read") {
    Answer anonymous = api.ask(post("/api/v1/records?filename=a.txt", std::string(2 << 20, 'a')));
    CHECK(anonymous.status == 401);
    CHECK(error_code(anonymous) == "unauthorized");
    Answer too_big =
        api.ask(post("/api/v1/records?filename=a.txt", std::string(2 << 20, 'a'), api.staff));
    CHECK(too_big.status == 413);
    CHECK(error_code(too_big) == "too_large");
  }
  SECTION("a small upload by staff still works") {
    Answer ok = api.ask(
        post("/api/v1/records?filename=a.txt&visibility=public", "Thư viện số\n", api.staff));
    CHECK(ok.status == 201);
  }
  CHECK(api.healthy());
}

TEST_CASE("malformed request headers get kho's JSON 400, never a plain-text 500") {
  Hostile api;
  Answer negative =
      api.ask("POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n{}");
  CHECK(negative.status == 400);
  CHECK(error_code(negative) == "bad_request");
  CHECK(error_message(negative).find("Content-Length") != std::string::npos);

  Answer cookie = api.ask(get("/api/v1/me", "Cookie: kho_session\r\n"));
  CHECK(cookie.status == 400);
  CHECK(error_code(cookie) == "bad_request");
  CHECK(error_message(cookie).find("Cookie") != std::string::npos);

  Answer chunked = api.ask(
      "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\n\r\n");
  CHECK(chunked.status == 411);
  CHECK(error_code(chunked) == "length_required");

  Answer huge = api.ask(get("/healthz", "X-Padding: " + std::string(40 << 10, 'a') + "\r\n"));
  CHECK(huge.status == 431);
  CHECK(error_code(huge) == "too_large");

  Answer garbage = api.ask("\x01\x02 nonsense\r\n\r\n");
  CHECK(garbage.status == 400);
  CHECK(error_code(garbage) == "bad_request");
  CHECK(api.healthy());
}

TEST_CASE("a query over the length or word limit gets a JSON 400 naming the limit") {
  Hostile api;
  kho::store::Account account;
  REQUIRE(api.library->store().get_account("quan-tri", &account).ok());
  kho::Access admin;
  REQUIRE(kho::Access::for_account(api.library->store(), account, "test", &admin).ok());
  kho::NewSecret link;
  REQUIRE(api.library->accounts().create_share(admin, 0, "sach", 0s, &link).ok());
  std::string id = std::to_string(api.large);
  std::string words, long_word = std::string(3000, 'a');
  for (int i = 0; i < 100; ++i) words += "sach+";
  for (const std::string& path :
       std::vector<std::string>{"/api/v1/search?q=", "/api/v1/records/" + id + "/search?q=",
                                "/api/v1/shared/" + link.secret + "?q="}) {
    INFO(path);
    Answer too_many = api.ask(get(path + words));
    CHECK(too_many.status == 400);
    CHECK(error_code(too_many) == "query_too_many_words");
    CHECK(error_message(too_many).find("at most 64") != std::string::npos);
    Answer too_long = api.ask(get(path + long_word));
    CHECK(too_long.status == 400);
    CHECK(error_code(too_long) == "query_too_long");
    CHECK(error_message(too_long).find("at most 2048") != std::string::npos);
  }
  CHECK(api.ask(get("/api/v1/search?q=sach")).status == 200);
}

namespace {

int login_from(Hostile& api, const std::string& name, const std::string& password,
               const std::string& from) {
  std::string body = json{{"name", name}, {"password", password}}.dump();
  return api.ask(post("/api/v1/login", body, "X-Forwarded-For: " + from + "\r\n")).status;
}

std::string last_login_from(Hostile& api) {
  std::vector<kho::store::AuditEntry> entries;
  REQUIRE(api.library->store().audit_log(0, 1000, &entries).ok());
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->action.rfind("login", 0) == 0) return it->from;
  return "";
}

}  // namespace

TEST_CASE("failed logins lock the account, and an address only after many") {
  auto options = quick_options();
  options.trusted_proxies = {"127.0.0.1"};  // as behind nginx: each client is told apart
  Hostile api(options);
  auto& accounts = api.library->accounts();
  REQUIRE(accounts.add_user("co-lan", "mat-khau-co-lan", {{"THCS-01", "teacher"}}, "cli").ok());
  REQUIRE(
      accounts.add_user("thay-binh", "mat-khau-thay-binh", {{"THCS-01", "teacher"}}, "cli").ok());
  // Made-up names from a school's one address do not lock the school out.
  for (int i = 0; i < 10; ++i)
    CHECK(login_from(api, "khong-co-" + std::to_string(i), "sai-mat-khau", "10.0.0.1") == 401);
  CHECK(login_from(api, "co-lan", "mat-khau-co-lan", "10.0.0.1") == 200);
  // Five wrong passwords lock that account, from whatever address.
  for (int i = 0; i < 5; ++i)
    CHECK(login_from(api, "co-lan", "sai-mat-khau", "10.0.1." + std::to_string(i)) == 401);
  CHECK(login_from(api, "co-lan", "mat-khau-co-lan", "10.0.2.1") == 429);
  CHECK(login_from(api, "thay-binh", "mat-khau-thay-binh", "10.0.1.1") == 200);
  // Many failures from one address lock that address, not the others.
  for (int i = 0; i < 100; ++i) login_from(api, "ai-" + std::to_string(i), "sai", "10.0.3.3");
  CHECK(login_from(api, "thay-binh", "mat-khau-thay-binh", "10.0.3.3") == 429);
  CHECK(login_from(api, "thay-binh", "mat-khau-thay-binh", "10.0.3.4") == 200);
}

TEST_CASE("X-Forwarded-For is believed only from a trusted proxy, and only its own hop") {
  SECTION("from a trusted proxy: the hop it added") {
    auto options = quick_options();
    options.trusted_proxies = {"127.0.0.1"};
    Hostile api(options);
    login_from(api, "ai-do", "sai", "203.0.113.9, 10.0.0.5");  // the first hop is the client's word
    CHECK(last_login_from(api) == "10.0.0.5");
  }
  SECTION("from anyone else: the socket's address") {
    Hostile api;
    login_from(api, "ai-do", "sai", "10.0.0.5");
    CHECK(last_login_from(api) == "127.0.0.1");
  }
}

TEST_CASE("changes asked by another site's page are refused with 403") {
  Hostile api;
  std::string body = json{{"name", "quan-tri"}, {"password", "mat-khau-rat-dai"}}.dump();
  Answer foreign = api.ask(post("/api/v1/login", body, "Origin: http://evil.example\r\n"));
  CHECK(foreign.status == 403);
  CHECK(error_code(foreign) == "cross_origin");
  Answer fetched = api.ask(post("/api/v1/login", body, "Sec-Fetch-Site: cross-site\r\n"));
  CHECK(fetched.status == 403);
  Answer hidden = api.ask(post("/api/v1/login", body, "Origin: null\r\n"));
  CHECK(hidden.status == 403);
  // kho's own page, a script without Origin, a script with a token: let in.
  std::string own = "Origin: http://127.0.0.1:" + std::to_string(api.port) + "\r\n";
  std::string host = "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(api.port);
  Answer same = api.ask(host + "\r\n" + own + "Content-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body);
  CHECK(same.status == 200);
  CHECK(api.ask(post("/api/v1/login", body)).status == 200);
  // Behind a proxy that rewrites Host, the host the page was served from.
  CHECK(api.ask(post("/api/v1/login", body,
                     "Origin: https://kho.example\r\nX-Forwarded-Host: kho.example\r\n"))
            .status == 200);
  Answer script =
      api.ask(post("/api/v1/logout", "", api.staff + "Origin: http://tool.example\r\n"));
  CHECK(script.status == 200);
  // Reading is not a change.
  CHECK(api.ask(get("/healthz", "Origin: http://evil.example\r\n")).status == 200);
}

TEST_CASE("the session cookie is Secure when a trusted proxy says the client used HTTPS") {
  std::string body = json{{"name", "quan-tri"}, {"password", "mat-khau-rat-dai"}}.dump();
  auto cookie = [&](Hostile& api, const std::string& extra) {
    Answer a = api.ask(post("/api/v1/login", body, extra));
    REQUIRE(a.status == 200);
    auto at = a.head.find("Set-Cookie: ");
    REQUIRE(at != std::string::npos);
    return a.head.substr(at, a.head.find("\r\n", at) - at);
  };
  auto options = quick_options();
  options.trusted_proxies = {"127.0.0.1"};
  Hostile proxied(options);
  CHECK(cookie(proxied, "X-Forwarded-Proto: https\r\n").find("; Secure") != std::string::npos);
  CHECK(cookie(proxied, "X-Forwarded-Proto: http\r\n").find("Secure") == std::string::npos);
  Hostile direct;  // the header from anyone else is not believed
  CHECK(cookie(direct, "X-Forwarded-Proto: https\r\n").find("Secure") == std::string::npos);
}

TEST_CASE("an upload that expects 100-continue is told to go on once its head is admitted") {
  Hostile api;
  std::string body(100 << 10, 'a');
  std::string request = post("/api/v1/records?filename=a.txt&visibility=public", body,
                             api.staff + "Expect: 100-continue\r\n");
  std::string head = request.substr(0, request.find("\r\n\r\n") + 4);
  Socket s(api.port);
  REQUIRE(s.send(head));
  Answer go_on = s.read_answer(900ms);  // curl waits a second for it before sending anyway
  CHECK(go_on.status == 100);
  REQUIRE(s.send(body));
  CHECK(s.read_answer().status == 201);
}

namespace {

std::string header_of(const Answer& a, const std::string& name) {
  auto at = a.head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return a.head.substr(at, a.head.find("\r\n", at) - at);
}

std::string patch(const std::string& path, std::uint64_t offset, const std::string& chunk,
                  const std::string& extra) {
  return "PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
         "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
         "Upload-Offset: " +
         std::to_string(offset) + "\r\nContent-Length: " + std::to_string(chunk.size()) +
         "\r\n\r\n" + chunk;
}

}  // namespace

TEST_CASE("a large file comes in as a resumable upload, in bounded chunks") {
  auto options = quick_options();
  options.max_request_bytes = 64 << 10;  // too small for the file in one request
  options.upload_chunk_bytes = 256 << 10;
  Hostile api(options);
  std::string file;
  for (int i = 0; file.size() < (600u << 10); ++i)
    file += "Dòng " + std::to_string(i) + " của sổ tay giáo viên\n";
  std::string create =
      "POST /api/v1/uploads?filename=so-tay.txt&visibility=public HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nUpload-Length: " +
      std::to_string(file.size()) + "\r\nContent-Length: 0\r\n";
  CHECK(api.ask(create + "\r\n").status == 401);  // signed in only
  Answer created = api.ask(create + api.staff + "\r\n");
  REQUIRE(created.status == 201);
  std::string where = header_of(created, "Location");
  REQUIRE(where.rfind("/api/v1/uploads/", 0) == 0);

  // A chunk over the limit is refused before it is read; one from the wrong
  // offset is refused; another account's client cannot see the upload.
  Answer big = api.ask(patch(where, 0, std::string(300 << 10, 'a'), api.staff));
  CHECK(big.status == 413);
  CHECK(error_code(big) == "too_large");
  CHECK(api.ask(patch(where, 5, "abc", api.staff)).status == 409);
  CHECK(api.ask(patch(where, 0, "abc", "")).status == 404);

  std::uint64_t offset = 0;
  Answer last;
  while (offset < file.size()) {
    // The client asks where the server is, as after a broken connection.
    Answer head = api.ask("HEAD " + where + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + api.staff +
                          "Tus-Resumable: 1.0.0\r\n\r\n");
    REQUIRE(head.status == 200);
    CHECK(std::stoull(header_of(head, "Upload-Offset")) == offset);
    std::string chunk = file.substr(offset, 200 << 10);
    last = api.ask(patch(where, offset, chunk, api.staff), 20s);
    offset += chunk.size();
    if (offset < file.size()) REQUIRE(last.status == 204);
    CHECK(header_of(last, "Upload-Offset") == std::to_string(offset));
  }
  INFO(last.body);
  REQUIRE(last.status == 201);
  auto record = json::parse(last.body);
  kho::store::Record stored;
  REQUIRE(api.library->store().get(record["id"].get<std::uint64_t>(), &stored).ok());
  CHECK(stored.originals.front().size == file.size());
  CHECK(api.ask(get("/api/v1/search?q=so+tay+giao+vien")).body.find("so-tay.txt") !=
        std::string::npos);
  CHECK(api.ask(patch(where, offset, "x", api.staff)).status == 404);  // it is gone once imported
}

TEST_CASE("a body on a kept-alive connection has the body timeout, not the idle one") {
  auto options = quick_options();
  options.body_timeout = 6s;  // idle_timeout stays 1 s
  Hostile api(options);
  Socket s(api.port);
  REQUIRE(s.send(get("/healthz", "Connection: keep-alive\r\n")));
  REQUIRE(s.read_answer().status == 200);
  std::string body = json{{"name", "quan-tri"}, {"password", "sai-mat-khau"}}.dump();
  std::string request = post("/api/v1/login", body, "Connection: keep-alive\r\n");
  std::size_t half = request.size() - body.size() / 2;
  REQUIRE(s.send(request.substr(0, half)));
  std::this_thread::sleep_for(2500ms);  // a slow line: longer than the idle timeout
  REQUIRE(s.send(request.substr(half)));
  CHECK(s.read_answer().status == 401);
}
