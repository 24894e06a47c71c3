// Resumable uploads (the tus 1.0 protocol's core: create, offset, append):
// a large file comes in bounded chunks, each written to disk before it is
// acknowledged, so memory stays bounded whatever the file's size and a
// broken connection loses no more than the chunk in flight. Each upload is
// two files in DATA/tmp/uploads: ID.part (the bytes so far: its size is the
// offset) and ID.json (who may continue it, its length, the import options).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace kho::api {

struct Upload {
  std::string id;
  std::string account;  // only this account may continue it
  std::uint64_t length = 0;
  std::uint64_t offset = 0;
  std::vector<std::pair<std::string, std::string>> query;  // as sent at creation, still encoded
  std::string path;                                        // the .part file
};

class Uploads {
 public:
  explicit Uploads(const std::string& data_dir);
  Status create(const std::string& account, std::uint64_t length,
                std::vector<std::pair<std::string, std::string>> query, Upload* out);
  // NotFound for an unknown ID or another account's upload.
  Status find(const std::string& id, const std::string& account, Upload* out) const;
  // Appends at `offset`, which must be where the upload is (Conflict
  // otherwise); the bytes are on disk when it returns.
  Status append(Upload* upload, std::uint64_t offset, const std::string& bytes);
  void remove(const Upload& upload);

 private:
  std::string dir_;
};

}  // namespace kho::api
