// Harvesting: another library's records pulled over OAI-PMH (oai_dc) into
// this store, beside local ones. Incremental: a run asks only for what changed
// since the last complete run for the same URL and set. A harvested record
// keeps its origin (fields origin, origin_id, origin_file); its file stays at
// the origin until someone asks for it (fetch_original keeps a copy, with the
// text the caller's importers read in it). Records
// deleted at the origin are withdrawn here; records the origin no longer shows
// the harvester (made private there) are made private here. Knows nothing of
// Xapian or HTTP serving; the caller brings the index up to date.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace kho::harvest {

struct Options {
  std::string url;                    // the OAI-PMH base URL, e.g. http://10.0.0.5:8080/oai
  std::string set;                    // empty: everything the origin lets us see
  std::string visibility = "shared";  // of the harvested records here (diplomas: private)
  std::string token;                  // sent as "Authorization: Bearer", never stored
  store::Actor actor{"harvest"};
};

struct Summary {
  std::size_t created = 0, updated = 0, withdrawn = 0, requests = 0;
  std::size_t hidden = 0;    // no longer shown to the harvester at their origin: made private
  bool incremental = false;  // started from the previous run's checkpoint
};

using Progress = std::function<void(const Summary&)>;

Status harvest(store::Store& store, const Options& options, Summary* out,
               const Progress& progress = {});

// Reads a fetched file as an import reads one (the importers, which this
// module does not know): fills in->pages, and in->media_type and
// in->ocr_confidence when it can tell. The caller brings it (core's Library).
using ReadFile = std::function<Status(const std::string& path, store::NewRecord* in)>;

// A harvested record's file, downloaded from fields["origin_file"] and kept
// as its original, with the text `read` finds in it, so that the record is
// searched by its file's words as well as its metadata. A file `read`
// cannot read is still kept (it is what was asked for), without text, and
// *unread says why (may be null). `token` as in Options.
Status fetch_original(store::Store& store, store::RecordId id, const std::string& token,
                      const ReadFile& read, store::Record* out, Status* unread = nullptr);

}  // namespace kho::harvest
