#include "api/uploads.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace fs = std::filesystem;

namespace kho::api {

namespace {

std::string new_id() {
  std::random_device random;
  std::string id;
  static const char* digits = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) id.push_back(digits[random() & 15]);
  return id;
}

bool valid_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Status write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Status::IoError(std::string("cannot write the upload: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0)
    return Status::IoError(std::string("cannot write the upload: ") + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Uploads::Uploads(const std::string& data_dir)
    : dir_((fs::path(data_dir) / "tmp" / "uploads").string()) {}

Status Uploads::create(const std::string& account, std::uint64_t length,
                       std::vector<std::pair<std::string, std::string>> query, Upload* out) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  Upload u{new_id(), account, length, 0, std::move(query), ""};
  u.path = dir_ + "/" + u.id + ".part";
  nlohmann::json meta = {{"account", u.account}, {"length", u.length}, {"query", u.query}};
  int part = ::open(u.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (part < 0)
    return Status::IoError(std::string("cannot start the upload: ") + std::strerror(errno));
  ::close(part);
  int fd =
      ::open((dir_ + "/" + u.id + ".json").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::IoError(std::string("cannot start the upload: ") + std::strerror(errno));
  Status s = write_all(fd, meta.dump());
  ::close(fd);
  if (!s.ok()) return s;
  *out = u;
  return Status::Ok();
}

Status Uploads::find(const std::string& id, const std::string& account, Upload* out) const {
  Status unknown = Status::NotFound("no upload " + id);
  if (!valid_id(id)) return unknown;
  std::ifstream in(dir_ + "/" + id + ".json");
  auto meta = nlohmann::json::parse(in, nullptr, false);
  if (meta.is_discarded() || meta.value("account", "") != account) return unknown;
  std::error_code ec;
  auto size = fs::file_size(dir_ + "/" + id + ".part", ec);
  if (ec) return unknown;
  *out = Upload{id,
                account,
                meta["length"].get<std::uint64_t>(),
                size,
                meta["query"].get<std::vector<std::pair<std::string, std::string>>>(),
                dir_ + "/" + id + ".part"};
  return Status::Ok();
}

Status Uploads::append(Upload* upload, std::uint64_t offset, const std::string& bytes) {
  if (offset != upload->offset)
    return Status::Conflict("Upload-Offset: the upload is at " + std::to_string(upload->offset) +
                            ", not " + std::to_string(offset));
  if (bytes.size() > upload->length - upload->offset)
    return Status::TooLarge("the chunk goes past Upload-Length " + std::to_string(upload->length));
  int fd = ::open(upload->path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return Status::IoError(std::string("cannot write the upload: ") + std::strerror(errno));
  Status s = write_all(fd, bytes);
  // A chunk half written is not kept: the client sends it again from the offset.
  if (!s.ok() && ::ftruncate(fd, static_cast<off_t>(upload->offset)) != 0)
    s = Status::IoError(s.message() + "; and the upload cannot be cut back: start again");
  ::close(fd);
  if (s.ok()) upload->offset += bytes.size();
  return s;
}

void Uploads::remove(const Upload& upload) {
  std::error_code ec;
  fs::remove(dir_ + "/" + upload.id + ".part", ec);
  fs::remove(dir_ + "/" + upload.id + ".json", ec);
}

}  // namespace kho::api
