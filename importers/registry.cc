#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "importers/formats.h"
#include "importers/importer.h"
#include "text/vietnamese.h"

namespace kho::importers {

const Registry& Registry::builtin() {
  static const Registry registry = [] {
    Registry r;
    r.add(make_pdf_importer());
    r.add(make_html_importer());
    r.add(make_plain_text_importer());
    return r;
  }();
  return registry;
}

void Registry::add(std::unique_ptr<Importer> importer) { importers_.push_back(std::move(importer)); }

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
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::IoError(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::Invalid("not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxFileSize)
    return Status::TooLarge("file is larger than " + std::to_string(kMaxFileSize >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open file");
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::string why;
  const Importer* importer = pick({head, path}, &why);
  if (importer == nullptr) return Status::Unsupported(why);
  *out = Document{};
  if (Status s = importer->extract(path, out); !s.ok()) return s;
  if (out->pages.empty()) out->pages.emplace_back();
  for (auto& page : out->pages) page = text::nfc(page);
  for (auto& [name, value] : out->meta) value = text::nfc(value);
  return Status::Ok();
}

std::string describe_bytes(std::string_view head) {
  std::string out;
  for (std::size_t i = 0; i < head.size() && i < 8; ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(head[i]));
    out += (i ? " " : "") + std::string(buf);
  }
  return "starts with " + out;
}

}  // namespace kho::importers
