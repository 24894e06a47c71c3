#include "core/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <ctime>

namespace kho {

namespace {

// Failures in one window: an account is locked after a few, an address
// only after many, since a whole school may sign in from one NAT address and
// made-up names must not lock all of it out.
constexpr int kMaxAccountFailures = 5;
constexpr int kMaxAddressFailures = 100;
constexpr std::chrono::minutes kFailureWindow{15};  // and how long a lock-out lasts
constexpr std::chrono::hours kSessionLife{12};
constexpr std::size_t kMinPassword = 8;

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

std::string secret_hash(const std::string& secret) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  return hex(digest.data(), digest.size());
}

// 32 random bytes, hex, after a prefix that says what the secret is for.
std::string new_secret(const std::string& prefix) {
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  return prefix + hex(bytes.data(), bytes.size());
}

Status check_password(const std::string& password) {
  if (password.size() < kMinPassword)
    return Status::Invalid("password: at least " + std::to_string(kMinPassword) + " characters");
  return Status::Ok();
}

Status issue(store::Store& store, store::Token token, const std::string& prefix, NewSecret* out) {
  out->secret = new_secret(prefix);
  if (Status s = store.add_token(secret_hash(out->secret), &token); !s.ok()) return s;
  out->token = token;
  return Status::Ok();
}

}  // namespace

std::string rfc3339_in(std::chrono::seconds seconds) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status hash_password(const std::string& password, std::string* out) {
  if (sodium_init() < 0) return Status::IoError("libsodium cannot start");
  std::array<char, crypto_pwhash_STRBYTES> buf;
  if (crypto_pwhash_str_alg(buf.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Status::IoError("not enough memory to hash a password");
  *out = buf.data();
  return Status::Ok();
}

bool password_matches(const std::string& hash, const std::string& password) {
  if (hash.empty() || sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Status Accounts::add_school(const store::Organisation& org, const store::Actor& actor) {
  return store_.put_organisation(org, true, actor);
}

Status Accounts::add_user(const std::string& name, const std::string& password,
                          const std::map<std::string, std::string>& roles,
                          const store::Actor& actor) {
  if (roles.empty()) return Status::Invalid("an account needs a role at a school or office");
  for (const auto& [org, role] : roles)
    if (!valid_role(role))
      return Status::Invalid("role '" + role +
                             "': one of admin, librarian, teacher, office, reader, "
                             "vice_principal, group_head:GROUP");
  if (Status s = check_password(password); !s.ok()) return s;
  store::Account account;
  account.name = name;
  account.roles = roles;
  if (Status s = hash_password(password, &account.password_hash); !s.ok()) return s;
  return store_.put_account(account, true, actor);
}

Status Accounts::set_password(const std::string& name, const std::string& password,
                              const store::Actor& actor) {
  if (Status s = check_password(password); !s.ok()) return s;
  store::Account account;
  if (Status s = store_.get_account(name, &account); !s.ok()) return s;
  if (Status s = hash_password(password, &account.password_hash); !s.ok()) return s;
  return store_.put_account(account, false, actor);
}

Status Accounts::set_disabled(const std::string& name, bool disabled, const store::Actor& actor) {
  // An admin who disables their own account is locked out at once, perhaps
  // as the school's only admin: another admin (or the CLI) must do it.
  if (disabled && actor.name == name)
    return Status::Conflict("an account cannot disable itself; ask another admin");
  store::Account account;
  if (Status s = store_.get_account(name, &account); !s.ok()) return s;
  account.disabled = disabled;
  return store_.put_account(account, false, actor);
}

bool Accounts::locked_out(const std::string& key, int limit) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  if (std::chrono::steady_clock::now() - it->second.since > kFailureWindow) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= limit;
}

void Accounts::record_failure(const std::string& key) {
  Failures& f = failures_[key];
  if (f.count == 0) f.since = std::chrono::steady_clock::now();
  ++f.count;
}

Status Accounts::login(const std::string& name, const std::string& password,
                       const std::string& from, NewSecret* out) {
  std::string by_name = "account:" + name, by_address = "from:" + from;
  store::Account account;
  const bool known = store_.get_account(name, &account).ok();
  // A name that is no account is often a password typed into the wrong
  // field: the audit log, kept for ever and read by admins, never holds it.
  const std::string who = known ? name : "anonymous";
  const std::string unknown = known ? "" : "no such account";
  {
    std::lock_guard lock(mutex_);
    if (locked_out(by_name, kMaxAccountFailures) || locked_out(by_address, kMaxAddressFailures)) {
      store_.audit({0, "", who, from, "login-refused", 0,
                    known ? "too many failed logins" : "too many failed logins, no such account"});
      return Status::Busy("too many failed logins: try again in 15 minutes");
    }
  }
  bool ok = known && !account.disabled && password_matches(account.password_hash, password);
  if (!ok) {
    std::lock_guard lock(mutex_);
    record_failure(by_name);
    record_failure(by_address);
    store_.audit({0, "", who, from, "login-failed", 0, unknown});
    return Status::Invalid("wrong account name or password");
  }
  {
    std::lock_guard lock(mutex_);
    failures_.erase(by_name);
  }
  store_.audit({0, "", name, from, "login", 0, ""});
  store::Token token;
  token.kind = "session";
  token.account = name;
  token.expires_at = rfc3339_in(kSessionLife);
  return issue(store_, token, "khos_", out);
}

Status Accounts::create_token(const std::string& account, const std::string& label,
                              std::chrono::seconds life, const store::Actor& actor,
                              NewSecret* out) {
  store::Account a;
  if (Status s = store_.get_account(account, &a); !s.ok()) return s;
  (void)actor;  // the token's own audit line names its account
  store::Token token;
  token.kind = "api";
  token.account = account;
  token.label = label;
  if (life.count() > 0) token.expires_at = rfc3339_in(life);
  return issue(store_, token, "khot_", out);
}

Status Accounts::create_share(const Access& by, store::RecordId record,
                              const std::string& collection, std::chrono::seconds life,
                              NewSecret* out) {
  if ((record == 0) == collection.empty())
    return Status::Invalid("a share link names one record or one collection");
  if (record != 0) {
    store::Record r;
    if (Status s = store_.get(record, &r); !s.ok() || !by.may_read(r))
      return Status::NotFound("no record " + std::to_string(record));
    if (!by.may_change(r.school, r.kind))
      return Status::Denied("only staff who handle this record may share it");
    if (r.kind == "diploma")
      return Status::Denied("a diploma is personal data: it is never shared by link");
  } else if (!by.may_administer()) {
    return Status::Denied("only an admin may share a whole collection");
  }
  store::Token token;
  token.kind = "share";
  token.account = by.account();
  token.record = record;
  token.collection = collection;
  if (life.count() > 0) token.expires_at = rfc3339_in(life);
  return issue(store_, token, "", out);
}

Status Accounts::revoke(std::uint64_t token_id, const store::Actor& actor) {
  return store_.revoke_token(token_id, actor);
}

Status Accounts::revoke_share(const Access& by, std::uint64_t link_id) {
  std::vector<store::Token> tokens;
  if (Status s = store_.tokens(&tokens); !s.ok()) return s;
  auto link = std::find_if(tokens.begin(), tokens.end(), [&](const store::Token& t) {
    return t.id == link_id && t.kind == "share";
  });
  if (link == tokens.end() || !may_revoke(by, *link))
    return Status::NotFound("no share link " + std::to_string(link_id));
  return store_.revoke_token(link->id, by.actor());
}

Status Accounts::shares(const Access& by, store::RecordId record,
                        std::vector<store::Token>* out) const {
  out->clear();
  std::vector<store::Token> tokens;
  if (Status s = store_.tokens(&tokens); !s.ok()) return s;
  for (store::Token& t : tokens)
    if (t.kind == "share" && !t.revoked && (record == 0 || t.record == record) && may_revoke(by, t))
      out->push_back(std::move(t));
  return Status::Ok();
}

// Its maker, or an admin of the school that owns the record it shares (for a
// collection, of a school where its maker holds a role): another school's
// admin has no say over this school's links, nor learns that they exist.
bool Accounts::may_revoke(const Access& by, const store::Token& link) const {
  if (by.signed_in() && link.account == by.account()) return true;
  if (link.record != 0) {
    store::Record r;
    return store_.get(link.record, &r).ok() && by.may_audit(r.school, nullptr);
  }
  store::Account maker;
  return store_.get_account(link.account, &maker).ok() && by.may_audit("", &maker);
}

// A link lends its maker's right to share: it works while the maker could
// make it now. Decided at each use, so disabling an account suspends its
// links and enabling it again restores those not expired or revoked.
bool Accounts::maker_may_share(const store::Token& link) const {
  if (link.account == Access::library_staff().account()) return true;  // the CLI
  store::Account account;
  Access maker;
  if (!store_.get_account(link.account, &account).ok() || account.disabled ||
      !Access::for_account(store_, account, "", &maker).ok())
    return false;
  if (link.record == 0) return maker.may_administer();
  store::Record r;
  return store_.get(link.record, &r).ok() && maker.may_read(r) &&
         maker.may_change(r.school, r.kind);
}

Status Accounts::find(const std::string& secret, store::Token* out) const {
  return store_.find_token(secret_hash(secret), out);
}

Status Accounts::authenticate(const std::string& secret, const std::string& from, Access* out) {
  store::Token token;
  Status s = store_.find_token(secret_hash(secret), &token);
  if (s.is_not_found()) return Status::Invalid("unknown or expired token");
  if (!s.ok()) return s;
  if (token.revoked || (!token.expires_at.empty() && token.expires_at <= store::now_rfc3339()))
    return Status::Invalid("unknown or expired token");
  if (token.kind == "share") {
    if (!maker_may_share(token)) return Status::Invalid("unknown or expired token");
    *out = Access::for_share(token, from);
    return Status::Ok();
  }
  store::Account account;
  if (!store_.get_account(token.account, &account).ok() || account.disabled)
    return Status::Invalid("account " + token.account + " is disabled");
  return Access::for_account(store_, account, from, out);
}

}  // namespace kho
