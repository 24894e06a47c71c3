#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

std::string bearer_secret(const Http::Request& request) {
  if (auto h = request.headers().tryGetRaw("Authorization")) {
    const std::string& v = h->value();
    if (v.rfind("Bearer ", 0) == 0) return v.substr(7);
  }
  if (request.cookies().has("kho_session")) return request.cookies().get("kho_session").value;
  return "";
}

bool Server::Impl::signed_in_caller(const Rest::Request& request, Http::ResponseWriter& response,
                                    Access* out, const std::string& why) {
  if (!caller(request, response, out)) return false;
  if (out->signed_in()) return true;
  send_error(response, Http::Code::Unauthorized, "unauthorized", why);
  return false;
}

bool Server::Impl::caller(const Rest::Request& request, Http::ResponseWriter& response,
                          Access* out) {
  std::string from = client_address(request), secret = bearer_secret(request);
  if (secret.empty()) {
    *out = Access::anonymous(from);
    return true;
  }
  Status s = library.accounts().authenticate(secret, from, out);
  if (s.ok() && !out->signed_in()) s = Status::Invalid("a share link is not a sign-in token");
  if (s.ok()) return true;
  set_header(response, "WWW-Authenticate", "Bearer");
  send_error(response, Http::Code::Unauthorized, "unauthorized", s.message());
  return false;
}

nlohmann::json token_json(const store::Token& t) {
  nlohmann::json j = {{"id", t.id}, {"kind", t.kind}, {"created_at", t.created_at}};
  j["expires_at"] = t.expires_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.expires_at);
  if (t.record != 0) j["record"] = t.record;
  if (!t.collection.empty()) j["collection"] = t.collection;
  return j;
}

// POST {"name", "password"}: a session token, also set as an HttpOnly cookie
// for the web page.
void Server::Impl::login(const Rest::Request& request, Http::ResponseWriter& response) {
  auto body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body["name"].is_string() ||
      !body["password"].is_string())
    return send_error(response, Http::Code::Bad_Request, "bad_request",
                      "body: a JSON object with \"name\" and \"password\"");
  NewSecret session;
  Status s =
      library.accounts().login(body["name"], body["password"], client_address(request), &session);
  if (s.code() == Status::Code::kBusy)
    return send_error(response, Http::Code::Too_Many_Requests, "too_many_requests", s.message());
  if (s.code() == Status::Code::kInvalid)
    return send_error(response, Http::Code::Unauthorized, "unauthorized", s.message());
  if (!s.ok()) return send_status(response, s);
  set_header(response, "Set-Cookie",
             "kho_session=" + session.secret +
                 "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200" +
                 (over_https(request) ? "; Secure" : ""));
  nlohmann::json j = token_json(session.token);
  j["token"] = session.secret;
  j["account"] = session.token.account;
  send_json(response, Http::Code::Ok, j.dump());
}

// Signing out always clears the cookie, even one whose session has ended: a
// stale cookie would otherwise make every request of the page a 401.
void Server::Impl::logout(const Rest::Request& request, Http::ResponseWriter& response) {
  std::string secret = bearer_secret(request);
  Access who;
  store::Token token;
  if (!secret.empty() &&
      library.accounts().authenticate(secret, client_address(request), &who).ok() &&
      library.accounts().find(secret, &token).ok() && token.kind == "session")
    library.accounts().revoke(token.id, who.actor());
  set_header(response, "Set-Cookie",
             std::string("kho_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0") +
                 (over_https(request) ? "; Secure" : ""));
  send_json(response, Http::Code::Ok, "{\"signed_out\":true}");
}

void Server::Impl::me(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  // Its roles by school or office, so the page offers what they allow (the
  // server still decides each request).
  nlohmann::json roles = nlohmann::json::object();
  store::Account account;
  if (who.signed_in() && library.store().get_account(who.account(), &account).ok())
    roles = account.roles;
  nlohmann::json j = {{"account", who.signed_in() ? nlohmann::json(who.account()) : nullptr},
                      {"home", who.home()},
                      {"admin", who.signed_in() && who.may_administer()},
                      {"roles", roles}};
  send_json(response, Http::Code::Ok, j.dump());
}

}  // namespace kho::api
