#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

// GET ?after=SEQ&limit=N: the audit log, oldest first; admins only, each
// seeing what concerns its schools; `next` is the `after` of the next page.
void Server::Impl::audit(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in as an admin");
  if (!who.may_administer())
    return send_error(response, Http::Code::Forbidden, "forbidden", "the audit log is for admins");
  std::size_t after = 0, limit = 100;
  std::string error;
  if (!parse_count(query_param(request.query(), "after"), 0, SIZE_MAX, &after, &error) ||
      !parse_count(query_param(request.query(), "limit"), 1, 1000, &limit, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  std::vector<store::AuditEntry> entries;
  if (Status s = library.store().audit_log(after, limit, &entries); !s.ok())
    return send_status(response, s);
  // An admin sees its own schools' entries; `next` pages on past the others.
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : entries) {
    store::Record record;
    store::Account actor;
    bool about_record = e.record != 0 && library.store().get(e.record, &record).ok();
    bool by_account = library.store().get_account(e.actor, &actor).ok();
    if (!who.may_audit(about_record ? record.school : "", by_account ? &actor : nullptr)) continue;
    list.push_back(audit_json(e));
  }
  nlohmann::json page{{"entries", list}};
  if (entries.size() == limit) page["next"] = entries.back().seq;
  send_json(response, Http::Code::Ok, page.dump());
}

}  // namespace kho::api
