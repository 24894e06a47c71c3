#include "cli/export.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/catalogue_export.h"
#include "core/library.h"

namespace kho::cli {

namespace {

namespace fs = std::filesystem;

int usage(const std::string& message) {
  std::fprintf(stderr, "kho export: %s\n", message.c_str());
  return kUsage;
}

int failed(const Status& s) {
  std::fprintf(stderr, "kho export: %s\n", s.message().c_str());
  return kFailed;
}

// Where the export goes: FILE.part, renamed to FILE once whole, so a
// cut-short export never passes for a catalogue; or standard output.
class Destination {
 public:
  explicit Destination(std::string path) : path_(std::move(path)) {
    if (!to_file()) return;
    part_ = path_ + ".part";
    file_.open(part_, std::ios::binary | std::ios::trunc);
  }
  ~Destination() {
    if (!committed_ && !part_.empty()) std::remove(part_.c_str());
  }
  bool to_file() const { return !path_.empty() && path_ != "-"; }
  bool open() const { return !to_file() || file_.is_open(); }
  const std::string& path() const { return path_; }
  Status write(std::string_view bytes) {
    std::ostream& out = to_file() ? static_cast<std::ostream&>(file_) : std::cout;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Status::IoError("cannot write " + (to_file() ? part_ : "to standard output"));
    return Status::Ok();
  }
  Status commit() {
    std::ostream& out = to_file() ? static_cast<std::ostream&>(file_) : std::cout;
    out.flush();
    if (!out) return Status::IoError("cannot write " + (to_file() ? part_ : "to standard output"));
    if (!to_file()) return Status::Ok();
    file_.close();
    std::error_code ec;
    fs::rename(part_, path_, ec);
    if (ec) return Status::IoError("cannot rename " + part_ + " to " + path_ + ": " + ec.message());
    committed_ = true;
    return Status::Ok();
  }

 private:
  std::string path_, part_;
  std::ofstream file_;
  bool committed_ = false;
};

int parse_args(const ExportArgs& args, ExportOptions* options) {
  if (!parse_export_format(args.format, &options->format))
    return usage("--format " + args.format + ": must be " + export_format_names());
  options->query = args.query;
  for (const std::string& f : args.filters) {
    std::size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
      return usage("--filter " + f + ": write it FACET=VALUE, e.g. school=THCS-01");
    options->filters.emplace_back(f.substr(0, eq), f.substr(eq + 1));
  }
  bool binary = options->format == ExportFormat::kXlsx || options->format == ExportFormat::kIso2709;
  if ((args.output.empty() || args.output == "-") && binary && isatty(STDOUT_FILENO))
    return usage("an " + args.format + " file would garble the terminal: give --output FILE");
  if (args.json && (args.output.empty() || args.output == "-"))
    return usage("--json prints a summary beside the file: give --output FILE");
  return kOk;
}

void report(const ExportArgs& args, const ExportSummary& summary, const std::string& where) {
  if (args.json) {
    nlohmann::json out = {{"records", summary.records},
                          {"marc_as_imported", summary.kept_marc},
                          {"marc_built", summary.built_marc},
                          {"format", args.format},
                          {"output", where}};
    std::cout << out.dump() << "\n";
    return;
  }
  std::fprintf(stderr, "kho export: %zu record(s) to %s", summary.records, where.c_str());
  if (summary.kept_marc + summary.built_marc > 0)
    std::fprintf(stderr, " (%zu MARC as imported, %zu built from their fields)", summary.kept_marc,
                 summary.built_marc);
  std::fprintf(stderr, "\n");
}

}  // namespace

CLI::App* add_export_command(CLI::App& app, ExportArgs* args) {
  auto* cmd = app.add_subcommand(
      "export",
      "Write the catalogue to a file: every book (and MARC catalogue entry), or what a search "
      "finds, as MARC 21 (ISO 2709 or MARCXML) or as a sheet (CSV or XLSX) that `kho import` "
      "reads back");
  cmd->add_option("--format", args->format, "iso2709 (.mrc), marcxml, csv or xlsx")->required();
  cmd->add_option("--query,-q", args->query,
                  "Only what this search finds (the language of `kho search`), e.g. "
                  "'kind:book school:THCS-01' or 'subject:toán'");
  cmd->add_option("--filter", args->filters, "FACET=VALUE, as for `kho search` (repeatable)");
  cmd->add_option("--output,-o", args->output,
                  "Write to FILE (whole or not at all) instead of standard output");
  cmd->add_flag("--json", args->json, "Print a summary as JSON (needs --output)");
  cmd->footer(
      "Exit status: 0 written, 1 failed (nothing left behind), 2 bad format, filter or query.\n"
      "Examples:\n  kho export --format iso2709 -o danh-muc.mrc\n"
      "  kho export --format xlsx -q 'subject:\"văn học\"' -o van-hoc.xlsx");
  return cmd;
}

int export_catalogue(const std::string& data_dir, const ExportArgs& args) {
  ExportOptions options;
  if (int code = parse_args(args, &options); code != kOk) return code;
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, false, &library); !s.ok()) return failed(s);
  // An index left behind (a crash, an import elsewhere) catches up first.
  if (library->index().applied_sequence() < library->store().last_sequence())
    if (Status s = library->index().catch_up(); !s.ok()) return failed(s);
  std::vector<store::Record> records;
  if (Status s = select_catalogue(library->store(), library->index(), options, &records); !s.ok())
    return s.code() == Status::Code::kInvalid ? usage(s.message()) : failed(s);
  Destination out(args.output);
  if (!out.open()) return failed(Status::IoError("cannot write " + args.output + ".part"));
  ProgressBar bar("export", records.size());
  options.progress = [&bar](std::size_t done, std::size_t) { bar.update(done); };
  ExportSummary summary;
  Status s = write_catalogue(
      records, options, [&out](std::string_view bytes) { return out.write(bytes); }, &summary);
  bar.finish();
  if (s.ok()) s = out.commit();
  if (!s.ok()) return failed(s);
  report(args, summary, out.to_file() ? out.path() : "standard output");
  return kOk;
}

}  // namespace kho::cli
