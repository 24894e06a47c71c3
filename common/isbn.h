// ISBNs as the modules meet them (catalogues, e-books, printed pages,
// queries): one reading of what counts as an ISBN, for store, indexer and
// importers alike.
#pragma once

#include <string>
#include <string_view>

namespace kho {

// ISBN-10 or ISBN-13 digits of a value written with hyphens or spaces (X as
// the ISBN-10 check digit, "urn:isbn:" allowed before it), or "".
inline std::string isbn_digits(std::string_view value) {
  if (value.starts_with("urn:isbn:") || value.starts_with("URN:ISBN:")) value.remove_prefix(9);
  std::string digits;
  for (char c : value) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if ((c == 'X' || c == 'x') && digits.size() == 9)
      digits += 'X';
    else if (c != '-' && c != ' ')
      return "";
  }
  bool isbn13 = digits.size() == 13 && (digits.starts_with("978") || digits.starts_with("979"));
  return isbn13 || digits.size() == 10 ? digits : "";
}

// Whether the check digit of ISBN digits (isbn_digits()) holds.
inline bool isbn_checks(const std::string& d) {
  int sum = 0;
  if (d.size() == 13) {
    for (std::size_t i = 0; i < 13; ++i) sum += (d[i] - '0') * (i % 2 ? 3 : 1);
    return sum % 10 == 0;
  }
  if (d.size() != 10) return false;
  for (std::size_t i = 0; i < 10; ++i) sum += (d[i] == 'X' ? 10 : d[i] - '0') * int(10 - i);
  return sum % 11 == 0;
}

// The ISBN-13 form of an ISBN-10 or ISBN-13 (the same book either way),
// reading only its digits and X, or "".
inline std::string isbn13(std::string_view value) {
  std::string d;
  for (char c : value)
    if ((c >= '0' && c <= '9') || c == 'X' || c == 'x') d += c;
  if (d.size() == 13 && d.find_first_not_of("0123456789") == std::string::npos) return d;
  if (d.size() != 10) return "";
  d = "978" + d.substr(0, 9);  // the ISBN-10 check digit does not carry over
  if (d.find_first_not_of("0123456789") != std::string::npos) return "";
  int sum = 0;
  for (std::size_t i = 0; i < 12; ++i) sum += (d[i] - '0') * (i % 2 ? 3 : 1);
  return d + static_cast<char>('0' + (10 - sum % 10) % 10);
}

}  // namespace kho
