// A library served over OAI-PMH on a loopback port, for the protocol tests
// (tests/api/oai_test.cc) and the harvester tests (tests/oai/): records are
// imported from real text files, answers fetched over real HTTP with libcurl
// and read with libxml2's XPath.
#pragma once

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api/server.h"
#include "core/library.h"
#include "store/store.h"
#include "tests/testing.h"
#include "tests/url.h"

namespace kho::testing::oai {

struct Answer {
  long status = 0;
  std::string content_type, body;
};

inline size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET base + query, or POST the query as a form body; `header` is one
// request header ("Authorization: Bearer …") or empty.
inline Answer fetch(const std::string& url, const std::string* form = nullptr,
                    const std::string& header = "") {
  Answer a;
  CURL* curl = curl_easy_init();
  curl_slist* headers = header.empty() ? nullptr : curl_slist_append(nullptr, header.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (form != nullptr) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) a.content_type = type;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return a;
}

// An OAI-PMH answer parsed, asked with XPath. Prefixes: o (OAI-PMH),
// oai_dc, dc, marc, id (oai-identifier).
class Xml {
 public:
  explicit Xml(const std::string& text)
      : doc_(xmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                           XML_PARSE_NONET),
             xmlFreeDoc) {
    if (!doc_) throw std::runtime_error("not well-formed XML: " + text.substr(0, 300));
  }
  std::vector<std::string> all(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, void (*)(xmlXPathContextPtr)> ctx(
        xmlXPathNewContext(doc_.get()), xmlXPathFreeContext);
    const std::pair<const char*, const char*> kNamespaces[] = {
        {"o", "http://www.openarchives.org/OAI/2.0/"},
        {"oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"},
        {"dc", "http://purl.org/dc/elements/1.1/"},
        {"marc", "http://www.loc.gov/MARC21/slim"},
        {"id", "http://www.openarchives.org/OAI/2.0/oai-identifier"}};
    for (const auto& [prefix, uri] : kNamespaces)
      xmlXPathRegisterNs(ctx.get(), BAD_CAST prefix, BAD_CAST uri);
    std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObjectPtr)> result(
        xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx.get()), xmlXPathFreeObject);
    if (!result) throw std::runtime_error("bad XPath " + xpath);
    std::vector<std::string> out;
    xmlNodeSet* nodes = result->nodesetval;
    for (int i = 0; nodes != nullptr && i < nodes->nodeNr; ++i) {
      xmlChar* content = xmlNodeGetContent(nodes->nodeTab[i]);
      out.emplace_back(content != nullptr ? reinterpret_cast<const char*>(content) : "");
      xmlFree(content);
    }
    return out;
  }
  std::string first(const std::string& xpath) const {
    auto v = all(xpath);
    return v.empty() ? "" : v.front();
  }
  std::size_t count(const std::string& xpath) const { return all(xpath).size(); }
  // The error code, or "" when the answer is not an error.
  std::string error() const { return first("/o:OAI-PMH/o:error/@code"); }

 private:
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc_;
};

struct Item {
  Item(std::string title_, std::string kind_ = "other", std::string school_ = "THCS-01",
       std::string visibility_ = "public", std::string collection_ = "",
       std::map<std::string, std::string> fields_ = {})
      : title(std::move(title_)),
        kind(std::move(kind_)),
        school(std::move(school_)),
        visibility(std::move(visibility_)),
        collection(std::move(collection_)),
        fields(std::move(fields_)) {}
  std::string title, kind, school, visibility, collection;
  std::map<std::string, std::string> fields;
};

// A library in a temporary directory, served with a small OAI page size so
// that a dozen records already take several pages.
struct Repository {
  TempDir dir;
  std::unique_ptr<Library> library;
  std::unique_ptr<api::Server> server;
  std::string base;  // http://127.0.0.1:PORT/oai
  int files = 0;

  explicit Repository(std::size_t page_size = 3) {
    REQUIRE(Library::open(dir.str() + "/data", true, &library).ok());
    api::ServerOptions options;
    options.port = 0;
    options.oai_page_size = page_size;
    server = std::make_unique<api::Server>(*library, options);
    Status s = server->start();
    INFO(s.message());
    REQUIRE(s.ok());
    base = "http://127.0.0.1:" + std::to_string(server->port()) + "/oai";
  }
  ~Repository() { server->stop(); }

  // Imports a real text file (its own bytes, so never a duplicate) as a record.
  store::Record add(const Item& item) {
    auto path = dir.path() / ("doc-" + std::to_string(++files) + ".txt");
    // The file says the title too, but only in characters a text file may hold.
    std::string text = "Tài liệu số " + std::to_string(files) + ": ";
    for (char c : item.title)
      if (static_cast<unsigned char>(c) >= 0x20) text += c;
    write_file(path, text + "\n");
    ImportOptions options;
    options.kind = item.kind;
    options.school = item.school;
    options.visibility = item.visibility;
    options.dc["title"] = item.title;
    options.fields = item.fields;
    if (!item.collection.empty()) options.fields["collection"] = item.collection;
    store::Record r;
    bool duplicate = false;
    Status s = library->import_file(path.string(), options, &r, &duplicate);
    INFO(s.message());
    REQUIRE(s.ok());
    REQUIRE_FALSE(duplicate);
    return r;
  }

  std::string identifier(store::RecordId id) const { return "oai:127.0.0.1:" + std::to_string(id); }

  Answer get(const std::string& query, const std::string& header = "") const {
    return fetch(base + "?" + query, nullptr, header);
  }
  Xml ask(const std::string& query, const std::string& header = "") const {
    Answer a = get(query, header);
    INFO(query << "\n" << a.body);
    REQUIRE(a.status == 200);
    REQUIRE(a.content_type == "text/xml; charset=utf-8");
    return Xml(a.body);
  }
};

// Waits until the clock shows a new second, so that changes made after it
// carry a later datestamp than those made before.
inline std::string next_second() {
  std::string before = store::now_rfc3339();
  while (store::now_rfc3339() == before) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return store::now_rfc3339();
}

}  // namespace kho::testing::oai
