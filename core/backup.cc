#include "core/backup.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "core/verify.h"

namespace fs = std::filesystem;

namespace kho {

namespace {

constexpr const char* kManifest = "manifest-sha256.txt";
constexpr const char* kTagManifest = "tagmanifest-sha256.txt";
constexpr const char* kDeclaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status errno_status(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

// A payload file: its SHA-256 and size, by its path in the bag ("data/...").
struct Entry {
  std::string sha256;
  std::uint64_t size = 0;
};
using Manifest = std::map<std::string, Entry>;

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

// Copies `from` to the new file `to` (mode `mode`), hashing as it goes, and
// makes the copy durable. `each` is told of every chunk's size.
Status copy_hashed(const fs::path& from, const fs::path& to, mode_t mode, Entry* out,
                   const std::function<void(std::uint64_t)>& each) {
  Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return errno_status(from.string());
  Fd dst{::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)};
  if (dst.fd < 0) return errno_status(to.string());
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<unsigned char, 1 << 16> buf;
  out->size = 0;
  for (;;) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(from.string());
    if (n == 0) break;
    crypto_hash_sha256_update(&state, buf.data(), static_cast<unsigned long long>(n));
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(dst.fd, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return errno_status(to.string());
      done += w;
    }
    out->size += static_cast<std::uint64_t>(n);
    if (each) each(static_cast<std::uint64_t>(n));
  }
  if (::fsync(dst.fd) != 0) return errno_status("fsync " + to.string());
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&state, digest.data());
  out->sha256 = to_hex(digest.data(), digest.size());
  return Status::Ok();
}

Status hash_file(const fs::path& path, Entry* out) {
  if (Status s = store::sha256_file(path.string(), &out->sha256); !s.ok()) return s;
  std::error_code ec;
  out->size = fs::file_size(path, ec);
  return ec ? Status::IoError(path.string() + ": " + ec.message()) : Status::Ok();
}

// Replaces a small file whole, durably: a crash leaves the old or the new one.
Status write_file(const fs::path& path, const std::string& text) {
  fs::path partial = path;
  partial += ".partial";
  {
    Fd out{::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (out.fd < 0) return errno_status(partial.string());
    if (::write(out.fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fsync(out.fd) != 0)
      return errno_status(partial.string());
  }
  if (::rename(partial.c_str(), path.c_str()) != 0) return errno_status(path.string());
  return Status::Ok();
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string original_in_bag(const std::string& sha) {
  return "data/originals/" + sha.substr(0, 2) + "/" + sha.substr(2, 2) + "/" + sha;
}

// Copies the originals the bag lacks; each is checked against its name as it
// is copied, so that damaged bytes never enter a backup.
Status copy_originals(const store::Store& store, const fs::path& bag,
                      const std::vector<store::Original>& originals, const CopyProgress& progress,
                      BackupReport* report, Manifest* manifest) {
  std::uint64_t total = 0, done = 0;
  for (const auto& o : originals) total += o.size;
  for (const auto& o : originals) {
    const std::string rel = original_in_bag(o.sha256);
    const fs::path target = bag / rel;
    std::error_code ec;
    if (fs::exists(target, ec) && fs::file_size(target, ec) == o.size) {  // immutable: kept
      (*manifest)[rel] = {o.sha256, o.size};
      done += o.size;
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    fs::path partial = target;
    partial += ".partial";
    Entry copied;
    Status s = copy_hashed(store.original_path(o), partial, 0444, &copied, [&](std::uint64_t n) {
      if (progress) progress(done += n, total, o.filename);
    });
    if (s.ok() && (copied.sha256 != o.sha256 || copied.size != o.size))
      s = Status::Corrupt("its bytes have changed (SHA-256 " + copied.sha256 + ")");
    if (!s.ok()) {
      fs::remove(partial, ec);
      report->damaged.push_back("the original '" + o.filename + "' (" + store.original_path(o) +
                                ") was not backed up: " + s.message());
      if (fs::exists(target, ec) && fs::file_size(target, ec) == o.size)
        (*manifest)[rel] = {o.sha256, o.size};
      continue;
    }
    if (::rename(partial.c_str(), target.c_str()) != 0) return errno_status(target.string());
    (*manifest)[rel] = copied;
    report->copied.push_back(rel);
    report->copied_bytes += copied.size;
  }
  return Status::Ok();
}

// Files under data/ that the new manifest does not list (a crashed run's
// partial copies, a synonyms list since removed) would make the bag invalid.
void remove_unlisted(const fs::path& bag, const Manifest& manifest) {
  std::error_code ec;
  std::vector<fs::path> extra;
  for (auto it = fs::recursive_directory_iterator(bag / "data", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code kind;
    if (!it->is_directory(kind) &&
        !manifest.count(fs::relative(it->path(), bag, kind).generic_string()))
      extra.push_back(it->path());
  }
  for (const auto& p : extra) fs::remove(p, ec);
}

std::string today() { return store::now_rfc3339().substr(0, 10); }

// bagit.txt, bag-info.txt, the manifest, and the tag manifest over all three.
Status write_tag_files(const fs::path& bag, const Manifest& manifest, const std::string& library_id,
                       BackupReport* report) {
  std::string lines;
  for (const auto& [path, e] : manifest) {
    lines += e.sha256 + "  " + path + "\n";
    report->payload_bytes += e.size;
  }
  report->payload_files = manifest.size();
  std::string info = "Bag-Software-Agent: kho " KHO_VERSION "\nBagging-Date: " + today() +
                     "\nPayload-Oxum: " + std::to_string(report->payload_bytes) + "." +
                     std::to_string(report->payload_files) +
                     "\nExternal-Description: A backup of kho library " + library_id +
                     ": its store and original files. The search index is rebuilt by `kho "
                     "restore BAG DIR`.\n";
  std::string tags;
  for (const auto& [name, text] : {std::pair<const char*, std::string>{"bagit.txt", kDeclaration},
                                   {"bag-info.txt", info},
                                   {kManifest, lines}}) {
    if (Status s = write_file(bag / name, text); !s.ok()) return s;
    tags += store::sha256_bytes(text) + "  " + name + "\n";
  }
  return write_file(bag / kTagManifest, tags);
}

}  // namespace

Status backup_library(Library& library, const std::string& dest, bool compact,
                      const CopyProgress& progress, BackupReport* report) {
  auto start = std::chrono::steady_clock::now();
  *report = BackupReport{};
  const fs::path bag(dest);
  std::error_code ec;
  // Files in DEST that the new manifest does not list are removed: only ever
  // in an empty folder or in a bag that kho made.
  report->incremental =
      read_whole(bag / "bag-info.txt").find("Bag-Software-Agent: kho ") != std::string::npos;
  if (!report->incremental && fs::exists(bag, ec) && !fs::is_empty(bag, ec))
    return Status::Invalid(dest + " is neither empty nor a bag made by kho backup");
  fs::create_directories(bag / "data" / "db", ec);
  if (ec) return Status::IoError("cannot create " + dest + ": " + ec.message());

  // The store first: the originals to copy are exactly those its copy names.
  const fs::path db = bag / "data" / "db" / "data.mdb";
  fs::path partial = db;
  partial += ".partial";
  store::Store& store = library.store();
  if (Status s = store.copy_environment(partial.string(), compact); !s.ok()) return s;
  std::vector<store::Original> originals;
  if (Status s = store::Store::originals_in_copy(partial.string(), &originals); !s.ok()) return s;
  if (::rename(partial.c_str(), db.c_str()) != 0) return errno_status(db.string());
  Manifest manifest;
  if (Status s = hash_file(db, &manifest["data/db/data.mdb"]); !s.ok()) return s;
  report->copied.push_back("data/db/data.mdb");
  report->copied_bytes += manifest["data/db/data.mdb"].size;

  if (Status s = copy_originals(store, bag, originals, progress, report, &manifest); !s.ok())
    return s;
  const fs::path synonyms = fs::path(store.data_dir()) / "synonyms.txt";
  if (fs::exists(synonyms, ec)) {
    Entry e;
    if (Status s = copy_hashed(synonyms, bag / "data" / "synonyms.txt", 0644, &e, {}); !s.ok())
      return s;
    manifest["data/synonyms.txt"] = e;
  }
  remove_unlisted(bag, manifest);
  if (Status s = write_tag_files(bag, manifest, store.library_id(), report); !s.ok()) return s;
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

namespace {

// RFC 8493 percent-encodes CR, LF and % in manifest paths.
std::string decode_path(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    std::string code = path.substr(i, 3);
    if (code == "%0A" || code == "%0a" || code == "%0D" || code == "%0d" || code == "%25") {
      out += code == "%25" ? '%' : (code[2] == 'A' || code[2] == 'a' ? '\n' : '\r');
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

// "CHECKSUM  PATH" lines; a path outside data/ (or, for the tag manifest,
// inside it) or leading out of the bag is refused.
Status read_manifest(const fs::path& bag, const char* name, bool tags,
                     std::map<std::string, std::string>* out) {
  std::ifstream in(bag / name);
  if (!in) return Status::Corrupt((bag / name).string() + " is missing: this is not a valid bag");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::size_t gap = line.find_first_of(" \t");
    std::size_t start = gap == std::string::npos ? gap : line.find_first_not_of(" \t*", gap);
    std::string sha = line.substr(0, gap);
    std::string path = start == std::string::npos ? "" : decode_path(line.substr(start));
    bool payload = path.rfind("data/", 0) == 0;
    if (sha.size() != 64 || path.empty() || payload == tags ||
        path.find("..") != std::string::npos || path[0] == '/')
      return Status::Corrupt((bag / name).string() + ", line " + std::to_string(n) +
                             ": not a line of a SHA-256 manifest of this bag");
    (*out)[path] = sha;
  }
  return Status::Ok();
}

// bagit.txt, the tag manifest's checksums, the payload's files against the
// manifest (none missing, none unlisted) and bag-info.txt's Payload-Oxum.
Status check_bag(const fs::path& bag, std::map<std::string, std::string>* manifest) {
  std::string declaration = read_whole(bag / "bagit.txt");
  if (declaration.find("BagIt-Version: ") == std::string::npos ||
      declaration.find("Tag-File-Character-Encoding: UTF-8") == std::string::npos)
    return Status::Corrupt((bag / "bagit.txt").string() + " does not declare a BagIt bag in UTF-8");
  if (Status s = read_manifest(bag, kManifest, false, manifest); !s.ok()) return s;
  std::map<std::string, std::string> tags;
  if (fs::exists(bag / kTagManifest))
    if (Status s = read_manifest(bag, kTagManifest, true, &tags); !s.ok()) return s;
  for (const auto& [path, sha] : tags)
    if (store::sha256_bytes(read_whole(bag / path)) != sha)
      return Status::Corrupt((bag / path).string() + " does not match its checksum in " +
                             kTagManifest);
  std::uint64_t bytes = 0, files = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(bag / "data", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code kind;
    if (it->is_directory(kind)) continue;
    std::string rel = fs::relative(it->path(), bag, kind).generic_string();
    if (!manifest->count(rel))
      return Status::Corrupt(it->path().string() + " is not listed in " + kManifest);
    bytes += it->file_size(kind);
    ++files;
  }
  if (ec) return Status::IoError("cannot read " + (bag / "data").string() + ": " + ec.message());
  for (const auto& [path, sha] : *manifest)
    if (!fs::is_regular_file(bag / path, ec))
      return Status::Corrupt((bag / path).string() + " is listed in " + kManifest + " but missing");
  std::string info = read_whole(bag / "bag-info.txt");
  std::size_t at = info.find("Payload-Oxum:");
  std::string oxum = std::to_string(bytes) + "." + std::to_string(files);
  if (at != std::string::npos) {
    std::istringstream in(info.substr(at + 13));
    std::string said;
    in >> said;
    if (said != oxum)
      return Status::Corrupt((bag / "bag-info.txt").string() + ": Payload-Oxum " + said +
                             " but the payload holds " + oxum + " (bytes.files)");
  }
  return Status::Ok();
}

// Copies the payload into the new library, each file against its checksum.
Status copy_payload(const fs::path& bag, const fs::path& dir,
                    const std::map<std::string, std::string>& manifest,
                    const CopyProgress& progress, RestoreReport* report) {
  std::uint64_t total = 0, done = 0;
  std::error_code ec;
  for (const auto& [path, sha] : manifest) total += fs::file_size(bag / path, ec);
  for (const auto& entry : manifest) {
    const std::string& path = entry.first;  // a plain name: lambdas capture it (clang 14)
    const std::string& sha = entry.second;
    fs::path target = dir / path.substr(5);  // without "data/"
    fs::create_directories(target.parent_path(), ec);
    bool original = path.rfind("data/originals/", 0) == 0;
    Entry copied;
    Status s =
        copy_hashed(bag / path, target, original ? 0444 : 0640, &copied, [&](std::uint64_t n) {
          if (progress) progress(done += n, total, path);
        });
    if (!s.ok()) return s;
    if (copied.sha256 != sha)
      return Status::Corrupt((bag / path).string() + " does not match its checksum in " +
                             kManifest + " (SHA-256 " + copied.sha256 + ", listed as " + sha + ")");
    ++report->files;
    report->bytes += copied.size;
  }
  return Status::Ok();
}

}  // namespace

Status restore_library(const std::string& bag_dir, const std::string& dir,
                       const CopyProgress& progress, RestoreReport* report) {
  auto start = std::chrono::steady_clock::now();
  *report = RestoreReport{};
  const fs::path bag(bag_dir), target(dir);
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_empty(target, ec))
    return Status::Invalid(dir + " is not empty: restore into a new folder");
  std::map<std::string, std::string> manifest;
  if (Status s = check_bag(bag, &manifest); !s.ok()) return s;
  if (!manifest.count("data/db/data.mdb"))
    return Status::Corrupt(bag_dir + " holds no kho store (data/db/data.mdb)");
  const bool made = !fs::exists(target, ec);
  fs::create_directories(target, ec);
  Status s = copy_payload(bag, target, manifest, progress, report);
  std::unique_ptr<Library> library;
  if (s.ok()) s = Library::open(dir, false, &library);
  if (s.ok()) s = library->index().rebuild();
  if (!s.ok()) {
    library.reset();
    if (made) fs::remove_all(target, ec);
    for (const auto& entry : fs::directory_iterator(target, ec)) fs::remove_all(entry.path(), ec);
    return s;
  }
  report->records = library->store().record_count();
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

}  // namespace kho
