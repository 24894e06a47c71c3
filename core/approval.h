// Lesson plans (kế hoạch bài dạy) reviewed by their subject group: a teacher
// submits a plan, the head of its subject group (tổ trưởng chuyên môn) at its
// school approves it or returns it with a comment, the teacher revises and
// submits again. A school may add a second step: then a plan the group head
// approved waits for the vice-principal (role vice_principal at the school,
// or the school's admin) before it is approved.
//
//   draft ──submit──► pending ──approve──► approved            (one step)
//   returned ─submit─►    │    ──approve──► reviewed ──approve──► approved
//                         └──return──► returned ◄──return──┘  (two steps)
//
// The state is the record's field "approval" (a lesson plan without one is a
// draft); each step is an entry of the record's change log whose op is the
// action and whose reason is the comment (store::Store::update_step), so the
// history and the audit log keep who, when, comment and from → to.
//
// Roles: "group_head:GROUP" at a school (GROUP the subject group's name as
// lesson plans write it, "Toán - Tin"; several separated by ","), which also
// does all a teacher does; "vice_principal" at a school, which does all a
// teacher does and takes the second step. A plan's group is its
// subject_group field, else the first of its subjects; names match
// whatever their case, diacritics or a leading "Tổ".
//
// Sharing: while a school requires approval for sharing (the default), a
// lesson plan is given shared or public visibility only once approved. An
// account's edit that asks for it earlier is Denied (reason
// "approval_required"); an account's upload that asks for it is kept at
// school visibility and given the visibility asked for when approved (field
// "share_on_approval"). The CLI, which holds the data directory, may.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "core/access.h"
#include "store/store.h"

namespace kho {

class Library;

namespace approval {

inline constexpr const char* kField = "approval";          // the state
inline constexpr const char* kWish = "share_on_approval";  // visibility asked for at upload

// "draft", "pending", "reviewed", "approved" or "returned"; "" for a record
// that is not a lesson plan.
std::string state(const store::Record& record);
// The subject group a plan belongs to, as written ("" when none).
std::string group_of(const store::Record& record);
// Two group names that mean the same group.
bool same_group(const std::string& a, const std::string& b);

// A school's choices, kept with the library; unset: one step, sharing
// waits for approval.
struct Settings {
  bool two_step = false;
  bool sharing_needs_approval = true;
};
Status settings(const store::Store& store, const std::string& school, Settings* out);
Status put_settings(store::Store& store, const std::string& school, const Settings& settings,
                    const store::Actor& actor);

// Which of "submit", "approve", "return" this caller may take on the record
// now. Nobody approves or returns a plan they made.
std::vector<std::string> actions(const Access& access, const store::Record& record);

// Takes a step: action "submit", "approve" or "return" (a return needs a
// comment; Invalid with reason "comment_required"). NotFound unless the
// caller may read the record; Denied (reason "not_allowed") when the caller
// may not take this step; Conflict (reason "wrong_state") when the plan's
// state does not allow it. *out (may be null) is the record after.
Status act(Library& library, store::RecordId id, const std::string& action,
           const std::string& comment, const Access& access, store::Record* out);

struct Step {
  std::string action;  // submit, approve, return
  std::string from, to;
  std::string actor, at, comment;
};
// The approval steps among a record's changes, oldest first.
std::vector<Step> steps(const std::vector<store::Change>& history);

// Lesson plans waiting for this caller's approve or return, oldest first
// (found through the index, so within what the caller may read).
Status waiting(Library& library, const Access& access, std::vector<store::Record>* out);

// The sharing rule (above) for an edit from `before` to `after`: Denied with
// reason "approval_required" when it gives a plan not yet approved shared
// or public visibility.
Status check_sharing(const Settings& settings, const Access& access, const store::Record& before,
                     const store::Record& after);
// An upload of a lesson plan: a draft, its shared or public visibility kept
// for approval unless the caller may share it now.
void prepare_import(const Settings& settings, const Access& access, store::NewRecord* in);
// A new version of a plan's file (Library::add_version): what was submitted
// or approved is not the file any more, so a pending, reviewed or approved
// plan is a draft again, to be submitted anew; while sharing waits for
// approval, a shared or public plan goes back to school visibility until
// then (its wish kept, as at upload). A returned plan stays returned.
void revise(const Settings& settings, store::Record* record);

}  // namespace approval
}  // namespace kho
