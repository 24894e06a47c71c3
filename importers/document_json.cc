// A Document as JSON: how the worker process hands its result to the parent.
#include <nlohmann/json.hpp>

#include "importers/worker.h"

namespace kho::importers {

std::string to_json(const Document& doc) {
  nlohmann::json ocr = nlohmann::json::object();
  for (const auto& [page, confidence] : doc.ocr_confidence) ocr[std::to_string(page)] = confidence;
  nlohmann::json j = {
      {"media_type", doc.media_type}, {"meta", doc.meta}, {"pages", doc.pages}, {"ocr", ocr}};
  if (!doc.entries.empty()) {
    nlohmann::json entries = nlohmann::json::array();
    for (const Document& entry : doc.entries)
      entries.push_back({{"media_type", entry.media_type}, {"meta", entry.meta}});
    j["entries"] = std::move(entries);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status from_json(const std::string& json, Document* out) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corrupt("worker output is not JSON");
  try {
    out->media_type = j.at("media_type").get<std::string>();
    out->meta = j.at("meta").get<std::map<std::string, std::string>>();
    out->pages = j.at("pages").get<std::vector<std::string>>();
    if (out->pages.empty()) out->pages.emplace_back();  // the promise in importer.h
    if (auto ocr = j.find("ocr"); ocr != j.end() && ocr->is_object())
      for (const auto& [page, confidence] : ocr->items())
        out->ocr_confidence[static_cast<std::uint32_t>(std::stoul(page))] =
            confidence.get<double>();
    if (auto entries = j.find("entries"); entries != j.end() && entries->is_array())
      for (const auto& e : *entries) {
        Document entry;
        entry.media_type = e.at("media_type").get<std::string>();
        entry.meta = e.at("meta").get<std::map<std::string, std::string>>();
        out->entries.push_back(std::move(entry));
      }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(std::string("worker output: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace kho::importers
