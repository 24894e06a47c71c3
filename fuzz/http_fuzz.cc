// kho's own HTTP helpers, fed what a hostile client may send: Range headers,
// percent-encoding, form bodies (OAI-PMH POST), counts and IDs from the
// query string, and file names echoed into Content-Disposition. Beyond not
// crashing, each answer must keep its promise: a range inside the file, a
// header value without line breaks.
#include <cstdlib>

#include "api/http_util.h"
#include "api/oai.h"
#include "fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [line, rest] = kho::fuzz::first_line(kho::fuzz::bytes(data, size));
  std::string body(rest);
  for (std::uint64_t file_size :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000}, std::uint64_t{1} << 40}) {
    kho::api::ByteRange r = kho::api::parse_range(line, file_size);
    if (r.partial && (r.length == 0 || r.first + r.length > file_size)) abort();
    if (!r.partial && !r.unsatisfiable && (r.first != 0 || r.length != file_size)) abort();
  }
  (void)kho::api::percent_decode(body);
  (void)kho::api::parse_form(body);
  std::string disposition = kho::api::content_disposition(line);
  if (disposition.find_first_of("\r\n", 0) != std::string::npos) abort();
  std::size_t count = 0;
  std::string error;
  (void)kho::api::parse_count(line, 0, 100, &count, &error);
  if (count > 100) abort();
  kho::store::RecordId id = 0;
  (void)kho::api::parse_id(line, &id);
  return 0;
}
