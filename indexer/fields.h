// Fields of the query language that take exact values rather than words;
// private to the indexer (see fields.cc).
#pragma once

#include <xapian.h>

#include <memory>
#include <string>
#include <vector>

#include "indexer/terms.h"

namespace kho::indexer {

// kind:book, school:MTH01, doctype:"kế hoạch", year:2022, year:2019..2023,
// grade:6..9. Numeric facets take ranges of whole numbers.
class FacetField : public Xapian::FieldProcessor {
 public:
  FacetField(const Facet& facet, bool numeric, std::string low, std::string high,
             std::string example)
      : facet_(facet),
        numeric_(numeric),
        numeric_low_(std::move(low)),
        numeric_high_(std::move(high)),
        example_(std::move(example)) {}
  const char* name() const { return facet_.name; }
  Xapian::Query operator()(const std::string& value) override;

 private:
  const Facet& facet_;
  bool numeric_;
  std::string numeric_low_, numeric_high_, example_;
};

// number:44/KH-PGDĐT, number:KH-PGDĐT, number:44.
class NumberField : public Xapian::FieldProcessor {
 public:
  Xapian::Query operator()(const std::string& value) override;
};

// date:2022-10-04, date:2022-01-01..2022-12-31, date:2022, date:..2020-06.
class DateField : public Xapian::FieldProcessor {
 public:
  Xapian::Query operator()(const std::string& value) override;
};

// Every field, registered on a parser; must outlive the parser's use.
class QueryFields {
 public:
  QueryFields();
  void add_to(Xapian::QueryParser& parser);

 private:
  std::vector<std::unique_ptr<FacetField>> facets_;
  NumberField number_;
  DateField date_;
};

}  // namespace kho::indexer
