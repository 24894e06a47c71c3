// kho: the command line. Parses arguments and hands each subcommand to
// cli/commands.cc; no logic of its own.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "cli/approval.h"
#include "cli/commands.h"
#include "cli/export.h"
#include "cli/watch.h"
#include "cli/stats.h"

namespace {

std::string default_data_dir() {
  const char* env = std::getenv("KHO_DATA");
  return env && *env ? env : "./kho-data";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kho::cli;
  CLI::App app{"kho: a digital library and document archive for Vietnamese schools"};
  app.require_subcommand(1);
  std::string data_dir = default_data_dir();
  app.add_option("--data", data_dir, "Library data directory (env KHO_DATA)")
      ->capture_default_str();

  auto* init_cmd = app.add_subcommand("init", "Create a new, empty library");

  ImportArgs import_args;
  auto* import_cmd = app.add_subcommand("import", "Import files and folders (recursively)");
  import_cmd->add_option("paths", import_args.paths, "Files or folders")->required();
  import_cmd
      ->add_option(
          "--kind", import_args.kind,
          "book, diploma, lesson-plan, admin-doc or other (default: recognised from the content)")
      ->check(CLI::IsMember({"book", "diploma", "lesson-plan", "admin-doc", "other"}))
      ->capture_default_str();
  import_cmd->add_option("--school", import_args.school, "Owning school's code");
  import_cmd
      ->add_option("--visibility", import_args.visibility, "private, school, shared or public")
      ->check(CLI::IsMember({"private", "school", "shared", "public"}))
      ->capture_default_str();
  import_cmd->add_flag("--json", import_args.json, "Print the summary as JSON");

  SearchArgs search_args;
  auto* search_cmd = app.add_subcommand("search", "Search the library");
  search_cmd
      ->add_option("query", search_args.query, "Words, \"phrases\", AND/OR/NOT, -word, title:…")
      ->required();
  search_cmd->add_option("--page", search_args.page, "Result page, from 1")
      ->check(CLI::PositiveNumber);
  search_cmd->add_option("--per-page", search_args.per_page, "Hits per page")
      ->check(CLI::Range(1, 1000));
  search_cmd->add_flag("--json", search_args.json, "Print results as JSON");
  search_cmd->add_flag("--withdrawn", search_args.include_withdrawn, "Include withdrawn records");
  search_cmd->add_flag("--facets", search_args.facets,
                       "Count results by kind, school, year, grade, subject, …");
  search_cmd->add_option("--sort", search_args.sort, "relevance, newest, oldest or title")
      ->check(CLI::IsMember({"relevance", "newest", "oldest", "title"}))
      ->capture_default_str();
  search_cmd->add_option("--filter", search_args.filters,
                         "FACET=VALUE, e.g. kind=book (repeatable)");
  search_cmd->add_option("--in", search_args.in_record,
                         "Search inside one record: every matching page");
  search_cmd->add_option("--remote", search_args.remotes,
                         "NAME=HOST:PORT: also search another library's index (xapian-tcpsrv)");

  StatsArgs stats_args;  // kho stats: counts for reports (cli/stats.cc)
  auto* stats_cmd = add_stats_command(app, &stats_args);

  std::string id, output, reason, listen = "127.0.0.1:8080";
  bool json = false;
  auto* show_cmd = app.add_subcommand("show", "Show a record's metadata");
  show_cmd->add_option("id", id, "Record ID")->required();
  show_cmd->add_flag("--json", json, "Print as JSON");

  auto* get_cmd = app.add_subcommand("get", "Write a record's original file");
  get_cmd->add_option("id", id, "Record ID")->required();
  get_cmd->add_option("-o,--output", output, "File to write (default: standard output)");
  std::size_t version = 0;
  get_cmd
      ->add_option("--version", version,
                   "An earlier version (1: the first file); default: the current one")
      ->check(CLI::PositiveNumber);

  std::string version_file;
  auto* version_cmd = app.add_subcommand(
      "version", "Give a record a new version of its file (earlier versions are kept)");
  version_cmd->add_option("id", id, "Record ID")->required();
  version_cmd->add_option("file", version_file, "The new file")->required();
  version_cmd->add_flag("--json", json, "Print as JSON");

  auto* history_cmd =
      app.add_subcommand("history", "Show every change to a record: field, old -> new, who, when");
  history_cmd->add_option("id", id, "Record ID")->required();
  history_cmd->add_flag("--json", json, "Print as JSON");

  std::vector<std::string> assignments;
  auto* edit_cmd = app.add_subcommand("edit", "Correct a record's metadata: FIELD=VALUE…");
  edit_cmd->add_option("id", id, "Record ID")->required();
  edit_cmd
      ->add_option("fields", assignments,
                   "title=…, creator=…, kind=…, visibility=…, number=…, grade=… (empty: remove)")
      ->required();

  auto* withdraw_cmd =
      app.add_subcommand("withdraw", "Withdraw a record (it is kept, with the reason)");
  withdraw_cmd->add_option("id", id, "Record ID")->required();
  withdraw_cmd->add_option("--reason", reason, "Why it is withdrawn")->required();

  auto* reinstate_cmd =
      app.add_subcommand("reinstate", "Make a withdrawn record active again (the reason is kept)");
  reinstate_cmd->add_option("id", id, "Record ID")->required();
  reinstate_cmd->add_option("--reason", reason, "Why it is back")->required();

  ExportArgs export_args;
  auto* export_cmd = add_export_command(app, &export_args);

  auto* reindex_cmd = app.add_subcommand("reindex", "Rebuild the search index from the store");
  auto* compact_cmd = app.add_subcommand(
      "compact", "Rewrite the search index compactly (after a large import: smaller, faster)");

  // A watch folder (cli/watch.cc): `kho watch DIR`, and `kho serve --watch DIR`.
  WatchArgs watch_args, serve_watch;
  auto* watch_cmd = app.add_subcommand(
      "watch",
      "Import whatever a scanner or a shared folder puts into DIR, as `kho import` would "
      "(sidecars, kinds, school), once each file is completely written; each then moves to "
      "DIR/done/ (its record in DIR/done/kho-watch.log) or DIR/failed/ (the reason in "
      "NAME.error.txt beside it). Files already waiting are taken at start; nothing is imported "
      "twice. Stop with Ctrl-C");
  std::string watch_dir;
  watch_cmd->add_option("dir", watch_dir, "The folder to watch")->required();
  auto watch_import_options = [](CLI::App* cmd, WatchArgs* args, const std::string& prefix) {
    cmd->add_option(prefix + "kind", args->kind,
                    "book, diploma, lesson-plan, admin-doc or other (default: recognised)")
        ->check(CLI::IsMember({"book", "diploma", "lesson-plan", "admin-doc", "other"}));
    cmd->add_option(prefix + "school", args->school, "Owning school's code");
    cmd->add_option(prefix + "visibility", args->visibility, "private, school, shared or public")
        ->check(CLI::IsMember({"private", "school", "shared", "public"}))
        ->capture_default_str();
    cmd->add_option(prefix + "quiet", args->quiet_seconds,
                    "A file is complete when nobody has it open and it has not changed for this "
                    "many SECONDS (a slow copy over the network pauses)")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
  };
  watch_import_options(watch_cmd, &watch_args, "--");
  watch_cmd->add_flag("--once", watch_args.once,
                      "Take the files waiting (once complete), then stop: for scripts and cron");
  watch_cmd->add_flag("--json", watch_args.json, "Print a JSON line per file on standard output");

  auto* serve_cmd = app.add_subcommand("serve", "Serve the web UI and the HTTP API");
  serve_cmd->add_option("--listen", listen, "HOST:PORT")->capture_default_str();
  double verify_every = 24;
  serve_cmd
      ->add_option("--verify-every", verify_every,
                   "Check every file and the index in the background every HOURS (0: never)")
      ->check(CLI::Range(0.0, 24.0 * 365))
      ->capture_default_str();
  std::vector<std::string> remotes;
  serve_cmd->add_option("--remote", remotes,
                        "NAME=HOST:PORT: search other libraries' indexes too (xapian-tcpsrv)");
  std::vector<std::string> trusted_proxies;
  serve_cmd->add_option("--trusted-proxy", trusted_proxies,
                        "ADDRESS of a reverse proxy (e.g. nginx on 127.0.0.1) whose "
                        "X-Forwarded-For and X-Forwarded-Proto are believed; repeatable");
  serve_cmd->add_option("--watch", serve_watch.dirs,
                        "DIR: a watch folder, as `kho watch DIR` (repeatable); admins see it "
                        "in the web application");
  watch_import_options(serve_cmd, &serve_watch, "--watch-");

  // Keeping the library safe.
  bool last = false, compact_copy = false;
  std::string dest;
  auto* verify_cmd = app.add_subcommand(
      "verify",
      "Check that every original file is as it was stored (size and SHA-256), that the store "
      "reads through, and that the index agrees with it. Exit 0: sound; 1: damage found (each "
      "problem is named: record, file, what is wrong)");
  verify_cmd->add_flag("--json", json, "Print the report as JSON");
  verify_cmd->add_flag("--last", last,
                       "Show the last check's report (kho serve checks daily) instead of checking");

  auto* backup_cmd = app.add_subcommand(
      "backup",
      "Copy the library into DEST as a BagIt bag (RFC 8493): the store, copied consistently even "
      "while kho serves, and every original file, with SHA-256 manifests. Run it again into the "
      "same DEST: only new files are copied. The search index is not copied (restore rebuilds it)");
  backup_cmd->add_option("dest", dest, "Folder of the bag (made if missing)")->required();
  backup_cmd->add_flag("--compact", compact_copy, "Leave the store's free pages out of its copy");
  backup_cmd->add_flag("--json", json, "Print what was copied as JSON");

  std::string bag;
  auto* restore_cmd = app.add_subcommand(
      "restore",
      "Check a bag made by kho backup (every checksum, no file missing or added), then make a "
      "library from it in DIR and rebuild its search index. A damaged bag is refused, naming "
      "the bad file");
  restore_cmd->add_option("bag", bag, "The bag's folder")->required();
  restore_cmd->add_option("dir", dest, "New library folder (must not exist, or be empty)")
      ->required();
  restore_cmd->add_flag("--json", json, "Print the result as JSON");

  // Schools, accounts, tokens, share links, the audit log.
  std::string code, name, parent, label, collection;
  std::vector<std::string> roles;
  int days = 0;
  std::uint64_t after = 0;
  std::size_t limit = 100;
  auto* school_cmd = app.add_subcommand("school", "Schools and offices");
  school_cmd->require_subcommand(1);
  auto* school_add_cmd = school_cmd->add_subcommand("add", "Add a school or office");
  school_add_cmd->add_option("code", code, "Stable code, e.g. the sector database's ID")
      ->required();
  school_add_cmd->add_option("name", name, "Name, e.g. \"Trường THCS Mỹ Thành\"")->required();
  school_add_cmd->add_option("--parent", parent, "Code of the office above it");
  auto* school_list_cmd = school_cmd->add_subcommand("list", "List schools and offices");
  school_list_cmd->add_flag("--json", json, "Print as JSON");

  auto* user_cmd = app.add_subcommand("user", "Accounts");
  user_cmd->require_subcommand(1);
  auto* user_add_cmd =
      user_cmd->add_subcommand("add", "Add an account (password from standard input)");
  user_add_cmd->add_option("name", name, "Account name")->required();
  user_add_cmd
      ->add_option(
          "--role", roles,
          "SCHOOL=ROLE; ROLE is admin, librarian, teacher, office, reader, vice_principal or "
          "group_head:GROUP (head of a subject group, e.g. \"group_head:Toán - Tin\"; repeatable)")
      ->required();
  auto* user_passwd_cmd = user_cmd->add_subcommand("passwd", "Set an account's password");
  user_passwd_cmd->add_option("name", name, "Account name")->required();
  auto* user_disable_cmd =
      user_cmd->add_subcommand("disable", "Disable an account: its sessions and tokens stop");
  user_disable_cmd->add_option("name", name, "Account name")->required();
  auto* user_enable_cmd = user_cmd->add_subcommand("enable", "Enable a disabled account");
  user_enable_cmd->add_option("name", name, "Account name")->required();
  auto* user_list_cmd = user_cmd->add_subcommand("list", "List accounts and their roles");
  user_list_cmd->add_flag("--json", json, "Print as JSON");

  auto* token_cmd = app.add_subcommand("token", "API tokens for scripts");
  token_cmd->require_subcommand(1);
  auto* token_create_cmd = token_cmd->add_subcommand("create", "Make a token for an account");
  token_create_cmd->add_option("account", name, "Account name")->required();
  token_create_cmd->add_option("--label", label, "What the token is for");
  token_create_cmd->add_option("--days", days, "Expires after N days (0: never)")
      ->check(CLI::Range(0, 3650));
  token_create_cmd->add_flag("--json", json, "Print as JSON");
  auto* token_revoke_cmd =
      token_cmd->add_subcommand("revoke", "Revoke a token or share link by its ID");
  token_revoke_cmd->add_option("id", id, "Token ID")->required();

  auto* share_cmd = app.add_subcommand("share", "Share links, usable without an account");
  share_cmd->require_subcommand(1);
  auto* share_create_cmd = share_cmd->add_subcommand("create", "Make a share link");
  auto* share_record = share_create_cmd->add_option("--record", id, "The record to share");
  share_create_cmd->add_option("--collection", collection, "The collection to share")
      ->excludes(share_record);
  share_create_cmd->add_option("--days", days, "Expires after N days (0: never)")
      ->check(CLI::Range(0, 3650));
  share_create_cmd->add_flag("--json", json, "Print as JSON");
  auto* share_revoke_cmd = share_cmd->add_subcommand("revoke", "Revoke a share link by its ID");
  share_revoke_cmd->add_option("id", id, "Share link ID")->required();

  auto* audit_cmd = app.add_subcommand("audit", "Read the audit log, oldest first");
  audit_cmd->add_option("--after", after, "Entries after this sequence number");
  audit_cmd->add_option("--limit", limit, "At most this many entries")
      ->check(CLI::Range(1, 100000));
  audit_cmd->add_flag("--json", json, "Print as JSON");

  std::string set, visibility = "shared";
  auto* harvest_cmd = app.add_subcommand(
      "harvest", "Pull another library's records over OAI-PMH (token: env KHO_HARVEST_TOKEN)");
  harvest_cmd->add_option("url", id, "OAI-PMH base URL, e.g. http://10.0.0.5:8080/oai")->required();
  harvest_cmd->add_option("--set", set, "Only this set, e.g. school:THCS-MT or kind:lesson-plan");
  harvest_cmd->add_option("--visibility", visibility, "Visibility of the harvested records here")
      ->check(CLI::IsMember({"private", "school", "shared", "public"}))
      ->capture_default_str();
  harvest_cmd->add_flag("--json", json, "Print the summary as JSON");

  ApprovalArgs approval_args;  // kho approval ... (cli/approval.cc)
  add_approval_commands(app, &approval_args);

  std::string worker_path, unpack_dir;
  auto* worker_cmd = app.add_subcommand("_extract", "");  // internal: the parsing worker
  worker_cmd->add_option("path", worker_path)->required();
  worker_cmd->group("");
  auto* assist_cmd = app.add_subcommand("_assist", "");  // internal: the lasting parsing worker
  assist_cmd->group("");
  auto* unpack_cmd = app.add_subcommand("_unpack", "");  // internal: the archive worker
  unpack_cmd->add_option("archive", worker_path)->required();
  unpack_cmd->add_option("dir", unpack_dir)->required();
  unpack_cmd->group("");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }

  bool approval_ran = false;
  if (int code = run_approval(data_dir, approval_args, &approval_ran); approval_ran) return code;
  if (*init_cmd) return init(data_dir);
  if (*import_cmd) return import(data_dir, import_args);
  if (*search_cmd) return search(data_dir, search_args);
  if (*stats_cmd) return stats(data_dir, stats_args);
  if (*show_cmd) return show(data_dir, id, json);
  if (*get_cmd) return get(data_dir, id, output, version);
  if (*version_cmd) return add_version(data_dir, id, version_file, json);
  if (*history_cmd) return history(data_dir, id, json);
  if (*edit_cmd) return edit(data_dir, id, assignments);
  if (*withdraw_cmd) return withdraw(data_dir, id, reason, true);
  if (*reinstate_cmd) return withdraw(data_dir, id, reason, false);
  if (*export_cmd) return export_catalogue(data_dir, export_args);
  if (*reindex_cmd) return reindex(data_dir);
  if (*compact_cmd) return compact(data_dir);
  if (*serve_cmd)
    return serve(data_dir, listen, remotes, trusted_proxies, verify_every, &serve_watch);
  if (*watch_cmd) {
    watch_args.dirs = {watch_dir};
    return watch(data_dir, watch_args);
  }
  if (*verify_cmd) return verify(data_dir, json, last);
  if (*backup_cmd) return backup(data_dir, dest, compact_copy, json);
  if (*restore_cmd) return restore(bag, dest, json);
  if (*worker_cmd) return extract_worker(worker_path);
  if (*assist_cmd) return assist_worker();
  if (*unpack_cmd) return unpack_worker(worker_path, unpack_dir);
  if (*school_add_cmd) return school_add(data_dir, code, name, parent);
  if (*school_list_cmd) return school_list(data_dir, json);
  if (*user_add_cmd) return user_add(data_dir, name, roles);
  if (*user_passwd_cmd) return user_passwd(data_dir, name);
  if (*user_disable_cmd) return user_disable(data_dir, name, true);
  if (*user_enable_cmd) return user_disable(data_dir, name, false);
  if (*user_list_cmd) return user_list(data_dir, json);
  if (*token_create_cmd) return token_create(data_dir, name, label, days, json);
  if (*token_revoke_cmd || *share_revoke_cmd) return token_revoke(data_dir, id);
  if (*share_create_cmd) return share_create(data_dir, id, collection, days, json);
  if (*audit_cmd) return audit(data_dir, after, limit, json);
  if (*harvest_cmd) return harvest(data_dir, id, set, visibility, json);
  return kUsage;
}
