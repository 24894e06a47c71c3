// A Library is one data directory opened for use: the store, the index over
// it, and the import path that joins them (pick an importer by content,
// extract in a worker process, store the record and its original, bring the
// index up to date). The CLI and the API are thin layers over this.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace kho {

struct ImportOptions {
  std::string kind;  // empty: the kind the importer recognised, else "other"
  std::string school;
  std::string visibility = "private";
  std::string actor = "cli";
  std::string filename;                       // name to record; default: the path's
  std::map<std::string, std::string> dc;      // typed Dublin Core: overrides what the file says
  std::map<std::string, std::string> fields;  // typed fields (store.h): override too
  std::string worker_exe;                     // kho binary for isolated parsing; empty: in-process
  bool update_index = true;                   // false: caller catches the index up later
};

// Who is asking, and what they may read: the one authorisation check. Until
// accounts exist, callers of the HTTP API are anonymous and read public
// records only; the CLI, run by whoever holds the data directory, acts for
// the library's staff and reads everything.
struct Access {
  bool staff = false;
  static Access anonymous() { return {}; }
  static Access library_staff() { return {true}; }
  bool may_read(const store::Record& record) const {
    return staff || record.visibility == "public";
  }
  // For SearchRequest::visible: the visibilities this caller's searches match ({} = all).
  std::vector<std::string> visible() const {
    return staff ? std::vector<std::string>{} : std::vector<std::string>{"public"};
  }
};

// A correction typed by staff: each named field is set (an empty value
// removes it); names are Dublin Core, kho's fields (store.h), or kind,
// school, visibility.
struct Edit {
  std::map<std::string, std::string> set;
  std::string actor = "cli";
};

class Library {
 public:
  // DATA/kho.lmdb, DATA/originals, DATA/index. `create` makes a new library.
  static Status open(const std::string& data_dir, bool create, std::unique_ptr<Library>* out);

  store::Store& store() { return *store_; }
  indexer::Index& index() { return *index_; }

  // Imports one file. A duplicate (same bytes) is not an error: *duplicate is
  // set and *out is the record that already holds them. A bad file gives a
  // Status whose message names the reason; nothing is stored then.
  Status import_file(const std::string& path, const ImportOptions& options, store::Record* out,
                     bool* duplicate);

  // Corrects a record's metadata; the fields set are marked "typed" and the
  // index follows. An unknown field name or value is Invalid, naming it.
  Status edit(store::RecordId id, const Edit& edit, store::Record* out);

 private:
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<indexer::Index> index_;
};

// The kho binary of this process (for worker processes): /proc/self/exe.
std::string self_exe();

}  // namespace kho
