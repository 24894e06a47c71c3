#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server_impl.h"
#include "api/web_assets.h"

namespace kho::api {

namespace {

constexpr std::size_t kDefaultShareDays = 7;

// A link as its maker (or an admin) sees it in a list. Its URL is not there:
// the store keeps only the SHA-256 of a link's secret, shown once when made.
nlohmann::json share_json(const store::Token& t) {
  nlohmann::json j = token_json(t);
  j["account"] = t.account;
  j["expired"] = !t.expires_at.empty() && t.expires_at <= store::now_rfc3339();
  return j;
}

std::string shares_body(const std::vector<store::Token>& links) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : links) list.push_back(share_json(t));
  return nlohmann::json{{"shares", list}}.dump();
}

// ?days=N (1 to 3650; 7 when absent) or ?never=1 (a link that never expires,
// only when asked for): how long a new share link stands. False when answered.
bool share_life(const Rest::Request& request, Http::ResponseWriter& response,
                std::chrono::hours* life) {
  std::size_t days = kDefaultShareDays;
  std::string error;
  auto days_given = query_param(request.query(), "days");
  if (!parse_count(days_given, 1, 3650, &days, &error)) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter", "days: " + error, "days");
    return false;
  }
  auto never = query_param(request.query(), "never");
  if (never && *never != "1" && *never != "0" && !never->empty()) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter", "never: must be 1 or 0",
               "never");
    return false;
  }
  const bool forever = never && *never == "1";
  if (forever && days_given) {
    send_error(response, Http::Code::Bad_Request, "bad_parameter",
               "days: give days or never=1, not both", "days");
    return false;
  }
  *life = forever ? std::chrono::hours(0) : std::chrono::hours(24 * static_cast<long>(days));
  return true;
}

void send_new_share(Http::ResponseWriter& response, const NewSecret& link) {
  nlohmann::json j = token_json(link.token);
  j["url"] = "/s/" + link.secret;
  send_json(response, Http::Code::Created, j.dump());
}

}  // namespace

// POST ?days=N|never=1: a share link to the record.
void Server::Impl::share(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in to share")) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  std::chrono::hours life{};
  if (!share_life(request, response, &life)) return;
  NewSecret link;
  if (Status s = library.accounts().create_share(who, r.id, "", life, &link); !s.ok())
    return send_status(response, s);
  send_new_share(response, link);
}

// POST ?collection=NAME&days=N|never=1: a share link to a whole collection
// (admins only; its recipient sees the collection's records the admin may).
void Server::Impl::share_collection(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in to share")) return;
  std::string collection = query_param(request.query(), "collection").value_or("");
  if (collection.empty() || collection.size() > 200)
    return send_error(response, Http::Code::Bad_Request, "bad_parameter",
                      "collection: the name of a collection (1 to 200 bytes)", "collection");
  std::chrono::hours life{};
  if (!share_life(request, response, &life)) return;
  NewSecret link;
  if (Status s = library.accounts().create_share(who, 0, collection, life, &link); !s.ok())
    return send_status(response, s);
  send_new_share(response, link);
}

// GET: the record's share links the caller made, or, for an admin of the
// record's school, all of them.
void Server::Impl::record_shares(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in")) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  std::vector<store::Token> links;
  if (Status s = library.accounts().shares(who, r.id, &links); !s.ok())
    return send_status(response, s);
  send_json(response, Http::Code::Ok, shares_body(links));
}

// GET: the caller's own share links; an admin's: those of its schools.
void Server::Impl::my_shares(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in")) return;
  std::vector<store::Token> links;
  if (Status s = library.accounts().shares(who, 0, &links); !s.ok())
    return send_status(response, s);
  send_json(response, Http::Code::Ok, shares_body(links));
}

void Server::Impl::unshare(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in")) return;
  store::RecordId id = 0;
  std::string text = request.param(":token_id").as<std::string>();
  if (!parse_id(text, &id))
    return send_error(response, Http::Code::Not_Found, "share_not_found", "no share link " + text);
  if (Status s = library.accounts().revoke_share(who, id); !s.ok())
    return send_status(response, s.is_not_found() ? s.with_reason("share_not_found") : s);
  send_json(response, Http::Code::Ok, "{\"revoked\":true}");
}

bool Server::Impl::share_link(const Rest::Request& request, Http::ResponseWriter& response,
                              Access* who, store::Token* link) {
  std::string secret = request.param(":secret").as<std::string>();
  if (library.accounts().authenticate(secret, client_address(request), who).ok() &&
      !who->signed_in() && library.accounts().find(secret, link).ok() && link->kind == "share")
    return true;
  store::Token known;
  bool found = library.accounts().find(secret, &known).ok() && known.kind == "share";
  if (found && !known.revoked && !known.expires_at.empty() &&
      known.expires_at <= store::now_rfc3339())
    send_error(response, Http::Code::Not_Found, "share_expired", "this share link has expired");
  else
    send_error(response, Http::Code::Not_Found, "share_not_found",
               "this share link does not exist, was revoked or no longer stands");
  return false;
}

// The web application's page: it reads the link through /api/v1/shared/, so
// a recipient sees the record or collection, never JSON. 404 (the same page)
// for a link that does not stand, which the page says in words.
void Server::Impl::shared_page(const Rest::Request& request, Http::ResponseWriter& response) {
  const std::string* html = web_asset("index.html");
  if (html == nullptr) throw std::logic_error("index.html is not embedded in this build");
  std::string secret = request.param(":secret").as<std::string>();
  Access who;
  bool stands = library.accounts().authenticate(secret, client_address(request), &who).ok() &&
                !who.signed_in();
  set_header(response, "Content-Type", "text/html; charset=utf-8");
  reply(response, stands ? Http::Code::Ok : Http::Code::Not_Found, *html);
}

// A share link, used without an account: {"kind": "record", "record": {...,
// "file_url": "/s/SECRET/file"}} or {"kind": "collection", "collection",
// "results": a browse (or, with q, a search) of its records, each hit with
// "file_url": "/s/SECRET/records/ID/file"}. Collection listings take the
// search parameters (page, per_page, sort, facets=1, filters).
void Server::Impl::shared(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  store::Token link;
  if (!share_link(request, response, &who, &link)) return;
  const std::string base = "/s/" + request.param(":secret").as<std::string>();
  store::Actor actor = who.actor();
  library.store().audit(
      {0, "", actor.name, actor.from, "share-open", link.record, link.collection});
  if (link.record != 0) {
    store::Record r;
    if (Status s = library.store().get(link.record, &r); !s.ok())
      return send_status(response, s.is_not_found() ? s.with_reason("record_not_found") : s);
    nlohmann::json record = nlohmann::json::parse(render_record(r, false, &who));
    if (!record["file_url"].is_null()) record["file_url"] = base + "/file";
    return send_json(response, Http::Code::Ok,
                     nlohmann::json{{"kind", "record"}, {"record", record}}.dump(
                         -1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  indexer::SearchRequest search;
  if (!search_request(request, response, &search)) return;
  search.include_withdrawn = false;
  who.restrict(&search);
  indexer::Results results;
  if (Status s = library.index().search(search, &results); !s.ok()) return send_status(response, s);
  nlohmann::json listing = results_json(results, hit_records(results));
  for (auto& hit : listing["hits"])
    hit["file_url"] =
        base + "/records/" + std::to_string(hit["id"].get<store::RecordId>()) + "/file";
  send_json(
      response, Http::Code::Ok,
      nlohmann::json{{"kind", "collection"}, {"collection", link.collection}, {"results", listing}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

namespace {

bool has_file(const store::Record& r) {
  return !r.originals.empty() || r.fields.count("origin_file") > 0;
}

}  // namespace

// The file of a record link.
void Server::Impl::shared_file(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  store::Token link;
  if (!share_link(request, response, &who, &link)) return;
  if (link.record == 0)
    return send_error(response, Http::Code::Not_Found, "no_file",
                      "a collection's link has a file per record: /s/SECRET/records/ID/file");
  store::Record r;
  if (Status s = library.store().get(link.record, &r); !s.ok())
    return send_status(response, s.is_not_found() ? s.with_reason("record_not_found") : s);
  if (!has_file(r))
    return send_error(response, Http::Code::Not_Found, "no_file", "this record has no file");
  send_file(request, who, r, response);
}

// The file of a record the link shares: one inside its collection (or the
// record of a record link); 404 for any other.
void Server::Impl::shared_record_file(const Rest::Request& request,
                                      Http::ResponseWriter& response) {
  Access who;
  store::Token link;
  if (!share_link(request, response, &who, &link)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (r.status != "active")
    return send_error(response, Http::Code::Not_Found, "record_not_found",
                      "no record " + std::to_string(r.id));
  if (!has_file(r))
    return send_error(response, Http::Code::Not_Found, "no_file", "this record has no file");
  send_file(request, who, r, response);
}

}  // namespace kho::api
