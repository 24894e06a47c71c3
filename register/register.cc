// The register's entries, their lookups and their changes (register.h). Kept
// in the store's module tables:
//   reg        ID -> register        reg_entry  ID -> entry (with history)
//   reg_name   folded word NUL ID    reg_serial / reg_entryno  typed form NUL ID
//   reg_born   birth date NUL ID
#include "register/register.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/fields.h"
#include "register/register_impl.h"
#include "text/vietnamese.h"

namespace kho::registry {

using json = nlohmann::json;

const std::vector<std::string>& field_names() {
  static const std::vector<std::string> names = {
      "full_name",      "birth_date",      "birth_place",   "sex",
      "ethnicity",      "school",          "class",         "year",
      "classification", "decision_number", "decision_date", "serial",
      "entry_number",   "issued",          "signer",        "notes",
      "scan_page",      "scan_line"};
  return names;
}

namespace {

bool known(const std::string& name) {
  const auto& names = field_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A whole number within [low, high], or false.
bool whole_number(const std::string& s, long low, long high, long* out) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
  *out = std::stol(s);
  return *out >= low && *out <= high;
}

std::string trimmed(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string index_form(std::string_view typed) {
  std::string out;
  for (char c : text::fold(trimmed(typed)))
    if (c != ' ' && c != '-' && c != '.')
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> name_words(std::string_view name) {
  std::string folded = text::lower(text::fold(text::nfc(name)));
  std::vector<std::string> out;
  for (const auto& w : text::words(folded)) out.push_back(folded.substr(w.offset, w.length));
  return out;
}

Status normalise(const std::string& name, const std::string& value, std::string* out) {
  if (!known(name))
    return Status::Invalid(name + ": not a field of a register entry").with_reason("unknown_field");
  std::string v = trimmed(text::nfc(value));
  *out = v;
  if (v.empty()) return Status::Ok();
  long n = 0;
  if (name == "full_name") {
    *out = title_case(v);
  } else if (name == "birth_date" || name == "decision_date" || name == "issued") {
    if (!parse_date(v, out) || out->size() != 10)
      return Status::Invalid(name + ": '" + v + "' is not a date (dd/mm/yyyy) that exists")
          .with_reason("not_a_date");
  } else if (name == "year") {
    if (!whole_number(v, 1900, 2100, &n))
      return Status::Invalid(name + ": '" + v + "' is not a year").with_reason("not_a_year");
  } else if (name == "scan_page" || name == "scan_line") {
    if (!whole_number(v, 1, 100000, &n))
      return Status::Invalid(name + ": '" + v + "' is not a page or line number")
          .with_reason("not_a_number");
  } else if (name == "sex") {
    std::string f = text::lower(text::fold(v));
    if (f == "nam" || f == "male" || f == "m")
      *out = "Nam";
    else if (f == "nu" || f == "female" || f == "f")
      *out = "Nữ";
    else
      return Status::Invalid(name + ": '" + v + "' is neither Nam nor Nữ").with_reason("not_a_sex");
  }
  return Status::Ok();
}

Status check_decision(const Decision& d) {
  if (trimmed(d.number).empty())
    return Status::Invalid("decision.number: the decision's number is missing");
  std::string iso;
  if (!parse_date(d.date, &iso) || iso.size() != 10)
    return Status::Invalid("decision.date: '" + d.date +
                           "' is not a date (dd/mm/yyyy) that exists");
  if (trimmed(d.signer).empty())
    return Status::Invalid("decision.signer: who signed the decision is missing");
  if (trimmed(d.reason).empty()) return Status::Invalid("decision.reason: the reason is missing");
  return Status::Ok();
}

// --- JSON forms ---------------------------------------------------------------

json decision_json(const Decision& d) {
  return {{"number", d.number}, {"date", d.date}, {"signer", d.signer}, {"reason", d.reason}};
}
Decision decision_from(const json& j) {
  return {j.value("number", ""), j.value("date", ""), j.value("signer", ""), j.value("reason", "")};
}

json to_json(const Entry& e) {
  json history = json::array();
  for (const Event& ev : e.history) {
    json changes = json::array();
    for (const auto& c : ev.changes)
      changes.push_back({{"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
    json h = {{"at", ev.at}, {"actor", ev.actor}, {"op", ev.op}, {"changes", changes}};
    if (ev.op != "create") h["decision"] = decision_json(ev.decision);
    history.push_back(std::move(h));
  }
  return {{"id", e.id},         {"register", e.register_id}, {"org", e.org},
          {"fields", e.fields}, {"status", e.status},        {"history", history}};
}

Status entry_from(std::string_view bytes, Entry* out) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return Status::Corrupt("a register entry is not valid JSON");
  out->id = j.value("id", std::uint64_t{0});
  out->register_id = j.value("register", std::uint64_t{0});
  out->org = j.value("org", "");
  out->fields = j.value("fields", std::map<std::string, std::string>{});
  out->status = j.value("status", "valid");
  out->history.clear();
  for (const json& h : j.value("history", json::array())) {
    Event ev{h.value("at", ""), h.value("actor", ""), h.value("op", ""), {}, {}};
    if (h.contains("decision")) ev.decision = decision_from(h["decision"]);
    for (const json& c : h.value("changes", json::array()))
      ev.changes.push_back({c.value("field", ""), c.value("old", ""), c.value("new", ""), ""});
    out->history.push_back(std::move(ev));
  }
  return Status::Ok();
}

json to_json(const Register& r) {
  return {{"id", r.id},
          {"org", r.org},
          {"level", r.level},
          {"year", r.year},
          {"title", r.title},
          {"scan", r.scan},
          {"created_at", r.created_at},
          {"created_by", r.created_by}};
}

Status register_from(std::string_view bytes, Register* out) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return Status::Corrupt("a register is not valid JSON");
  *out = {j.value("id", std::uint64_t{0}),
          j.value("org", ""),
          j.value("level", ""),
          j.value("year", 0),
          j.value("title", ""),
          j.value("scan", store::RecordId{0}),
          j.value("created_at", ""),
          j.value("created_by", "")};
  return Status::Ok();
}

// --- reading and writing entries ----------------------------------------------

Status load_entry(const store::Tables& t, std::uint64_t id, Entry* out) {
  std::string bytes;
  Status s = t.get("reg_entry", be64(id), &bytes);
  if (s.is_not_found()) return Status::NotFound("no register entry " + std::to_string(id));
  if (!s.ok()) return s;
  return entry_from(bytes, out);
}

Status load_register(const store::Tables& t, std::uint64_t id, Register* out) {
  std::string bytes;
  Status s = t.get("reg", be64(id), &bytes);
  if (s.is_not_found()) return Status::NotFound("no register " + std::to_string(id));
  if (!s.ok()) return s;
  return register_from(bytes, out);
}

// The entry holding this typed serial or entry number in a register, or 0.
std::uint64_t holder(const store::Tables& t, const char* table, const std::string& typed,
                     std::uint64_t register_id) {
  std::uint64_t found = 0;
  (void)t.scan(table, index_form(typed) + '\0', [&](std::string_view, std::string_view v) {
    std::string_view id = v.substr(0, 8), reg = v.substr(8);
    if (from_be64(reg) == register_id) found = from_be64(id);
    return found == 0;
  });
  return found;
}

// Writes an entry and the index keys its values need (old keys stay: a
// lookup re-checks the entry, so a stale key finds nothing wrong).
Status save_entry(store::Tables& t, const Entry& e) {
  if (Status s = t.put("reg_entry", be64(e.id), to_json(e).dump()); !s.ok()) return s;
  auto f = [&](const char* name) {
    auto it = e.fields.find(name);
    return it == e.fields.end() ? std::string() : it->second;
  };
  for (const std::string& w : name_words(f("full_name")))
    if (Status s = t.put("reg_name", w + '\0' + be64(e.id), ""); !s.ok()) return s;
  if (!f("birth_date").empty())
    if (Status s = t.put("reg_born", f("birth_date") + '\0' + be64(e.id), ""); !s.ok()) return s;
  const std::string where = be64(e.id) + be64(e.register_id);
  for (auto [table, field] : {std::pair{"reg_serial", "serial"}, {"reg_entryno", "entry_number"}})
    if (!f(field).empty())
      if (Status s = t.put(table, index_form(f(field)) + '\0' + be64(e.id), where); !s.ok())
        return s;
  return Status::Ok();
}

// Unique serial and entry number in the register, or Conflict naming the field.
Status check_unique(const store::Tables& t, const Entry& e) {
  for (auto [table, field, words] : {std::tuple{"reg_serial", "serial", "serial number"},
                                     std::tuple{"reg_entryno", "entry_number", "entry number"}}) {
    auto it = e.fields.find(field);
    if (it == e.fields.end() || it->second.empty()) continue;
    std::uint64_t other = holder(t, table, it->second, e.register_id);
    if (other != 0 && other != e.id)
      return Status::Conflict(std::string(field) + ": the " + words + " " + it->second +
                              " is already entry " + std::to_string(other) + " of this register")
          .with_reason("duplicate");
  }
  return Status::Ok();
}

Status new_entry(store::Tables& t, const Register& reg, std::map<std::string, std::string> fields,
                 const store::Actor& actor, Entry* out) {
  if (fields["full_name"].empty())
    return Status::Invalid("full_name: the name is missing").with_reason("missing");
  if (fields["birth_date"].empty())
    return Status::Invalid("birth_date: the date of birth is missing").with_reason("missing");
  if (fields["year"].empty()) fields["year"] = std::to_string(reg.year);
  for (auto it = fields.begin(); it != fields.end();)
    it = it->second.empty() ? fields.erase(it) : std::next(it);
  Entry e;
  e.register_id = reg.id;
  e.org = reg.org;
  e.fields = std::move(fields);
  if (Status s = check_unique(t, e); !s.ok()) return s;
  if (Status s = t.next("reg_entry", &e.id); !s.ok()) return s;
  Event made{store::now_rfc3339(), actor.name, "create", {}, {}};
  for (const auto& [k, v] : e.fields) made.changes.push_back({k, "", v, ""});
  e.history.push_back(std::move(made));
  if (Status s = save_entry(t, e); !s.ok()) return s;
  *out = std::move(e);
  return Status::Ok();
}

// --- the Registry ---------------------------------------------------------------

Status Registry::create_register(const Register& in, const Access& access, Register* out) {
  if (in.org.empty()) return Status::Invalid("org: the issuing organisation is missing");
  if (in.year < 1900 || in.year > 2100) return Status::Invalid("year: not a year");
  store::Organisation org;
  if (Status s = store_.get_organisation(in.org, &org); !s.ok())
    return Status::NotFound("org: no organisation " + in.org);
  if (!access.may_change(in.org, "diploma"))
    return Status::Denied("only staff handling diplomas at " + in.org + " keep its registers");
  return store_.write_tables([&](store::Tables& t) {
    Register r = in;
    if (Status s = t.next("reg", &r.id); !s.ok()) return s;
    r.created_at = store::now_rfc3339();
    r.created_by = access.actor().name;
    if (r.title.empty())
      r.title = "Sổ gốc cấp bằng tốt nghiệp " + r.level + " năm " + std::to_string(r.year);
    if (Status s = t.put("reg", be64(r.id), to_json(r).dump()); !s.ok()) return s;
    *out = r;
    return t.audit({0, "", access.actor().name, access.actor().from, "register-create", 0,
                    "register " + std::to_string(r.id) + " of " + r.org});
  });
}

Status Registry::registers(const Access& access, std::vector<Register>* out) const {
  out->clear();
  return store_.read_tables([&](const store::Tables& t) {
    Status bad;
    Status s = t.scan("reg", "", [&](std::string_view, std::string_view v) {
      Register r;
      bad = register_from(v, &r);
      if (bad.ok() && access.may_change(r.org, "diploma")) out->push_back(std::move(r));
      return bad.ok();
    });
    return s.ok() ? bad : s;
  });
}

Status Registry::get_register(std::uint64_t id, const Access& access, Register* out) const {
  return store_.read_tables([&](const store::Tables& t) {
    Status s = load_register(t, id, out);
    if (s.ok() && !access.may_change(out->org, "diploma"))
      return Status::NotFound("no register " + std::to_string(id));
    return s;
  });
}

Status Registry::add_entry(std::uint64_t register_id,
                           const std::map<std::string, std::string>& typed, const Access& access,
                           Entry* out, std::string* bad_field) {
  std::map<std::string, std::string> fields;
  for (const auto& [name, value] : typed) {
    if (Status s = normalise(name, value, &fields[name]); !s.ok()) {
      if (bad_field != nullptr) *bad_field = name;
      return s;
    }
  }
  return store_.write_tables([&](store::Tables& t) {
    Register reg;
    if (Status s = load_register(t, register_id, &reg); !s.ok()) return s;
    if (!access.may_change(reg.org, "diploma"))
      return Status::NotFound("no register " + std::to_string(register_id));
    if (Status s = new_entry(t, reg, fields, access.actor(), out); !s.ok()) {
      if (bad_field != nullptr) *bad_field = s.message().substr(0, s.message().find(':'));
      return s;
    }
    return t.audit({0, "", access.actor().name, access.actor().from, "register-entry", 0,
                    "entry " + std::to_string(out->id) + " typed into register " +
                        std::to_string(register_id)});
  });
}

namespace {

// A refused row as the report names it: the field and the reason's code
// (the reader's language is the page's business), the value as typed, and
// for a duplicate the entry that already holds it.
RowProblem row_problem(const store::Tables& t, std::uint64_t register_id, std::size_t row,
                       const std::string& last_field, const Status& s,
                       const std::map<std::string, std::string>& typed) {
  const std::string& m = s.message();
  std::size_t colon = m.find(':');
  RowProblem p;
  p.row = row;
  p.field = colon == std::string::npos ? last_field : m.substr(0, colon);
  p.reason = colon == std::string::npos ? m : m.substr(colon + 2);
  p.code = s.reason().empty() ? "invalid" : s.reason();
  if (auto it = typed.find(p.field); it != typed.end()) p.value = it->second;
  if (p.code == "duplicate")
    p.other_entry =
        holder(t, p.field == "serial" ? "reg_serial" : "reg_entryno", p.value, register_id);
  return p;
}

}  // namespace

Status Registry::import_rows(std::uint64_t register_id,
                             const std::vector<std::vector<std::string>>& rows,
                             const Access& access, ImportResult* out) {
  *out = {};
  std::size_t header = 0;
  std::vector<std::string> columns;
  if (!find_header(rows, &header, &columns))
    return Status::Invalid(
        "no header row naming the columns (Họ và tên, Ngày sinh, Số hiệu bằng, ...) in the "
        "first 10 rows");
  return store_.write_tables([&](store::Tables& t) {
    Register reg;
    if (Status s = load_register(t, register_id, &reg); !s.ok()) return s;
    if (!access.may_change(reg.org, "diploma"))
      return Status::NotFound("no register " + std::to_string(register_id));
    for (std::size_t i = header + 1; i < rows.size(); ++i) {
      const auto& row = rows[i];
      if (std::all_of(row.begin(), row.end(),
                      [](const std::string& c) { return trimmed(c).empty(); }))
        continue;
      std::map<std::string, std::string> fields, typed;
      Status s;
      std::string field;
      for (std::size_t c = 0; c < columns.size() && c < row.size() && s.ok(); ++c) {
        if (columns[c].empty()) continue;
        field = columns[c];
        typed[field] = trimmed(row[c]);
        s = normalise(columns[c], row[c], &fields[columns[c]]);
      }
      Entry e;
      if (s.ok()) s = new_entry(t, reg, fields, access.actor(), &e);
      if (!s.ok()) {
        out->refused.push_back(row_problem(t, register_id, i + 1, field, s, typed));
        continue;
      }
      out->entries.push_back(e.id);
      ++out->added;
    }
    return t.audit({0, "", access.actor().name, access.actor().from, "register-import", 0,
                    std::to_string(out->added) + " entries into register " +
                        std::to_string(register_id) + ", " + std::to_string(out->refused.size()) +
                        " rows refused"});
  });
}

}  // namespace kho::registry
