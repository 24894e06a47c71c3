// A one-line progress bar on stderr, drawn only when stderr is a terminal so
// that logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kho::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total);
  ~ProgressBar();
  void update(std::uint64_t done, const std::string& item = "");
  void set_total(std::uint64_t total) { total_ = total; }
  void finish();

 private:
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace kho::cli
