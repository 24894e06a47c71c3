// The registry picks an importer by content and gives every Document the same
// guarantees (at least one page, NFC text) whichever importer made it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

#include "importers/admin_doc.h"
#include "importers/formats.h"
#include "importers/importer.h"
#include "text/legacy.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

constexpr std::size_t kHeadSize = Sniff::kHeadBytes;

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status open_error(int err) {
  if (err == ENOENT) return Status::NotFound("file not found");
  if (err == ELOOP) return Status::Invalid("a symbolic link: not followed");
  if (err == EACCES) return Status::IoError("permission denied");
  return Status::IoError(std::string("cannot open file: ") + std::strerror(err));
}

// fstat on the open descriptor, so the checks are about the file we read;
// O_NONBLOCK so that a named pipe is refused instead of waited on;
// O_NOFOLLOW so that a link put in a file's place is refused, not read.
Status read_head(const std::string& path, std::string* head) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)};
  if (f.fd < 0) return open_error(errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Status::IoError(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Status::Invalid("a folder, not a file");
  if (!S_ISREG(st.st_mode)) return Status::Invalid("not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxFileSize)
    return Status::TooLarge("file is larger than " + std::to_string(kMaxFileSize >> 20) + " MiB");
  head->resize(kHeadSize);
  std::size_t got = 0;
  while (got < head->size()) {
    ssize_t n = ::read(f.fd, head->data() + got, head->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(std::string("cannot read file: ") + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  head->resize(got);
  return Status::Ok();
}

// Importers call C libraries that may throw bad_alloc through C++ wrappers;
// nothing may escape the module.
Status guarded_extract(const Importer& importer, const std::string& path, Document* doc) {
  try {
    return importer.extract(path, doc);
  } catch (const std::bad_alloc&) {
    return Status::TooLarge("out of memory while reading the file");
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("cannot read file (") + e.what() + ")");
  }
}

void drop_soft_hyphens(std::string* page) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < page->size(); ++r) {
    if (page->compare(r, 2, "\xC2\xAD") == 0) {
      ++r;
      continue;
    }
    (*page)[w++] = (*page)[r];
  }
  page->resize(w);
}

// Text typed in TCVN3 or VNI fonts reaches us as Windows-1252 mojibake from
// every format (catdoc, Word XML, a PDF's font table): decided for the whole
// document, converted line by line where it reads better.
void repair_legacy_text(Document* doc) {
  std::string sample;
  for (const auto& page : doc->pages) {
    sample += page;
    sample += '\n';
    if (sample.size() > (std::size_t{1} << 20)) break;
  }
  text::Legacy legacy = text::detect_legacy(sample);
  if (legacy == text::Legacy::kNone) {
    // Not TCVN3's ư, then: an optional hyphen only says where a line may break.
    for (auto& page : doc->pages) drop_soft_hyphens(&page);
    return;
  }
  for (auto& page : doc->pages) page = text::repair_lines(page, legacy);
  for (auto& [name, value] : doc->meta) value = text::repair_lines(value, legacy);
}

void finish_meta(std::map<std::string, std::string>* meta) {
  for (auto it = meta->begin(); it != meta->end();) {
    it->second = text::nfc(it->second);
    it = it->second.empty() ? meta->erase(it) : std::next(it);
  }
}

// The same guarantees whichever importer made the document, and the fields
// its layout shows (admin_doc.h) for the formats that carry running text.
void finish(Document* doc) {
  if (doc->pages.empty()) doc->pages.emplace_back();
  for (auto& page : doc->pages) page = text::nfc(page);
  for (auto& [name, value] : doc->meta) value = text::nfc(value);
  repair_legacy_text(doc);
  if (describes_media_type(doc->media_type)) describe_document(doc->pages, &doc->meta);
  finish_meta(&doc->meta);
  if (!doc->media_type.empty()) doc->meta["format"] = doc->media_type;
  for (Document& entry : doc->entries) finish_meta(&entry.meta);
}

std::string hex(std::string_view head) {
  std::string out;
  for (std::size_t i = 0; i < head.size() && i < 8; ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(head[i]));
    out += (i ? " " : "") + std::string(buf);
  }
  return out;
}

// Bytes a text editor would show as letters: no NULs or other binary controls.
bool looks_8bit_text(std::string_view head) {
  for (unsigned char c : head)
    if (c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1A && c != 0x1B)) return false;
  return true;
}

}  // namespace

const Registry& Registry::builtin() {
  static const Registry registry = [] {
    Registry r;
    r.add(make_pdf_importer());
    r.add(make_marc_importer());
    r.add(make_office_open_xml_importer());
    r.add(make_opendocument_importer());
    r.add(make_epub_importer());
    r.add(make_office97_importer());
    r.add(make_image_importer());
    r.add(make_html_importer());
    r.add(make_catalogue_sheet_importer());
    r.add(make_plain_text_importer());
    return r;
  }();
  return registry;
}

void Registry::add(std::unique_ptr<Importer> importer) {
  importers_.push_back(std::move(importer));
}

const Importer* Registry::by_name(std::string_view name) const {
  for (const auto& i : importers_)
    if (i->name() == name) return i.get();
  return nullptr;
}

const Importer* Registry::pick(const Sniff& sniff, std::string* why) const {
  if (sniff.head.empty()) {
    *why = "empty file";
    return nullptr;
  }
  const Importer* best = nullptr;
  int best_score = 0;
  for (const auto& i : importers_) {
    int score = i->accepts(sniff);
    if (score > best_score) best = i.get(), best_score = score;
  }
  if (best == nullptr) *why = "unsupported format (" + describe_bytes(sniff.head) + ")";
  return best;
}

Status Registry::extract(const std::string& path, Document* out) const {
  std::string head;
  if (Status s = read_head(path, &head); !s.ok()) return s;
  std::string why;
  const Importer* importer = pick({head, path}, &why);
  if (importer == nullptr) return Status::Unsupported(why);
  Document doc;
  if (Status s = guarded_extract(*importer, path, &doc); !s.ok()) return s;
  finish(&doc);
  *out = std::move(doc);
  return Status::Ok();
}

// One allocation of the file's size (formats.h); a link is not followed.
Status read_whole(const std::string& path, std::string* bytes) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)};
  if (f.fd < 0) return open_error(errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) return Status::IoError("cannot read file");
  bytes->resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < bytes->size()) {
    ssize_t n = ::read(f.fd, bytes->data() + got, bytes->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError("cannot read file");
    got += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  auto size = static_cast<std::streamoff>(in.tellg());
  auto want = static_cast<std::streamoff>(max_bytes);
  std::streamoff from = size > want ? size - want : 0;
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail;
}

// Names the formats people are likely to try, so the message says what to do.
std::string describe_bytes(std::string_view head) {
  using namespace std::literals;
  struct Magic {
    std::string_view bytes, what;
  };
  static constexpr Magic kKnown[] = {
      {"PK\x03\x04"sv, "a ZIP container such as DOCX, ODT or EPUB"},
      {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv, "an old Microsoft Office file such as DOC or XLS"},
      {"{\\rtf"sv, "an RTF document"},
      {"GIF8"sv, "a GIF image"},
      {"AT&TFORM"sv, "a DjVu document"},
      {"\x1F\x8B"sv, "a gzip archive"},
  };
  for (const auto& m : kKnown)
    if (head.starts_with(m.bytes)) return std::string(m.what);
  if (looks_8bit_text(head))
    return "text that is not UTF-8, perhaps TCVN3, VNI or Windows-1258; save it as UTF-8";
  return "starts with " + hex(head);
}

}  // namespace kho::importers
