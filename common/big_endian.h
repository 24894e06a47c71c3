// 64-bit numbers as 8 big-endian bytes, so that a byte order (LMDB's keys)
// is numeric order: the store's keys and the modules' tables both use them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kho {

inline std::string be64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) s[i] = static_cast<char>(n & 0xff);
  return s;
}
inline std::uint64_t from_be64(std::string_view s) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 8 && i < s.size(); ++i)
    n = (n << 8) | static_cast<unsigned char>(s[i]);
  return n;
}

}  // namespace kho
