// The query language's fields with exact values: facets (kind:, school:,
// year:, grade:, subject:, doctype:, …), document numbers (number:) and date
// ranges (date:). Xapian's QueryParser hands each "name:value" to a
// FieldProcessor; values are normalised here exactly as terms.cc indexed
// them, and a value that cannot be understood is a syntax error naming it.
#include "indexer/fields.h"

#include <algorithm>
#include <cctype>

#include "indexer/terms.h"
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

constexpr long kMaxRangeSpan = 500;  // values an enumerated range may expand to

[[noreturn]] void refuse(const std::string& message) { throw Xapian::QueryParserError(message); }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// "2019..2023" -> {"2019", "2023"}; open ends allowed ("..2020", "2019..").
bool split_range(const std::string& v, std::string* from, std::string* to) {
  std::size_t dots = v.find("..");
  if (dots == std::string::npos) return false;
  *from = v.substr(0, dots);
  *to = v.substr(dots + 2);
  return true;
}

Xapian::Query or_of(const std::vector<std::string>& terms) {
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

}  // namespace

Xapian::Query FacetField::operator()(const std::string& value) {
  if (value.empty()) refuse(std::string(facet_.name) + ": needs a value");
  std::string from, to;
  if (!numeric_ || !split_range(value, &from, &to)) return Xapian::Query(facet_term(facet_, value));
  // Years and grades are small integers: a range is the OR of its values, so
  // it stays a boolean filter over the same terms as a single value.
  if (from.empty()) from = numeric_low_;
  if (to.empty()) to = numeric_high_;
  if (!all_digits(from) || !all_digits(to) || from.size() > 6 || to.size() > 6)
    refuse(std::string(facet_.name) + ":" + value + ": a range is two numbers, like " + example_);
  long low = std::stol(from), high = std::stol(to);
  if (low > high)
    refuse(std::string(facet_.name) + ":" + value + ": the range ends before it starts");
  if (high - low > kMaxRangeSpan)
    refuse(std::string(facet_.name) + ":" + value + ": the range is too wide");
  std::vector<std::string> terms;
  for (long v = low; v <= high; ++v) terms.push_back(facet_term(facet_, std::to_string(v)));
  return or_of(terms);
}

Xapian::Query NumberField::operator()(const std::string& value) {
  std::vector<std::string> terms = number_terms(value);
  if (terms.empty()) refuse("number: needs a document number, like number:44/KH-PGDDT");
  // The whole number, or every part of it: "number:KH-PGDĐT" finds 44/KH-PGDĐT.
  std::vector<std::string> parts(terms.begin() + 1, terms.end());
  Xapian::Query whole(terms.front());
  if (parts.empty()) return whole;
  return Xapian::Query(Xapian::Query::OP_OR, whole,
                       Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end()));
}

Xapian::Query DateField::operator()(const std::string& value) {
  std::string from, to;
  if (!split_range(value, &from, &to)) from = to = value;
  auto valid = [](const std::string& d) {
    if (d.empty()) return true;
    static const std::size_t lengths[] = {4, 7, 10};  // YYYY, YYYY-MM, YYYY-MM-DD
    if (std::find(std::begin(lengths), std::end(lengths), d.size()) == std::end(lengths))
      return false;
    for (std::size_t i = 0; i < d.size(); ++i)
      if ((i == 4 || i == 7) ? d[i] != '-' : !std::isdigit(static_cast<unsigned char>(d[i])))
        return false;
    int month = d.size() >= 7 ? std::stoi(d.substr(5, 2)) : 1,
        day = d.size() == 10 ? std::stoi(d.substr(8, 2)) : 1;
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  };
  if (!valid(from) || !valid(to) || (from.empty() && to.empty()))
    refuse("date:" + value + ": dates are written YYYY-MM-DD, like date:2022-01-01..2022-12-31");
  // Stored dates are ISO strings, so they sort as text; "\xff" makes the upper
  // bound include every date that starts with it (2022-12 includes 2022-12-31).
  if (from.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_LE, kSlotDate, to + "\xff");
  if (to.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_GE, kSlotDate, from);
  if (to < from) refuse("date:" + value + ": the range ends before it starts");
  return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, kSlotDate, from, to + "\xff");
}

QueryFields::QueryFields() {
  for (const Facet& f : kFacets) {
    std::string name = f.name;
    if (name == "subject") continue;  // subject: searches the words of the subject instead
    if (name == "year")
      facets_.push_back(std::make_unique<FacetField>(f, true, "1900", "2100", "year:2019..2023"));
    else if (name == "grade")
      facets_.push_back(std::make_unique<FacetField>(f, true, "1", "12", "grade:6..9"));
    else
      facets_.push_back(std::make_unique<FacetField>(f, false, "", "", ""));
  }
}

void QueryFields::add_to(Xapian::QueryParser& parser) {
  for (auto& f : facets_) parser.add_boolean_prefix(f->name(), f.get());
  parser.add_prefix("subject", "K");
  parser.add_boolean_prefix("number", &number_);
  parser.add_boolean_prefix("date", &date_);
  parser.add_prefix("title", "S");
  parser.add_prefix("creator", "A");
  parser.add_prefix("author", "A");
  parser.add_prefix("teacher", "A");
  parser.add_prefix("issuer", "B");
}

}  // namespace kho::indexer
