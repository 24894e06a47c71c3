#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace kho::cli {

ProgressBar::ProgressBar(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, const std::string& item) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  constexpr int kWidth = 30;
  int filled = total_ ? static_cast<int>(kWidth * done / total_) : 0;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::size_t cut = item.size() > 40 ? item.size() - 39 : 0;
  while (cut < item.size() && (static_cast<unsigned char>(item[cut]) & 0xC0) == 0x80)
    ++cut;  // UTF-8 boundary
  std::string name = cut ? "…" + item.substr(cut) : item;
  std::fprintf(stderr, "\r\033[K%s [%s] %llu/%llu %s", label_.c_str(), bar.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
               name.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace kho::cli
