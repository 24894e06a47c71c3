// OLE2 compound files: sectors, FAT, mini stream, directory; and the
// SummaryInformation property set.
#include "importers/compound_file.h"

#include <unicode/ucnv.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <set>

namespace kho::importers {

namespace {

constexpr std::uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr std::uint32_t kNoStream = 0xFFFFFFFF;
constexpr std::uint32_t kLastSector = kEndOfChain - 16;  // above: special values
constexpr std::uint64_t kMaxStream = std::uint64_t{512} << 20;
constexpr std::size_t kMiniSector = 64;

// Directory names are UTF-16; the ones that matter here are ASCII.
std::string entry_name(std::string_view dir, std::size_t at) {
  std::size_t bytes = le16(dir, at + 64);
  std::string name;
  for (std::size_t k = 0; k + 1 < bytes && k < 62; k += 2) {
    unsigned c = le16(dir, at + k);
    if (c == 0) break;
    name += c < 128 ? static_cast<char>(c) : '?';
  }
  return name;
}

}  // namespace

std::uint16_t le16(std::string_view s, std::size_t at) {
  if (at + 2 > s.size()) return 0xFFFF;
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) |
                                    static_cast<unsigned char>(s[at + 1]) << 8);
}

std::uint32_t le32(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return kNoStream;
  return le16(s, at) | static_cast<std::uint32_t>(le16(s, at + 2)) << 16;
}

bool CompoundFile::read_directory() {
  if (bytes_.size() < 512) return false;
  unsigned shift = static_cast<unsigned char>(bytes_[30]);
  if (shift != 9 && shift != 12) return false;
  sector_size_ = std::size_t{1} << shift;
  read_fat();
  std::string dir = chain(le32(bytes_, 48), kMaxStream);
  if (dir.size() < 128) return false;
  // The root entry holds the mini stream, where streams under 4 KiB live.
  mini_stream_ = chain(le32(dir, 116), le32(dir, 120));
  std::string mini_fat = chain(le32(bytes_, 60), kMaxStream);
  for (std::size_t at = 0; at + 4 <= mini_fat.size(); at += 4)
    mini_fat_.push_back(le32(mini_fat, at));
  std::vector<std::uint32_t> todo{le32(dir, 76)};  // the root entry's child
  std::set<std::uint32_t> seen;
  while (!todo.empty() && seen.size() < 100000) {
    std::uint32_t i = todo.back();
    todo.pop_back();
    if (i == kNoStream || (i + std::uint64_t{1}) * 128 > dir.size() || !seen.insert(i).second)
      continue;
    std::size_t at = std::size_t{i} * 128;
    top_[entry_name(dir, at)] = {le32(dir, at + 116), le32(dir, at + 120)};
    todo.push_back(le32(dir, at + 68));
    todo.push_back(le32(dir, at + 72));
  }
  return !top_.empty();
}

std::string CompoundFile::stream(const std::string& name) const {
  auto it = top_.find(name);
  if (it == top_.end()) return "";
  const Entry& e = it->second;
  std::string out;
  if (e.size >= le32(bytes_, 56)) {  // the mini stream cutoff, 4096
    out = chain(e.start, e.size);
  } else {
    std::uint32_t s = e.start;
    for (std::size_t hops = 0;
         s < mini_fat_.size() && hops <= mini_fat_.size() && out.size() < e.size; ++hops) {
      if ((s + std::uint64_t{1}) * kMiniSector > mini_stream_.size()) break;
      out.append(mini_stream_, std::size_t{s} * kMiniSector, kMiniSector);
      s = mini_fat_[s];
    }
  }
  out.resize(std::min<std::size_t>(out.size(), e.size));
  return out;
}

std::string_view CompoundFile::sector(std::uint32_t i) const {
  std::uint64_t at = (std::uint64_t{i} + 1) * sector_size_;
  if (i >= kLastSector || at + sector_size_ > bytes_.size()) return {};
  return std::string_view(bytes_).substr(at, sector_size_);
}

// The header lists the first 109 FAT sectors; a DIFAT chain lists the rest.
void CompoundFile::read_fat() {
  auto add = [this](std::uint32_t i) {
    std::string_view s = sector(i);
    for (std::size_t at = 0; at + 4 <= s.size(); at += 4) fat_.push_back(le32(s, at));
  };
  for (std::size_t k = 0; k < 109; ++k)
    if (std::uint32_t i = le32(bytes_, 76 + 4 * k); i < kLastSector) add(i);
  std::uint32_t difat = le32(bytes_, 68);
  for (std::size_t hops = 0; difat < kLastSector && hops < 100000; ++hops) {
    std::string_view s = sector(difat);
    if (s.empty()) break;
    for (std::size_t at = 0; at + 8 <= s.size(); at += 4)
      if (std::uint32_t i = le32(s, at); i < kLastSector) add(i);
    difat = le32(s, s.size() - 4);
  }
}

std::string CompoundFile::chain(std::uint32_t start, std::uint64_t limit) const {
  std::string out;
  for (std::size_t hops = 0; start < fat_.size() && hops <= fat_.size() && out.size() < limit;
       ++hops) {
    std::string_view s = sector(start);
    if (s.empty()) break;
    out += s;
    start = fat_[start];
  }
  return out;
}

namespace {

struct ConverterClose {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

// A property string in the set's code page (1200 UTF-16, 65001 UTF-8,
// 1258 Vietnamese, 1252 Western, ...) as UTF-8.
std::string to_utf8(std::string_view bytes, unsigned codepage) {
  std::string name = codepage == 1200    ? "UTF-16LE"
                     : codepage == 65001 ? "UTF-8"
                                         : "windows-" + std::to_string(codepage);
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterClose> from(ucnv_open(name.c_str(), &err));
  if (U_FAILURE(err)) return "";
  std::string out(bytes.size() * 3 + 4, '\0');
  err = U_ZERO_ERROR;
  int32_t n = ucnv_convert("UTF-8", name.c_str(), out.data(), static_cast<int32_t>(out.size()),
                           bytes.data(), static_cast<int32_t>(bytes.size()), &err);
  if (U_FAILURE(err)) return "";
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

// FILETIME (100 ns since 1601) as YYYY-MM-DD; "" for none.
std::string day_of(std::uint64_t filetime) {
  if (filetime == 0) return "";
  std::time_t seconds = static_cast<std::time_t>(filetime / 10000000 - 11644473600ULL);
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm) || tm.tm_year < 0 || tm.tm_year > 8000) return "";
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

std::map<std::string, std::string> summary_information(const std::string& s) {
  static const std::map<std::uint32_t, const char*> kNames = {
      {2, "title"},       {3, "subject"}, {4, "creator"},  {5, "keywords"},
      {6, "description"}, {12, "date"},   {13, "modified"}};
  std::map<std::string, std::string> out;
  std::size_t section = le32(s, 44);
  std::uint32_t count = le32(s, section + 4);
  if (section >= s.size() || count > 1000) return out;
  unsigned codepage = 1252;
  std::map<std::uint32_t, std::size_t> where;
  for (std::uint32_t k = 0; k < count; ++k)
    where[le32(s, section + 8 + 8 * k)] = section + le32(s, section + 12 + 8 * k);
  if (where.count(1) && le16(s, where[1]) == 2) codepage = le16(s, where[1] + 4);
  for (const auto& [id, at] : where) {
    auto name = kNames.find(id);
    if (name == kNames.end() || at + 8 > s.size()) continue;
    std::uint32_t type = le32(s, at) & 0xFFFF, len = le32(s, at + 4);
    if (type == 0x1E && len <= s.size() - at - 8)
      out[name->second] = to_utf8(std::string_view(s).substr(at + 8, len), codepage);
    else if (type == 0x1F && len <= (s.size() - at - 8) / 2)
      out[name->second] = to_utf8(std::string_view(s).substr(at + 8, std::size_t{len} * 2), 1200);
    else if (type == 0x40 && at + 12 <= s.size())
      out[name->second] = day_of(le32(s, at + 4) | std::uint64_t{le32(s, at + 8)} << 32);
  }
  return out;
}

}  // namespace kho::importers
