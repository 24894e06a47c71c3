// Accounts and the secrets that stand for them: passwords (kept as Argon2id
// hashes, libsodium), login sessions, API tokens for scripts and share links.
// A secret is shown once, when made; the store keeps only its SHA-256. Failed
// logins are counted per account (a few lock it) and per address (many lock
// it: a school signs in from one address), and lock-outs last a window.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "core/access.h"
#include "store/store.h"

namespace kho {

// Argon2id (libsodium's interactive limits): the string to store, and its check.
Status hash_password(const std::string& password, std::string* out);
bool password_matches(const std::string& hash, const std::string& password);

struct NewSecret {
  std::string secret;  // shown once: the bearer token or the share link's key
  store::Token token;
};

class Accounts {
 public:
  explicit Accounts(store::Store& store) : store_(store) {}

  Status add_school(const store::Organisation& org, const store::Actor& actor);
  // roles: organisation code -> role. The password must be at least 8 characters.
  Status add_user(const std::string& name, const std::string& password,
                  const std::map<std::string, std::string>& roles, const store::Actor& actor);
  Status set_password(const std::string& name, const std::string& password,
                      const store::Actor& actor);
  Status set_disabled(const std::string& name, bool disabled, const store::Actor& actor);

  // A session for the account, valid for 12 hours. Wrong name or password:
  // Invalid, the same message for both; too many failures: Busy.
  Status login(const std::string& name, const std::string& password, const std::string& from,
               NewSecret* out);
  // An API token for scripts; expires after `life` (0: never).
  Status create_token(const std::string& account, const std::string& label,
                      std::chrono::seconds life, const store::Actor& actor, NewSecret* out);
  // A share link to one record (record != 0) or one collection, made by
  // someone who may change what it shares; expires after `life` (0: never).
  Status create_share(const Access& by, store::RecordId record, const std::string& collection,
                      std::chrono::seconds life, NewSecret* out);
  Status revoke(std::uint64_t token_id, const store::Actor& actor);
  // Revokes a share link for its maker, or for an admin of the school whose
  // record it shares; NotFound for anyone else, as for a link that does not exist.
  Status revoke_share(const Access& by, std::uint64_t link_id);
  // The share links `by` may revoke (its own; an admin's: those of its
  // schools), not revoked, oldest first; record != 0: only that record's.
  Status shares(const Access& by, store::RecordId record, std::vector<store::Token>* out) const;

  // Who a bearer secret stands for: a session's or API token's account, or a
  // share link. Unknown, expired, revoked or disabled: Invalid; so is a share
  // link whose maker is disabled or may no longer share what it names.
  Status authenticate(const std::string& secret, const std::string& from, Access* out);
  // The token a secret stands for, whatever its state.
  Status find(const std::string& secret, store::Token* out) const;

 private:
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point since;
  };
  bool may_revoke(const Access& by, const store::Token& link) const;
  bool maker_may_share(const store::Token& link) const;
  bool locked_out(const std::string& key, int limit);
  void record_failure(const std::string& key);

  store::Store& store_;
  std::mutex mutex_;
  std::map<std::string, Failures> failures_;  // "account:NAME" and "from:ADDRESS"
};

// Now plus `seconds`, as RFC 3339 UTC ("2026-11-23T10:00:00Z").
std::string rfc3339_in(std::chrono::seconds seconds);

}  // namespace kho
