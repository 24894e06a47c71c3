// Runs an external tool (catdoc, xls2csv, ...) on a file, bounded: no shell,
// stdin from /dev/null, a wall-clock limit, and a cap on the output it may
// write. Private to the importers module.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"

namespace kho::importers {

struct ToolLimits {
  int seconds = 60;
  std::size_t max_output = std::size_t{64} << 20;
  std::string home;  // HOME for the tool when not empty (where catdoc looks for ~/.catdocrc)
};

// The tool's full path from PATH (/usr/bin:/bin when unset), or "" when it is
// not installed.
std::string find_tool(const std::string& name);

// Runs argv (argv[0] a full path) and collects its standard output. A tool
// that fails, overruns or babbles gives a Status naming it and why.
Status run_tool(const std::vector<std::string>& argv, const ToolLimits& limits,
                std::string* output);

}  // namespace kho::importers
