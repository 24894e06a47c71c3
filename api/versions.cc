// A record's file, version by version: the list, each version's bytes, and a
// new version sent whole (small files) or through a resumable upload
// (POST /api/v1/uploads?version_of=ID). The file route serves the current
// version; earlier ones stay downloadable here, under the same rule (a
// withdrawn record's versions are for the staff who handle it).
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "api/http_util.h"
#include "api/json_render.h"
#include "api/respond.h"
#include "api/server_impl.h"

namespace kho::api {

namespace {

nlohmann::json versions_json(const store::Record& r) {
  nlohmann::json list = nlohmann::json::array();
  const std::string base = "/api/v1/records/" + std::to_string(r.id) + "/versions/";
  for (std::size_t i = 0; i < r.originals.size(); ++i) {
    const store::Original& o = r.originals[i];
    // The first file of a record stored before kho kept versions came with it.
    const bool first = i == 0 && o.added_at.empty();
    list.push_back({{"version", i + 1},
                    {"filename", o.filename},
                    {"size", o.size},
                    {"media_type", o.media_type},
                    {"sha256", o.sha256},
                    {"added_at", first ? r.created_at : o.added_at},
                    {"added_by", first ? r.created_by : o.added_by},
                    {"current", i + 1 == r.originals.size()},
                    {"file_url", base + std::to_string(i + 1) + "/file"}});
  }
  return list;
}

}  // namespace

void Server::Impl::versions(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (!who.may_read_file(r))
    return send_error(
        response, Http::Code::Not_Found, "no_file",
        "record " + std::to_string(r.id) + " was withdrawn; its files are not served");
  send_json(response, Http::Code::Ok, nlohmann::json{{"versions", versions_json(r)}}.dump());
}

void Server::Impl::version_file(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  std::uint64_t n = 0;
  if (!parse_id(request.param(":n").as<std::string>(), &n) || n == 0 || n > r.originals.size())
    return send_error(response, Http::Code::Not_Found, "version_not_found",
                      "record " + std::to_string(r.id) + " has " +
                          std::to_string(r.originals.size()) + " version(s)");
  send_file(request, who, r, response, static_cast<std::size_t>(n));
}

// The body is the file (as POST /api/v1/records takes it); ?filename= names it.
void Server::Impl::add_version(const Rest::Request& request, Http::ResponseWriter& response) {
  if (request.body().size() > options.max_request_bytes)
    return send_error(
        response, Http::Code::Request_Entity_Too_Large, "too_large",
        "the file is larger than " + std::to_string(options.max_request_bytes) + " bytes");
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in to change records")) return;
  store::RecordId id = 0;
  if (!parse_id(request.param(":id").as<std::string>(), &id))
    return send_error(response, Http::Code::Not_Found, "record_not_found", "no such record");
  ImportOptions import;
  std::string error;
  if (!import_options_from(request.query(), &import, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error, "filename");
  import.access = who;
  import.worker_exe = options.worker_exe;
  TempFile temp;
  if (Status s = write_temp(library.store().data_dir(), request.body(), &temp.path); !s.ok())
    return send_status(response, s);
  answer_version(id, temp.path, import, response, [&temp] { ::unlink(temp.path.c_str()); });
}

// `done` removes the uploaded bytes before the answer leaves.
void Server::Impl::answer_version(store::RecordId id, const std::string& path,
                                  const ImportOptions& import, Http::ResponseWriter& response,
                                  const std::function<void()>& done) {
  store::Record r;
  Status s = library.add_version(id, path, import, &r);
  done();
  if (s.is_not_found()) s = s.with_reason("record_not_found");
  if (s.code() == Status::Code::kConflict) s = s.with_reason("same_version");
  if (!s.ok()) return send_status(response, s.with_context(import.filename));
  set_header(response, "Location",
             "/api/v1/records/" + std::to_string(id) + "/versions/" +
                 std::to_string(r.originals.size()) + "/file");
  send_json(
      response, Http::Code::Created,
      nlohmann::json{{"record", nlohmann::json::parse(render_record(r, false, &import.access))},
                     {"versions", versions_json(r)}}
          .dump());
}

}  // namespace kho::api
