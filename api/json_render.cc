#include "api/json_render.h"

#include <nlohmann/json.hpp>

namespace kho::api {

using nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void escape_html(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&#39;";
        break;
      default:
        *out += c;
    }
  }
}

json hit_json(const indexer::Hit& h) {
  json j = {{"id", h.id},
            {"title", h.title},
            {"kind", h.kind},
            {"filename", h.filename},
            {"page", h.page},
            {"snippet", h.snippet},
            {"snippet_html", snippet_html(h)},
            {"score", h.score},
            {"matching_pages", h.matching_pages}};
  if (!h.library.empty()) j["library"] = h.library;  // a remote library's record
  return j;
}

}  // namespace

std::string snippet_html(const indexer::Hit& hit) {
  std::string out;
  std::size_t at = 0;
  for (auto [offset, length] : hit.highlights) {
    if (offset < at || offset + length > hit.snippet.size()) continue;
    escape_html(std::string_view(hit.snippet).substr(at, offset - at), &out);
    out += "<mark>";
    escape_html(std::string_view(hit.snippet).substr(offset, length), &out);
    out += "</mark>";
    at = offset + length;
  }
  escape_html(std::string_view(hit.snippet).substr(at), &out);
  return out;
}

std::string render_pages(store::RecordId id, const std::vector<indexer::Hit>& pages) {
  json list = json::array();
  for (const auto& p : pages)
    list.push_back({{"page", p.page},
                    {"snippet", p.snippet},
                    {"snippet_html", snippet_html(p)},
                    {"score", p.score}});
  return dump({{"id", id}, {"total", pages.size()}, {"pages", list}});
}

// Display name -> where the store and importers keep it (Dublin Core first,
// then the record's own fields, store/store.h): the first that has a value.
//   title: dc title;  creator: dc creator, else fields teacher (lesson
//   plans), else fields signer (admin documents);  date: dc date, else fields
//   issued;  publisher: dc publisher;  call_number: fields classification
//   (MARC 050/082/084, catalogue sheets' "ký hiệu phân loại"/"call number");
//   subject: dc subject;  grade: fields grade;  number: fields number
//   ("44/KH-PGDĐT");  issuer: fields issuer;  school_name: fields school_name;
//   collection: fields collection;  doctype: fields doc_type.
// Derived: year (the date's first four digits), language (dc language as its
// primary tag, lower-cased: the language facet's value), school (the owning
// school's code, the school facet's value, as the index counts it).
json display_fields(const store::Record& r) {
  auto find = [&r](const std::vector<const char*>& keys) -> std::string {
    for (const char* key : keys) {
      if (auto it = r.dc.find(key); it != r.dc.end() && !it->second.empty()) return it->second;
      if (auto it = r.fields.find(key); it != r.fields.end() && !it->second.empty())
        return it->second;
    }
    return "";
  };
  static const std::pair<const char*, std::vector<const char*>> kNames[] = {
      {"title", {"title"}},
      {"creator", {"creator", "teacher", "signer"}},
      {"date", {"date", "issued"}},
      {"publisher", {"publisher"}},
      {"call_number", {"classification"}},
      {"subject", {"subject"}},
      {"grade", {"grade"}},
      {"number", {"number"}},
      {"issuer", {"issuer"}},
      {"school_name", {"school_name"}},
      {"collection", {"collection"}},
      {"doctype", {"doc_type"}}};
  json out = json::object();
  for (const auto& [name, keys] : kNames)
    if (std::string v = find(keys); !v.empty()) out[name] = v;
  for (const char* facet : {"year", "language", "school"})
    if (std::string v = indexer::facet_value(r, facet); !v.empty()) out[facet] = v;
  return out;
}

std::string render_results(const indexer::Results& results,
                           const std::map<store::RecordId, store::Record>& records) {
  return dump(results_json(results, records));
}

json results_json(const indexer::Results& results,
                  const std::map<store::RecordId, store::Record>& records) {
  json hits = json::array();
  for (const auto& h : results.hits) {
    hits.push_back(hit_json(h));
    auto r = h.library.empty() ? records.find(h.id) : records.end();
    if (r == records.end()) continue;
    hits.back()["fields"] = display_fields(r->second);
    hits.back()["has_file"] =
        !r->second.originals.empty() || r->second.fields.count("origin_file") > 0;
    hits.back()["media_type"] =
        r->second.originals.empty() ? "" : r->second.originals.back().media_type;
    hits.back()["page_count"] = r->second.page_count;
  }
  json out = {{"total", results.total}, {"total_exact", results.total_exact}, {"hits", hits}};
  if (!results.suggestion.empty()) out["suggestion"] = results.suggestion;
  if (!results.unavailable.empty()) out["unavailable"] = results.unavailable;
  if (!results.facets.empty()) {
    json facets = json::object();
    for (const auto& [name, values] : results.facets) {
      json list = json::array();
      for (const auto& v : values) list.push_back({{"value", v.value}, {"count", v.count}});
      facets[name] = list;
    }
    out["facets"] = facets;
  }
  return out;
}

std::string render_record(const store::Record& record, bool duplicate, const Access* who) {
  json j = json::parse(store::to_json(record));
  j["withdrawn_reason"] = record.withdrawn_reason;
  json ocr = json::array();
  for (const auto& [page, confidence] : record.ocr_confidence)
    ocr.push_back({{"page", page}, {"confidence", confidence}});
  j["ocr_confidence"] = ocr;
  // A harvested record's file is fetched from its origin when first asked for.
  const bool has_file = !record.originals.empty() || record.fields.count("origin_file") > 0;
  const bool may_have = who == nullptr || who->may_read_file(record);
  j["file_url"] = nullptr;
  j["media_type"] = nullptr;
  if (has_file && may_have) {
    j["file_url"] = "/api/v1/records/" + std::to_string(record.id) + "/file";
    if (!record.originals.empty() && !record.originals.back().media_type.empty())
      j["media_type"] = record.originals.back().media_type;
    else if (auto format = record.dc.find("format"); format != record.dc.end())
      j["media_type"] = format->second;
  }
  if (who != nullptr) j["actions"] = who->actions(record);
  if (duplicate) j["duplicate"] = true;
  return dump(j);
}

std::string render_history(const std::vector<store::Change>& changes) {
  json list = json::array();
  for (const auto& c : changes) {
    json fields = json::array();
    for (const auto& f : c.fields) {
      json field = {{"field", f.field}, {"old", f.old_value}, {"new", f.new_value}};
      if (!f.source.empty()) field["source"] = f.source;
      fields.push_back(std::move(field));
    }
    list.push_back({{"seq", c.seq},
                    {"at", c.at},
                    {"actor", c.actor},
                    {"op", c.op},
                    {"reason", c.reason},
                    {"fields", fields}});
  }
  return dump({{"changes", list}});
}

nlohmann::json steps_json(const std::vector<approval::Step>& steps) {
  json list = json::array();
  for (const auto& s : steps)
    list.push_back({{"action", s.action},
                    {"from", s.from},
                    {"to", s.to},
                    {"by", s.actor},
                    {"at", s.at},
                    {"comment", s.comment}});
  return list;
}

std::string render_error(const std::string& code, const std::string& message,
                         const std::string& field) {
  json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return dump({{"error", error}});
}

nlohmann::json audit_json(const store::AuditEntry& e) {
  return {{"seq", e.seq},       {"at", e.at},         {"actor", e.actor},  {"from", e.from},
          {"action", e.action}, {"record", e.record}, {"detail", e.detail}};
}

}  // namespace kho::api
