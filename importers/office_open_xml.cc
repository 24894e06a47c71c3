// Office Open XML (DOCX, XLSX, PPTX): the package through libarchive, the
// parts through libxml2. A DOCX is one page per explicit page break, a
// workbook one page per sheet (cells tab-separated, rows as lines), a
// presentation one page per slide, in the order the workbook or presentation
// lists them. Core properties (docProps/core.xml) give the Dublin Core fields.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "importers/formats.h"
#include "importers/package.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

constexpr int kMaxDepth = 256;

// Only the XML parts: pictures and embedded objects are never read.
bool xml_part(std::string_view name) { return name.ends_with(".xml") || name.ends_with(".rels"); }

Status parse_part(const Package& package, const std::string& name, XmlDoc* doc) {
  const std::string* bytes = package.part(name);
  if (bytes == nullptr) return Status::Corrupt("damaged package: " + name + " is missing");
  return parse_xml(*bytes, name, false, doc);
}

// Relationship id -> part name, for the part `source` ("xl/workbook.xml").
std::map<std::string, std::string> relationships(const Package& package,
                                                 const std::string& source) {
  std::map<std::string, std::string> out;
  std::size_t slash = source.rfind('/');
  std::string folder = slash == std::string::npos ? "" : source.substr(0, slash + 1);
  std::string rels = folder + "_rels/" + source.substr(slash + 1) + ".rels";
  XmlDoc doc;
  if (!package.part(rels) || !parse_part(package, rels, &doc).ok()) return out;
  for (const xmlNode* r : children(xmlDocGetRootElement(doc.get()), "Relationship")) {
    if (attribute(r, "TargetMode") == "External") continue;
    out[attribute(r, "Id")] = resolve_path(source, attribute(r, "Target"));
  }
  return out;
}

void core_properties(const Package& package, Document* out) {
  XmlDoc doc;
  if (!package.part("docProps/core.xml") || !parse_part(package, "docProps/core.xml", &doc).ok())
    return;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  for (const char* name : {"title", "creator", "subject", "description", "keywords", "language"})
    if (const xmlNode* n = first_child(root, name)) out->meta[name] = squeeze(text_of(n));
  std::string created = iso_day(text_of(first_child(root, "created")));
  std::string modified = iso_day(text_of(first_child(root, "modified")));
  out->meta["date"] = created.empty() ? modified : created;
  out->meta["modified"] = modified;
}

bool on(const xmlNode* n) {  // w:pageBreakBefore with no w:val, or a true one
  std::string v = attribute(n, "w:val");
  return v.empty() || v == "1" || v == "true" || v == "on";
}

// document.xml in reading order; explicit page breaks start a new page.
class WordText {
 public:
  std::vector<std::string> pages{""};

  void walk(const xmlNode* n, int depth) {
    if (depth > kMaxDepth) return;
    for (const xmlNode* c = n->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) element(c, depth);
  }

 private:
  std::string& page() { return pages.back(); }

  void element(const xmlNode* n, int depth) {
    std::string name = local_name(n);
    if (name == "t") {
      page() += text_of(n);
    } else if (name == "tab") {
      page() += '\t';
    } else if (name == "softHyphen") {
      // Word's optional hyphen; also how it keeps TCVN3's ư (byte 0xAD), so it
      // stays until the legacy check (registry.cc) has seen it.
      page() += "\u00AD";
    } else if (name == "br" || name == "cr") {
      if (attribute(n, "w:type") == "page")
        pages.emplace_back();
      else
        page() += '\n';
    } else if (name == "p") {
      const xmlNode* props = first_child(n, "pPr");
      if (const xmlNode* b = first_child(props, "pageBreakBefore"); b && on(b) && !page().empty())
        pages.emplace_back();
      walk(n, depth + 1);
      page() += '\n';
    } else if (name == "tc") {
      walk(n, depth + 1);
      while (page().ends_with('\n')) page().pop_back();
      page() += '\t';
    } else if (name == "tr") {
      walk(n, depth + 1);
      if (page().ends_with('\t')) page().pop_back();
      page() += '\n';
    } else if (name != "pPr" && name != "rPr" && name != "del" && name != "instrText" &&
               name != "Fallback" && name != "sectPr") {
      // Fallback repeats the text of mc:Choice for older readers.
      walk(n, depth + 1);
    }
  }
};

Status read_docx(const Package& package, Document* out) {
  XmlDoc doc;
  auto rels = relationships(package, "_rels/.rels");
  std::string main = "word/document.xml";
  for (const auto& [id, target] : rels)
    if (target.starts_with("word/") && target.ends_with("document.xml")) main = target;
  if (Status s = parse_part(package, main, &doc); !s.ok()) return s;
  WordText text;
  const xmlNode* body = first_child(xmlDocGetRootElement(doc.get()), "body");
  if (body == nullptr) return Status::Corrupt("damaged DOCX: the document has no body");
  text.walk(body, 0);
  // Footnotes and endnotes are searchable text too; they follow the body.
  for (const char* notes : {"word/footnotes.xml", "word/endnotes.xml"}) {
    XmlDoc notes_doc;
    if (package.part(notes) && parse_part(package, notes, &notes_doc).ok())
      text.walk(xmlDocGetRootElement(notes_doc.get()), 0);
  }
  out->pages = std::move(text.pages);
  return Status::Ok();
}

// "BC12" -> 54 (0-based column); -1 when there is no column.
int column_of(const std::string& ref) {
  int col = 0;
  std::size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && i < 4; ++i)
    col = col * 26 + (ref[i] - 'A' + 1);
  return i == 0 ? -1 : col - 1;
}

// A rich-text string is runs (<r><t>); phonetic hints (<rPh>) are not text.
// openpyxl writes an empty string as an inline string without <is>.
std::string string_item(const xmlNode* si) {
  std::string s;
  if (si == nullptr) return s;
  for (const xmlNode* c = si->children; c; c = c->next)
    if (is_element(c, "t"))
      s += text_of(c);
    else if (is_element(c, "r"))
      s += text_of(first_child(c, "t"));
  return s;
}

std::vector<std::string> shared_strings(const Package& package, const std::string& name) {
  std::vector<std::string> out;
  XmlDoc doc;
  if (!package.part(name) || !parse_part(package, name, &doc).ok()) return out;
  for (const xmlNode* si : children(xmlDocGetRootElement(doc.get()), "si"))
    out.push_back(string_item(si));
  return out;
}

// What a sheet's cells need from the rest of the workbook.
struct Workbook {
  std::vector<std::string> strings;  // shared strings
  std::vector<bool> date_styles;     // cell style index -> shows a date
  bool from_1904 = false;            // old Mac workbooks count days from 1904
};

// A number format that shows a date: a day or year code outside quoted text
// and [colour] or [h] sections. Built-in ids are the ECMA-376 date formats.
bool is_date_format(int id, const std::string& code) {
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
    return true;
  bool quoted = false, bracket = false;
  for (char c : code) {
    if (c == '"')
      quoted = !quoted;
    else if (c == '[' && !quoted)
      bracket = true;
    else if (c == ']' && !quoted)
      bracket = false;
    else if (!quoted && !bracket && (c == 'd' || c == 'D' || c == 'y' || c == 'Y'))
      return true;
  }
  return false;
}

void read_styles(const Package& package, const std::string& name, Workbook* book) {
  XmlDoc doc;
  if (!package.part(name) || !parse_part(package, name, &doc).ok()) return;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::map<int, std::string> codes;
  for (const xmlNode* f : children(first_child(root, "numFmts"), "numFmt"))
    codes[std::atoi(attribute(f, "numFmtId").c_str())] = attribute(f, "formatCode");
  for (const xmlNode* xf : children(first_child(root, "cellXfs"), "xf")) {
    int id = std::atoi(attribute(xf, "numFmtId").c_str());
    book->date_styles.push_back(is_date_format(id, codes[id]));
  }
}

// A date serial (days; the time is the fraction) as day/month/year, the way
// Vietnamese write dates; "" when it is not a plausible date.
std::string date_of(const std::string& serial, bool from_1904) {
  char* end = nullptr;
  double days = std::strtod(serial.c_str(), &end);
  if (end == serial.c_str() || !(days >= 1 && days < 2958466)) return "";
  // Days since 1899-12-30 (right from March 1900, past Excel's 1900 leap-year
  // bug) or 1904-01-01, shifted to days since 1970-01-01, then the civil date
  // by Howard Hinnant's days_from_civil inverse.
  long z = static_cast<long>(days) - (from_1904 ? 24107 : 25569) + 719468;
  long era = z / 146097, doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  long y = yoe + era * 400 + (m <= 2);
  char buf[72];  // room for any long, though a year here has 4 digits
  std::snprintf(buf, sizeof buf, "%02ld/%02ld/%04ld", d, m, y);
  return buf;
}

std::string cell_text(const xmlNode* c, const Workbook& book) {
  std::string type = attribute(c, "t");
  if (type == "inlineStr") return string_item(first_child(c, "is"));
  std::string v = text_of(first_child(c, "v"));
  if (type == "s") {
    std::size_t i = std::strtoul(v.c_str(), nullptr, 10);
    return i < book.strings.size() ? book.strings[i] : "";
  }
  if (type == "b") return v == "1" ? "TRUE" : "FALSE";
  if (type.empty() || type == "n") {
    std::size_t style = std::strtoul(attribute(c, "s").c_str(), nullptr, 10);
    if (style < book.date_styles.size() && book.date_styles[style])
      if (std::string date = date_of(v, book.from_1904); !date.empty()) return date;
  }
  return v;
}

// A sheet's rows, each cell in its column (a gap is an empty cell).
std::vector<std::vector<std::string>> sheet_rows(const xmlNode* root, const Workbook& book) {
  std::vector<std::vector<std::string>> rows;
  for (const xmlNode* row : children(first_child(root, "sheetData"), "row")) {
    std::vector<std::string> cells;
    for (const xmlNode* c : children(row, "c")) {
      std::string value = cell_text(c, book);
      if (value.empty()) continue;
      int at = column_of(attribute(c, "r"));
      std::size_t column = at < 0 || at >= 16384 ? cells.size() : static_cast<std::size_t>(at);
      cells.resize(std::max(column, cells.size()));
      cells.push_back(std::move(value));
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

// Cells tab-separated in their columns, rows as lines.
std::string sheet_text(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string value = row[i];
      for (char& ch : value)
        if (ch == '\t' || ch == '\n') ch = ' ';  // a cell stays one cell
      line += (i ? "\t" : "") + value;
    }
    if (!line.empty()) out += line + '\n';
  }
  return out;
}

Status read_xlsx(const Package& package, Document* out) {
  const std::string book_part = "xl/workbook.xml";
  XmlDoc doc;
  if (Status s = parse_part(package, book_part, &doc); !s.ok()) return s;
  auto rels = relationships(package, book_part);
  std::string strings_part = "xl/sharedStrings.xml", styles_part = "xl/styles.xml";
  for (const auto& [id, target] : rels) {
    if (target.ends_with("sharedStrings.xml")) strings_part = target;
    if (target.ends_with("styles.xml")) styles_part = target;
  }
  Workbook book;
  book.strings = shared_strings(package, strings_part);
  read_styles(package, styles_part, &book);
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::string date1904 = attribute(first_child(root, "workbookPr"), "date1904");
  book.from_1904 = date1904 == "1" || date1904 == "true";
  for (const xmlNode* sheet : children(first_child(root, "sheets"), "sheet")) {
    auto it = rels.find(attribute(sheet, "r:id"));
    XmlDoc sheet_doc;
    if (it == rels.end() || !package.part(it->second)) continue;  // a chart sheet has no cells
    if (Status s = parse_part(package, it->second, &sheet_doc); !s.ok()) return s;
    auto rows = sheet_rows(xmlDocGetRootElement(sheet_doc.get()), book);
    out->pages.push_back(sheet_text(rows));
    catalogue_sheet(rows, &out->entries);  // a sheet of catalogue records, if it is one
  }
  if (out->pages.empty()) return Status::Corrupt("damaged XLSX: the workbook lists no sheets");
  return Status::Ok();
}

// Paragraphs (<a:p>) as lines, runs and fields as text, <a:br> as a line break.
void slide_text(const xmlNode* n, int depth, std::string* out) {
  if (depth > kMaxDepth) return;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string name = local_name(c);
    if (name == "t") {
      *out += text_of(c);
    } else if (name == "br") {
      *out += '\n';
    } else if (name == "p") {
      slide_text(c, depth + 1, out);
      if (!out->empty() && !out->ends_with('\n')) *out += '\n';
    } else if (name != "Fallback") {
      slide_text(c, depth + 1, out);
    }
  }
}

Status read_pptx(const Package& package, Document* out) {
  const std::string deck = "ppt/presentation.xml";
  XmlDoc doc;
  if (Status s = parse_part(package, deck, &doc); !s.ok()) return s;
  auto rels = relationships(package, deck);
  for (const xmlNode* id :
       children(first_child(xmlDocGetRootElement(doc.get()), "sldIdLst"), "sldId")) {
    auto it = rels.find(attribute(id, "r:id"));
    if (it == rels.end()) continue;
    XmlDoc slide;
    if (Status s = parse_part(package, it->second, &slide); !s.ok()) return s;
    std::string text;
    slide_text(xmlDocGetRootElement(slide.get()), 0, &text);
    out->pages.push_back(std::move(text));
  }
  return Status::Ok();
}

struct Flavour {
  PackageKind kind;
  const char* media_type;
  Status (*read)(const Package&, Document*);
};

const Flavour kFlavours[] = {
    {PackageKind::kDocx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     read_docx},
    {PackageKind::kXlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     read_xlsx},
    {PackageKind::kPptx,
     "application/vnd.openxmlformats-officedocument.presentationml.presentation", read_pptx},
};

const Flavour* flavour_of(PackageKind kind) {
  for (const auto& f : kFlavours)
    if (f.kind == kind) return &f;
  return nullptr;
}

class OfficeOpenXmlImporter : public Importer {
 public:
  std::string_view name() const override { return "ooxml"; }
  int accepts(const Sniff& sniff) const override {
    return flavour_of(package_kind(sniff)) ? 100 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    Package package;
    if (Status s = Package::read(path, xml_part, &package); !s.ok()) return s;
    const Flavour* flavour = flavour_of(package_kind({"PK\x03\x04", path}));
    if (flavour == nullptr)
      return Status::Unsupported("a ZIP package that is not a DOCX, XLSX or PPTX");
    if (Status s = flavour->read(package, out); !s.ok()) return s;
    core_properties(package, out);
    out->media_type = flavour->media_type;
    finish_pages(&out->pages);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_office_open_xml_importer() {
  return std::make_unique<OfficeOpenXmlImporter>();
}

}  // namespace kho::importers
