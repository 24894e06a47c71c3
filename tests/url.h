// Percent-encoding for test requests, by libcurl (the tests' HTTP client).
#pragma once

#include <curl/curl.h>

#include <string>

namespace kho::testing {

inline std::string url_encode(const std::string& s) {
  CURL* curl = curl_easy_init();
  char* e = curl_easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out(e);
  curl_free(e);
  curl_easy_cleanup(curl);
  return out;
}

}  // namespace kho::testing
