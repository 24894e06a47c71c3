#include "core/catalogue_export.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <yaz/marcdisp.h>
#include <yaz/wrbuf.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "common/sheet_cell.h"

namespace kho {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMarcNamespace = "http://www.loc.gov/MARC21/slim";
constexpr std::size_t kPage = 500;  // records asked of the index at a time

// --- Which records ------------------------------------------------------------

// A catalogue entry that is not a book: a MARC file's journal, map, ...
bool catalogue_entry(const store::Record& r) {
  if (r.fields.count("marcxml")) return true;
  auto source = r.sources.find("title");
  return source != r.sources.end() && source->second == store::kSourceCatalogue;
}

// Every record the search finds that the caller may read, by id.
Status collect(const store::Store& store, const indexer::Index& index,
               indexer::SearchRequest request, const Access& access,
               std::map<store::RecordId, store::Record>* out) {
  request.sort = indexer::Sort::kAdded;  // pages that do not move under each other
  request.limit = kPage;
  access.restrict(&request);
  for (request.offset = 0;; request.offset += kPage) {
    indexer::Results results;
    if (Status s = index.search(request, &results); !s.ok()) return s;
    for (const indexer::Hit& hit : results.hits) {
      store::Record r;
      // The store, not the index, says who may read a record now.
      if (!hit.library.empty() || !store.get(hit.id, &r).ok() || !access.may_read(r)) continue;
      if (r.kind == "diploma" || r.status != "active") continue;
      out->emplace(r.id, std::move(r));
    }
    if (results.hits.size() < kPage) return Status::Ok();
  }
}

// --- MARC -------------------------------------------------------------------

struct MarcDestroy {
  void operator()(yaz_marc_t m) const { yaz_marc_destroy(m); }
};
using Marc = std::unique_ptr<std::remove_pointer_t<yaz_marc_t>, MarcDestroy>;
struct WrbufDestroy {
  void operator()(WRBUF w) const { wrbuf_destroy(w); }
};
using Wrbuf = std::unique_ptr<std::remove_pointer_t<WRBUF>, WrbufDestroy>;
struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocFree>;

// "a; b; c" -> {"a", "b", "c"}: how kho keeps several values in one field.
std::vector<std::string> values_of(const std::map<std::string, std::string>& map,
                                   const std::string& name) {
  std::vector<std::string> out;
  auto it = map.find(name);
  if (it == map.end()) return out;
  const std::string& all = it->second;
  for (std::size_t at = 0; at <= all.size();) {
    std::size_t end = all.find("; ", at);
    if (end == std::string::npos) end = all.size();
    std::string v = all.substr(at, end - at);
    while (!v.empty() && v.back() == ' ') v.pop_back();
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    if (!v.empty()) out.push_back(v);
    at = end + 2;
  }
  return out;
}

std::string first_of(const std::map<std::string, std::string>& map, const std::string& name) {
  auto all = values_of(map, name);
  return all.empty() ? "" : all.front();
}

// "978-604-69-2714-3" is an ISBN; a URL or an ISSN is not.
bool looks_like_isbn(std::string_view v) {
  std::size_t digits = 0;
  for (char c : v.substr(0, v.find(' '))) {
    if ((c >= '0' && c <= '9') || c == 'X' || c == 'x')
      ++digits;
    else if (c != '-')
      return false;
  }
  return digits == 10 || digits == 13;
}

// The two-letter language tags kho keeps, as MARC's ISO 639-2 codes.
std::string marc_language(std::string code) {
  static const std::map<std::string, std::string> kThreeLetter = {
      {"vi", "vie"}, {"en", "eng"}, {"fr", "fre"}, {"zh", "chi"}, {"ru", "rus"}, {"de", "ger"},
      {"ja", "jpn"}, {"ko", "kor"}, {"es", "spa"}, {"lo", "lao"}, {"km", "khm"}, {"th", "tha"}};
  for (char& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  code = code.substr(0, code.find('-'));  // "vi-VN"
  if (code.size() == 3) return code;
  auto it = kThreeLetter.find(code);
  return it == kThreeLetter.end() ? "" : it->second;
}

std::string year_in(std::string_view s) {
  for (std::size_t i = 0; i + 4 <= s.size(); ++i)
    if (std::all_of(s.begin() + i, s.begin() + i + 4, [](char c) { return c >= '0' && c <= '9'; }))
      return std::string(s.substr(i, 4));
  return "";
}

// "2026-12-06T18:30:00Z" -> digits only: "20261206183000".
std::string digits_of(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

// 008 for books: entered (yymmdd), Date 1 or "n" when unknown, place not
// coded ("xx "), the book positions left "no attempt to code" ("|"), the
// language, cataloguing source "d" (other than a national library).
std::string fixed_field(const store::Record& r) {
  std::string entered = digits_of(r.created_at);
  entered = entered.size() >= 8 ? entered.substr(2, 6) : "000000";
  std::string year = year_in(first_of(r.dc, "date"));
  std::string language = marc_language(first_of(r.dc, "language"));
  std::string f = entered + (year.empty() ? "nuuuu" : "s" + year) + "    " + "xx " +
                  std::string(17, '|') + (language.empty() ? "und" : language) + " d";
  return f;
}

class Builder {
 public:
  explicit Builder(yaz_marc_t mt) : mt_(mt) {}
  void control(const char* tag, const std::string& data) {
    yaz_marc_add_controlfield(mt_, tag, data.data(), data.size());
  }
  void field(const char* tag, const char* indicators,
             const std::vector<std::pair<char, std::string>>& subfields) {
    bool any = false;
    for (const auto& [code, value] : subfields) any = any || !value.empty();
    if (!any) return;
    yaz_marc_add_datafield(mt_, tag, indicators, 2);
    for (const auto& [code, value] : subfields) {
      if (value.empty()) continue;
      std::string s = std::string(1, code) + value;
      yaz_marc_add_subfield(mt_, s.data(), s.size());
    }
  }

 private:
  yaz_marc_t mt_;
};

void add_identifiers(const store::Record& r, Builder* b) {
  bool isbn = false;
  for (const std::string& id : values_of(r.dc, "identifier")) {
    if (looks_like_isbn(id)) {
      b->field("020", "  ", {{'a', id}});
      isbn = true;
    } else if (id.rfind("http://", 0) == 0 || id.rfind("https://", 0) == 0) {
      b->field("856", "40", {{'u', id}});
    } else {
      b->field("024", "8 ", {{'a', id}});
    }
  }
  if (!isbn) b->field("020", "  ", {{'a', first_of(r.fields, "isbn")}});
}

// A record catalogued from a sheet, a file or by hand, as MARC 21.
void build_marc(const store::Record& r, yaz_marc_t mt) {
  int indicator_length = 0, identifier_length = 0, base_address = 0, length_data_entry = 0,
      length_starting = 0, length_implementation = 0;
  // New, language material, monograph, UTF-8, minimal level, ISBD punctuation omitted.
  yaz_marc_set_leader(mt, "00000nam a22000007c 4500", &indicator_length, &identifier_length,
                      &base_address, &length_data_entry, &length_starting, &length_implementation);
  Builder b(mt);
  b.control("001", "kho-" + std::to_string(r.id));
  std::string updated = digits_of(r.updated_at.empty() ? r.created_at : r.updated_at);
  if (updated.size() >= 14) b.control("005", updated.substr(0, 14) + ".0");
  b.control("008", fixed_field(r));
  add_identifiers(r, &b);
  for (const std::string& lang : values_of(r.dc, "language"))
    b.field("041", "0 ", {{'a', marc_language(lang)}});
  b.field("082", "04", {{'a', first_of(r.fields, "classification")}});
  auto creators = values_of(r.dc, "creator");
  if (!creators.empty()) b.field("100", "1 ", {{'a', creators.front()}});
  b.field("245", creators.empty() ? "00" : "10", {{'a', first_of(r.dc, "title")}});
  b.field("264", " 1",
          {{'a', first_of(r.fields, "place")},
           {'b', first_of(r.dc, "publisher")},
           {'c', first_of(r.dc, "date")}});
  for (const std::string& d : values_of(r.dc, "description")) b.field("520", "  ", {{'a', d}});
  b.field("521", "8 ", {{'a', first_of(r.fields, "grade")}});
  for (const std::string& s : values_of(r.dc, "subject")) b.field("650", " 4", {{'a', s}});
  for (const std::string& t : values_of(r.dc, "type")) b.field("655", " 4", {{'a', t}});
  for (std::size_t i = 1; i < creators.size(); ++i) b.field("700", "1 ", {{'a', creators[i]}});
  for (const std::string& c : values_of(r.dc, "contributor")) b.field("700", "1 ", {{'a', c}});
  for (const std::string& a : values_of(r.fields, "accession")) b.field("852", "  ", {{'p', a}});
}

// The MARC tags that carry each field kho keeps (build_marc writes them).
const std::map<std::string, std::vector<std::string>> kTagsOf = {
    {"title", {"245"}},
    {"creator", {"100", "110", "111", "700", "710", "711", "720"}},
    {"contributor", {"100", "110", "111", "700", "710", "711", "720"}},
    {"publisher", {"260", "264"}},
    {"date", {"260", "264"}},
    {"place", {"260", "264"}},
    {"isbn", {"020"}},
    {"identifier", {"020", "024", "856"}},
    {"language", {"041"}},
    {"classification", {"082"}},
    {"description", {"520"}},
    {"grade", {"521"}},
    {"subject", {"600", "610", "611", "630", "650", "653"}},
    {"type", {"655"}},
    {"accession", {"852"}}};

// The tags of the fields staff corrected after the import: there the kept
// record says what they replaced.
std::set<std::string> corrected_tags(const store::Record& r) {
  std::set<std::string> tags;
  for (const auto& [field, source] : r.sources)
    if (auto it = kTagsOf.find(field); source == store::kSourceTyped && it != kTagsOf.end())
      tags.insert(it->second.begin(), it->second.end());
  return tags;
}

bool is_datafield(const xmlNode* n) {
  return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST "datafield") == 0;
}

std::string tag_of(xmlNode* n) {
  xmlChar* tag = xmlGetProp(n, BAD_CAST "tag");
  std::string out = tag ? reinterpret_cast<const char*>(tag) : "";
  xmlFree(tag);
  return out;
}

// The kept record with the corrected fields in place of the stale ones:
// those build_marc makes from what staff typed, in tag order.
bool correct(const store::Record& r, const std::set<std::string>& tags, xmlDoc* doc,
             xmlNode* record) {
  Marc built(yaz_marc_create());
  Wrbuf buf(wrbuf_alloc());
  build_marc(r, built.get());
  if (yaz_marc_write_marcxml(built.get(), buf.get()) != 0) return false;
  XmlDoc fresh(xmlReadMemory(wrbuf_buf(buf.get()), static_cast<int>(wrbuf_len(buf.get())), nullptr,
                             "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR));
  if (!fresh || !xmlDocGetRootElement(fresh.get())) return false;
  for (xmlNode* n = record->children; n;) {
    xmlNode* next = n->next;
    if (is_datafield(n) && tags.count(tag_of(n))) {
      xmlUnlinkNode(n);
      xmlFreeNode(n);
    }
    n = next;
  }
  for (xmlNode* f = xmlDocGetRootElement(fresh.get())->children; f; f = f->next) {
    if (!is_datafield(f) || !tags.count(tag_of(f))) continue;
    xmlNode* copy = xmlDocCopyNode(f, doc, 1);
    if (copy == nullptr) return false;
    xmlNode* after = nullptr;
    for (xmlNode* n = record->children; n && !after; n = n->next)
      if (is_datafield(n) && tag_of(n) > tag_of(f)) after = n;
    if (after)
      xmlAddPrevSibling(after, copy);
    else
      xmlAddChild(record, copy);
  }
  return true;
}

// The MARC record kept at import, read into YAZ, with any field staff
// corrected since; false when there is none or it is not MARCXML YAZ reads
// (the record is built from its fields then).
bool kept_marc(const store::Record& r, yaz_marc_t mt) {
  auto kept = r.fields.find("marcxml");
  if (kept == r.fields.end()) return false;
  // No network, no entities: the stored text came from an imported file.
  XmlDoc doc(xmlReadMemory(kept->second.data(), static_cast<int>(kept->second.size()), nullptr,
                           "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return false;
  xmlNode* node = xmlDocGetRootElement(doc.get());
  if (node && xmlStrcmp(node->name, BAD_CAST "collection") == 0)
    for (node = node->children; node && node->type != XML_ELEMENT_NODE;) node = node->next;
  if (!node || xmlStrcmp(node->name, BAD_CAST "record") != 0) return false;
  if (auto tags = corrected_tags(r); !tags.empty() && !correct(r, tags, doc.get(), node))
    return false;
  return yaz_marc_read_xml(mt, node) == 0;
}

// One record as ISO 2709 or MARCXML, through YAZ.
Status write_marc(const store::Record& r, yaz_marc_t mt, WRBUF out, ExportSummary* summary) {
  yaz_marc_reset(mt);
  if (kept_marc(r, mt)) {
    ++summary->kept_marc;
  } else {
    yaz_marc_reset(mt);
    build_marc(r, mt);
    ++summary->built_marc;
  }
  // What is written is UTF-8, whatever the imported file's encoding was.
  yaz_marc_modify_leader(mt, 9, "a");
  if (yaz_marc_write_mode(mt, out) != 0)
    return Status::Invalid("record " + std::to_string(r.id) + ": YAZ cannot write it as MARC");
  return Status::Ok();
}

Status write_marc_all(const std::vector<store::Record>& records, const ExportOptions& options,
                      const ExportSink& sink, ExportSummary* summary) {
  Marc mt(yaz_marc_create());
  Wrbuf buf(wrbuf_alloc());
  if (!mt || !buf) return Status::IoError("YAZ: out of memory");
  bool xml = options.format == ExportFormat::kMarcxml;
  yaz_marc_xml(mt.get(), xml ? YAZ_MARC_MARCXML : YAZ_MARC_ISO2709);
  if (xml) yaz_marc_enable_collection(mt.get());
  if (xml && records.empty()) {  // an empty collection is still a collection
    return sink(std::string("<collection xmlns=\"") + kMarcNamespace + "\">\n</collection>\n");
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    wrbuf_rewind(buf.get());
    if (Status s = write_marc(records[i], mt.get(), buf.get(), summary); !s.ok()) return s;
    if (Status s = sink({wrbuf_buf(buf.get()), wrbuf_len(buf.get())}); !s.ok()) return s;
    if (options.progress) options.progress(i + 1, records.size());
  }
  if (xml) {
    wrbuf_rewind(buf.get());
    yaz_marc_write_trailer(mt.get(), buf.get());
    return sink({wrbuf_buf(buf.get()), wrbuf_len(buf.get())});
  }
  return Status::Ok();
}

// --- Sheets -------------------------------------------------------------------

// Each column: its header (one the catalogue importer reads) and the value.
struct SheetColumn {
  const char* header;
  std::string (*value)(const store::Record&);
};

// The ISBN as catalogued ("978-604-69-2714-3"), without a qualifier such
// as "(bìa mềm)" that would keep the importer from reading it back.
std::string isbn_cell(const store::Record& r) {
  for (const std::string& id : values_of(r.dc, "identifier"))
    if (looks_like_isbn(id)) return id.substr(0, id.find(' '));
  auto isbn = r.fields.find("isbn");
  return isbn == r.fields.end() ? "" : isbn->second;
}

template <const char* Name>
std::string dc_cell(const store::Record& r) {
  auto it = r.dc.find(Name);
  return it == r.dc.end() ? "" : it->second;
}
template <const char* Name>
std::string field_cell(const store::Record& r) {
  auto it = r.fields.find(Name);
  return it == r.fields.end() ? "" : it->second;
}

constexpr char kTitle[] = "title", kCreator[] = "creator", kContributor[] = "contributor",
               kPublisher[] = "publisher", kDate[] = "date", kSubject[] = "subject",
               kClassification[] = "classification", kAccession[] = "accession",
               kLanguage[] = "language", kDescription[] = "description", kType[] = "type",
               kGrade[] = "grade";

const SheetColumn kSheet[] = {
    {"Nhan đề", dc_cell<kTitle>},
    {"Tác giả", dc_cell<kCreator>},
    {"Đồng tác giả", dc_cell<kContributor>},
    {"Nhà xuất bản", dc_cell<kPublisher>},
    {"Năm xuất bản", dc_cell<kDate>},
    {"ISBN", isbn_cell},
    {"Chủ đề", dc_cell<kSubject>},
    {"Ký hiệu phân loại", field_cell<kClassification>},
    {"Số đăng ký cá biệt", field_cell<kAccession>},
    {"Ngôn ngữ", dc_cell<kLanguage>},
    {"Tóm tắt", dc_cell<kDescription>},
    {"Loại tài liệu", dc_cell<kType>},
    {"Khối lớp", field_cell<kGrade>},
};

// RFC 4180: a cell with a separator, a quote or a line break is quoted; one
// a spreadsheet would run as a formula is kept as text (common/sheet_cell.h).
std::string csv_cell(std::string v) {
  v = formula_guarded(std::move(v));
  if (v.find_first_of(",\"\r\n;") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Status write_csv(const std::vector<store::Record>& records, const ExportOptions& options,
                 const ExportSink& sink) {
  std::string line = "\xEF\xBB\xBF";  // Excel reads UTF-8 only after a BOM
  for (const SheetColumn& c : kSheet) line += std::string(&c == kSheet ? "" : ",") + c.header;
  if (Status s = sink(line + "\r\n"); !s.ok()) return s;
  for (std::size_t i = 0; i < records.size(); ++i) {
    line.clear();
    for (const SheetColumn& c : kSheet)
      line += std::string(&c == kSheet ? "" : ",") + csv_cell(c.value(records[i]));
    if (Status s = sink(line + "\r\n"); !s.ok()) return s;
    if (options.progress) options.progress(i + 1, records.size());
  }
  return Status::Ok();
}

// A file of our own in the temporary folder, removed however we leave.
struct TempFile {
  std::string path;
  TempFile() {
    std::string pattern = (fs::temp_directory_path() / "kho-export-XXXXXX").string();
    int fd = mkstemp(pattern.data());
    if (fd >= 0) {
      close(fd);
      path = pattern;
    }
  }
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

Status xlsx_error(lxw_error e) {
  return Status::IoError(std::string("cannot write the XLSX: ") + lxw_strerror(e));
}

Status fill_workbook(lxw_workbook* book, const std::vector<store::Record>& records,
                     const ExportOptions& options) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Danh mục");
  if (sheet == nullptr) return Status::IoError("cannot write the XLSX: no worksheet");
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  constexpr std::size_t kColumns = std::size(kSheet);
  for (std::size_t c = 0; c < kColumns; ++c) {
    worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                         c == 0 ? 40 : 18, nullptr);
    if (lxw_error e =
            worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), kSheet[c].header, bold);
        e != LXW_NO_ERROR)
      return xlsx_error(e);
  }
  worksheet_freeze_panes(sheet, 1, 0);
  if (records.size() >= LXW_ROW_MAX)
    return Status::TooLarge("more than " + std::to_string(LXW_ROW_MAX - 1) +
                            " records do not fit in one XLSX sheet; export a search, or as CSV");
  for (std::size_t i = 0; i < records.size(); ++i) {
    for (std::size_t c = 0; c < kColumns; ++c) {
      std::string v = kSheet[c].value(records[i]);
      if (v.empty()) continue;
      // Text, never numbers: a year or a class number reads back as typed.
      if (lxw_error e = worksheet_write_string(sheet, static_cast<lxw_row_t>(i + 1),
                                               static_cast<lxw_col_t>(c), v.c_str(), nullptr);
          e != LXW_NO_ERROR)
        return xlsx_error(e);
    }
    if (options.progress) options.progress(i + 1, records.size());
  }
  return Status::Ok();
}

Status write_xlsx(const std::vector<store::Record>& records, const ExportOptions& options,
                  const ExportSink& sink) {
  TempFile file;
  if (file.path.empty()) return Status::IoError("cannot make a temporary file for the XLSX");
  {
    lxw_workbook_options opts{};
    opts.constant_memory = 1;  // rows go to disk as written: a large catalogue fits
    lxw_workbook* book = workbook_new_opt(file.path.c_str(), &opts);
    if (book == nullptr) return Status::IoError("cannot write the XLSX to " + file.path);
    lxw_doc_properties props{};
    props.title = const_cast<char*>("Danh mục thư viện");
    workbook_set_properties(book, &props);
    Status s = fill_workbook(book, records, options);
    lxw_error closed = workbook_close(book);  // writes the file, frees the book
    if (!s.ok()) return s;
    if (closed != LXW_NO_ERROR) return xlsx_error(closed);
  }
  std::ifstream in(file.path, std::ios::binary);
  std::string chunk(1 << 16, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() > 0)
      if (Status s = sink({chunk.data(), static_cast<std::size_t>(in.gcount())}); !s.ok()) return s;
  }
  return in.bad() ? Status::IoError("cannot read back " + file.path) : Status::Ok();
}

}  // namespace

bool parse_export_format(std::string_view name, ExportFormat* out) {
  static const std::map<std::string_view, ExportFormat> kNames = {
      {"iso2709", ExportFormat::kIso2709}, {"mrc", ExportFormat::kIso2709},
      {"marc", ExportFormat::kIso2709},    {"marcxml", ExportFormat::kMarcxml},
      {"xml", ExportFormat::kMarcxml},     {"csv", ExportFormat::kCsv},
      {"xlsx", ExportFormat::kXlsx}};
  auto it = kNames.find(name);
  if (it == kNames.end()) return false;
  *out = it->second;
  return true;
}

const char* export_format_names() { return "iso2709, marcxml, csv or xlsx"; }

std::string export_media_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::kIso2709:
      return "application/marc";
    case ExportFormat::kMarcxml:
      return "application/marcxml+xml";
    case ExportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ExportFormat::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  return "application/octet-stream";
}

std::string export_filename(ExportFormat format) {
  switch (format) {
    case ExportFormat::kIso2709:
      return "danh-muc.mrc";
    case ExportFormat::kMarcxml:
      return "danh-muc.xml";
    case ExportFormat::kCsv:
      return "danh-muc.csv";
    case ExportFormat::kXlsx:
      return "danh-muc.xlsx";
  }
  return "danh-muc";
}

const std::vector<std::string>& export_sheet_header() {
  static const std::vector<std::string> header = [] {
    std::vector<std::string> out;
    for (const SheetColumn& c : kSheet) out.emplace_back(c.header);
    return out;
  }();
  return header;
}

Status select_catalogue(const store::Store& store, const indexer::Index& index,
                        const ExportOptions& options, std::vector<store::Record>* out) {
  std::map<store::RecordId, store::Record> found;
  const Access& access = options.access;
  indexer::SearchRequest request;
  request.query = options.query;
  request.filters = options.filters;
  bool kind_asked = std::any_of(options.filters.begin(), options.filters.end(),
                                [](const auto& f) { return f.first == "kind"; });
  if (indexer::is_blank(options.query) && !kind_asked) {
    // The catalogue: the books, and the entries of catalogue files that are
    // not books (a journal); not the catalogue files themselves.
    request.filters.emplace_back("kind", "book");
    if (Status s = collect(store, index, request, access, &found); !s.ok()) return s;
    std::map<store::RecordId, store::Record> others;
    request.filters.back().second = "other";
    if (Status s = collect(store, index, request, access, &others); !s.ok()) return s;
    for (auto& [id, r] : others)
      if (catalogue_entry(r)) found.emplace(id, std::move(r));
  } else if (Status s = collect(store, index, request, access, &found); !s.ok()) {
    return s;
  }
  out->clear();
  for (auto& [id, r] : found) out->push_back(std::move(r));
  return Status::Ok();
}

Status write_catalogue(const std::vector<store::Record>& records, const ExportOptions& options,
                       const ExportSink& sink, ExportSummary* summary) {
  ExportSummary unused;
  if (summary == nullptr) summary = &unused;
  *summary = {};
  summary->records = records.size();
  switch (options.format) {
    case ExportFormat::kIso2709:
    case ExportFormat::kMarcxml:
      return write_marc_all(records, options, sink, summary);
    case ExportFormat::kCsv:
      return write_csv(records, options, sink);
    case ExportFormat::kXlsx:
      return write_xlsx(records, options, sink);
  }
  return Status::Invalid("unknown export format");
}

Status export_catalogue(const store::Store& store, const indexer::Index& index,
                        const ExportOptions& options, const ExportSink& sink,
                        ExportSummary* summary) {
  std::vector<store::Record> records;
  if (Status s = select_catalogue(store, index, options, &records); !s.ok()) return s;
  return write_catalogue(records, options, sink, summary);
}

}  // namespace kho
