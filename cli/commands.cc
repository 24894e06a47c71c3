#include "cli/commands.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "api/server.h"
#include "cli/progress.h"
#include "cli/watch.h"
#include "core/library.h"
#include "core/verify.h"
#include "harvest/harvest.h"
#include "importers/archive.h"
#include "importers/worker.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace kho::cli {

namespace {

void print_error(const std::string& message) { std::fprintf(stderr, "kho: %s\n", message.c_str()); }

int fail(const Status& s) {
  print_error(s.message());
  return s.is_not_found() ? kNotFound : kFailed;
}

std::unique_ptr<Library> open_library(const std::string& data_dir, bool create, int* exit_code) {
  std::unique_ptr<Library> library;
  Status s = Library::open(data_dir, create, &library);
  if (!s.ok()) *exit_code = fail(s);
  return library;
}

bool parse_id(const std::string& text, store::RecordId* id) {
  if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), ::isdigit))
    return false;
  *id = std::stoull(text);
  return *id > 0;
}

// Opens the library and reads the record `id_text` names: kOk, or the exit
// status that says why not (a usage error, not found, a failure).
int open_record(const std::string& data_dir, const std::string& id_text,
                std::unique_ptr<Library>* library, store::Record* r) {
  store::RecordId id = 0;
  if (!parse_id(id_text, &id)) return print_error("'" + id_text + "' is not a record ID"), kUsage;
  int code = kOk;
  *library = open_library(data_dir, false, &code);
  if (!*library) return code;
  if (Status s = (*library)->store().get(id, r); !s.ok()) return fail(s);
  return kOk;
}

// Why something that is not a regular file or a folder is not imported;
// `named`: given on the command line rather than found in a folder.
std::string not_a_file(const fs::file_status& st, bool named) {
  switch (st.type()) {
    case fs::file_type::symlink:
      return named ? "a symbolic link: not followed (name the file or folder it points to)"
                   : "a symbolic link: not followed (kho imports only what is inside the folder)";
    case fs::file_type::fifo:
      return "a named pipe (FIFO), not a file";
    case fs::file_type::socket:
      return "a socket, not a file";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device, not a file";
    default:
      return "not a regular file";
  }
}

struct Collected {
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> skipped;  // inside a folder: path, why
  std::vector<std::pair<std::string, std::string>> failed;   // named, or unreadable folders
};

// A folder walked recursively in a stable order, the library's own data
// folder left out (`kho import .` run beside it). Links are not followed:
// a link inside the folder may lead anywhere on the machine.
void walk(const std::string& folder, const std::string& data_dir, Collected* out) {
  std::vector<std::string> found;
  std::vector<std::pair<std::string, std::string>> skipped;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code same;
    fs::file_status st = it->symlink_status(same);
    if (fs::is_directory(st)) {
      if (fs::equivalent(it->path(), data_dir, same)) it.disable_recursion_pending();
    } else if (fs::is_regular_file(st)) {
      found.push_back(it->path().string());
    } else {
      skipped.emplace_back(it->path().string(), not_a_file(st, false));
    }
  }
  if (ec) out->failed.emplace_back(folder, "cannot read folder: " + ec.message());
  std::sort(found.begin(), found.end());
  std::sort(skipped.begin(), skipped.end());
  out->files.insert(out->files.end(), found.begin(), found.end());
  out->skipped.insert(out->skipped.end(), skipped.begin(), skipped.end());
}

// Files named on the command line, and the files in folders named. A link
// named is refused like one inside a folder: name what it points to.
Collected collect_files(const std::vector<std::string>& paths, const std::string& data_dir) {
  Collected out;
  for (const auto& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(p, ec);
    if (fs::is_directory(st))
      walk(p, data_dir, &out);
    else if (fs::is_regular_file(st))
      out.files.push_back(p);
    else
      out.failed.emplace_back(p, fs::exists(st) ? not_a_file(st, true) : "no such file or folder");
  }
  return out;
}

// Whether the bytes from `i` start a well-formed UTF-8 character; its length.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xC2 && c <= 0xDF   ? 2
                  : c >= 0xE0 && c <= 0xEF ? 3
                  : c >= 0xF0 && c <= 0xF4 ? 4
                                           : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  if ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) > 0x9F) ||
      (c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) > 0x8F))
    return 0;
  return n;
}

// A name as the import report shows it: UTF-8 as it is, and each byte that is
// not part of UTF-8 (a name from an old system) as \xHH. A file system holds
// any bytes but JSON and terminals want UTF-8.
std::string printable(const std::string& raw) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    std::size_t n = utf8_length(raw, i);
    if (n > 0) {
      out.append(raw, i, n);
      i += n;
    } else {
      unsigned char c = static_cast<unsigned char>(raw[i++]);
      out += std::string("\\x") + digits[c >> 4] + digits[c & 15];
    }
  }
  return out;
}

// A path in the JSON report: "path" printable, and when it had to be escaped
// "path_hex", its exact bytes, for scripts that must find the file again.
json path_json(const std::string& raw) {
  json j = {{"path", printable(raw)}};
  if (j["path"].get<std::string>() != raw) {
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : raw) hex += {digits[c >> 4], digits[c & 15]};
    j["path_hex"] = hex;
  }
  return j;
}

// "NAME=HOST:PORT" for each remote index; false (and a message) when one is malformed.
bool use_remotes(const std::vector<std::string>& specs, indexer::Index& index) {
  std::vector<indexer::Remote> remotes;
  for (const auto& spec : specs) {
    auto eq = spec.find('='), colon = spec.rfind(':');
    std::string port = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon < eq + 2 ||
        port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
        std::stoi(port) > 65535) {
      print_error("--remote " + spec + ": write NAME=HOST:PORT, e.g. thcs-mt=10.0.0.5:33333");
      return false;
    }
    remotes.push_back({spec.substr(0, eq), spec.substr(eq + 1, colon - eq - 1),
                       static_cast<unsigned>(std::stoi(port))});
  }
  index.set_remotes(std::move(remotes));
  return true;
}

struct ImportSummary {
  json imported = json::array(), duplicates = json::array(), failed = json::array(),
       skipped = json::array();
};

// One file's line in the report; error messages may quote a name too.
json report_line(const std::string& path, const char* key, const std::string& text) {
  json line = path_json(path);
  line[key] = printable(text);
  return line;
}

void print_summary(const ImportSummary& sum, bool as_json) {
  if (as_json) {
    json out = {{"imported", sum.imported},
                {"duplicates", sum.duplicates},
                {"failed", sum.failed},
                {"skipped", sum.skipped}};
    // Every string is UTF-8 already; replacing is only a last guard.
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return;
  }
  std::printf("%zu imported, %zu duplicate, %zu failed", sum.imported.size(), sum.duplicates.size(),
              sum.failed.size());
  if (!sum.skipped.empty()) std::printf(", %zu skipped", sum.skipped.size());
  std::printf("\n");
  for (const auto& f : sum.imported)
    if (f.contains("catalogue_entries"))
      std::printf("  %s: %zu catalogue records\n", f["path"].get<std::string>().c_str(),
                  f["catalogue_entries"].size());
  for (const auto& f : sum.failed)
    std::printf("  failed: %s: %s\n", f["path"].get<std::string>().c_str(),
                f["error"].get<std::string>().c_str());
  for (const auto& f : sum.skipped)
    std::printf("  skipped: %s: %s\n", f["path"].get<std::string>().c_str(),
                f["reason"].get<std::string>().c_str());
}

}  // namespace

int init(const std::string& data_dir) {
  int code = kOk;
  auto library = open_library(data_dir, true, &code);
  if (!library) return code;
  std::printf("kho library ready in %s\n", data_dir.c_str());
  return kOk;
}

int import(const std::string& data_dir, const ImportArgs& args) {
  int code = kOk;
  auto library = open_library(data_dir, true, &code);
  if (!library) return code;
  Collected collected = collect_files(args.paths, data_dir);
  const std::vector<std::string>& files = collected.files;
  ImportSummary sum;
  for (const auto& [path, why] : collected.failed)
    sum.failed.push_back(report_line(path, "error", why));
  for (const auto& [path, why] : collected.skipped)
    sum.skipped.push_back(report_line(path, "reason", why));

  ImportOptions options;
  options.kind = args.kind;
  options.school = args.school;
  options.visibility = args.visibility;
  options.worker_exe = self_exe();
  options.update_index = false;  // once for the batch, below
  ProgressBar bar("Importing", files.size());
  std::vector<store::RecordId> entries;  // a catalogue's records, for the item just imported
  options.catalogue_entries = &entries;
  auto report = [&](const ImportItem& item) {
    if (!item.status.ok()) {
      sum.failed.push_back(report_line(item.name, "error", item.status.message()));
    } else {
      json line = path_json(item.name);
      line["id"] = item.record.id;
      if (!entries.empty()) line["catalogue_entries"] = entries;  // the records it made or joined
      (item.duplicate ? sum.duplicates : sum.imported).push_back(std::move(line));
    }
    entries.clear();
  };
  // Each file is stored in turn; it and the next ones are read meanwhile, in
  // the library's lasting workers (a one-shot worker's start costs as much as
  // a short file). What is stored is indexed meanwhile, in batches
  // (indexer::Follower).
  const std::size_t ahead = library->parsing_workers();
  std::size_t next_ahead = 0;  // each file is offered once
  {
    indexer::Follower follower(library->index(), library->store());
    for (std::size_t i = 0; i < files.size(); ++i) {
      for (; next_ahead < std::min(files.size(), i + ahead); ++next_ahead)
        library->read_ahead(files[next_ahead], options);
      bar.update(i, files[i]);
      if (Status s = library->import_path(files[i], options, report); !s.ok())
        sum.failed.push_back(report_line(files[i], "error", s.message()));
    }
  }
  bar.finish();
  ProgressBar indexing("Indexing", 0);
  Status s = library->index().catch_up([&](std::uint64_t done, std::uint64_t total) {
    indexing.set_total(total);
    indexing.update(done);
  });
  indexing.finish();
  print_summary(sum, args.json);
  if (!s.ok()) return fail(s);
  return sum.failed.empty() ? kOk : kFailed;
}

namespace {

// The snippet with the query's words in bold, when a person reads it.
std::string highlighted(const indexer::Hit& hit) {
  if (!isatty(STDOUT_FILENO)) return hit.snippet;
  std::string out;
  std::size_t at = 0;
  for (auto [offset, length] : hit.highlights) {
    if (offset < at || offset + length > hit.snippet.size()) continue;
    out += hit.snippet.substr(at, offset - at) + "\033[1m" + hit.snippet.substr(offset, length) +
           "\033[0m";
    at = offset + length;
  }
  return out + hit.snippet.substr(at);
}

void print_facets(const indexer::Results& results) {
  for (const auto& [name, values] : results.facets) {
    std::printf("\n%s:", name.c_str());
    for (const auto& v : values)
      std::printf("  %s (%llu)", v.value.c_str(), static_cast<unsigned long long>(v.count));
    std::printf("\n");
  }
}

int search_request(const SearchArgs& args, indexer::SearchRequest* request) {
  request->query = args.query;
  request->limit = args.per_page;
  request->offset = (args.page - 1) * args.per_page;
  request->include_withdrawn = args.include_withdrawn;
  request->facets = args.facets;
  indexer::parse_sort(args.sort, &request->sort);
  for (const std::string& f : args.filters) {
    std::size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
      return print_error("--filter " + f + ": write it FACET=VALUE, e.g. kind=book"), kUsage;
    request->filters.emplace_back(f.substr(0, eq), f.substr(eq + 1));
  }
  return kOk;
}

int search_in_record(Library& library, const SearchArgs& args) {
  store::RecordId id = 0;
  if (!parse_id(args.in_record, &id))
    return print_error("'" + args.in_record + "' is not a record ID"), kUsage;
  store::Record record;
  if (Status s = library.store().get(id, &record); !s.ok()) return fail(s);
  std::vector<indexer::Hit> pages;
  if (Status s = library.index().search_record(id, args.query, &pages); !s.ok()) return fail(s);
  if (args.json) {
    std::cout << api::render_pages(id, pages) << "\n";
    return kOk;
  }
  std::printf("%zu matching page(s) in [%llu] %s\n", pages.size(),
              static_cast<unsigned long long>(id), record.dc["title"].c_str());
  for (const auto& p : pages) std::printf("\n  page %u: %s\n", p.page, highlighted(p).c_str());
  return kOk;
}

}  // namespace

int search(const std::string& data_dir, const SearchArgs& args) {
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  if (!use_remotes(args.remotes, library->index())) return kUsage;
  // Self-healing: an index left behind (a crash, an import elsewhere) catches up first.
  if (library->index().applied_sequence() < library->store().last_sequence())
    if (Status s = library->index().catch_up(); !s.ok()) return fail(s);
  if (!args.in_record.empty()) return search_in_record(*library, args);
  indexer::SearchRequest request;
  if (int usage = search_request(args, &request); usage != kOk) return usage;
  indexer::Results results;
  if (Status s = library->index().search(request, &results); !s.ok()) return fail(s);
  if (args.json) {
    std::cout << api::render_results(results) << "\n";
    return kOk;
  }
  std::printf("%s%llu result(s)\n", results.total_exact ? "" : "about ",
              static_cast<unsigned long long>(results.total));
  if (!results.suggestion.empty()) std::printf("Did you mean: %s\n", results.suggestion.c_str());
  for (const auto& name : results.unavailable)
    std::fprintf(stderr, "kho: warning: %s did not answer; its records are missing\n",
                 name.c_str());
  for (const auto& hit : results.hits) {
    std::string where = hit.library.empty() ? "" : hit.library + ":";
    std::printf("\n[%s%llu] %s  (%s, %s, page %u)\n", where.c_str(),
                static_cast<unsigned long long>(hit.id), hit.title.c_str(), hit.kind.c_str(),
                hit.filename.c_str(), hit.page);
    if (!hit.snippet.empty()) std::printf("    %s\n", highlighted(hit).c_str());
  }
  print_facets(results);
  return kOk;
}

int show(const std::string& data_dir, const std::string& id_text, bool as_json) {
  std::unique_ptr<Library> library;
  store::Record r;
  if (int code = open_record(data_dir, id_text, &library, &r); code != kOk) return code;
  if (as_json) {
    std::cout << json::parse(store::to_json(r)).dump(2) << "\n";
    return kOk;
  }
  std::printf("ID:          %llu\nKind:        %s\nStatus:      %s\n",
              static_cast<unsigned long long>(r.id), r.kind.c_str(), r.status.c_str());
  if (r.status == "withdrawn") std::printf("Reason:      %s\n", r.withdrawn_reason.c_str());
  std::printf("Visibility:  %s\nSchool:      %s\nPages:       %u\n", r.visibility.c_str(),
              r.school.c_str(), r.page_count);
  auto source = [&](const std::string& name) {
    auto it = r.sources.find(name);
    return it == r.sources.end() ? std::string() : "  (" + it->second + ")";
  };
  for (const auto* fields : {&r.dc, &r.fields})
    for (const auto& [name, value] : *fields) {
      if (name == "marcxml") continue;  // a whole catalogue record: --json has it
      std::printf("%-12s %s%s\n", (name + ":").c_str(), value.c_str(), source(name).c_str());
    }
  for (std::size_t i = 0; i < r.originals.size(); ++i) {
    const store::Original& o = r.originals[i];
    std::printf("%s %s (%s, %llu bytes, sha256 %s)", i == 0 ? "Original:   " : "           ",
                o.filename.c_str(), o.media_type.c_str(), static_cast<unsigned long long>(o.size),
                o.sha256.c_str());
    if (r.originals.size() > 1)
      std::printf(" version %zu%s%s", i + 1,
                  o.added_at.empty() ? "" : (", " + o.added_at + " by " + o.added_by).c_str(),
                  i + 1 == r.originals.size() ? ", current" : "");
    std::printf("\n");
  }
  std::printf("Created:     %s by %s\nUpdated:     %s by %s\n", r.created_at.c_str(),
              r.created_by.c_str(), r.updated_at.c_str(), r.updated_by.c_str());
  return kOk;
}

int get(const std::string& data_dir, const std::string& id_text, const std::string& output,
        std::size_t version) {
  std::unique_ptr<Library> library;
  store::Record r;
  if (int code = open_record(data_dir, id_text, &library, &r); code != kOk) return code;
  if (r.originals.empty())
    return print_error("record " + id_text + " has no original file"), kNotFound;
  if (version > r.originals.size())
    return print_error("record " + id_text + " has " + std::to_string(r.originals.size()) +
                       " version(s)"),
           kNotFound;
  const store::Original& original = version == 0 ? r.originals.back() : r.originals[version - 1];
  // A file whose bytes have changed is never given out as if it were sound.
  if (Status s = check_before_serving(library->store(), r, original); !s.ok())
    return print_error(s.message() + "; it is not given out (see `kho verify`)"), kFailed;
  std::ifstream in(library->store().original_path(original), std::ios::binary);
  if (!in) return print_error("cannot read the original of record " + id_text), kFailed;
  if (r.visibility != "public") {
    store::Actor actor = cli_actor();
    Status s = library->store().audit({0, "", actor.name, "", "read-file", r.id, ""});
    if (!s.ok()) return fail(s);
  }
  if (output.empty() || output == "-") {
    std::cout << in.rdbuf();
    return std::cout.good() ? kOk : kFailed;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  out.close();
  if (!out) return print_error("cannot write " + output), kFailed;
  return kOk;
}

// A new version of a record's file: read like any import, then the file the
// record serves and is searched by; earlier versions stay (`kho get --version`).
int add_version(const std::string& data_dir, const std::string& id_text, const std::string& path,
                bool as_json) {
  store::RecordId id = 0;
  if (!parse_id(id_text, &id)) return print_error("'" + id_text + "' is not a record ID"), kUsage;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return print_error(path + ": not a file"), kUsage;
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  ImportOptions options;
  options.access = Access::library_staff();
  options.worker_exe = self_exe();
  store::Record r;
  if (Status s = library->add_version(id, path, options, &r); !s.ok())
    return fail(s.with_context(path));
  if (as_json) {
    std::cout << json{{"id", r.id}, {"version", r.originals.size()}, {"pages", r.page_count}}.dump()
              << "\n";
  } else {
    std::printf("record %s: version %zu is %s (%u page(s))\n", id_text.c_str(), r.originals.size(),
                r.originals.back().filename.c_str(), r.page_count);
  }
  return kOk;
}

// Every change to a record, oldest first: each field's old and new value.
int history(const std::string& data_dir, const std::string& id_text, bool as_json) {
  std::unique_ptr<Library> library;
  store::Record r;
  if (int code = open_record(data_dir, id_text, &library, &r); code != kOk) return code;
  std::vector<store::Change> changes;
  if (Status s = library->store().history(r.id, &changes); !s.ok()) return fail(s);
  if (as_json) {
    std::cout << json::parse(api::render_history(changes)).dump(2) << "\n";
    return kOk;
  }
  for (const auto& c : changes) {
    std::printf("%s  %-9s %s%s%s\n", c.at.c_str(), c.op.c_str(), c.actor.c_str(),
                c.reason.empty() ? "" : ": ", c.reason.c_str());
    for (const auto& f : c.fields)
      std::printf("    %s: %s -> %s%s\n", f.field.c_str(),
                  f.old_value.empty() ? "(none)" : f.old_value.c_str(),
                  f.new_value.empty() ? "(none)" : f.new_value.c_str(),
                  f.source.empty() ? "" : ("  (" + f.source + ")").c_str());
  }
  return kOk;
}

int edit(const std::string& data_dir, const std::string& id_text,
         const std::vector<std::string>& assignments) {
  store::RecordId id = 0;
  if (!parse_id(id_text, &id)) return print_error("'" + id_text + "' is not a record ID"), kUsage;
  Edit change;
  for (const std::string& a : assignments) {
    std::size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      return print_error(a + ": write it FIELD=VALUE, e.g. title=..."), kUsage;
    change.set[a.substr(0, eq)] = a.substr(eq + 1);
  }
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  store::Record r;
  if (Status s = library->edit(id, change, &r); !s.ok()) return fail(s);
  std::printf("record %s updated\n", id_text.c_str());
  return kOk;
}

int withdraw(const std::string& data_dir, const std::string& id_text, const std::string& reason,
             bool withdraw) {
  store::RecordId id = 0;
  if (!parse_id(id_text, &id)) return print_error("'" + id_text + "' is not a record ID"), kUsage;
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  Access staff = Access::library_staff();
  Status s =
      withdraw ? library->withdraw(id, reason, staff) : library->reinstate(id, reason, staff);
  if (!s.ok()) return fail(s);
  std::printf("record %s %s\n", id_text.c_str(), withdraw ? "withdrawn" : "reinstated");
  return kOk;
}

namespace {

std::uintmax_t size_of(const fs::path& dir) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file(ec)) bytes += it->file_size(ec);
  return bytes;
}

}  // namespace

int compact(const std::string& data_dir) {
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  std::uintmax_t before = size_of(library->index().path());
  if (Status s = library->index().compact(); !s.ok()) return fail(s);
  std::printf("index compacted: %.1f MiB -> %.1f MiB\n", static_cast<double>(before) / (1 << 20),
              static_cast<double>(size_of(library->index().path())) / (1 << 20));
  return kOk;
}

int reindex(const std::string& data_dir) {
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  ProgressBar bar("Reindexing", 0);
  Status s = library->index().rebuild([&](std::uint64_t done, std::uint64_t total) {
    bar.set_total(total);
    bar.update(done);
  });
  bar.finish();
  if (!s.ok()) return fail(s);
  std::printf("index rebuilt: %llu records, change log at %llu\n",
              static_cast<unsigned long long>(library->store().record_count()),
              static_cast<unsigned long long>(library->index().applied_sequence()));
  return kOk;
}

int serve(const std::string& data_dir, const std::string& listen,
          const std::vector<std::string>& remotes, const std::vector<std::string>& trusted_proxies,
          double verify_every_hours, const WatchArgs* watch) {
  auto colon = listen.rfind(':');
  api::ServerOptions options;
  options.address = colon == std::string::npos ? listen : listen.substr(0, colon);
  std::string port = colon == std::string::npos ? "8080" : listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
      std::stoi(port) > 65535)
    return print_error("--listen wants HOST:PORT, e.g. 127.0.0.1:8080"), kUsage;
  options.port = static_cast<std::uint16_t>(std::stoi(port));
  options.worker_exe = self_exe();
  options.trusted_proxies = trusted_proxies;
  options.verify_every_hours = verify_every_hours;
  if (const char* token = std::getenv("KHO_HARVEST_TOKEN")) options.harvest_token = token;
  int code = kOk;
  auto library = open_library(data_dir, true, &code);
  if (!library) return code;
  // Originals whose record never committed (a crash in between) are removed
  // here rather than at every open: it walks the whole originals folder.
  std::vector<std::string> orphans;
  if (Status s = library->store().remove_orphan_originals(&orphans); !s.ok())
    std::fprintf(stderr, "kho: warning: %s\n", s.message().c_str());
  if (!orphans.empty())
    std::fprintf(stderr, "kho: removed %zu original(s) no record names (left by a crash)\n",
                 orphans.size());
  if (Status s = library->index().catch_up(); !s.ok()) return fail(s);
  if (!use_remotes(remotes, library->index())) return kUsage;

  // Block the stop signals before Pistache starts its threads, then wait for one.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  // Watch folders: checked before the server starts, which shows them to admins.
  std::unique_ptr<WatchThreads> watchers;
  if (watch != nullptr && !watch->dirs.empty()) {
    watchers = std::make_unique<WatchThreads>(*library, *watch);
    if (Status s = watchers->start(); !s.ok()) return fail(s);
    options.watchers = watchers->watchers();
  }
  api::Server server(*library, options);
  if (Status s = server.start(); !s.ok()) return fail(s);
  if (watchers) watchers->run();
  std::printf("kho serving %s on http://%s:%u\n", data_dir.c_str(), options.address.c_str(),
              server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  std::fprintf(stderr, "kho: stopping\n");
  if (watchers) {  // the file being imported, if any, is finished and moved first
    watchers->stop();
    watchers->join();
  }
  server.stop();
  return kOk;
}

int harvest(const std::string& data_dir, const std::string& url, const std::string& set,
            const std::string& visibility, bool as_json) {
  int code = kOk;
  auto library = open_library(data_dir, false, &code);
  if (!library) return code;
  harvest::Options options;
  options.url = url;
  options.set = set;
  options.visibility = visibility;
  if (const char* token = std::getenv("KHO_HARVEST_TOKEN")) options.token = token;
  harvest::Summary summary;
  ProgressBar bar("harvest", 0);  // the origin does not always say how many
  Status s = harvest::harvest(
      library->store(), options, &summary,
      [&](const harvest::Summary& sum) { bar.update(sum.created + sum.updated + sum.withdrawn); });
  bar.finish();
  // What was stored is kept even when the run stopped half way; index it.
  if (Status i = library->index().catch_up(); !i.ok()) return fail(i);
  if (as_json) {
    std::cout << json{{"created", summary.created},
                      {"updated", summary.updated},
                      {"withdrawn", summary.withdrawn},
                      {"hidden", summary.hidden},
                      {"requests", summary.requests},
                      {"incremental", summary.incremental},
                      {"error", s.ok() ? json(nullptr) : json(s.message())}}
                     .dump(2)
              << "\n";
  } else {
    std::printf(
        "%s harvest of %s: %zu new, %zu updated, %zu withdrawn, %zu made private (%zu requests)\n",
        summary.incremental ? "incremental" : "full", url.c_str(), summary.created, summary.updated,
        summary.withdrawn, summary.hidden, summary.requests);
  }
  return s.ok() ? kOk : fail(s);
}

int extract_worker(const std::string& path) {
  return importers::run_worker(path, importers::WorkerLimits{});
}

int assist_worker() { return importers::run_assistant(importers::WorkerLimits{}); }

int unpack_worker(const std::string& archive, const std::string& dir) {
  return importers::run_unpack_worker(archive, dir);
}

}  // namespace kho::cli
