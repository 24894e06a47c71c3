#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server_impl.h"
#include "core/verify.h"

namespace kho::api {

Status Server::Impl::record_from(const Rest::Request& request, const Access& who,
                                 store::Record* out) {
  store::RecordId id = 0;
  std::string text = request.param(":id").as<std::string>();
  Status missing = Status::NotFound("no record " + text).with_reason("record_not_found");
  if (!parse_id(text, &id)) return missing;
  Status s = library.store().get(id, out);
  // A record the caller may not read does not exist for them: 404, not 403,
  // so that its existence does not leak.
  if (s.ok() && !who.may_read(*out)) return missing;
  return s.is_not_found() ? missing : s;
}

// One page's extracted text (?page=N, from 1): how the viewer shows files
// a browser cannot (office documents, HTML, scans read by OCR). The text is
// the file's content, so it follows the file's rule, not the record's.
void Server::Impl::page_text(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (!who.may_read_file(r))
    return send_error(response, Http::Code::Not_Found, "no_file",
                      "record " + std::to_string(r.id) + " was withdrawn; its text is not served");
  std::size_t page = 1;
  std::string error, text;
  if (!parse_count(query_param(request.query(), "page"), 1, std::max<std::size_t>(1, r.page_count),
                   &page, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_parameter", "page: " + error, "page");
  if (Status s = library.store().page_text(r.id, static_cast<std::uint32_t>(page), &text);
      !s.ok() && !s.is_not_found())
    return send_status(response, s);
  if (Status s = audit_personal(who, r, "text of page " + std::to_string(page)); !s.ok())
    return send_status(response, s);
  send_json(
      response, Http::Code::Ok,
      nlohmann::json{{"id", r.id}, {"page", page}, {"page_count", r.page_count}, {"text", text}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Server::Impl::record(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (Status s = audit_personal(who, r, "metadata"); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_record(r, false, &who));
}

namespace {}  // namespace

// PATCH {"fields": {"title": "...", "date": "25/06/2023", "grade": "9", ...}}:
// every value checked by the core (core/fields.h), then all stored or none.
void Server::Impl::edit_record(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (!who.may_change(r.school, r.kind))  // before the body: its mistakes are beside the point
    return send_error(response, Http::Code::Forbidden, "forbidden",
                      "you may not change record " + std::to_string(r.id));
  nlohmann::json body;
  if (!json_body(request, response, &body)) return;
  auto fields = body.find("fields");
  if (fields == body.end() || !fields->is_object() || fields->empty())
    return send_error(response, Http::Code::Bad_Request, "bad_request",
                      "give the fields to change: {\"fields\": {\"title\": \"...\"}}");
  Edit change;
  change.access = who;
  for (const auto& [name, value] : fields->items()) {
    if (value.is_string())
      change.set[name] = value.get<std::string>();
    else if (value.is_null())
      change.set[name] = "";  // removes the field
    else if (value.is_number_integer())
      change.set[name] = value.dump();
    else
      return send_error(response, Http::Code::Bad_Request, "invalid_field",
                        name + ": a value is text", name);
  }
  std::string field;
  store::Record edited;
  Status s = library.edit(r.id, change, &edited, &field);
  if (s.code() == Status::Code::kInvalid && !field.empty())
    return send_error(response, Http::Code::Bad_Request, "invalid_field", s.message(), field);
  if (!s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_record(edited, false, &who));
}

// POST {"reason": "..."} to .../withdraw or .../reinstate. Repeating either
// changes nothing (the first reason stays) and answers the record as it is.
void Server::Impl::set_status(const Rest::Request& request, Http::ResponseWriter& response,
                              bool withdraw) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (!who.may_change(r.school, r.kind))
    return send_error(response, Http::Code::Forbidden, "forbidden",
                      "you may not change record " + std::to_string(r.id));
  nlohmann::json body = nlohmann::json::object();
  if (request.body().find_first_not_of(" \t\r\n") != std::string::npos &&
      !json_body(request, response, &body))
    return;
  auto reason = body.find("reason");
  std::string text = reason != body.end() && reason->is_string() ? reason->get<std::string>() : "";
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return send_error(
        response, Http::Code::Bad_Request, "reason_required",
        withdraw ? "say why the record is withdrawn" : "say why the record is reinstated");
  Status s =
      withdraw ? library.withdraw(r.id, text, who, &r) : library.reinstate(r.id, text, who, &r);
  if (!s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_record(r, false, &who));
}

// Who changed what and when, oldest first: for the staff who may change the
// record (it names accounts and keeps values since replaced).
void Server::Impl::history(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (!who.may_change(r.school, r.kind))
    return send_error(response, Http::Code::Forbidden, "forbidden",
                      "only staff who handle this record may read its history");
  std::vector<store::Change> changes;
  if (Status s = library.store().history(r.id, &changes); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_history(changes));
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

// The current version of the file, whole or one byte range of it (RFC
// 7233). Only the slice asked for is read from disk.
void Server::Impl::file(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  send_file(request, who, r, response);
}

void Server::Impl::send_file(const Rest::Request& request, const Access& who,
                             const store::Record& record, Http::ResponseWriter& response,
                             std::size_t version) {
  store::Record r = record;
  // A harvested record's file is fetched from its origin the first time it is asked for.
  if (r.originals.empty() && r.fields.count("origin_file") > 0) {
    if (Status s = library.fetch_harvested(r.id, options.harvest_token, options.worker_exe, &r);
        !s.ok()) {
      std::fprintf(stderr, "kho: fetching record %llu's file: %s\n",
                   static_cast<unsigned long long>(r.id), s.message().c_str());
      return send_error(response, Http::Code::Bad_Gateway, "origin_unavailable",
                        "the library this record comes from did not give its file");
    }
  }
  // A withdrawn record's file is kept for the staff who handle it.
  if (!who.may_read_file(r))
    return send_error(response, Http::Code::Not_Found, "not_found",
                      "record " + std::to_string(r.id) + " was withdrawn; its file is not served");
  if (r.originals.empty())
    return send_error(response, Http::Code::Not_Found, "no_file", "record has no file");
  const store::Original& original = version == 0 ? r.originals.back() : r.originals.at(version - 1);
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

void Server::Impl::upload(const Rest::Request& request, Http::ResponseWriter& response) {
  if (request.body().size() > options.max_request_bytes)
    return send_error(
        response, Http::Code::Request_Entity_Too_Large, "too_large",
        "the file is larger than " + std::to_string(options.max_request_bytes) + " bytes");
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in to add records")) return;
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
  answer_import(temp.path, import, response, [&temp] { ::unlink(temp.path.c_str()); });
}

// What became of an uploaded file (or of each file of an uploaded archive).
// `done` removes the uploaded bytes before the answer leaves, so a client
// that has its answer finds nothing of the upload left behind.
void Server::Impl::answer_import(const std::string& path, const ImportOptions& import,
                                 Http::ResponseWriter& response,
                                 const std::function<void()>& done) {
  std::vector<ImportItem> items;
  Status s =
      library.import_path(path, import, [&](const ImportItem& item) { items.push_back(item); });
  done();
  if (!s.ok()) return send_status(response, s.with_context(import.filename));
  if (items.size() == 1 && items[0].name == path) {  // one file, not an archive
    const ImportItem& item = items[0];
    if (!item.status.ok()) return send_status(response, item.status.with_context(import.filename));
    if (!item.duplicate)
      set_header(response, "Location", "/api/v1/records/" + std::to_string(item.record.id));
    return send_json(response, item.duplicate ? Http::Code::Ok : Http::Code::Created,
                     render_record(item.record, item.duplicate, &import.access));
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

}  // namespace kho::api
