// ZIP packages through libarchive with limits, XML parts through libxml2.
#include "importers/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <new>

#include "text/vietnamese.h"

namespace kho::importers {

namespace {

// Office XML compresses 5-20 times, seldom 50; a part of zeros compresses
// over 1000 times. What a package may expand to grows with its size, between
// a floor that fits any real small document and a ceiling the worker's
// memory limit can take once the XML is parsed.
constexpr std::uint64_t kMaxRatio = 100;
constexpr std::uint64_t kMinExpanded = std::uint64_t{16} << 20;
constexpr std::uint64_t kMaxExpanded = std::uint64_t{512} << 20;
constexpr std::size_t kMaxEntries = 10000;

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Archive = std::unique_ptr<archive, ArchiveFree>;

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::string kib(std::uint64_t bytes) { return std::to_string((bytes + 1023) >> 10) + " KiB"; }

Status damaged(archive* a) {
  const char* why = archive_error_string(a);
  return Status::Corrupt(std::string("truncated or damaged ZIP package") +
                         (why ? std::string(" (") + why + ")" : ""));
}

Status bomb(std::uint64_t budget, std::uint64_t file_size) {
  return Status::TooLarge("package expands to more than " + mib(budget) + " from a " +
                          kib(file_size) + " file: refused as a possible ZIP bomb");
}

Status read_entry(archive* a, std::uint64_t budget, std::uint64_t file_size,
                  std::uint64_t* expanded, std::string* data) {
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
    if (n == 0) return Status::Ok();
    if (n < 0) return damaged(a);
    *expanded += static_cast<std::uint64_t>(n);
    if (*expanded > budget) return bomb(budget, file_size);
    data->append(buffer.data(), static_cast<std::size_t>(n));
  }
}

std::uint16_t le16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) |
                                    static_cast<unsigned char>(s[at + 1]) << 8);
}

std::uint32_t le32(std::string_view s, std::size_t at) {
  return le16(s, at) | static_cast<std::uint32_t>(le16(s, at + 2)) << 16;
}

struct LocalEntry {
  std::string name;
  std::string_view stored_data;  // set when the entry is stored and in the head
};

// The local file headers that fit in the head of the file: enough to read an
// ODF or EPUB "mimetype" entry, which the formats require to come first.
std::vector<LocalEntry> local_entries(std::string_view head) {
  std::vector<LocalEntry> entries;
  std::size_t at = 0;
  while (at + 30 <= head.size() && head.substr(at, 4) == "PK\x03\x04") {
    std::uint16_t flags = le16(head, at + 6), method = le16(head, at + 8);
    std::uint32_t size = le32(head, at + 18);
    std::size_t name_len = le16(head, at + 26), extra_len = le16(head, at + 28);
    std::size_t data_at = at + 30 + name_len + extra_len;
    if (at + 30 + name_len > head.size()) break;
    LocalEntry entry{std::string(head.substr(at + 30, name_len)), {}};
    bool sized = (flags & 8) == 0;  // else the sizes follow the data
    if (sized && method == 0 && data_at + size <= head.size())
      entry.stored_data = head.substr(data_at, size);
    entries.push_back(std::move(entry));
    // Sizes kept in a data descriptor after the data: the next header is
    // found by its signature (which compressed data may contain by chance;
    // a wrong name here costs no more than a wrong guess).
    at = sized ? data_at + size : head.find("PK\x03\x04", data_at);
    if (at == std::string_view::npos) break;
  }
  return entries;
}

PackageKind from_mimetype(std::string_view m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == ' '))
    m.remove_suffix(1);
  constexpr std::string_view odf = "application/vnd.oasis.opendocument.";
  if (m == "application/epub+zip") return PackageKind::kEpub;
  if (!m.starts_with(odf)) return PackageKind::kNone;
  m.remove_prefix(odf.size());
  if (m == "text" || m == "text-template") return PackageKind::kOdt;
  if (m == "spreadsheet" || m == "spreadsheet-template") return PackageKind::kOds;
  if (m == "presentation" || m == "presentation-template") return PackageKind::kOdp;
  return PackageKind::kNone;
}

PackageKind from_names(const std::vector<std::string>& names) {
  auto has = [&](std::string_view n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  auto any_under = [&](std::string_view folder) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return n.starts_with(folder); });
  };
  // A package's content types and root relationships are its last and first
  // entries; a truncated file may have only one of them.
  if (has("[Content_Types].xml") || has("_rels/.rels")) {
    if (any_under("word/")) return PackageKind::kDocx;
    if (any_under("xl/")) return PackageKind::kXlsx;
    if (any_under("ppt/")) return PackageKind::kPptx;
  }
  bool opf = std::any_of(names.begin(), names.end(),
                         [](const std::string& n) { return n.ends_with(".opf"); });
  if (has("META-INF/container.xml") && opf) return PackageKind::kEpub;
  return PackageKind::kNone;
}

}  // namespace

PackageKind package_kind(const Sniff& sniff) {
  if (!sniff.head.starts_with("PK\x03\x04")) return PackageKind::kNone;
  std::vector<LocalEntry> local = local_entries(sniff.head);
  if (!local.empty() && local[0].name == "mimetype")
    if (PackageKind k = from_mimetype(local[0].stored_data); k != PackageKind::kNone) return k;
  // The central directory lists every entry; a damaged file still names the
  // ones before the damage.
  std::vector<std::string> names;
  for (const auto& e : local) names.push_back(e.name);
  Package package;
  if (!sniff.filename.empty()) {
    (void)Package::read(
        std::string(sniff.filename), [](std::string_view n) { return n == "mimetype"; }, &package);
    names.insert(names.end(), package.names().begin(), package.names().end());
    if (const std::string* m = package.part("mimetype"))
      if (PackageKind k = from_mimetype(*m); k != PackageKind::kNone) return k;
  }
  return from_names(names);
}

Status Package::read(const std::string& path, const std::function<bool(std::string_view)>& wanted,
                     Package* out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Status::IoError(std::string("cannot open file: ") + std::strerror(errno));
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t budget = std::clamp(file_size * kMaxRatio, kMinExpanded, kMaxExpanded);
  Archive a(archive_read_new());
  if (!a) throw std::bad_alloc();
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK)
    return damaged(a.get());
  std::uint64_t declared = 0, expanded = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return damaged(a.get());
    if (out->names_.size() >= kMaxEntries)
      return Status::TooLarge("package has more than " + std::to_string(kMaxEntries) +
                              " entries: refused as a possible ZIP bomb");
    const char* name = archive_entry_pathname_utf8(entry);
    if (name == nullptr) name = archive_entry_pathname(entry);
    if (name == nullptr) continue;
    out->names_.emplace_back(name);
    // Entries not wanted are skipped unread, so only the wanted ones count.
    if (archive_entry_filetype(entry) != AE_IFREG || !wanted(name)) continue;
    if (archive_entry_size_is_set(entry))
      declared += static_cast<std::uint64_t>(archive_entry_size(entry));
    if (declared > budget) return bomb(budget, file_size);
    if (archive_entry_is_data_encrypted(entry))
      return Status::Unsupported("encrypted package (" + std::string(name) + " needs a password)");
    if (Status s = read_entry(a.get(), budget, file_size, &expanded, &out->parts_[name]); !s.ok())
      return s;
  }
  if (out->names_.empty()) return Status::Corrupt("empty ZIP package");
  return Status::Ok();
}

const std::string* Package::part(const std::string& name) const {
  auto it = parts_.find(name);
  return it == parts_.end() ? nullptr : &it->second;
}

Status parse_xml(const std::string& bytes, const std::string& part_name, bool recover,
                 XmlDoc* out) {
  if (bytes.size() > INT_MAX) return Status::TooLarge(part_name + " is too large to parse");
  // No XML_PARSE_NOENT or XML_PARSE_DTDLOAD: entities stay unexpanded and no
  // external DTD is fetched, so neither billion laughs nor XXE apply.
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                XML_PARSE_COMPACT;
  if (recover) options |= XML_PARSE_RECOVER;
  xmlResetLastError();
  out->reset(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), part_name.c_str(), nullptr,
                           options));
  if (*out && xmlDocGetRootElement(out->get()) != nullptr) return Status::Ok();
  const xmlError* error = xmlGetLastError();  // this thread's, from the parse above
  std::string why = error && error->message ? squeeze(error->message) : "";
  if (!why.empty() && error->line > 0) why = "line " + std::to_string(error->line) + ": " + why;
  return Status::Corrupt("damaged XML in " + part_name + (why.empty() ? "" : " (" + why + ")"));
}

std::string local_name(const xmlNode* n) {
  return n && n->name ? reinterpret_cast<const char*>(n->name) : "";
}

bool is_element(const xmlNode* n, std::string_view name) {
  return n && n->type == XML_ELEMENT_NODE && n->name &&
         name == reinterpret_cast<const char*>(n->name);
}

std::string attribute(const xmlNode* n, std::string_view name) {
  std::string_view prefix;
  if (std::size_t colon = name.find(':'); colon != std::string_view::npos)
    prefix = name.substr(0, colon), name.remove_prefix(colon + 1);
  for (const xmlAttr* a = n ? n->properties : nullptr; a; a = a->next) {
    if (!a->name || name != reinterpret_cast<const char*>(a->name)) continue;
    const char* ns = a->ns && a->ns->prefix ? reinterpret_cast<const char*>(a->ns->prefix) : "";
    if (prefix != ns) continue;
    std::string value;
    for (const xmlNode* t = a->children; t; t = t->next)
      if (t->type == XML_TEXT_NODE && t->content)
        value += reinterpret_cast<const char*>(t->content);
    return value;
  }
  return "";
}

const xmlNode* first_child(const xmlNode* n, std::string_view name) {
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
    if (is_element(c, name)) return c;
  return nullptr;
}

std::vector<const xmlNode*> children(const xmlNode* n, std::string_view name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
    if (is_element(c, name)) out.push_back(c);
  return out;
}

namespace {

void collect(const xmlNode* n, std::string_view name, int depth, std::vector<const xmlNode*>* out) {
  if (depth > 256) return;  // libxml2's own nesting limit; keeps this bounded too
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    if (is_element(c, name)) out->push_back(c);
    collect(c, name, depth + 1, out);
  }
}

void gather_text(const xmlNode* n, int depth, std::string* out) {
  if (depth > 256) return;
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      *out += reinterpret_cast<const char*>(c->content);
    else if (c->type == XML_ELEMENT_NODE)
      gather_text(c, depth + 1, out);
  }
}

}  // namespace

std::vector<const xmlNode*> descendants(const xmlNode* n, std::string_view name) {
  std::vector<const xmlNode*> out;
  collect(n, name, 0, &out);
  return out;
}

std::string text_of(const xmlNode* n) {
  std::string out;
  gather_text(n, 0, &out);
  return out;
}

std::string squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      out += c;
      space = false;
    }
  }
  return out;
}

std::string iso_day(std::string_view s) {
  s = s.substr(0, std::min<std::size_t>(s.size(), 64));
  std::size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  s.remove_prefix(start);
  if (s.size() < 10) return "";
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return "";
  if (s[4] != '-' || s[7] != '-') return "";
  if (s.size() > 10 && s[10] != 'T' && s[10] != ' ') return "";
  return std::string(s.substr(0, 10));
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

void finish_pages(std::vector<std::string>* pages) {
  for (auto& page : *pages) {
    page = text::nfc(page);
    std::size_t start = page.find_first_not_of("\r\n ");
    std::size_t end = page.find_last_not_of("\r\n ");
    page = start == std::string::npos ? "" : page.substr(start, end - start + 1);
    // Empty paragraphs and notes' separators: at most one blank line in a row
    // (in one pass: a hostile file may hold a million empty paragraphs).
    std::size_t kept = 0, run = 0;
    for (char c : page) {
      run = c == '\n' ? run + 1 : 0;
      if (run <= 2) page[kept++] = c;
    }
    page.resize(kept);
  }
  while (pages->size() > 1 && pages->back().empty()) pages->pop_back();
  if (pages->empty()) pages->emplace_back();
}

std::string resolve_path(std::string_view base, std::string_view ref) {
  ref = ref.substr(0, ref.find('#'));
  std::string joined;
  if (ref.starts_with("/"))
    joined = std::string(ref.substr(1));
  else if (std::size_t slash = base.rfind('/'); slash != std::string_view::npos)
    joined = std::string(base.substr(0, slash + 1)) + std::string(ref);
  else
    joined = std::string(ref);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return percent_decoded(out);
}

}  // namespace kho::importers
