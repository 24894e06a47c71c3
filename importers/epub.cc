// EPUB 2 and 3: META-INF/container.xml names the package document (OPF),
// whose metadata gives the Dublin Core fields and whose spine gives the
// chapters in reading order; each spine item is a page, its text read as the
// HTML importer reads a web page. The cover picture's path is kept in meta
// "cover", for a thumbnail.
#include <set>
#include <string>
#include <vector>

#include "importers/formats.h"
#include "importers/package.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

struct ManifestItem {
  std::string path;  // inside the package
  std::string media_type;
  std::string properties;
};

std::string joined(const xmlNode* metadata, const char* name) {
  std::string out;
  for (const xmlNode* n : children(metadata, name))
    if (std::string v = squeeze(text_of(n)); !v.empty()) out += (out.empty() ? "" : "; ") + v;
  return out;
}

std::string day_or_year(std::string_view value) {
  std::string day = iso_day(value);
  if (!day.empty()) return day;
  std::string v = squeeze(value);
  bool year = v.size() == 4 && v.find_first_not_of("0123456789") == std::string::npos;
  return year ? v : "";
}

void identifiers(const xmlNode* package, const xmlNode* metadata, Document* out) {
  std::string unique = attribute(package, "unique-identifier");
  for (const xmlNode* id : children(metadata, "identifier")) {
    std::string value = squeeze(text_of(id));
    if (attribute(id, "id") == unique || !out->meta.count("identifier"))
      out->meta["identifier"] = value;
    std::string scheme = attribute(id, "opf:scheme");
    std::string isbn = isbn_digits(value);
    bool said_isbn = scheme == "ISBN" || scheme == "isbn" || value.starts_with("urn:isbn:");
    if (!isbn.empty() && (said_isbn || !out->meta.count("isbn"))) out->meta["isbn"] = isbn;
  }
}

void metadata(const xmlNode* package, Document* out) {
  const xmlNode* m = first_child(package, "metadata");
  if (const xmlNode* title = first_child(m, "title")) out->meta["title"] = squeeze(text_of(title));
  if (const xmlNode* language = first_child(m, "language"))
    out->meta["language"] = squeeze(text_of(language));
  out->meta["creator"] = joined(m, "creator");
  out->meta["contributor"] = joined(m, "contributor");
  out->meta["subject"] = joined(m, "subject");
  out->meta["publisher"] = joined(m, "publisher");
  if (const xmlNode* d = first_child(m, "description"))
    out->meta["description"] = squeeze(text_of(d));
  if (const xmlNode* date = first_child(m, "date")) out->meta["date"] = day_or_year(text_of(date));
  for (const xmlNode* meta : children(m, "meta"))
    if (attribute(meta, "property") == "dcterms:modified")
      out->meta["modified"] = iso_day(text_of(meta));
  identifiers(package, m, out);
}

std::map<std::string, ManifestItem> manifest(const xmlNode* package, const std::string& opf_path) {
  std::map<std::string, ManifestItem> items;
  for (const xmlNode* item : children(first_child(package, "manifest"), "item"))
    items[attribute(item, "id")] = {resolve_path(opf_path, attribute(item, "href")),
                                    attribute(item, "media-type"), attribute(item, "properties")};
  return items;
}

// EPUB 3 marks the cover in the manifest; EPUB 2 names it in <meta name="cover">.
std::string cover(const xmlNode* package, const std::map<std::string, ManifestItem>& items) {
  for (const auto& [id, item] : items)
    if (item.properties.find("cover-image") != std::string::npos) return item.path;
  for (const xmlNode* meta : children(first_child(package, "metadata"), "meta"))
    if (attribute(meta, "name") == "cover")
      if (auto it = items.find(attribute(meta, "content")); it != items.end())
        return it->second.path;
  return "";
}

std::vector<ManifestItem> spine(const xmlNode* package,
                                const std::map<std::string, ManifestItem>& items) {
  std::vector<ManifestItem> out;
  for (const xmlNode* ref : children(first_child(package, "spine"), "itemref"))
    if (auto it = items.find(attribute(ref, "idref")); it != items.end()) out.push_back(it->second);
  return out;
}

// The files META-INF/encryption.xml says are encrypted (DRM or font obfuscation).
std::set<std::string> encrypted(const Package& package) {
  std::set<std::string> out;
  XmlDoc doc;
  const std::string* xml = package.part("META-INF/encryption.xml");
  if (xml == nullptr || !parse_xml(*xml, "META-INF/encryption.xml", true, &doc).ok()) return out;
  for (const xmlNode* ref : descendants(xmlDocGetRootElement(doc.get()), "CipherReference"))
    out.insert(resolve_path("", attribute(ref, "URI")));
  return out;
}

Status package_document(const Package& package, std::string* opf_path, XmlDoc* opf) {
  const std::string* container = package.part("META-INF/container.xml");
  if (container == nullptr)
    return Status::Corrupt("damaged EPUB: META-INF/container.xml is missing");
  XmlDoc doc;
  if (Status s = parse_xml(*container, "META-INF/container.xml", true, &doc); !s.ok()) return s;
  for (const xmlNode* rootfile : descendants(xmlDocGetRootElement(doc.get()), "rootfile")) {
    *opf_path = resolve_path("", attribute(rootfile, "full-path"));
    if (const std::string* bytes = package.part(*opf_path))
      return parse_xml(*bytes, *opf_path, true, opf);
  }
  return Status::Corrupt("damaged EPUB: the package document (OPF) is missing");
}

bool is_text(const ManifestItem& item) {
  return item.media_type == "application/xhtml+xml" || item.media_type == "text/html";
}

class EpubImporter : public Importer {
 public:
  std::string_view name() const override { return "epub"; }
  int accepts(const Sniff& sniff) const override {
    return package_kind(sniff) == PackageKind::kEpub ? 100 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    // Two passes: the container and OPF first, then only the chapters they name.
    Package outline;
    auto outline_part = [](std::string_view n) {
      return n == "META-INF/container.xml" || n == "META-INF/encryption.xml" || n.ends_with(".opf");
    };
    if (Status s = Package::read(path, outline_part, &outline); !s.ok()) return s;
    std::string opf_path;
    XmlDoc opf;
    if (Status s = package_document(outline, &opf_path, &opf); !s.ok()) return s;
    const xmlNode* root = xmlDocGetRootElement(opf.get());
    auto items = manifest(root, opf_path);
    std::vector<ManifestItem> chapters = spine(root, items);
    if (chapters.empty()) return Status::Corrupt("damaged EPUB: the spine lists no chapters");
    std::set<std::string> locked = encrypted(outline);
    std::set<std::string> wanted;
    for (const auto& c : chapters) {
      if (locked.count(c.path))
        return Status::Unsupported("DRM-protected e-book: its text is encrypted");
      if (is_text(c)) wanted.insert(c.path);
    }
    Package text;
    if (Status s = Package::read(
            path, [&](std::string_view n) { return wanted.count(std::string(n)) > 0; }, &text);
        !s.ok())
      return s;
    for (const auto& c : chapters) {
      const std::string* bytes = text.part(c.path);
      out->pages.push_back(bytes ? xhtml_text(*bytes) : "");
    }
    finish_pages(&out->pages);
    metadata(root, out);
    out->meta["cover"] = cover(root, items);
    out->media_type = "application/epub+zip";
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_epub_importer() { return std::make_unique<EpubImporter>(); }

}  // namespace kho::importers
