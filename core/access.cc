#include "core/access.h"

#include <algorithm>
#include <utility>

#include "core/approval.h"

namespace kho {

namespace {

const char* const kRoles[] = {"admin", "librarian", "teacher", "office", "reader"};
const char* const kKinds[] = {"book", "diploma", "lesson-plan", "admin-doc", "other"};

// Which roles handle a kind of record: read it when private, and change it.
bool role_handles(const std::string& role, const std::string& kind) {
  if (role == "admin") return true;
  // A group head and a vice-principal are teachers who also review plans.
  if (role == "vice_principal" || role.rfind("group_head:", 0) == 0)
    return role_handles("teacher", kind);
  if (role == "reader") return false;
  if (kind == "diploma" || kind == "admin-doc") return role == "office";
  if (kind == "book") return role == "librarian";
  if (kind == "lesson-plan") return role == "librarian" || role == "teacher";
  return true;
}

}  // namespace

bool valid_role(const std::string& role) {
  if (role == "vice_principal") return true;
  if (role.rfind("group_head:", 0) == 0)
    return role.find_first_not_of(" ,", std::string("group_head:").size()) != std::string::npos;
  return std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles);
}

Access Access::anonymous(std::string from) {
  Access a;
  a.from_ = std::move(from);
  return a;
}

Access Access::library_staff() {
  Access a;
  a.account_ = "cli";
  a.everything_ = true;
  return a;
}

Status Access::for_account(const store::Store& store, const store::Account& account,
                           std::string from, Access* out) {
  *out = Access{};
  out->account_ = account.name;
  out->from_ = std::move(from);
  if (account.disabled) return Status::Ok();  // signed in to nothing
  std::vector<store::Organisation> orgs;
  if (Status s = store.organisations(&orgs); !s.ok()) return s;
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& o : orgs)
    if (!o.parent.empty()) children[o.parent].push_back(o.code);
  // A role at an office holds at every school below it, however deep.
  for (const auto& [org, role] : account.roles) {
    out->direct_.insert(org);
    std::vector<std::string> todo{org};
    std::set<std::string> seen;
    while (!todo.empty()) {
      std::string code = todo.back();
      todo.pop_back();
      if (!seen.insert(code).second) continue;
      out->roles_[code].insert(role);
      for (const auto& child : children[code]) todo.push_back(child);
    }
  }
  return Status::Ok();
}

Access Access::for_share(const store::Token& link, std::string from) {
  Access a;
  a.account_ = "share:" + std::to_string(link.id);
  a.from_ = std::move(from);
  a.share_ = true;
  a.shared_record_ = link.record;
  a.shared_collection_ = link.collection;
  return a;
}

bool Access::role_fits(const std::string& school, const std::string& kind) const {
  auto it = roles_.find(school);
  if (it == roles_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& role) { return role_handles(role, kind); });
}

bool Access::may_read(const store::Record& r) const {
  if (everything_) return true;
  if (share_) {
    if (shared_record_ != 0) return r.id == shared_record_ && r.kind != "diploma";
    auto c = r.fields.find("collection");
    return r.kind != "diploma" && c != r.fields.end() && c->second == shared_collection_;
  }
  if (r.visibility == "public") return r.kind != "diploma";
  if (r.visibility == "shared") return !roles_.empty();
  if (r.visibility == "school") return roles_.count(r.school) > 0;
  return role_fits(r.school, r.kind);
}

bool Access::may_change(const std::string& school, const std::string& kind) const {
  return everything_ || (!share_ && role_fits(school, kind));
}

bool Access::may_read_file(const store::Record& r) const {
  return may_read(r) && (r.status != "withdrawn" || may_change(r.school, r.kind));
}

std::vector<std::string> Access::actions(const store::Record& r) const {
  std::vector<std::string> out;
  if (!may_read(r)) return out;
  if (may_change(r.school, r.kind)) {
    out.emplace_back("edit");
    out.emplace_back(r.status == "withdrawn" ? "reinstate" : "withdraw");
    // Links are made by someone signed in, never through another link.
    if (signed_in() && r.status != "withdrawn" && r.kind != "diploma") out.emplace_back("share");
  }
  const bool has_file = !r.originals.empty() || r.fields.count("origin_file") > 0;
  if (has_file && may_read_file(r)) out.emplace_back("download");
  for (auto& step : approval::actions(*this, r)) out.push_back(std::move(step));
  return out;
}

bool Access::holds(const std::string& school, const std::string& role) const {
  auto it = roles_.find(school);
  return it != roles_.end() && it->second.count(role) > 0;
}

bool Access::heads_group(const std::string& school, const std::string& group) const {
  auto it = roles_.find(school);
  if (it == roles_.end() || group.empty() || share_) return false;
  const std::string prefix = "group_head:";
  for (const auto& role : it->second) {
    if (role.rfind(prefix, 0) != 0) continue;
    std::size_t start = prefix.size();
    while (start <= role.size()) {  // "group_head:Toán - Tin,Ngữ văn"
      std::size_t end = std::min(role.find(',', start), role.size());
      if (approval::same_group(role.substr(start, end - start), group)) return true;
      start = end + 1;
    }
  }
  return false;
}

bool Access::takes_second_step(const std::string& school) const {
  return !share_ && (holds(school, "vice_principal") || holds(school, "admin"));
}

bool Access::may_administer() const {
  if (everything_) return true;
  return std::any_of(roles_.begin(), roles_.end(),
                     [](const auto& org) { return org.second.count("admin") > 0; });
}

bool Access::admin_of(const std::string& org) const {
  if (everything_) return true;
  auto it = roles_.find(org);
  return it != roles_.end() && it->second.count("admin") > 0;
}

bool Access::may_audit(const std::string& record_school, const store::Account* actor) const {
  if (everything_) return true;
  auto admin_at = [&](const std::string& org) {
    auto it = roles_.find(org);
    return it != roles_.end() && it->second.count("admin") > 0;
  };
  if (!record_school.empty()) return admin_at(record_school);
  if (actor == nullptr) return false;
  return actor->name == account_ ||
         std::any_of(actor->roles.begin(), actor->roles.end(),
                     [&](const auto& role) { return admin_at(role.first); });
}

void Access::restrict(indexer::SearchRequest* search) const {
  if (everything_) return;
  search->restricted = true;
  auto& grants = search->grants;
  grants.clear();
  if (share_) {
    indexer::Grant g;
    g.record = shared_record_;
    g.collection = shared_collection_;
    if (shared_record_ == 0)
      for (const char* kind : kKinds)
        if (std::string(kind) != "diploma") g.kinds.emplace_back(kind);
    grants.push_back(std::move(g));
    return;
  }
  indexer::Grant everyone;
  everyone.visibility = "public";
  for (const char* kind : kKinds)
    if (std::string(kind) != "diploma") everyone.kinds.emplace_back(kind);
  grants.push_back(everyone);
  if (roles_.empty()) return;
  grants.push_back({"shared", {}, {}, "", 0});
  indexer::Grant school{"school", {}, {}, "", 0};
  for (const auto& [code, roles] : roles_) {
    school.schools.push_back(code);
    indexer::Grant own{"private", {code}, {}, "", 0};
    for (const char* kind : kKinds)
      if (role_fits(code, kind)) own.kinds.emplace_back(kind);
    if (!own.kinds.empty()) grants.push_back(std::move(own));
  }
  grants.push_back(std::move(school));
}

}  // namespace kho
