// Word, Excel and PowerPoint 97-2003 (.doc, .xls, .ppt): OLE2 compound files.
// Which of the three is told by the streams at the top of the file's
// directory (WordDocument, Workbook, PowerPoint Document), not by its name;
// the text comes from Debian's catdoc tools (catdoc, xls2csv, catppt), run
// as bounded subprocesses with UTF-8 output. Form feeds in their output
// separate pages (xls2csv: sheets).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "importers/compound_file.h"
#include "importers/formats.h"
#include "importers/package.h"
#include "importers/subprocess.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

using namespace std::literals;
constexpr std::string_view kOleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv;
// Old Office files are seldom over a few MiB; the directory is all we read.
constexpr std::uint64_t kMaxOleFile = std::uint64_t{512} << 20;

struct Program {
  const char* stream;  // the top-level stream that says which program
  const char* what;    // for messages
  const char* media_type;
  std::vector<std::string> args;  // tool first, the file's path is appended
};

const Program kPrograms[] = {
    {"WordDocument",
     "Word 97-2003 documents",
     "application/msword",
     {"catdoc", "-w", "-d", "utf-8"}},
    {"PowerPoint Document",
     "PowerPoint 97-2003 presentations",
     "application/vnd.ms-powerpoint",
     {"catppt", "-d", "utf-8"}},
    {"Workbook",
     "Excel 97-2003 workbooks",
     "application/vnd.ms-excel",
     {"xls2csv", "-d", "utf-8", "-q", "0", "-c", "\t"}},
    {"Book",
     "Excel 5/95 workbooks",
     "application/vnd.ms-excel",
     {"xls2csv", "-d", "utf-8", "-q", "0", "-c", "\t"}},
};

Status open_compound(const std::string& path, std::unique_ptr<CompoundFile>* file) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::IoError("cannot open file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxOleFile)
    return Status::TooLarge("old Office file is larger than " + std::to_string(kMaxOleFile >> 20) +
                            " MiB");
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    return Status::IoError("cannot read file");
  if (bytes.size() < 512) return Status::Corrupt("truncated OLE2 compound file (no header)");
  *file = std::make_unique<CompoundFile>(std::move(bytes));
  if (!(*file)->read_directory())
    return Status::Corrupt("damaged OLE2 compound file (no readable directory)");
  return Status::Ok();
}

Status identify(const CompoundFile& file, const Program** program) {
  if (file.has("EncryptedPackage") || file.has("EncryptionInfo"))
    return Status::Unsupported("password-protected Office document (encrypted)");
  for (const auto& p : kPrograms)
    if (file.has(p.stream)) return *program = &p, Status::Ok();
  return Status::Unsupported(
      "an OLE2 compound file but not a Word, Excel or PowerPoint 97-2003 document "
      "(perhaps an Outlook message, a Visio drawing or an installer)");
}

void append_utf8(std::uint32_t c, std::string* out) {
  if (c == '\r' || c == 0x0B) c = '\n';  // paragraph and line breaks in PowerPoint text
  if (c < 0x80) {
    *out += static_cast<char>(c);
  } else if (c < 0x800) {
    *out += static_cast<char>(0xC0 | c >> 6), *out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *out += static_cast<char>(0xE0 | c >> 12), *out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | c >> 18), *out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
    *out += static_cast<char>(0x80 | (c >> 6 & 0x3F)), *out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// The text atoms of a "PowerPoint Document" stream (MS-PPT), for files catppt
// reads as empty (LibreOffice's, among others): text kept in the slide list
// and text in the slides' own shapes, one page per slide; masters and notes
// are left out.
class PowerPointText {
 public:
  std::vector<std::string> listed, drawn;

  void walk(std::string_view s, int depth, std::vector<std::string>* pages) {
    if (depth > 64) return;
    for (std::size_t at = 0; at + 8 <= s.size();) {
      std::uint16_t ver = le16(s, at), type = le16(s, at + 2);
      std::uint32_t len = le32(s, at + 4);
      std::string_view body = s.substr(at + 8, std::min<std::size_t>(len, s.size() - at - 8));
      at += 8 + body.size();
      if ((ver & 0xF) == 0xF) {
        container(type, ver >> 4, body, depth, pages);
      } else if (pages && !pages->empty() && (type == kTextChars || type == kTextBytes)) {
        for (std::size_t i = 0; type == kTextChars && i + 1 < body.size(); i += 2)
          append_utf8(le16(body, i), &pages->back());
        for (std::size_t i = 0; type == kTextBytes && i < body.size(); ++i)
          append_utf8(static_cast<unsigned char>(body[i]), &pages->back());
        pages->back() += '\n';
      } else if (type == kSlidePersist && pages == &listed) {
        listed.emplace_back();
      }
    }
  }

 private:
  static constexpr std::uint16_t kSlide = 0x03EE, kSlideList = 0x0FF0, kSlidePersist = 0x03F3;
  static constexpr std::uint16_t kTextChars = 0x0FA0, kTextBytes = 0x0FA8;
  static constexpr std::uint16_t kMainMaster = 0x03F8, kNotes = 0x03F0;

  void container(std::uint16_t type, unsigned instance, std::string_view body, int depth,
                 std::vector<std::string>* pages) {
    if (type == kMainMaster || type == kNotes) return;
    if (type == kSlideList) {
      if (instance == 0) walk(body, depth + 1, &listed);  // 1: masters, 2: notes
      return;
    }
    if (type == kSlide) {
      drawn.emplace_back();
      return walk(body, depth + 1, &drawn);
    }
    walk(body, depth + 1, pages);
  }
};

std::vector<std::string> powerpoint_pages(const CompoundFile& file) {
  PowerPointText text;
  text.walk(file.stream("PowerPoint Document"), 0, nullptr);
  std::vector<std::string> pages(std::max(text.listed.size(), text.drawn.size()));
  for (std::size_t i = 0; i < pages.size(); ++i)
    pages[i] = (i < text.listed.size() ? text.listed[i] : "") +
               (i < text.drawn.size() ? text.drawn[i] : "");
  return pages;
}

// catdoc drops Word's optional hyphen (U+00AD in its maps), but in text typed
// in TCVN3 that byte is the letter ư ("Tr\u00ADêng" is "Trường"). A private
// HOME whose ~/.catdocrc points catdoc at our own copy of its "ascii" maps,
// without that one line, keeps it; the legacy check (registry.cc) decides.
class CatdocMaps {
 public:
  CatdocMaps() {
    char tmpl[] = "/tmp/kho-catdoc-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    std::ofstream(dir_ + "/.catdocrc") << "map_path = " << dir_ << ":/usr/share/catdoc\n";
    std::ifstream special("/usr/share/catdoc/ascii.specchars");
    std::ofstream out(dir_ + "/kho.specchars");
    for (std::string line; std::getline(special, line);)
      if (!line.starts_with("00AD")) out << line << '\n';
    std::ifstream replace("/usr/share/catdoc/ascii.replchars");
    std::ofstream(dir_ + "/kho.replchars") << replace.rdbuf();
  }
  ~CatdocMaps() {
    if (dir_.empty()) return;
    for (const char* f : {"/.catdocrc", "/kho.specchars", "/kho.replchars"})
      ::unlink((dir_ + f).c_str());
    ::rmdir(dir_.c_str());
  }
  CatdocMaps(const CatdocMaps&) = delete;
  CatdocMaps& operator=(const CatdocMaps&) = delete;
  // Empty when the maps could not be made: catdoc then runs as installed.
  const std::string& home() const { return dir_; }

 private:
  std::string dir_;
};

std::vector<std::string> pages_of(const std::string& text) {
  std::vector<std::string> pages;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find('\f', start);
    pages.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  while (pages.size() > 1 && pages.back().find_first_not_of(" \t\r\n") == std::string::npos)
    pages.pop_back();
  return pages;
}

class Office97Importer : public Importer {
 public:
  std::string_view name() const override { return "office97"; }
  int accepts(const Sniff& sniff) const override {
    return sniff.head.starts_with(kOleMagic) ? 100 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::unique_ptr<CompoundFile> file;
    if (Status s = open_compound(path, &file); !s.ok()) return s;
    const Program* program = nullptr;
    if (Status s = identify(*file, &program); !s.ok()) return s;
    std::vector<std::string> argv = program->args;
    argv[0] = find_tool(program->args[0]);
    if (argv[0].empty())
      return Status::Unsupported(program->args[0] + " is not installed: cannot read " +
                                 program->what + " (scripts/install-deps installs catdoc)");
    ToolLimits limits;
    std::optional<CatdocMaps> maps;
    if (program->args[0] == "catdoc" && std::ifstream("/usr/share/catdoc/ascii.specchars")) {
      maps.emplace();
      if (!maps->home().empty()) argv.insert(argv.begin() + 1, "-fkho"), limits.home = maps->home();
    }
    argv.push_back(path);
    std::string text;
    if (Status s = run_tool(argv, limits, &text); !s.ok()) return s;
    // The tools guess when a file lies about its code page; never pass on bad UTF-8.
    std::vector<std::string> pages = pages_of(text::valid_utf8(text));
    bool blank = text.find_first_not_of(" \t\r\n\f") == std::string::npos;
    if (blank && program->stream == std::string_view("PowerPoint Document"))
      pages = powerpoint_pages(*file);
    for (auto& page : pages) out->pages.push_back(text::valid_utf8(page));
    finish_pages(&out->pages);
    for (auto& [name, value] : summary_information(file->stream("\x05SummaryInformation")))
      out->meta[name] = value;
    out->media_type = program->media_type;
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_office97_importer() { return std::make_unique<Office97Importer>(); }

}  // namespace kho::importers
