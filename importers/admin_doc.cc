// Administrative documents and lesson plans, read from their text. Decree 30
// puts the issuer and "Số:" top left, the national motto and "Place, ngày ..."
// top right, the type (KẾ HOẠCH, QUYẾT ĐỊNH...) centred under them with the
// summary below, and at the end "Nơi nhận:" left, the signer right. Office
// files and PDFs give those two columns as table cells, tab-separated cells,
// or lines of their own; a gap of two spaces or a tab separates them here.
#include "importers/admin_doc.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <regex>

#include "common/isbn.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

constexpr std::size_t kHeadSegments = 80;     // the header, from where it starts
constexpr std::size_t kSearchSegments = 400;  // where a web page's banner may push it
constexpr std::size_t kTailSegments = 40;     // recipients and signer end the last

std::string trim(std::string_view s) {
  auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string upper_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// Where a folded, upper-cased phrase starts in s (a byte offset), or npos.
// Folding one code point at a time keeps the map back to s; most lines hold
// no phrase at all, which one fold of the whole line tells at a third of
// the cost.
std::size_t find_folded(std::string_view s, std::string_view phrase) {
  if (upper_ascii(text::fold(s)).find(phrase) == std::string::npos) return std::string::npos;
  std::string folded;
  std::vector<std::size_t> at;
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t start = i;
    UChar32 c;
    U8_NEXT(p, i, s.size(), c);
    for (char f : text::fold(s.substr(start, i - start))) {
      folded += static_cast<char>(f >= 'a' && f <= 'z' ? f - 'a' + 'A' : f);
      at.push_back(start);
    }
  }
  std::size_t hit = folded.find(phrase);
  return hit == std::string::npos ? hit : at[hit];
}

constexpr std::string_view kNation = "CONG HOA XA HOI CHU NGHIA VIET NAM";
constexpr std::string_view kNationStart = "CONG HOA XA HOI";  // a narrow column wraps the rest
constexpr std::string_view kMottoStart = "DOC LAP";
constexpr std::string_view kMottoEnd = "HANH PHUC";

bool is_motto(std::string_view s) {
  return find_folded(s, kNation) != std::string::npos ||
         (find_folded(s, kMottoStart) == 0 && find_folded(s, kMottoEnd) != std::string::npos);
}

bool is_upper_line(std::string_view s);

// The motto as the header sets it, in capitals or as its own short line; not
// "Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam" in a decision's grounds.
bool is_header_motto(std::string_view s) {
  constexpr std::size_t kMottoBytes = 40;  // "Độc lập - Tự do - Hạnh phúc" and its dashes
  return (find_folded(s, kNationStart) == 0 && is_upper_line(s)) ||
         (is_motto(s) && find_folded(s, kMottoStart) == 0 && s.size() <= kMottoBytes);
}

// The rules typed under the issuer and the motto ("-------", "______"): a
// PDF's reading order may run them into the next line ("------Số: 4267/…").
std::string without_rules(std::string_view s) {
  auto rule_at = [&](std::size_t i) {
    return s[i] == '-' || s[i] == '_' || s[i] == '=' || s[i] == '*' || s[i] == '.';
  };
  std::string t = trim(s);
  s = t;
  std::size_t lead = 0, tail = s.size();
  while (lead < s.size() && rule_at(lead)) ++lead;
  while (tail > lead && rule_at(tail - 1)) --tail;
  if (lead < 3) lead = 0;  // "- Như trên;" is a list item, ".docx" a name
  if (s.size() - tail < 3) tail = s.size();
  return trim(s.substr(lead, tail - lead));
}

// What a browser prints in the margins (the date and time, then the page's
// title; the page's address, then "1/2") and a website's copyright line:
// never the document's. Raw order puts each margin's two on one line.
bool is_page_furniture(std::string_view s) {
  static const std::regex kFurniture(
      R"(((https?|file)://\S+|\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}( ?[AP]M)?)( .*)?)"
      R"(|\d{1,2}/\d{1,3})");
  return std::regex_match(s.begin(), s.end(), kFurniture) || s.starts_with("©") ||
         s.starts_with("Copyright");
}

// A line as segments: cells split at tabs or runs of two spaces, and the
// motto cut off whatever a PDF's reading order ran into it.
void add_segments(std::string line, std::vector<std::string>* out) {
  for (std::size_t at; (at = line.find("\xC2\xA0")) != std::string::npos;) line.replace(at, 2, " ");
  std::size_t start = 0;
  auto emit = [&](std::string_view cell) {
    std::string piece = without_rules(cell);
    if (is_page_furniture(piece)) return;
    for (std::string_view phrase : {kNation, kNationStart, kMottoStart}) {
      std::size_t hit = find_folded(piece, phrase);
      if (hit == std::string::npos || hit == 0) continue;
      // The motto's start alone, wrapped in a narrow column, only in capitals.
      if (phrase == kNationStart && !is_upper_line(std::string_view(piece).substr(hit))) continue;
      out->push_back(trim(std::string_view(piece).substr(0, hit)));
      piece = trim(std::string_view(piece).substr(hit));
    }
    std::size_t end = find_folded(piece, kMottoEnd);
    if (end != std::string::npos && end + 10 < piece.size() && is_motto(piece)) {
      out->push_back(piece.substr(0, end + 10));  // "HẠNH PHÚC"/"Hạnh phúc" is 10 bytes
      piece = trim(std::string_view(piece).substr(end + 10));
    }
    if (!piece.empty()) out->push_back(piece);
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    bool gap = line[i] == '\t' || (line[i] == ' ' && i + 1 < line.size() && line[i + 1] == ' ');
    if (!gap) continue;
    emit(std::string_view(line).substr(start, i - start));
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    start = i--;
  }
  emit(std::string_view(line).substr(start));
}

// The segments of the first pages, up to `limit`.
std::vector<std::string> first_segments(const std::vector<std::string>& pages, std::size_t limit) {
  std::vector<std::string> out;
  for (const auto& page : pages) {
    for (std::size_t start = 0; start < page.size() && out.size() < limit;) {
      std::size_t end = std::min(page.find('\n', start), page.size());
      add_segments(page.substr(start, end - start), &out);
      start = end + 1;
    }
    if (out.size() >= limit) break;
  }
  return out;
}

// A column too narrow for the motto wraps it ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA
// VIỆT" / "NAM"), and a PDF's reading order may put the issuer's next line
// between the two parts: the rest of the phrase is found a few segments on
// and joined to its start, so that neither part is taken for the issuer.
void join_split_motto(std::vector<std::string>* seg) {
  for (std::size_t i = 0; i < seg->size(); ++i) {
    std::string folded = trim(upper_ascii(text::fold((*seg)[i])));
    if (!folded.starts_with(kNationStart) || folded.size() >= kNation.size() ||
        !kNation.starts_with(folded) || !is_upper_line((*seg)[i]))
      continue;
    std::string missing = trim(kNation.substr(folded.size()));
    for (std::size_t j = i + 1; j < seg->size() && j <= i + 4; ++j) {
      if (find_folded((*seg)[j], missing) != 0 || text::fold((*seg)[j]).size() != missing.size())
        continue;
      (*seg)[i] += " " + (*seg)[j];
      seg->erase(seg->begin() + static_cast<std::ptrdiff_t>(j));
      break;
    }
  }
}

// Where the document proper starts: a page saved from a website carries the
// site's banner, menu and search box above it. The national motto is only
// ever the document's; without it, "Số: …" far down the page is. The issuer
// stands above (or, in a PDF's reading order, beside) either, so the start
// is the run of capitals just before it.
std::size_t document_start(const std::vector<std::string>& seg);

std::vector<std::string> head_segments(const std::vector<std::string>& pages) {
  std::vector<std::string> all = first_segments(pages, kSearchSegments);
  join_split_motto(&all);
  std::size_t start = document_start(all);
  auto from = all.begin() + static_cast<std::ptrdiff_t>(start);
  return {from, from + static_cast<std::ptrdiff_t>(std::min(kHeadSegments, all.size() - start))};
}

std::vector<std::string> tail_segments(const std::vector<std::string>& pages) {
  std::vector<std::string> reversed;
  for (auto page = pages.rbegin(); page != pages.rend() && reversed.size() < kTailSegments;
       ++page) {
    std::size_t end = page->size();
    while (end > 0 && reversed.size() < kTailSegments) {
      std::size_t nl = page->rfind('\n', end - 1);
      std::size_t start = nl == std::string::npos ? 0 : nl + 1;
      std::vector<std::string> cells;
      add_segments(page->substr(start, end - start), &cells);
      reversed.insert(reversed.end(), cells.rbegin(), cells.rend());
      end = nl == std::string::npos ? 0 : nl;
    }
  }
  return {reversed.rbegin(), reversed.rend()};
}

// Capitals only, and at least three letters: "UBND HUYỆN CẨM GIÀNG".
bool is_upper_line(std::string_view s) {
  int letters = 0;
  for (UChar32 c : text::code_points(s)) {
    if (u_islower(c)) return false;
    if (u_isalpha(c)) ++letters;
  }
  return letters >= 3;
}

// "Phạm Thị Oanh": two to six words, each a capital and small letters.
bool is_person_name(std::string_view s) {
  int words = 0;
  bool word_start = true;
  for (UChar32 c : text::code_points(s)) {
    if (c == ' ') {
      if (word_start) return false;
      word_start = true;
      continue;
    }
    if (!u_isalpha(c) && !(U_GET_GC_MASK(c) & U_GC_M_MASK)) return false;
    if (word_start ? !u_isupper(c) : u_isupper(c)) return false;
    if (word_start) ++words;
    word_start = false;
  }
  return words >= 2 && words <= 6 && !word_start;
}

std::string sentence_case(std::string_view s) {
  std::string low = text::lower(s), out;
  std::vector<UChar32> cps = text::code_points(low);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    UChar32 c = i == 0 ? u_toupper(cps[i]) : cps[i];
    char buf[U8_MAX_LENGTH];
    std::size_t n = 0;
    U8_APPEND_UNSAFE(buf, n, c);
    out.append(buf, n);
  }
  return out;
}

// "hướng dẫn ..." -> "Hướng dẫn ...": the rest as written.
std::string upper_first(std::string_view s) {
  std::vector<UChar32> cps = text::code_points(s);
  if (cps.empty()) return "";
  std::string out;
  char buf[U8_MAX_LENGTH];
  std::size_t n = 0;
  U8_APPEND_UNSAFE(buf, n, u_toupper(cps[0]));
  out.append(buf, n);
  std::size_t first = 0;
  U8_FWD_1_UNSAFE(s.data(), first);
  out.append(s.substr(first));
  return out;
}

// The text after a label, ignoring case: after_label("Trường: X", "Trường")
// gives "X". A colon must follow, except after "Số" ("Số 44/KH" is seen too).
bool after_label(std::string_view s, std::string_view label, std::string* rest) {
  std::string low = text::lower(s), want = text::lower(label);
  // Lower-casing keeps Vietnamese byte lengths, so the offsets agree.
  if (low.size() != s.size() || !low.starts_with(want)) return false;
  std::string_view tail = s.substr(want.size());
  while (!tail.empty() && tail.front() == ' ') tail.remove_prefix(1);
  bool colon = !tail.empty() && tail.front() == ':';
  if (!colon && !(label == "Số" && s.size() > want.size() && s[want.size()] == ' ')) return false;
  if (colon) tail.remove_prefix(1);
  *rest = trim(tail);
  return true;
}

// Template blanks: "…………", ".......", "(số tiết)".
bool is_blank_value(std::string_view v) {
  std::string t = trim(v);
  for (std::string_view dots : {"…", ".", "_"})
    for (std::size_t at; (at = t.find(dots)) != std::string::npos;) t.erase(at, dots.size());
  return trim(t).empty();
}

void put_if_absent(std::map<std::string, std::string>* meta, const std::string& name,
                   const std::string& value) {
  if (value.empty()) return;
  auto it = meta->find(name);
  if (it == meta->end() || trim(it->second).empty()) (*meta)[name] = value;
}

void put_title(const std::vector<std::string>& pages, std::map<std::string, std::string>* meta,
               const std::string& title) {
  if (title.empty()) return;
  auto it = meta->find("title");
  if (it == meta->end() || is_placeholder_title(it->second, pages)) {
    (*meta)["title"] = title;
  } else if (it->second != title) {
    put_if_absent(meta, "description", title);
  }
}

// ---- administrative documents ----

struct DocType {
  std::string_view written, symbol;
};
constexpr DocType kDocTypes[] = {
    {"KẾ HOẠCH", "KH"},      {"QUYẾT ĐỊNH", "QĐ"},       {"THÔNG BÁO", "TB"}, {"BÁO CÁO", "BC"},
    {"TỜ TRÌNH", "TTr"},     {"NGHỊ QUYẾT", "NQ"},       {"CHỈ THỊ", "CT"},   {"HƯỚNG DẪN", "HD"},
    {"CHƯƠNG TRÌNH", "CTr"}, {"BIÊN BẢN", "BB"},         {"QUY CHẾ", "QC"},   {"QUY ĐỊNH", "QyĐ"},
    {"ĐỀ ÁN", "ĐA"},         {"PHƯƠNG ÁN", "PA"},        {"GIẤY MỜI", "GM"},  {"CÔNG ĐIỆN", "CĐ"},
    {"THÔNG CÁO", "TC"},     {"GIẤY GIỚI THIỆU", "GGT"}, {"CÔNG VĂN", ""},
};

// The type line: exactly a type name, or a type name then more capitals.
const DocType* doc_type_line(const std::string& s, std::string* rest) {
  for (const auto& t : kDocTypes) {
    if (s == t.written) return rest->clear(), &t;
    if (s.starts_with(std::string(t.written) + " ") && is_upper_line(s)) {
      *rest = trim(std::string_view(s).substr(t.written.size()));
      if (rest->starts_with("BÀI DẠY")) continue;  // a lesson plan
      return &t;
    }
  }
  return nullptr;
}

// "44/KH-PGDĐT" from "Số: 44/KH-PGDĐT" or "Số: 44 /KH-PGDĐT".
std::string document_number(const std::string& segment) {
  std::string rest;
  if (!after_label(segment, "Số", &rest)) return "";
  std::string number;
  std::size_t i = 0;
  while (i < rest.size()) {
    std::size_t end = rest.find(' ', i);
    std::string token = rest.substr(i, end == std::string::npos ? std::string::npos : end - i);
    bool joins = number.empty() || number.back() == '/' || number.back() == '-' ||
                 token.starts_with("/") || token.starts_with("-");
    if (!joins) break;
    number += token;
    if (end == std::string::npos) break;
    i = end + 1;
  }
  bool has_symbol = number.find('/') != std::string::npos &&
                    std::any_of(number.begin(), number.end(), [](char c) {
                      return (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
                    });
  return has_symbol ? number : "";
}

bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1945 || y > 2200 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// The place before ", ngày": the whole text before it when that is short and
// plain ("Cẩm Giàng"), else its last capitalised words (a PDF may run "Số:
// 07/TTr-THCS" into "Cẩm Văn").
std::string place_before(std::string_view before) {
  std::string p = trim(before);
  while (!p.empty() && p.back() == ',') p.pop_back();
  p = trim(p);
  bool plain = p.size() <= 60 && p.find_first_of("0123456789/:") == std::string::npos;
  if (plain) return p;
  std::size_t start = p.size();
  while (start > 0) {
    std::size_t space = p.rfind(' ', start - 1);
    std::size_t from = space == std::string::npos ? 0 : space + 1;
    std::string word = p.substr(from, start - from);
    std::vector<UChar32> cps = text::code_points(word);
    bool capitalised =
        cps.size() >= 2 && u_isupper(cps[0]) &&
        std::all_of(cps.begin() + 1, cps.end(), [](UChar32 c) { return u_islower(c); });
    if (!capitalised) break;
    start = from == 0 ? 0 : from - 1;
    if (from == 0) break;
  }
  return trim(std::string_view(p).substr(std::min(start, p.size())));
}

// "Cẩm Giàng, ngày 04 tháng 10 năm 2022" -> place, "2022-10-04".
bool place_and_date(const std::string& s, std::string* place, std::string* iso) {
  static const std::regex kDate(R"(,?\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))");
  std::smatch m;
  if (!std::regex_search(s, m, kDate) || m.position(0) == 0) return false;
  int d = std::stoi(m[1]), mo = std::stoi(m[2]), y = std::stoi(m[3]);
  if (!valid_date(y, mo, d)) return false;
  *place = place_before(std::string_view(s).substr(0, static_cast<std::size_t>(m.position(0))));
  if (place->empty()) return false;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
  *iso = buf;
  return true;
}

bool is_list_item(std::string_view s) {
  return s.starts_with("-") || s.starts_with("+") || s.starts_with("*") || s.starts_with("•");
}

// Whether a line goes on with a summary broken where its column ended: it
// starts with a small letter ("kê giáo dục năm học 2022 - 2023"), or it is a
// short rest that starts with a number or an abbreviation ("2023-2024", "CNTT
// năm học 2023-2024") but is no numbered heading, label or line of capitals.
bool continues_summary(const std::string& summary, const std::string& s) {
  std::vector<UChar32> cps = text::code_points(s);
  if (cps.empty() || summary.empty()) return false;
  if (u_islower(cps[0])) return true;
  char last = summary.back();
  if (last == '.' || last == ':' || last == ';' || s.find(':') != std::string::npos ||
      is_upper_line(s) || is_list_item(s))
    return false;
  static const std::regex kHeading(R"(^([0-9]+|[IVXLC]+|[A-Z])[.)]\s.*)");
  if (std::regex_match(s, kHeading)) return false;
  std::size_t words = static_cast<std::size_t>(std::count(s.begin(), s.end(), ' ')) + 1;
  int capitals = 0;
  for (UChar32 c : text::code_points(s.substr(0, s.find(' ')))) {
    if (u_islower(c)) return false;  // "Trường THCS …": a new sentence
    capitals += u_isupper(c) ? 1 : 0;
  }
  return words <= 8 && (u_isdigit(cps[0]) || capitals >= 2);
}

// A summary runs on over lines that continue its sentence; a capital or a
// number starts the body. A PDF's physical layout may put the other column's
// motto or date between its lines ("V/v hướng dẫn …  Hà Nội, ngày …").
std::string continued(const std::vector<std::string>& seg, std::size_t from, std::string first) {
  std::string place, iso;
  for (std::size_t i = from, lines = 0; i < seg.size() && i < from + 4 && lines < 2; ++i) {
    if (is_motto(seg[i]) || place_and_date(seg[i], &place, &iso)) continue;
    if (!continues_summary(first, seg[i])) break;
    first += " " + seg[i];
    ++lines;
  }
  return first;
}

// Organisations' names start with one of these; other capitals continue a
// name broken over two lines.
bool starts_organisation(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "UBND",      "ỦY BAN",   "UỶ BAN",    "BỘ ",       "SỞ ",      "PHÒNG",  "TRƯỜNG",
      "BAN ",      "HỘI ĐỒNG", "TRUNG TÂM", "CÔNG ĐOÀN", "ĐOÀN",     "CHI BỘ", "ĐẢNG BỘ",
      "LIÊN ĐỘI",  "TỔ ",      "VIỆN",      "CỤC",       "VỤ ",      "TỈNH",   "HUYỆN",
      "THÀNH PHỐ", "QUẬN",     "XÃ ",       "CHÍNH PHỦ", "HỌC VIỆN", "ĐẠI HỌC"};
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](std::string_view w) { return s.starts_with(w); });
}

std::string issuer_of(const std::vector<std::string>& block) {
  std::vector<std::string> units;
  for (const auto& line : block) {
    if (!units.empty() && !starts_organisation(line))
      units.back() += " " + line;
    else
      units.push_back(line);
  }
  std::string out;
  for (const auto& u : units) out += (out.empty() ? "" : " – ") + u;
  return out;
}

std::string clean_item(std::string_view item) {
  std::string s = trim(item);
  while (!s.empty() &&
         (s.front() == '-' || s.front() == '+' || s.front() == '*' || s.front() == ' '))
    s.erase(0, 1);
  if (s.starts_with("•")) s.erase(0, std::string_view("•").size());
  while (!s.empty() && (s.back() == ';' || s.back() == ',' || s.back() == '.' || s.back() == ' '))
    s.pop_back();
  return trim(s);
}

bool is_signing_prefix(std::string_view s) {
  for (std::string_view p : {"KT.", "TL.", "TM.", "Q.", "TUQ.", "KT ", "TL ", "TM "})
    if (s.starts_with(p)) return true;
  return false;
}

struct Footer {
  std::string recipients, signer, signer_role;
};

// "Nơi nhận:" and its items, then the signer's capacity and name.
Footer read_footer(const std::vector<std::string>& tail) {
  Footer f;
  std::vector<std::string> items, rest;
  bool in_recipients = false;
  for (const auto& s : tail) {
    std::string after;
    if (after_label(s, "Nơi nhận", &after)) {
      in_recipients = true, items.clear(), rest.clear();
      // The signer's column run into the line: "Nơi nhận: KT. HIỆU TRƯỞNG".
      if (is_upper_line(after) || is_signing_prefix(after)) rest.push_back(after), after.clear();
      std::size_t start = 0;
      for (std::size_t semi; !after.empty(); start = semi + 1) {
        semi = after.find(';', start);
        std::string item = clean_item(after.substr(start, semi - start));
        if (!item.empty()) items.push_back(item);
        if (semi == std::string::npos) break;
      }
      continue;
    }
    // A PDF's reading order may interleave the two columns line by line, so
    // the signer's lines do not end the list; only the end of the text does.
    if (in_recipients && is_list_item(s)) {
      items.push_back(clean_item(s));
      continue;
    }
    rest.push_back(s);
  }
  for (const auto& i : items) f.recipients += (f.recipients.empty() ? "" : "; ") + i;
  // From the end: the name, then the capacity lines above it.
  std::size_t end = rest.size();
  if (end > 0 && is_person_name(rest[end - 1])) f.signer = rest[--end];
  std::size_t begin = end;
  while (begin > 0 && end - begin < 3 && is_upper_line(rest[begin - 1])) --begin;
  while (begin < end && !is_signing_prefix(rest[begin]) && end - begin > 2) ++begin;
  bool capacity = begin < end && (is_signing_prefix(rest[begin]) || !f.signer.empty());
  for (std::size_t i = begin; capacity && i < end; ++i)
    f.signer_role += (f.signer_role.empty() ? "" : " – ") + rest[i];
  return f;
}

std::size_t document_start(const std::vector<std::string>& seg) {
  constexpr std::size_t kLeftColumn = 8;  // issuer, rule, "Số:", a summary on 3 lines
  constexpr std::size_t kIssuerLines = 4;
  auto motto =
      std::find_if(seg.begin(), seg.end(), [](const auto& s) { return is_header_motto(s); });
  std::size_t anchor = static_cast<std::size_t>(motto - seg.begin());
  std::string place, iso;
  if (motto == seg.end()) {
    auto number = std::find_if(seg.begin(), seg.end(),
                               [](const auto& s) { return !document_number(s).empty(); });
    anchor = static_cast<std::size_t>(number - seg.begin());
    // Near the top, whatever stands above "Số:" may be the header (a report
    // may put its type and summary first); only a number far down is taken
    // for a document under something else.
    if (anchor < kHeadSegments / 2 || number == seg.end()) return 0;
  } else {
    // The left column may come first in reading order: "Số:", "V/v …", the date.
    for (std::size_t i = anchor > kLeftColumn ? anchor - kLeftColumn : 0; i < anchor; ++i)
      if (!document_number(seg[i]).empty() || seg[i].starts_with("V/v") ||
          place_and_date(seg[i], &place, &iso)) {
        anchor = i;
        break;
      }
  }
  std::size_t start = anchor;
  while (start > 0 && anchor - start < kIssuerLines && is_upper_line(seg[start - 1]) &&
         !is_motto(seg[start - 1]))
    --start;
  return start;
}

bool describe_admin(const std::vector<std::string>& pages, const std::vector<std::string>& head,
                    std::map<std::string, std::string>* meta) {
  std::string number, place, issued, summary, vv, rest;
  const DocType* type = nullptr;
  bool motto = false;
  std::size_t number_at = head.size(), type_at = head.size();
  for (std::size_t i = 0; i < head.size(); ++i) {
    const std::string& s = head[i];
    // "Số:" and the date may share a line when a PDF runs the columns together.
    if (issued.empty()) place_and_date(s, &place, &issued);
    if (is_motto(s)) {
      motto = true;
    } else if (number.empty() && !(number = document_number(s)).empty()) {
      number_at = i;
    } else if (vv.empty() && (s.starts_with("V/v") || s.starts_with("V/V"))) {
      vv = continued(head, i + 1, trim(std::string_view(s).substr(3)));
    } else if (type == nullptr && (type = doc_type_line(s, &rest)) != nullptr) {
      type_at = i;
      if (!rest.empty())
        summary = rest;
      else if (i + 1 < head.size() && document_number(head[i + 1]).empty())
        summary = continued(head, i + 2, head[i + 1]);
    }
  }
  // A type heading with "Về việc …" under it is a decision or a letter even
  // where the header is missing (a scan of the body page, a draft).
  bool about = type != nullptr && type_at < 3 && summary.starts_with("Về việc");
  bool admin = (!number.empty() && (motto || type || !issued.empty())) ||
               (!issued.empty() && type != nullptr) || about;
  if (!admin) return false;
  std::string doc_type;
  if (type != nullptr) {
    doc_type = sentence_case(type->written);
  } else if (!vv.empty()) {
    doc_type = "Công văn";
  } else {
    std::size_t slash = number.find('/');
    std::string symbol = number.substr(slash + 1, number.find('-', slash) - slash - 1);
    for (const auto& t : kDocTypes)
      if (!t.symbol.empty() && symbol == t.symbol) doc_type = sentence_case(t.written);
  }
  // The issuer: the capitals above "Số:" (or above the type), motto aside.
  std::vector<std::string> block;
  for (std::size_t i = 0; i < std::min(number_at, type_at); ++i)
    if (is_upper_line(head[i]) && !is_motto(head[i])) block.push_back(head[i]);
  Footer footer = read_footer(tail_segments(pages));
  put_if_absent(meta, "kind", "admin-doc");
  put_if_absent(meta, "number", number);
  put_if_absent(meta, "doc_type", doc_type);
  put_if_absent(meta, "issuer", issuer_of(block));
  put_if_absent(meta, "place", place);
  put_if_absent(meta, "issued", issued);
  // The day it was signed, not the day its file was saved.
  if (!issued.empty()) (*meta)["date"] = issued;
  put_if_absent(meta, "recipients", footer.recipients);
  put_if_absent(meta, "signer", footer.signer);
  put_if_absent(meta, "signer_role", footer.signer_role);
  put_title(pages, meta, upper_first(vv.empty() ? summary : vv));
  return true;
}

// ---- lesson plans ----

std::string digits_of(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9')
      d += c;
    else if (!d.empty())
      break;
  }
  while (d.size() > 1 && d.front() == '0') d.erase(0, 1);
  return d;
}

bool describe_lesson_plan(const std::vector<std::string>& pages,
                          const std::vector<std::string>& head,
                          std::map<std::string, std::string>* meta) {
  bool heading = false;
  std::string school, group, teacher, lesson, subject, grade, periods, v;
  for (std::size_t i = 0; i < head.size(); ++i) {
    const std::string& s = head[i];
    auto value = [&](std::string_view label, std::string* out) {
      if (!out->empty() || !after_label(s, label, &v)) return false;
      // "Họ và tên giáo viên:" with the name on the next line.
      if (is_blank_value(v) && i + 1 < head.size() && is_person_name(head[i + 1])) v = head[i + 1];
      if (!is_blank_value(v)) *out = v;
      return true;
    };
    if (s == "KẾ HOẠCH BÀI DẠY" || s == "KHUNG KẾ HOẠCH BÀI DẠY") heading = true;
    if (value("Trường", &school) || value("Tổ chuyên môn", &group) || value("Tổ", &group) ||
        value("Họ và tên giáo viên", &teacher) || value("Giáo viên", &teacher) ||
        value("Tên bài dạy", &lesson))
      continue;
    std::string subject_line;
    if (subject.empty() && (after_label(s, "Môn học/Hoạt động giáo dục", &subject_line) ||
                            after_label(s, "Môn học", &subject_line))) {
      std::string low = text::lower(subject_line);
      std::size_t cls = low.find("lớp");
      std::string name = trim(std::string_view(subject_line).substr(0, cls));
      while (!name.empty() && (name.back() == ';' || name.back() == ',')) name.pop_back();
      if (!is_blank_value(name)) subject = trim(name);
      if (cls != std::string::npos) grade = digits_of(std::string_view(subject_line).substr(cls));
      continue;
    }
    if (periods.empty() && after_label(s, "Thời gian thực hiện", &v)) periods = digits_of(v);
  }
  int labels =
      !school.empty() + !group.empty() + !teacher.empty() + !lesson.empty() + !subject.empty();
  if (!(heading && labels >= 2) && !(labels >= 4 && !lesson.empty())) return false;
  put_if_absent(meta, "kind", "lesson-plan");
  put_if_absent(meta, "school_name", school);
  put_if_absent(meta, "subject_group", group);
  put_if_absent(meta, "teacher", teacher);
  put_if_absent(meta, "subject", subject);
  put_if_absent(meta, "grade", grade);
  put_if_absent(meta, "periods", periods);
  put_title(pages, meta, lesson);
  return true;
}

}  // namespace

bool is_placeholder_title(std::string_view title, const std::vector<std::string>& pages) {
  std::string t = trim(title), low = text::lower(t);
  if (t.empty()) return true;
  for (std::string_view p : {"microsoft word - ", "microsoft powerpoint - ", "microsoft excel - "})
    if (low.starts_with(p)) return true;
  // A browser prints a page without <title> under its file name or address.
  for (std::string_view ext :
       {".doc", ".docx", ".pdf", ".odt", ".rtf", ".txt", ".dot", ".html", ".htm", ".xhtml"})
    if (low.ends_with(ext)) return true;
  if (low.find("://") != std::string::npos || low.starts_with("www.")) return true;
  for (std::string_view p : {"untitled", "document", "tài liệu", "văn bản"})
    if (low == p) return true;
  // The importer guessed it from the text: one of the first lines; or a web
  // page's title, which a website sets to its own name, over its banner.
  if (pages.empty()) return false;
  std::vector<std::string> first = first_segments(pages, kSearchSegments);
  join_split_motto(&first);
  first.resize(std::min(first.size(), std::max<std::size_t>(12, document_start(first))));
  return std::find(first.begin(), first.end(), t) != first.end();
}

bool describes_media_type(std::string_view media_type) {
  static constexpr std::string_view kText[] = {
      "application/pdf",
      "text/plain",
      "text/html",
      "application/xhtml+xml",
      "application/msword",
      "application/rtf",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.oasis.opendocument.text",
  };
  return media_type.starts_with("image/") ||
         std::find(std::begin(kText), std::end(kText), media_type) != std::end(kText);
}

namespace {

// ---- books ----

// The first ISBN a page prints ("ISBN 978-604-0-25371-4", "ISBN-13: ...")
// whose check digit holds, as digits; "" when there is none.
std::string printed_isbn(const std::string& page) {
  std::string upper = page;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto at = upper.find("ISBN"); at != std::string::npos; at = upper.find("ISBN", at + 4)) {
    std::size_t i = at + 4;
    if (upper.compare(i, 3, "-13") == 0 || upper.compare(i, 3, "-10") == 0) i += 3;
    while (i < upper.size() && (upper[i] == ':' || upper[i] == ' ' || upper[i] == '\t')) ++i;
    std::string digits;
    for (; i < upper.size() && digits.size() < 13; ++i) {
      char c = upper[i];
      if (std::isdigit(static_cast<unsigned char>(c)) || (c == 'X' && digits.size() == 9))
        digits += c;
      else if (c != '-' && c != ' ')
        break;
    }
    if (digits.size() > 10 && digits.size() < 13) digits.resize(10);  // ISBN-10, then more text
    if ((digits.size() == 10 || digits.size() == 13) && isbn_checks(digits)) return digits;
  }
  return "";
}

// A book prints its ISBN on the copyright page, near the front or the back.
void describe_book(const std::vector<std::string>& pages,
                   std::map<std::string, std::string>* meta) {
  if (meta->count("isbn")) return;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (i >= 6 && i + 3 < pages.size()) continue;
    if (std::string isbn = printed_isbn(pages[i]); !isbn.empty()) {
      (*meta)["isbn"] = isbn;
      put_if_absent(meta, "kind", "book");
      return;
    }
  }
}

}  // namespace

void describe_document(const std::vector<std::string>& pages,
                       std::map<std::string, std::string>* meta) {
  std::vector<std::string> head = head_segments(pages);
  if (describe_lesson_plan(pages, head, meta)) return;
  if (describe_admin(pages, head, meta)) return;
  describe_book(pages, meta);
}

}  // namespace kho::importers
