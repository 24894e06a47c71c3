// Keeping the library safe: `kho verify`, `kho backup`, `kho restore`.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/backup.h"
#include "core/library.h"
#include "core/verify.h"

using nlohmann::json;

namespace kho::cli {

namespace {

void print_error(const std::string& message) { std::fprintf(stderr, "kho: %s\n", message.c_str()); }

int fail(const Status& s) {
  print_error(s.message());
  return s.is_not_found() ? kNotFound : kFailed;
}

double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

void print_report(const VerifyReport& r) {
  std::printf("Checked %llu records and %llu original files (%.1f MiB) in %.1f s",
              static_cast<unsigned long long>(r.records),
              static_cast<unsigned long long>(r.originals), mib(r.bytes), r.seconds);
  if (r.seconds > 0.05) std::printf(", %.0f MiB/s", mib(r.bytes) / r.seconds);
  std::printf(" (%s).\n", r.finished_at.c_str());
  if (r.sound()) {
    std::printf("The library is sound: every file is as it was stored, and the index agrees.\n");
    return;
  }
  std::printf("%zu problem(s) found:\n", r.problems.size());
  for (const auto& p : r.problems) std::printf("  %s: %s\n", p.kind.c_str(), p.what.c_str());
  std::printf(
      "Damaged or missing files are not given out. Copy them back from a backup (kho restore "
      "into a new folder, then copy the files named above into this library's originals/), "
      "then run `kho verify` again. Index problems are mended by `kho reindex`.\n");
}

}  // namespace

int verify(const std::string& data_dir, bool as_json, bool last) {
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, false, &library); !s.ok()) return fail(s);
  VerifyReport report;
  if (last) {
    if (Status s = last_verification(library->store(), &report); !s.ok()) return fail(s);
  } else {
    ProgressBar bar("Verifying (MiB)", 0);
    VerifyOptions options;
    options.progress = [&](std::uint64_t done, std::uint64_t total, const std::string& file) {
      bar.set_total(total >> 20);
      bar.update(done >> 20, file);
      return true;
    };
    Status s = verify_library(*library, options, &report);
    bar.finish();
    if (!s.ok()) return fail(s);
  }
  if (as_json)
    std::cout << json::parse(to_json(report)).dump(2) << "\n";
  else
    print_report(report);
  return report.sound() ? kOk : kFailed;
}

int backup(const std::string& data_dir, const std::string& dest, bool compact, bool as_json) {
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, false, &library); !s.ok()) return fail(s);
  ProgressBar bar("Backing up (MiB)", 0);
  BackupReport report;
  Status s = backup_library(
      *library, dest, compact,
      [&](std::uint64_t done, std::uint64_t total, const std::string& file) {
        bar.set_total(total >> 20);
        bar.update(done >> 20, file);
      },
      &report);
  bar.finish();
  if (!s.ok()) return fail(s);
  if (as_json) {
    std::cout << json{{"bag", dest},
                      {"incremental", report.incremental},
                      {"copied", report.copied},
                      {"copied_bytes", report.copied_bytes},
                      {"damaged", report.damaged},
                      {"payload_files", report.payload_files},
                      {"payload_bytes", report.payload_bytes},
                      {"seconds", report.seconds}}
                     .dump(2)
              << "\n";
  } else {
    std::printf(
        "%s backup in %s: %zu file(s) copied (%.1f MiB), the bag holds %llu files "
        "(%.1f MiB); %.1f s\n",
        report.incremental ? "incremental" : "full", dest.c_str(), report.copied.size(),
        mib(report.copied_bytes), static_cast<unsigned long long>(report.payload_files),
        mib(report.payload_bytes), report.seconds);
  }
  for (const auto& d : report.damaged) print_error(d + " (see `kho verify`)");
  return report.damaged.empty() ? kOk : kFailed;
}

int restore(const std::string& bag, const std::string& dir, bool as_json) {
  ProgressBar bar("Restoring (MiB)", 0);
  RestoreReport report;
  Status s = restore_library(
      bag, dir,
      [&](std::uint64_t done, std::uint64_t total, const std::string& file) {
        bar.set_total(total >> 20);
        bar.update(done >> 20, file);
      },
      &report);
  bar.finish();
  if (!s.ok()) {
    print_error("the bag cannot be restored: " + s.message());
    return s.is_not_found() ? kNotFound : kFailed;
  }
  if (as_json) {
    std::cout << json{{"library", dir},
                      {"records", report.records},
                      {"files", report.files},
                      {"bytes", report.bytes},
                      {"seconds", report.seconds}}
                     .dump(2)
              << "\n";
  } else {
    std::printf(
        "library restored in %s: %llu records, %llu files (%.1f MiB), index rebuilt; "
        "%.1f s\n",
        dir.c_str(), static_cast<unsigned long long>(report.records),
        static_cast<unsigned long long>(report.files), mib(report.bytes), report.seconds);
  }
  return kOk;
}

}  // namespace kho::cli
