#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

namespace {

// What an admin asks of the log: parts of the actor's name and of the action
// (case ignored), one record, and a range of days (YYYY-MM-DD, inclusive).
struct AuditQuery {
  std::string actor, action, from, to;
  store::RecordId record = 0;

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  bool matches(const store::AuditEntry& e) const {
    std::string day = e.at.substr(0, 10);
    return (actor.empty() || lower(e.actor).find(actor) != std::string::npos) &&
           (action.empty() || lower(e.action).find(action) != std::string::npos) &&
           (record == 0 || e.record == record) && (from.empty() || day >= from) &&
           (to.empty() || day <= to);
  }
};

bool is_day(const std::string& s) {
  static const std::regex day(R"(\d{4}-\d{2}-\d{2})");
  return std::regex_match(s, day);
}

// The query's filters; false with *error naming the parameter that is wrong.
bool parse_audit_query(const Pistache::Http::Uri::Query& q, AuditQuery* out, std::string* error) {
  out->actor = AuditQuery::lower(query_param(q, "actor").value_or(""));
  out->action = AuditQuery::lower(query_param(q, "action").value_or(""));
  out->from = query_param(q, "from").value_or("");
  out->to = query_param(q, "to").value_or("");
  for (const auto* d : {&out->from, &out->to})
    if (!d->empty() && !is_day(*d)) {
      *error = std::string(d == &out->from ? "from" : "to") + ": a day as YYYY-MM-DD";
      return false;
    }
  if (auto r = query_param(q, "record"); r && !r->empty() && !parse_id(*r, &out->record)) {
    *error = "record: a record number";
    return false;
  }
  return true;
}

}  // namespace

// GET ?after=SEQ&limit=N&actor=&action=&record=&from=&to=: the audit log,
// oldest first, filtered here rather than in the page so an admin finds one
// entry among millions; admins only, each seeing what concerns its schools.
// A page holds up to `limit` entries from at most kScanned read; `next` is
// the `after` of the next page whenever entries may remain.
void Server::Impl::audit(const Rest::Request& request, Http::ResponseWriter& response) {
  constexpr std::size_t kScanned = 20000, kBatch = 1000;
  Access who;
  if (!caller(request, response, &who)) return;
  if (!who.signed_in())
    return send_error(response, Http::Code::Unauthorized, "unauthorized", "sign in as an admin");
  if (!who.may_administer())
    return send_error(response, Http::Code::Forbidden, "forbidden", "the audit log is for admins");
  std::size_t after = 0, limit = 100;
  AuditQuery filter;
  std::string error;
  if (!parse_count(query_param(request.query(), "after"), 0, SIZE_MAX, &after, &error) ||
      !parse_count(query_param(request.query(), "limit"), 1, 1000, &limit, &error) ||
      !parse_audit_query(request.query(), &filter, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_request", error);
  nlohmann::json list = nlohmann::json::array();
  std::uint64_t last = after;
  bool more = true;
  for (std::size_t scanned = 0; more && list.size() < limit && scanned < kScanned;) {
    std::vector<store::AuditEntry> entries;
    if (Status s = library.store().audit_log(last, kBatch, &entries); !s.ok())
      return send_status(response, s);
    more = entries.size() == kBatch;
    for (const auto& e : entries) {
      last = e.seq;
      ++scanned;
      // Entries are in time order: past the last day asked, nothing more matches.
      if (!filter.to.empty() && e.at.substr(0, 10) > filter.to) {
        more = false;
        break;
      }
      if (filter.matches(e) && visible_audit(who, e)) list.push_back(audit_json(e));
      if (list.size() == limit) break;
    }
    if (list.size() == limit) more = more || last != entries.back().seq;
  }
  nlohmann::json page{{"entries", list}};
  if (more) page["next"] = last;
  send_json(response, Http::Code::Ok, page.dump());
}

// An admin sees its own schools' entries: about their records or by their people.
bool Server::Impl::visible_audit(const Access& who, const store::AuditEntry& e) {
  store::Record record;
  store::Account actor;
  bool about_record = e.record != 0 && library.store().get(e.record, &record).ok();
  bool by_account = library.store().get_account(e.actor, &actor).ok();
  return who.may_audit(about_record ? record.school : "", by_account ? &actor : nullptr);
}

}  // namespace kho::api
