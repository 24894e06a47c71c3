// The tests' HTTP client (libcurl). When KHO_API_EXCHANGES names a file, every
// answer to an /api/v1/ route is appended to it as one JSON line (method,
// path, status, content type, JSON body), and the test "api: answers match
// openapi" checks each against web/openapi.json, so the description cannot
// drift from what the API tests see the server do.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kho::testing {

struct HttpResponse {
  long status = 0;  // 0: no answer (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; the last of each wins
  std::string error;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  nlohmann::json j() const {
    INFO(body);
    return nlohmann::json::parse(body);
  }
  // The error code of a kho error answer ({"error": {"code", "message"}}).
  std::string error_code() const { return j()["error"]["code"].get<std::string>(); }
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  const std::string* body = nullptr;
};

namespace detail {

inline size_t append_body(char* data, size_t size, size_t n, void* out) {
  static_cast<HttpResponse*>(out)->body.append(data, size * n);
  return size * n;
}

inline std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

inline size_t append_header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    static_cast<HttpResponse*>(out)->headers[name] = trim(line.substr(colon + 1));
  }
  return size * n;
}

// One line per answer, written with one write() on an O_APPEND descriptor so
// test processes running side by side never interleave their lines.
inline void record_exchange(const HttpRequest& request, const HttpResponse& r) {
  const char* file = std::getenv("KHO_API_EXCHANGES");
  if (file == nullptr || *file == '\0' || r.status == 0) return;
  auto scheme = request.url.find("://");
  auto slash = request.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return;
  std::string path = request.url.substr(slash, request.url.find_first_of("?#", slash) - slash);
  if (path.rfind("/api/v1/", 0) != 0) return;
  nlohmann::json line = {{"method", request.method},
                         {"path", path},
                         {"status", r.status},
                         {"content_type", r.header("content-type")}};
  if (r.header("content-type").rfind("application/json", 0) == 0) {
    line["body"] = nlohmann::json::parse(r.body, nullptr, false);
    if (line["body"].is_discarded()) line["body"] = r.body;  // the checker reports it
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  int fd = ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  [[maybe_unused]] auto written = ::write(fd, text.data(), text.size());
  ::close(fd);
}

}  // namespace detail

inline HttpResponse http(const HttpRequest& request) {
  HttpResponse r;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (request.body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, detail::append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, detail::append_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  if (rc != CURLE_OK) r.error = curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  detail::record_exchange(request, r);
  return r;
}

// A JSON request as the web application makes it; `auth` is one header line
// ("Authorization: Bearer …") or empty. A transport failure fails the test.
inline HttpResponse call(const std::string& method, const std::string& url, const std::string& auth,
                         const std::string* body = nullptr) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!auth.empty()) headers.push_back(auth);
  HttpResponse r = http({method, url, std::move(headers), body});
  INFO(method << " " << url << ": " << r.error);
  REQUIRE(r.status != 0);
  return r;
}

}  // namespace kho::testing
