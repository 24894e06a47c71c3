// OLE2 compound files (MS-CFB), the container of Word, Excel and PowerPoint
// 97-2003: the streams at the top of the directory, read defensively (every
// index checked, every chain bounded). Private to the importers module.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kho::importers {

std::uint16_t le16(std::string_view s, std::size_t at);
std::uint32_t le32(std::string_view s, std::size_t at);  // 0xFFFFFFFF past the end

class CompoundFile {
 public:
  explicit CompoundFile(std::string bytes) : bytes_(std::move(bytes)) {}

  // Reads the FAT and the directory; false when the file is not readable as one.
  bool read_directory();
  bool has(const std::string& name) const { return top_.count(name) > 0; }
  // A top-level stream's bytes ("" when there is none).
  std::string stream(const std::string& name) const;

 private:
  struct Entry {
    std::uint32_t start, size;
  };
  std::string bytes_;
  std::size_t sector_size_ = 512;
  std::vector<std::uint32_t> fat_, mini_fat_;
  std::string mini_stream_;
  std::map<std::string, Entry> top_;

  std::string_view sector(std::uint32_t i) const;
  void read_fat();
  std::string chain(std::uint32_t start, std::uint64_t limit) const;
};

// The document properties in a "\x05SummaryInformation" stream: title,
// subject, creator, keywords, description, date and modified (YYYY-MM-DD).
std::map<std::string, std::string> summary_information(const std::string& stream);

}  // namespace kho::importers
