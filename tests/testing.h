// Helpers shared by kho's tests: temporary directories that clean up after
// themselves, and paths to the source tree and the built binary.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace kho::testing {

inline std::filesystem::path source_dir() { return KHO_SOURCE_DIR; }
inline std::filesystem::path sample(const std::string& name) {
  return source_dir() / "samples" / name;
}
// A file made by scripts/make-fixtures (tests/fixtures/README.md says how).
inline std::filesystem::path fixture(const std::string& name) {
  return source_dir() / "tests" / "fixtures" / name;
}
inline std::string kho_binary() { return KHO_BINARY; }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kho-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

}  // namespace kho::testing
