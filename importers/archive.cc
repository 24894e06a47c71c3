#include "importers/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <iconv.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "importers/importer.h"
#include "text/vietnamese.h"

namespace fs = std::filesystem;

namespace kho::importers {

namespace {

struct ReaderDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Reader = std::unique_ptr<archive, ReaderDeleter>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool valid_utf8(std::string_view s) { return text::valid_utf8(s) == s; }

// Old Vietnamese Windows archives name entries in Windows-1258, which spells
// tones as combining marks: converted, then composed (NFC).
std::string from_cp1258(std::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "CP1258");
  if (cd == reinterpret_cast<iconv_t>(-1)) return text::valid_utf8(bytes);
  std::string out(bytes.size() * 4 + 4, '\0');
  char* in = const_cast<char*>(bytes.data());
  char* to = out.data();
  std::size_t in_left = bytes.size(), out_left = out.size();
  std::size_t rc = iconv(cd, &in, &in_left, &to, &out_left);
  // The decoder holds back the last letter in case a tone mark follows: flush it.
  if (rc != static_cast<std::size_t>(-1)) rc = iconv(cd, nullptr, nullptr, &to, &out_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) return text::valid_utf8(bytes);
  out.resize(out.size() - out_left);
  return out;
}

std::string entry_name(archive_entry* entry) {
  const char* utf8 = archive_entry_pathname_utf8(entry);
  std::string raw = utf8 != nullptr ? utf8 : "";
  if (raw.empty() || !valid_utf8(raw)) {
    const char* bytes = archive_entry_pathname(entry);
    raw = bytes != nullptr ? bytes : "";
    if (!valid_utf8(raw)) raw = from_cp1258(raw);
  }
  return text::nfc(raw);
}

// An absolute path, or one that climbs out with "..".
bool unsafe(const std::string& name) {
  if (name.empty() || name[0] == '/' || name[0] == '\\') return true;
  if (name.size() > 1 && name[1] == ':') return true;  // C:\…
  for (const auto& part : fs::path(name))
    if (part == "..") return true;
  return name.find("\\..\\") != std::string::npos || name.rfind("..\\", 0) == 0;
}

Status copy_entry(archive* a, const std::string& target, std::uint64_t* total, std::uint64_t budget,
                  std::string* error) {
  std::unique_ptr<std::FILE, FileCloser> out(std::fopen(target.c_str(), "wb"));
  if (!out) return Status::IoError("cannot write " + target);
  char buf[1 << 16];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n == 0) return Status::Ok();
    if (n < 0) {
      *error = archive_error_string(a) != nullptr ? archive_error_string(a) : "unreadable entry";
      return n == ARCHIVE_FATAL ? Status::Corrupt(*error) : Status::Ok();
    }
    *total += static_cast<std::uint64_t>(n);
    if (*total > budget) return Status::TooLarge("");
    if (std::fwrite(buf, 1, static_cast<std::size_t>(n), out.get()) != static_cast<std::size_t>(n))
      return Status::IoError("cannot write " + target);
  }
}

// The entry's extension when it is a plain one (".pdf"), as a hint for
// importers that read names; never a path.
std::string extension(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  if (ext.size() < 2 || ext.size() > 8) return "";
  for (char c : ext.substr(1))
    if (!std::isalnum(static_cast<unsigned char>(c))) return "";
  return ext;
}

}  // namespace

bool looks_like_archive(std::string_view h) {
  auto has = [&](std::size_t at, std::string_view magic) {
    return at <= h.size() && h.substr(at, magic.size()) == magic;
  };
  return has(0, "PK\x03\x04") || has(0, "PK\x05\x06") || has(257, "ustar") ||
         has(0, "7z\xBC\xAF\x27\x1C") || has(0, "Rar!\x1A\x07") || has(0, "\x1F\x8B") ||
         has(0, "BZh") ||
         has(0,
             "\xFD"
             "7zXZ\x00");
}

Status unpack(const std::string& path, const std::string& dir, const ArchiveLimits& limits,
              std::vector<ArchiveEntry>* out) {
  out->clear();
  Reader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return Status::Corrupt(std::string("not a readable archive: ") + archive_error_string(a.get()));
  struct stat st {};
  ::stat(path.c_str(), &st);
  std::uint64_t budget = std::min<std::uint64_t>(
      limits.max_total, limits.max_ratio * static_cast<std::uint64_t>(st.st_size) + (1 << 20));
  std::uint64_t total = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN)
      return Status::Corrupt(std::string("damaged archive: ") + archive_error_string(a.get()));
    std::string name = entry_name(entry);
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFLNK || archive_entry_hardlink(entry) != nullptr)
      return Status::Invalid("archive holds a link (" + name + "): refused");
    if (unsafe(name)) return Status::Invalid("archive entry escapes its folder: " + name);
    if (type != AE_IFREG) continue;
    if (out->size() >= limits.max_entries)
      return Status::TooLarge("archive has more than " + std::to_string(limits.max_entries) +
                              " files");
    ArchiveEntry e{
        name, (fs::path(dir) / (std::to_string(out->size() + 1) + extension(name))).string(), ""};
    if (archive_entry_is_encrypted(entry)) {
      e.file.clear(), e.error = "encrypted: kho cannot open a file that needs a password";
      out->push_back(e);
      continue;
    }
    Status s = copy_entry(a.get(), e.file, &total, budget, &e.error);
    if (s.code() == Status::Code::kTooLarge)
      return Status::TooLarge("archive unpacks to more than " + std::to_string(budget >> 20) +
                              " MiB (a zip bomb?): refused");
    if (!s.ok()) return Status::Corrupt("damaged archive at " + name + ": " + s.message());
    if (!e.error.empty()) ::unlink(e.file.c_str()), e.file.clear();
    out->push_back(e);
  }
  return Status::Ok();
}

int run_unpack_worker(const std::string& archive, const std::string& dir) {
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  std::vector<ArchiveEntry> entries;
  Status s = unpack(archive, dir, ArchiveLimits{}, &entries);
  nlohmann::json reply = {
      {"ok", s.ok()}, {"error", s.message()}, {"too_large", s.code() == Status::Code::kTooLarge}};
  reply["entries"] = nlohmann::json::array();
  for (const auto& e : entries)
    reply["entries"].push_back({{"name", e.name}, {"file", e.file}, {"error", e.error}});
  std::cout << reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::cout.flush();
  return std::cout.good() ? 0 : 1;
}

Status unpack_in_worker(const std::string& worker_exe, const std::string& archive,
                        const std::string& dir, std::vector<ArchiveEntry>* out) {
  out->clear();
  if (worker_exe.empty()) return unpack(archive, dir, ArchiveLimits{}, out);
  WorkerLimits limits;
  limits.seconds = 600;  // big archives take a while to write out
  std::string reply_text;
  if (Status s = run_worker_command(worker_exe, {"_unpack", archive, dir}, limits, &reply_text);
      !s.ok())
    return s;
  auto reply = nlohmann::json::parse(reply_text, nullptr, false);
  if (reply.is_discarded() || !reply.is_object() || !reply["entries"].is_array())
    return Status::Corrupt("archive worker gave no answer");
  if (!reply.value("ok", false)) {
    std::string error = reply.value("error", "unreadable archive");
    return reply.value("too_large", false) ? Status::TooLarge(error) : Status::Corrupt(error);
  }
  for (const auto& e : reply["entries"])
    out->push_back({e.value("name", ""), e.value("file", ""), e.value("error", "")});
  return Status::Ok();
}

}  // namespace kho::importers
