// ZIP packages (Office Open XML, OpenDocument, EPUB) read through libarchive,
// and their XML parts parsed with libxml2. Private to the importers module.
// A package is untrusted: its entry count and the bytes it expands to are
// capped, so a ZIP bomb is refused with a reason instead of filling memory,
// and XML is parsed without network access, DTD loading or entity expansion.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "importers/importer.h"

namespace kho::importers {

// What a ZIP file is, told by its entries (and the ODF/EPUB "mimetype" entry).
enum class PackageKind { kNone, kDocx, kXlsx, kPptx, kOdt, kOds, kOdp, kEpub };
PackageKind package_kind(const Sniff& sniff);

class Package {
 public:
  // Reads, in one streaming pass, every entry whose name `wanted` accepts.
  static Status read(const std::string& path, const std::function<bool(std::string_view)>& wanted,
                     Package* out);
  const std::vector<std::string>& names() const { return names_; }
  // The bytes of an entry that was wanted, or nullptr.
  const std::string* part(const std::string& name) const;

 private:
  std::vector<std::string> names_;
  std::map<std::string, std::string> parts_;
};

struct XmlDocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

// Parses a part; `recover` tolerates sloppy markup (XHTML in e-books).
Status parse_xml(const std::string& bytes, const std::string& part_name, bool recover, XmlDoc* out);

// Element helpers by local name, whatever the namespace prefix.
std::string local_name(const xmlNode* n);
bool is_element(const xmlNode* n, std::string_view name);
// By local name ("id": no prefix) or prefixed name ("r:id"), as the
// formats' own namespaces always use the same prefixes.
std::string attribute(const xmlNode* n, std::string_view name);
const xmlNode* first_child(const xmlNode* n, std::string_view name);
std::vector<const xmlNode*> children(const xmlNode* n, std::string_view name);
std::vector<const xmlNode*> descendants(const xmlNode* n, std::string_view name);
// The text nodes under `n`, in order; entity references are not expanded.
std::string text_of(const xmlNode* n);
// Surrounding white space removed and inner runs collapsed to one space.
std::string squeeze(std::string_view s);
// "2023-09-05T08:30:00Z" -> "2023-09-05"; "" when it is not a date.
std::string iso_day(std::string_view s);

// Every page NFC, without blank lines at its ends; trailing empty pages
// dropped (at least one page stays).
void finish_pages(std::vector<std::string>* pages);

// Resolves a relative reference against the folder of `base` inside the
// package: ("OEBPS/content.opf", "../text/a.xhtml") -> "text/a.xhtml".
std::string resolve_path(std::string_view base, std::string_view ref);

}  // namespace kho::importers
