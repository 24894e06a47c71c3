#include "core/fields.h"

#include <cctype>
#include <cstdio>
#include <vector>

#include "core/library.h"
#include "store/store.h"

namespace kho {

namespace {

std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  auto first = s.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::vector<std::string> split(const std::string& s, char separator) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == separator)
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

bool real_day(int year, int month, int day) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
}

std::string iso(int year, int month, int day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

bool is_date_field(const std::string& name) {
  return name == "date" || name == "issued" || name == "modified";
}

Status refuse(const std::string& name, const std::string& why) {
  return Status::Invalid(name + ": " + why);
}

}  // namespace

bool parse_date(const std::string& text, std::string* out) {
  const std::string t = trim(text);
  if (t.size() == 4 && all_digits(t)) {
    if (t == "0000") return false;
    *out = t;
    return true;
  }
  // 2023-06-25: year first, always with '-'.
  if (auto parts = split(t, '-');
      parts.size() == 3 && parts[0].size() == 4 && parts[1].size() == 2 && parts[2].size() == 2) {
    for (const auto& p : parts)
      if (!all_digits(p)) return false;
    int y = std::stoi(parts[0]), m = std::stoi(parts[1]), d = std::stoi(parts[2]);
    if (y == 0 || !real_day(y, m, d)) return false;
    *out = iso(y, m, d);
    return true;
  }
  // 25/06/2023, 5/6/2023, 25-06-2023, 25.06.2023: day first, as Vietnamese write it.
  for (char separator : {'/', '-', '.'}) {
    auto parts = split(t, separator);
    if (parts.size() != 3) continue;
    if (parts[0].size() > 2 || parts[1].size() > 2 || parts[2].size() != 4) return false;
    for (const auto& p : parts)
      if (!all_digits(p)) return false;
    int d = std::stoi(parts[0]), m = std::stoi(parts[1]), y = std::stoi(parts[2]);
    if (y == 0 || !real_day(y, m, d)) return false;
    *out = iso(y, m, d);
    return true;
  }
  return false;
}

Status normalise_field(const std::string& name, const std::string& value, std::string* out) {
  const std::string v = trim(value);
  if (name == "kind") {
    if (!store::valid_kind(v))
      return refuse(name,
                    "'" + v + "' is not a kind: book, diploma, lesson-plan, admin-doc or other");
  } else if (name == "visibility") {
    if (!store::valid_visibility(v))
      return refuse(name, "'" + v + "' is not a visibility: private, school, shared or public");
  } else if (name == "school") {
    if (v.empty()) return refuse(name, "a record belongs to a school; it cannot be removed");
  } else if (!known_field(name)) {
    return Status::Invalid("'" + name + "' is not a field kho knows");
  } else if (name == "title") {
    if (v.empty()) return refuse(name, "a record needs a title; it cannot be removed");
  } else if (v.empty()) {
    // an empty value removes the field
  } else if (is_date_field(name)) {
    std::string date;
    if (!parse_date(v, &date))
      return refuse(name, "'" + v +
                              "' is not a date that exists: write it as 25/06/2023, 2023-06-25 "
                              "or 2023");
    *out = date;
    return Status::Ok();
  } else if (name == "grade") {
    if (!all_digits(v) || v.size() > 2 || std::stoi(v) < 1 || std::stoi(v) > 12)
      return refuse(name, "'" + v + "' is not a grade: a whole number from 1 to 12");
    *out = std::to_string(std::stoi(v));
    return Status::Ok();
  }
  *out = v;
  return Status::Ok();
}

}  // namespace kho
