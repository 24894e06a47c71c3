// Who may read and change what: kho's one authorisation check. Every route of
// the API, the CLI, search (as grants inside the Xapian query, so counts and
// facets never leak), files, share links, OAI-PMH and exports ask an Access.
//
// Visibility of a record owned by school S:
//   public  — everyone, signed in or not (a diploma is never public);
//   shared  — every account of the network (any role anywhere);
//   school  — every account with a role at S or at an office above S;
//   private — staff at S (or an office above) whose role fits the kind:
//             diplomas and administrative files: admin, office;
//             books: admin, librarian; lesson plans: admin, librarian,
//             teacher; other: any role but reader.
// The same role fit lets staff import, edit, withdraw and reinstate S's
// records; a withdrawn record's file is theirs alone.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace kho {

// admin librarian teacher office reader, vice_principal, group_head:GROUP
// (a subject group's head, core/approval.h; "group_head:Toán - Tin").
bool valid_role(const std::string& role);

class Access {
 public:
  static Access anonymous(std::string from = "");
  // Whoever holds the data directory (the CLI): reads and changes everything.
  static Access library_staff();
  // A signed-in account: its roles, extended from each office to the schools below it.
  static Status for_account(const store::Store& store, const store::Account& account,
                            std::string from, Access* out);
  // A share link: the one record, or the records of one collection, it names.
  static Access for_share(const store::Token& link, std::string from);

  bool signed_in() const { return !account_.empty() && !share_; }
  bool may_read(const store::Record& record) const;
  bool may_change(const std::string& school, const std::string& kind) const;
  // The record's file: a withdrawn record's only for the staff who may change it.
  bool may_read_file(const store::Record& record) const;
  // What this caller may do with a record it may read, of "edit", "withdraw",
  // "reinstate", "share" (a link to it) and "download" (its file).
  std::vector<std::string> actions(const store::Record& record) const;
  bool may_administer() const;  // the audit log, accounts: admin somewhere
  // Admin at this school or office, or at an office above it.
  bool admin_of(const std::string& org) const;
  // Whether this admin may see an audit entry: one about a record of a school
  // where (or above which) it is admin, or one made by an account holding a
  // role there. `record_school` is "" when the entry names no record.
  bool may_audit(const std::string& record_school, const store::Account* actor) const;
  // Lesson-plan approval (core/approval.h): heads this subject group at the
  // school (role group_head:GROUP there); takes the school's second step
  // (vice_principal or admin there); holds this role there.
  bool heads_group(const std::string& school, const std::string& group) const;
  bool takes_second_step(const std::string& school) const;
  bool holds(const std::string& school, const std::string& role) const;
  bool is_library_staff() const { return everything_; }
  // Restricts a search to what this caller may read.
  void restrict(indexer::SearchRequest* search) const;
  store::Actor actor() const { return {account_.empty() ? "anonymous" : account_, from_}; }
  const std::string& account() const { return account_; }
  // The school or office where the account holds its roles, when there is
  // just one: where its uploads go unless it says otherwise.
  std::string home() const { return direct_.size() == 1 ? *direct_.begin() : ""; }

 private:
  bool role_fits(const std::string& school, const std::string& kind) const;

  std::string account_;
  std::string from_;
  bool everything_ = false;
  bool share_ = false;
  store::RecordId shared_record_ = 0;
  std::string shared_collection_;
  std::map<std::string, std::set<std::string>> roles_;  // school or office code -> roles there
  std::set<std::string> direct_;                        // where the roles were given
};

}  // namespace kho
