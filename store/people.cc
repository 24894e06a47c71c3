// Organisations, accounts, tokens and the audit log: small tables beside the
// records, stored as JSON like records are. The audit log is append-only: no
// function here rewrites or removes an entry.
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "store/env.h"
#include "store/lmdb.h"
#include "store/store.h"

namespace kho::store {

using nlohmann::json;

namespace {

json org_json(const Organisation& o) {
  return {{"code", o.code}, {"name", o.name}, {"parent", o.parent}, {"created_at", o.created_at}};
}
Organisation org_from(const json& j) {
  return {j.value("code", ""), j.value("name", ""), j.value("parent", ""),
          j.value("created_at", "")};
}

json account_json(const Account& a) {
  return {{"name", a.name},
          {"password_hash", a.password_hash},
          {"roles", a.roles},
          {"disabled", a.disabled},
          {"created_at", a.created_at}};
}
Account account_from(const json& j) {
  Account a;
  a.name = j.value("name", "");
  a.password_hash = j.value("password_hash", "");
  a.roles = j.value("roles", std::map<std::string, std::string>{});
  a.disabled = j.value("disabled", false);
  a.created_at = j.value("created_at", "");
  return a;
}

json token_json(const Token& t) {
  return {{"id", t.id},
          {"kind", t.kind},
          {"account", t.account},
          {"label", t.label},
          {"record", t.record},
          {"collection", t.collection},
          {"created_at", t.created_at},
          {"expires_at", t.expires_at},
          {"revoked", t.revoked}};
}
Token token_from(const json& j) {
  Token t;
  t.id = j.value("id", std::uint64_t{0});
  t.kind = j.value("kind", "");
  t.account = j.value("account", "");
  t.label = j.value("label", "");
  t.record = j.value("record", RecordId{0});
  t.collection = j.value("collection", "");
  t.created_at = j.value("created_at", "");
  t.expires_at = j.value("expires_at", "");
  t.revoked = j.value("revoked", false);
  return t;
}

// "token-create", "share-revoke", ...: what the audit log calls a token's event.
std::string action(const Token& t, const char* event) {
  return (t.kind == "api" ? std::string("token") : t.kind) + event;
}

json audit_json(const AuditEntry& a) {
  return {{"at", a.at},         {"actor", a.actor},   {"from", a.from},
          {"action", a.action}, {"record", a.record}, {"detail", a.detail}};
}

// Every value of a table, in key order, parsed.
Status scan(const lmdb::Txn& txn, MDB_dbi dbi, const std::function<void(const json&)>& each) {
  lmdb::Cursor cursor(txn, dbi);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    auto j = json::parse(lmdb::view(v), nullptr, false);
    if (j.is_discarded()) return Status::Corrupt("a stored entry is not valid JSON");
    each(j);
  }
  return Status::Ok();
}

Status read_json(const Store::Env& e, const lmdb::Txn& txn, MDB_dbi dbi, std::string_view key,
                 const std::string& what, json* out) {
  std::string_view v;
  Status s = e.get(txn, dbi, key, &v);
  if (s.is_not_found()) return Status::NotFound("no " + what);
  if (!s.ok()) return s;
  *out = json::parse(v, nullptr, false);
  return out->is_discarded() ? Status::Corrupt(what + " is not valid JSON") : Status::Ok();
}

}  // namespace

Status Store::Env::append_audit(const lmdb::Txn& txn, const AuditEntry& entry) const {
  std::uint64_t seq = counter(txn, "last_audit") + 1;
  if (Status s = put(txn, audit, lmdb::be64(seq), audit_json(entry).dump()); !s.ok()) return s;
  return put(txn, meta, "last_audit", lmdb::be64(seq));
}

Status Store::put_organisation(const Organisation& org, bool create, const Actor& actor) {
  if (org.code.empty()) return Status::Invalid("an organisation needs a code");
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  std::string_view existing;
  if (create && e.get(txn, e.orgs, org.code, &existing).ok())
    return Status::Conflict("organisation " + org.code + " exists");
  if (!org.parent.empty() && !e.get(txn, e.orgs, org.parent, &existing).ok())
    return Status::NotFound("no organisation " + org.parent + " to be the parent");
  Organisation o = org;
  if (o.created_at.empty()) o.created_at = now_rfc3339();
  Status s = e.put(txn, e.orgs, o.code, org_json(o).dump());
  if (s.ok())
    s = e.append_audit(txn, {0, now_rfc3339(), actor.name, actor.from, "organisation", 0, o.code});
  return s.ok() ? txn.commit() : s;
}

Status Store::get_organisation(const std::string& code, Organisation* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  json j;
  if (Status s = read_json(*env_, txn, env_->orgs, code, "organisation " + code, &j); !s.ok())
    return s;
  *out = org_from(j);
  return Status::Ok();
}

Status Store::organisations(std::vector<Organisation>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  return scan(txn, env_->orgs, [&](const json& j) { out->push_back(org_from(j)); });
}

Status Store::put_account(const Account& account, bool create, const Actor& actor) {
  if (account.name.empty()) return Status::Invalid("an account needs a name");
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  std::string_view existing;
  bool exists = e.get(txn, e.accounts, account.name, &existing).ok();
  if (create && exists) return Status::Conflict("account " + account.name + " exists");
  if (!create && !exists) return Status::NotFound("no account " + account.name);
  for (const auto& [org, role] : account.roles)
    if (!e.get(txn, e.orgs, org, &existing).ok())
      return Status::NotFound("no organisation " + org + " (add it with `kho school add`)");
  Account a = account;
  if (a.created_at.empty()) a.created_at = now_rfc3339();
  Status s = e.put(txn, e.accounts, a.name, account_json(a).dump());
  std::string what = create ? "account-add" : (a.disabled ? "account-disable" : "account-update");
  if (s.ok()) s = e.append_audit(txn, {0, now_rfc3339(), actor.name, actor.from, what, 0, a.name});
  return s.ok() ? txn.commit() : s;
}

Status Store::get_account(const std::string& name, Account* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  json j;
  if (Status s = read_json(*env_, txn, env_->accounts, name, "account " + name, &j); !s.ok())
    return s;
  *out = account_from(j);
  return Status::Ok();
}

Status Store::accounts(std::vector<Account>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  return scan(txn, env_->accounts, [&](const json& j) { out->push_back(account_from(j)); });
}

Status Store::add_token(const std::string& secret_hash, Token* token) {
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  token->id = e.counter(txn, "last_token") + 1;
  if (token->created_at.empty()) token->created_at = now_rfc3339();
  Status s = e.put(txn, e.meta, "last_token", lmdb::be64(token->id));
  if (s.ok()) s = e.put(txn, e.tokens, secret_hash, token_json(*token).dump());
  // Sessions come and go with every login (the audit has the login itself).
  if (s.ok() && token->kind != "session")
    s = e.append_audit(txn, {0, token->created_at, token->account, "", action(*token, "-create"),
                             token->record, "token " + std::to_string(token->id)});
  return s.ok() ? txn.commit() : s;
}

Status Store::find_token(const std::string& secret_hash, Token* out) const {
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  json j;
  if (Status s = read_json(*env_, txn, env_->tokens, secret_hash, "such token", &j); !s.ok())
    return s;
  *out = token_from(j);
  return Status::Ok();
}

Status Store::revoke_token(std::uint64_t id, const Actor& actor) {
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, e.tokens);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    auto j = json::parse(lmdb::view(v), nullptr, false);
    if (j.is_discarded() || j.value("id", std::uint64_t{0}) != id) continue;
    Token t = token_from(j);
    t.revoked = true;
    std::string key(lmdb::view(k));
    Status s = e.put(txn, e.tokens, key, token_json(t).dump());
    if (s.ok())
      s = e.append_audit(txn, {0, now_rfc3339(), actor.name, actor.from, action(t, "-revoke"),
                               t.record, "token " + std::to_string(id)});
    return s.ok() ? txn.commit() : s;
  }
  return Status::NotFound("no token " + std::to_string(id));
}

Status Store::tokens(std::vector<Token>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  Status s = scan(txn, env_->tokens, [&](const json& j) { out->push_back(token_from(j)); });
  std::sort(out->begin(), out->end(), [](const Token& a, const Token& b) { return a.id < b.id; });
  return s;
}

Status Store::audit(AuditEntry entry) {
  Env& e = *env_;
  lmdb::Txn txn(e.env, true);
  if (!txn.status().ok()) return txn.status();
  if (entry.at.empty()) entry.at = now_rfc3339();
  Status s = e.append_audit(txn, entry);
  return s.ok() ? txn.commit() : s;
}

Status Store::audit_log(std::uint64_t after, std::size_t limit,
                        std::vector<AuditEntry>* out) const {
  out->clear();
  lmdb::Txn txn(env_->env, false);
  if (!txn.status().ok()) return txn.status();
  lmdb::Cursor cursor(txn, env_->audit);
  if (!cursor.ok()) return Status::IoError("cannot open cursor");
  std::string start = lmdb::be64(after + 1);
  MDB_val k = lmdb::val(start), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0 && out->size() < limit;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    auto j = json::parse(lmdb::view(v), nullptr, false);
    if (j.is_discarded()) return Status::Corrupt("audit entry is not valid JSON");
    out->push_back({lmdb::from_be64(lmdb::view(k)), j.value("at", ""), j.value("actor", ""),
                    j.value("from", ""), j.value("action", ""), j.value("record", RecordId{0}),
                    j.value("detail", "")});
  }
  return Status::Ok();
}

}  // namespace kho::store
