#include "core/stats.h"

#include <algorithm>
#include <cctype>

#include "core/fields.h"
#include "core/library.h"
#include "indexer/indexer.h"
#include "text/vietnamese.h"

namespace kho {

namespace {

std::string trim(const std::string& s) {
  auto a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string dc(const store::Record& r, const char* name) {
  auto it = r.dc.find(name);
  return it == r.dc.end() ? "" : it->second;
}

std::string own(const store::Record& r, const char* name) {
  auto it = r.fields.find(name);
  return it == r.fields.end() ? "" : it->second;
}

// The first of several subjects ("Toán; Hình học" -> "Toán"), as search
// takes it for its facet.
std::string first_subject(const store::Record& r) {
  std::string s = dc(r, "subject");
  return trim(s.substr(0, s.find_first_of(";,")));
}

// A grade as a number: "7", "Lớp 7", "lop 07" -> "7"; "" outside 1..12.
std::string grade_of(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)))
      digits += c;
    else if (!digits.empty())
      break;
  }
  if (digits.empty() || digits.size() > 2) return "";
  int g = std::stoi(digits);
  return g >= 1 && g <= 12 ? std::to_string(g) : "";
}

bool plausible_year(const std::string& y) {
  return y.size() == 4 && std::all_of(y.begin(), y.end(), ::isdigit) && y >= "1800" && y <= "2199";
}

// Counts by key, and for folded subjects the spellings seen of each.
struct Tally {
  std::map<std::vector<std::string>, std::uint64_t> rows;
  std::map<std::string, std::map<std::string, std::uint64_t>> spellings;  // folded -> spelling
  std::map<std::string, std::uint64_t> months;
};

void count(const store::Record& r, const std::vector<std::string>& by, Tally* tally, Stats* out) {
  std::vector<std::string> key;
  key.reserve(by.size());
  for (const std::string& d : by) key.push_back(stats_value(r, d));
  ++tally->rows[key];
  if (std::string s = first_subject(r); !s.empty())
    ++tally->spellings[text::lower(text::fold(s))][s];
  ++out->total;
  if (r.kind == "diploma") ++out->diplomas;
  ++out->schools[stats_value(r, "school")];
  if (r.created_at.size() >= 7) ++tally->months[r.created_at.substr(0, 7)];
}

// "2026-11" -> "2026-12"; "2026-12" -> "2027-01".
std::string next_month(const std::string& ym) {
  int y = std::stoi(ym.substr(0, 4)), m = std::stoi(ym.substr(5, 2)) + 1;
  if (m == 13) m = 1, ++y;
  return std::to_string(y) + (m < 10 ? "-0" : "-") + std::to_string(m);
}

void finish(const std::vector<std::string>& by, Tally& tally, Stats* out) {
  // A subject is shown in its commonest spelling (the first of equals).
  std::map<std::string, std::string> label;
  for (const auto& [folded, seen] : tally.spellings)
    label[folded] = std::max_element(seen.begin(), seen.end(), [](const auto& a, const auto& b) {
                      return a.second < b.second;
                    })->first;
  for (auto& [key, n] : tally.rows) {
    StatsRow row{key, n};
    for (std::size_t i = 0; i < by.size(); ++i)
      if (by[i] == "subject" && label.count(key[i])) row.values[i] = label[key[i]];
    out->rows.push_back(std::move(row));
  }
  if (tally.months.empty()) return;
  std::string last = tally.months.rbegin()->first;
  for (std::string m = tally.months.begin()->first; m <= last; m = next_month(m)) {
    auto it = tally.months.find(m);
    out->monthly.emplace_back(m, it == tally.months.end() ? 0 : it->second);
    if (m.size() != 7) break;  // a created_at kho did not write: no months in between
  }
}

Status by_store(Library& library, const StatsRequest& request, Tally* tally, Stats* out) {
  const store::Store& store = library.store();
  for (store::RecordId id = 1, last = store.record_count(); id <= last; ++id) {
    store::Record r;
    if (Status s = store.get(id, &r); !s.ok()) {
      if (s.is_not_found()) continue;
      return s;
    }
    if (request.access.may_read(r)) count(r, request.by, tally, out);
  }
  return Status::Ok();
}

// The index finds what the query matches within the caller's grants; each
// record is then read from the store, which is the truth, and asked again
// whether the caller may read it (the index may be a step behind).
Status by_index(Library& library, const StatsRequest& request, Tally* tally, Stats* out) {
  indexer::Index& index = library.index();
  if (index.applied_sequence() < library.store().last_sequence())
    if (Status s = index.catch_up(); !s.ok()) return s;
  indexer::SearchRequest search;
  search.query = request.query;
  search.include_withdrawn = true;  // status is a dimension: the query may ask for either
  request.access.restrict(&search);
  std::vector<store::RecordId> ids;
  if (Status s = index.matching_records(search, &ids); !s.ok()) return s;
  for (store::RecordId id : ids) {
    store::Record r;
    if (Status s = library.store().get(id, &r); !s.ok()) {
      if (s.is_not_found()) continue;
      return s;
    }
    if (request.access.may_read(r)) count(r, request.by, tally, out);
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& stats_dimensions() {
  static const std::vector<std::string> names = {"school",     "kind",     "year",   "subject",
                                                 "grade",      "language", "status", "approval",
                                                 "visibility", "month"};
  return names;
}

std::string year_of(const std::string& date) {
  std::string t = trim(date);
  if (std::string iso; parse_date(t, &iso)) return iso.substr(0, 4);
  if (t.size() >= 4 && plausible_year(t.substr(0, 4))) return t.substr(0, 4);  // 2023-06, 2023...
  // Otherwise the last run of four digits that is a year: "tháng 6 năm 2023",
  // "5/6/2023 14:00", "D:20230605" is not (eight digits).
  std::string found, run;
  for (std::size_t i = 0; i <= t.size(); ++i) {
    if (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      run += t[i];
      continue;
    }
    if (plausible_year(run)) found = run;
    run.clear();
  }
  return found;
}

std::string stats_value(const store::Record& r, const std::string& d) {
  if (d == "school") {
    std::string code = trim(r.school);
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return code;
  }
  if (d == "kind") return r.kind;
  if (d == "year") return year_of(dc(r, "date"));
  if (d == "subject") return text::lower(text::fold(first_subject(r)));
  if (d == "grade") return grade_of(own(r, "grade"));
  if (d == "language") return indexer::facet_value(r, "language");
  if (d == "status") return r.status;
  if (d == "approval") return text::lower(trim(own(r, "approval")));
  if (d == "visibility") return r.visibility;
  if (d == "month") return r.created_at.substr(0, 7);
  return "";
}

Status count_records(Library& library, const StatsRequest& request, Stats* out) {
  *out = Stats{};
  const auto& known = stats_dimensions();
  for (const std::string& d : request.by)
    if (std::find(known.begin(), known.end(), d) == known.end())
      return Status::Invalid("by: '" + d +
                             "' is not something to count by: school, kind, year, subject, grade, "
                             "language, status, approval, visibility or month")
          .with_reason("bad_parameter");
  out->by = request.by;
  const bool blank = indexer::is_blank(request.query);
  // Measured on 10,000 records (bench/stats): reading every record from the
  // store is the faster way to count all of them; for a caller who may read
  // only part of the library, the index's grants skip the rest unread.
  indexer::SearchRequest probe;
  request.access.restrict(&probe);
  const bool everything = !probe.restricted;
  out->via = !request.via.empty() ? request.via : blank && everything ? "store" : "index";
  if (out->via != "store" && out->via != "index")
    return Status::Invalid("via: 'store' or 'index'").with_reason("bad_parameter");
  if (out->via == "store" && !blank)
    return Status::Invalid("a query is answered by the index, not by reading the store")
        .with_reason("bad_parameter");
  Tally tally;
  Status s = out->via == "store" ? by_store(library, request, &tally, out)
                                 : by_index(library, request, &tally, out);
  if (!s.ok()) return s;
  finish(request.by, tally, out);
  return Status::Ok();
}

}  // namespace kho
