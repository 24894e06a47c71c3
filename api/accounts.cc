// Administration over the API: schools and offices, accounts and roles, and
// a caller's own API tokens. An admin manages what lies at or below the
// schools where it is admin; an account whose roles reach elsewhere is not
// its to see or change (404, as for an account that does not exist).
#include <nlohmann/json.hpp>

#include "api/server_impl.h"

namespace kho::api {

namespace {

using nlohmann::json;

json account_json(const store::Account& a) {
  return {
      {"name", a.name}, {"roles", a.roles}, {"disabled", a.disabled}, {"created_at", a.created_at}};
}

bool admin_over(const Access& who, const store::Account& a) {
  if (a.roles.empty()) return false;
  for (const auto& [org, role] : a.roles)
    if (!who.admin_of(org)) return false;
  return true;
}

std::string text(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

// Signed-in admins only; anyone else is told what they lack.
bool Server::Impl::admin(const Rest::Request& request, Http::ResponseWriter& response,
                         Access* who) {
  if (!signed_in_caller(request, response, who, "sign in first")) return false;
  if (who->may_administer()) return true;
  send_error(response, Http::Code::Forbidden, "forbidden", "only an admin may do this");
  return false;
}

// Schools and offices are not secret: search facets name them.
void Server::Impl::schools(const Rest::Request&, Http::ResponseWriter& response) {
  std::vector<store::Organisation> orgs;
  if (Status s = library.store().organisations(&orgs); !s.ok()) return send_status(response, s);
  json list = json::array();
  for (const auto& o : orgs)
    list.push_back({{"code", o.code}, {"name", o.name}, {"parent", o.parent}});
  send_json(response, Http::Code::Ok, json{{"schools", list}}.dump());
}

void Server::Impl::add_school(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  json body;
  if (!admin(request, response, &who) || !json_body(request, response, &body)) return;
  store::Organisation org;
  org.code = text(body, "code");
  org.name = text(body, "name");
  org.parent = text(body, "parent");
  if (org.code.empty() || org.name.empty())
    return send_error(response, Http::Code::Bad_Request, "invalid_field",
                      org.code.empty() ? "code: required" : "name: required",
                      org.code.empty() ? "code" : "name");
  // A new school hangs below an office where the caller is admin.
  if (org.parent.empty() || !who.admin_of(org.parent))
    return send_error(response, Http::Code::Forbidden, "forbidden",
                      "a school is added below an office where you are admin", "parent");
  if (Status s = library.accounts().add_school(org, who.actor()); !s.ok())
    return send_status(response, s);
  send_json(response, Http::Code::Created,
            json{{"code", org.code}, {"name", org.name}, {"parent", org.parent}}.dump());
}

void Server::Impl::accounts(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!admin(request, response, &who)) return;
  std::vector<store::Account> all;
  if (Status s = library.store().accounts(&all); !s.ok()) return send_status(response, s);
  json list = json::array();
  for (const auto& a : all)
    if (admin_over(who, a)) list.push_back(account_json(a));
  send_json(response, Http::Code::Ok, json{{"accounts", list}}.dump());
}

void Server::Impl::add_account(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  json body;
  if (!admin(request, response, &who) || !json_body(request, response, &body)) return;
  store::Account a;
  a.name = text(body, "name");
  if (a.name.empty())
    return send_error(response, Http::Code::Bad_Request, "invalid_field", "name: required", "name");
  if (auto roles = body.find("roles"); roles != body.end() && roles->is_object())
    for (const auto& [org, role] : roles->items())
      if (role.is_string()) a.roles[org] = role.get<std::string>();
  if (a.roles.empty())
    return send_error(response, Http::Code::Bad_Request, "invalid_field",
                      "roles: an account needs a role at a school", "roles");
  if (!admin_over(who, a))
    return send_error(response, Http::Code::Forbidden, "forbidden",
                      "you may give roles only where you are admin", "roles");
  store::Account existing;
  if (library.store().get_account(a.name, &existing).ok())
    return send_error(response, Http::Code::Conflict, "account_exists",
                      "an account named '" + a.name + "' exists", "name");
  if (Status s = library.accounts().add_user(a.name, text(body, "password"), a.roles, who.actor());
      !s.ok()) {
    bool password = s.message().find("password") != std::string::npos;
    return send_error(response, Http::Code::Bad_Request,
                      password ? "weak_password" : "invalid_field", s.message(),
                      password ? "password" : "roles");
  }
  library.store().get_account(a.name, &a);
  send_json(response, Http::Code::Created, account_json(a).dump());
}

// PATCH {"disabled": true|false, "password": "…"}.
void Server::Impl::change_account(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  json body;
  if (!admin(request, response, &who) || !json_body(request, response, &body)) return;
  store::Account a;
  std::string name = percent_decode(request.param(":name").as<std::string>());
  if (!library.store().get_account(name, &a).ok() || !admin_over(who, a))
    return send_error(response, Http::Code::Not_Found, "not_found", "no account " + name);
  if (auto d = body.find("disabled"); d != body.end()) {
    if (!d->is_boolean())
      return send_error(response, Http::Code::Bad_Request, "invalid_field",
                        "disabled: true or false", "disabled");
    if (Status s = library.accounts().set_disabled(name, d->get<bool>(), who.actor()); !s.ok())
      return send_status(response, s);
  }
  if (std::string password = text(body, "password"); !password.empty())
    if (Status s = library.accounts().set_password(name, password, who.actor()); !s.ok())
      return send_error(response, Http::Code::Bad_Request, "weak_password", s.message(),
                        "password");
  library.store().get_account(name, &a);
  send_json(response, Http::Code::Ok, account_json(a).dump());
}

// The caller's own API tokens for scripts (never their secrets, but once).
void Server::Impl::tokens(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in first")) return;
  std::vector<store::Token> all;
  if (Status s = library.store().tokens(&all); !s.ok()) return send_status(response, s);
  json list = json::array();
  for (const auto& t : all)
    if (t.kind == "api" && t.account == who.account() && !t.revoked) list.push_back(token_json(t));
  send_json(response, Http::Code::Ok, json{{"tokens", list}}.dump());
}

// POST ?label=…&days=N (0 or absent: 90 days; a token never expires only with never=1).
void Server::Impl::add_token(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in first")) return;
  std::size_t days = 90;
  std::string error;
  if (!parse_count(query_param(request.query(), "days"), 1, 3650, &days, &error))
    return send_error(response, Http::Code::Bad_Request, "bad_parameter", "days: " + error, "days");
  bool never = query_param(request.query(), "never").value_or("") == "1";
  NewSecret token;
  if (Status s = library.accounts().create_token(
          who.account(), query_param(request.query(), "label").value_or(""),
          never ? std::chrono::seconds(0) : std::chrono::hours(24 * static_cast<long>(days)),
          who.actor(), &token);
      !s.ok())
    return send_status(response, s);
  json j = token_json(token.token);
  j["secret"] = token.secret;
  send_json(response, Http::Code::Created, j.dump());
}

void Server::Impl::revoke_token(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::RecordId id = 0;
  std::vector<store::Token> all;
  if (!who.signed_in() || !parse_id(request.param(":id").as<std::string>(), &id) ||
      !library.store().tokens(&all).ok())
    return send_error(response, Http::Code::Not_Found, "not_found", "no such token");
  for (const auto& t : all)
    if (t.id == id && t.kind == "api" && t.account == who.account()) {
      if (Status s = library.accounts().revoke(t.id, who.actor()); !s.ok())
        return send_status(response, s);
      return send_json(response, Http::Code::Ok, "{\"revoked\":true}");
    }
  send_error(response, Http::Code::Not_Found, "not_found", "no such token");
}

}  // namespace kho::api
