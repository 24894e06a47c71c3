// The TCVN3/VNI/Windows-1258 detector and converters: any bytes a 1998 file
// may hold. Whatever comes in, what comes out is valid UTF-8.
#include <cstdlib>

#include "fuzz/fuzz.h"
#include "text/legacy.h"
#include "text/vietnamese.h"

namespace {
void require_utf8(const std::string& s) {
  if (kho::text::valid_utf8(s) != s) abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = kho::fuzz::bytes(data, size);
  kho::text::Legacy used{};
  require_utf8(kho::text::decode_8bit(in, &used));
  std::string utf8 = kho::text::valid_utf8(in);
  kho::text::Legacy detected = kho::text::detect_legacy(utf8);
  require_utf8(kho::text::repair_lines(utf8, detected));
  require_utf8(kho::text::from_tcvn3(utf8));
  require_utf8(kho::text::from_vni(utf8));
  (void)kho::text::count_syllables(utf8);
  require_utf8(kho::text::fold(utf8));
  require_utf8(kho::text::nfc(utf8));
  (void)kho::text::words(utf8);
  return 0;
}
