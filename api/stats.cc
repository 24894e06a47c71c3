// GET /api/v1/stats: counts of records for a report (core/stats.h), within
// what the caller may read, as JSON, CSV or an XLSX workbook.
#include "core/stats.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/server_impl.h"

namespace kho::api {

namespace {

std::vector<std::string> split_by(const std::string& by) {
  std::vector<std::string> out;
  std::stringstream in(by);
  for (std::string d; std::getline(in, d, ',');)
    if (!d.empty()) out.push_back(d);
  return out;
}

// The workbook made in DATA/tmp (Library::open removes what a crash leaves
// there), read back and removed.
Status xlsx_bytes(const std::string& data_dir, const Stats& stats, std::string* out) {
  std::string path;
  if (Status s = write_temp(data_dir, "", &path); !s.ok()) return s;
  Status s = stats_xlsx(stats, path);
  if (s.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    *out = bytes.str();
    if (!in || out->empty()) s = Status::IoError("cannot read back the workbook " + path);
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return s;
}

}  // namespace

// Anyone may ask: a visitor counts public records, staff what their roles
// read. Counts that include diplomas are personal data, and audited.
void Server::Impl::stats(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  const auto& query = request.query();
  std::string format = query_param(query, "format").value_or("json");
  if (format != "json" && format != "csv" && format != "xlsx")
    return send_error(response, Http::Code::Bad_Request, "bad_parameter",
                      "format: json, csv or xlsx", "format");
  StatsRequest ask;
  ask.by = split_by(query_param(query, "by").value_or("school,kind"));
  ask.query = query_param(query, "q").value_or("");
  ask.access = who;
  Stats counted;
  if (Status s = count_records(library, ask, &counted); !s.ok()) {
    if (s.code() == Status::Code::kInvalid)
      return send_error(response, Http::Code::Bad_Request,
                        s.reason().empty() ? "bad_parameter" : s.reason(), s.message(),
                        s.message().rfind("by:", 0) == 0 ? "by" : "q");
    return send_status(response, s);
  }
  if (counted.diplomas > 0) {
    store::Actor actor = who.actor();
    std::string what =
        "stats: by=" + query_param(query, "by").value_or("school,kind") + " q=" + ask.query;
    if (Status s = library.store().audit({0, "", actor.name, actor.from, "read-personal", 0, what});
        !s.ok())
      return send_status(response, s);
  }
  if (format == "json") return send_json(response, Http::Code::Ok, stats_json(counted));
  const bool monthly = query_param(query, "monthly").value_or("") == "1";
  std::string body;
  if (format == "csv") {
    body = stats_csv(counted, monthly);
    set_header(response, "Content-Type", "text/csv; charset=utf-8");
  } else {
    if (Status s = xlsx_bytes(library.store().data_dir(), counted, &body); !s.ok())
      return send_status(response, s);
    set_header(response, "Content-Type",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
  set_header(
      response, "Content-Disposition",
      content_disposition(std::string(monthly ? "thong-ke-theo-thang." : "thong-ke.") + format));
  reply(response, Http::Code::Ok, body);
}

}  // namespace kho::api
