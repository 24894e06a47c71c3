// `kho export`: the catalogue as a file (core/catalogue_export.h).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace kho::cli {

struct ExportArgs {
  std::string format;
  std::string query;
  std::vector<std::string> filters;  // "facet=value"
  std::string output;                // empty or "-": standard output
  bool json = false;
};

CLI::App* add_export_command(CLI::App& app, ExportArgs* args);
int export_catalogue(const std::string& data_dir, const ExportArgs& args);

}  // namespace kho::cli
