// Finding graduates, reading an entry, and changing one by decision. Every
// lookup and view is audited with its purpose before anything is answered.
#include <algorithm>
#include <iterator>

#include "core/fields.h"
#include "register/register_impl.h"
#include "text/vietnamese.h"

namespace kho::registry {

namespace {

std::string field(const Entry& e, const char* name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? std::string() : it->second;
}

bool matches(const Entry& e, const Query& q, const std::vector<std::string>& words,
             const std::string& birth_date) {
  if (q.register_id != 0 && e.register_id != q.register_id) return false;
  if (q.year != 0 && field(e, "year") != std::to_string(q.year)) return false;
  if (!birth_date.empty() && field(e, "birth_date") != birth_date) return false;
  if (!q.serial.empty() && index_form(field(e, "serial")) != index_form(q.serial)) return false;
  if (!q.entry_number.empty() && index_form(field(e, "entry_number")) != index_form(q.entry_number))
    return false;
  if (!q.school.empty()) {
    std::string want = text::lower(text::fold(q.school)),
                have = text::lower(text::fold(field(e, "school")));
    if (have.find(want) == std::string::npos) return false;
  }
  std::vector<std::string> have = name_words(field(e, "full_name"));
  return std::all_of(words.begin(), words.end(), [&](const std::string& w) {
    return std::find(have.begin(), have.end(), w) != have.end();
  });
}

std::string describe(const Query& q) {
  std::string d;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) d += std::string(d.empty() ? "" : ", ") + k + "=" + v;
  };
  add("name", q.name);
  add("birth_date", q.birth_date);
  add("school", q.school);
  add("serial", q.serial);
  add("entry_number", q.entry_number);
  if (q.year != 0) add("year", std::to_string(q.year));
  if (q.register_id != 0) add("register", std::to_string(q.register_id));
  return d;
}

Status need_purpose(const std::string& purpose) {
  for (char c : purpose)
    if (c != ' ') return Status::Ok();
  return Status::Invalid("purpose: say why you look up personal data (it goes in the audit log)");
}

}  // namespace

Status Registry::find(const Query& q, const Access& access, const std::string& purpose,
                      std::vector<Entry>* out, bool* more) const {
  out->clear();
  *more = false;
  if (Status s = need_purpose(purpose); !s.ok()) return s;
  std::string birth_date;
  if (!q.birth_date.empty() && !parse_date(q.birth_date, &birth_date))
    return Status::Invalid("birth_date: '" + q.birth_date + "' is not a date");
  std::vector<std::string> words = name_words(q.name);
  if (words.empty() && q.serial.empty() && q.entry_number.empty() && q.register_id == 0)
    return Status::Invalid("name: give a name, a serial number, an entry number or a register");
  // The candidates: the IDs under a serial or an entry number, else those
  // that every word of the name and the birth date index (keys only, in ID
  // order, intersected), else the register's entries. Only they are read
  // and checked whole.
  Status s = store_.read_tables([&](const store::Tables& t) {
    std::vector<std::vector<std::uint64_t>> lists;
    auto ids = [&](const char* table, const std::string& value) {
      std::vector<std::uint64_t> list;
      (void)t.scan(table, value + '\0', [&](std::string_view key, std::string_view) {
        list.push_back(from_be64(key.substr(key.size() - 8)));
        return true;
      });
      lists.push_back(std::move(list));  // in ID order: the ID ends each key, big-endian
    };
    if (!q.serial.empty()) ids("reg_serial", index_form(q.serial));
    if (!q.entry_number.empty()) ids("reg_entryno", index_form(q.entry_number));
    for (const std::string& w : words) ids("reg_name", w);
    if (!birth_date.empty() && !lists.empty()) ids("reg_born", birth_date);
    std::vector<std::uint64_t> candidates;
    if (lists.empty()) {
      (void)t.scan("reg_entry", "", [&](std::string_view key, std::string_view) {
        candidates.push_back(from_be64(key));
        return true;
      });
    } else {
      std::sort(lists.begin(), lists.end(),
                [](const auto& a, const auto& b) { return a.size() < b.size(); });
      candidates = lists.front();
      for (std::size_t i = 1; i < lists.size() && !candidates.empty(); ++i) {
        std::vector<std::uint64_t> both;
        std::set_intersection(candidates.begin(), candidates.end(), lists[i].begin(),
                              lists[i].end(), std::back_inserter(both));
        candidates.swap(both);
      }
    }
    for (std::uint64_t id : candidates) {
      Entry e;
      if (Status bad = load_entry(t, id, &e); !bad.ok()) return bad;
      if (!access.may_change(e.org, "diploma") || !matches(e, q, words, birth_date)) continue;
      if (out->size() == q.limit) {
        *more = true;
        break;
      }
      out->push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  store::Actor who = access.actor();
  return store_.audit({0, "", who.name, who.from, "register-lookup", 0,
                       "purpose: " + purpose + "; " + describe(q) + "; " +
                           std::to_string(out->size()) + (*more ? "+" : "") + " found"});
}

Status Registry::get(std::uint64_t id, const Access& access, const std::string& purpose,
                     Entry* out) const {
  if (Status s = need_purpose(purpose); !s.ok()) return s;
  Status s = store_.read_tables([&](const store::Tables& t) { return load_entry(t, id, out); });
  if (s.ok() && !access.may_change(out->org, "diploma"))
    s = Status::NotFound("no register entry " + std::to_string(id));
  if (!s.ok()) return s;
  store::Actor who = access.actor();
  return store_.audit({0, "", who.name, who.from, "register-view", 0,
                       "entry " + std::to_string(id) + "; purpose: " + purpose});
}

namespace {

// Loads an entry the caller may change, lets `change` alter it and records
// the event with its decision, in one transaction.
Status change_entry(store::Store& store, std::uint64_t id, const Decision& decision,
                    const Access& access, const std::string& op,
                    const std::function<Status(store::Tables&, Entry*, Event*)>& change,
                    Entry* out) {
  if (Status s = check_decision(decision); !s.ok()) return s;
  Decision d = decision;
  parse_date(decision.date, &d.date);
  return store.write_tables([&](store::Tables& t) {
    Entry e;
    if (Status s = load_entry(t, id, &e); !s.ok()) return s;
    if (!access.may_change(e.org, "diploma"))
      return Status::NotFound("no register entry " + std::to_string(id));
    if (e.status == "revoked")
      return Status::Conflict("entry " + std::to_string(id) + " was revoked; it changes no more");
    Event ev{store::now_rfc3339(), access.actor().name, op, d, {}};
    if (Status s = change(t, &e, &ev); !s.ok()) return s;
    e.history.push_back(ev);
    if (Status s = save_entry(t, e); !s.ok()) return s;
    *out = e;
    return t.audit({0, "", access.actor().name, access.actor().from, "register-" + op, 0,
                    "entry " + std::to_string(id) + " by decision " + d.number + " of " + d.date});
  });
}

}  // namespace

Status Registry::correct(std::uint64_t id, const Decision& decision,
                         const std::map<std::string, std::string>& set, const Access& access,
                         Entry* out, std::string* bad_field) {
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : set) {
    if (Status s = normalise(name, value, &values[name]); !s.ok()) {
      if (bad_field != nullptr) *bad_field = name;
      return s;
    }
  }
  if (values.empty()) return Status::Invalid("set: the correction changes no field");
  return change_entry(
      store_, id, decision, access, "correct",
      [&](store::Tables& t, Entry* e, Event* ev) {
        for (const auto& [name, value] : values) {
          std::string old = field(*e, name.c_str());
          if (old == value) continue;
          if ((name == "full_name" || name == "birth_date") && value.empty())
            return Status::Invalid(name + ": cannot be removed");
          ev->changes.push_back({name, old, value, ""});
          if (value.empty())
            e->fields.erase(name);
          else
            e->fields[name] = value;
        }
        if (ev->changes.empty()) return Status::Invalid("set: every value is already so");
        if (Status s = check_unique(t, *e); !s.ok()) return s;
        e->status = "corrected";
        return Status::Ok();
      },
      out);
}

Status Registry::revoke(std::uint64_t id, const Decision& decision, const Access& access,
                        Entry* out) {
  return change_entry(
      store_, id, decision, access, "revoke",
      [](store::Tables&, Entry* e, Event*) {
        e->status = "revoked";
        return Status::Ok();
      },
      out);
}

}  // namespace kho::registry
