// kho stats: counts of records for a report (core/stats.h), as a table,
// JSON, CSV or an XLSX workbook.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace kho::cli {

struct StatsArgs {
  std::string by = "school,kind";
  std::string query;
  std::string format = "table";  // table json csv xlsx
  std::string output;            // file to write; default standard output (not for xlsx)
  bool monthly = false;          // records added per month instead
  bool json = false;             // --format json
  std::string as;                // count as this account would see them
  bool visitor = false;          // count as a visitor (not signed in) would see them
  std::string via;               // store or index (for measuring); default: the right one
};

// Registers `kho stats` on the app; the returned subcommand is set when used.
CLI::App* add_stats_command(CLI::App& app, StatsArgs* args);
int stats(const std::string& data_dir, const StatsArgs& args);

}  // namespace kho::cli
