// A change that is one step of a workflow (a lesson plan's submit, approve or
// return, core/approval.h): like Store::update, but the change log names the
// step as its op and keeps the step's note (a reviewer's comment) as its
// reason, so the record's history and the audit log show who took which step,
// when, with what comment, and the state's old and new value.
#include "store/env.h"
#include "store/store.h"

namespace kho::store {

Status Store::update_step(RecordId id, const std::string& op, const std::string& note,
                          const std::function<Status(Record*)>& edit, const Actor& actor,
                          Record* out) {
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  Record before;
  if (Status s = e.read_record(txn, id, &before); !s.ok()) return s;
  Record r = before;
  if (Status s = edit(&r); !s.ok()) return s;
  if (!valid_visibility(r.visibility))
    return Status::Invalid("unknown visibility '" + r.visibility + "'");
  // A step changes the workflow's fields and visibility, nothing else.
  Record kept = before;
  kept.fields = r.fields;
  kept.visibility = r.visibility;
  kept.updated_at = now_rfc3339();
  kept.updated_by = actor.name;
  Status s = e.put(txn, e.records, lmdb::be64(id), to_json(kept));
  if (s.ok())
    s = e.append_change(txn, id, op, kept.updated_at, actor, note, field_changes(before, kept));
  if (s.ok()) s = txn.commit();
  if (s.ok() && out != nullptr) *out = std::move(kept);
  return s;
}

}  // namespace kho::store
