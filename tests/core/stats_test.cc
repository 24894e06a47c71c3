// How statistics read a record's values: the forms kho stores that mean the
// same thing are counted as one (core/stats.h).
#include "core/stats.h"

#include <catch2/catch.hpp>

using kho::stats_value;
using kho::year_of;

TEST_CASE("stats: a year is read from a date in every form kho stores") {
  CHECK(year_of("2023") == "2023");
  CHECK(year_of("2023-06-25") == "2023");
  CHECK(year_of("25/06/2023") == "2023");
  CHECK(year_of("5.6.2023") == "2023");
  CHECK(year_of("2023-06") == "2023");
  CHECK(year_of("2023-06-25T08:00:00Z") == "2023");
  CHECK(year_of("tháng 5 năm 2022") == "2022");
  CHECK(year_of("Hà Nội, ngày 04 tháng 10 năm 2022") == "2022");
  CHECK(year_of("") == "");
  CHECK(year_of("không rõ") == "");
  CHECK(year_of("số 12345") == "");  // five digits are no year
}

TEST_CASE("stats: values that mean the same are one") {
  kho::store::Record r;
  r.school = " thcs-01 ";
  r.dc["language"] = "vi-VN";
  r.dc["subject"] = "TOÁN; Hình học";
  r.fields["grade"] = "Lớp 07";
  r.fields["approval"] = "Approved";
  r.created_at = "2026-11-30T23:59:59Z";
  CHECK(stats_value(r, "school") == "THCS-01");
  CHECK(stats_value(r, "language") == "vi");
  CHECK(stats_value(r, "subject") == "toan");
  CHECK(stats_value(r, "grade") == "7");
  CHECK(stats_value(r, "approval") == "approved");
  CHECK(stats_value(r, "month") == "2026-11");
  r.dc["language"] = "VI";
  CHECK(stats_value(r, "language") == "vi");
  r.fields["grade"] = "13";
  CHECK(stats_value(r, "grade") == "");
  r.fields.erase("approval");
  CHECK(stats_value(r, "approval") == "");
}
