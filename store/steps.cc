// A change that is one step of a workflow (a lesson plan's submit, approve or
// return, core/approval.h): like Store::update, but the change log names the
// step as its op and keeps the step's note (a reviewer's comment) as its
// reason, so the record's history and the audit log show who took which step,
// when, with what comment, and the state's old and new value.
#include "store/store.h"

namespace kho::store {

Status Store::update_step(RecordId id, const std::string& op, const std::string& note,
                          const std::function<Status(Record*)>& edit, const Actor& actor,
                          Record* out) {
  return change(
      id, op, note,
      [&](Record* r) {
        Record edited = *r;
        if (Status s = edit(&edited); !s.ok()) return s;
        // A step changes the workflow's fields and visibility, nothing else.
        r->fields = std::move(edited.fields);
        r->visibility = std::move(edited.visibility);
        return Status::Ok();
      },
      actor, out);
}

}  // namespace kho::store
