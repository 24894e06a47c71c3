// Request heads as a hostile client sends them, read the way kho's Gate reads
// them before any body (api/connections.h): kho's own framing checks, then
// Pistache's parser on the head alone, then what handlers read from the
// parsed request (resource, query, cookies, raw headers). Beyond not
// crashing: nothing throws, from read_head or from the accessors; a refusal
// is a 400, 411, 413 or 417 with a message; a chunked body is never admitted; an
// admitted body length is the Content-Length Pistache parsed.
#include <cstdlib>
#include <string>

#include "api/connections.h"
#include "fuzz/fuzz.h"

namespace Http = Pistache::Http;

constexpr std::uint64_t kMaxBody = std::uint64_t{64} << 20;  // the server's default

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The Gate hands over a head ending at its first empty line.
  std::string head(kho::fuzz::bytes(data, size));
  std::size_t end = head.find("\r\n\r\n");
  head = end == std::string::npos ? head + "\r\n\r\n" : head.substr(0, end + 4);

  std::uint64_t length = 0;
  bool expects_continue = false;
  Http::RequestParser parser(head.size() + 1);
  kho::api::Verdict v;
  try {
    v = kho::api::read_head(head, kMaxBody, &length, &expects_continue, parser);
  } catch (...) {
    abort();  // the Gate would answer Pistache's plain-text 500
  }
  if (v.code != Http::Code::Ok) {
    if (v.code != Http::Code::Bad_Request && v.code != Http::Code::Length_Required &&
        v.code != Http::Code::Request_Entity_Too_Large && v.code != Http::Code::Expectation_Failed)
      abort();
    if (v.kind.empty() || v.message.empty()) abort();
    return 0;
  }
  // What Pistache parsed is what it acts on: no chunked body behind kho's
  // back, and the body length kho admitted is the one Pistache will read.
  const Http::Request& r = parser.request;
  if (r.headers().tryGet<Http::Header::TransferEncoding>() ||
      r.headers().tryGetRaw("Transfer-Encoding"))
    abort();
  auto cl = r.headers().tryGet<Http::Header::ContentLength>();
  if (cl ? cl->value() != length : length != 0) abort();
  (void)r.resource();
  for (const auto& name : r.query().parameters()) (void)r.query().get(name);
  for (const auto& c : r.cookies()) (void)c.value;
  (void)r.headers().tryGetRaw("Origin");
  (void)r.headers().tryGetRaw("X-Forwarded-For");
  return 0;
}
