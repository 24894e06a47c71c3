#include "core/approval.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/library.h"
#include "text/vietnamese.h"

namespace kho::approval {

namespace {

using nlohmann::json;

constexpr const char* kSettingName = "approval";  // JSON: school code -> its choices

bool shared_beyond_school(const std::string& visibility) {
  return visibility == "shared" || visibility == "public";
}

// The author may submit; so may the school's admin and librarians (for plans
// they imported on a teacher's behalf) and whoever holds the data directory.
bool may_submit(const Access& access, const store::Record& r) {
  if (!access.may_change(r.school, r.kind)) return false;
  return access.is_library_staff() || r.created_by == access.account() ||
         access.holds(r.school, "admin") || access.holds(r.school, "librarian");
}

bool may_review(const Access& access, const store::Record& r, const std::string& at) {
  if (r.created_by == access.account()) return false;  // nobody approves their own plan
  if (at == "pending") return access.heads_group(r.school, group_of(r));
  if (at == "reviewed") return access.takes_second_step(r.school);
  return false;
}

Status read_all(const store::Store& store, json* out) {
  std::string text;
  Status s = store.get_setting(kSettingName, &text);
  if (s.is_not_found()) {
    *out = json::object();
    return Status::Ok();
  }
  if (!s.ok()) return s;
  *out = json::parse(text, nullptr, false);
  if (out->is_discarded() || !out->is_object())
    return Status::Corrupt("the library's approval settings are not valid JSON");
  return Status::Ok();
}

// The state a step leads to from `from`, or "" when the step does not apply.
std::string next_state(const std::string& action, const std::string& from, bool two_step) {
  if (action == "submit") return from == "draft" || from == "returned" ? "pending" : "";
  if (action == "return") return from == "pending" || from == "reviewed" ? "returned" : "";
  if (action == "approve") {
    if (from == "pending") return two_step ? "reviewed" : "approved";
    if (from == "reviewed") return "approved";
  }
  return "";
}

Status check_step(const Access& access, const store::Record& r, const std::string& action) {
  const std::string at = state(r);
  if (at.empty())
    return Status::Invalid("record " + std::to_string(r.id) + " is not a lesson plan")
        .with_reason("not_lesson_plan");
  if (r.status == "withdrawn")
    return Status::Conflict("record " + std::to_string(r.id) + " is withdrawn")
        .with_reason("wrong_state");
  if (next_state(action, at, false).empty())
    return Status::Conflict("lesson plan " + std::to_string(r.id) + " is " + at + "; it cannot " +
                            (action == "submit" ? "be submitted" : "be reviewed") + " now")
        .with_reason("wrong_state");
  if (action == "submit" ? !may_submit(access, r) : !may_review(access, r, at))
    return Status::Denied(action == "submit"
                              ? "only the plan's author or its school's staff may submit it"
                              : "only the head of the plan's subject group at its school (the "
                                "vice-principal at a second step) may review it, and nobody "
                                "their own plan")
        .with_reason("not_allowed");
  return Status::Ok();
}

std::string trim(const std::string& s) {
  auto a = s.find_first_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

}  // namespace

std::string state(const store::Record& r) {
  if (r.kind != "lesson-plan") return "";
  auto it = r.fields.find(kField);
  return it == r.fields.end() || it->second.empty() ? "draft" : it->second;
}

std::string group_of(const store::Record& r) {
  if (auto it = r.fields.find("subject_group"); it != r.fields.end() && !it->second.empty())
    return it->second;
  auto it = r.dc.find("subject");
  if (it == r.dc.end()) return "";
  return trim(it->second.substr(0, it->second.find_first_of(";,")));
}

bool same_group(const std::string& a, const std::string& b) {
  // "Tổ Toán - Tin" and "toan-tin" are one group: folded, lower-cased, only
  // letters and digits, without a leading "to".
  auto key = [](const std::string& name) {
    std::string folded = text::lower(text::fold(trim(name))), out;
    if (folded.rfind("to ", 0) == 0) folded = folded.substr(3);
    for (char c : folded)
      if (std::isalnum(static_cast<unsigned char>(c))) out += c;
    return out;
  };
  std::string ka = key(a);
  return !ka.empty() && ka == key(b);
}

Status settings(const store::Store& store, const std::string& school, Settings* out) {
  *out = Settings{};
  json all;
  if (Status s = read_all(store, &all); !s.ok()) return s;
  auto it = all.find(school);
  if (it == all.end() || !it->is_object()) return Status::Ok();
  out->two_step = it->value("two_step", false);
  out->sharing_needs_approval = it->value("sharing_needs_approval", true);
  return Status::Ok();
}

Status put_settings(store::Store& store, const std::string& school, const Settings& settings,
                    const store::Actor& actor) {
  json all;
  if (Status s = read_all(store, &all); !s.ok()) return s;
  all[school] = {{"two_step", settings.two_step},
                 {"sharing_needs_approval", settings.sharing_needs_approval}};
  if (Status s = store.put_setting(kSettingName, all.dump()); !s.ok()) return s;
  return store.audit({0, store::now_rfc3339(), actor.name, actor.from, "approval-settings", 0,
                      school + ": " + all[school].dump()});
}

std::vector<std::string> actions(const Access& access, const store::Record& r) {
  std::vector<std::string> out;
  for (const char* action : {"submit", "approve", "return"})
    if (check_step(access, r, action).ok()) out.emplace_back(action);
  return out;
}

Status act(Library& library, store::RecordId id, const std::string& action,
           const std::string& comment, const Access& access, store::Record* out) {
  if (action != "submit" && action != "approve" && action != "return")
    return Status::Invalid("action: '" + action + "' is not submit, approve or return")
        .with_reason("bad_action");
  const std::string note = trim(comment);
  if (action == "return" && note.empty())
    return Status::Invalid("say what the teacher should change: a return needs a comment")
        .with_reason("comment_required");
  store::Record r;
  Status found = library.store().get(id, &r);
  if (found.is_not_found() || (found.ok() && !access.may_read(r)))
    return Status::NotFound("no record " + std::to_string(id)).with_reason("record_not_found");
  if (!found.ok()) return found;
  // Read before the write transaction: LMDB gives a thread one at a time.
  Settings chosen;
  if (Status s = settings(library.store(), r.school, &chosen); !s.ok()) return s;
  Status s = library.store().update_step(
      id, action, note,
      [&](store::Record* plan) {
        // Checked again inside the transaction: another reviewer may have acted.
        if (Status c = check_step(access, *plan, action); !c.ok()) return c;
        std::string to = next_state(action, state(*plan), chosen.two_step);
        plan->fields[kField] = to;
        auto wish = plan->fields.find(kWish);
        if (to == "approved" && wish != plan->fields.end()) {
          if (store::valid_visibility(wish->second)) plan->visibility = wish->second;
          plan->fields.erase(wish);
        }
        return Status::Ok();
      },
      access.actor(), out);
  if (!s.ok()) return s;
  if (Status c = library.index().catch_up(); !c.ok())
    std::fprintf(stderr, "kho: warning: index not updated: %s\n", c.message().c_str());
  return Status::Ok();
}

std::vector<Step> steps(const std::vector<store::Change>& history) {
  std::vector<Step> out;
  for (const auto& c : history) {
    if (c.op != "submit" && c.op != "approve" && c.op != "return") continue;
    Step step{c.op, "", "", c.actor, c.at, c.reason};
    for (const auto& f : c.fields)
      if (f.field == kField) {
        step.from = f.old_value.empty() ? "draft" : f.old_value;
        step.to = f.new_value;
      }
    out.push_back(std::move(step));
  }
  return out;
}

Status waiting(Library& library, const Access& access, std::vector<store::Record>* out) {
  out->clear();
  for (const char* at : {"pending", "reviewed"}) {
    indexer::SearchRequest search;
    search.limit = 1000;
    search.sort = indexer::Sort::kAdded;
    search.filters = {{"kind", "lesson-plan"}, {"approval", at}};
    access.restrict(&search);
    indexer::Results results;
    if (Status s = library.index().search(search, &results); !s.ok()) return s;
    for (const auto& hit : results.hits) {
      store::Record r;
      if (!library.store().get(hit.id, &r).ok() || !access.may_read(r)) continue;
      auto can = actions(access, r);
      if (std::find(can.begin(), can.end(), "approve") != can.end()) out->push_back(std::move(r));
    }
  }
  std::sort(out->begin(), out->end(), [](const store::Record& a, const store::Record& b) {
    return a.updated_at != b.updated_at ? a.updated_at < b.updated_at : a.id < b.id;
  });
  return Status::Ok();
}

Status check_sharing(const Settings& settings, const Access& access, const store::Record& before,
                     const store::Record& after) {
  if (access.is_library_staff() || !settings.sharing_needs_approval) return Status::Ok();
  if (after.kind != "lesson-plan" || !shared_beyond_school(after.visibility)) return Status::Ok();
  if (before.visibility == after.visibility && before.kind == after.kind) return Status::Ok();
  if (state(after) == "approved") return Status::Ok();
  return Status::Denied("visibility: lesson plan " + std::to_string(after.id) +
                        " is not approved yet; it can be shared beyond its school once its "
                        "subject group approves it")
      .with_reason("approval_required");
}

void prepare_import(const Settings& settings, const Access& access, store::NewRecord* in) {
  if (in->kind != "lesson-plan") return;
  in->fields[kField] = "draft";
  if (access.is_library_staff() || !settings.sharing_needs_approval ||
      !shared_beyond_school(in->visibility))
    return;
  in->fields[kWish] = in->visibility;
  in->visibility = "school";
}

void revise(const Settings& settings, store::Record* record) {
  const std::string now = state(*record);
  if (now != "pending" && now != "reviewed" && now != "approved") return;
  record->fields[kField] = "draft";
  if (!settings.sharing_needs_approval || !shared_beyond_school(record->visibility)) return;
  record->fields[kWish] = record->visibility;
  record->visibility = "school";
}

}  // namespace kho::approval
