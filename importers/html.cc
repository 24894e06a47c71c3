// HTML through libxml2's forgiving parser: the visible text (scripts and
// styles skipped, blocks on their own lines), <title>, <meta> author,
// description and keywords, and <html lang>.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <strings.h>

#include <cctype>
#include <climits>
#include <memory>
#include <set>
#include <string_view>

#include "importers/formats.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocFree>;

std::string name_of(const xmlNode* n) {
  return n->name ? reinterpret_cast<const char*>(n->name) : "";
}

std::string attribute(xmlNode* n, const char* attr) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(attr));
  if (v == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

// Collapses the runs of spaces and line breaks that markup leaves behind (a
// no-break space, &nbsp;, is a space here): one line per block.
std::string tidy(const std::string& s) {
  std::string out;
  int newlines = 0;
  bool space = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r') {
      ++newlines, space = false;
    } else if (c == ' ' || c == '\t' || (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0')) {
      if (c == '\xC2') ++i;
      space = true;
    } else {
      if (!out.empty()) out += newlines ? "\n" : (space ? " " : "");
      out += c;
      newlines = 0, space = false;
    }
  }
  return out;
}

bool is_block(const std::string& tag) {
  static const std::set<std::string> blocks = {
      "p",          "div",     "br",     "li",         "ul",     "ol",  "h1",
      "h2",         "h3",      "h4",     "h5",         "h6",     "tr",  "table",
      "section",    "article", "header", "footer",     "main",   "nav", "aside",
      "blockquote", "pre",     "hr",     "dd",         "dt",     "dl",  "td",
      "th",         "caption", "figure", "figcaption", "address"};
  return blocks.count(tag) > 0;
}

bool is_hidden(const std::string& tag) {
  return tag == "script" || tag == "style" || tag == "noscript" || tag == "template";
}

// Walks the tree once, gathering visible text and the metadata in <head>.
class Collector {
 public:
  explicit Collector(Document* out) : out_(out) {}
  std::string text;

  void walk(xmlNode* first, int depth = 0) {
    // libxml2 bounds nesting itself; this keeps our own recursion bounded too.
    if (depth > 1000) return;
    for (xmlNode* n = first; n != nullptr; n = n->next) {
      if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
        add_text(reinterpret_cast<const char*>(n->content));
      else if (n->type == XML_ELEMENT_NODE)
        element(n, depth);
    }
  }

 private:
  Document* out_;
  int pre_ = 0;

  // Line breaks in the source are spaces in HTML, except inside <pre>.
  void add_text(const char* s) {
    if (s == nullptr) return;
    for (; *s; ++s) text += (pre_ == 0 && (*s == '\n' || *s == '\r')) ? ' ' : *s;
  }

  void element(xmlNode* n, int depth) {
    std::string tag = name_of(n);
    if (is_hidden(tag)) return;
    if (tag == "title") return title(n);
    if (tag == "meta") return meta(n);
    if (tag == "html") out_->meta["language"] = attribute(n, "lang");
    bool block = is_block(tag);
    if (block) text += "\n";
    if (tag == "pre") ++pre_;
    walk(n->children, depth + 1);
    if (tag == "pre") --pre_;
    if (block) text += "\n";
  }

  void title(xmlNode* n) {
    if (out_->meta.count("title")) return;
    Collector inner(out_);
    inner.walk(n->children);
    out_->meta["title"] = tidy(inner.text);
  }

  void meta(xmlNode* n) {
    std::string name = attribute(n, "name"), content = attribute(n, "content");
    for (auto [html, dc] : {std::pair{"author", "creator"}, std::pair{"description", "description"},
                            std::pair{"keywords", "keywords"}})
      if (strcasecmp(name.c_str(), html) == 0) out_->meta[dc] = tidy(content);
  }
};

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t replacements(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = s.find("\xEF\xBF\xBD", at)) != std::string_view::npos; at += 3)
    ++n;
  return n;
}

// libxml2 takes undeclared HTML for Latin-1; Vietnamese pages without a
// charset are nearly always UTF-8, now and then with a stray bad byte.
const char* assumed_encoding(std::string* bytes) {
  if (lowered(std::string_view(*bytes).substr(0, 2048)).find("charset") != std::string::npos)
    return nullptr;
  if (bytes->starts_with("\xFF\xFE") || bytes->starts_with("\xFE\xFF")) return nullptr;
  std::string repaired = text::valid_utf8(*bytes);
  std::size_t bad = replacements(repaired) - replacements(*bytes);
  if (bad > 8 && bad > bytes->size() / 1000) return nullptr;  // not UTF-8 after all
  *bytes = std::move(repaired);
  return "UTF-8";
}

// Skips what may come before the first tag: BOM, blanks and comments.
std::string_view skip_prologue(std::string_view h) {
  for (;;) {
    std::size_t start = h.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    if (start == std::string_view::npos) return {};
    h.remove_prefix(start);
    if (!h.starts_with("<!--")) return h;
    std::size_t end = h.find("-->");
    if (end == std::string_view::npos) return {};
    h.remove_prefix(end + 3);
  }
}

class HtmlImporter : public Importer {
 public:
  std::string_view name() const override { return "html"; }
  int accepts(const Sniff& sniff) const override {
    std::string head = lowered(sniff.head.substr(0, 1024));
    if (std::string utf8; head.find('\0') != std::string::npos && decode_text(head, &utf8))
      head = lowered(utf8);  // "Unicode" web pages saved by Windows programs are UTF-16
    std::string_view h = skip_prologue(head);
    if (h.starts_with("<!doctype html") || h.starts_with("<html")) return 90;
    if (h.starts_with("<?xml") && head.find("<html") != std::string::npos) return 80;  // XHTML
    bool body = head.find("<head") != std::string::npos || head.find("<body") != std::string::npos;
    return h.starts_with("<") && body ? 70 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::string bytes;
    if (Status s = read_whole(path, &bytes); !s.ok()) return s;
    const char* encoding = assumed_encoding(&bytes);
    XmlDoc doc(htmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, encoding,
                              HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                  HTML_PARSE_NONET | HTML_PARSE_COMPACT));
    if (!doc) return Status::Corrupt("damaged HTML (cannot be parsed)");
    Collector collector(out);
    collector.walk(xmlDocGetRootElement(doc.get()));
    out->media_type = "text/html";
    out->pages.push_back(tidy(collector.text));
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_html_importer() { return std::make_unique<HtmlImporter>(); }

std::string xhtml_text(const std::string& bytes) {
  if (bytes.size() > INT_MAX) return "";
  const int size = static_cast<int>(bytes.size());
  // XHTML is XML; one that is not well-formed still reads as HTML. Neither
  // parser fetches anything or expands entities.
  XmlDoc doc(xmlReadMemory(bytes.data(), size, nullptr, nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                               XML_PARSE_NOCDATA | XML_PARSE_COMPACT));
  if (!doc)
    doc.reset(htmlReadMemory(bytes.data(), size, nullptr, "UTF-8",
                             HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_COMPACT));
  if (!doc) return "";
  Document head;  // the <title> and <meta> of one chapter are not the book's
  Collector collector(&head);
  collector.walk(xmlDocGetRootElement(doc.get()));
  return tidy(collector.text);
}

}  // namespace kho::importers
