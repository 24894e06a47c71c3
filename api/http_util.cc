#include "api/http_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "text/vietnamese.h"

namespace fs = std::filesystem;

namespace kho::api {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string percent_decode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::string> query_param(const Pistache::Http::Uri::Query& query,
                                       const std::string& name) {
  auto value = query.get(name);
  if (!value) return value;
  return percent_decode(*value);
}

bool parse_count(const std::optional<std::string>& value, std::size_t min, std::size_t max,
                 std::size_t* out, std::string* error) {
  if (!value) return true;
  if (!all_digits(*value) || value->size() > 9) {
    *error = "'" + *value + "' is not a whole number";
    return false;
  }
  std::size_t n = std::stoul(*value);
  if (n < min || n > max) {
    *error = "must be between " + std::to_string(min) + " and " + std::to_string(max);
    return false;
  }
  *out = n;
  return true;
}

bool parse_id(const std::string& text, store::RecordId* id) {
  if (!all_digits(text) || text.size() > 19) return false;
  *id = std::stoull(text);
  return *id > 0;
}

ByteRange parse_range(const std::string& header, std::uint64_t size) {
  ByteRange whole{0, size, false, false};
  if (header.rfind("bytes=", 0) != 0 || header.find(',') != std::string::npos) return whole;
  std::string spec = header.substr(6);
  auto dash = spec.find('-');
  if (dash == std::string::npos) return whole;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if ((!a.empty() && !all_digits(a)) || (!b.empty() && !all_digits(b)) ||
      (a.empty() && b.empty()) || a.size() > 18 || b.size() > 18)
    return whole;
  if (a.empty()) {  // the last b bytes
    std::uint64_t n = std::stoull(b);
    if (n == 0 || size == 0) return {0, 0, false, true};
    n = std::min(n, size);
    return {size - n, n, true, false};
  }
  std::uint64_t first = std::stoull(a);
  if (first >= size) return {0, 0, false, true};
  std::uint64_t last = b.empty() ? size - 1 : std::min<std::uint64_t>(std::stoull(b), size - 1);
  if (last < first) return whole;
  return {first, last - first + 1, true, false};
}

// RFC 6266: an ASCII fallback for old clients (Vietnamese folded to plain
// letters, "kế hoạch" -> "ke hoach"; '%' dropped since some clients decode
// it) and the exact UTF-8 name in filename* (RFC 5987).
std::string content_disposition(const std::string& filename) {
  std::string ascii;
  for (unsigned char c : text::fold(filename)) {
    bool safe = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%';
    ascii += safe ? static_cast<char>(c) : '_';
  }
  std::string encoded;
  for (unsigned char c : filename) {
    if (std::isalnum(c) || (c != 0 && std::strchr("-._~", c) != nullptr)) {
      encoded += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  if (ascii.empty()) ascii = "file";
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

Status read_slice(const std::string& path, std::uint64_t first, std::uint64_t length,
                  std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  out->assign(length, '\0');
  in.seekg(static_cast<std::streamoff>(first));
  in.read(out->data(), static_cast<std::streamsize>(length));
  if (static_cast<std::uint64_t>(in.gcount()) != length)
    return Status::IoError("short read of " + path);
  return Status::Ok();
}

Status write_temp(const std::string& data_dir, const std::string& body, std::string* path) {
  fs::path dir = fs::path(data_dir) / "tmp";
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string tmpl = (dir / "upload-XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return Status::IoError("cannot create a temporary file: " + std::string(std::strerror(errno)));
  std::size_t done = 0;
  while (done < body.size()) {
    ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmpl.c_str());
      return Status::IoError("cannot write the upload: " + std::string(std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  *path = tmpl;
  return Status::Ok();
}

TempFile::~TempFile() {
  if (!path.empty()) ::unlink(path.c_str());
}

bool import_options_from(const Pistache::Http::Uri::Query& query, ImportOptions* options,
                         std::string* error) {
  // Only the last path component: the name is shown and sent back, never used as a path.
  options->filename = fs::path(query_param(query, "filename").value_or("")).filename().string();
  if (options->filename.empty() || options->filename == "." || options->filename == "..") {
    *error = "filename: the file's name is required (?filename=…)";
    return false;
  }
  if (std::any_of(options->filename.begin(), options->filename.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    *error = "filename: must not contain control characters";
    return false;
  }
  options->kind = query_param(query, "kind").value_or("");
  options->school = query_param(query, "school").value_or("");
  options->visibility = query_param(query, "visibility").value_or("private");
  if (!options->kind.empty() && !store::valid_kind(options->kind)) {
    *error = "kind: must be book, diploma, lesson-plan, admin-doc or other";
    return false;
  }
  if (!store::valid_visibility(options->visibility)) {
    *error = "visibility: must be private, school, shared or public";
    return false;
  }
  for (const char* field : {"title", "creator", "subject", "description", "date", "language"})
    if (auto v = query_param(query, field)) options->dc[field] = *v;
  return true;
}

namespace {

bool parse_flag(const std::optional<std::string>& value, const char* name, bool* out,
                std::string* error) {
  if (!value) return true;
  if (*value == "1" || *value == "true") return *out = true, true;
  if (*value == "0" || *value == "false" || value->empty()) return *out = false, true;
  *error = std::string(name) + ": must be 1 or 0";
  return false;
}

}  // namespace

bool search_options_from(const Pistache::Http::Uri::Query& query, indexer::SearchRequest* request,
                         std::string* error, std::string* field) {
  std::string unused;
  if (field == nullptr) field = &unused;
  if (auto sort = query_param(query, "sort"); sort && !indexer::parse_sort(*sort, &request->sort)) {
    *error = "sort: must be relevance, newest, oldest, title or added";
    *field = "sort";
    return false;
  }
  if (!parse_flag(query_param(query, "facets"), "facets", &request->facets, error))
    return *field = "facets", false;
  if (!parse_flag(query_param(query, "withdrawn"), "withdrawn", &request->include_withdrawn, error))
    return *field = "withdrawn", false;
  for (const std::string& facet : indexer::facet_names()) {
    auto value = query_param(query, facet);
    if (!value) continue;
    std::size_t start = 0;
    for (std::size_t comma = value->find(','); start <= value->size();
         comma = value->find(',', start)) {
      if (comma == std::string::npos) comma = value->size();
      if (comma > start) request->filters.emplace_back(facet, value->substr(start, comma - start));
      start = comma + 1;
    }
  }
  return true;
}

}  // namespace kho::api
