// Statistics for reports (thống kê): how many records a caller may read,
// split by any of school, kind, year, subject, grade, language, status,
// approval, visibility and month added, with any filter of the search
// language; totals per school and for all; records added per month.
//
// Counts never leak: a record is counted only when the caller's Access may
// read it (a visitor counts public records; a diploma is counted only for
// those who may read it). Values that mean the same are one: "vi", "vi-VN"
// and "VI" are "vi"; a school code in any case is upper-cased; subjects are
// folded as search folds them ("Toán", "toán", "TOAN" are one, shown in
// their commonest spelling); a year is read from a date in any form kho
// stores (2023, 2023-06-25, 25/06/2023, "tháng 6 năm 2023").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/access.h"
#include "store/store.h"

namespace kho {

class Library;

// school kind year subject grade language status approval visibility month
const std::vector<std::string>& stats_dimensions();

struct StatsRequest {
  std::vector<std::string> by{"school", "kind"};  // dimensions, in this order
  std::string query;                              // the search language; blank: every record
  Access access = Access::library_staff();
  // How the records are found: "store" reads every record from LMDB (only
  // for a blank query), "index" asks Xapian for the matching ids within the
  // caller's grants (each then read from the store and checked again); ""
  // picks the store for a blank query by whoever may read everything, the
  // index otherwise (bench/stats measures both).
  std::string via;
};

struct StatsRow {
  std::vector<std::string> values;  // one per dimension of `by`; "" when a record has none
  std::uint64_t count = 0;
};

struct Stats {
  std::vector<std::string> by;
  std::vector<StatsRow> rows;  // ordered by their values
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t> schools;  // school code -> records
  // Records added per month ("2026-11"), every month from the first to the
  // last, empty months too (a chart's axis).
  std::vector<std::pair<std::string, std::uint64_t>> monthly;
  std::string via;             // "store" or "index": how they were found
  std::uint64_t diplomas = 0;  // diplomas among them: personal data, so the read is audited
};

// Invalid (naming the dimension, reason "bad_parameter") for an unknown
// dimension or a malformed query. The index is caught up first when the
// query needs it.
Status count_records(Library& library, const StatsRequest& request, Stats* out);

// The value a record has for a dimension, as counted (see above).
std::string stats_value(const store::Record& record, const std::string& dimension);
// The year of a date as kho may store it; "" when none can be read.
std::string year_of(const std::string& date);

// Exports (core/stats_export.cc). Headers and labels in Vietnamese: Trường,
// Loại, Năm, Môn, Khối, … Số lượng; kinds and states by their Vietnamese names.
std::string dimension_header(const std::string& dimension);
std::string value_label(const std::string& dimension, const std::string& value);
std::string stats_json(const Stats& stats);
// UTF-8 with a byte-order mark (so that spreadsheet programs read Vietnamese
// letters right), CRLF lines, a last row "Tổng cộng". `monthly`: the records
// added per month instead (Tháng, Số lượng).
std::string stats_csv(const Stats& stats, bool monthly);
// An .xlsx workbook: sheets "Thống kê", "Theo trường" and "Theo tháng".
Status stats_xlsx(const Stats& stats, const std::string& path);

}  // namespace kho
