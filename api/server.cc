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

#include "api/connections.h"
#include "api/http_util.h"
#include "api/json_render.h"
#include "api/oai.h"
#include "api/uploads.h"
#include "api/web_assets.h"
#include "core/verify.h"
#include "harvest/harvest.h"

using namespace Pistache;

namespace kho::api {

namespace {

// Pistache bounds the whole request, headers included; the body limits
// themselves are checked before a body is read (Impl::admit) so that the
// client gets kho's JSON 413.
constexpr std::size_t kHeaderAllowance = std::size_t{64} << 10;
// Descriptors kept for the server's own work (LMDB, Xapian, imports, logs)
// when the number of open connections is capped.
constexpr std::size_t kReservedDescriptors = 128;

using Handler = std::function<void(const Rest::Request&, Http::ResponseWriter&)>;

// Pistache 0.0.5 writes only typed headers into a response (writeHeaders()
// walks Collection::list()); headers added with addRaw() are silently
// dropped. This typed header carries any name and value. Its hash differs
// from Pistache's own header types so header_cast<>() never mistakes it for
// one; nothing in kho asks Pistache for a typed response header.
class TextHeader : public Http::Header::Header {
 public:
  TextHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  std::uint64_t hash() const override {
    return Http::Header::detail::hash(("kho:" + name_).c_str());
  }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_, value_;
};

void set_header(Http::ResponseWriter& response, std::string name, std::string value) {
  response.headers().add(std::make_shared<TextHeader>(std::move(name), std::move(value)));
}

void send_json(Http::ResponseWriter& response, Http::Code code, const std::string& body) {
  set_header(response, "Content-Type", "application/json; charset=utf-8");
  reply(response, code, body);
}

void send_error(Http::ResponseWriter& response, Http::Code code, const std::string& kind,
                const std::string& message) {
  send_json(response, code, render_error(kind, message));
}

// Expected failures map to their HTTP status; the message is the user's.
void send_status(Http::ResponseWriter& response, const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound:
      return send_error(response, Http::Code::Not_Found, "not_found", s.message());
    case Status::Code::kConflict:
      return send_error(response, Http::Code::Conflict, "conflict", s.message());
    case Status::Code::kInvalid:
    case Status::Code::kCorrupt:
    case Status::Code::kUnsupported:
      return send_error(response, Http::Code::Bad_Request, "bad_request", s.message());
    case Status::Code::kTooLarge:
      return send_error(response, Http::Code::Request_Entity_Too_Large, "too_large", s.message());
    case Status::Code::kDenied:
      return send_error(response, Http::Code::Forbidden, "forbidden", s.message());
    case Status::Code::kBusy:
      return send_error(response, Http::Code::Service_Unavailable, "busy", s.message());
    default:
      std::fprintf(stderr, "kho: error: %s\n", s.message().c_str());
      return send_error(response, Http::Code::Internal_Server_Error, "internal", "internal error");
  }
}

// Counts handlers that are running, so stop() can wait for them before the
// Library goes away (Pistache 0.0.5's shutdown() may return while they run).
class InFlight {
 public:
  void enter() {
    std::lock_guard lock(mutex_);
    ++count_;
  }
  void leave() {
    std::lock_guard lock(mutex_);
    if (--count_ == 0) idle_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  int count_ = 0;
};

void send_internal_error(const Rest::Request& request, Http::ResponseWriter& response,
                         const char* what) {
  std::fprintf(stderr, "kho: error in %s %s: %s\n", Http::methodString(request.method()),
               request.resource().c_str(), what);
  try {
    send_error(response, Http::Code::Internal_Server_Error, "internal", "internal error");
  } catch (...) {  // the connection is gone; nothing left to tell the client
  }
}

// Pistache turns an escaping exception into a 500 whose body is e.what();
// keep internals in the log and give clients kho's JSON.
Rest::Route::Handler guarded(InFlight* in_flight, Handler handler) {
  return [in_flight, handler](const Rest::Request& request, Http::ResponseWriter response) {
    in_flight->enter();
    try {
      handler(request, response);
    } catch (const std::exception& e) {
      send_internal_error(request, response, e.what());
    } catch (...) {
      send_internal_error(request, response, "unknown exception");
    }
    in_flight->leave();
    return Rest::Route::Result::Ok;
  };
}

}  // namespace

struct Server::Impl {
  Library& library;
  ServerOptions options;
  std::unique_ptr<Http::Endpoint> endpoint;
  Rest::Router router;
  std::thread freshness, verifier;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<bool> stop_verifying{false};
  InFlight in_flight;
  std::shared_ptr<Connections> connections;
  std::unique_ptr<Uploads> uploads;

  Impl(Library& l, ServerOptions o) : library(l), options(std::move(o)) {}

  void routes();
  void route(const std::string& path,
             const std::vector<std::pair<Http::Method, Handler>>& handlers);
  void search(const Rest::Request& request, Http::ResponseWriter& response);
  void record(const Rest::Request& request, Http::ResponseWriter& response);
  void search_record(const Rest::Request& request, Http::ResponseWriter& response);
  void file(const Rest::Request& request, Http::ResponseWriter& response);
  void upload(const Rest::Request& request, Http::ResponseWriter& response);
  void answer_import(const std::string& path, const ImportOptions& import,
                     Http::ResponseWriter& response);
  void upload_create(const Rest::Request& request, Http::ResponseWriter& response);
  void upload_offset(const Rest::Request& request, Http::ResponseWriter& response);
  void upload_chunk(const Rest::Request& request, Http::ResponseWriter& response);
  bool upload_of(const Rest::Request& request, Http::ResponseWriter& response, Access* who,
                 Upload* upload);
  void login(const Rest::Request& request, Http::ResponseWriter& response);
  void logout(const Rest::Request& request, Http::ResponseWriter& response);
  void me(const Rest::Request& request, Http::ResponseWriter& response);
  void share(const Rest::Request& request, Http::ResponseWriter& response);
  void unshare(const Rest::Request& request, Http::ResponseWriter& response);
  void shared(const Rest::Request& request, Http::ResponseWriter& response);
  void shared_file(const Rest::Request& request, Http::ResponseWriter& response);
  void audit(const Rest::Request& request, Http::ResponseWriter& response);
  void oai(const Rest::Request& request, Http::ResponseWriter& response);
  Verdict admit(const Http::Request& request, std::uint64_t body_bytes);
  bool trusted_proxy(const std::string& address) const;
  std::string client_address(const Http::Request& request) const;
  bool over_https(const Http::Request& request) const;
  ConnectionLimits connection_limits() const;
  void keep_index_fresh();
  void catch_up_index();
  void verify_on_schedule();
  void verify_now();
  void refuse_damaged(const store::Record& r, const store::Original& original, const Status& found,
                      Http::ResponseWriter& response);
  Status record_from(const Rest::Request& request, const Access& who, store::Record* out);
  void send_file(const Rest::Request& request, const Access& who, const store::Record& r,
                 Http::ResponseWriter& response);
  // Who is asking: a bearer token or the session cookie, else anonymous. A
  // token that is unknown, expired or revoked is refused with 401 (false).
  bool caller(const Rest::Request& request, Http::ResponseWriter& response, Access* out);
};

namespace {

std::string bearer_secret(const Http::Request& request) {
  if (auto h = request.headers().tryGetRaw("Authorization")) {
    const std::string& v = h->value();
    if (v.rfind("Bearer ", 0) == 0) return v.substr(7);
  }
  if (request.cookies().has("kho_session")) return request.cookies().get("kho_session").value;
  return "";
}

}  // namespace

bool Server::Impl::caller(const Rest::Request& request, Http::ResponseWriter& response,
                          Access* out) {
  std::string from = client_address(request), secret = bearer_secret(request);
  if (secret.empty()) {
    *out = Access::anonymous(from);
    return true;
  }
  Status s = library.accounts().authenticate(secret, from, out);
  if (s.ok() && !out->signed_in()) s = Status::Invalid("a share link is not a sign-in token");
  if (s.ok()) return true;
  set_header(response, "WWW-Authenticate", "Bearer");
  send_error(response, Http::Code::Unauthorized, "unauthorized", s.message());
  return false;
}

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
  auto health = [](const Rest::Request&, Http::ResponseWriter& response) {
    send_json(response, Http::Code::Ok, "{\"status\":\"ok\"}");
  };
  using std::placeholders::_1, std::placeholders::_2;
  route("/", {{Http::Method::Get, page}});
  route("/healthz", {{Http::Method::Get, health}});
  route("/api/v1/search", {{Http::Method::Get, std::bind(&Impl::search, this, _1, _2)}});
  route("/api/v1/records", {{Http::Method::Post, std::bind(&Impl::upload, this, _1, _2)}});
  route("/api/v1/records/:id", {{Http::Method::Get, std::bind(&Impl::record, this, _1, _2)}});
  route("/api/v1/records/:id/file", {{Http::Method::Get, std::bind(&Impl::file, this, _1, _2)}});
  route("/api/v1/records/:id/search",
        {{Http::Method::Get, std::bind(&Impl::search_record, this, _1, _2)}});
  route("/api/v1/records/:id/shares",
        {{Http::Method::Post, std::bind(&Impl::share, this, _1, _2)}});
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
  route("/s/:secret", {{Http::Method::Get, std::bind(&Impl::shared, this, _1, _2)}});
  route("/s/:secret/file", {{Http::Method::Get, std::bind(&Impl::shared_file, this, _1, _2)}});
  route("/oai", {{Http::Method::Get, std::bind(&Impl::oai, this, _1, _2)},
                 {Http::Method::Post, std::bind(&Impl::oai, this, _1, _2)}});
  router.addNotFoundHandler(
      guarded(&in_flight, [](const Rest::Request& request, Http::ResponseWriter& response) {
        send_error(response, Http::Code::Not_Found, "not_found",
                   "no such address: " + request.resource());
      }));
}

void Server::Impl::search(const Rest::Request& request, Http::ResponseWriter& response) {
  indexer::SearchRequest search;
  search.query = query_param(request.query(), "q").value_or("");
  std::size_t page = 1;
  std::string error;
  if (!parse_count(query_param(request.query(), "page"), 1, 100000, &page, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", "page: " + error);
  if (!parse_count(query_param(request.query(), "per_page"), 1, 100, &search.limit, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", "per_page: " + error);
  if (search.query.find_first_not_of(" \t") == std::string::npos)
    return send_error(response, Http::Code::Bad_Request, "bad_request", "q: the query is empty");
  search.offset = (page - 1) * search.limit;
  if (!search_options_from(request.query(), &search, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  Access who;
  if (!caller(request, response, &who)) return;
  who.restrict(&search);
  indexer::Results results;
  if (Status s = library.index().search(search, &results); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_results(results));
}

Status Server::Impl::record_from(const Rest::Request& request, const Access& who,
                                 store::Record* out) {
  store::RecordId id = 0;
  std::string text = request.param(":id").as<std::string>();
  if (!parse_id(text, &id)) return Status::NotFound("no record " + text);
  Status s = library.store().get(id, out);
  // A record the caller may not read does not exist for them: 404, not 403,
  // so that its existence does not leak.
  if (s.ok() && !who.may_read(*out)) return Status::NotFound("no record " + text);
  return s;
}

void Server::Impl::search_record(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  std::string q = query_param(request.query(), "q").value_or("");
  if (q.find_first_not_of(" \t") == std::string::npos)
    return send_error(response, Http::Code::Bad_Request, "bad_request", "q: the query is empty");
  std::vector<indexer::Hit> pages;
  if (Status s = library.index().search_record(r.id, q, &pages); !s.ok())
    return send_status(response, s);
  send_json(response, Http::Code::Ok, render_pages(r.id, pages));
}

void Server::Impl::record(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_record(r));
}

namespace {

std::string content_range(const ByteRange& range, std::uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" +
         std::to_string(range.first + range.length - 1) + "/" + std::to_string(size);
}

void set_file_headers(Http::ResponseWriter& response, const store::Original& original) {
  set_header(response, "Content-Type",
             original.media_type.empty() ? "application/octet-stream" : original.media_type);
  set_header(response, "Content-Disposition", content_disposition(original.filename));
  set_header(response, "Accept-Ranges", "bytes");
}

}  // namespace

// The first original, whole or one byte range of it (RFC 7233). Only the
// slice asked for is read from disk.
void Server::Impl::file(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  send_file(request, who, r, response);
}

void Server::Impl::send_file(const Rest::Request& request, const Access& who,
                             const store::Record& record, Http::ResponseWriter& response) {
  store::Record r = record;
  // A harvested record's file is fetched from its origin the first time it is asked for.
  if (r.originals.empty() && r.fields.count("origin_file") > 0) {
    if (Status s = harvest::fetch_original(library.store(), r.id, options.harvest_token, &r);
        !s.ok()) {
      std::fprintf(stderr, "kho: fetching record %llu's file: %s\n",
                   static_cast<unsigned long long>(r.id), s.message().c_str());
      return send_error(response, Http::Code::Bad_Gateway, "origin_unavailable",
                        "the library this record comes from did not give its file");
    }
  }
  if (r.originals.empty())
    return send_error(response, Http::Code::Not_Found, "not_found", "record has no file");
  const store::Original& original = r.originals.front();
  auto header = request.headers().tryGetRaw("Range");
  ByteRange range = parse_range(header ? header->value() : "", original.size);
  if (range.unsatisfiable) {
    set_header(response, "Content-Range", "bytes */" + std::to_string(original.size));
    return send_error(response, Http::Code::Requested_Range_Not_Satisfiable,
                      "range_not_satisfiable", "range outside the file");
  }
  // A file whose bytes have changed is never sent as if it were sound: its
  // size is checked here; a whole file's SHA-256 is read through before it
  // is sent (memory stays bounded); for a part, the damage mark of the last check.
  std::string path = library.store().original_path(original);
  std::error_code ec;
  std::uintmax_t on_disk = std::filesystem::file_size(path, ec);
  if (ec) return refuse_damaged(r, original, Status::NotFound(ec.message()), response);
  if (on_disk != original.size)
    return refuse_damaged(r, original,
                          Status::Corrupt("it has " + std::to_string(on_disk) + " bytes where " +
                                          std::to_string(original.size) + " were stored"),
                          response);
  const bool whole = range.first == 0 && range.length == original.size;
  if (!whole && library.store().is_damaged(original.sha256))
    return refuse_damaged(r, original, Status::Corrupt("marked damaged by a check"), response);
  if (Status s = room_for(response, range.length); !s.ok()) return send_status(response, s);
  if (whole) {
    std::string sha;
    if (Status s = store::sha256_file(path, &sha); !s.ok()) return send_status(response, s);
    if (sha != original.sha256)
      return refuse_damaged(r, original,
                            Status::Corrupt("its bytes have changed (SHA-256 " + sha +
                                            ", stored as " + original.sha256 + ")"),
                            response);
    if (library.store().is_damaged(sha)) library.store().clear_damaged(sha);  // restored since
  }
  // Who read a file that is not public is on record before the bytes leave.
  if (r.visibility != "public" || who.account().rfind("share:", 0) == 0) {
    store::Actor actor = who.actor();
    Status s = library.store().audit({0, "", actor.name, actor.from, "read-file", r.id,
                                      range.partial ? content_range(range, original.size) : ""});
    if (!s.ok()) return send_status(response, s);
  }
  set_file_headers(response, original);
  if (range.partial) set_header(response, "Content-Range", content_range(range, original.size));
  // Written from the file as the reader takes it, never read whole.
  Status s = reply_file(response, range.partial ? Http::Code::Partial_Content : Http::Code::Ok,
                        path, range.first, range.length);
  if (!s.ok()) send_status(response, s);
}

// Marks the file damaged (so that its parts are refused too until a check
// finds it sound), tells the log, and answers with kho's JSON error.
void Server::Impl::refuse_damaged(const store::Record& r, const store::Original& original,
                                  const Status& found, Http::ResponseWriter& response) {
  const std::string path = library.store().original_path(original);
  library.store().mark_damaged(original.sha256, found.message());
  std::fprintf(stderr, "kho: error: %s; not served\n",
               damage_message(r, original, path, found).c_str());
  send_error(response, Http::Code::Internal_Server_Error, "damaged",
             "the stored file is damaged; the library's administrator must restore it from a "
             "backup");
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

namespace {
// Removes an upload's temporary file however the handler ends.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};
}  // namespace

void Server::Impl::upload(const Rest::Request& request, Http::ResponseWriter& response) {
  if (request.body().size() > options.max_request_bytes)
    return send_error(
        response, Http::Code::Request_Entity_Too_Large, "too_large",
        "the file is larger than " + std::to_string(options.max_request_bytes) + " bytes");
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in to add records");
  ImportOptions import;
  import.access = who;
  import.worker_exe = options.worker_exe;
  import.update_index = true;  // an uploaded file is searchable when the answer arrives
  std::string error;
  if (!import_options_from(request.query(), &import, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  if (import.school.empty()) import.school = who.home();
  TempFile temp;
  if (Status s = write_temp(library.store().data_dir(), request.body(), &temp.path); !s.ok())
    return send_status(response, s);
  answer_import(temp.path, import, response);
}

// What became of an uploaded file (or of each file of an uploaded archive).
void Server::Impl::answer_import(const std::string& path, const ImportOptions& import,
                                 Http::ResponseWriter& response) {
  std::vector<ImportItem> items;
  Status s =
      library.import_path(path, import, [&](const ImportItem& item) { items.push_back(item); });
  if (!s.ok()) return send_status(response, s.with_context(import.filename));
  if (items.size() == 1 && items[0].name == path) {  // one file, not an archive
    const ImportItem& item = items[0];
    if (!item.status.ok()) return send_status(response, item.status.with_context(import.filename));
    if (!item.duplicate)
      set_header(response, "Location", "/api/v1/records/" + std::to_string(item.record.id));
    return send_json(response, item.duplicate ? Http::Code::Ok : Http::Code::Created,
                     render_record(item.record, item.duplicate));
  }
  // An archive: what became of each file in it.
  nlohmann::json imported = nlohmann::json::array(), duplicates = imported, failed = imported;
  for (const auto& item : items) {
    if (!item.status.ok())
      failed.push_back({{"path", item.name}, {"error", item.status.message()}});
    else
      (item.duplicate ? duplicates : imported)
          .push_back({{"path", item.name}, {"id", item.record.id}});
  }
  bool refused = imported.empty() && duplicates.empty() && !failed.empty();
  if (refused && items.size() == 1) return send_status(response, items[0].status);
  send_json(response, imported.empty() ? Http::Code::Ok : Http::Code::Created,
            nlohmann::json{{"imported", imported}, {"duplicates", duplicates}, {"failed", failed}}
                .dump());
}

namespace {

void set_tus_headers(Http::ResponseWriter& response, const Upload& u) {
  set_header(response, "Tus-Resumable", "1.0.0");
  set_header(response, "Upload-Offset", std::to_string(u.offset));
  set_header(response, "Upload-Length", std::to_string(u.length));
  set_header(response, "Cache-Control", "no-store");
}

std::optional<std::uint64_t> header_number(const Rest::Request& request, const std::string& name) {
  auto h = request.headers().tryGetRaw(name);
  if (!h || h->value().empty() || h->value().size() > 18 ||
      h->value().find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(h->value());
}

}  // namespace

// POST /api/v1/uploads?filename=…&kind=… with Upload-Length: a resumable
// upload (tus 1.0), to be sent with PATCH in chunks; the query is that of
// POST /api/v1/records and is checked now, before any byte is sent.
void Server::Impl::upload_create(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in to add records");
  auto length = header_number(request, "Upload-Length");
  if (!length || *length == 0)
    return send_error(response, Http::Code::Bad_Request, "bad_request",
                      "Upload-Length: the file's size in bytes is needed");
  if (*length > options.max_upload_bytes)
    return send_error(
        response, Http::Code::Request_Entity_Too_Large, "too_large",
        "the file is larger than " + std::to_string(options.max_upload_bytes) + " bytes");
  ImportOptions import;
  std::string error;
  if (!import_options_from(request.query(), &import, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  std::vector<std::pair<std::string, std::string>> query;
  for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it)
    query.emplace_back(it->first, it->second);
  Upload u;
  if (Status s = uploads->create(who.account(), *length, std::move(query), &u); !s.ok())
    return send_status(response, s);
  set_header(response, "Location", "/api/v1/uploads/" + u.id);
  set_tus_headers(response, u);
  send_json(response, Http::Code::Created,
            nlohmann::json{{"id", u.id}, {"offset", 0}, {"length", u.length}}.dump());
}

// The caller's own upload named in the path; anyone else's does not exist.
bool Server::Impl::upload_of(const Rest::Request& request, Http::ResponseWriter& response,
                             Access* who, Upload* upload) {
  if (!caller(request, response, who)) return false;
  Status s = who->signed_in()
                 ? uploads->find(request.param(":id").as<std::string>(), who->account(), upload)
                 : Status::NotFound("no such upload");
  if (s.ok()) return true;
  if (request.method() == Http::Method::Head)  // a HEAD answer has no body
    reply(response, Http::Code::Not_Found, "");
  else
    send_status(response, s);
  return false;
}

// HEAD: how much of the upload the server has (tus: Upload-Offset).
void Server::Impl::upload_offset(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  Upload u;
  if (!upload_of(request, response, &who, &u)) return;
  set_tus_headers(response, u);
  reply(response, Http::Code::Ok, "");
}

// PATCH with Upload-Offset and a chunk of at most upload_chunk_bytes: on disk
// before the answer; the last chunk imports the file as POST /api/v1/records
// does and answers with the record.
void Server::Impl::upload_chunk(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  Upload u;
  if (!upload_of(request, response, &who, &u)) return;
  auto type = request.headers().tryGet<Http::Header::ContentType>();
  if (!type || type->mime().toString() != "application/offset+octet-stream")
    return send_error(response, Http::Code::Unsupported_Media_Type, "unsupported_media_type",
                      "Content-Type: a chunk is application/offset+octet-stream");
  auto offset = header_number(request, "Upload-Offset");
  if (!offset)
    return send_error(response, Http::Code::Bad_Request, "bad_request",
                      "Upload-Offset: where this chunk starts, in bytes");
  if (Status s = uploads->append(&u, *offset, request.body()); !s.ok()) {
    set_tus_headers(response, u);
    return send_status(response, s);
  }
  set_tus_headers(response, u);
  if (u.offset < u.length) return reply(response, Http::Code::No_Content, "");
  ImportOptions import;
  import.access = who;
  import.worker_exe = options.worker_exe;
  import.update_index = true;
  Http::Uri::Query query;
  for (const auto& [name, value] : u.query) query.add(name, value);
  std::string error;
  if (!import_options_from(query, &import, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  if (import.school.empty()) import.school = who.home();
  answer_import(u.path, import, response);
  uploads->remove(u);
}

namespace {

nlohmann::json token_json(const store::Token& t) {
  nlohmann::json j = {{"id", t.id}, {"kind", t.kind}, {"created_at", t.created_at}};
  j["expires_at"] = t.expires_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.expires_at);
  if (t.record != 0) j["record"] = t.record;
  if (!t.collection.empty()) j["collection"] = t.collection;
  return j;
}

}  // namespace

// POST {"name", "password"}: a session token, also set as an HttpOnly cookie
// for the web page.
void Server::Impl::login(const Rest::Request& request, Http::ResponseWriter& response) {
  auto body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body["name"].is_string() ||
      !body["password"].is_string())
    return send_error(response, Http::Code::Bad_Request, "bad_request",
                      "body: a JSON object with \"name\" and \"password\"");
  NewSecret session;
  Status s =
      library.accounts().login(body["name"], body["password"], client_address(request), &session);
  if (s.code() == Status::Code::kBusy)
    return send_error(response, Http::Code::Too_Many_Requests, "too_many_requests", s.message());
  if (s.code() == Status::Code::kInvalid)
    return send_error(response, Http::Code::Unauthorized, "unauthorized", s.message());
  if (!s.ok()) return send_status(response, s);
  set_header(response, "Set-Cookie",
             "kho_session=" + session.secret +
                 "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200" +
                 (over_https(request) ? "; Secure" : ""));
  nlohmann::json j = token_json(session.token);
  j["token"] = session.secret;
  j["account"] = session.token.account;
  send_json(response, Http::Code::Ok, j.dump());
}

// Signing out always clears the cookie, even one whose session has ended: a
// stale cookie would otherwise make every request of the page a 401.
void Server::Impl::logout(const Rest::Request& request, Http::ResponseWriter& response) {
  std::string secret = bearer_secret(request);
  Access who;
  store::Token token;
  if (!secret.empty() &&
      library.accounts().authenticate(secret, client_address(request), &who).ok() &&
      library.accounts().find(secret, &token).ok() && token.kind == "session")
    library.accounts().revoke(token.id, who.actor());
  set_header(response, "Set-Cookie",
             std::string("kho_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0") +
                 (over_https(request) ? "; Secure" : ""));
  send_json(response, Http::Code::Ok, "{\"signed_out\":true}");
}

void Server::Impl::me(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  nlohmann::json j = {{"account", who.signed_in() ? nlohmann::json(who.account()) : nullptr},
                      {"home", who.home()},
                      {"admin", who.signed_in() && who.may_administer()}};
  send_json(response, Http::Code::Ok, j.dump());
}

// POST ?days=N: a share link to the record (N days; 0 or none: no expiry).
void Server::Impl::share(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in to share");
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  std::size_t days = 0;
  std::string error;
  if (!parse_count(query_param(request.query(), "days"), 0, 3650, &days, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", "days: " + error);
  NewSecret link;
  if (Status s = library.accounts().create_share(
          who, r.id, "", std::chrono::hours(24 * static_cast<long>(days)), &link);
      !s.ok())
    return send_status(response, s);
  nlohmann::json j = token_json(link.token);
  j["url"] = "/s/" + link.secret;
  send_json(response, Http::Code::Created, j.dump());
}

void Server::Impl::unshare(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in");
  store::RecordId id = 0;
  std::string text = request.param(":token_id").as<std::string>();
  if (!parse_id(text, &id))
    return send_error(response, Http::Code::Not_Found, "not_found", "no share link " + text);
  if (Status s = library.accounts().revoke_share(who, id); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, "{\"revoked\":true}");
}

// A share link, used without an account: the record it names (or the
// records of its collection, as a search listing), and the file.
void Server::Impl::shared(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::string secret = request.param(":secret").as<std::string>();
  if (!library.accounts().authenticate(secret, client_address(request), &who).ok() ||
      who.signed_in())
    return send_error(response, Http::Code::Not_Found, "not_found",
                      "this share link does not exist, has expired or was revoked");
  store::Token link;
  library.accounts().find(secret, &link);
  store::Actor actor = who.actor();
  library.store().audit(
      {0, "", actor.name, actor.from, "share-open", link.record, link.collection});
  if (link.record != 0) {
    store::Record r;
    if (Status s = library.store().get(link.record, &r); !s.ok()) return send_status(response, s);
    return send_json(response, Http::Code::Ok, render_record(r));
  }
  indexer::SearchRequest search;
  search.query = query_param(request.query(), "q").value_or("*");
  search.limit = 100;
  who.restrict(&search);
  indexer::Results results;
  if (Status s = library.index().search(search, &results); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_results(results));
}

void Server::Impl::shared_file(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::string secret = request.param(":secret").as<std::string>();
  store::Token link;
  if (!library.accounts().authenticate(secret, client_address(request), &who).ok() ||
      who.signed_in() || !library.accounts().find(secret, &link).ok() || link.record == 0)
    return send_error(response, Http::Code::Not_Found, "not_found",
                      "this share link does not exist, has expired or was revoked");
  store::Record r;
  if (Status s = library.store().get(link.record, &r); !s.ok()) return send_status(response, s);
  send_file(request, who, r, response);
}

// GET ?after=SEQ&limit=N: the audit log, oldest first; admins only, each
// seeing what concerns its schools; `next` is the `after` of the next page.
void Server::Impl::audit(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in as an admin");
  if (!who.may_administer())
    return send_error(response, Http::Code::Forbidden, "forbidden", "the audit log is for admins");
  std::size_t after = 0, limit = 100;
  std::string error;
  if (!parse_count(query_param(request.query(), "after"), 0, SIZE_MAX, &after, &error) ||
      !parse_count(query_param(request.query(), "limit"), 1, 1000, &limit, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  std::vector<store::AuditEntry> entries;
  if (Status s = library.store().audit_log(after, limit, &entries); !s.ok())
    return send_status(response, s);
  // An admin sees its own schools' entries; `next` pages on past the others.
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : entries) {
    store::Record record;
    store::Account actor;
    bool about_record = e.record != 0 && library.store().get(e.record, &record).ok();
    bool by_account = library.store().get_account(e.actor, &actor).ok();
    if (!who.may_audit(about_record ? record.school : "", by_account ? &actor : nullptr)) continue;
    list.push_back(audit_json(e));
  }
  nlohmann::json page{{"entries", list}};
  if (entries.size() == limit) page["next"] = entries.back().seq;
  send_json(response, Http::Code::Ok, page.dump());
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
  bool upload = request.method() == Http::Method::Post && request.resource() == "/api/v1/records";
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
