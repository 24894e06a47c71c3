// The stored (and canonical JSON) form of a record. Field names are part of the
// on-disk schema (kSchemaVersion): add fields, never rename them.
#include <nlohmann/json.hpp>

#include "store/store.h"

namespace kho::store {

using nlohmann::json;

static json original_json(const Original& o) {
  json j = {{"sha256", o.sha256},
            {"size", o.size},
            {"media_type", o.media_type},
            {"filename", o.filename}};
  if (!o.added_at.empty()) j["added_at"] = o.added_at;
  if (!o.added_by.empty()) j["added_by"] = o.added_by;
  return j;
}

std::string to_json(const Record& r) {
  json originals = json::array();
  for (const auto& o : r.originals) originals.push_back(original_json(o));
  json j = {{"id", r.id},
            {"kind", r.kind},
            {"dc", r.dc},
            {"fields", r.fields},
            {"sources", r.sources},
            {"school", r.school},
            {"visibility", r.visibility},
            {"status", r.status},
            {"originals", originals},
            {"page_count", r.page_count},
            {"created_at", r.created_at},
            {"updated_at", r.updated_at},
            {"created_by", r.created_by},
            {"updated_by", r.updated_by}};
  if (r.status == "withdrawn") j["withdrawn_reason"] = r.withdrawn_reason;
  if (!r.ocr_confidence.empty()) {
    json ocr = json::object();
    for (const auto& [page, confidence] : r.ocr_confidence) ocr[std::to_string(page)] = confidence;
    j["ocr_confidence"] = ocr;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status from_json(const std::string& text, Record* out) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corrupt("record is not valid JSON");
  try {
    Record r;
    r.id = j.at("id").get<RecordId>();
    r.kind = j.value("kind", "other");
    r.dc = j.value("dc", std::map<std::string, std::string>{});
    r.fields = j.value("fields", std::map<std::string, std::string>{});
    r.sources = j.value("sources", std::map<std::string, std::string>{});
    if (auto ocr = j.find("ocr_confidence"); ocr != j.end() && ocr->is_object())
      for (const auto& [page, confidence] : ocr->items())
        r.ocr_confidence[static_cast<std::uint32_t>(std::stoul(page))] = confidence.get<double>();
    r.school = j.value("school", "");
    r.visibility = j.value("visibility", "private");
    r.status = j.value("status", "active");
    r.withdrawn_reason = j.value("withdrawn_reason", "");
    for (const auto& o : j.value("originals", json::array())) {
      r.originals.push_back({o.at("sha256").get<std::string>(), o.at("size").get<std::uint64_t>(),
                             o.value("media_type", ""), o.value("filename", ""),
                             o.value("added_at", ""), o.value("added_by", "")});
    }
    r.page_count = j.value("page_count", 0u);
    r.created_at = j.value("created_at", "");
    r.updated_at = j.value("updated_at", "");
    r.created_by = j.value("created_by", "");
    r.updated_by = j.value("updated_by", "");
    *out = std::move(r);
  } catch (const json::exception& e) {
    return Status::Corrupt(std::string("record JSON: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace kho::store
