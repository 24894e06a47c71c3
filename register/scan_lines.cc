// A page of a register's scan, line by line as OCR read it, each line with
// the fields it seems to hold. Old registers exist only on paper: staff type
// their entries beside the scan, starting from these guesses; nothing is kept
// until a person confirms it (Registry::add_entry).
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "register/register_impl.h"
#include "text/vietnamese.h"

namespace kho::registry {

namespace {

std::string folded(const std::string& s) { return text::lower(text::fold(text::nfc(s))); }

// A word of a name or a place: letters only (an apostrophe inside, as in
// H'Mông), starting with a capital.
bool capitalised_word(const std::string& token) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(token);
  if (u.length() == 0 || !u_isupper(u.char32At(0))) return false;
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    UChar32 c = u.char32At(i);
    if (!u_isalpha(c) && !(c == '\'' && i > 0)) return false;
  }
  return true;
}

bool is_date(const std::string& token) {
  static const std::regex date(R"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})");
  return std::regex_match(token, date);
}

// The words of a line; OCR reads a table's rules as bars, which are dropped.
std::vector<std::string> tokens_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(text::nfc(line));
  for (std::string t; in >> t;)
    if (t.find_first_not_of("|¦[]") != std::string::npos) out.push_back(t);
  return out;
}

// Classification: one word or two ("Trung bình", "Xuất sắc"); how many it took.
std::size_t classification_at(const std::vector<std::string>& t, std::size_t i, std::string* out) {
  std::string one = folded(t[i]), two = i + 1 < t.size() ? one + " " + folded(t[i + 1]) : "";
  if (one == "gioi") return *out = "Giỏi", 1;
  if (one == "kha") return *out = "Khá", 1;
  if (one == "tb" || one == "trung-binh") return *out = "Trung bình", 1;
  if (two == "trung binh") return *out = "Trung bình", 2;
  if (two == "xuat sac") return *out = "Xuất sắc", 2;
  return 0;
}

}  // namespace

std::map<std::string, std::string> guess_entry(const std::string& line) {
  static const std::regex serial_letters(R"([A-Z]{1,2})"), serial_digits(R"(\d{5,8})"),
      serial_whole(R"([A-Z]{1,2}\d{5,8})"), ordinal(R"(\d{1,4}\.?)");
  std::vector<std::string> t = tokens_of(line);
  std::map<std::string, std::string> g;
  std::size_t i = 0;
  if (i < t.size() && std::regex_match(t[i], ordinal)) ++i;  // the line's number (STT)
  std::string name;
  std::size_t name_words = 0;
  for (; i < t.size() && capitalised_word(t[i]); ++i, ++name_words)
    name += (name.empty() ? "" : " ") + t[i];
  if (name_words >= 2 && name_words <= 6) g["full_name"] = title_case(name);
  std::string place;  // the capitalised words right after the birth date
  bool in_place = false;
  for (; i < t.size(); ++i) {
    std::string f = folded(t[i]), value;
    if (is_date(t[i])) {
      std::string d = t[i];
      std::replace_if(
          d.begin(), d.end(), [](char c) { return c == '.' || c == '-'; }, '/');
      g[g.count("birth_date") ? "issued" : "birth_date"] = d;
      in_place = !g.count("issued");
    } else if ((f == "nam" || f == "nu") && !g.count("sex")) {
      g["sex"] = f == "nam" ? "Nam" : "Nữ";
      in_place = false;
      if (i + 1 < t.size() && capitalised_word(t[i + 1]) && !classification_at(t, i + 1, &value))
        g["ethnicity"] = t[++i];
    } else if (std::size_t n = classification_at(t, i, &value); n > 0) {
      g["classification"] = value;
      i += n - 1;
      in_place = false;
    } else if (i + 1 < t.size() && std::regex_match(t[i], serial_letters) &&
               std::regex_match(t[i + 1], serial_digits) && !g.count("serial")) {
      g["serial"] = t[i] + " " + t[i + 1];
      ++i;
    } else if (std::regex_match(t[i], serial_whole) && !g.count("serial")) {
      g["serial"] = t[i];
    } else if (t[i].find_first_of("0123456789") != std::string::npos &&
               t[i].find_first_of("-/") != std::string::npos && !g.count("entry_number")) {
      g["entry_number"] = t[i];
    } else if (in_place && capitalised_word(t[i])) {
      place += (place.empty() ? "" : " ") + t[i];
      continue;
    }
    if (in_place && !place.empty() && !is_date(t[i])) in_place = false;
  }
  if (!place.empty()) g["birth_place"] = place;
  // A line with no date and no number is a heading or a note, not a graduate.
  if (!g.count("birth_date") && !g.count("serial") && !g.count("entry_number")) g.clear();
  return g;
}

Status Registry::scan_lines(std::uint64_t register_id, std::uint32_t page, const Access& access,
                            std::vector<ScanLine>* out) const {
  out->clear();
  Register reg;
  Status s = store_.read_tables(
      [&](const store::Tables& t) { return load_register(t, register_id, &reg); });
  if (s.ok() && !access.may_change(reg.org, "diploma"))
    s = Status::NotFound("no register " + std::to_string(register_id));
  if (!s.ok()) return s;
  if (reg.scan == 0)
    return Status::NotFound("register " + std::to_string(register_id) + " has no scan");
  std::string text;
  if (Status p = store_.page_text(reg.scan, page, &text); !p.ok())
    return Status::NotFound("the register's scan has no page " + std::to_string(page));
  std::istringstream in(text);
  std::uint32_t n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      out->push_back({++n, line, guess_entry(line)});
  store::Actor who = access.actor();
  return store_.audit({0, "", who.name, who.from, "read-personal", reg.scan,
                       "text of page " + std::to_string(page) + ", to type entries of register " +
                           std::to_string(register_id)});
}

}  // namespace kho::registry
