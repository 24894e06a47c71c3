// Importers turn the bytes of one file into a Document: text per page plus
// metadata. They never touch the store or the index. One Importer per format;
// the Registry picks one by the file's content (magic bytes), not its name.
// Parsing untrusted files should go through extract_in_worker() (worker.h),
// which runs the importer in a separate, resource-limited process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kho::importers {

struct Document {
  std::string media_type;  // e.g. "application/pdf"
  // Dublin Core names (title, creator, subject, date, identifier, ...) and
  // kho's own fields (store.h: number, doc_type, grade, isbn, ...); "kind"
  // when the content says what the document is ("admin-doc", "lesson-plan").
  std::map<std::string, std::string> meta;
  std::vector<std::string> pages;                  // UTF-8, NFC; one entry per page (at least one)
  std::map<std::uint32_t, double> ocr_confidence;  // page (from 1) -> mean OCR confidence 0..100
  // A catalogue (MARC records, a sheet of items) describes many items: one
  // Document per item, in file order, with metadata ("kind" book unless the
  // record says otherwise; "marcxml" the MARC record whole) and no pages.
  // Empty for every other file.
  std::vector<Document> entries;
};

// The first bytes of a file, and its name, for choosing an importer.
struct Sniff {
  static constexpr std::size_t kHeadBytes = 4096;
  std::string_view head;  // up to the first kHeadBytes
  // The file's path. Only a hint as a name: content decides. Importers of
  // ZIP packages open it to list the entries (the head shows only the first).
  std::string_view filename;
  // A head this long may end inside a multi-byte letter: not a reason to
  // think the file is not UTF-8.
  bool may_be_cut() const { return head.size() >= kHeadBytes; }
};

class Importer {
 public:
  virtual ~Importer() = default;
  virtual std::string_view name() const = 0;  // short format name: "pdf", "text", "html"
  // Confidence that this importer reads the file: 0 = no, 100 = certain (magic bytes).
  virtual int accepts(const Sniff& sniff) const = 0;
  virtual Status extract(const std::string& path, Document* out) const = 0;
};

class Registry {
 public:
  // The registry with every built-in importer. Adding a format is one new
  // file and one line in registry.cc.
  static const Registry& builtin();

  // The best importer for a file, or nullptr with a reason in *why.
  const Importer* pick(const Sniff& sniff, std::string* why) const;
  const Importer* by_name(std::string_view name) const;

  // Reads the head of the file, picks an importer and extracts in-process.
  Status extract(const std::string& path, Document* out) const;

  void add(std::unique_ptr<Importer> importer);

 private:
  std::vector<std::unique_ptr<Importer>> importers_;
};

// Largest file any importer is asked to read (bytes).
inline constexpr std::size_t kMaxFileSize = std::size_t{1} << 30;

}  // namespace kho::importers
