// What staff may type into a record's fields, checked one way for the CLI
// and the API: a value is refused with the reason in words, or kept in the
// form kho stores (dates as ISO 8601, grades as a number).
#pragma once

#include <string>

#include "common/status.h"

namespace kho {

// The value to store for `name`, or Invalid naming the field and why. Dates
// (date, issued, modified) are read as Vietnamese write them, 25/06/2023 or
// 5/6/2023 (also with '-' or '.'), or as 2023-06-25 or 2023, and kept as
// YYYY-MM-DD or YYYY; a day that does not exist is refused. A grade is a
// whole number from 1 to 12; kind and visibility come from their lists; a
// title and a school cannot be removed. An empty value otherwise removes the
// field. Unknown names are Invalid.
Status normalise_field(const std::string& name, const std::string& value, std::string* out);

// A date as above, as ISO 8601; false when it is not one.
bool parse_date(const std::string& text, std::string* iso);

}  // namespace kho
