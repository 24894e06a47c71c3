#include "core/verify.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

namespace kho {

using nlohmann::json;

namespace {

// Where the last complete check's report is kept (a store setting).
constexpr const char* kLastVerification = "verify:last";

std::string record_name(store::RecordId id) { return "record " + std::to_string(id); }

// What a failed check of an original means for the person reading the report.
std::string problem_kind(const Status& s) {
  if (s.is_not_found()) return "missing";
  if (s.code() == Status::Code::kCorrupt) return "damaged";
  return "unreadable";
}

// Re-reads each original once (records may share one), marking damage.
Status check_originals(store::Store& store, const std::vector<store::StoredOriginal>& originals,
                       const VerifyOptions& options, VerifyReport* report) {
  std::map<std::string, std::vector<const store::StoredOriginal*>> by_sha;
  for (const auto& o : originals) by_sha[o.original.sha256].push_back(&o);
  for (const auto& [sha, holders] : by_sha) report->bytes += holders.front()->original.size;
  report->originals = by_sha.size();
  std::map<std::string, std::string> marked;
  if (Status s = store.damaged(&marked); !s.ok()) return s;

  std::uint64_t done = 0;
  for (const auto& [sha, holders] : by_sha) {
    const store::Original& original = holders.front()->original;
    const std::string path = store.original_path(original);
    Status found = store.check_original(original, [&](std::uint64_t n) {
      done += n;
      return !options.progress || options.progress(done, report->bytes, original.filename);
    });
    if (found.code() == Status::Code::kBusy) return found;
    if (found.ok()) {
      if (marked.count(sha)) store.clear_damaged(sha);  // restored since: sound again
      continue;
    }
    store.mark_damaged(sha, found.message());
    for (const auto* h : holders) {
      store::Record r;
      r.id = h->record;
      report->problems.push_back({problem_kind(found), h->record, original.filename, path,
                                  damage_message(r, original, path, found)});
    }
  }
  return Status::Ok();
}

// The index is derived: one that is merely behind is caught up, as any
// command would; what still disagrees after that is a problem.
void check_index(Library& library, VerifyReport* report) {
  if (library.index().applied_sequence() < library.store().last_sequence())
    if (Status s = library.index().catch_up(); !s.ok())
      report->problems.push_back(
          {"index", 0, "", "",
           "the index cannot be brought up to date (" + s.message() + "): run `kho reindex`"});
  std::vector<indexer::Discrepancy> found;
  if (Status s = library.index().check(&found); !s.ok()) found.push_back({0, s.message()});
  for (const auto& d : found) report->problems.push_back({"index", d.id, "", "", d.what});
}

}  // namespace

std::string damage_message(const store::Record& record, const store::Original& original,
                           const std::string& path, const Status& found) {
  std::string state = found.is_not_found()                     ? "is missing"
                      : found.code() == Status::Code::kCorrupt ? "is damaged"
                                                               : "cannot be read";
  std::string why = found.is_not_found() ? "" : ": " + found.message();
  return record_name(record.id) + ": the original '" + original.filename + "' (" + path + ") " +
         state + why;
}

Status verify_library(Library& library, const VerifyOptions& options, VerifyReport* out) {
  VerifyReport report;
  report.started_at = store::now_rfc3339();
  auto start = std::chrono::steady_clock::now();
  store::Store& store = library.store();
  report.records = store.record_count();

  std::vector<store::Problem> problems;
  std::vector<store::StoredOriginal> originals;
  if (Status s = store.check(&problems, &originals); !s.ok()) {
    report.problems.push_back({"store", 0, "", "", "the store cannot be read: " + s.message()});
  }
  for (const auto& p : problems) report.problems.push_back({"store", p.record, "", p.file, p.what});
  if (Status s = check_originals(store, originals, options, &report); !s.ok()) return s;
  check_index(library, &report);

  report.finished_at = store::now_rfc3339();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Status s = store.put_setting(kLastVerification, to_json(report)); !s.ok()) return s;
  *out = std::move(report);
  return Status::Ok();
}

Status last_verification(const store::Store& store, VerifyReport* out) {
  std::string text;
  Status s = store.get_setting(kLastVerification, &text);
  if (s.is_not_found()) return Status::NotFound("this library has not been verified yet");
  if (!s.ok()) return s;
  return from_json(text, out);
}

Status check_before_serving(store::Store& store, const store::Record& record,
                            const store::Original& original) {
  Status found = store.check_original(original);
  if (found.ok()) {
    if (store.is_damaged(original.sha256)) store.clear_damaged(original.sha256);
    return found;
  }
  store.mark_damaged(original.sha256, found.message());
  std::string message = damage_message(record, original, store.original_path(original), found);
  if (found.is_not_found()) return Status::NotFound(message);
  return found.code() == Status::Code::kCorrupt ? Status::Corrupt(message)
                                                : Status::IoError(message);
}

std::string to_json(const VerifyReport& r) {
  json problems = json::array();
  for (const auto& p : r.problems) {
    json j = {{"kind", p.kind}, {"message", p.what}};
    if (p.record != 0) j["record"] = p.record;
    if (!p.filename.empty()) j["filename"] = p.filename;
    if (!p.file.empty()) j["file"] = p.file;
    problems.push_back(std::move(j));
  }
  return json{{"sound", r.sound()},   {"started_at", r.started_at}, {"finished_at", r.finished_at},
              {"seconds", r.seconds}, {"records", r.records},       {"originals", r.originals},
              {"bytes", r.bytes},     {"problems", problems}}
      .dump();
}

Status from_json(const std::string& text, VerifyReport* out) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corrupt("the last report cannot be read");
  VerifyReport r;
  r.started_at = j.value("started_at", "");
  r.finished_at = j.value("finished_at", "");
  r.seconds = j.value("seconds", 0.0);
  r.records = j.value("records", std::uint64_t{0});
  r.originals = j.value("originals", std::uint64_t{0});
  r.bytes = j.value("bytes", std::uint64_t{0});
  for (const auto& p : j.value("problems", json::array()))
    r.problems.push_back({p.value("kind", ""), p.value("record", store::RecordId{0}),
                          p.value("filename", ""), p.value("file", ""), p.value("message", "")});
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace kho
