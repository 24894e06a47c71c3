// OAI-PMH arguments as a harvester (or anyone) may send them, GET query or
// POST form: verbs, dates, sets, prefixes and resumption tokens, answered by a
// real library for an anonymous caller. Every answer is 200 with XML or an
// OAI error; none names a record the caller may not read.
#include <cstdlib>
#include <memory>

#include "api/oai.h"
#include "core/access.h"
#include "core/library.h"
#include "fuzz/fuzz.h"

namespace {

std::unique_ptr<kho::Library> open_library() {
  std::unique_ptr<kho::Library> library;
  if (!kho::Library::open(kho::fuzz::scratch_dir() + "/data", true, &library).ok()) abort();
  const char* visibilities[] = {"public", "private", "public", "shared"};
  int n = 0;
  for (const char* visibility : visibilities) {
    kho::store::NewRecord in;
    in.kind = n == 1 ? "diploma" : "admin-doc";
    in.school = "THCS-MT";
    in.dc = {{"title", n == 1 ? "BÍ MẬT" : "Kế hoạch"}, {"date", "2022-10-04"}};
    in.pages = {"Số: 44/KH-PGDĐT"};
    in.source_path = kho::fuzz::as_file("original " + std::to_string(++n), "seed");
    in.filename = "tệp.txt";
    in.visibility = visibility;
    kho::store::Record r;
    bool duplicate = false;
    if (!library->store().add(in, &r, &duplicate).ok()) abort();
  }
  if (!library->index().catch_up().ok()) abort();
  return library;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<kho::Library> library = open_library();
  kho::api::OaiOptions options;
  options.base_url = "http://127.0.0.1:8080/oai";
  options.page_size = 2;
  kho::api::OaiArguments arguments =
      kho::api::parse_form(std::string(kho::fuzz::bytes(data, size)));
  kho::api::OaiResponse answer =
      kho::api::answer_oai(arguments, *library, kho::Access::anonymous(), options);
  if (answer.http_status != 200) abort();
  // The private diploma's title is never shown. An answer echoes its
  // request's arguments (<request>, and an error's message): only the rest
  // is looked at.
  std::string shown = answer.xml;
  for (const char* element : {"request", "error"}) {
    const std::string open = std::string("<") + element, close = std::string("</") + element + ">";
    for (auto at = shown.find(open); at != std::string::npos; at = shown.find(open, at)) {
      auto end = shown.find(close, at);
      shown.erase(at, end == std::string::npos ? std::string::npos : end + close.size() - at);
    }
  }
  if (shown.find("BÍ MẬT") != std::string::npos) abort();
  return 0;
}
