#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

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
  if (!signed_in_caller(request, response, &who, "sign in to add records")) return;
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
  // A new version of a record: refused now, before any byte, if the caller
  // may not change that record.
  if (auto of = query_param(request.query(), "version_of")) {
    store::RecordId id = 0;
    store::Record r;
    Status s = parse_id(*of, &id) ? library.store().get(id, &r) : Status::NotFound("");
    if (!s.ok() || !who.may_read(r))
      return send_error(response, Http::Code::Not_Found, "record_not_found",
                        "version_of: no record " + *of, "version_of");
    if (!who.may_change(r.school, r.kind))
      return send_error(response, Http::Code::Forbidden, "forbidden",
                        "you may not change record " + *of);
  }
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
  store::RecordId version_of = 0;
  if (auto of = query_param(query, "version_of"); of && parse_id(*of, &version_of))
    return answer_version(version_of, u.path, import, response, [&] { uploads->remove(u); });
  answer_import(u.path, import, response, [&] { uploads->remove(u); });
}

}  // namespace kho::api
