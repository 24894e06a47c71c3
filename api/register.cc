// The graduation register's routes (register/register.h): registers, their
// import, lookups, entries, corrections and revocations by decision, copies
// and the register of copies, for staff who handle diplomas; the public
// verification of a diploma or a copy, rate-limited per address.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "api/server_impl.h"
#include "register/register_impl.h"

namespace kho::api {

using nlohmann::json;

namespace {

// "field: reason" from the register is answered naming the field.
void send_register_status(Http::ResponseWriter& response, const Status& s) {
  const std::string& m = s.message();
  auto colon = m.find(':');
  std::string field = colon == std::string::npos ? "" : m.substr(0, colon);
  bool named = !field.empty() && field.find(' ') == std::string::npos;
  if (s.code() == Status::Code::kInvalid && named)
    return send_error(response, Http::Code::Bad_Request, "invalid_field", m, field);
  if (s.code() == Status::Code::kConflict && named)
    return send_error(response, Http::Code::Conflict, "duplicate", m, field);
  if (s.code() == Status::Code::kNotFound)
    return send_error(response, Http::Code::Not_Found, "not_found", m);
  send_status(response, s);
}

bool id_param(const Rest::Request& request, Http::ResponseWriter& response, const char* name,
              std::uint64_t* id) {
  if (parse_id(request.param(std::string(":") + name).as<std::string>(), id)) return true;
  send_error(response, Http::Code::Not_Found, "not_found", "no such register item");
  return false;
}

std::string param(const Rest::Request& request, const char* name) {
  return query_param(request.query(), name).value_or("");
}

json verification_json(const registry::Verification& v) {
  json j = {{"status", v.status}, {"shown", v.shown}};
  if (v.status == "corrected" || v.status == "revoked")
    j["decision"] = registry::decision_json(v.decision);
  if (v.copy != 0) {
    j["copy"] = v.copy;
    j["changed_since_copy"] = v.changed_since_copy;
  }
  return j;
}

registry::Decision decision_from(const json& body) {
  json d = body.value("decision", json::object());
  if (!d.is_object()) d = json::object();
  auto s = [&](const char* k) { return d[k].is_string() ? d[k].get<std::string>() : ""; };
  return {s("number"), s("date"), s("signer"), s("reason")};
}

std::map<std::string, std::string> string_fields(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items())
    out[k] = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
  return out;
}

}  // namespace

bool Server::Impl::register_staff(const Rest::Request& request, Http::ResponseWriter& response,
                                  Access* who) {
  return signed_in_caller(request, response, who, "sign in to use the register");
}

void Server::Impl::registers(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!register_staff(request, response, &who)) return;
  std::vector<registry::Register> list;
  if (Status s = registry.registers(who, &list); !s.ok()) return send_status(response, s);
  json out = json::array();
  for (const auto& r : list) out.push_back(registry::to_json(r));
  send_json(response, Http::Code::Ok, json{{"registers", out}}.dump());
}

void Server::Impl::add_register(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  json body;
  if (!register_staff(request, response, &who) || !json_body(request, response, &body)) return;
  registry::Register in;
  in.org = body.value("org", who.home());
  in.level = body.value("level", "");
  in.year = body["year"].is_number_integer() ? body["year"].get<int>() : 0;
  in.title = body.value("title", "");
  in.scan = body["scan"].is_number_unsigned() ? body["scan"].get<std::uint64_t>() : 0;
  registry::Register out;
  if (Status s = registry.create_register(in, who, &out); !s.ok())
    return send_register_status(response, s);
  send_json(response, Http::Code::Created, registry::to_json(out).dump());
}

// POST the sheet's bytes (XLSX or CSV): the rows kept and each row refused.
void Server::Impl::import_register(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::uint64_t id = 0;
  if (!register_staff(request, response, &who) || !id_param(request, response, "id", &id)) return;
  registry::Register reg;
  if (Status s = registry.get_register(id, who, &reg); !s.ok()) return send_status(response, s);
  std::string path;
  if (Status s = write_temp(library.store().data_dir(), request.body(), &path); !s.ok())
    return send_status(response, s);
  std::vector<std::vector<std::string>> rows;
  Status s = registry::read_sheet(path, options.worker_exe, &rows);
  ::unlink(path.c_str());
  registry::ImportResult result;
  if (s.ok()) s = registry.import_rows(id, rows, who, &result);
  if (!s.ok()) return send_register_status(response, s);
  json refused = json::array();
  for (const auto& r : result.refused) {
    json row{{"row", r.row},
             {"field", r.field},
             {"code", r.code},
             {"value", r.value},
             {"reason", r.reason}};
    if (r.other_entry != 0) row["other_entry"] = r.other_entry;
    refused.push_back(std::move(row));
  }
  send_json(
      response, Http::Code::Ok,
      json{{"added", result.added}, {"entries", result.entries}, {"refused", refused}}.dump());
}

// GET ?page=N: the OCR text of a page of the register's scan, line by line,
// each with the fields it seems to hold, for staff typing entries beside it.
void Server::Impl::register_scan(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::uint64_t id = 0;
  if (!register_staff(request, response, &who) || !id_param(request, response, "id", &id)) return;
  std::size_t page = 1;
  std::string error;
  if (!parse_count(query_param(request.query(), "page"), 1, 100000, &page, &error))
    return send_error(response, Http::Code::Bad_Request, "invalid_field", "page: " + error, "page");
  std::vector<registry::ScanLine> lines;
  if (Status s = registry.scan_lines(id, static_cast<std::uint32_t>(page), who, &lines); !s.ok())
    return send_register_status(response, s);
  json list = json::array();
  for (const auto& l : lines)
    list.push_back({{"line", l.line}, {"text", l.text}, {"guess", l.guess}});
  send_json(response, Http::Code::Ok,
            json{{"register", id}, {"page", page}, {"lines", list}}.dump());
}

void Server::Impl::add_register_entry(const Rest::Request& request,
                                      Http::ResponseWriter& response) {
  Access who;
  std::uint64_t id = 0;
  json body;
  if (!register_staff(request, response, &who) || !id_param(request, response, "id", &id) ||
      !json_body(request, response, &body))
    return;
  registry::Entry e;
  if (Status s =
          registry.add_entry(id, string_fields(body.value("fields", json::object())), who, &e);
      !s.ok())
    return send_register_status(response, s);
  send_json(response, Http::Code::Created, registry::to_json(e).dump());
}

void Server::Impl::find_entries(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!register_staff(request, response, &who)) return;
  registry::Query q;
  q.name = param(request, "name");
  q.birth_date = param(request, "birth_date");
  q.school = param(request, "school");
  q.serial = param(request, "serial");
  q.entry_number = param(request, "entry_number");
  std::size_t n = 0;
  std::string error;
  if (!parse_count(query_param(request.query(), "year"), 0, 2100, &n, &error))
    return send_error(response, Http::Code::Bad_Request, "invalid_field", "year: " + error, "year");
  q.year = static_cast<int>(n);
  if (!parse_count(query_param(request.query(), "register"), 0, ~std::size_t{0} >> 1, &n, &error))
    return send_error(response, Http::Code::Bad_Request, "invalid_field", "register: " + error,
                      "register");
  q.register_id = n;
  std::vector<registry::Entry> found;
  bool more = false;
  if (Status s = registry.find(q, who, param(request, "purpose"), &found, &more); !s.ok())
    return send_register_status(response, s);
  json out = json::array();
  for (const auto& e : found) out.push_back(registry::to_json(e));
  send_json(response, Http::Code::Ok, json{{"entries", out}, {"more", more}}.dump());
}

void Server::Impl::register_entry(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::uint64_t id = 0;
  if (!register_staff(request, response, &who) || !id_param(request, response, "id", &id)) return;
  registry::Entry e;
  if (Status s = registry.get(id, who, param(request, "purpose"), &e); !s.ok())
    return send_register_status(response, s);
  json j = registry::to_json(e);
  registry::Register reg;
  if (registry.get_register(e.register_id, who, &reg).ok())
    j["register_info"] = registry::to_json(reg);
  send_json(response, Http::Code::Ok, j.dump());
}

void Server::Impl::change_entry(const Rest::Request& request, Http::ResponseWriter& response,
                                bool revoke) {
  Access who;
  std::uint64_t id = 0;
  json body;
  if (!register_staff(request, response, &who) || !id_param(request, response, "id", &id) ||
      !json_body(request, response, &body))
    return;
  registry::Entry e;
  Status s = revoke ? registry.revoke(id, decision_from(body), who, &e)
                    : registry.correct(id, decision_from(body),
                                       string_fields(body.value("set", json::object())), who, &e);
  if (!s.ok()) return send_register_status(response, s);
  send_json(response, Http::Code::Ok, registry::to_json(e).dump());
}

void Server::Impl::issue_copy(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::uint64_t id = 0;
  json body;
  if (!register_staff(request, response, &who) || !id_param(request, response, "id", &id) ||
      !json_body(request, response, &body))
    return;
  std::string host = options.address + ":" + std::to_string(options.port);
  if (auto h = request.headers().tryGet<Http::Header::Host>())
    host = h->host() + (h->port() == Port(80) ? "" : ":" + h->port().toString());
  std::string base = (over_https(request) ? "https://" : "http://") + host + "/verify";
  registry::Copy c;
  if (Status s = registry.issue_copy(id, body.value("requester", ""), body.value("purpose", ""),
                                     base, who, &c);
      !s.ok())
    return send_register_status(response, s);
  json j = {{"number", c.number},
            {"entry", c.entry},
            {"org", c.org},
            {"at", c.at},
            {"issued_by", c.issued_by},
            {"requester", c.requester},
            {"purpose", c.purpose},
            {"code", c.code},
            {"pdf_sha256", c.pdf_sha256},
            {"pdf_url", "/api/v1/register/copies/" + std::to_string(c.number) + "/pdf"}};
  send_json(response, Http::Code::Created, j.dump());
}

void Server::Impl::register_copies(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!register_staff(request, response, &who)) return;
  std::vector<registry::Copy> list;
  if (Status s = registry.copies(who, &list); !s.ok()) return send_status(response, s);
  json out = json::array();
  for (const auto& c : list)
    out.push_back({{"number", c.number},
                   {"entry", c.entry},
                   {"org", c.org},
                   {"at", c.at},
                   {"issued_by", c.issued_by},
                   {"requester", c.requester},
                   {"purpose", c.purpose},
                   {"pdf_sha256", c.pdf_sha256},
                   {"pdf_url", "/api/v1/register/copies/" + std::to_string(c.number) + "/pdf"}});
  send_json(response, Http::Code::Ok, json{{"copies", out}}.dump());
}

void Server::Impl::copy_pdf(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  std::uint64_t number = 0;
  if (!register_staff(request, response, &who) || !id_param(request, response, "number", &number))
    return;
  registry::Copy c;
  std::string pdf;
  if (Status s = registry.copy_pdf(number, who, &c, &pdf); !s.ok()) return send_status(response, s);
  set_header(response, "Content-Type", "application/pdf");
  set_header(response, "Content-Disposition",
             content_disposition("ban-sao-" + std::to_string(number) + ".pdf"));
  set_header(response, "Cache-Control", "private, no-store");
  reply(response, Http::Code::Ok, std::move(pdf));
}

void Server::Impl::register_keys(const Rest::Request&, Http::ResponseWriter& response) {
  std::map<std::string, std::string> keys;
  if (Status s = registry.public_keys(&keys); !s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok,
            json{{"algorithm", "Ed25519"}, {"encoding", "base64url"}, {"keys", keys}}.dump());
}

// Anyone may verify, a few times a minute per address: enough for an
// employer, too few to walk the register.
bool Server::Impl::verify_allowed(const std::string& address) {
  std::lock_guard lock(verify_mutex);
  auto now = std::chrono::steady_clock::now();
  auto& [start, count] = verify_counts[address];
  if (now - start > std::chrono::minutes(1)) start = now, count = 0;
  if (verify_counts.size() > 100000) verify_counts.clear();  // bounded memory
  return ++count <= options.verify_per_minute;
}

void Server::Impl::verify(const Rest::Request& request, Http::ResponseWriter& response) {
  std::string from = client_address(request);
  if (!verify_allowed(from)) {
    set_header(response, "Retry-After", "60");
    return send_error(response, Http::Code::Too_Many_Requests, "rate_limited",
                      "too many verifications from this address: wait a minute");
  }
  registry::Verification v;
  Status s;
  if (request.method() == Http::Method::Post) {
    json body;
    if (!json_body(request, response, &body)) return;
    s = registry.verify_code(body.value("code", ""), from, &v);
  } else {
    std::size_t year = 0;
    std::string error;
    if (!parse_count(query_param(request.query(), "year"), 0, 2100, &year, &error))
      return send_error(response, Http::Code::Bad_Request, "invalid_field", "year: " + error,
                        "year");
    s = registry.verify_serial(param(request, "serial"), static_cast<int>(year),
                               param(request, "birth_date"), from, &v);
  }
  if (!s.ok()) return send_register_status(response, s);
  set_header(response, "Cache-Control", "no-store");
  send_json(response, Http::Code::Ok, verification_json(v).dump());
}

}  // namespace kho::api
