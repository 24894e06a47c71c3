// GET /api/v1/catalogue/export: the catalogue the caller may read as a file
// (core/catalogue_export.h). Who may export is who may read: a visitor
// gets the public books only. Every export is audited, with what it held.
#include "core/catalogue_export.h"

#include "api/server_impl.h"

namespace kho::api {

namespace {

// The format, query and facet filters; false, answered 400, when one is bad.
bool export_options(const Rest::Request& request, Http::ResponseWriter& response,
                    ExportOptions* options) {
  auto format = query_param(request.query(), "format");
  if (!format || !parse_export_format(*format, &options->format)) {
    send_error(response, Http::Code::Bad_Request, "bad_format",
               std::string("format: must be ") + export_format_names(), "format");
    return false;
  }
  options->query = query_param(request.query(), "q").value_or("");
  indexer::SearchRequest filters;
  std::string error, field;
  if (!search_options_from(request.query(), &filters, &error, &field)) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter", error, field);
    return false;
  }
  options->filters = filters.filters;
  return true;
}

}  // namespace

void Server::Impl::catalogue_export(const Rest::Request& request, Http::ResponseWriter& response) {
  ExportOptions options;
  if (!export_options(request, response, &options)) return;
  if (!caller(request, response, &options.access)) return;
  std::vector<store::Record> records;
  if (Status s = select_catalogue(library.store(), library.index(), options, &records); !s.ok()) {
    if (s.code() != Status::Code::kInvalid) return send_status(response, s);
    return send_error(response, Http::Code::Bad_Request,
                      s.reason().empty() ? "query_syntax" : s.reason(), "q: " + s.message(), "q");
  }
  std::string body;
  ExportSummary summary;
  Status s = write_catalogue(
      records, options,
      [&body](std::string_view bytes) {
        body.append(bytes);
        return Status::Ok();
      },
      &summary);
  if (!s.ok()) return send_status(response, s);
  // Written down before it is answered: who took which part of the catalogue away.
  store::Actor actor = options.access.actor();
  std::string detail = "catalogue as " + export_filename(options.format) + ": " +
                       std::to_string(summary.records) + " record(s)";
  if (!options.query.empty()) detail += ", q=" + options.query;
  for (const auto& [facet, value] : options.filters) detail += ", " + facet + "=" + value;
  if (Status a = library.store().audit({0, "", actor.name, actor.from, "export", 0, detail});
      !a.ok())
    return send_status(response, a);
  set_header(response, "Content-Type", export_media_type(options.format));
  set_header(response, "Content-Disposition", content_disposition(export_filename(options.format)));
  set_header(response, "Cache-Control", "private, no-store");
  set_header(response, "X-Kho-Records", std::to_string(summary.records));
  reply(response, Http::Code::Ok, std::move(body));
}

}  // namespace kho::api
