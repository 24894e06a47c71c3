#include "harvest/harvest.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace fs = std::filesystem;

namespace kho::harvest {

namespace {

constexpr std::size_t kMaxResponse = std::size_t{64} << 20;  // one OAI-PMH page
constexpr std::size_t kMaxFile = std::size_t{1} << 30;       // as importers' limit
constexpr int kMaxRequests = 100000;                         // a loop of tokens ends somewhere

// --- HTTP -----------------------------------------------------------------

struct Sink {
  std::string* text = nullptr;
  std::FILE* file = nullptr;
  std::size_t size = 0, limit = 0;
};

size_t write_sink(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t bytes = size * n;
  if (sink->size + bytes > sink->limit) return 0;  // curl stops: too large
  sink->size += bytes;
  if (sink->text != nullptr) sink->text->append(data, bytes);
  if (sink->file != nullptr && std::fwrite(data, 1, bytes, sink->file) != bytes) return 0;
  return bytes;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

Status http_get(const std::string& url, const std::string& token, Sink* sink, long* status) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::IoError("cannot start libcurl");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  if (!token.empty())
    headers.reset(curl_slist_append(nullptr, ("Authorization: Bearer " + token).c_str()));
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write_sink);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);  // stalled for a minute: give up
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "kho-harvester");
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_WRITE_ERROR && sink->size + 1 > sink->limit)
    return Status::TooLarge(url + ": larger than " + std::to_string(sink->limit) + " bytes");
  if (rc != CURLE_OK) return Status::IoError(url + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, status);
  return Status::Ok();
}

std::string escape(const std::string& s) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  char* e = curl_easy_escape(curl.get(), s.c_str(), static_cast<int>(s.size()));
  std::string out(e != nullptr ? e : "");
  curl_free(e);
  return out;
}

// --- XML ------------------------------------------------------------------

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocDeleter>;

// No network, no entity expansion: a hostile origin gets no XXE.
Status parse_xml(const std::string& text, const std::string& url, XmlDoc* out) {
  out->reset(xmlReadMemory(
      text.data(), static_cast<int>(text.size()), url.c_str(), nullptr,
      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOWARNING | XML_PARSE_NOERROR));
  if (!*out) return Status::Corrupt(url + ": the answer is not XML");
  return Status::Ok();
}

bool is(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

const xmlNode* child(const xmlNode* n, const char* name) {
  for (const xmlNode* c = n ? n->children : nullptr; c != nullptr; c = c->next)
    if (is(c, name)) return c;
  return nullptr;
}

std::string text_of(const xmlNode* n) {
  if (n == nullptr) return "";
  xmlChar* t = xmlNodeGetContent(n);
  std::string out(t != nullptr ? reinterpret_cast<const char*>(t) : "");
  xmlFree(t);
  return out;
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string out(v != nullptr ? reinterpret_cast<const char*>(v) : "");
  xmlFree(v);
  return out;
}

// --- mapping --------------------------------------------------------------

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// One oai_dc record as a new record of this library.
// Set specs lose diacritics ("collection:Tu-sach-Bac-Ho"); the origin's
// ListSets gives their names as written. Spec -> name; empty when unavailable.
using SetNames = std::map<std::string, std::string>;

store::NewRecord from_oai_dc(const xmlNode* header, const xmlNode* dc, const Options& options,
                             const SetNames& names) {
  store::NewRecord in;
  in.actor = options.actor;
  in.visibility = options.visibility;
  for (const xmlNode* s = header->children; s != nullptr; s = s->next) {
    if (!is(s, "setSpec")) continue;
    std::string spec = text_of(s);
    if (starts_with(spec, "school:")) in.school = spec.substr(7);
    if (starts_with(spec, "kind:") && store::valid_kind(spec.substr(5))) in.kind = spec.substr(5);
    if (starts_with(spec, "collection:")) {
      auto name = names.find(spec);
      in.fields["collection"] = name != names.end() ? name->second : spec.substr(11);
    }
  }
  for (const xmlNode* e = dc ? dc->children : nullptr; e != nullptr; e = e->next) {
    if (e->type != XML_ELEMENT_NODE) continue;
    std::string name = reinterpret_cast<const char*>(e->name), value = text_of(e);
    if (value.empty()) continue;
    if (name == "identifier" && (starts_with(value, "http://") || starts_with(value, "https://"))) {
      in.fields["origin_file"] = value;
      continue;
    }
    std::string& slot = in.dc[name];
    slot += (slot.empty() ? "" : "; ") + value;
  }
  // Personal data never becomes public by travelling.
  if (in.kind == "diploma" && in.visibility == "public") in.visibility = "private";
  in.fields["origin"] = options.url;
  in.fields["origin_id"] = text_of(child(header, "identifier"));
  for (const auto& [name, value] : in.dc) in.sources[name] = "harvested";
  return in;
}

struct Page {
  XmlDoc doc;
  const xmlNode* list =
      nullptr;  // <ListRecords> (or the verb's list), or null when nothing matched
  std::string response_date, token;
};

// One page of a list verb's answer (ListRecords, ListIdentifiers).
Status fetch_page(const std::string& url, const Options& options, Summary* summary, Page* page,
                  const char* list = "ListRecords") {
  std::string body;
  Sink sink{&body, nullptr, 0, kMaxResponse};
  long status = 0;
  if (Status s = http_get(url, options.token, &sink, &status); !s.ok()) return s;
  ++summary->requests;
  if (status != 200) return Status::IoError(url + ": HTTP " + std::to_string(status));
  if (Status s = parse_xml(body, url, &page->doc); !s.ok()) return s;
  const xmlNode* root = xmlDocGetRootElement(page->doc.get());
  if (root == nullptr || !is(root, "OAI-PMH"))
    return Status::Corrupt(url + ": not an OAI-PMH answer");
  page->response_date = text_of(child(root, "responseDate"));
  if (const xmlNode* error = child(root, "error")) {
    std::string code = attribute(error, "code");
    if (code == "noRecordsMatch") return Status::Ok();
    return Status::Invalid(options.url + ": " + code + ": " + text_of(error));
  }
  page->list = child(root, list);
  if (page->list == nullptr)
    return Status::Corrupt(url + ": no " + std::string(list) + " in the answer");
  page->token = text_of(child(page->list, "resumptionToken"));
  return Status::Ok();
}

Status apply_record(store::Store& store, const xmlNode* record, const Options& options,
                    const SetNames& names, Summary* summary) {
  const xmlNode* header = child(record, "header");
  if (header == nullptr) return Status::Corrupt(options.url + ": a record without a header");
  std::string key = options.url + "#" + text_of(child(header, "identifier"));
  if (attribute(header, "status") == "deleted") {
    // Only what we hold can be withdrawn; an unknown deleted record is nothing to us.
    store::Record existing;
    store::RecordId id = 0;
    if (!store.find_by_origin(key, &id).ok()) return Status::Ok();
    if (store.get(id, &existing).ok() && existing.status == "withdrawn") return Status::Ok();
    if (Status s = store.withdraw(id, "deleted at its origin " + options.url, options.actor);
        !s.ok())
      return s;
    ++summary->withdrawn;
    return Status::Ok();
  }
  const xmlNode* metadata = child(record, "metadata");
  const xmlNode* dc = metadata != nullptr ? child(metadata, "dc") : nullptr;
  store::NewRecord in = from_oai_dc(header, dc, options, names);
  // Diplomas are personal data: never harvested, whatever the origin shows.
  if (in.kind == "diploma") return Status::Ok();
  store::Record out;
  bool updated = false;
  if (Status s = store.put_harvested(key, in, &out, &updated); !s.ok()) return s;
  ++(updated ? summary->updated : summary->created);
  return Status::Ok();
}

// The origin's set names (first page of ListSets is enough for kho's own
// collections); a repository without sets gives none.
SetNames set_names(const Options& options, Summary* summary) {
  SetNames names;
  std::string body;
  Sink sink{&body, nullptr, 0, kMaxResponse};
  long status = 0;
  if (!http_get(options.url + "?verb=ListSets", options.token, &sink, &status).ok() ||
      status != 200)
    return names;
  ++summary->requests;
  XmlDoc doc;
  if (!parse_xml(body, options.url, &doc).ok()) return names;
  const xmlNode* list = child(xmlDocGetRootElement(doc.get()), "ListSets");
  for (const xmlNode* s = list ? list->children : nullptr; s != nullptr; s = s->next)
    if (is(s, "set")) names[text_of(child(s, "setSpec"))] = text_of(child(s, "setName"));
  return names;
}

// The identifiers of every record the origin shows this harvester now, in
// the set (deleted ones left out).
Status visible_identifiers(const Options& options, Summary* summary, std::set<std::string>* out) {
  std::string url = options.url + "?verb=ListIdentifiers&metadataPrefix=oai_dc";
  if (!options.set.empty()) url += "&set=" + escape(options.set);
  for (int n = 0; n < kMaxRequests; ++n) {
    Page page;
    if (Status s = fetch_page(url, options, summary, &page, "ListIdentifiers"); !s.ok()) return s;
    for (const xmlNode* h = page.list ? page.list->children : nullptr; h != nullptr; h = h->next)
      if (is(h, "header") && attribute(h, "status") != "deleted")
        out->insert(text_of(child(h, "identifier")));
    if (page.token.empty()) return Status::Ok();
    url = options.url + "?verb=ListIdentifiers&resumptionToken=" + escape(page.token);
  }
  return Status::Ok();
}

// Whether the origin still shows this harvester the record, set aside:
// missing from one set's list, it may only have left the set.
Status still_visible(const Options& options, const std::string& identifier, Summary* summary,
                     bool* out) {
  std::string url =
      options.url + "?verb=GetRecord&metadataPrefix=oai_dc&identifier=" + escape(identifier);
  std::string body;
  Sink sink{&body, nullptr, 0, kMaxResponse};
  long status = 0;
  if (Status s = http_get(url, options.token, &sink, &status); !s.ok()) return s;
  ++summary->requests;
  if (status != 200) return Status::IoError(url + ": HTTP " + std::to_string(status));
  XmlDoc doc;
  if (Status s = parse_xml(body, url, &doc); !s.ok()) return s;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (const xmlNode* error = child(root, "error")) {
    if (attribute(error, "code") != "idDoesNotExist")
      return Status::Invalid(options.url + ": " + attribute(error, "code") + ": " + text_of(error));
    *out = false;
    return Status::Ok();
  }
  const xmlNode* header = child(child(child(root, "GetRecord"), "record"), "header");
  if (header == nullptr) return Status::Corrupt(url + ": no record in the answer");
  *out = attribute(header, "status") != "deleted";
  return Status::Ok();
}

// A record the origin no longer shows this harvester (made private there, or
// beyond what the harvester's account reads) is not "deleted" in OAI-PMH
// terms and never comes in a list of changes: only the full list of what is
// visible tells. Its copy here is made private, so that nobody but the
// owning school's own staff reads it, as at the origin; a later change that
// shows it again brings it back with the harvest's visibility.
Status hide_vanished(store::Store& store, const Options& options, Summary* summary) {
  std::set<std::string> visible;
  if (Status s = visible_identifiers(options, summary, &visible); !s.ok()) return s;
  std::vector<std::pair<std::string, store::RecordId>> here;
  if (Status s = store.harvested_from(options.url, &here); !s.ok()) return s;
  for (const auto& [identifier, id] : here) {
    store::Record r;
    if (visible.count(identifier) || !store.get(id, &r).ok() || r.visibility == "private" ||
        r.status != "active")
      continue;
    bool shown = false;
    if (!options.set.empty())
      if (Status s = still_visible(options, identifier, summary, &shown); !s.ok()) return s;
    if (shown) continue;
    Status s = store.update(
        id,
        [](store::Record* rec) {
          rec->visibility = "private";
          return Status::Ok();
        },
        options.actor, nullptr);
    if (!s.ok()) return s;
    ++summary->hidden;
  }
  return Status::Ok();
}

}  // namespace

Status harvest(store::Store& store, const Options& options, Summary* out,
               const Progress& progress) {
  *out = Summary{};
  std::string checkpoint_name = "harvest:" + options.url + "|" + options.set;
  std::string from;
  out->incremental = store.get_setting(checkpoint_name, &from).ok() && !from.empty();
  std::string url = options.url + "?verb=ListRecords&metadataPrefix=oai_dc";
  if (!options.set.empty()) url += "&set=" + escape(options.set);
  if (out->incremental) url += "&from=" + escape(from);
  SetNames names = set_names(options, out);
  std::string started;
  for (int n = 0; n < kMaxRequests; ++n) {
    Page page;
    if (Status s = fetch_page(url, options, out, &page); !s.ok()) return s;
    if (started.empty()) started = page.response_date;
    if (page.list != nullptr)
      for (const xmlNode* r = page.list->children; r != nullptr; r = r->next)
        if (is(r, "record"))
          if (Status s = apply_record(store, r, options, names, out); !s.ok()) return s;
    if (progress) progress(*out);
    if (page.token.empty()) break;
    url = options.url + "?verb=ListRecords&resumptionToken=" + escape(page.token);
  }
  if (Status s = hide_vanished(store, options, out); !s.ok()) return s;
  // Only a complete run moves the checkpoint; an interrupted one is redone.
  return started.empty() ? Status::Ok() : store.put_setting(checkpoint_name, started);
}

Status fetch_original(store::Store& store, store::RecordId id, const std::string& token,
                      const ReadFile& read, store::Record* out, Status* unread) {
  store::Record r;
  if (Status s = store.get(id, &r); !s.ok()) return s;
  if (!r.originals.empty()) return *out = r, Status::Ok();
  auto url = r.fields.find("origin_file");
  if (url == r.fields.end())
    return Status::NotFound("record " + std::to_string(id) + " has no file");
  std::string tmp = (fs::path(store.data_dir()) / "originals" / ".tmp" / "fetchXXXXXX").string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Status::IoError("cannot make a temporary file in " + store.data_dir());
  struct Cleanup {
    std::string path;
    ~Cleanup() { ::unlink(path.c_str()); }
  } cleanup{tmp};
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) return ::close(fd), Status::IoError("cannot write " + tmp);
  Sink sink{nullptr, file, 0, kMaxFile};
  long status = 0;
  Status s = http_get(url->second, token, &sink, &status);
  if (std::fclose(file) != 0 && s.ok()) s = Status::IoError("cannot write " + tmp);
  if (!s.ok()) return s;
  if (status != 200)
    return Status::IoError("the origin answered HTTP " + std::to_string(status) + " for " +
                           url->second);
  store::NewRecord in;
  in.source_path = tmp;
  in.filename = r.dc.count("title") ? r.dc.at("title") : "file";
  in.media_type = r.dc.count("format") ? r.dc.at("format") : "";
  Status text = read ? read(tmp, &in) : Status::Ok();
  if (!text.ok()) in.pages.clear(), in.ocr_confidence.clear();
  if (unread != nullptr) *unread = text;
  return store.attach_original(id, in, out);
}

}  // namespace kho::harvest
