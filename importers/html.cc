// HTML through libxml2's forgiving parser: the visible text (scripts and
// styles skipped, blocks on their own lines), <title>, <meta> author,
// description and keywords, and <html lang>.
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <strings.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <set>

#include "importers/formats.h"

namespace kho::importers {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocFree>;

std::string name_of(const xmlNode* n) { return n->name ? reinterpret_cast<const char*>(n->name) : ""; }

std::string attribute(xmlNode* n, const char* attr) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(attr));
  if (v == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

bool is_block(const std::string& tag) {
  static const std::set<std::string> blocks = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4",
                                               "h5", "h6", "tr", "table", "section", "article", "header",
                                               "footer", "blockquote", "pre", "hr", "dd", "dt", "td", "th"};
  return blocks.count(tag) > 0;
}

void collect(xmlNode* node, std::string* text, Document* out) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) *text += reinterpret_cast<const char*>(n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE) continue;
    std::string tag = name_of(n);
    if (tag == "script" || tag == "style" || tag == "noscript" || tag == "template") continue;
    if (tag == "title") {
      std::string title;
      collect(n->children, &title, out);
      if (out->meta.find("title") == out->meta.end()) out->meta["title"] = title;
      continue;
    }
    if (tag == "meta") {
      std::string name = attribute(n, "name"), content = attribute(n, "content");
      for (auto [html, dc] : {std::pair{"author", "creator"}, std::pair{"description", "description"},
                              std::pair{"keywords", "keywords"}})
        if (strcasecmp(name.c_str(), html) == 0 && !content.empty()) out->meta[dc] = content;
      continue;
    }
    if (tag == "html" && !attribute(n, "lang").empty()) out->meta["language"] = attribute(n, "lang");
    if (is_block(tag)) *text += "\n";
    collect(n->children, text, out);
    if (is_block(tag)) *text += "\n";
  }
}

// Collapses runs of spaces and blank lines that markup leaves behind.
std::string tidy(const std::string& s) {
  std::string out;
  int newlines = 0;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      ++newlines, space = false;
    } else if (c == ' ' || c == '\t') {
      space = true;
    } else {
      if (!out.empty()) out += newlines ? (newlines > 1 ? "\n\n" : "\n") : (space ? " " : "");
      out += c;
      newlines = 0, space = false;
    }
  }
  return out;
}

// libxml2 takes undeclared HTML for Latin-1; most of ours is UTF-8.
const char* assumed_encoding(const std::string& bytes) {
  std::string head = bytes.substr(0, 2048);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.find("charset") != std::string::npos) return nullptr;
  std::string utf8;
  return decode_text(bytes, &utf8) ? "UTF-8" : nullptr;
}

class HtmlImporter : public Importer {
 public:
  std::string_view name() const override { return "html"; }
  int accepts(const Sniff& sniff) const override {
    std::string head(sniff.head.substr(0, 1024));
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t start = head.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    if (start == std::string::npos) return 0;
    std::string_view h = std::string_view(head).substr(start);
    if (h.starts_with("<!doctype html") || h.starts_with("<html")) return 90;
    bool markup = h.starts_with("<") && (head.find("<head") != std::string::npos || head.find("<body") != std::string::npos);
    return markup ? 70 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    XmlDoc doc(htmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, assumed_encoding(bytes),
                              HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                  HTML_PARSE_NONET | HTML_PARSE_COMPACT));
    if (!doc) return Status::Corrupt("damaged HTML (cannot be parsed)");
    std::string text;
    collect(xmlDocGetRootElement(doc.get()), &text, out);
    out->media_type = "text/html";
    out->pages.push_back(tidy(text));
    if (out->meta.count("title")) out->meta["title"] = tidy(out->meta["title"]);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_html_importer() { return std::make_unique<HtmlImporter>(); }

}  // namespace kho::importers
