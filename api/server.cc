#include "api/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/http_util.h"
#include "api/json_render.h"
#include "api/web_assets.h"

namespace fs = std::filesystem;
using namespace Pistache;

namespace kho::api {

namespace {

using Handler = std::function<void(const Rest::Request&, Http::ResponseWriter&)>;

void send_json(Http::ResponseWriter& response, Http::Code code, const std::string& body) {
  response.headers().addRaw(Http::Header::Raw("Content-Type", "application/json; charset=utf-8"));
  response.send(code, body);
}

void send_error(Http::ResponseWriter& response, Http::Code code, const std::string& kind, const std::string& message) {
  send_json(response, code, render_error(kind, message));
}

// Expected failures map to their HTTP status; the message is the user's.
void send_status(Http::ResponseWriter& response, const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound: return send_error(response, Http::Code::Not_Found, "not_found", s.message());
    case Status::Code::kInvalid:
    case Status::Code::kCorrupt:
    case Status::Code::kUnsupported: return send_error(response, Http::Code::Bad_Request, "bad_request", s.message());
    case Status::Code::kTooLarge:
      return send_error(response, Http::Code::Request_Entity_Too_Large, "too_large", s.message());
    case Status::Code::kBusy: return send_error(response, Http::Code::Service_Unavailable, "busy", s.message());
    default:
      std::fprintf(stderr, "kho: error: %s\n", s.message().c_str());
      return send_error(response, Http::Code::Internal_Server_Error, "internal", "internal error");
  }
}

// Pistache turns an escaping exception into a 500 whose body is e.what();
// keep internals in the log and give clients kho's JSON.
Rest::Route::Handler guarded(Handler handler) {
  return [handler](const Rest::Request& request, Http::ResponseWriter response) {
    try {
      handler(request, response);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kho: error in %s: %s\n", request.resource().c_str(), e.what());
      send_error(response, Http::Code::Internal_Server_Error, "internal", "internal error");
    }
    return Rest::Route::Result::Ok;
  };
}

}  // namespace

struct Server::Impl {
  Library& library;
  ServerOptions options;
  std::unique_ptr<Http::Endpoint> endpoint;
  Rest::Router router;
  std::thread freshness;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;

  Impl(Library& l, ServerOptions o) : library(l), options(std::move(o)) {}

  void routes();
  void route(const std::string& path, const std::vector<std::pair<Http::Method, Handler>>& handlers);
  void search(const Rest::Request& request, Http::ResponseWriter& response);
  void record(const Rest::Request& request, Http::ResponseWriter& response);
  void file(const Rest::Request& request, Http::ResponseWriter& response);
  void upload(const Rest::Request& request, Http::ResponseWriter& response);
  void keep_index_fresh();
  Status record_from(const Rest::Request& request, store::Record* out);
};

// Registers every method on every path: the supported ones answer, the rest
// say 405. (Pistache 0.0.5's router also races when a method has no routes.)
void Server::Impl::route(const std::string& path, const std::vector<std::pair<Http::Method, Handler>>& handlers) {
  std::string allow;
  for (const auto& [method, h] : handlers) allow += (allow.empty() ? "" : ", ") + std::string(Http::methodString(method));
  auto not_allowed = [allow](const Rest::Request&, Http::ResponseWriter& response) {
    response.headers().addRaw(Http::Header::Raw("Allow", allow));
    send_error(response, Http::Code::Method_Not_Allowed, "method_not_allowed", "this address accepts " + allow);
  };
  for (Http::Method m : {Http::Method::Get, Http::Method::Post, Http::Method::Put, Http::Method::Patch,
                         Http::Method::Delete, Http::Method::Head, Http::Method::Options}) {
    Handler h = not_allowed;
    for (const auto& [method, handler] : handlers)
      if (method == m) h = handler;
    router.addRoute(m, path, guarded(h));
  }
}

void Server::Impl::routes() {
  auto page = [](const Rest::Request&, Http::ResponseWriter& response) {
    response.headers().addRaw(Http::Header::Raw("Content-Type", "text/html; charset=utf-8"));
    response.send(Http::Code::Ok, *web_asset("index.html"));
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
  router.addNotFoundHandler(guarded([](const Rest::Request& request, Http::ResponseWriter& response) {
    send_error(response, Http::Code::Not_Found, "not_found", "no such address: " + request.resource());
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
  indexer::Results results;
  if (Status s = library.index().search(search, &results); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_results(results));
}

Status Server::Impl::record_from(const Rest::Request& request, store::Record* out) {
  store::RecordId id = 0;
  std::string text = request.param(":id").as<std::string>();
  if (!parse_id(text, &id)) return Status::NotFound("no record " + text);
  return library.store().get(id, out);
}

void Server::Impl::record(const Rest::Request& request, Http::ResponseWriter& response) {
  store::Record r;
  if (Status s = record_from(request, &r); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_record(r));
}

void Server::Impl::file(const Rest::Request& request, Http::ResponseWriter& response) {
  store::Record r;
  if (Status s = record_from(request, &r); !s.ok()) return send_status(response, s);
  if (r.originals.empty()) return send_error(response, Http::Code::Not_Found, "not_found", "record has no file");
  const store::Original& original = r.originals.front();
  auto range_header = request.headers().tryGetRaw("Range");
  ByteRange range = parse_range(range_header ? range_header->value() : "", original.size);
  if (range.unsatisfiable) {
    response.headers().addRaw(Http::Header::Raw("Content-Range", "bytes */" + std::to_string(original.size)));
    return send_error(response, Http::Code::Requested_Range_Not_Satisfiable, "range_not_satisfiable", "range outside the file");
  }
  std::string body;
  if (Status s = read_slice(library.store().original_path(original), range.first, range.length, &body); !s.ok())
    return send_status(response, s);
  auto& headers = response.headers();
  headers.addRaw(Http::Header::Raw("Content-Type", original.media_type.empty() ? "application/octet-stream" : original.media_type));
  headers.addRaw(Http::Header::Raw("Content-Disposition", content_disposition(original.filename)));
  headers.addRaw(Http::Header::Raw("Accept-Ranges", "bytes"));
  if (range.partial) {
    headers.addRaw(Http::Header::Raw("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                          std::to_string(range.first + range.length - 1) + "/" +
                                                          std::to_string(original.size)));
  }
  response.send(range.partial ? Http::Code::Partial_Content : Http::Code::Ok, body);
}

void Server::Impl::upload(const Rest::Request& request, Http::ResponseWriter& response) {
  ImportOptions options;
  options.actor = "api";
  options.worker_exe = this->options.worker_exe;
  std::string error;
  if (!import_options_from(request.query(), &options, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  std::string path;
  if (Status s = write_temp(library.store().data_dir(), request.body(), &path); !s.ok()) return send_status(response, s);
  store::Record r;
  bool duplicate = false;
  Status s = library.import_file(path, options, &r, &duplicate);
  ::unlink(path.c_str());
  if (!s.ok()) return send_status(response, s.with_context(options.filename));
  if (!duplicate)
    response.headers().addRaw(Http::Header::Raw("Location", "/api/v1/records/" + std::to_string(r.id)));
  send_json(response, duplicate ? Http::Code::Ok : Http::Code::Created, render_record(r, duplicate));
}

// Another process (`kho import`) may write the store; bring its changes into
// the index within a second.
void Server::Impl::keep_index_fresh() {
  std::unique_lock lock(mutex);
  while (!wake.wait_for(lock, std::chrono::seconds(1), [this] { return stopping; })) {
    lock.unlock();
    if (library.store().last_sequence() > library.index().applied_sequence()) {
      if (Status s = library.index().catch_up(); !s.ok())
        std::fprintf(stderr, "kho: index catch-up failed: %s\n", s.message().c_str());
    }
    lock.lock();
  }
}

Server::Server(Library& library, ServerOptions options)
    : impl_(std::make_unique<Impl>(library, std::move(options))) {}

Server::~Server() { stop(); }

Status Server::start() {
  try {
    Address address(impl_->options.address, Port(impl_->options.port));
    impl_->endpoint = std::make_unique<Http::Endpoint>(address);
    auto opts = Http::Endpoint::options()
                    .threads(static_cast<int>(impl_->options.threads))
                    .flags(Tcp::Options::ReuseAddr)
                    .maxRequestSize(impl_->options.max_request_bytes)
                    .maxResponseSize(std::size_t{1} << 31);
    impl_->endpoint->init(opts);
    impl_->routes();
    impl_->endpoint->setHandler(impl_->router.handler());
    impl_->endpoint->serveThreaded();
  } catch (const std::exception& e) {
    impl_->endpoint.reset();
    return Status::IoError("cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) +
                           ": " + e.what());
  }
  impl_->freshness = std::thread([this] { impl_->keep_index_fresh(); });
  return Status::Ok();
}

std::uint16_t Server::port() const {
  return impl_->endpoint ? static_cast<std::uint16_t>(impl_->endpoint->getPort()) : 0;
}

void Server::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->freshness.joinable()) impl_->freshness.join();
  if (impl_->endpoint) impl_->endpoint->shutdown();
  impl_->endpoint.reset();
}

}  // namespace kho::api
