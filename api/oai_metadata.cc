#include "api/oai_metadata.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "text/vietnamese.h"

namespace kho::api::oai {

std::string xml_escape(std::string_view raw) {
  std::string s = text::valid_utf8(raw);
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\r':
        out += "&#13;";
        continue;  // a parser would turn a bare CR into LF
      default:
        break;
    }
    if (c < 0x20 && c != '\t' && c != '\n') continue;
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters either.
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        static_cast<unsigned char>(s[i + 2]) >= 0xBE) {
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

namespace {

const char* const kDcElements[] = {
    "title",  "creator",    "subject", "description", "publisher", "contributor", "date",  "type",
    "format", "identifier", "source",  "language",    "relation",  "coverage",    "rights"};

const std::string* dc_value(const store::Record& record, const std::string& name) {
  auto it = record.dc.find(name);
  return it == record.dc.end() || it->second.empty() ? nullptr : &it->second;
}

}  // namespace

std::string render_oai_dc(const store::Record& record, const std::string& file_url) {
  std::string out =
      "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ "
      "http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">";
  auto element = [&out](const std::string& name, const std::string& value) {
    out += "<dc:" + name + ">" + xml_escape(value) + "</dc:" + name + ">";
  };
  for (const char* name : kDcElements) {
    if (const std::string* value = dc_value(record, name)) element(name, *value);
    // kho keeps a file's keywords apart from its subject; Dublin Core has only subject.
    if (std::strcmp(name, "subject") == 0)
      if (const std::string* keywords = dc_value(record, "keywords")) element(name, *keywords);
    if (std::strcmp(name, "identifier") == 0 && !file_url.empty()) element(name, file_url);
  }
  return out + "</oai_dc:dc>";
}

namespace {

// --- MARCXML built from Dublin Core ------------------------------------------

struct Subfield {
  char code;
  std::string value;
};

struct DataField {
  std::string tag;
  char ind1 = ' ', ind2 = ' ';
  std::vector<Subfield> subfields;
};

// The Library of Congress Dublin Core to MARC crosswalk (unqualified DC),
// https://www.loc.gov/marc/dccross.html, one field per element, except that
// publisher and date share one 260 and format joins the file link's 856.
struct Crosswalk {
  const char* dc;
  const char* tag;
  char ind1, ind2, code;
  const char* role;  // 720 $e
};
const Crosswalk kCrosswalk[] = {
    {"title", "245", '0', '0', 'a', nullptr},
    {"creator", "720", ' ', ' ', 'a', "author"},
    {"contributor", "720", ' ', ' ', 'a', "collaborator"},
    {"description", "520", ' ', ' ', 'a', nullptr},
    {"subject", "653", ' ', ' ', 'a', nullptr},
    {"keywords", "653", ' ', ' ', 'a', nullptr},
    {"type", "655", ' ', '7', 'a', nullptr},
    {"identifier", "024", '8', ' ', 'a', nullptr},
    {"source", "786", '0', ' ', 'n', nullptr},
    {"language", "546", ' ', ' ', 'a', nullptr},
    {"relation", "787", '0', ' ', 'n', nullptr},
    {"coverage", "500", ' ', ' ', 'a', nullptr},
    {"rights", "540", ' ', ' ', 'a', nullptr},
};

std::vector<DataField> crosswalk_fields(const store::Record& record, const std::string& file_url) {
  std::vector<DataField> fields;
  for (const Crosswalk& c : kCrosswalk) {
    const std::string* value = dc_value(record, c.dc);
    if (value == nullptr) continue;
    DataField f{c.tag, c.ind1, c.ind2, {{c.code, *value}}};
    if (c.role != nullptr) f.subfields.push_back({'e', c.role});
    if (f.tag == "655") f.subfields.push_back({'2', "local"});
    fields.push_back(std::move(f));
  }
  DataField imprint{"260", ' ', ' ', {}};
  if (const std::string* v = dc_value(record, "publisher")) imprint.subfields.push_back({'b', *v});
  if (const std::string* v = dc_value(record, "date")) imprint.subfields.push_back({'c', *v});
  if (!imprint.subfields.empty()) fields.push_back(std::move(imprint));
  DataField link{"856", file_url.empty() ? ' ' : '4', file_url.empty() ? ' ' : '0', {}};
  if (!file_url.empty()) link.subfields.push_back({'u', file_url});
  if (const std::string* v = dc_value(record, "format")) link.subfields.push_back({'q', *v});
  if (!link.subfields.empty()) fields.push_back(std::move(link));
  std::stable_sort(fields.begin(), fields.end(),
                   [](const DataField& a, const DataField& b) { return a.tag < b.tag; });
  return fields;
}

std::string crosswalk_marcxml(const store::Record& record, const std::string& file_url) {
  // Leader: new record, language material, monograph, Unicode (position 9 'a').
  std::string out = std::string("<record xmlns=\"") + kMarcNamespace +
                    "\"><leader>00000nam a2200000uu 4500</leader>";
  for (const DataField& f : crosswalk_fields(record, file_url)) {
    out += "<datafield tag=\"" + f.tag + "\" ind1=\"" + f.ind1 + "\" ind2=\"" + f.ind2 + "\">";
    for (const Subfield& s : f.subfields)
      out +=
          std::string("<subfield code=\"") + s.code + "\">" + xml_escape(s.value) + "</subfield>";
    out += "</datafield>";
  }
  return out + "</record>";
}

// --- MARCXML kept from the catalogue ----------------------------------------

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocFree>;
struct BufferFree {
  void operator()(xmlBuffer* buffer) const { xmlBufferFree(buffer); }
};

bool is_marc_record(const xmlNode* node) {
  if (node->type != XML_ELEMENT_NODE || xmlStrcmp(node->name, BAD_CAST "record") != 0) return false;
  return node->ns == nullptr ||
         xmlStrcmp(node->ns->href, reinterpret_cast<const xmlChar*>(kMarcNamespace)) == 0;
}

// The first MARC <record>, whether the document is one record or a <collection>.
xmlNode* find_marc_record(xmlNode* node) {
  for (; node != nullptr; node = node->next) {
    if (is_marc_record(node)) return node;
    if (xmlNode* found = find_marc_record(node->children)) return found;
  }
  return nullptr;
}

// Records catalogued without a namespace are MARCXML all the same.
void put_in_marc_namespace(xmlNode* node, xmlNs* ns) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (node->ns == nullptr) xmlSetNs(node, ns);
    put_in_marc_namespace(node->children, ns);
  }
}

// The stored record as one standalone element; false when it is not
// well-formed MARCXML (then the crosswalk answers instead).
bool catalogue_marcxml(const std::string& stored, std::string* out) {
  // No network, no entity expansion, no DTD: the stored text is untrusted input.
  XmlDoc doc(xmlReadMemory(stored.data(), static_cast<int>(stored.size()), nullptr, "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return false;
  xmlNode* found = find_marc_record(xmlDocGetRootElement(doc.get()));
  if (found == nullptr) return false;
  // A copy in a document of its own carries the namespace its parent declared.
  XmlDoc alone(xmlNewDoc(BAD_CAST "1.0"));
  xmlNode* record = xmlDocCopyNode(found, alone.get(), 1);
  if (record == nullptr) return false;
  xmlDocSetRootElement(alone.get(), record);
  if (record->ns == nullptr)
    put_in_marc_namespace(
        record, xmlNewNs(record, reinterpret_cast<const xmlChar*>(kMarcNamespace), nullptr));
  std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
  if (!buffer || xmlNodeDump(buffer.get(), alone.get(), record, 0, 0) < 0) return false;
  out->assign(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
              static_cast<std::size_t>(xmlBufferLength(buffer.get())));
  return true;
}

}  // namespace

std::string render_marcxml(const store::Record& record, const std::string& file_url) {
  auto kept = record.fields.find("marcxml");
  std::string out;
  if (kept != record.fields.end() && catalogue_marcxml(kept->second, &out)) return out;
  return crosswalk_marcxml(record, file_url);
}

std::string set_spec_part(std::string_view name) {
  std::string folded = text::fold(text::nfc(name));
  std::string out;
  for (char ch : folded) {
    auto c = static_cast<unsigned char>(ch);
    bool allowed = std::isalnum(c) != 0 || std::strchr("-_.!*'()", c) != nullptr;
    if (c >= 0x80) {
      // A letter fold() leaves alone (not Vietnamese): keep it distinct, in hex.
      const char* hex = "0123456789ABCDEF";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else if (allowed && c != 0) {
      out += static_cast<char>(c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "-" : out;
}

std::string kind_label(const std::string& kind) {
  static const std::map<std::string, std::string> kLabels = {{"book", "Sách"},
                                                             {"diploma", "Văn bằng"},
                                                             {"lesson-plan", "Kế hoạch bài dạy"},
                                                             {"admin-doc", "Văn bản hành chính"},
                                                             {"other", "Khác"}};
  auto it = kLabels.find(kind);
  return it == kLabels.end() ? kind : it->second;
}

}  // namespace kho::api::oai
