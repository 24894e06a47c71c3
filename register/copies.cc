// Copies from the register and their verification. A copy's code is
// "ADDRESS#PAYLOAD.SIGNATURE": the payload is the canonical JSON of what a
// provincial lookup shows plus the copy's number, organisation and date, and
// the signature is Ed25519 over the payload's bytes with the organisation's
// key (made with its first copy, kept in the store's module tables).
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "core/fields.h"
#include "register/register_impl.h"

namespace kho::registry {

using json = nlohmann::json;

namespace {

const char* const kShown[] = {"full_name",    "birth_date", "serial",
                              "entry_number", "school",     "year"};

std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool from_b64url(std::string_view text, std::string* out) {
  out->assign(text.size(), '\0');
  std::size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), text.data(),
                        text.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  out->resize(n);
  return true;
}

std::map<std::string, std::string> shown(const Entry& e) {
  std::map<std::string, std::string> out;
  for (const char* name : kShown)
    if (auto it = e.fields.find(name); it != e.fields.end()) out[name] = it->second;
  return out;
}

// The organisation's secret key, made the first time.
Status signing_key(store::Tables& t, const std::string& org, std::string* secret) {
  Status s = t.get("reg_key", org, secret);
  if (s.ok() || !s.is_not_found()) return s;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  secret->assign(reinterpret_cast<char*>(sk), sizeof sk);
  sodium_memzero(sk, sizeof sk);
  return t.put("reg_key", org, *secret);
}

// The public half of a stored secret key, base64url; "" when it is not one.
std::string public_half(std::string_view sk) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  if (sk.size() != crypto_sign_SECRETKEYBYTES ||
      crypto_sign_ed25519_sk_to_pk(pk, reinterpret_cast<const unsigned char*>(sk.data())) != 0)
    return "";
  return b64url({reinterpret_cast<char*>(pk), sizeof pk});
}

json copy_json(const Copy& c) {
  return {{"number", c.number},   {"entry", c.entry},           {"org", c.org},
          {"at", c.at},           {"issued_by", c.issued_by},   {"requester", c.requester},
          {"purpose", c.purpose}, {"payload", c.payload},       {"signature", c.signature},
          {"code", c.code},       {"pdf_sha256", c.pdf_sha256}, {"events", c.events}};
}

Copy copy_from(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return {};
  return {j.value("number", std::uint64_t{0}),
          j.value("entry", std::uint64_t{0}),
          j.value("org", ""),
          j.value("at", ""),
          j.value("issued_by", ""),
          j.value("requester", ""),
          j.value("purpose", ""),
          j.value("payload", ""),
          j.value("signature", ""),
          j.value("code", ""),
          j.value("pdf_sha256", ""),
          j.value("events", std::size_t{0})};
}

// What verification says of an entry now, and of a copy made when the
// entry's history held `copy_events` events (0: no copy).
void judge(const Entry& e, std::size_t copy_events, Verification* out) {
  out->status = e.status;
  out->shown = shown(e);
  for (std::size_t i = 0; i < e.history.size(); ++i) {
    if (e.history[i].op == "create") continue;
    out->decision = e.history[i].decision;  // the latest decision
    if (copy_events != 0 && i >= copy_events) out->changed_since_copy = true;
  }
}

}  // namespace

bool check_signature(const std::string& payload, const std::string& signature,
                     const std::string& public_key) {
  std::string sig, pk;
  if (!from_b64url(signature, &sig) || !from_b64url(public_key, &pk)) return false;
  if (sig.size() != crypto_sign_BYTES || pk.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                     reinterpret_cast<const unsigned char*>(payload.data()),
                                     payload.size(),
                                     reinterpret_cast<const unsigned char*>(pk.data())) == 0;
}

Status Registry::issue_copy(std::uint64_t id, const std::string& requester,
                            const std::string& purpose, const std::string& verify_base,
                            const Access& access, Copy* out) {
  if (requester.find_first_not_of(' ') == std::string::npos)
    return Status::Invalid("requester: who asks for the copy is missing");
  if (purpose.find_first_not_of(' ') == std::string::npos)
    return Status::Invalid("purpose: why the copy is asked for is missing");
  if (sodium_init() < 0) return Status::IoError("libsodium cannot start");
  std::map<std::string, store::Organisation> orgs;  // read before the write transaction
  {
    std::vector<store::Organisation> all;
    if (Status s = store_.organisations(&all); !s.ok()) return s;
    for (auto& o : all) orgs[o.code] = o;
  }
  return store_.write_tables([&](store::Tables& t) {
    Entry e;
    if (Status s = load_entry(t, id, &e); !s.ok()) return s;
    if (!access.may_change(e.org, "diploma"))
      return Status::NotFound("no register entry " + std::to_string(id));
    if (e.status == "revoked")
      return Status::Conflict("entry " + std::to_string(id) + " was revoked: no copy is issued");
    Register reg;
    if (Status s = load_register(t, e.register_id, &reg); !s.ok()) return s;
    const std::string& org_name = orgs.count(e.org) ? orgs[e.org].name : e.org;
    Copy c;
    if (Status s = t.next("reg_copy", &c.number); !s.ok()) return s;
    c.entry = id;
    c.org = e.org;
    c.at = store::now_rfc3339();
    c.issued_by = access.actor().name;
    c.requester = requester;
    c.purpose = purpose;
    c.events = e.history.size();
    json payload = {{"v", 1},
                    {"copy", c.number},
                    {"entry", id},
                    {"org", e.org},
                    {"issued", c.at.substr(0, 10)}};
    for (const auto& [k, v] : shown(e)) payload[k] = v;
    c.payload = payload.dump();
    std::string sk;
    if (Status s = signing_key(t, e.org, &sk); !s.ok()) return s;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(c.payload.data()),
                         c.payload.size(), reinterpret_cast<const unsigned char*>(sk.data()));
    c.signature = b64url({reinterpret_cast<char*>(sig), sizeof sig});
    c.code = verify_base + "#" + b64url(c.payload) + "." + c.signature;
    std::string pdf;
    if (Status s = copy_pdf_bytes(reg, org_name, e, c, &pdf); !s.ok()) return s;
    c.pdf_sha256 = store::sha256_bytes(pdf);
    if (Status s = t.put("reg_copy", be64(c.number), copy_json(c).dump()); !s.ok()) return s;
    if (Status s = t.put("reg_copy_pdf", be64(c.number), pdf); !s.ok()) return s;
    *out = c;
    return t.audit({0, "", c.issued_by, access.actor().from, "register-copy", 0,
                    "copy " + std::to_string(c.number) + " of entry " + std::to_string(id) +
                        " for " + requester + "; purpose: " + purpose});
  });
}

Status Registry::copies(const Access& access, std::vector<Copy>* out) const {
  out->clear();
  return store_.read_tables([&](const store::Tables& t) {
    return t.scan("reg_copy", "", [&](std::string_view, std::string_view v) {
      Copy c = copy_from(v);
      if (access.may_change(c.org, "diploma")) out->push_back(std::move(c));
      return true;
    });
  });
}

Status Registry::copy_pdf(std::uint64_t number, const Access& access, Copy* copy,
                          std::string* pdf) const {
  Status s = store_.read_tables([&](const store::Tables& t) {
    std::string bytes;
    Status s = t.get("reg_copy", be64(number), &bytes);
    if (s.ok()) *copy = copy_from(bytes);
    if (s.ok() && !access.may_change(copy->org, "diploma")) s = Status::NotFound("");
    if (s.ok()) s = t.get("reg_copy_pdf", be64(number), pdf);
    return s.is_not_found() ? Status::NotFound("no copy " + std::to_string(number)) : s;
  });
  if (!s.ok()) return s;
  store::Actor who = access.actor();
  return store_.audit(
      {0, "", who.name, who.from, "register-copy-read", 0,
       "copy " + std::to_string(number) + " of entry " + std::to_string(copy->entry)});
}

Status Registry::verify_serial(const std::string& serial, int year, const std::string& birth_date,
                               const std::string& from, Verification* out) {
  *out = {};
  out->status = "not_found";
  std::string born;
  if (index_form(serial).empty())
    return Status::Invalid("serial: the diploma's serial number is missing");
  if (year < 1900 || year > 2100) return Status::Invalid("year: not a year");
  if (!parse_date(birth_date, &born) || born.size() != 10)
    return Status::Invalid("birth_date: '" + birth_date + "' is not a date that exists");
  Status s = store_.read_tables([&](const store::Tables& t) {
    return t.scan("reg_serial", index_form(serial) + '\0',
                  [&](std::string_view key, std::string_view) {
                    Entry e;
                    if (!load_entry(t, from_be64(key.substr(key.size() - 8)), &e).ok()) return true;
                    if (e.fields["year"] != std::to_string(year) || e.fields["birth_date"] != born)
                      return true;
                    if (index_form(e.fields["serial"]) != index_form(serial))
                      return true;  // a stale key
                    judge(e, 0, out);
                    return false;
                  });
  });
  if (!s.ok()) return s;
  return store_.audit({0, "", "anonymous", from, "register-verify", 0,
                       "serial " + serial + " year " + std::to_string(year) + ": " + out->status});
}

Status Registry::verify_code(const std::string& code, const std::string& from, Verification* out) {
  *out = {};
  out->status = "tampered";
  std::string_view c = code;
  if (auto hash = c.rfind('#'); hash != std::string_view::npos) c.remove_prefix(hash + 1);
  auto dot = c.find('.');
  std::string payload;
  json j;
  if (dot != std::string_view::npos && from_b64url(c.substr(0, dot), &payload))
    j = json::parse(payload, nullptr, false);
  const bool shaped = j.is_object() && j["org"].is_string() && j["copy"].is_number_unsigned() &&
                      j["entry"].is_number_unsigned();
  Status s = store_.read_tables([&](const store::Tables& t) {
    std::string sk;
    if (!shaped || !t.get("reg_key", j["org"].get<std::string>(), &sk).ok() ||
        !check_signature(payload, std::string(c.substr(dot + 1)), public_half(sk)))
      return Status::Ok();
    out->copy = j["copy"];
    out->status = "not_found";  // signed, but not a copy this library issued
    std::string bytes;
    Copy copy;
    if (t.get("reg_copy", be64(out->copy), &bytes).ok()) copy = copy_from(bytes);
    Entry e;
    if (copy.payload == payload && load_entry(t, j["entry"], &e).ok()) judge(e, copy.events, out);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return store_.audit({0, "", "anonymous", from, "register-verify", 0,
                       "copy " + std::to_string(out->copy) + ": " + out->status});
}

Status Registry::public_keys(std::map<std::string, std::string>* out) const {
  out->clear();
  return store_.read_tables([&](const store::Tables& t) {
    return t.scan("reg_key", "", [&](std::string_view org, std::string_view sk) {
      if (std::string pk = public_half(sk); !pk.empty()) (*out)[std::string(org)] = pk;
      return true;
    });
  });
}

}  // namespace kho::registry
