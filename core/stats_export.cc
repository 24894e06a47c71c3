// Statistics as offices exchange them: JSON for scripts and the web page,
// CSV and XLSX (libxlsxwriter) with Vietnamese headers for spreadsheets.
#include <xlsxwriter.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/sheet_cell.h"
#include "core/stats.h"

namespace kho {

namespace {

const char* const kCount = "Số lượng";
const char* const kTotal = "Tổng cộng";
const char* const kNone = "(không ghi)";

// A cell that a spreadsheet would take for a formula is kept as text.
std::string csv_cell(std::string v) {
  v = formula_guarded(std::move(v));
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_cell(cells[i]);
  return line + "\r\n";
}

// The workbook, closed (and so written) once, whatever happens.
class Workbook {
 public:
  explicit Workbook(const std::string& path) : book_(workbook_new(path.c_str())) {}
  ~Workbook() {
    if (book_ != nullptr) workbook_close(book_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;
  lxw_workbook* get() { return book_; }
  lxw_error close() {
    lxw_error e = workbook_close(book_);
    book_ = nullptr;
    return e;
  }

 private:
  lxw_workbook* book_;
};

// One sheet: a bold header row, then rows of labels and a count, then the total.
void write_sheet(lxw_workbook* book, const char* name, const std::vector<std::string>& headers,
                 const std::vector<std::pair<std::vector<std::string>, std::uint64_t>>& rows,
                 std::uint64_t total) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, name);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_col_t columns = static_cast<lxw_col_t>(headers.size());
  for (lxw_col_t c = 0; c < columns; ++c) {
    worksheet_write_string(sheet, 0, c, headers[c].c_str(), bold);
    worksheet_set_column(sheet, c, c, c + 1 == columns ? 12 : 22, nullptr);
  }
  lxw_row_t r = 1;
  for (const auto& [labels, n] : rows) {
    for (lxw_col_t c = 0; c < labels.size(); ++c)
      worksheet_write_string(sheet, r, c, labels[c].c_str(), nullptr);
    worksheet_write_number(sheet, r, columns - 1, static_cast<double>(n), nullptr);
    ++r;
  }
  worksheet_write_string(sheet, r, 0, kTotal, bold);
  worksheet_write_number(sheet, r, columns - 1, static_cast<double>(total), bold);
  worksheet_freeze_panes(sheet, 1, 0);
}

using Rows = std::vector<std::pair<std::vector<std::string>, std::uint64_t>>;

Rows labelled_rows(const Stats& stats) {
  Rows rows;
  for (const StatsRow& row : stats.rows) {
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < stats.by.size(); ++i)
      labels.push_back(value_label(stats.by[i], row.values[i]));
    rows.emplace_back(std::move(labels), row.count);
  }
  return rows;
}

std::vector<std::string> headers_of(const Stats& stats) {
  std::vector<std::string> headers;
  for (const std::string& d : stats.by) headers.push_back(dimension_header(d));
  headers.emplace_back(kCount);
  return headers;
}

}  // namespace

std::string dimension_header(const std::string& d) {
  static const std::map<std::string, std::string> headers = {
      {"school", "Trường"},     {"kind", "Loại"},      {"year", "Năm"},
      {"subject", "Môn"},       {"grade", "Khối"},     {"language", "Ngôn ngữ"},
      {"status", "Trạng thái"}, {"approval", "Duyệt"}, {"visibility", "Phạm vi"},
      {"month", "Tháng"}};
  auto it = headers.find(d);
  return it == headers.end() ? d : it->second;
}

std::string value_label(const std::string& d, const std::string& v) {
  static const std::map<std::string, std::map<std::string, std::string>> labels = {
      {"kind",
       {{"book", "Sách"},
        {"diploma", "Văn bằng"},
        {"lesson-plan", "Kế hoạch bài dạy"},
        {"admin-doc", "Văn bản hành chính"},
        {"other", "Khác"}}},
      {"status", {{"active", "Đang dùng"}, {"withdrawn", "Đã thu hồi"}}},
      {"approval",
       {{"draft", "Bản nháp"},
        {"pending", "Chờ duyệt"},
        {"approved", "Đã duyệt"},
        {"returned", "Trả lại"}}},
      {"visibility",
       {{"private", "Riêng"},
        {"school", "Trong trường"},
        {"shared", "Trong mạng lưới"},
        {"public", "Công khai"}}},
      {"language", {{"vi", "Tiếng Việt"}, {"en", "Tiếng Anh"}, {"fr", "Tiếng Pháp"}}}};
  if (v.empty()) return kNone;
  if (auto dim = labels.find(d); dim != labels.end())
    if (auto it = dim->second.find(v); it != dim->second.end()) return it->second;
  return v;
}

std::string stats_json(const Stats& stats) {
  nlohmann::json rows = nlohmann::json::array(), schools = nlohmann::json::array(),
                 monthly = nlohmann::json::array();
  for (const StatsRow& row : stats.rows) {
    nlohmann::json r = nlohmann::json::object();
    for (std::size_t i = 0; i < stats.by.size(); ++i) r[stats.by[i]] = row.values[i];
    r["count"] = row.count;
    rows.push_back(std::move(r));
  }
  for (const auto& [school, n] : stats.schools)
    schools.push_back({{"school", school}, {"count", n}});
  for (const auto& [month, n] : stats.monthly) monthly.push_back({{"month", month}, {"count", n}});
  nlohmann::json out = {{"by", stats.by},     {"total", stats.total}, {"rows", rows},
                        {"schools", schools}, {"monthly", monthly},   {"via", stats.via}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string stats_csv(const Stats& stats, bool monthly) {
  std::string out = "\xEF\xBB\xBF";
  if (monthly) {
    out += csv_line({"Tháng", kCount});
    for (const auto& [month, n] : stats.monthly) out += csv_line({month, std::to_string(n)});
  } else {
    out += csv_line(headers_of(stats));
    for (const auto& [labels, n] : labelled_rows(stats)) {
      std::vector<std::string> cells = labels;
      cells.push_back(std::to_string(n));
      out += csv_line(cells);
    }
  }
  std::vector<std::string> total(monthly ? 2 : stats.by.size() + 1);
  total.front() = kTotal;
  total.back() = std::to_string(stats.total);
  return out + csv_line(total);
}

Status stats_xlsx(const Stats& stats, const std::string& path) {
  Workbook book(path);
  if (book.get() == nullptr) return Status::IoError(path + ": cannot make a workbook there");
  write_sheet(book.get(), "Thống kê", headers_of(stats), labelled_rows(stats), stats.total);
  Rows schools, months;
  for (const auto& [school, n] : stats.schools)
    schools.push_back({{value_label("school", school)}, n});
  for (const auto& [month, n] : stats.monthly) months.push_back({{month}, n});
  write_sheet(book.get(), "Theo trường", {"Trường", kCount}, schools, stats.total);
  write_sheet(book.get(), "Theo tháng", {"Tháng", kCount}, months, stats.total);
  if (lxw_error e = book.close(); e != LXW_NO_ERROR)
    return Status::IoError(path + ": " + lxw_strerror(e));
  return Status::Ok();
}

}  // namespace kho
