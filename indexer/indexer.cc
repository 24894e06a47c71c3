#include "indexer/indexer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "indexer/blocks.h"
#include "indexer/terms.h"

namespace fs = std::filesystem;

namespace kho::indexer {

namespace {

constexpr std::size_t kChangesPerCommit = 500;
// Xapian holds a batch's postings and positions in memory until the commit,
// some 40 bytes for each byte of text indexed; a batch commits once it has
// indexed this much text, so memory does not grow with the folder or with the
// length of its pages. Smaller batches were also cheaper (bench/import
// --folder at scale 0.2: 25,000 pages a commit took 95 CPU-s and 1,282 MiB;
// 16 MiB of text 83 s and 659 MiB; 8 MiB 71 s, 421 MiB; 4 MiB 64 s, 292 MiB).
constexpr std::size_t kTextBytesPerCommit = 4u << 20;

store::Sequence read_applied(const Xapian::Database& db) {
  std::string v = db.get_metadata(kAppliedKey);
  return v.empty() ? 0 : std::stoull(v);
}

// A record's document, built away from the thread that writes it.
struct Built {
  Status status;
  Xapian::Document doc;
  SpellingWords spelling;
  std::size_t text_bytes = 0;
  bool ready = false;
};

Built build_record(const store::Store& store, store::RecordId id) {
  Built b;
  store::Record record;
  std::vector<std::string> texts;
  if (id > std::numeric_limits<Xapian::docid>::max())
    b.status = Status::Invalid("record id " + std::to_string(id) + " is beyond the index's range");
  if (b.status.ok()) b.status = store.get(id, &record);
  if (b.status.ok()) b.status = store.pages(id, &texts);
  if (!b.status.ok()) return b;
  try {
    b.doc = record_document(record, texts, &b.spelling);
  } catch (const Xapian::Error& e) {
    b.status = Status::IoError(e.get_description());
  }
  for (const std::string& t : texts) b.text_bytes += t.size();
  return b;
}

// Builds the record documents of `ids` on every core, a few records ahead of the
// one writer (Xapian writes from one thread), which takes them in order:
// parsing and tokenising the text is most of indexing's work.
class Builders {
 public:
  Builders(const store::Store& store, const std::vector<store::RecordId>& ids)
      : store_(store), ids_(ids), built_(ids.size()) {
    unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    window_ = 2 * n;  // records built ahead: bounded, as each holds its text's terms
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Builders() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  Builders(const Builders&) = delete;
  Builders& operator=(const Builders&) = delete;

  // The document of ids[i], once built; i in order from 0.
  Built take(std::size_t i) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return built_[i].ready; });
    Built b = std::move(built_[i]);
    taken_ = i + 1;
    lock.unlock();
    cv_.notify_all();
    return b;
  }

 private:
  void work() {
    for (;;) {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || next_ >= ids_.size() || next_ < taken_ + window_; });
      if (stop_ || next_ >= ids_.size()) return;
      std::size_t i = next_++;
      lock.unlock();
      Built b = build_record(store_, ids_[i]);
      b.ready = true;
      lock.lock();
      built_[i] = std::move(b);
      lock.unlock();
      cv_.notify_all();
    }
  }

  const store::Store& store_;
  const std::vector<store::RecordId>& ids_;
  std::vector<Built> built_;
  std::size_t next_ = 0, taken_ = 0, window_ = 2;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
};

// The record's document replaces whatever the index had for it.
void write_record(Xapian::WritableDatabase& records, store::RecordId id, const Built& built) {
  for (const auto& [word, count] : built.spelling) records.add_spelling(word, count);
  records.replace_document(static_cast<Xapian::docid>(id), built.doc);
}

void commit(Xapian::WritableDatabase& records, store::Sequence applied,
            const std::set<store::RecordId>& changed) {
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
  store::Sequence applied = read_applied(records);
  const std::uint64_t behind = store.last_sequence() - std::min(applied, store.last_sequence());
  std::uint64_t done = 0;
  std::vector<store::Change> changes;
  for (;;) {
    if (Status s = store.changes_since(applied, kChangesPerCommit, &changes); !s.ok()) return s;
    if (changes.empty()) break;
    std::set<store::RecordId> indexed;
    std::vector<store::RecordId> ids;  // each once, in the order of their first change
    for (const store::Change& c : changes)
      if (indexed.insert(c.id).second) ids.push_back(c.id);
    indexed.clear();
    Builders builders(store, ids);
    std::size_t next = 0, pending_bytes = 0;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      store::RecordId id = changes[i].id;
      if (indexed.insert(id).second) {
        Built built = builders.take(next++);
        if (!built.status.ok())
          return built.status.with_context("indexing record " + std::to_string(id));
        write_record(records, id, built);
        pending_bytes += built.text_bytes;
      }
      if (pending_bytes < kTextBytesPerCommit && i + 1 < changes.size()) continue;
      commit(records, changes[i].seq, indexed);
      store.release_read_pages();  // the text indexed so far is not read again
      done += changes[i].seq - applied;
      applied = changes[i].seq;
      pending_bytes = 0;
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
    Xapian::Database(records_path(from)).compact(records_path(compact));
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

// A batch big enough that commits stay few (each rewrites the blocks it
// touches), small enough that the index keeps close behind. bench/import
// --folder at scale 1: 64 changes a batch took 119 CPU-s, 256 took 115, both
// 64-65 s; indexing after the import instead, 122 CPU-s and 71 s.
constexpr store::Sequence kFollowChanges = 256;
constexpr auto kFollowPoll = std::chrono::milliseconds(100);

Follower::Follower(Index& index, const store::Store& store)
    : index_(index),
      store_(store),
      indexed_(store.last_sequence()),
      thread_([this] { follow(); }) {}

Follower::~Follower() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Follower::follow() {
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, kFollowPoll, [&] { return stop_; })) {
    store::Sequence last = store_.last_sequence();
    if (last < indexed_ + kFollowChanges) continue;
    lock.unlock();
    bool ok = index_.catch_up().ok();
    lock.lock();
    if (!ok) return;  // the import's own catch_up reports it
    indexed_ = last;
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
