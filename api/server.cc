#include "api/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api/json_render.h"
#include "api/oai.h"
#include "api/server_impl.h"
#include "api/web_assets.h"
#include "core/verify.h"

namespace kho::api {

namespace {

// Pistache bounds the whole request, headers included; the body limits
// themselves are checked before a body is read (Impl::admit) so that the
// client gets kho's JSON 413.
constexpr std::size_t kHeaderAllowance = std::size_t{64} << 10;
// Descriptors kept for the server's own work (LMDB, Xapian, imports, logs)
// when the number of open connections is capped.
constexpr std::size_t kReservedDescriptors = 128;

}  // namespace

// Registers every method on every path: the supported ones answer, the rest
// say 405. (Pistache 0.0.5's router also races when a method has no routes.)
void Server::Impl::route(const std::string& path,
                         const std::vector<std::pair<Http::Method, Handler>>& handlers) {
  std::string allow;
  for (const auto& [method, h] : handlers)
    allow += (allow.empty() ? "" : ", ") + std::string(Http::methodString(method));
  auto not_allowed = [allow](const Rest::Request& request, Http::ResponseWriter& response) {
    set_header(response, "Allow", allow);
    // A body after a HEAD answer would be read as the next response on the connection.
    if (request.method() == Http::Method::Head) {
      reply(response, Http::Code::Method_Not_Allowed, "");
    } else {
      send_error(response, Http::Code::Method_Not_Allowed, "method_not_allowed",
                 "this address accepts " + allow);
    }
  };
  for (Http::Method m :
       {Http::Method::Get, Http::Method::Post, Http::Method::Put, Http::Method::Patch,
        Http::Method::Delete, Http::Method::Head, Http::Method::Options}) {
    Handler h = not_allowed;
    for (const auto& [method, handler] : handlers)
      if (method == m) h = handler;
    router.addRoute(m, path, guarded(&in_flight, h));
  }
}

void Server::Impl::routes() {
  auto page = [](const Rest::Request&, Http::ResponseWriter& response) {
    const std::string* html = web_asset("index.html");
    if (html == nullptr) throw std::logic_error("index.html is not embedded in this build");
    set_header(response, "Content-Type", "text/html; charset=utf-8");
    reply(response, Http::Code::Ok, *html);
  };
  // The API's OpenAPI 3.1 description (web/openapi.json), checked against
  // the server's answers by tests/web.
  auto openapi = [](const Rest::Request&, Http::ResponseWriter& response) {
    const std::string* json = web_asset("openapi.json");
    if (json == nullptr) throw std::logic_error("openapi.json is not embedded in this build");
    send_json(response, Http::Code::Ok, *json);
  };
  // The application's own files and PDF.js, by name: /app/app.js.
  auto asset = [](const Rest::Request& request, Http::ResponseWriter& response) {
    std::string name = request.param(":name").as<std::string>();
    const std::string* bytes = name == "index.html" ? nullptr : web_asset(name);
    if (bytes == nullptr)
      return send_error(response, Http::Code::Not_Found, "not_found", "no such file: " + name);
    std::string_view ext = std::string_view(name).substr(name.rfind('.') + 1);
    set_header(response, "Content-Type",
               ext == "js"     ? "text/javascript; charset=utf-8"
               : ext == "css"  ? "text/css; charset=utf-8"
               : ext == "svg"  ? "image/svg+xml"
               : ext == "json" ? "application/json; charset=utf-8"
                               : "application/octet-stream");
    set_header(response, "Cache-Control", "no-cache");
    reply(response, Http::Code::Ok, *bytes);
  };
  auto health = [](const Rest::Request&, Http::ResponseWriter& response) {
    send_json(response, Http::Code::Ok, "{\"status\":\"ok\"}");
  };
  using std::placeholders::_1, std::placeholders::_2;
  route("/", {{Http::Method::Get, page}});
  route("/healthz", {{Http::Method::Get, health}});
  route("/app/:name", {{Http::Method::Get, asset}});
  route("/api/v1/openapi.json", {{Http::Method::Get, openapi}});
  route("/api/v1/search", {{Http::Method::Get, std::bind(&Impl::search, this, _1, _2)}});
  route("/api/v1/records", {{Http::Method::Post, std::bind(&Impl::upload, this, _1, _2)}});
  route("/api/v1/records/:id",
        {{Http::Method::Get, std::bind(&Impl::record, this, _1, _2)},
         {Http::Method::Patch, std::bind(&Impl::edit_record, this, _1, _2)}});
  route("/api/v1/records/:id/withdraw",
        {{Http::Method::Post, std::bind(&Impl::set_status, this, _1, _2, true)}});
  route("/api/v1/records/:id/reinstate",
        {{Http::Method::Post, std::bind(&Impl::set_status, this, _1, _2, false)}});
  route("/api/v1/records/:id/history",
        {{Http::Method::Get, std::bind(&Impl::history, this, _1, _2)}});
  route("/api/v1/records/:id/file", {{Http::Method::Get, std::bind(&Impl::file, this, _1, _2)}});
  route("/api/v1/records/:id/versions",
        {{Http::Method::Get, std::bind(&Impl::versions, this, _1, _2)},
         {Http::Method::Post, std::bind(&Impl::add_version, this, _1, _2)}});
  route("/api/v1/records/:id/versions/:n/file",
        {{Http::Method::Get, std::bind(&Impl::version_file, this, _1, _2)}});
  route("/api/v1/records/:id/search",
        {{Http::Method::Get, std::bind(&Impl::search_record, this, _1, _2)}});
  route("/api/v1/records/:id/text",
        {{Http::Method::Get, std::bind(&Impl::page_text, this, _1, _2)}});
  route("/api/v1/records/:id/shares",
        {{Http::Method::Get, std::bind(&Impl::record_shares, this, _1, _2)},
         {Http::Method::Post, std::bind(&Impl::share, this, _1, _2)}});
  route("/api/v1/shares", {{Http::Method::Get, std::bind(&Impl::my_shares, this, _1, _2)},
                           {Http::Method::Post, std::bind(&Impl::share_collection, this, _1, _2)}});
  route("/api/v1/shares/:token_id",
        {{Http::Method::Delete, std::bind(&Impl::unshare, this, _1, _2)}});
  route("/api/v1/uploads", {{Http::Method::Post, std::bind(&Impl::upload_create, this, _1, _2)}});
  route("/api/v1/uploads/:id",
        {{Http::Method::Head, std::bind(&Impl::upload_offset, this, _1, _2)},
         {Http::Method::Patch, std::bind(&Impl::upload_chunk, this, _1, _2)}});
  route("/api/v1/login", {{Http::Method::Post, std::bind(&Impl::login, this, _1, _2)}});
  route("/api/v1/logout", {{Http::Method::Post, std::bind(&Impl::logout, this, _1, _2)}});
  route("/api/v1/me", {{Http::Method::Get, std::bind(&Impl::me, this, _1, _2)}});
  route("/api/v1/audit", {{Http::Method::Get, std::bind(&Impl::audit, this, _1, _2)}});
  route("/api/v1/schools", {{Http::Method::Get, std::bind(&Impl::schools, this, _1, _2)},
                            {Http::Method::Post, std::bind(&Impl::add_school, this, _1, _2)}});
  route("/api/v1/accounts", {{Http::Method::Get, std::bind(&Impl::accounts, this, _1, _2)},
                             {Http::Method::Post, std::bind(&Impl::add_account, this, _1, _2)}});
  route("/api/v1/accounts/:name",
        {{Http::Method::Patch, std::bind(&Impl::change_account, this, _1, _2)}});
  route("/api/v1/tokens", {{Http::Method::Get, std::bind(&Impl::tokens, this, _1, _2)},
                           {Http::Method::Post, std::bind(&Impl::add_token, this, _1, _2)}});
  route("/api/v1/tokens/:id",
        {{Http::Method::Delete, std::bind(&Impl::revoke_token, this, _1, _2)}});
  route("/api/v1/shared/:secret", {{Http::Method::Get, std::bind(&Impl::shared, this, _1, _2)}});
  route("/s/:secret", {{Http::Method::Get, std::bind(&Impl::shared_page, this, _1, _2)}});
  route("/s/:secret/file", {{Http::Method::Get, std::bind(&Impl::shared_file, this, _1, _2)}});
  route("/s/:secret/records/:id/file",
        {{Http::Method::Get, std::bind(&Impl::shared_record_file, this, _1, _2)}});
  // Lesson-plan approval (api/approval.cc).
  route("/api/v1/records/:id/approval",
        {{Http::Method::Get, std::bind(&Impl::approval_of, this, _1, _2)},
         {Http::Method::Post, std::bind(&Impl::approval_step, this, _1, _2)}});
  route("/api/v1/approvals", {{Http::Method::Get, std::bind(&Impl::approvals, this, _1, _2)}});
  route("/api/v1/schools/:code/approval",
        {{Http::Method::Get, std::bind(&Impl::approval_settings, this, _1, _2)},
         {Http::Method::Put, std::bind(&Impl::approval_settings, this, _1, _2)}});
  route("/api/v1/register/registers",
        {{Http::Method::Get, std::bind(&Impl::registers, this, _1, _2)},
         {Http::Method::Post, std::bind(&Impl::add_register, this, _1, _2)}});
  route("/api/v1/register/registers/:id/import",
        {{Http::Method::Post, std::bind(&Impl::import_register, this, _1, _2)}});
  route("/api/v1/register/registers/:id/entries",
        {{Http::Method::Post, std::bind(&Impl::add_register_entry, this, _1, _2)}});
  route("/api/v1/register/registers/:id/scan",
        {{Http::Method::Get, std::bind(&Impl::register_scan, this, _1, _2)}});
  route("/api/v1/register/entries",
        {{Http::Method::Get, std::bind(&Impl::find_entries, this, _1, _2)}});
  route("/api/v1/register/entries/:id",
        {{Http::Method::Get, std::bind(&Impl::register_entry, this, _1, _2)}});
  route("/api/v1/register/entries/:id/corrections",
        {{Http::Method::Post, std::bind(&Impl::change_entry, this, _1, _2, false)}});
  route("/api/v1/register/entries/:id/revocation",
        {{Http::Method::Post, std::bind(&Impl::change_entry, this, _1, _2, true)}});
  route("/api/v1/register/entries/:id/copies",
        {{Http::Method::Post, std::bind(&Impl::issue_copy, this, _1, _2)}});
  route("/api/v1/register/copies",
        {{Http::Method::Get, std::bind(&Impl::register_copies, this, _1, _2)}});
  route("/api/v1/register/copies/:number/pdf",
        {{Http::Method::Get, std::bind(&Impl::copy_pdf, this, _1, _2)}});
  route("/api/v1/register/keys",
        {{Http::Method::Get, std::bind(&Impl::register_keys, this, _1, _2)}});
  route("/api/v1/verify", {{Http::Method::Get, std::bind(&Impl::verify, this, _1, _2)},
                           {Http::Method::Post, std::bind(&Impl::verify, this, _1, _2)}});
  route("/api/v1/watch", {{Http::Method::Get, std::bind(&Impl::watch_folders, this, _1, _2)}});
  route("/api/v1/stats", {{Http::Method::Get, std::bind(&Impl::stats, this, _1, _2)}});
  route("/verify", {{Http::Method::Get, page}});
  route("/oai", {{Http::Method::Get, std::bind(&Impl::oai, this, _1, _2)},
                 {Http::Method::Post, std::bind(&Impl::oai, this, _1, _2)}});
  route("/api/v1/catalogue/export",
        {{Http::Method::Get, std::bind(&Impl::catalogue_export, this, _1, _2)}});
  router.addNotFoundHandler(
      guarded(&in_flight, [](const Rest::Request& request, Http::ResponseWriter& response) {
        send_error(response, Http::Code::Not_Found, "not_found",
                   "no such address: " + request.resource());
      }));
}

// OAI-PMH (api/oai.h): GET with a query string or POST with a form body. The
// base URL is the address the harvester used.
void Server::Impl::oai(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  OaiArguments arguments;
  if (request.method() == Http::Method::Post) {
    arguments = parse_form(request.body());
  } else {  // Pistache 0.0.5 keeps only the first of a repeated query argument
    const auto& query = request.query();
    for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it)
      arguments.emplace_back(percent_decode(it->first), percent_decode(it->second));
  }
  std::string host = options.address + ":" + std::to_string(options.port);
  if (auto h = request.headers().tryGet<Http::Header::Host>())
    host = h->host() + (h->port() == Port(80) ? "" : ":" + h->port().toString());
  OaiOptions oai;
  oai.base_url = "http://" + host + "/oai";
  oai.page_size = options.oai_page_size;
  OaiResponse answer = answer_oai(arguments, library, who, oai);
  if (answer.http_status != 200) return send_status(response, Status::IoError(answer.xml));
  set_header(response, "Content-Type", "text/xml; charset=utf-8");
  reply(response, Http::Code::Ok, answer.xml);
}

// Another process (`kho import`) may write the store; bring its changes into
// the index within a second.
void Server::Impl::keep_index_fresh() {
  std::unique_lock lock(mutex);
  while (!wake.wait_for(lock, std::chrono::seconds(1), [this] { return stopping; })) {
    lock.unlock();
    catch_up_index();
    lock.lock();
  }
}

void Server::Impl::catch_up_index() {
  try {
    if (library.store().last_sequence() <= library.index().applied_sequence()) return;
    if (Status s = library.index().catch_up(); !s.ok())
      std::fprintf(stderr, "kho: index catch-up failed: %s\n", s.message().c_str());
  } catch (const std::exception& e) {  // keep the thread alive; the next second retries
    std::fprintf(stderr, "kho: index catch-up failed: %s\n", e.what());
  }
}

namespace {

// A state-changing request made by a browser for another site's page (CSRF)
// is refused, not left to SameSite alone: its Origin names another host, or
// Sec-Fetch-Site says so. A bearer token is never sent by a browser on its
// own (and kho grants no CORS), so scripts with one are let through.
bool same_origin(const Http::Request& request) {
  auto m = request.method();
  if (m != Http::Method::Post && m != Http::Method::Put && m != Http::Method::Patch &&
      m != Http::Method::Delete)
    return true;
  if (auto auth = request.headers().tryGetRaw("Authorization"))
    if (auth->value().rfind("Bearer ", 0) == 0) return true;
  if (auto site = request.headers().tryGetRaw("Sec-Fetch-Site"))
    if (site->value() != "same-origin" && site->value() != "none") return false;
  auto origin = request.headers().tryGetRaw("Origin");
  if (!origin) return true;
  std::string from = origin->value();
  auto scheme = from.find("://");
  if (scheme == std::string::npos) return false;  // "null": a sandboxed or privacy-hidden page
  from = from.substr(scheme + 3);
  // The page's host as kho was addressed: Host, or what a proxy that
  // rewrote Host forwarded (a page of another site cannot add that header:
  // it would need a CORS grant kho never gives).
  std::vector<std::string> hosts;
  if (auto host = request.headers().tryGet<Http::Header::Host>())
    hosts.push_back(host->host() + (host->port() == Port(80) ? "" : ":" + host->port().toString()));
  if (auto forwarded = request.headers().tryGetRaw("X-Forwarded-Host"))
    hosts.push_back(forwarded->value());
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return s;
  };
  for (const auto& host : hosts)
    if (lower(host) == lower(from)) return true;
  return false;
}

// When a check report's RFC 3339 time was, as a time_t; 0 when unreadable.
std::time_t parse_time(const std::string& rfc3339) {
  std::tm tm{};
  if (::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return 0;
  return ::timegm(&tm);
}

// The check reads every byte once: it yields the CPU and the disk to requests.
void lower_priority() {
  const auto self = static_cast<id_t>(::syscall(SYS_gettid));
  ::setpriority(PRIO_PROCESS, self, 19);  // Linux: the nice value of this thread only
  constexpr int kWhoProcess = 1, kClassIdle = 3, kClassShift = 13;
  ::syscall(SYS_ioprio_set, kWhoProcess, self, kClassIdle << kClassShift);
}

}  // namespace

bool Server::Impl::trusted_proxy(const std::string& address) const {
  const auto& t = options.trusted_proxies;
  return std::find(t.begin(), t.end(), address) != t.end();
}

// Who the client is: the socket's peer, unless that is a trusted proxy; then
// the last X-Forwarded-For hop that is not one (earlier hops are whatever
// the client wrote, so they are not believed).
std::string Server::Impl::client_address(const Http::Request& request) const {
  std::string peer;
  try {
    peer = request.address().host();
  } catch (...) {
    return "";
  }
  auto forwarded = request.headers().tryGetRaw("X-Forwarded-For");
  if (!trusted_proxy(peer) || !forwarded) return peer;
  std::vector<std::string> hops;
  std::stringstream list(forwarded->value());
  for (std::string hop; std::getline(list, hop, ',');) {
    hop.erase(0, hop.find_first_not_of(" \t"));
    hop.erase(hop.find_last_not_of(" \t") + 1);
    hops.push_back(hop);
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it)
    if (!it->empty() && !trusted_proxy(*it)) return *it;
  return peer;
}

// HTTPS ends at the trusted proxy (kho never speaks TLS itself), which says so.
bool Server::Impl::over_https(const Http::Request& request) const {
  std::string peer;
  try {
    peer = request.address().host();
  } catch (...) {
    return false;
  }
  auto proto = request.headers().tryGetRaw("X-Forwarded-Proto");
  return trusted_proxy(peer) && proto && proto->value() == "https";
}

ConnectionLimits Server::Impl::connection_limits() const {
  ConnectionLimits l;
  l.max_connections = options.max_connections;
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    std::size_t spare = files.rlim_cur > kReservedDescriptors * 2
                            ? files.rlim_cur - kReservedDescriptors - options.max_slow_writes
                            : files.rlim_cur / 2;
    l.max_connections = std::min(l.max_connections, spare);
  }
  l.max_body = std::max<std::uint64_t>(
      {options.max_request_bytes, options.upload_chunk_bytes, options.max_small_body_bytes});
  l.max_per_address = options.max_connections_per_address;
  l.max_slow_writes = options.max_slow_writes;
  l.max_slow_writes_per_address = options.max_slow_writes_per_address;
  l.write_stall = options.write_stall_timeout;
  l.exempt.insert(options.trusted_proxies.begin(), options.trusted_proxies.end());
  return l;
}

// A request is judged on its head, before its body is read: a body is small
// unless it is an upload by someone signed in.
Verdict Server::Impl::admit(const Http::Request& request, std::uint64_t body_bytes) {
  if (!same_origin(request))
    return Verdict::refuse(Http::Code::Forbidden, "cross_origin",
                           "this request comes from another site's page: changes are made from "
                           "kho's own pages or with an API token");
  if (body_bytes <= options.max_small_body_bytes) return Verdict::admit();
  const std::string& path = request.resource();
  bool upload = request.method() == Http::Method::Post &&
                (path == "/api/v1/records" ||
                 (path.rfind("/api/v1/register/registers/", 0) == 0 && path.ends_with("/import")));
  bool chunk = request.method() == Http::Method::Patch &&
               request.resource().rfind("/api/v1/uploads/", 0) == 0;
  if (!upload && !chunk)
    return Verdict::refuse(Http::Code::Request_Entity_Too_Large, "too_large",
                           "a request to this address may carry at most " +
                               std::to_string(options.max_small_body_bytes) + " bytes");
  std::string secret = bearer_secret(request);
  Access who;
  if (secret.empty() ||
      !library.accounts().authenticate(secret, client_address(request), &who).ok() ||
      !who.signed_in())
    return Verdict::refuse(Http::Code::Unauthorized, "unauthorized", "sign in to add records");
  if (chunk && body_bytes > options.upload_chunk_bytes)
    return Verdict::refuse(
        Http::Code::Request_Entity_Too_Large, "too_large",
        "a chunk may carry at most " + std::to_string(options.upload_chunk_bytes) + " bytes");
  if (upload && body_bytes > options.max_request_bytes)
    return Verdict::refuse(Http::Code::Request_Entity_Too_Large, "too_large",
                           "the file is larger than " + std::to_string(options.max_request_bytes) +
                               " bytes: send it as a resumable upload (POST /api/v1/uploads)");
  return Verdict::admit();
}

// Checks the library whenever the last check is older than the schedule says,
// so a restart neither skips a check nor repeats a recent one.
void Server::Impl::verify_on_schedule() {
  lower_priority();
  const double every = options.verify_every_hours * 3600;
  const auto poll = std::chrono::duration<double>(std::clamp(every / 10, 1.0, 60.0));
  std::time_t tried = 0;  // a check that failed waits for its turn too
  std::unique_lock lock(mutex);
  for (;;) {
    VerifyReport last;
    std::time_t at =
        last_verification(library.store(), &last).ok() ? parse_time(last.started_at) : 0;
    if (std::difftime(std::time(nullptr), std::max(at, tried)) >= every) {
      lock.unlock();
      tried = std::time(nullptr);
      verify_now();
      lock.lock();
    }
    if (wake.wait_for(lock, poll, [this] { return stopping; })) return;
  }
}

void Server::Impl::verify_now() {
  try {
    VerifyOptions check;
    check.progress = [this](std::uint64_t, std::uint64_t, const std::string&) {
      return !stop_verifying.load();
    };
    VerifyReport report;
    Status s = verify_library(library, check, &report);
    if (s.code() == Status::Code::kBusy) return;  // stopping
    if (!s.ok()) {
      std::fprintf(stderr, "kho: verify failed: %s\n", s.message().c_str());
      return;
    }
    std::fprintf(stderr, "kho: verify: %llu files (%.1f MiB) in %.1f s: %s\n",
                 static_cast<unsigned long long>(report.originals),
                 static_cast<double>(report.bytes) / (1 << 20), report.seconds,
                 report.sound() ? "sound"
                                : (std::to_string(report.problems.size()) + " problem(s)").c_str());
    for (const auto& p : report.problems)
      std::fprintf(stderr, "kho: verify: %s: %s\n", p.kind.c_str(), p.what.c_str());
  } catch (const std::exception& e) {  // the server goes on; the next round tries again
    std::fprintf(stderr, "kho: verify failed: %s\n", e.what());
  }
}

Server::Server(Library& library, ServerOptions options)
    : impl_(std::make_unique<Impl>(library, std::move(options))) {}

Server::~Server() { stop(); }

Status Server::start() {
  try {
    Address address(impl_->options.address, Port(impl_->options.port));
    // A client that goes away mid-answer must not end the server (sendfile()
    // has no MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    const ServerOptions& o = impl_->options;
    std::size_t largest_body = std::max(o.max_request_bytes, o.upload_chunk_bytes);
    impl_->endpoint = std::make_unique<Http::Endpoint>(address);
    auto opts = Http::Endpoint::options()
                    .threads(static_cast<int>(o.threads))
                    .flags(Tcp::Options::ReuseAddr)
                    .maxRequestSize(largest_body + kHeaderAllowance)
                    .maxResponseSize(std::size_t{1} << 31)
                    .headerTimeout(o.header_timeout)
                    .bodyTimeout(std::max(o.body_timeout, o.header_timeout))
                    .keepaliveTimeout(o.idle_timeout);
    impl_->endpoint->init(opts);
    impl_->routes();
    impl_->uploads = std::make_unique<Uploads>(impl_->library.store().data_dir());
    Impl* impl = impl_.get();
    impl_->connections = std::make_shared<Connections>(
        impl_->connection_limits(),
        [impl](const Http::Request& head, std::uint64_t body) { return impl->admit(head, body); });
    auto router = impl_->router.handler();
    router->setMaxRequestSize(largest_body + kHeaderAllowance);
    router->setMaxResponseSize(std::size_t{1} << 31);
    impl_->endpoint->setHandler(std::make_shared<Gate>(impl_->connections, router));
    impl_->endpoint->serveThreaded();
  } catch (const std::exception& e) {
    impl_->endpoint.reset();
    return Status::IoError("cannot listen on " + impl_->options.address + ":" +
                           std::to_string(impl_->options.port) + ": " + e.what());
  }
  impl_->freshness = std::thread([this] { impl_->keep_index_fresh(); });
  if (impl_->options.verify_every_hours > 0)
    impl_->verifier = std::thread([this] { impl_->verify_on_schedule(); });
  return Status::Ok();
}

std::uint16_t Server::port() const {
  return impl_->endpoint ? static_cast<std::uint16_t>(impl_->endpoint->getPort()) : 0;
}

void Server::stop() {
  if (impl_->endpoint) impl_->endpoint->shutdown();
  impl_->in_flight.drain();
  impl_->endpoint.reset();
  impl_->connections.reset();  // its Sender ends the answers still being written
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->stop_verifying = true;
  impl_->wake.notify_all();
  if (impl_->freshness.joinable()) impl_->freshness.join();
  if (impl_->verifier.joinable()) impl_->verifier.join();
}

}  // namespace kho::api
