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

std::string render_results(const indexer::Results& results) {
  json hits = json::array();
  for (const auto& h : results.hits) hits.push_back(hit_json(h));
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
  return dump(out);
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
    if (!record.originals.empty() && !record.originals.front().media_type.empty())
      j["media_type"] = record.originals.front().media_type;
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
    for (const auto& f : c.fields)
      fields.push_back({{"field", f.field}, {"old", f.old_value}, {"new", f.new_value}});
    list.push_back({{"seq", c.seq},
                    {"at", c.at},
                    {"actor", c.actor},
                    {"op", c.op},
                    {"reason", c.reason},
                    {"fields", fields}});
  }
  return dump({{"changes", list}});
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
