// The kho subcommands. Each returns the process exit status:
//   0 success, 1 failure (or some files of a batch failed), 2 usage error,
//   3 not found.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

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
  std::vector<std::string> remotes;  // "NAME=HOST:PORT": other libraries' xapian-tcpsrv
};

int init(const std::string& data_dir);
int import(const std::string& data_dir, const ImportArgs& args);
int search(const std::string& data_dir, const SearchArgs& args);
int show(const std::string& data_dir, const std::string& id, bool json);
// version: 0 the current file, else that version (from 1).
int get(const std::string& data_dir, const std::string& id, const std::string& output,
        std::size_t version = 0);
int add_version(const std::string& data_dir, const std::string& id, const std::string& path,
                bool json);
int history(const std::string& data_dir, const std::string& id, bool json);
// `assignments` are "field=value"; an empty value removes the field.
int edit(const std::string& data_dir, const std::string& id,
         const std::vector<std::string>& assignments);
// Withdraws a record, or (withdraw false) reinstates it.
int withdraw(const std::string& data_dir, const std::string& id, const std::string& reason,
             bool withdraw);
int reindex(const std::string& data_dir);
int compact(const std::string& data_dir);
// trusted_proxies: addresses whose X-Forwarded-For/-Proto headers are believed;
// verify_every_hours: how often the server checks the library (0: never).
// watch: folders to watch beside serving (cli/watch.h); may be null.
struct WatchArgs;
int serve(const std::string& data_dir, const std::string& listen,
          const std::vector<std::string>& remotes, const std::vector<std::string>& trusted_proxies,
          double verify_every_hours = 24, const WatchArgs* watch = nullptr);
int extract_worker(const std::string& path);
int assist_worker();  // `kho _assist`: a parsing worker that serves file after file
int unpack_worker(const std::string& archive, const std::string& dir);

// Schools, accounts, tokens, share links and the audit log (cli/people.cc).
store::Actor cli_actor();
int school_add(const std::string& data_dir, const std::string& code, const std::string& name,
               const std::string& parent);
int school_list(const std::string& data_dir, bool json);
// roles: "ORG=ROLE". The password is read from standard input (one line), or
// asked for twice without echo on a terminal.
int user_add(const std::string& data_dir, const std::string& name,
             const std::vector<std::string>& roles);
int user_passwd(const std::string& data_dir, const std::string& name);
int user_disable(const std::string& data_dir, const std::string& name, bool disabled);
int user_list(const std::string& data_dir, bool json);
int token_create(const std::string& data_dir, const std::string& account, const std::string& label,
                 int days, bool json);
int token_revoke(const std::string& data_dir, const std::string& id);
int share_create(const std::string& data_dir, const std::string& record,
                 const std::string& collection, int days, bool json);
int audit(const std::string& data_dir, std::uint64_t after, std::size_t limit, bool json);

// Keeping the library safe (cli/safety.cc): fixity, backup and restore.
// `last`: print the last check's report instead of checking.
int verify(const std::string& data_dir, bool json, bool last);
int backup(const std::string& data_dir, const std::string& dest, bool compact, bool json);
int restore(const std::string& bag, const std::string& dir, bool json);

// Pulls another library's records over OAI-PMH (cli/commands.cc). The origin
// token, if it needs one, comes from the environment (KHO_HARVEST_TOKEN).
int harvest(const std::string& data_dir, const std::string& url, const std::string& set,
            const std::string& visibility, bool json);

}  // namespace kho::cli
