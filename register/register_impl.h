// Internals shared by the register's files; not part of its promise.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/big_endian.h"
#include "register/register.h"

namespace kho::registry {

// A serial or entry number as looked up: folded, upper case, no spaces.
std::string index_form(std::string_view typed);
// A name's words, folded and lower case: what a lookup matches.
std::vector<std::string> name_words(std::string_view name);
// "NGUYỄN văn  an" -> "Nguyễn Văn An" (sheet.cc, with ICU).
std::string title_case(const std::string& name);
// The value kept for a field, or Invalid naming it ("field: reason").
Status normalise(const std::string& name, const std::string& value, std::string* out);
Status check_decision(const Decision& d);
// The header row among the first ten, and each column's field ("" unknown).
bool find_header(const std::vector<std::vector<std::string>>& rows, std::size_t* header,
                 std::vector<std::string>* columns);

nlohmann::json to_json(const Entry& e);
nlohmann::json to_json(const Register& r);
nlohmann::json decision_json(const Decision& d);
Status load_entry(const store::Tables& t, std::uint64_t id, Entry* out);
Status load_register(const store::Tables& t, std::uint64_t id, Register* out);
Status check_unique(const store::Tables& t, const Entry& e);
Status save_entry(store::Tables& t, const Entry& e);

}  // namespace kho::registry
