#include "cli/approval.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "cli/commands.h"
#include "core/approval.h"
#include "core/library.h"

using nlohmann::json;

namespace kho::cli {

namespace {

int fail(const Status& s) {
  std::fprintf(stderr, "kho: %s\n", s.message().c_str());
  if (s.is_not_found()) return kNotFound;
  return s.code() == Status::Code::kInvalid ? kUsage : kFailed;
}

std::string dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

// The caller: the account named by --as (its roles, as if signed in), else
// whoever holds the data directory.
Status acting(Library& library, const std::string& as, Access* out) {
  if (as.empty()) {
    *out = Access::library_staff();
    return Status::Ok();
  }
  store::Account account;
  if (Status s = library.store().get_account(as, &account); !s.ok())
    return Status::NotFound("--as: no account '" + as + "'");
  return Access::for_account(library.store(), account, "", out);
}

std::string title(const store::Record& r) {
  auto it = r.dc.find("title");
  return it == r.dc.end() ? "" : it->second;
}

int step(Library& library, const Access& who, const ApprovalArgs& args, const std::string& action) {
  store::RecordId id = 0;
  try {
    id = std::stoull(args.id);
  } catch (const std::exception&) {
    return std::fprintf(stderr, "kho: '%s' is not a record ID\n", args.id.c_str()), kUsage;
  }
  store::Record r;
  if (Status s = approval::act(library, id, action, args.comment, who, &r); !s.ok()) return fail(s);
  if (args.json)
    std::printf(
        "%s\n",
        dump({{"id", r.id}, {"state", approval::state(r)}, {"visibility", r.visibility}}).c_str());
  else
    std::printf("lesson plan %s: %s\n", args.id.c_str(), approval::state(r).c_str());
  return kOk;
}

int list(Library& library, const Access& who, const ApprovalArgs& args) {
  std::vector<store::Record> plans;
  if (Status s = approval::waiting(library, who, &plans); !s.ok()) return fail(s);
  if (args.json) {
    json out = json::array();
    for (const auto& r : plans)
      out.push_back({{"id", r.id},
                     {"title", title(r)},
                     {"school", r.school},
                     {"group", approval::group_of(r)},
                     {"author", r.created_by},
                     {"state", approval::state(r)},
                     {"since", r.updated_at}});
    std::printf("%s\n", dump(out).c_str());
    return kOk;
  }
  for (const auto& r : plans)
    std::printf("%-6llu %-9s %-10s %-16s %s\n", static_cast<unsigned long long>(r.id),
                approval::state(r).c_str(), r.school.c_str(), approval::group_of(r).c_str(),
                title(r).c_str());
  if (plans.empty()) std::printf("nothing is waiting\n");
  return kOk;
}

int show(Library& library, const Access& who, const ApprovalArgs& args) {
  store::RecordId id = 0;
  try {
    id = std::stoull(args.id);
  } catch (const std::exception&) {
    return std::fprintf(stderr, "kho: '%s' is not a record ID\n", args.id.c_str()), kUsage;
  }
  store::Record r;
  if (Status s = library.store().get(id, &r); !s.ok() || !who.may_read(r))
    return fail(Status::NotFound("no record " + args.id));
  std::vector<store::Change> history;
  if (Status s = library.store().history(id, &history); !s.ok()) return fail(s);
  auto steps = approval::steps(history);
  if (args.json) {
    std::printf("%s\n", dump({{"id", id},
                              {"state", approval::state(r)},
                              {"actions", approval::actions(who, r)},
                              {"steps", api::steps_json(steps)}})
                            .c_str());
    return kOk;
  }
  std::printf("lesson plan %s: %s\n", args.id.c_str(), approval::state(r).c_str());
  for (const auto& s : steps)
    std::printf("  %s  %-8s %s -> %s  by %s%s%s\n", s.at.c_str(), s.action.c_str(), s.from.c_str(),
                s.to.c_str(), s.actor.c_str(), s.comment.empty() ? "" : ": ", s.comment.c_str());
  return kOk;
}

int settings(Library& library, const ApprovalArgs& args) {
  approval::Settings chosen;
  if (Status s = approval::settings(library.store(), args.school, &chosen); !s.ok()) return fail(s);
  if (!args.two_step.empty() || !args.sharing.empty()) {
    store::Organisation org;
    if (!library.store().get_organisation(args.school, &org).ok())
      return fail(Status::NotFound("no school '" + args.school + "'"));
    if (!args.two_step.empty()) chosen.two_step = args.two_step == "on";
    if (!args.sharing.empty()) chosen.sharing_needs_approval = args.sharing == "on";
    if (Status s = approval::put_settings(library.store(), args.school, chosen, cli_actor());
        !s.ok())
      return fail(s);
  }
  if (args.json)
    std::printf("%s\n", dump({{"school", args.school},
                              {"two_step", chosen.two_step},
                              {"sharing_needs_approval", chosen.sharing_needs_approval}})
                            .c_str());
  else
    std::printf(
        "%s: %s; sharing beyond the school %s\n", args.school.c_str(),
        chosen.two_step ? "two steps (group head, then vice-principal)" : "one step (group head)",
        chosen.sharing_needs_approval ? "waits for approval" : "needs no approval");
  return kOk;
}

}  // namespace

void add_approval_commands(CLI::App& app, ApprovalArgs* a) {
  auto* cmd = app.add_subcommand(
      "approval", "Lesson plans reviewed by their subject group: submit, approve, return");
  cmd->require_subcommand(1);
  auto as = [a](CLI::App* c) {
    c->add_option("--as", a->as,
                  "Act as this account, with its roles (approving needs a group head's or "
                  "vice-principal's account)");
    c->add_flag("--json", a->json, "Print as JSON");
  };
  a->submit = cmd->add_subcommand("submit", "Submit a lesson plan for review");
  a->approve = cmd->add_subcommand("approve", "Approve a submitted lesson plan");
  a->give_back =
      cmd->add_subcommand("return", "Return a lesson plan to its author, with a comment");
  for (CLI::App* c : {a->submit, a->approve, a->give_back}) {
    c->add_option("id", a->id, "Record ID")->required();
    auto* comment = c->add_option("--comment", a->comment, "A comment for the author");
    if (c == a->give_back) comment->required();
    as(c);
  }
  a->list = cmd->add_subcommand("list", "Lesson plans waiting for review");
  a->list->add_flag("--waiting", a->waiting, "Only those waiting for --as (the default)");
  as(a->list);
  a->show = cmd->add_subcommand("show", "A lesson plan's state and its steps");
  a->show->add_option("id", a->id, "Record ID")->required();
  as(a->show);
  a->settings = cmd->add_subcommand("settings", "A school's approval settings");
  a->settings->add_option("school", a->school, "School code")->required();
  a->settings->add_option("--two-step", a->two_step, "A vice-principal's step after the group's")
      ->check(CLI::IsMember({"on", "off"}));
  a->settings
      ->add_option("--sharing-needs-approval", a->sharing,
                   "Shared or public lesson plans must be approved first (default on)")
      ->check(CLI::IsMember({"on", "off"}));
  a->settings->add_flag("--json", a->json, "Print as JSON");
}

int run_approval(const std::string& data_dir, const ApprovalArgs& args, bool* ran) {
  *ran = args.submit != nullptr && (*args.submit || *args.approve || *args.give_back ||
                                    *args.list || *args.show || *args.settings);
  if (!*ran) return kOk;
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, false, &library); !s.ok()) return fail(s);
  if (*args.settings) return settings(*library, args);
  Access who;
  if (Status s = acting(*library, args.as, &who); !s.ok()) return fail(s);
  if (*args.submit) return step(*library, who, args, "submit");
  if (*args.approve) return step(*library, who, args, "approve");
  if (*args.give_back) return step(*library, who, args, "return");
  if (*args.show) return show(*library, who, args);
  return list(*library, who, args);
}

}  // namespace kho::cli
