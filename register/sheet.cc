// Register sheets as offices keep them: a header row (maybe under a heading)
// naming the columns in their usual variants, folded before comparing, so
// "Họ và tên", "HỌ VÀ TÊN" and "Ho va ten" are one column.
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include "importers/formats.h"
#include "importers/worker.h"
#include "register/register_impl.h"
#include "text/vietnamese.h"

namespace kho::registry {

namespace {

const std::map<std::string, std::string>& columns() {
  static const std::map<std::string, std::string> c = {
      {"ho va ten", "full_name"},
      {"ho ten", "full_name"},
      {"ho va ten hoc sinh", "full_name"},
      {"ho ten hoc sinh", "full_name"},
      {"ho va ten nguoi hoc", "full_name"},
      {"ho va ten nguoi duoc cap bang", "full_name"},
      {"full name", "full_name"},
      {"name", "full_name"},
      {"ngay sinh", "birth_date"},
      {"ngay thang nam sinh", "birth_date"},
      {"date of birth", "birth_date"},
      {"birth date", "birth_date"},
      {"noi sinh", "birth_place"},
      {"place of birth", "birth_place"},
      {"gioi tinh", "sex"},
      {"nam nu", "sex"},
      {"sex", "sex"},
      {"gender", "sex"},
      {"dan toc", "ethnicity"},
      {"ethnicity", "ethnicity"},
      {"truong", "school"},
      {"hoc sinh truong", "school"},
      {"truong hoc", "school"},
      {"school", "school"},
      {"don vi", "school"},
      {"lop", "class"},
      {"class", "class"},
      {"nam tot nghiep", "year"},
      {"khoa thi", "year"},
      {"nam", "year"},
      {"year", "year"},
      {"graduation year", "year"},
      {"xep loai", "classification"},
      {"xep loai tot nghiep", "classification"},
      {"classification", "classification"},
      {"so quyet dinh", "decision_number"},
      {"quyet dinh so", "decision_number"},
      {"so qd", "decision_number"},
      {"so quyet dinh cong nhan tot nghiep", "decision_number"},
      {"decision number", "decision_number"},
      {"ngay quyet dinh", "decision_date"},
      {"ngay qd", "decision_date"},
      {"decision date", "decision_date"},
      {"so hieu bang", "serial"},
      {"so hieu van bang", "serial"},
      {"so hieu", "serial"},
      {"so hieu bang tot nghiep", "serial"},
      {"serial", "serial"},
      {"serial number", "serial"},
      {"so vao so", "entry_number"},
      {"so vao so cap bang", "entry_number"},
      {"vao so cap bang so", "entry_number"},
      {"so vao so goc", "entry_number"},
      {"so vao so goc cap bang", "entry_number"},
      {"entry number", "entry_number"},
      {"ngay cap", "issued"},
      {"ngay cap bang", "issued"},
      {"date of issue", "issued"},
      {"issued", "issued"},
      {"nguoi ky", "signer"},
      {"nguoi ky bang", "signer"},
      {"signer", "signer"},
      {"ghi chu", "notes"},
      {"notes", "notes"},
      {"trang", "scan_page"},
      {"trang so", "scan_page"},
      {"page", "scan_page"},
      {"dong", "scan_line"},
      {"line", "scan_line"},
  };
  return c;
}

// "Số hiệu bằng (Serial):" -> "so hieu bang", the parenthesis dropped.
std::string column_key(const std::string& cell) {
  std::string f = text::lower(text::fold(text::nfc(cell)));
  if (auto p = f.find('('); p != std::string::npos) f.erase(p);
  std::string out;
  for (char c : f) {
    bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (word)
      out += c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

bool find_header(const std::vector<std::vector<std::string>>& rows, std::size_t* header,
                 std::vector<std::string>* fields) {
  for (std::size_t i = 0; i < rows.size() && i < 10; ++i) {
    std::vector<std::string> found;
    int known = 0;
    bool name = false;
    for (const std::string& cell : rows[i]) {
      auto it = columns().find(column_key(cell));
      std::string field = it == columns().end() ? "" : it->second;
      // A column named twice keeps its first: "Năm" after "Năm tốt nghiệp".
      if (!field.empty() && std::find(found.begin(), found.end(), field) != found.end()) field = "";
      known += !field.empty();
      name = name || field == "full_name";
      found.push_back(field);
    }
    if (name && known >= 3) {
      *header = i;
      *fields = std::move(found);
      return true;
    }
  }
  return false;
}

std::string title_case(const std::string& name) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(name);
  u.toLower(icu::Locale("vi"));
  bool start = true;
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    UChar32 c = u.char32At(i);
    if (u_isalpha(c) && start) {
      icu::UnicodeString one(c);
      one.toUpper(icu::Locale("vi"));
      u.replace(i, U16_LENGTH(c), one);
    }
    start = !(u_isalpha(c) || u_getCombiningClass(c) > 0 || u_charType(c) == U_NON_SPACING_MARK);
  }
  std::string out;
  u.toUTF8String(out);
  return text::nfc(out);
}

}  // namespace kho::registry

// --- reading a sheet file ----------------------------------------------------

namespace kho::registry {

namespace {

constexpr std::size_t kMaxSheetBytes = std::size_t{64} << 20;

// The XLSX importer's text of a sheet: cells tab-separated, rows as lines.
std::vector<std::vector<std::string>> tab_rows(const std::string& page) {
  std::vector<std::vector<std::string>> rows;
  std::size_t at = 0;
  while (at < page.size()) {
    std::size_t end = page.find('\n', at);
    if (end == std::string::npos) end = page.size();
    std::vector<std::string> row;
    std::size_t from = at;
    for (std::size_t i = at; i <= end; ++i)
      if (i == end || page[i] == '\t') row.push_back(page.substr(from, i - from)), from = i + 1;
    rows.push_back(std::move(row));
    at = end + 1;
  }
  return rows;
}

}  // namespace

Status read_sheet(const std::string& path, const std::string& worker_exe,
                  std::vector<std::vector<std::string>>* rows) {
  rows->clear();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::string head(4, '\0');
  in.read(head.data(), 4);
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.starts_with("PK\x03\x04")) {  // XLSX: parsed in a worker, as every untrusted file
    importers::Document doc;
    Status s = worker_exe.empty() ? importers::Registry::builtin().extract(path, &doc)
                                  : importers::extract_in_worker(worker_exe, path, {}, &doc);
    if (!s.ok()) return s;
    if (doc.media_type.find("spreadsheetml") == std::string::npos)
      return Status::Unsupported("not a spreadsheet (XLSX) or a CSV file");
    for (const std::string& page : doc.pages) {  // the first sheet with a header row
      auto sheet = tab_rows(page);
      std::size_t header = 0;
      std::vector<std::string> columns;
      if (find_header(sheet, &header, &columns)) {
        *rows = std::move(sheet);
        return Status::Ok();
      }
    }
    if (!doc.pages.empty())
      *rows = tab_rows(doc.pages.front());  // import_rows names what is missing
    return Status::Ok();
  }
  in.seekg(0);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() > kMaxSheetBytes) return Status::TooLarge("the sheet is larger than 64 MiB");
  std::string text;
  if (!importers::decode_text(bytes, &text))
    return Status::Unsupported(
        "neither an XLSX spreadsheet nor a CSV text file (save as \"CSV UTF-8\")");
  *rows = importers::csv_rows(text, importers::separator_of(text));
  if (rows->size() > importers::kMaxSheetRows)
    return Status::TooLarge("more than " + std::to_string(importers::kMaxSheetRows) +
                            " rows in the sheet");
  return Status::Ok();
}

}  // namespace kho::registry
