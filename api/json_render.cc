#include "api/json_render.h"

#include <nlohmann/json.hpp>

namespace kho::api {

using nlohmann::json;

namespace {
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

std::string render_results(const indexer::Results& results) {
  json hits = json::array();
  for (const auto& h : results.hits) {
    hits.push_back({{"id", h.id},
                    {"title", h.title},
                    {"kind", h.kind},
                    {"filename", h.filename},
                    {"page", h.page},
                    {"snippet", h.snippet},
                    {"score", h.score},
                    {"matching_pages", h.matching_pages}});
  }
  json out = {{"total", results.total}, {"hits", hits}};
  if (!results.suggestion.empty()) out["suggestion"] = results.suggestion;
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

std::string render_record(const store::Record& record, bool duplicate) {
  json j = json::parse(store::to_json(record));
  j["file_url"] = "/api/v1/records/" + std::to_string(record.id) + "/file";
  if (duplicate) j["duplicate"] = true;
  return dump(j);
}

std::string render_error(const std::string& code, const std::string& message) {
  return dump({{"error", {{"code", code}, {"message", message}}}});
}

}  // namespace kho::api
