#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

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

}  // namespace kho::api
