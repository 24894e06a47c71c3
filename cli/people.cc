// kho school / user / token / share / audit: the people side of a library,
// for whoever holds its data directory (the CLI acts as library staff).
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/json_render.h"
#include "cli/commands.h"
#include "core/library.h"

using nlohmann::json;

namespace kho::cli {

namespace {

int fail(const Status& s) {
  std::fprintf(stderr, "kho: %s\n", s.message().c_str());
  if (s.is_not_found()) return kNotFound;
  return s.code() == Status::Code::kInvalid ? kUsage : kFailed;
}

std::unique_ptr<Library> open(const std::string& data_dir, int* code) {
  std::unique_ptr<Library> library;
  if (Status s = Library::open(data_dir, false, &library); !s.ok()) *code = fail(s);
  return library;
}

}  // namespace

// "cli:" and the operating-system user running kho.
store::Actor cli_actor() {
  const passwd* pw = ::getpwuid(::geteuid());
  return {std::string("cli:") + (pw != nullptr ? pw->pw_name : std::to_string(::geteuid())), ""};
}

namespace {

// One line from standard input; without echo when it is a terminal.
bool read_secret(const char* prompt, std::string* out) {
  bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%s", prompt);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  bool ok = static_cast<bool>(std::getline(std::cin, *out));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  return ok;
}

bool new_password(std::string* out) {
  if (!read_secret("Mật khẩu mới: ", out)) return false;
  if (::isatty(STDIN_FILENO) == 0) return true;
  std::string again;
  return read_secret("Nhập lại mật khẩu: ", &again) && again == *out;
}

void print_secret(const NewSecret& made, const std::string& what, bool as_json) {
  if (as_json) {
    std::cout << json{{"id", made.token.id},
                      {"secret", made.secret},
                      {"expires_at", made.token.expires_at}}
                     .dump()
              << "\n";
    return;
  }
  std::printf("%s %llu: %s\n", what.c_str(), static_cast<unsigned long long>(made.token.id),
              made.secret.c_str());
  std::printf("expires: %s\n",
              made.token.expires_at.empty() ? "never" : made.token.expires_at.c_str());
  std::fprintf(stderr, "Keep it now: kho keeps only its hash and cannot show it again.\n");
}

bool parse_number(const std::string& text, std::uint64_t* out) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = std::stoull(text);
  return *out > 0;
}

}  // namespace

int school_add(const std::string& data_dir, const std::string& code, const std::string& name,
               const std::string& parent) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  if (Status s = library->accounts().add_school({code, name, parent, ""}, cli_actor()); !s.ok())
    return fail(s);
  std::printf("school %s added\n", code.c_str());
  return kOk;
}

int school_list(const std::string& data_dir, bool as_json) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  std::vector<store::Organisation> orgs;
  if (Status s = library->store().organisations(&orgs); !s.ok()) return fail(s);
  json list = json::array();
  for (const auto& o : orgs) {
    if (as_json)
      list.push_back({{"code", o.code}, {"name", o.name}, {"parent", o.parent}});
    else
      std::printf("%-16s %-40s %s\n", o.code.c_str(), o.name.c_str(), o.parent.c_str());
  }
  if (as_json) std::cout << list.dump(2) << "\n";
  return kOk;
}

int user_add(const std::string& data_dir, const std::string& name,
             const std::vector<std::string>& roles) {
  std::map<std::string, std::string> by_org;
  for (const auto& r : roles) {
    auto eq = r.find('=');
    if (eq == std::string::npos || eq == 0)
      return std::fprintf(stderr, "kho: --role %s: write SCHOOL=ROLE\n", r.c_str()), kUsage;
    by_org[r.substr(0, eq)] = r.substr(eq + 1);
  }
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  std::string password;
  if (!new_password(&password))
    return std::fprintf(stderr, "kho: the passwords differ or none was given\n"), kUsage;
  if (Status s = library->accounts().add_user(name, password, by_org, cli_actor()); !s.ok())
    return fail(s);
  std::printf("account %s added\n", name.c_str());
  return kOk;
}

int user_passwd(const std::string& data_dir, const std::string& name) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  std::string password;
  if (!new_password(&password))
    return std::fprintf(stderr, "kho: the passwords differ or none was given\n"), kUsage;
  if (Status s = library->accounts().set_password(name, password, cli_actor()); !s.ok())
    return fail(s);
  std::printf("password of %s changed\n", name.c_str());
  return kOk;
}

int user_disable(const std::string& data_dir, const std::string& name, bool disabled) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  if (Status s = library->accounts().set_disabled(name, disabled, cli_actor()); !s.ok())
    return fail(s);
  std::printf("account %s %s\n", name.c_str(), disabled ? "disabled" : "enabled");
  return kOk;
}

int user_list(const std::string& data_dir, bool as_json) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  std::vector<store::Account> accounts;
  if (Status s = library->store().accounts(&accounts); !s.ok()) return fail(s);
  json list = json::array();
  for (const auto& a : accounts) {
    list.push_back({{"name", a.name}, {"roles", a.roles}, {"disabled", a.disabled}});
    if (as_json) continue;
    std::string roles;
    for (const auto& [org, role] : a.roles) roles += (roles.empty() ? "" : " ") + org + "=" + role;
    std::printf("%-20s %s%s\n", a.name.c_str(), roles.c_str(), a.disabled ? " (disabled)" : "");
  }
  if (as_json) std::cout << list.dump(2) << "\n";
  return kOk;
}

int token_create(const std::string& data_dir, const std::string& account, const std::string& label,
                 int days, bool as_json) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  NewSecret made;
  Status s = library->accounts().create_token(account, label, std::chrono::hours(24 * days),
                                              cli_actor(), &made);
  if (!s.ok()) return fail(s);
  print_secret(made, "token", as_json);
  return kOk;
}

int token_revoke(const std::string& data_dir, const std::string& id_text) {
  std::uint64_t id = 0;
  if (!parse_number(id_text, &id))
    return std::fprintf(stderr, "kho: '%s' is not a token ID\n", id_text.c_str()), kUsage;
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  if (Status s = library->accounts().revoke(id, cli_actor()); !s.ok()) return fail(s);
  std::printf("token %llu revoked\n", static_cast<unsigned long long>(id));
  return kOk;
}

int share_create(const std::string& data_dir, const std::string& record,
                 const std::string& collection, int days, bool as_json) {
  std::uint64_t id = 0;
  if (!record.empty() && !parse_number(record, &id))
    return std::fprintf(stderr, "kho: '%s' is not a record ID\n", record.c_str()), kUsage;
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  NewSecret made;
  Status s = library->accounts().create_share(Access::library_staff(), id, collection,
                                              std::chrono::hours(24 * days), &made);
  if (!s.ok()) return fail(s);
  if (!as_json) std::printf("link: /s/%s\n", made.secret.c_str());
  print_secret(made, "share link", as_json);
  return kOk;
}

int audit(const std::string& data_dir, std::uint64_t after, std::size_t limit, bool as_json) {
  int rc = kOk;
  auto library = open(data_dir, &rc);
  if (!library) return rc;
  std::vector<store::AuditEntry> entries;
  if (Status s = library->store().audit_log(after, limit, &entries); !s.ok()) return fail(s);
  json list = json::array();
  for (const auto& e : entries) {
    if (as_json) {
      list.push_back(api::audit_json(e));
      continue;
    }
    std::printf("%6llu %s %-16s %-15s %-14s %s %s\n", static_cast<unsigned long long>(e.seq),
                e.at.c_str(), e.actor.c_str(), e.from.empty() ? "-" : e.from.c_str(),
                e.action.c_str(), e.record ? std::to_string(e.record).c_str() : "-",
                e.detail.c_str());
  }
  if (as_json) std::cout << list.dump(2) << "\n";
  return kOk;
}

}  // namespace kho::cli
