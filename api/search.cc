#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

// The page, page size and other parameters of a search or browse, from the
// query string; false when one is bad (answered with its code and field).
bool Server::Impl::search_request(const Rest::Request& request, Http::ResponseWriter& response,
                                  indexer::SearchRequest* search) {
  search->query = query_param(request.query(), "q").value_or("");
  std::size_t page = 1;
  std::string error;
  if (!parse_count(query_param(request.query(), "page"), 1, 100000, &page, &error)) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter", "page: " + error, "page");
    return false;
  }
  if (!parse_count(query_param(request.query(), "per_page"), 1, 100, &search->limit, &error)) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter", "per_page: " + error,
               "per_page");
    return false;
  }
  search->offset = (page - 1) * search->limit;
  // A browse lists the records added last first, unless asked otherwise.
  if (indexer::is_blank(search->query)) search->sort = indexer::Sort::kAdded;
  std::string field;
  if (!search_options_from(request.query(), search, &error, &field)) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter", error, field);
    return false;
  }
  return true;
}

// The records the hits name, for their display fields: read from the store
// (one LMDB read each), which has what the index does not keep.
std::map<store::RecordId, store::Record> Server::Impl::hit_records(
    const indexer::Results& results) {
  std::map<store::RecordId, store::Record> records;
  for (const auto& hit : results.hits) {
    store::Record r;
    if (hit.library.empty() && library.store().get(hit.id, &r).ok()) records[hit.id] = std::move(r);
  }
  return records;
}

// Personal data read is written down before it is answered: each diploma a
// search shows (its title and snippet), or whose metadata or inside is read.
Status Server::Impl::audit_personal(const Access& who, const store::Record& r,
                                    const std::string& what) {
  if (r.kind != "diploma") return Status::Ok();
  store::Actor actor = who.actor();
  return library.store().audit({0, "", actor.name, actor.from, "read-personal", r.id, what});
}

// q absent or blank: a browse of every record the caller may read.
void Server::Impl::search(const Rest::Request& request, Http::ResponseWriter& response) {
  indexer::SearchRequest search;
  if (!search_request(request, response, &search)) return;
  Access who;
  if (!caller(request, response, &who)) return;
  who.restrict(&search);
  indexer::Results results;
  if (Status s = library.index().search(search, &results); !s.ok()) return send_status(response, s);
  auto records = hit_records(results);
  for (const auto& [id, r] : records)
    if (Status s = audit_personal(who, r, "search: " + search.query); !s.ok())
      return send_status(response, s);
  send_json(response, Http::Code::Ok, render_results(results, records));
}

void Server::Impl::search_record(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok())
    return send_status(response, s.is_not_found() ? s.with_reason("record_not_found") : s);
  std::string q = query_param(request.query(), "q").value_or("");
  if (indexer::is_blank(q))
    return send_error(response, Http::Code::Bad_Request, "query_empty", "q: the query is empty",
                      "q");
  std::vector<indexer::Hit> pages;
  if (Status s = library.index().search_record(r.id, q, &pages); !s.ok())
    return send_status(response, s);
  if (Status s = audit_personal(who, r, "search inside: " + q); !s.ok())
    return send_status(response, s);
  send_json(response, Http::Code::Ok, render_pages(r.id, pages));
}

}  // namespace kho::api
