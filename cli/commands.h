// The kho subcommands. Each returns the process exit status:
//   0 success, 1 failure (or some files of a batch failed), 2 usage error,
//   3 not found.
#pragma once

#include <string>
#include <vector>

namespace kho::cli {

enum Exit { kOk = 0, kFailed = 1, kUsage = 2, kNotFound = 3 };

struct ImportArgs {
  std::vector<std::string> paths;
  std::string kind;  // empty: what the document looks like, else "other"
  std::string school;
  std::string visibility = "private";
  bool json = false;
};

struct SearchArgs {
  std::string query;
  std::size_t page = 1;
  std::size_t per_page = 10;
  bool json = false;
  bool include_withdrawn = false;
  bool facets = false;
  std::string sort = "relevance";
  std::vector<std::string> filters;  // "facet=value"
  std::string in_record;             // search inside this record only
};

int init(const std::string& data_dir);
int import(const std::string& data_dir, const ImportArgs& args);
int search(const std::string& data_dir, const SearchArgs& args);
int show(const std::string& data_dir, const std::string& id, bool json);
int get(const std::string& data_dir, const std::string& id, const std::string& output);
// `assignments` are "field=value"; an empty value removes the field.
int edit(const std::string& data_dir, const std::string& id,
         const std::vector<std::string>& assignments);
int withdraw(const std::string& data_dir, const std::string& id, const std::string& reason);
int reindex(const std::string& data_dir);
int serve(const std::string& data_dir, const std::string& listen);
int extract_worker(const std::string& path);

}  // namespace kho::cli
