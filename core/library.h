// A Library is one data directory opened for use: the store, the index over
// it, and the import path that joins them (pick an importer by content,
// extract in a worker process, store the record and its original, bring the
// index up to date). The CLI and the API are thin layers over this.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/access.h"
#include "core/accounts.h"
#include "importers/worker.h"
#include "indexer/indexer.h"
#include "store/store.h"

namespace kho {

namespace importers {
struct Document;
}

struct ImportOptions {
  std::string kind;  // empty: the kind the importer recognised, else "other"
  std::string school;
  std::string visibility = "private";
  Access access = Access::library_staff();    // who imports: may they add to this school?
  std::string filename;                       // name to record; default: the path's
  std::map<std::string, std::string> dc;      // typed Dublin Core: overrides what the file says
  std::map<std::string, std::string> fields;  // typed fields (store.h): override too
  // From a sidecar (FILE.meta.json, metadata.csv): any field, and kind,
  // school, visibility; over what the file says, under what is typed.
  std::map<std::string, std::string> sidecar;
  std::string provenance;    // where in an archive the file was: "a.zip/dir/b.pdf"
  std::string worker_exe;    // kho binary for isolated parsing; empty: in-process
  bool update_index = true;  // false: caller catches the index up later
  // A catalogue file (MARC, a sheet of records): filled with the records its
  // entries made or merged into, in file order. May be null.
  std::vector<store::RecordId>* catalogue_entries = nullptr;
};

// One file of an import: a file given, or an entry of an archive.
struct ImportItem {
  std::string name;  // the path given, or "a.zip/dir/b.pdf" for an archive's entry
  Status status;
  store::Record record;
  bool duplicate = false;
};
using ImportReport = std::function<void(const ImportItem&)>;

// A correction typed by staff: each named field is set (an empty value
// removes it); names are Dublin Core, kho's fields (store.h), or kind,
// school, visibility.
struct Edit {
  std::map<std::string, std::string> set;
  Access access = Access::library_staff();
};

class Library {
 public:
  // DATA/kho.lmdb, DATA/originals, DATA/index. `create` makes a new library.
  // A process that opens a library no other process has open removes what
  // crashes left: upload and import temporary files, a cut-short index
  // rebuild (see lock_and_clean in library.cc for why that is safe).
  static Status open(const std::string& data_dir, bool create, std::unique_ptr<Library>* out);

  store::Store& store() { return *store_; }
  indexer::Index& index() { return *index_; }
  Accounts& accounts() { return *accounts_; }

  // Imports one file. A duplicate (same bytes as a record the caller may
  // read) is not an error: *duplicate is set and *out is that record. Bytes
  // held only in records the caller may not read make a new record, which
  // shares the stored file. A bad file gives a Status whose message names
  // the reason; nothing is stored then. Denied when options.access may not
  // add this kind of record to the school.
  // A catalogue file is kept as one record (kind "other") and each of its
  // entries becomes a record without a file (provenance "FILE#N", every
  // field's source "catalogue"), or updates the record that has its ISBN
  // (a field typed by staff wins). A book whose ISBN matches a catalogue
  // record without a file becomes that record's file.
  Status import_file(const std::string& path, const ImportOptions& options, store::Record* out,
                     bool* duplicate);

  // Imports a file, or each file inside an archive (archives in archives too,
  // three deep), each with its path in the archive as provenance. Sidecars
  // (NAME.meta.json beside a file, a metadata.csv in its folder, on disk or
  // in the archive) set its fields; they are not imported themselves. Every
  // file is reported; an archive refused whole (damaged, holding a link or a
  // path that escapes, a zip bomb) is reported as one failure, and nothing of
  // it is stored. Non-OK only when the import cannot go on at all.
  Status import_path(const std::string& path, const ImportOptions& options,
                     const ImportReport& report);
  // Starts reading `path` (a document file; anything else is left alone) in
  // a worker of its own, so that importing it later finds it read: a batch
  // reads its next files on the other cores while this one is stored. The
  // caller bounds how far ahead; a file read ahead and then not imported
  // (a duplicate, a refusal) holds its text until it is.
  void read_ahead(const std::string& path, const ImportOptions& options);
  // How many files can be read at once in lasting workers (one per core, up
  // to four): how far ahead a batch reads, as more would start a one-shot
  // worker for each.
  std::size_t parsing_workers() const { return assistants_.size(); }

  // Corrects a record's metadata; the fields set are marked "typed" and the
  // index follows. Every value is checked first (core/fields.h), then all
  // are stored or none, in one transaction whose change-log entry keeps each
  // changed field's old and new value. An unknown field name or a bad value
  // is Invalid, naming it, and *bad_field (may be null) is set to the name;
  // NotFound unless edit.access may read the record; Denied unless it may
  // change the record before and after.
  Status edit(store::RecordId id, const Edit& edit, store::Record* out,
              std::string* bad_field = nullptr);
  // Withdraws a record (kept, with the reason; its file only for the staff
  // who handle it) or makes a withdrawn one active again, the reason kept in
  // its history. Repeating either changes nothing: the first reason stays.
  // Invalid without a reason; NotFound/Denied as for edit. *out (may be
  // null) is the record after.
  Status withdraw(store::RecordId id, const std::string& reason, const Access& access,
                  store::Record* out = nullptr);
  Status reinstate(store::RecordId id, const std::string& reason, const Access& access,
                   store::Record* out = nullptr);
  // Keeps `path` as the record's new version (a revised lesson plan, a
  // better scan): read by the importers like any import, it becomes the file
  // served and the text searched; earlier versions stay downloadable. Uses
  // options.access, filename and worker_exe. NotFound/Denied as for edit;
  // Conflict when the file is the current version already; a file that
  // cannot be read is refused with its reason and nothing changes.
  Status add_version(store::RecordId id, const std::string& path, const ImportOptions& options,
                     store::Record* out);
  // A harvested record's file, fetched from its origin (harvest::fetch_original,
  // `token` sent there) and read by the importers like any import (in a
  // worker when `worker_exe` is set), so that its text is searched too; the
  // index follows. A file the importers cannot read is kept without text, the
  // reason logged. *out is the record after; one with a file already is
  // left as it is.
  Status fetch_harvested(store::RecordId id, const std::string& token,
                         const std::string& worker_exe, store::Record* out);

 private:
  // A shared lock on DATA/kho.lock, held while this Library is open.
  struct OpenLock {
    int fd = -1;
    ~OpenLock();
  };
  OpenLock open_lock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<indexer::Index> index_;
  std::unique_ptr<Accounts> accounts_;
  // A filter (an importer in its worker) that broke on this many files in a
  // row is not used again by this Library: it looks broken, not the files.
  static constexpr int kBrokenAfter = 3;
  std::mutex filters_mutex_;
  // Lasting parsing workers, one per core (up to four); an import finding
  // them all busy (the server's threads, a batch reading ahead) uses a
  // one-shot worker instead of waiting.
  struct Helper {
    std::mutex mutex;
    std::unique_ptr<importers::Assistant> assistant;
  };
  std::vector<Helper> assistants_;
  Status extract(const std::string& path, const ImportOptions& options, importers::Document* doc);
  std::map<std::string, int> filter_failures_;  // importer name -> failures in a row
  Status extract_with(const std::string& path, const ImportOptions& options,
                      importers::Document* doc);
  Status set_status(store::RecordId id, bool withdraw, const std::string& reason,
                    const Access& access, store::Record* out);
  // Files being read ahead (read_ahead), by path; last, so that they finish
  // before what they use goes.
  struct Read {
    Status status;
    importers::Document doc;
  };
  std::mutex ahead_mutex_;
  std::map<std::string, std::future<Read>> ahead_;
  // What was read ahead for `path`, taken out (invalid when nothing was).
  std::future<Read> take_ahead(const std::string& path);
};

// True when `name` is a Dublin Core element or one of kho's fields (store.h).
bool known_field(const std::string& name);

// The kho binary of this process (for worker processes): /proc/self/exe.
std::string self_exe();

}  // namespace kho
