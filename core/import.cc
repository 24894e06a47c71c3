// Library::import_path: archives unpacked (in a worker) and their entries
// imported one by one, and sidecar metadata found and applied.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/library.h"
#include "importers/archive.h"
#include "importers/importer.h"

namespace fs = std::filesystem;

namespace kho {

namespace {

constexpr int kMaxDepth = 3;  // archives inside archives inside archives

bool is_sidecar(const std::string& name) {
  std::string base = fs::path(name).filename().string();
  return base == "metadata.csv" ||
         (base.size() > 10 && base.compare(base.size() - 10, 10, ".meta.json") == 0);
}

Status check_sidecar_field(const std::string& where, const std::string& name) {
  if (name == "kind" || name == "school" || name == "visibility" || known_field(name))
    return Status::Ok();
  return Status::Invalid(where + ": '" + name + "' is not a field kho knows");
}

// FILE.meta.json: {"title": "...", "kind": "lesson-plan", "grade": 6, ...}
Status read_json_sidecar(const std::string& path, const std::string& label,
                         std::map<std::string, std::string>* out) {
  std::ifstream in(path, std::ios::binary);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::Invalid(label + ": not a JSON object of field names and values");
  for (const auto& [name, value] : j.items()) {
    if (Status s = check_sidecar_field(label, name); !s.ok()) return s;
    if (value.is_string())
      (*out)[name] = value.get<std::string>();
    else if (value.is_number() || value.is_boolean())
      (*out)[name] = value.dump();
    else
      return Status::Invalid(label + ": the value of '" + name + "' is not text or a number");
  }
  return Status::Ok();
}

// One CSV line into cells (RFC 4180 quoting; a quoted cell may not span lines).
std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"', ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else if (c != '\r' || quoted) {
      cells.back() += c;
    }
  }
  return cells;
}

// metadata.csv: a header naming "file" (or "filename", "tệp") and fields,
// then a row per file of the folder.
Status read_csv_sidecar(const std::string& path, const std::string& label,
                        std::map<std::string, std::map<std::string, std::string>>* rows) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!std::getline(in, line)) return Status::Invalid(label + ": empty");
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a spreadsheet's BOM
  auto header = csv_cells(line);
  int file_column = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string h = header[i];
    if (h == "file" || h == "filename" || h == "tệp" || h == "tên tệp") {
      file_column = static_cast<int>(i);
      continue;
    }
    if (Status s = check_sidecar_field(label, h); !s.ok()) return s;
  }
  if (file_column < 0) return Status::Invalid(label + ": no \"file\" column");
  while (std::getline(in, line)) {
    auto cells = csv_cells(line);
    if (cells.size() <= static_cast<std::size_t>(file_column) || cells[file_column].empty())
      continue;
    auto& row = (*rows)[cells[file_column]];
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i)
      if (static_cast<int>(i) != file_column && !cells[i].empty()) row[header[i]] = cells[i];
  }
  return Status::Ok();
}

// Where a file's sidecars are: `locate(name)` gives the bytes' path for a name
// beside the file (on disk or in the same archive), or "".
Status sidecar_for(const std::string& name,
                   const std::function<std::string(const std::string&)>& locate,
                   std::map<std::string, std::string>* out) {
  fs::path p(name);
  std::string folder = p.parent_path().string();
  std::string csv_name = folder.empty() ? "metadata.csv" : folder + "/metadata.csv";
  if (std::string csv = locate(csv_name); !csv.empty()) {
    std::map<std::string, std::map<std::string, std::string>> rows;
    if (Status s = read_csv_sidecar(csv, csv_name, &rows); !s.ok()) return s;
    auto row = rows.find(p.filename().string());
    if (row != rows.end()) *out = row->second;
  }
  if (std::string json = locate(name + ".meta.json"); !json.empty())
    return read_json_sidecar(json, name + ".meta.json", out);  // over the folder's sheet
  return Status::Ok();
}

// The first bytes of a file to import. A link is not followed and only a
// regular file is read: a link swapped in after a folder was listed is
// refused here (and again by every later open), never imported.
Status read_head(const std::string& path, std::string* head) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0 && errno == ELOOP) return Status::Invalid("a symbolic link: not followed");
  if (fd < 0) return Status::IoError(std::string("cannot open file: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Status::Invalid("not a regular file");
  head->resize(4096);
  ssize_t n;
  while ((n = ::read(fd, head->data(), head->size())) < 0 && errno == EINTR) {
  }
  if (n < 0) return Status::IoError(std::string("cannot read file: ") + std::strerror(errno));
  head->resize(static_cast<std::size_t>(n));
  return Status::Ok();
}

}  // namespace

Status Library::import_path(const std::string& path, const ImportOptions& options,
                            const ImportReport& report) {
  struct Walker {
    Library& library;
    const ImportOptions& options;
    const ImportReport& report;

    void file(const std::string& bytes, const std::string& name, const std::string& provenance,
              const std::function<std::string(const std::string&)>& locate, int depth) {
      if (is_sidecar(name)) return;
      ImportItem item;
      item.name = provenance.empty() ? name : provenance;
      std::string head;
      if (item.status = read_head(bytes, &head); !item.status.ok()) return report(item);
      std::string why;
      importers::Sniff sniff{head, bytes};
      bool document = importers::Registry::builtin().pick(sniff, &why) != nullptr;
      if (!document && importers::looks_like_archive(head)) {
        std::string label = !provenance.empty()         ? provenance
                            : !options.filename.empty() ? options.filename
                                                        : fs::path(name).filename().string();
        item.status = archive(bytes, label, depth);
        if (!item.status.ok()) report(item);
        return;
      }
      ImportOptions o = options;
      item.status = sidecar_for(name, locate, &o.sidecar);
      if (!provenance.empty()) {
        o.provenance = provenance;
        o.filename = fs::path(name).filename().string();
      }
      if (item.status.ok())
        item.status = library.import_file(bytes, o, &item.record, &item.duplicate);
      report(item);
    }

    Status archive(const std::string& bytes, const std::string& label, int depth) {
      if (depth >= kMaxDepth)
        return Status::TooLarge("archives nested more than " + std::to_string(kMaxDepth) +
                                " deep: refused");
      std::string tmp =
          (fs::path(library.store().data_dir()) / "originals" / ".tmp" / "unpack-XXXXXX").string();
      if (::mkdtemp(tmp.data()) == nullptr)
        return Status::IoError("cannot make a folder to unpack " + label);
      struct Cleanup {
        std::string dir;
        ~Cleanup() {
          std::error_code ec;
          fs::remove_all(dir, ec);
        }
      } cleanup{tmp};
      std::vector<importers::ArchiveEntry> entries;
      if (Status s = importers::unpack_in_worker(options.worker_exe, bytes, tmp, &entries); !s.ok())
        return s;
      std::map<std::string, std::string> by_name;
      for (const auto& e : entries)
        if (!e.file.empty()) by_name[e.name] = e.file;
      auto locate = [&](const std::string& n) {
        auto it = by_name.find(n);
        return it == by_name.end() ? std::string() : it->second;
      };
      for (const auto& e : entries) {
        std::string provenance = label + "/" + e.name;
        if (e.file.empty()) {
          if (!is_sidecar(e.name))
            report({provenance, Status::Unsupported(e.error), store::Record{}, false});
          continue;
        }
        file(e.file, e.name, provenance, locate, depth + 1);
      }
      return Status::Ok();
    }
  };
  Walker walker{*this, options, report};
  // A sidecar that is a link is not read: it could bring in any file's values.
  auto on_disk = [](const std::string& n) {
    std::error_code ec;
    return fs::is_regular_file(fs::symlink_status(n, ec)) ? n : std::string();
  };
  walker.file(path, path, "", on_disk, 0);
  return Status::Ok();
}

}  // namespace kho
