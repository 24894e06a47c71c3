// A sheet of catalogue records, one row per item, as schools keep them in
// Excel or export them as CSV: a header row names the columns (Vietnamese or
// English, "Nhan đề"/"Title", "Tác giả"/"Author", ...) and each row below it
// with a title is an entry. The header is found by its names, in the first
// rows, so a sheet may start with a heading ("DANH MỤC SÁCH ...") above it.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/sheet_cell.h"
#include "importers/formats.h"
#include "importers/package.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

constexpr std::size_t kHeaderRows = 10;          // how far down the header may be
constexpr std::size_t kMaxRows = kMaxSheetRows;  // rows in one sheet

// Column names, folded (no diacritics, lower case, single spaces), and the
// field each fills. "" marks a column that is known but not kept.
struct Column {
  const char* name;
  const char* field;
};
const Column kColumns[] = {
    {"nhan de", "title"},
    {"nhan de chinh", "title"},
    {"ten sach", "title"},
    {"ten tai lieu", "title"},
    {"ten an pham", "title"},
    {"title", "title"},
    {"tac gia", "creator"},
    {"tac gia chinh", "creator"},
    {"author", "creator"},
    {"authors", "creator"},
    {"creator", "creator"},
    {"dong tac gia", "contributor"},
    {"nguoi dich", "contributor"},
    {"contributor", "contributor"},
    {"nha xuat ban", "publisher"},
    {"nxb", "publisher"},
    {"publisher", "publisher"},
    {"nam xuat ban", "date"},
    {"nam xb", "date"},
    {"nam", "date"},
    {"year", "date"},
    {"date", "date"},
    {"isbn", "isbn"},
    {"ma isbn", "isbn"},
    {"so isbn", "isbn"},
    {"chu de", "subject"},
    {"tu khoa", "subject"},
    {"subject", "subject"},
    {"subjects", "subject"},
    {"keywords", "subject"},
    {"ky hieu phan loai", "classification"},
    {"phan loai", "classification"},
    {"ma phan loai", "classification"},
    {"ddc", "classification"},
    {"classification", "classification"},
    {"ky hieu xep gia", "classification"},
    {"call number", "classification"},
    {"so dang ky ca biet", "accession"},
    {"so dkcb", "accession"},
    {"dkcb", "accession"},
    {"ma vach", "accession"},
    {"accession number", "accession"},
    {"accession", "accession"},
    {"barcode", "accession"},
    {"ngon ngu", "language"},
    {"language", "language"},
    {"tom tat", "description"},
    {"mo ta", "description"},
    {"ghi chu", "description"},
    {"description", "description"},
    {"summary", "description"},
    {"notes", "description"},
    {"loai tai lieu", "type"},
    {"dang tai lieu", "type"},
    {"type", "type"},
    {"khoi lop", "grade"},
    {"lop", "grade"},
    {"grade", "grade"},
    {"stt", ""},
    {"so thu tu", ""},
    {"no", ""},
    {"noi xuat ban", ""},
    {"noi xb", ""},
    {"place", ""},
    {"so trang", ""},
    {"pages", ""},
    {"gia", ""},
    {"price", ""},
    {"so luong", ""},
    {"copies", ""},
    {"tap", ""},
    {"volume", ""},
};

// "Nhan đề (Title):" -> "nhan de title", then tried whole and in parts.
std::string folded(std::string_view cell) {
  std::string f = text::lower(text::fold(squeeze(cell))), out;
  for (char c : f) {
    bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c & 0x80);
    if (word)
      out += c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The field a header cell names; nullptr when it names none we know.
const char* field_of(std::string_view cell) {
  std::string name = folded(cell);
  std::vector<std::string> tries{name};
  // "Nhan đề (Title)": the Vietnamese and the English name each on their own.
  if (std::size_t open = cell.find('('); open != std::string_view::npos) {
    tries.push_back(folded(cell.substr(0, open)));
    tries.push_back(folded(cell.substr(open + 1)));
  }
  if (std::size_t slash = cell.find('/'); slash != std::string_view::npos) {
    tries.push_back(folded(cell.substr(0, slash)));
    tries.push_back(folded(cell.substr(slash + 1)));
  }
  for (const std::string& t : tries)
    for (const Column& c : kColumns)
      if (t == c.name) return c.field;
  return nullptr;
}

// A header row names a title column and at least one other we know.
bool header_of(const std::vector<std::string>& row, std::vector<std::string>* fields) {
  fields->assign(row.size(), "");
  int known = 0;
  bool title = false;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const char* field = field_of(row[i]);
    if (field == nullptr) continue;
    ++known;
    (*fields)[i] = field;
    title = title || (*fields)[i] == "title";
  }
  return title && known >= 2;
}

void add(std::map<std::string, std::string>* meta, const std::string& name, std::string value) {
  value = squeeze(value);
  if (value.empty()) return;
  std::string& to = (*meta)[name];
  to += (to.empty() ? "" : "; ") + value;
}

Document entry_of(const std::vector<std::string>& row, const std::vector<std::string>& fields) {
  Document entry;
  entry.media_type = "text/csv";
  for (std::size_t i = 0; i < row.size() && i < fields.size(); ++i) {
    if (fields[i].empty()) continue;
    if (fields[i] == "isbn") {
      std::string isbn = isbn_digits(squeeze(row[i]));
      add(&entry.meta, "identifier", row[i]);
      if (!isbn.empty() && !entry.meta.count("isbn")) entry.meta["isbn"] = isbn;
    } else {
      add(&entry.meta, fields[i], row[i]);
    }
  }
  if (entry.meta.count("title")) entry.meta["kind"] = "book";
  return entry;
}

}  // namespace

// RFC 4180 with the separator Excel used (comma, or semicolon where the
// decimal mark is a comma, or tab for "Unicode text"); quoted cells may hold
// separators, quotes ("") and line breaks.
std::vector<std::vector<std::string>> csv_rows(std::string_view text, char sep) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size() && rows.size() <= kMaxRows; ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        cell += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cell += c;
    } else if (c == '"' && cell.empty()) {
      quoted = true;
    } else if (c == sep) {
      rows.back().push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rows.back().push_back(std::move(cell));
      cell.clear();
      rows.emplace_back();
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !rows.back().empty()) rows.back().push_back(std::move(cell));
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// The separator that splits the first line into the most cells.
char separator_of(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  char best = ',';
  std::size_t most = 0;
  for (char sep : {',', ';', '\t'}) {
    std::size_t n = std::count(line.begin(), line.end(), sep);
    if (n > most) best = sep, most = n;
  }
  return best;
}

namespace {

bool header_in(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> fields;
  for (std::size_t i = 0; i < rows.size() && i < kHeaderRows; ++i)
    if (header_of(rows[i], &fields)) return true;
  return false;
}

std::string head_text(const Sniff& sniff) {
  std::string utf8;
  // Strict UTF-8 would refuse a head cut inside a Vietnamese letter: one
  // CSV catalogue in four over 4 KiB was then taken for plain text.
  if (!decode_text(sniff.head, &utf8, sniff.may_be_cut())) return "";
  // The head may end mid-row or mid-letter; the rows before it are what counts.
  if (std::size_t end = utf8.rfind('\n'); end != std::string::npos) utf8.resize(end);
  return utf8;
}

class CatalogueSheetImporter : public Importer {
 public:
  std::string_view name() const override { return "catalogue-sheet"; }
  // Text whose first rows hold a catalogue header; above plain text (30-60).
  // A file named .csv without one is still ours, to say what is missing.
  int accepts(const Sniff& sniff) const override {
    std::string text = head_text(sniff);
    if (text.empty()) return 0;
    if (header_in(csv_rows(text, separator_of(text)))) return 80;
    std::string_view name = sniff.filename;
    bool csv = name.size() > 4 && text::lower(name.substr(name.size() - 4)) == ".csv";
    return csv ? 70 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IoError("cannot open file");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string text;
    if (!decode_text(bytes, &text))
      return Status::Unsupported("the CSV is not UTF-8 text; save it as \"CSV UTF-8\"");
    auto rows = csv_rows(text, separator_of(text));
    for (auto& row : rows)
      for (auto& cell : row) cell = formula_unguarded(std::move(cell));
    if (rows.size() > kMaxRows)
      return Status::TooLarge("more than " + std::to_string(kMaxRows) + " rows in the CSV");
    if (!catalogue_sheet(rows, &out->entries))
      return Status::Unsupported(
          "not a catalogue sheet: no header row naming a title column (Nhan đề or Title) and "
          "another (Tác giả/Author, Nhà xuất bản/Publisher, ISBN, ...) in the first " +
          std::to_string(kHeaderRows) + " rows");
    if (out->entries.empty())
      return Status::Invalid("the catalogue sheet has a header row but no rows with a title");
    out->media_type = "text/csv";
    return Status::Ok();
  }
};

}  // namespace

bool catalogue_sheet(const std::vector<std::vector<std::string>>& rows,
                     std::vector<Document>* entries) {
  std::vector<std::string> fields;
  std::size_t header = 0;
  for (; header < rows.size() && header < kHeaderRows; ++header)
    if (header_of(rows[header], &fields)) break;
  if (header == rows.size() || header == kHeaderRows) return false;
  for (std::size_t i = header + 1; i < rows.size(); ++i) {
    Document entry = entry_of(rows[i], fields);
    if (entry.meta.count("title")) entries->push_back(std::move(entry));
  }
  return true;
}

std::unique_ptr<Importer> make_catalogue_sheet_importer() {
  return std::make_unique<CatalogueSheetImporter>();
}

}  // namespace kho::importers
