// The store is kho's source of truth: one data directory holding an LMDB
// environment (records, page text, the change log) and the original files,
// addressed by SHA-256. It promises:
//  - every write is durable before it returns OK; an original is fsynced on
//    disk before the transaction that names it commits, so no record ever
//    points at a missing or partial file;
//  - record IDs are immutable and never reused; nothing is hard-deleted (a
//    record is withdrawn, with its reason);
//  - every change appends to the change log in the same transaction, with a
//    monotonic sequence number that derived data (the index) follows;
//  - the same bytes imported twice make one record.
// Several processes may use one data directory at once (LMDB's one-writer
// rule serialises writers). The store knows nothing of search or HTTP.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kho::store {

using RecordId = std::uint64_t;
using Sequence = std::uint64_t;

inline constexpr int kSchemaVersion = 1;

// Valid values of Record::kind, Record::visibility and Record::status.
bool valid_kind(const std::string& kind);              // book diploma lesson-plan admin-doc other
bool valid_visibility(const std::string& visibility);  // private school shared public

struct Original {
  std::string sha256;  // lower-case hex
  std::uint64_t size = 0;
  std::string media_type;
  std::string filename;  // the name it was imported under, without directories
  // When and by whom this version came; empty in records stored before kho
  // kept versions (their one file came with the record: created_at/by).
  std::string added_at, added_by;
};

// Fields beyond Dublin Core that kho extracts or staff type, by name:
//   admin documents: number ("44/KH-PGDĐT"), doc_type ("Kế hoạch"), issuer,
//     place, issued (YYYY-MM-DD), recipients, signer, signer_role ("KT. ...");
//   lesson plans: school_name, subject_group, teacher, grade, periods;
//   books: isbn (digits only); any record: provenance ("a.zip/dir/b.pdf"),
//     collection, marcxml (a catalogue record kept whole), modified
//     (YYYY-MM-DD), cover (an e-book's cover image, path in the package).
// Where each field (Dublin Core or not) came from: "extracted", "sidecar",
// "catalogue" or "typed".
inline constexpr const char* kSourceExtracted = "extracted";
inline constexpr const char* kSourceSidecar = "sidecar";
inline constexpr const char* kSourceCatalogue = "catalogue";
inline constexpr const char* kSourceTyped = "typed";

struct Record {
  RecordId id = 0;
  std::string kind = "other";
  std::map<std::string, std::string> dc;       // Dublin Core: title, creator, subject, date, ...
  std::map<std::string, std::string> fields;   // see above
  std::map<std::string, std::string> sources;  // field name -> kSource*
  std::map<std::uint32_t, double>
      ocr_confidence;  // page -> mean OCR confidence 0..100 (OCRed pages only)
  std::string school;
  std::string visibility = "private";
  std::string status = "active";  // "active" or "withdrawn"
  std::string withdrawn_reason;
  // The record's file, version by version, oldest first: the last is the
  // file as it is now (what is served, read and indexed); earlier ones stay,
  // byte for byte. Empty for a record with metadata only.
  std::vector<Original> originals;
  std::uint32_t page_count = 0;
  std::string created_at, updated_at;  // RFC 3339, UTC
  std::string created_by, updated_by;  // actor: a user name, "cli", "api"
};

// Who makes a change or reads a file: an account name (or "cli", "api",
// "share:ID") and where from (a client address; empty for the local CLI).
struct Actor {
  std::string name;
  std::string from;
  Actor(std::string n = "cli", std::string f = "") : name(std::move(n)), from(std::move(f)) {}
  Actor(const char* n) : name(n) {}  // NOLINT(google-explicit-constructor): "cli" reads well
};

// One field's value before and after a change ("" when it had none). Fields
// are named as Library::edit names them: Dublin Core, kho's fields, or kind,
// school, visibility.
struct FieldChange {
  std::string field;
  std::string old_value;
  std::string new_value;
  std::string source;  // where the new value came from (kSource*), when known
};

struct Change {
  Sequence seq = 0;
  RecordId id = 0;
  std::string op;  // "create", "update", "version", "withdraw", "reinstate"
  std::string at;
  std::string actor;
  std::string reason;  // a withdrawal's or reinstatement's, or what an update did
  std::vector<FieldChange>
      fields;  // an update's changed fields; none in entries before kho kept them
};

// The fields that differ between two versions of a record, by name.
std::vector<FieldChange> field_changes(const Record& before, const Record& after);

// Schools and offices. An office may be the parent of schools (a district
// office of its schools); `code` is stable, e.g. the sector database's ID.
struct Organisation {
  std::string code;
  std::string name;
  std::string parent;  // code of the parent office, or empty
  std::string created_at;
};

// A person who signs in. `roles` maps an organisation code to the role held
// there: admin, librarian, teacher, office or reader. The password is kept
// only as an Argon2id hash string (core/access.h makes and checks it).
struct Account {
  std::string name;
  std::string password_hash;
  std::map<std::string, std::string> roles;
  bool disabled = false;
  std::string created_at;
};

// A bearer secret: a login session, a script's API token, or a share link to
// one record or one collection. The store keeps only the secret's hash.
struct Token {
  std::uint64_t id = 0;
  std::string kind;     // "session", "api", "share"
  std::string account;  // whose session or token; who made the share link
  std::string label;
  RecordId record = 0;                 // share link: the record, or
  std::string collection;              // share link: the collection
  std::string created_at, expires_at;  // expires_at empty: never
  bool revoked = false;
};

// One line of the append-only audit log: who did what, when, from where.
struct AuditEntry {
  std::uint64_t seq = 0;
  std::string at;
  std::string actor;
  std::string from;
  std::string action;  // "create", "update", "withdraw", "read-file", "login", ...
  RecordId record = 0;
  std::string detail;
};

// What an import hands the store: the record's fields, its extracted pages,
// and the file to keep as its original.
struct NewRecord {
  std::string kind = "other";
  std::map<std::string, std::string> dc;
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> sources;
  std::map<std::uint32_t, double> ocr_confidence;
  std::string school;
  std::string visibility = "private";
  Actor actor;
  std::vector<std::string> pages;
  std::string source_path;  // file to copy in; read once, streamed
  std::string filename;     // name to remember (defaults to source_path's)
  std::string media_type;
  // Which record already holding the same bytes this one would repeat (empty:
  // any). When none does, the record is added and shares the stored file.
  std::function<bool(const Record&)> repeats;
};

// Something `Store::check` found wrong, in words, with the record and file it concerns.
struct Problem {
  RecordId record = 0;  // 0: not one record's
  std::string file;     // path of the file concerned, if any
  std::string what;
};

// An original and the record that names it.
struct StoredOriginal {
  RecordId record = 0;
  std::string status;  // the record's: "active" or "withdrawn"
  Original original;
};

class FileSystem;  // store/file_system.h

// Tables of the modules kept beside the records (the graduation register,
// register/register.h): named tables of byte keys and values in the same
// LMDB environment, so backup, restore and LMDB's one-writer rule cover them
// too. A Tables is one transaction: Store::read_tables gives a read-only one,
// Store::write_tables commits one only when its work returns OK, with every
// audit entry the work appended (store/tables.cc).
class Tables {
 public:
  // NotFound when the key is absent.
  Status get(std::string_view table, std::string_view key, std::string* value) const;
  Status put(std::string_view table, std::string_view key, std::string_view value);
  // Entries whose key starts with `prefix`, in key order, until `each` says stop.
  using Each = std::function<bool(std::string_view key, std::string_view value)>;
  Status scan(std::string_view table, std::string_view prefix, const Each& each) const;
  // The next number of a named counter, 1 first: a number is never given twice.
  Status next(std::string_view counter, std::uint64_t* out);
  Status audit(AuditEntry entry);

 private:
  friend class Store;
  struct Open;  // the transaction, in tables.cc
  explicit Tables(Open& open) : open_(open) {}
  Open& open_;
};

class Store {
 public:
  // Opens (or with `create`, creates) the store in `data_dir`. Originals are
  // written through `fs` (null: the real file system; tests pass one that fails).
  static Status open(const std::string& data_dir, bool create, std::unique_ptr<Store>* out,
                     FileSystem* fs = nullptr);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& data_dir() const { return dir_; }
  // This library's own random ID, made when it was created: tells its records
  // from other libraries' where their indexes are searched together.
  const std::string& library_id() const { return library_id_; }

  // Adds a record. When the same bytes are already held by a record that
  // in.repeats accepts, nothing is written, *duplicate is set and *out is
  // that record. The bytes are stored once however many records hold them.
  // With an empty source_path the record has metadata only (a catalogue
  // entry) and is never a duplicate.
  Status add(const NewRecord& in, Record* out, bool* duplicate);
  Status get(RecordId id, Record* out) const;
  Status page_text(RecordId id, std::uint32_t page, std::string* out) const;  // page from 1
  Status pages(RecordId id, std::vector<std::string>* out) const;
  // Gives back the pages of the store's map this process has read (they stay
  // in the page cache): a pass over every record's text, as indexing a large
  // import makes, would otherwise count the whole store in its resident set.
  // Safe while other threads read: the map is read-only and reads fault the
  // pages back in.
  void release_read_pages() const;
  // Withdraws a record with its reason; one already withdrawn keeps its first
  // reason and nothing is written (*changed false; `changed` may be null).
  // `allowed`, when given, may refuse with a Status after seeing the record,
  // inside the transaction.
  using Check = std::function<Status(const Record&)>;
  Status withdraw(RecordId id, const std::string& reason, const Actor& actor,
                  bool* changed = nullptr, const Check& allowed = {});
  // Makes a withdrawn record active again, the reason kept in its history; an
  // active record is left as it is (*changed false).
  Status reinstate(RecordId id, const std::string& reason, const Actor& actor,
                   bool* changed = nullptr, const Check& allowed = {});
  // Changes a record's metadata (kind, dc, fields, sources, school,
  // visibility) in one transaction with its change-log entry. `edit` may
  // refuse with a Status; the ID, originals, status and times are kept.
  Status update(RecordId id, const std::function<Status(Record*)>& edit, const Actor& actor,
                Record* out);

  // One step of a workflow (store/steps.cc): `edit` may change the record's
  // fields and visibility only; the change-log entry's op is `op` (e.g.
  // "submit", "approve", "return") and its reason `note`.
  Status update_step(RecordId id, const std::string& op, const std::string& note,
                     const std::function<Status(Record*)>& edit, const Actor& actor, Record* out);

  // A record harvested from another library, known there as `origin_key`
  // (its OAI-PMH identifier): made the first time, its metadata replaced
  // after (*updated set). It has no original until attach_original().
  Status put_harvested(const std::string& origin_key, const NewRecord& in, Record* out,
                       bool* updated);
  Status find_by_origin(const std::string& origin_key, RecordId* out) const;
  // Every record harvested from `origin` (origin_key "ORIGIN#IDENTIFIER"):
  // its identifier there and its ID here.
  Status harvested_from(const std::string& origin,
                        std::vector<std::pair<std::string, RecordId>>* out) const;
  // Keeps in.source_path (named in.filename, of in.media_type) as the
  // original of a record that had none (a harvested record's file, fetched
  // from its origin when first asked for), with in.pages as the text it is
  // searched by; the metadata stays the origin's.
  Status attach_original(RecordId id, const NewRecord& in, Record* out);
  // Records whose "isbn" field is this ISBN (10 or 13 digits; the two forms
  // of one book match), oldest first; none is not an error.
  Status find_by_isbn(const std::string& isbn, std::vector<RecordId>* out) const;
  // Keeps in.source_path as the original of a record that had none (a
  // catalogue entry whose book arrives), with its pages; in's metadata fills
  // only the fields the record lacks. Conflict when the record has a file.
  Status add_file(RecordId id, const NewRecord& in, Record* out);
  // Keeps in.source_path as the record's new version: the file it serves and
  // the pages it is searched by from now on; earlier versions stay as they
  // were. The metadata is left as it is, but for what `revise` (may be
  // empty) changes in the same transaction; the change-log entry keeps those
  // fields' old and new values. Conflict when these bytes are the record's
  // current version already.
  Status add_version(RecordId id, const NewRecord& in, Record* out, const Check& allowed = {},
                     const std::function<void(Record*)>& revise = {});
  // Small named values kept with the library (e.g. where a harvest stopped).
  Status get_setting(const std::string& name, std::string* out) const;
  Status put_setting(const std::string& name, const std::string& value);

  // Module tables (above): `work` runs in one transaction.
  Status write_tables(const std::function<Status(Tables&)>& work);
  Status read_tables(const std::function<Status(const Tables&)>& work) const;

  // Path of an original's bytes on disk (read-only).
  std::string original_path(const Original& original) const;
  // The record that holds these bytes, if any (the first, when several do).
  Status find_by_sha256(const std::string& sha256, RecordId* out) const;
  // Every record that holds these bytes, oldest first; none is not an error.
  Status holders_of_sha256(const std::string& sha256, std::vector<RecordId>* out) const;

  Sequence last_sequence() const;
  // Up to `limit` changes with seq > after, in order.
  Status changes_since(Sequence after, std::size_t limit, std::vector<Change>* out) const;
  // Every change to one record, oldest first (store/history.cc).
  Status history(RecordId id, std::vector<Change>* out) const;
  std::uint64_t record_count() const;

  // Organisations and accounts: put adds or replaces (create: Conflict when
  // the code or name is taken).
  Status put_organisation(const Organisation& org, bool create, const Actor& actor);
  Status get_organisation(const std::string& code, Organisation* out) const;
  Status organisations(std::vector<Organisation>* out) const;
  Status put_account(const Account& account, bool create, const Actor& actor);
  Status get_account(const std::string& name, Account* out) const;
  Status accounts(std::vector<Account>* out) const;

  // Tokens by the SHA-256 of their secret; add assigns token->id.
  Status add_token(const std::string& secret_hash, Token* token);
  Status find_token(const std::string& secret_hash, Token* out) const;
  Status revoke_token(std::uint64_t id, const Actor& actor);
  Status tokens(std::vector<Token>* out) const;

  // Appends to the audit log (changes to records are audited by the store
  // itself, in their own transaction); entries after `after`, oldest first.
  Status audit(AuditEntry entry);
  Status audit_log(std::uint64_t after, std::size_t limit, std::vector<AuditEntry>* out) const;

  // Fixity (store/fixity.cc), for `kho verify`, `kho backup` and the file routes.
  // Reads every record, the change log and the SHA-256 table through: what
  // cannot be read or does not agree is a problem naming the record. Every
  // record's originals go to `originals`. Non-OK only when LMDB cannot be
  // read at all.
  Status check(std::vector<Problem>* problems, std::vector<StoredOriginal>* originals) const;
  // Re-reads an original's bytes: Corrupt when their size or SHA-256 is not
  // what the record says, NotFound when the file is gone. `progress` is told
  // of bytes read and may stop the check by returning false (Busy then).
  Status check_original(const Original& original,
                        const std::function<bool(std::uint64_t)>& progress = {}) const;
  // Damage found by a check, kept until a later check finds the bytes sound,
  // so that a file is never served as sound in between.
  Status mark_damaged(const std::string& sha256, const std::string& why);
  Status clear_damaged(const std::string& sha256);
  bool is_damaged(const std::string& sha256) const;
  Status damaged(std::map<std::string, std::string>* out) const;  // sha256 -> why

  // A consistent copy of the LMDB environment in `file` (LMDB's own copy:
  // one read transaction, safe while other processes write); `compact`
  // leaves free pages out.
  Status copy_environment(const std::string& file, bool compact) const;
  // The originals named by the records of an environment copied that way.
  static Status originals_in_copy(const std::string& file, std::vector<Original>* out);
  // Removes files under originals/ that no committed record names (left by a
  // crash between placing a file and committing its record).
  Status remove_orphan_originals(std::vector<std::string>* removed);

  struct Env;  // LMDB handles, private to store.cc

 private:
  Store(std::string dir, FileSystem& fs);
  Status set_status(RecordId id, const std::string& op, const std::string& reason,
                    const Actor& actor, bool* changed, const Check& allowed);
  // update and update_step: the change logged as `op` with `note` as its reason.
  Status change(RecordId id, const std::string& op, const std::string& note,
                const std::function<Status(Record*)>& edit, const Actor& actor, Record* out);
  std::string dir_;
  FileSystem& fs_;
  std::string library_id_;
  std::unique_ptr<Env> env_;
};

// Canonical JSON form of a record (also what `kho show --json` prints).
std::string to_json(const Record& record);
Status from_json(const std::string& json, Record* out);

// SHA-256 of a file, streamed; lower-case hex.
Status sha256_file(const std::string& path, std::string* hex);
// SHA-256 of bytes in memory; lower-case hex.
std::string sha256_bytes(std::string_view bytes);

std::string now_rfc3339();

}  // namespace kho::store
