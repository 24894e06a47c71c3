#include "cli/stats.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "core/library.h"
#include "core/stats.h"

namespace kho::cli {

namespace {

int fail(const Status& s) {
  std::fprintf(stderr, "kho: %s\n", s.message().c_str());
  if (s.is_not_found()) return kNotFound;
  return s.code() == Status::Code::kInvalid ? kUsage : kFailed;
}

std::vector<std::string> split_by(const std::string& by) {
  std::vector<std::string> out;
  std::stringstream in(by);
  for (std::string d; std::getline(in, d, ',');) {
    d.erase(0, d.find_first_not_of(' '));
    d.erase(d.find_last_not_of(' ') + 1);
    if (!d.empty()) out.push_back(d);
  }
  return out;
}

// Letters, not bytes: Vietnamese letters are two or three bytes in UTF-8.
std::size_t width(const std::string& s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

std::string pad(const std::string& s, std::size_t w, bool right) {
  std::string space(w > width(s) ? w - width(s) : 0, ' ');
  return right ? space + s : s + space;
}

std::string table(const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) w[c] = width(headers[c]);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], width(row[c]));
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c)
      out += (c ? "  " : "") + pad(cells[c], w[c], c + 1 == cells.size());
    out += "\n";
  };
  line(headers);
  for (const auto& row : rows) line(row);
  return out;
}

std::string as_table(const Stats& stats, bool monthly) {
  std::vector<std::vector<std::string>> rows;
  if (monthly) {
    for (const auto& [month, n] : stats.monthly) rows.push_back({month, std::to_string(n)});
    rows.push_back({"Tổng cộng", std::to_string(stats.total)});
    return table({"Tháng", "Số lượng"}, rows);
  }
  std::vector<std::string> headers;
  for (const std::string& d : stats.by) headers.push_back(dimension_header(d));
  headers.emplace_back("Số lượng");
  for (const StatsRow& r : stats.rows) {
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < stats.by.size(); ++i)
      cells.push_back(value_label(stats.by[i], r.values[i]));
    cells.push_back(std::to_string(r.count));
    rows.push_back(std::move(cells));
  }
  std::vector<std::string> total(headers.size());
  total.front() = "Tổng cộng";
  total.back() = std::to_string(stats.total);
  rows.push_back(std::move(total));
  std::string out = table(headers, rows);
  if (stats.schools.size() > 1) {
    std::vector<std::vector<std::string>> schools;
    for (const auto& [school, n] : stats.schools)
      schools.push_back({value_label("school", school), std::to_string(n)});
    out += "\n" + table({"Trường", "Số lượng"}, schools);
  }
  return out;
}

// Whose view is counted: the CLI's own (everything), an account's or a visitor's.
Status access_for(Library& library, const StatsArgs& args, Access* out) {
  if (args.visitor) return *out = Access::anonymous(), Status::Ok();
  if (args.as.empty()) return *out = Access::library_staff(), Status::Ok();
  store::Account account;
  if (Status s = library.store().get_account(args.as, &account); !s.ok())
    return s.is_not_found() ? Status::NotFound("--as: no account '" + args.as + "'") : s;
  return Access::for_account(library.store(), account, "", out);
}

int write(const std::string& text, const std::string& output) {
  if (output.empty() || output == "-") {
    std::cout << text;
    return std::cout.flush() ? kOk : kFailed;
  }
  std::ofstream file(output, std::ios::binary);
  file << text;
  file.close();
  if (!file) return fail(Status::IoError(output + ": cannot write"));
  return kOk;
}

}  // namespace

CLI::App* add_stats_command(CLI::App& app, StatsArgs* args) {
  auto* cmd = app.add_subcommand(
      "stats",
      "Count records for a report: by school, kind, year, subject, grade, language, status, "
      "approval, visibility or month added, with any search query as a filter; totals per "
      "school; records added per month (--monthly). Exports CSV and XLSX with Vietnamese "
      "headers. Exit 0: counted; 2: a bad dimension, query or option; 3: no such account");
  cmd->add_option("--by", args->by,
                  "DIMENSIONS, comma-separated, e.g. school,kind,year (school kind year subject "
                  "grade language status approval visibility month)")
      ->capture_default_str();
  cmd->add_option("-q,--query", args->query,
                  "Only records this search matches, e.g. 'kind:lesson-plan year:2024' or words");
  cmd->add_option("--format", args->format, "table, json, csv or xlsx")
      ->check(CLI::IsMember({"table", "json", "csv", "xlsx"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "File to write (needed for xlsx; default: stdout)");
  cmd->add_flag("--monthly", args->monthly, "Records added per month instead of the counts");
  cmd->add_flag("--json", args->json, "Same as --format json");
  auto* as = cmd->add_option("--as", args->as,
                             "Count only what this account may read (an office: its schools)");
  cmd->add_flag("--visitor", args->visitor, "Count only what a visitor may read (public records)")
      ->excludes(as);
  cmd->add_option("--via", args->via, "")  // for measuring: store or index
      ->check(CLI::IsMember({"store", "index"}))
      ->group("");
  return cmd;
}

int stats(const std::string& data_dir, const StatsArgs& args) {
  const std::string format = args.json ? "json" : args.format;
  if (format == "xlsx" && (args.output.empty() || args.output == "-"))
    return std::fprintf(stderr, "kho: an XLSX workbook needs --output FILE.xlsx\n"), kUsage;
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, false, &library); !s.ok()) return fail(s);
  StatsRequest request;
  request.by = split_by(args.by);
  request.query = args.query;
  request.via = args.via;
  if (Status s = access_for(*library, args, &request.access); !s.ok()) return fail(s);
  Stats counted;
  if (Status s = count_records(*library, request, &counted); !s.ok()) return fail(s);
  if (format == "xlsx") {
    if (Status s = stats_xlsx(counted, args.output); !s.ok()) return fail(s);
    return kOk;
  }
  if (format == "json") return write(stats_json(counted) + "\n", args.output);
  if (format == "csv") return write(stats_csv(counted, args.monthly), args.output);
  return write(as_table(counted, args.monthly), args.output);
}

}  // namespace kho::cli
