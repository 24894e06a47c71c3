#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

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

}  // namespace kho::api
