// Helpers shared by kho's libFuzzer targets (fuzz/README.md).
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace kho::fuzz {

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A directory of this process's own, made once: importers read paths.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string tmpl = "/tmp/kho-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) abort();
    return tmpl;
  }();
  return dir;
}

// The input as a file, rewritten for each run.
inline std::string as_file(std::string_view input, const std::string& name) {
  std::string path = scratch_dir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(input.data(), input.size());
  return path;
}

// Splits the input at its first newline: a short argument, then the rest.
inline std::pair<std::string, std::string_view> first_line(std::string_view input) {
  auto nl = input.find('\n');
  if (nl == std::string_view::npos) return {std::string(input), {}};
  return {std::string(input.substr(0, nl)), input.substr(nl + 1)};
}

}  // namespace kho::fuzz
