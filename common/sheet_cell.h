// Cells of the CSV sheets kho writes (catalogue exports, statistics) and
// reads back (catalogue imports): one rule against a cell a spreadsheet would
// run as a formula ("=HYPERLINK(...)" typed into a book's title), for writers
// and readers alike.
#pragma once

#include <string>

namespace kho {

// Excel and LibreOffice take a cell starting with one of these for a formula
// (OWASP's list): it is written with an apostrophe before it, which makes it
// text.
inline bool starts_like_formula(const std::string& cell) {
  return !cell.empty() && std::string("=+-@\t\r").find(cell[0]) != std::string::npos;
}

inline std::string formula_guarded(std::string cell) {
  if (starts_like_formula(cell)) cell.insert(0, "'");
  return cell;
}

// A cell as it was before formula_guarded(): a sheet kho wrote reads back as typed.
inline std::string formula_unguarded(std::string cell) {
  if (cell.size() > 1 && cell[0] == '\'' && starts_like_formula(cell.substr(1))) cell.erase(0, 1);
  return cell;
}

}  // namespace kho
