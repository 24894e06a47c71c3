// Lesson-plan approval over the API (core/approval.h): a step on one plan,
// the plan's steps, the plans waiting for the caller, and a school's
// choices. Steps are audited by the store in the step's own transaction.
#include "core/approval.h"

#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server_impl.h"

namespace kho::api {

namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string field(const store::Record& r, const char* name) {
  auto it = r.fields.find(name);
  return it == r.fields.end() ? "" : it->second;
}

json settings_json(const std::string& school, const approval::Settings& s) {
  return {{"school", school},
          {"two_step", s.two_step},
          {"sharing_needs_approval", s.sharing_needs_approval}};
}

}  // namespace

// The plan's state, its steps (for the staff who handle it: they name
// accounts and keep reviewers' comments) and what the caller may do next.
void Server::Impl::approval_of(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!caller(request, response, &who)) return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  if (approval::state(r).empty())
    return send_error(response, Http::Code::Not_Found, "not_lesson_plan",
                      "record " + std::to_string(r.id) + " is not a lesson plan");
  json steps = json::array();
  if (who.may_change(r.school, r.kind)) {
    std::vector<store::Change> history;
    if (Status s = library.store().history(r.id, &history); !s.ok())
      return send_status(response, s);
    steps = steps_json(approval::steps(history));
  }
  json wish = field(r, approval::kWish).empty() ? json(nullptr) : json(field(r, approval::kWish));
  send_json(response, Http::Code::Ok,
            dump({{"id", r.id},
                  {"state", approval::state(r)},
                  {"group", approval::group_of(r)},
                  {"share_on_approval", wish},
                  {"actions", approval::actions(who, r)},
                  {"steps", steps}}));
}

// POST {"action": "submit"|"approve"|"return", "comment": "…"}: the record after.
void Server::Impl::approval_step(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in to submit or review a lesson plan"))
    return;
  store::Record r;
  if (Status s = record_from(request, who, &r); !s.ok()) return send_status(response, s);
  json body;
  if (!json_body(request, response, &body)) return;
  auto text = [&body](const char* name) {
    auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Status s = approval::act(library, r.id, text("action"), text("comment"), who, &r);
  if (s.reason() == "comment_required")
    return send_error(response, Http::Code::Bad_Request, "comment_required", s.message(),
                      "comment");
  if (s.reason() == "bad_action")
    return send_error(response, Http::Code::Bad_Request, "bad_action", s.message(), "action");
  if (!s.ok()) return send_status(response, s);
  send_json(response, Http::Code::Ok, render_record(r, false, &who));
}

// GET ?waiting=me: the lesson plans waiting for the caller's review.
void Server::Impl::approvals(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in to see the plans waiting for you"))
    return;
  auto waiting = query_param(request.query(), "waiting");
  if (!waiting || *waiting != "me")
    return send_error(response, Http::Code::Bad_Request, "bad_parameter",
                      "waiting: only waiting=me is supported", "waiting");
  std::vector<store::Record> plans;
  if (Status s = approval::waiting(library, who, &plans); !s.ok()) return send_status(response, s);
  json list = json::array();
  for (const auto& r : plans) {
    auto title = r.dc.find("title");
    list.push_back({{"id", r.id},
                    {"title", title == r.dc.end() ? "" : title->second},
                    {"school", r.school},
                    {"group", approval::group_of(r)},
                    {"teacher", field(r, "teacher")},
                    {"author", r.created_by},
                    {"state", approval::state(r)},
                    {"since", r.updated_at}});
  }
  send_json(response, Http::Code::Ok, dump({{"total", list.size()}, {"records", list}}));
}

// A school's approval choices: anyone signed in reads them; its admin
// changes them with PUT {"two_step": bool, "sharing_needs_approval": bool}.
void Server::Impl::approval_settings(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!signed_in_caller(request, response, &who, "sign in first")) return;
  std::string school = request.param(":code").as<std::string>();
  store::Organisation org;
  if (Status s = library.store().get_organisation(school, &org); !s.ok())
    return send_error(response, Http::Code::Not_Found, "not_found", "no school " + school);
  approval::Settings settings;
  if (Status s = approval::settings(library.store(), school, &settings); !s.ok())
    return send_status(response, s);
  if (request.method() == Http::Method::Put) {
    if (!who.admin_of(school))
      return send_error(response, Http::Code::Forbidden, "forbidden",
                        "only an admin of " + school + " may change its approval settings");
    json body;
    if (!json_body(request, response, &body)) return;
    for (auto [name, value] :
         {std::pair{"two_step", &settings.two_step},
          std::pair{"sharing_needs_approval", &settings.sharing_needs_approval}})
      if (auto it = body.find(name); it != body.end()) {
        if (!it->is_boolean())
          return send_error(response, Http::Code::Bad_Request, "invalid_field",
                            std::string(name) + ": true or false", name);
        *value = it->get<bool>();
      }
    if (Status s = approval::put_settings(library.store(), school, settings, who.actor()); !s.ok())
      return send_status(response, s);
  }
  send_json(response, Http::Code::Ok, dump(settings_json(school, settings)));
}

}  // namespace kho::api
