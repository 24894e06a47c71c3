// One importer, chosen at build time (KHO_FUZZ_IMPORTER: marc, catalogue-sheet,
// text), reads the input as a file; the admin-document reader then reads its
// text, as an import does. Bad files must give a Status, never a crash.
#include "fuzz/fuzz.h"
#include "importers/admin_doc.h"
#include "importers/formats.h"
#include "importers/importer.h"

namespace {

std::unique_ptr<kho::importers::Importer> make() {
  std::string_view name = KHO_FUZZ_IMPORTER;
  if (name == "marc") return kho::importers::make_marc_importer();
  if (name == "catalogue-sheet") return kho::importers::make_catalogue_sheet_importer();
  return kho::importers::make_plain_text_importer();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto importer = make();
  std::string_view input = kho::fuzz::bytes(data, size);
  std::string path = kho::fuzz::as_file(input, KHO_FUZZ_IMPORTER ".in");
  kho::importers::Sniff sniff{input.substr(0, 4096), path};
  if (importer->accepts(sniff) == 0) return 0;
  kho::importers::Document doc;
  if (!importer->extract(path, &doc).ok()) return 0;
  for (auto& entry : doc.entries) kho::importers::describe_document(entry.pages, &entry.meta);
  kho::importers::describe_document(doc.pages, &doc.meta);
  return 0;
}
