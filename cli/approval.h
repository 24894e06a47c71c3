// kho approval: lesson plans reviewed by their subject group (core/approval.h)
// from the command line.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace kho::cli {

struct ApprovalArgs {
  CLI::App* submit = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* give_back = nullptr;  // `kho approval return`
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* settings = nullptr;
  std::string id;
  std::string comment;
  std::string as;  // act as this account (its roles); empty: as library staff
  std::string school;
  std::string two_step, sharing;  // "on" / "off" / "" (unchanged)
  bool waiting = false;
  bool json = false;
};

// Adds `kho approval ...` to the app; `args` must outlive parsing.
void add_approval_commands(CLI::App& app, ApprovalArgs* args);
// Runs the approval subcommand given, if one was: *ran tells whether.
int run_approval(const std::string& data_dir, const ApprovalArgs& args, bool* ran);

}  // namespace kho::cli
