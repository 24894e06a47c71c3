#include "indexer/indexer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>

#include "indexer/blocks.h"
#include "indexer/terms.h"

namespace fs = std::filesystem;

namespace kho::indexer {

namespace {

constexpr std::size_t kChangesPerCommit = 500;
// Xapian keeps record documents in memory until the commit (it flushes page
// documents itself, every 10,000), and a long book's is as big as its pages:
// a batch commits early once it has this many pages (100 books of 1,000 pages
// reindexed in 129 s at 292 MiB, against 161 s at 379 MiB in one batch).
constexpr std::size_t kPagesPerCommit = 25000;

store::Sequence read_applied(const Xapian::Database& db) {
  std::string v = db.get_metadata(kAppliedKey);
  return v.empty() ? 0 : std::stoull(v);
}

// The record's documents replace whatever the index had for it.
Status reindex_record(const store::Store& store, Xapian::WritableDatabase& records,
                      Xapian::WritableDatabase& pages, store::RecordId id,
                      std::vector<std::string>* texts) {
  store::Record record;
  if (Status s = store.get(id, &record); !s.ok()) return s;
  if (Status s = store.pages(id, texts); !s.ok()) return s;
  if (id > std::numeric_limits<Xapian::docid>::max())
    return Status::Invalid("record id " + std::to_string(id) + " is beyond the index's range");
  auto docs = record_documents(record, *texts, &records);
  records.replace_document(static_cast<Xapian::docid>(id), docs.front());
  pages.delete_document(kPrefixRecord + std::to_string(id));
  for (std::size_t i = 1; i < docs.size(); ++i) pages.add_document(docs[i]);
  return Status::Ok();
}

// Pages first, then the records with the sequence applied: after a crash
// between the two, the changes are applied again, which changes nothing that
// was already there.
void commit(Xapian::WritableDatabase& records, Xapian::WritableDatabase& pages,
            store::Sequence applied, const std::set<store::RecordId>& changed) {
  pages.commit();
  mark_changed_blocks(records, changed);
  records.set_metadata(kAppliedKey, std::to_string(applied));
  records.set_metadata(kFormatKey, kFormat);
  records.commit();
}

// Applies changes in batches. A record is indexed as the store has it now, so
// once in a batch however often it changed; a commit within a batch names the
// change it got to, and any later change is applied again after a crash.
Status apply_changes(const store::Store& store, const std::string& dir, const Progress& progress,
                     std::uint64_t* applied_count) {
  fs::create_directories(dir);
  // RETRY_LOCK: another process may be indexing; wait for it, then go on from
  // wherever it stopped. Records are always locked first.
  constexpr int kOpen = Xapian::DB_CREATE_OR_OPEN | Xapian::DB_RETRY_LOCK;
  Xapian::WritableDatabase records(records_path(dir), kOpen);
  Xapian::WritableDatabase pages(pages_path(dir), kOpen);
  store::Sequence applied = read_applied(records);
  const std::uint64_t behind = store.last_sequence() - std::min(applied, store.last_sequence());
  std::uint64_t done = 0;
  std::vector<store::Change> changes;
  std::vector<std::string> texts;
  for (;;) {
    if (Status s = store.changes_since(applied, kChangesPerCommit, &changes); !s.ok()) return s;
    if (changes.empty()) break;
    std::set<store::RecordId> indexed;
    std::size_t pending_pages = 0;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      store::RecordId id = changes[i].id;
      if (indexed.insert(id).second) {
        if (Status s = reindex_record(store, records, pages, id, &texts); !s.ok())
          return s.with_context("indexing record " + std::to_string(id));
        pending_pages += texts.size();
      }
      if (pending_pages < kPagesPerCommit && i + 1 < changes.size()) continue;
      commit(records, pages, changes[i].seq, indexed);
      done += changes[i].seq - applied;
      applied = changes[i].seq;
      pending_pages = 0;
      if (progress) progress(done, std::max(done, behind));
    }
  }
  if (applied_count) *applied_count = done;
  return Status::Ok();
}

}  // namespace

// One catch-up at a time within a process; Xapian's lock covers processes.
struct Index::Writer {
  std::mutex mutex;
};

// DATA/synonyms.txt, when a library has its own list; else the shipped one.
static Synonyms load_synonyms(const std::string& data_dir) {
  std::ifstream in(fs::path(data_dir) / "synonyms.txt");
  if (!in) return Synonyms::builtin();
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Synonyms own;
  if (Status s = Synonyms::parse(text, &own); !s.ok()) {
    std::fprintf(stderr, "kho: warning: %s/synonyms.txt: %s; using the built-in list\n",
                 data_dir.c_str(), s.message().c_str());
    return Synonyms::builtin();
  }
  return own;
}

Index::Index(const store::Store& store)
    : store_(store),
      writer_(std::make_unique<Writer>()),
      synonyms_(load_synonyms(store.data_dir())) {}
Index::~Index() = default;

std::string Index::path() const { return (fs::path(store_.data_dir()) / "index").string(); }

namespace {

// An index written by an older kho whose terms mean something else, or laid
// out as one database (format 6 and before).
bool outdated_format(const std::string& path) {
  if (!fs::exists(path)) return false;
  if (fs::exists(fs::path(path) / "iamglass")) return true;
  if (!fs::exists(records_path(path))) return false;
  Xapian::Database db(records_path(path));
  return db.get_metadata(kFormatKey) != kFormat && (db.get_doccount() > 0 || read_applied(db) > 0);
}

// Writes a compact copy of the index at `from` beside `live` (a quarter to a
// fifth smaller, and searches 10-25% faster at 1M pages) and puts it in
// live's place. Searches open the index for each query, so they go on.
// The block bounds (blocks.h) are written first into `records`, the records
// database at `from` (held open for writing), so the copy has them compactly.
Status replace_compacted(const std::string& from, Xapian::WritableDatabase& records,
                         const std::string& live) {
  std::string compact = live + ".compact", old = live + ".old";
  std::error_code ec;
  for (const std::string& dir : {compact, old}) fs::remove_all(dir, ec);
  try {
    write_block_bounds(records);
    records.commit();
    fs::create_directories(compact);
    for (const char* db : {kRecordsDatabase, kPagesDatabase})
      Xapian::Database((fs::path(from) / db).string()).compact((fs::path(compact) / db).string());
  } catch (const Xapian::Error& e) {
    fs::remove_all(compact, ec);
    return Status::IoError("index " + from + ": " + e.get_description());
  }
  if (fs::exists(live)) fs::rename(live, old, ec);
  if (!ec) fs::rename(compact, live, ec);
  if (ec) return Status::IoError("cannot replace " + live + ": " + ec.message());
  fs::remove_all(old, ec);
  return Status::Ok();
}

}  // namespace

Status Index::catch_up(const Progress& progress, std::uint64_t* applied) {
  std::lock_guard lock(writer_->mutex);
  try {
    if (outdated_format(path())) {
      std::fprintf(stderr, "kho: the index is from an older version of kho; rebuilding it\n");
      if (applied) *applied = store_.last_sequence();
      return rebuild_locked(progress);
    }
    return apply_changes(store_, path(), progress, applied);
  } catch (const Xapian::Error& e) {
    return Status::IoError("index " + path() + ": " + e.get_description());
  }
}

Status Index::rebuild(const Progress& progress) {
  std::lock_guard lock(writer_->mutex);
  return rebuild_locked(progress);
}

Status Index::rebuild_locked(const Progress& progress) {
  // Built beside the live index, then compacted into its place.
  std::string fresh = path() + ".rebuild";
  std::error_code ec;
  fs::remove_all(fresh, ec);
  Status s;
  try {
    s = apply_changes(store_, fresh, progress, nullptr);
    if (s.ok()) {
      Xapian::WritableDatabase records(records_path(fresh), Xapian::DB_OPEN);
      s = replace_compacted(fresh, records, path());
    }
  } catch (const Xapian::Error& e) {
    s = Status::IoError("index " + fresh + ": " + e.get_description());
  }
  fs::remove_all(fresh, ec);
  return s;
}

Status Index::compact() {
  std::lock_guard lock(writer_->mutex);
  try {
    if (!fs::exists(records_path(path()))) return Status::Ok();
    // Held until the copy is in place: another process's catch-up waits,
    // then finds the compact copy and applies whatever is still missing.
    constexpr int kOpen = Xapian::DB_OPEN | Xapian::DB_RETRY_LOCK;
    Xapian::WritableDatabase records(records_path(path()), kOpen);
    Xapian::WritableDatabase pages(pages_path(path()), kOpen);
    return replace_compacted(path(), records, path());
  } catch (const Xapian::Error& e) {
    return Status::IoError("index " + path() + ": " + e.get_description());
  }
}

void Index::remove_leftovers(std::vector<std::string>* removed) {
  std::lock_guard lock(writer_->mutex);
  std::error_code ec;
  // A compaction stopped between its two renames: the old index is whole.
  if (!fs::exists(path(), ec) && fs::exists(path() + ".old", ec))
    fs::rename(path() + ".old", path(), ec);
  for (const char* suffix : {".rebuild", ".compact", ".old"})
    if (fs::remove_all(path() + suffix, ec) > 0) removed->push_back(path() + suffix);
}

store::Sequence Index::applied_sequence() const {
  try {
    if (!fs::exists(records_path(path()))) return 0;
    return read_applied(Xapian::Database(records_path(path())));
  } catch (const Xapian::Error&) {
    return 0;
  }
}

namespace {

// Each record as the index holds it, against the store; `db` is one snapshot.
void compare_records(const store::Store& store, const Xapian::Database& db,
                     std::vector<Discrepancy>* found) {
  const store::RecordId last = store.record_count();
  for (store::RecordId id = 1; id <= last; ++id) {
    store::Record r;
    if (!store.get(id, &r).ok()) continue;  // the store's own check names it
    std::string name = "record " + std::to_string(id);
    Xapian::Document doc;
    try {
      doc = db.get_document(static_cast<Xapian::docid>(id));
    } catch (const Xapian::DocNotFoundError&) {
      found->push_back({id, name + " is not in the index"});
      continue;
    }
    for (const char* facet : {"kind", "school", "status", "visibility"}) {
      std::string want = facet_value(r, facet), have = doc.get_value(find_facet(facet)->slot);
      if (want != have)
        found->push_back({id, name + " is in the index with " + facet + " '" + have +
                                  "' where the store has '" + want + "'"});
    }
  }
  if (db.get_doccount() > 0 && db.get_lastdocid() > last)
    found->push_back({0, "the index holds records up to " + std::to_string(db.get_lastdocid()) +
                             " but the store's last is " + std::to_string(last)});
}

}  // namespace

Status Index::check(std::vector<Discrepancy>* out) const {
  out->clear();
  const std::string reindex = ": run `kho reindex`";
  try {
    if (!fs::exists(records_path(path()))) {
      if (store_.last_sequence() > 0) out->push_back({0, "the index is missing" + reindex});
      return Status::Ok();
    }
    Xapian::Database db(records_path(path()));
    store::Sequence applied = read_applied(db), last = store_.last_sequence();
    if (applied > last)
      out->push_back({0, "the index has applied change " + std::to_string(applied) +
                             " but the store's change log ends at " + std::to_string(last) +
                             reindex});
    std::vector<Discrepancy> found;
    compare_records(store_, db, &found);
    // Read after the records: any record read as changed since the snapshot is listed here.
    std::vector<store::Change> pending;
    if (Status s = store_.changes_since(applied, SIZE_MAX, &pending); !s.ok()) return s;
    std::set<store::RecordId> changed;
    for (const auto& c : pending) changed.insert(c.id);
    for (auto& d : found)
      if (d.id == 0 || changed.count(d.id) == 0) out->push_back({d.id, d.what + reindex});
  } catch (const Xapian::Error& e) {
    out->push_back({0, "the index cannot be read (" + e.get_description() + ")" + reindex});
  }
  return Status::Ok();
}

}  // namespace kho::indexer
