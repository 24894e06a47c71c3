#include "api/respond.h"

#include <cstdio>
#include <memory>

#include "api/connections.h"
#include "api/json_render.h"

using namespace Pistache;

namespace kho::api {

namespace {

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

void send_internal_error(const Rest::Request& request, Http::ResponseWriter& response,
                         const char* what) {
  std::fprintf(stderr, "kho: error in %s %s: %s\n", Http::methodString(request.method()),
               request.resource().c_str(), what);
  try {
    send_error(response, Http::Code::Internal_Server_Error, "internal", "internal error");
  } catch (...) {  // the connection is gone; nothing left to tell the client
  }
}

}  // namespace

void set_header(Http::ResponseWriter& response, std::string name, std::string value) {
  response.headers().add(std::make_shared<TextHeader>(std::move(name), std::move(value)));
}

void send_json(Http::ResponseWriter& response, Http::Code code, const std::string& body) {
  set_header(response, "Content-Type", "application/json; charset=utf-8");
  reply(response, code, body);
}

void send_error(Http::ResponseWriter& response, Http::Code code, const std::string& kind,
                const std::string& message, const std::string& field) {
  send_json(response, code, render_error(kind, message, field));
}

bool json_body(const Rest::Request& request, Http::ResponseWriter& response, nlohmann::json* out) {
  *out = nlohmann::json::parse(request.body(), nullptr, false);
  if (!out->is_discarded() && out->is_object()) return true;
  send_error(response, Http::Code::Bad_Request, "bad_json",
             "the request body must be a JSON object");
  return false;
}

void send_status(Http::ResponseWriter& response, const Status& s) {
  auto named = [&s](const char* otherwise) { return s.reason().empty() ? otherwise : s.reason(); };
  switch (s.code()) {
    case Status::Code::kNotFound:
      return send_error(response, Http::Code::Not_Found, named("not_found"), s.message());
    case Status::Code::kConflict:
      return send_error(response, Http::Code::Conflict, named("conflict"), s.message());
    case Status::Code::kInvalid:
    case Status::Code::kCorrupt:
    case Status::Code::kUnsupported:
      return send_error(response, Http::Code::Bad_Request, named("bad_request"), s.message());
    case Status::Code::kTooLarge:
      return send_error(response, Http::Code::Request_Entity_Too_Large, named("too_large"),
                        s.message());
    case Status::Code::kDenied:
      return send_error(response, Http::Code::Forbidden, named("forbidden"), s.message());
    case Status::Code::kBusy:
      return send_error(response, Http::Code::Service_Unavailable, named("busy"), s.message());
    default:
      std::fprintf(stderr, "kho: error: %s\n", s.message().c_str());
      return send_error(response, Http::Code::Internal_Server_Error, "internal", "internal error");
  }
}

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

}  // namespace kho::api
