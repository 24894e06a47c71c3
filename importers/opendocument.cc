// OpenDocument (ODT, ODS, ODP): content.xml in reading order, meta.xml for the
// Dublin Core fields. A text document is one page per explicit page break (a
// paragraph style that breaks before or after), a spreadsheet one page per
// sheet (cells tab-separated, rows as lines), a presentation one page per slide.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "importers/formats.h"
#include "importers/package.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

constexpr int kMaxDepth = 256;
// Spreadsheets repeat empty rows and cells to the sheet's edge (a million
// rows); repeats of content are real but bounded here.
constexpr long kMaxRepeat = 1000;
constexpr std::size_t kMaxSheetText = std::size_t{64} << 20;

bool xml_part(std::string_view name) { return name.ends_with(".xml"); }

struct PageBreaks {
  std::set<std::string> before, after;
};

// Paragraph styles that start or end a page, from content.xml's automatic
// styles and styles.xml's named ones.
void collect_breaks(const xmlNode* root, PageBreaks* breaks) {
  for (const char* group : {"automatic-styles", "styles"})
    for (const xmlNode* style : children(first_child(root, group), "style")) {
      const xmlNode* props = first_child(style, "paragraph-properties");
      std::string name = attribute(style, "style:name");
      if (attribute(props, "fo:break-before") == "page") breaks->before.insert(name);
      if (attribute(props, "fo:break-after") == "page") breaks->after.insert(name);
    }
}

long repeat(const xmlNode* n, const char* attr) {
  long r = std::strtol(attribute(n, attr).c_str(), nullptr, 10);
  return std::clamp(r, 1L, kMaxRepeat);
}

class OdfText {
 public:
  explicit OdfText(const PageBreaks& breaks) : breaks_(breaks) {}
  std::vector<std::string> pages{""};
  std::string notes;

  void walk(const xmlNode* n, int depth) {
    if (depth > kMaxDepth) return;
    for (const xmlNode* c = n->children; c; c = c->next) {
      if (c->type == XML_TEXT_NODE && c->content && in_paragraph_)
        page() += reinterpret_cast<const char*>(c->content);
      else if (c->type == XML_ELEMENT_NODE)
        element(c, depth);
    }
  }

  // A spreadsheet's table: one page of tab-separated rows.
  static std::string sheet(const xmlNode* table) {
    std::string out;
    for (const xmlNode* row : descendants(table, "table-row")) {
      std::vector<std::string> cells;
      std::size_t bytes = 0;
      for (const xmlNode* c = row->children; c; c = c->next) {
        if (!is_element(c, "table-cell") && !is_element(c, "covered-table-cell")) continue;
        std::string value = cell(c);
        for (long i = repeat(c, "table:number-columns-repeated"); i > 0; --i) {
          cells.push_back(value);
          bytes += value.size() + 1;
        }
        if (bytes > kMaxSheetText) break;  // repeated cells multiply too
      }
      while (!cells.empty() && cells.back().empty()) cells.pop_back();
      std::string line;
      for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "\t" : "") + cells[i];
      if (line.empty()) continue;
      for (long i = 0; i < repeat(row, "table:number-rows-repeated"); ++i) out += line + '\n';
      // Repeats multiply: a small file could otherwise spell out gigabytes.
      if (out.size() > kMaxSheetText) break;
    }
    return out;
  }

 private:
  const PageBreaks& breaks_;
  bool in_paragraph_ = false;

  std::string& page() { return pages.back(); }

  static std::string cell(const xmlNode* c) {
    std::string value;
    for (const xmlNode* p : children(c, "p"))
      value += (value.empty() ? "" : " ") + squeeze(text_of(p));
    return value;
  }

  void element(const xmlNode* n, int depth) {
    std::string name = local_name(n);
    if (name == "p" || name == "h") return paragraph(n, depth);
    if (name == "note") return note(n, depth);
    if (name == "s") return (void)page().append(std::min<long>(repeat(n, "text:c"), 100), ' ');
    if (name == "tab") return page().push_back('\t');
    if (name == "line-break") return page().push_back('\n');
    if (name == "table-cell" || name == "covered-table-cell") {
      walk(n, depth + 1);
      while (page().ends_with('\n')) page().pop_back();
      return page().push_back('\t');
    }
    if (name == "table-row") {
      walk(n, depth + 1);
      if (page().ends_with('\t')) page().pop_back();
      return page().push_back('\n');
    }
    // Not reading text: change tracking, comments, speaker notes, note marks.
    static const std::set<std::string> skipped = {"tracked-changes", "annotation",
                                                  "notes",           "note-citation",
                                                  "sequence-decls",  "variable-decls"};
    if (!skipped.count(name)) walk(n, depth + 1);
  }

  // Footnotes and endnotes follow the text, as in DOCX, not mid-sentence.
  void note(const xmlNode* n, int depth) {
    OdfText body(breaks_);
    if (const xmlNode* b = first_child(n, "note-body")) body.walk(b, depth + 1);
    for (const auto& page : body.pages) notes += page;
  }

  void paragraph(const xmlNode* n, int depth) {
    std::string style = attribute(n, "text:style-name");
    if (breaks_.before.count(style) && !page().empty()) pages.emplace_back();
    bool outer = !in_paragraph_;
    in_paragraph_ = true;
    walk(n, depth + 1);
    in_paragraph_ = !outer;
    page() += '\n';
    if (breaks_.after.count(style)) pages.emplace_back();
  }
};

void meta_fields(const Package& package, Document* out) {
  XmlDoc doc;
  if (!package.part("meta.xml") ||
      !parse_xml(*package.part("meta.xml"), "meta.xml", false, &doc).ok())
    return;
  const xmlNode* meta = first_child(xmlDocGetRootElement(doc.get()), "meta");
  for (const char* name : {"title", "subject", "description", "language"})
    if (const xmlNode* n = first_child(meta, name)) out->meta[name] = squeeze(text_of(n));
  // dc:creator is whoever saved it last; the author is the initial creator.
  const xmlNode* creator = first_child(meta, "initial-creator");
  if (creator == nullptr) creator = first_child(meta, "creator");
  if (creator) out->meta["creator"] = squeeze(text_of(creator));
  std::string keywords;
  for (const xmlNode* k : children(meta, "keyword"))
    keywords += (keywords.empty() ? "" : ", ") + squeeze(text_of(k));
  out->meta["keywords"] = keywords;
  std::string created = iso_day(text_of(first_child(meta, "creation-date")));
  std::string modified = iso_day(text_of(first_child(meta, "date")));
  out->meta["date"] = created.empty() ? modified : created;
  out->meta["modified"] = modified;
}

const char* media_type_of(PackageKind kind) {
  switch (kind) {
    case PackageKind::kOdt:
      return "application/vnd.oasis.opendocument.text";
    case PackageKind::kOds:
      return "application/vnd.oasis.opendocument.spreadsheet";
    case PackageKind::kOdp:
      return "application/vnd.oasis.opendocument.presentation";
    default:
      return nullptr;
  }
}

std::vector<std::string> body_pages(PackageKind kind, const xmlNode* body,
                                    const PageBreaks& breaks) {
  std::vector<std::string> pages;
  if (kind == PackageKind::kOds) {
    for (const xmlNode* table : children(first_child(body, "spreadsheet"), "table"))
      pages.push_back(OdfText::sheet(table));
  } else if (kind == PackageKind::kOdp) {
    for (const xmlNode* slide : children(first_child(body, "presentation"), "page")) {
      OdfText text(breaks);
      text.walk(slide, 0);
      pages.push_back(std::move(text.pages.front()));
    }
  } else {
    OdfText text(breaks);
    if (const xmlNode* t = first_child(body, "text")) text.walk(t, 0);
    text.pages.back() += "\n" + text.notes;
    pages = std::move(text.pages);
  }
  return pages;
}

class OpenDocumentImporter : public Importer {
 public:
  std::string_view name() const override { return "opendocument"; }
  int accepts(const Sniff& sniff) const override {
    return media_type_of(package_kind(sniff)) ? 100 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    Package package;
    if (Status s = Package::read(path, xml_part, &package); !s.ok()) return s;
    PackageKind kind = package_kind({"PK\x03\x04", path});
    if (!media_type_of(kind))
      return Status::Unsupported("a ZIP package that is not an ODT, ODS or ODP");
    // A password-protected document keeps its manifest readable and says so there.
    if (const std::string* m = package.part("META-INF/manifest.xml");
        m && m->find("encryption-data") != std::string::npos)
      return Status::Unsupported("password-protected OpenDocument file (encrypted)");
    const std::string* content = package.part("content.xml");
    if (content == nullptr) return Status::Corrupt("damaged OpenDocument: content.xml is missing");
    XmlDoc doc, styles;
    if (Status s = parse_xml(*content, "content.xml", false, &doc); !s.ok()) return s;
    PageBreaks breaks;
    collect_breaks(xmlDocGetRootElement(doc.get()), &breaks);
    if (const std::string* s = package.part("styles.xml");
        s && parse_xml(*s, "styles.xml", false, &styles).ok())
      collect_breaks(xmlDocGetRootElement(styles.get()), &breaks);
    out->pages = body_pages(kind, first_child(xmlDocGetRootElement(doc.get()), "body"), breaks);
    finish_pages(&out->pages);
    meta_fields(package, out);
    out->media_type = media_type_of(kind);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_opendocument_importer() {
  return std::make_unique<OpenDocumentImporter>();
}

}  // namespace kho::importers
