#include "core/library.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/approval.h"
#include "core/fields.h"
#include "harvest/harvest.h"
#include "importers/importer.h"
#include "importers/worker.h"

namespace fs = std::filesystem;

namespace kho {

namespace {

// Metadata an importer may report that belongs in the record's Dublin Core.
const char* const kDublinCore[] = {"title",     "creator",     "subject", "description",
                                   "publisher", "contributor", "date",    "type",
                                   "format",    "identifier",  "source",  "language",
                                   "relation",  "coverage",    "rights",  "keywords"};

// kho's own fields (store.h) an importer may report.
const char* const kFields[] = {
    "number",  "doc_type",       "issuer",      "place",         "issued",  "recipients",
    "signer",  "signer_role",    "school_name", "subject_group", "teacher", "grade",
    "periods", "isbn",           "provenance",  "collection",    "marcxml", "modified",
    "cover",   "classification", "accession"};

template <std::size_t N>
bool is_one_of(const std::string& name, const char* const (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// What the file says, then what was typed; each field remembers its source.
void describe(const importers::Document& doc, const ImportOptions& options, store::NewRecord* in) {
  for (const auto& [name, value] : doc.meta) {
    if (value.empty()) continue;
    if (is_one_of(name, kDublinCore))
      in->dc[name] = value;
    else if (is_one_of(name, kFields))
      in->fields[name] = value;
    else
      continue;
    in->sources[name] = store::kSourceExtracted;
  }
  for (const auto& [name, value] : options.sidecar) {
    if (!is_one_of(name, kDublinCore) && !is_one_of(name, kFields)) continue;
    (is_one_of(name, kDublinCore) ? in->dc : in->fields)[name] = value;
    in->sources[name] = store::kSourceSidecar;
  }
  if (!options.provenance.empty()) {
    in->fields["provenance"] = options.provenance;
    in->sources["provenance"] = store::kSourceExtracted;
  }
  if (in->dc.find("title") == in->dc.end())
    in->dc["title"] = fs::path(in->filename).stem().string();
  in->dc["format"] = doc.media_type;
  for (const auto* typed : {&options.dc, &options.fields})
    for (const auto& [name, value] : *typed) {
      if (value.empty()) continue;
      (typed == &options.dc ? in->dc : in->fields)[name] = value;
      in->sources[name] = store::kSourceTyped;
    }
  auto recognised = doc.meta.find("kind");
  auto sidecar_kind = options.sidecar.find("kind");
  if (sidecar_kind != options.sidecar.end())
    in->kind = sidecar_kind->second;
  else if (!options.kind.empty())
    in->kind = options.kind;
  else if (recognised != doc.meta.end() && store::valid_kind(recognised->second))
    in->kind = recognised->second;
  else
    in->kind = "other";
  in->ocr_confidence = doc.ocr_confidence;
}

// Graduation records are personal data: never public, whoever asks.
Status check_privacy(const std::string& kind, const std::string& visibility) {
  if (kind == "diploma" && visibility == "public")
    return Status::Invalid("visibility: a diploma holds personal data and cannot be public");
  return Status::Ok();
}

Status apply_edit(const Edit& edit, store::Record* r) {
  for (const auto& [name, value] : edit.set) {
    if (name == "kind")
      r->kind = value;
    else if (name == "visibility")
      r->visibility = value;
    else if (name == "school")
      r->school = value;
    else if (is_one_of(name, kDublinCore) || is_one_of(name, kFields)) {
      auto& map = is_one_of(name, kDublinCore) ? r->dc : r->fields;
      if (value.empty())
        map.erase(name);
      else
        map[name] = value;
    } else {
      return Status::Invalid("'" + name + "' is not a field kho knows");
    }
    r->sources[name] = store::kSourceTyped;
  }
  return check_privacy(r->kind, r->visibility);
}

// A catalogue entry as a record of its own: no file, every field from the catalogue.
store::NewRecord entry_record(const importers::Document& entry, const std::string& provenance,
                              const ImportOptions& options) {
  store::NewRecord in;
  for (const auto& [name, value] : entry.meta) {
    if (is_one_of(name, kDublinCore))
      in.dc[name] = value;
    else if (is_one_of(name, kFields))
      in.fields[name] = value;
    else
      continue;
    in.sources[name] = store::kSourceCatalogue;
  }
  in.fields["provenance"] = provenance;
  in.sources["provenance"] = store::kSourceCatalogue;
  auto kind = entry.meta.find("kind");
  in.kind = kind != entry.meta.end() && store::valid_kind(kind->second) ? kind->second : "book";
  in.school = options.school;
  in.visibility = options.visibility;
  in.actor = options.access.actor();
  return in;
}

// The catalogue's fields over what a file said; what staff typed stays.
// Copies of one book each add their accession number.
void merge_catalogue(const store::NewRecord& entry, store::Record* r) {
  auto typed = [&](const std::string& name) {
    auto it = r->sources.find(name);
    return it != r->sources.end() && it->second == store::kSourceTyped;
  };
  for (const auto* from : {&entry.dc, &entry.fields})
    for (const auto& [name, value] : *from) {
      if (typed(name) || (name == "provenance" && !r->originals.empty())) continue;
      auto& to = from == &entry.dc ? r->dc : r->fields;
      std::string& old = to[name];
      bool catalogued = r->sources[name] == store::kSourceCatalogue;
      if (name == "accession" && catalogued && !old.empty() && old.find(value) == std::string::npos)
        old += "; " + value;
      else
        old = value;
      r->sources[name] = store::kSourceCatalogue;
    }
  if (!typed("kind")) r->kind = entry.kind;
}

std::string isbn_of(const store::NewRecord& in) {
  auto it = in.fields.find("isbn");
  return it == in.fields.end() ? "" : it->second;
}

// Records with this ISBN that a catalogue or a file may join: active, of the
// same school (each school catalogues its own copies), not harvested from
// another library, and changeable by whoever imports.
std::vector<store::Record> isbn_matches(const store::Store& store, const store::NewRecord& in,
                                        const Access& access) {
  const std::string isbn = isbn_of(in);
  std::vector<store::Record> out;
  std::vector<store::RecordId> ids;
  if (isbn.empty() || !store.find_by_isbn(isbn, &ids).ok()) return out;
  for (store::RecordId id : ids) {
    store::Record r;
    if (!store.get(id, &r).ok() || r.status != "active" || r.school != in.school ||
        r.fields.count("origin"))
      continue;
    if (access.may_read(r) && access.may_change(r.school, r.kind)) out.push_back(std::move(r));
  }
  return out;
}

// Each entry of a catalogue file: merged into the record with its ISBN, or a
// record of its own. Stored before the file's own record, so that a failure
// here leaves the file importable again.
Status import_entries(store::Store& store, const std::vector<importers::Document>& entries,
                      const std::string& filename, const ImportOptions& options) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    store::NewRecord in = entry_record(entries[i], filename + "#" + std::to_string(i + 1), options);
    if (!options.access.may_change(in.school, in.kind))
      return Status::Denied("you may not add " + in.kind + " records to school '" + in.school +
                            "'");
    store::Record r;
    auto matches = isbn_matches(store, in, options.access);
    Status s;
    if (!matches.empty()) {
      s = store.update(
          matches.front().id,
          [&](store::Record* rec) {
            merge_catalogue(in, rec);
            return Status::Ok();
          },
          in.actor, &r);
    } else {
      bool duplicate = false;
      s = store.add(in, &r, &duplicate);
    }
    if (!s.ok()) return s.with_context("entry " + std::to_string(i + 1));
    if (options.catalogue_entries) options.catalogue_entries->push_back(r.id);
  }
  return Status::Ok();
}

// A catalogue record waiting for this book's file, if any.
store::RecordId waiting_entry(const store::Store& store, const store::NewRecord& in,
                              const Access& access) {
  for (const store::Record& r : isbn_matches(store, in, access))
    if (r.originals.empty()) return r.id;
  return 0;
}

}  // namespace

bool known_field(const std::string& name) {
  return is_one_of(name, kDublinCore) || is_one_of(name, kFields);
}

std::string self_exe() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

Library::OpenLock::~OpenLock() {
  if (fd >= 0) ::close(fd);  // releases the lock
}

namespace {

// Temporary files live in DATA/tmp (uploads) and DATA/originals/.tmp (files
// being stored, archives being unpacked, harvested files being fetched) only
// while the process that made them runs. Every process that opens the library
// holds a shared lock on DATA/kho.lock for as long as it has it open (its
// workers run only while it does), so one that gets the lock exclusively is
// alone: nothing there is being written, whatever is left came from a crash.
// A process that is not alone removes nothing and leaves it for later.
void lock_and_clean(const std::string& data_dir, indexer::Index& index, int* lock_fd) {
  std::string lock_path = (fs::path(data_dir) / "kho.lock").string();
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return;  // a read-only library: nothing to clean, nobody to make room for
  *lock_fd = fd;
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    std::vector<std::string> removed;
    std::error_code ec;
    const fs::path uploads = fs::path(data_dir) / "tmp" / "uploads";
    for (const char* dir : {"tmp", "originals/.tmp"})
      for (const auto& entry : fs::directory_iterator(fs::path(data_dir) / dir, ec))
        if (entry.path() != uploads && fs::remove_all(entry.path(), ec) > 0)
          removed.push_back(entry.path().string());
    // A resumable upload is meant to outlive a restart: its parts go only
    // once nobody has added to them for a week.
    const auto week_ago = fs::file_time_type::clock::now() - std::chrono::hours(24 * 7);
    for (const auto& entry : fs::directory_iterator(uploads, ec))
      if (entry.last_write_time(ec) < week_ago && !ec && fs::remove_all(entry.path(), ec) > 0)
        removed.push_back(entry.path().string());
    index.remove_leftovers(&removed);
    if (!removed.empty())
      std::fprintf(stderr, "kho: removed %zu leftover(s) of an interrupted run, e.g. %s\n",
                   removed.size(), removed.front().c_str());
  }
  ::flock(fd, LOCK_SH);  // from exclusive, or waiting for one who is cleaning
}

}  // namespace

Status Library::open(const std::string& data_dir, bool create, std::unique_ptr<Library>* out) {
  auto library = std::make_unique<Library>();
  library->assistants_ =
      std::vector<Helper>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  if (Status s = store::Store::open(data_dir, create, &library->store_); !s.ok()) return s;
  library->index_ = std::make_unique<indexer::Index>(*library->store_);
  library->accounts_ = std::make_unique<Accounts>(*library->store_);
  lock_and_clean(data_dir, *library->index_, &library->open_lock_.fd);
  *out = std::move(library);
  return Status::Ok();
}

namespace {

// Read access decides whether the record exists for the caller at all.
Status may_change_record(const Access& access, const store::Record& r) {
  if (!access.may_read(r)) return Status::NotFound("no record " + std::to_string(r.id));
  if (!access.may_change(r.school, r.kind))
    return Status::Denied("you may not change record " + std::to_string(r.id));
  return Status::Ok();
}

// The approval settings of the school a record will belong to after the
// edit, read before the edit's write transaction (one per thread in LMDB).
Status approval_settings_for(const store::Store& store, store::RecordId id, const Edit& edit,
                             approval::Settings* out) {
  *out = approval::Settings{};
  std::string school;
  if (auto it = edit.set.find("school"); it != edit.set.end()) {
    school = it->second;
  } else {
    store::Record r;
    if (Status s = store.get(id, &r); !s.ok()) return s.is_not_found() ? Status::Ok() : s;
    school = r.school;
  }
  return approval::settings(store, school, out);
}

}  // namespace

namespace {

// A school code typed in another case ("thcs-02") is the registered
// school's ("THCS-02"): the access check and every count compare codes
// exactly. A code no school has is kept as typed.
std::string registered_code(const store::Store& store, const std::string& code) {
  std::vector<store::Organisation> orgs;
  if (code.empty() || !store.organisations(&orgs).ok()) return code;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& org : orgs)
    if (org.code == code) return code;
  for (const auto& org : orgs)
    if (lower(org.code) == lower(code)) return org.code;
  return code;
}

}  // namespace

Status Library::edit(store::RecordId id, const Edit& edit, store::Record* out,
                     std::string* bad_field) {
  // Every value is checked before anything is written: all or nothing.
  Edit checked = edit;
  for (auto& [name, value] : checked.set)
    if (Status s = normalise_field(name, value, &value); !s.ok()) {
      if (bad_field != nullptr) *bad_field = name;
      return s;
    }
  if (auto school = checked.set.find("school"); school != checked.set.end())
    school->second = registered_code(*store_, school->second);
  std::string refused;
  approval::Settings sharing;
  if (Status s = approval_settings_for(*store_, id, checked, &sharing); !s.ok()) return s;
  if (Status s = store_->update(
          id,
          [&](store::Record* r) {
            if (Status s = may_change_record(checked.access, *r); !s.ok()) return s;
            const store::Record before = *r;
            if (Status s = apply_edit(checked, r); !s.ok()) {
              refused = checked.set.count("visibility") ? "visibility" : "kind";
              return s;
            }
            if (Status s = approval::check_sharing(sharing, checked.access, before, *r); !s.ok())
              return s;
            if (!checked.access.may_change(r->school, r->kind))
              return Status::Denied("you may not give record " + std::to_string(id) +
                                    " to that school or kind");
            return Status::Ok();
          },
          checked.access.actor(), out);
      !s.ok()) {
    if (bad_field != nullptr && s.code() == Status::Code::kInvalid) *bad_field = refused;
    return s;
  }
  if (Status s = index_->catch_up(); !s.ok())
    std::fprintf(stderr, "kho: warning: index not updated: %s\n", s.message().c_str());
  return Status::Ok();
}

Status Library::withdraw(store::RecordId id, const std::string& reason, const Access& access,
                         store::Record* out) {
  return set_status(id, true, reason, access, out);
}

Status Library::reinstate(store::RecordId id, const std::string& reason, const Access& access,
                          store::Record* out) {
  return set_status(id, false, reason, access, out);
}

Status Library::set_status(store::RecordId id, bool withdraw, const std::string& reason,
                           const Access& access, store::Record* out) {
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return Status::Invalid(withdraw ? "a withdrawal needs a reason"
                                    : "a reinstatement needs a reason");
  auto allowed = [&](const store::Record& r) { return may_change_record(access, r); };
  bool changed = false;
  Status s = withdraw ? store_->withdraw(id, reason, access.actor(), &changed, allowed)
                      : store_->reinstate(id, reason, access.actor(), &changed, allowed);
  if (!s.ok()) return s;
  if (changed)
    if (Status c = index_->catch_up(); !c.ok())
      std::fprintf(stderr, "kho: warning: index not updated: %s\n", c.message().c_str());
  return out != nullptr ? store_->get(id, out) : Status::Ok();
}

Status Library::add_version(store::RecordId id, const std::string& path,
                            const ImportOptions& options, store::Record* out) {
  store::Record r;
  if (Status s = store_->get(id, &r); !s.ok()) return s;
  if (Status s = may_change_record(options.access, r); !s.ok()) return s;
  importers::Document doc;
  if (Status s = extract_with(path, options, &doc); !s.ok()) return s;
  if (!doc.entries.empty())
    return Status::Invalid("a catalogue cannot be a record's file; import it on its own");
  store::NewRecord in;
  in.source_path = path;
  in.filename = options.filename.empty() ? fs::path(path).filename().string() : options.filename;
  in.media_type = doc.media_type;
  in.pages = std::move(doc.pages);
  in.ocr_confidence = std::move(doc.ocr_confidence);
  in.actor = options.access.actor();
  auto allowed = [&](const store::Record& now) { return may_change_record(options.access, now); };
  approval::Settings sharing;
  if (Status s = approval::settings(*store_, r.school, &sharing); !s.ok()) return s;
  auto revise = [&](store::Record* now) { approval::revise(sharing, now); };
  if (Status s = store_->add_version(id, in, out, allowed, revise); !s.ok()) return s;
  if (Status s = index_->catch_up(); !s.ok())
    std::fprintf(stderr, "kho: warning: index not updated: %s\n", s.message().c_str());
  return Status::Ok();
}

Status Library::fetch_harvested(store::RecordId id, const std::string& token,
                                const std::string& worker_exe, store::Record* out) {
  auto read = [&](const std::string& path, store::NewRecord* in) {
    ImportOptions options;
    options.worker_exe = worker_exe;
    importers::Document doc;
    if (Status s = extract_with(path, options, &doc); !s.ok()) return s;
    in->pages = std::move(doc.pages);
    in->ocr_confidence = std::move(doc.ocr_confidence);
    if (!doc.media_type.empty()) in->media_type = doc.media_type;
    return Status::Ok();
  };
  Status unread;
  if (Status s = harvest::fetch_original(*store_, id, token, read, out, &unread); !s.ok()) return s;
  if (!unread.ok())
    std::fprintf(stderr, "kho: record %llu's fetched file is kept but not searched: %s\n",
                 static_cast<unsigned long long>(id), unread.message().c_str());
  if (Status s = index_->catch_up(); !s.ok())
    std::fprintf(stderr, "kho: warning: index not updated: %s\n", s.message().c_str());
  return Status::Ok();
}

Status Library::extract(const std::string& path, const ImportOptions& options,
                        importers::Document* doc) {
  if (options.worker_exe.empty()) return importers::Registry::builtin().extract(path, doc);
  for (Helper& helper : assistants_) {
    std::unique_lock lock(helper.mutex, std::try_to_lock);
    if (!lock.owns_lock()) continue;
    if (!helper.assistant)
      helper.assistant =
          std::make_unique<importers::Assistant>(options.worker_exe, importers::WorkerLimits{});
    return helper.assistant->extract(path, doc);
  }
  return importers::extract_in_worker(options.worker_exe, path, importers::WorkerLimits{}, doc);
}

namespace {

// The importer a file's first bytes call for; null when none reads it.
const importers::Importer* importer_for(const std::string& path) {
  std::string head(4096, '\0'), why;
  std::ifstream in(path, std::ios::binary);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return importers::Registry::builtin().pick(importers::Sniff{head, path}, &why);
}

}  // namespace

std::future<Library::Read> Library::take_ahead(const std::string& path) {
  std::lock_guard lock(ahead_mutex_);
  auto it = ahead_.find(path);
  if (it == ahead_.end()) return {};
  std::future<Read> read = std::move(it->second);
  ahead_.erase(it);
  return read;
}

Status Library::extract_with(const std::string& path, const ImportOptions& options,
                             importers::Document* doc) {
  const importers::Importer* importer = importer_for(path);
  std::string name = importer != nullptr ? std::string(importer->name()) : "";
  {
    std::lock_guard lock(filters_mutex_);
    if (!name.empty() && filter_failures_[name] >= kBrokenAfter)
      return Status::Unsupported("skipped: the " + name + " filter broke on the last " +
                                 std::to_string(kBrokenAfter) +
                                 " files and is not used again in this run; check kho's "
                                 "installation, then import this file again");
  }
  Status s;
  if (std::future<Read> ahead = take_ahead(path); ahead.valid()) {
    Read read = ahead.get();
    s = read.status;
    *doc = std::move(read.doc);
  } else {
    s = extract(path, options, doc);
  }
  if (name.empty()) return s;
  std::lock_guard lock(filters_mutex_);
  int& failures = filter_failures_[name];
  failures = importers::worker_broke(s) ? failures + 1 : 0;
  if (failures == kBrokenAfter)
    std::fprintf(stderr, "kho: the %s filter broke on %d files in a row; not using it again\n",
                 name.c_str(), kBrokenAfter);
  return s;
}

void Library::read_ahead(const std::string& path, const ImportOptions& options) {
  {
    std::lock_guard lock(ahead_mutex_);
    if (ahead_.count(path) > 0) return;
  }
  if (importer_for(path) == nullptr) return;
  // Bytes the library holds already are not parsed again (import_file).
  std::string sha;
  std::vector<store::RecordId> holders;
  if (!store::sha256_file(path, &sha).ok() || !store_->holders_of_sha256(sha, &holders).ok() ||
      !holders.empty())
    return;
  std::lock_guard lock(ahead_mutex_);
  ahead_[path] = std::async(std::launch::async, [this, path, options] {
    Read read;
    read.status = extract(path, options, &read.doc);
    return read;
  });
}

Status Library::import_file(const std::string& path, const ImportOptions& given, store::Record* out,
                            bool* duplicate) {
  // Whatever was read ahead for this path is used here or not at all.
  struct Forget {
    Library& library;
    const std::string& path;
    ~Forget() { library.take_ahead(path); }  // waits for it outside the lock
  } forget{*this, path};
  ImportOptions options = given;
  options.school = registered_code(*store_, given.school);
  if (auto school = options.sidecar.find("school"); school != options.sidecar.end())
    school->second = registered_code(*store_, school->second);
  *duplicate = false;
  if (!options.kind.empty() && !store::valid_kind(options.kind))
    return Status::Invalid("unknown kind '" + options.kind + "'");
  if (!store::valid_visibility(options.visibility))
    return Status::Invalid("unknown visibility '" + options.visibility + "'");
  // Same bytes in a record the caller may read: answer with it, without
  // parsing the file again. Held only where the caller may not read, they
  // make a record of the caller's own, sharing the stored file: any other
  // answer would tell the caller that somebody holds this document.
  std::string sha;
  if (Status s = store::sha256_file(path, &sha); !s.ok()) return s;
  std::vector<store::RecordId> holders;
  if (Status s = store_->holders_of_sha256(sha, &holders); !s.ok()) return s;
  for (store::RecordId id : holders) {
    store::Record holder;
    if (store_->get(id, &holder).ok() && options.access.may_read(holder)) {
      *duplicate = true;
      *out = std::move(holder);
      return Status::Ok();
    }
  }

  // Refuse early whom no kind of record would let in (kind "other" is open to every staff role).
  if (!options.access.may_change(options.school, options.kind.empty() ? "other" : options.kind))
    return Status::Denied("you may not add records to school '" + options.school + "'");
  importers::Document doc;
  if (Status s = extract_with(path, options, &doc); !s.ok()) return s;
  store::NewRecord in;
  in.filename = options.filename.empty() ? fs::path(path).filename().string() : options.filename;
  in.school = options.sidecar.count("school") ? options.sidecar.at("school") : options.school;
  in.visibility =
      options.sidecar.count("visibility") ? options.sidecar.at("visibility") : options.visibility;
  if (!store::valid_visibility(in.visibility))
    return Status::Invalid("visibility: '" + in.visibility +
                           "' is not private, school, shared or public");
  in.actor = options.access.actor();
  describe(doc, options, &in);
  // A lesson plan starts as its author's draft (core/approval.h).
  approval::Settings sharing;
  if (Status s = approval::settings(*store_, in.school, &sharing); !s.ok()) return s;
  approval::prepare_import(sharing, options.access, &in);
  in.pages = std::move(doc.pages);
  in.source_path = path;
  in.repeats = [&](const store::Record& r) { return options.access.may_read(r); };
  if (Status s = check_privacy(in.kind, in.visibility); !s.ok()) return s;
  if (!options.access.may_change(in.school, in.kind))
    return Status::Denied("you may not add " + in.kind + " records to school '" + in.school + "'");
  in.media_type = doc.media_type;
  if (!doc.entries.empty()) {
    in.kind = "other";  // the catalogue file; its entries are the books
    // An archive's entry names the catalogue by its path inside the archive.
    auto given = options.fields.find("provenance");
    const std::string& name = given != options.fields.end() ? given->second : in.filename;
    if (Status s = import_entries(*store_, doc.entries, name, options); !s.ok()) return s;
  }
  // A catalogue entry takes a file whose bytes no other record holds.
  store::RecordId entry =
      doc.entries.empty() && holders.empty() ? waiting_entry(*store_, in, options.access) : 0;
  Status added = entry ? store_->add_file(entry, in, out) : store_->add(in, out, duplicate);
  if (!added.ok()) return added;
  // The record is durable now; an index that falls behind heals on the next
  // catch-up, so its failure does not undo the import.
  if (options.update_index && !*duplicate) {
    if (Status s = index_->catch_up(); !s.ok())
      std::fprintf(stderr, "kho: warning: index not updated: %s\n", s.message().c_str());
  }
  return Status::Ok();
}

}  // namespace kho
