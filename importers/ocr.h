// OCR of page images through Tesseract, in-process, for the image importer
// and for PDF pages without usable text. Private to the importers module.
//  - Pages are recognised in parallel, one Tesseract engine per thread (an
//    engine is not shareable across threads), as many threads as cores.
//  - Language "vie+eng": Vietnamese text with English words and acronyms.
//  - Sizes are checked before anything is decoded: a small file that claims
//    huge dimensions (a decompression bomb) is refused, not allocated.
// Tesseract's own OpenMP threads are turned off in ours (see ocr.cc): they
// would only oversubscribe the cores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

struct Pix;  // Leptonica's image

namespace kho::importers::ocr {

struct PixDeleter {
  void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// Largest page image we decode or render: 80 megapixels is an A3 sheet
// scanned at 600 dpi, and at 4 bytes a pixel stays well inside the worker's
// memory limit with one page per core in flight.
inline constexpr std::int64_t kMaxPixels = 80'000'000;
// Most pages one file may send to OCR. The worker's time limit (WorkerLimits)
// usually stops a long scan first; this refuses a huge one before any work.
inline constexpr int kMaxPages = 1000;
// The resolution PDF pages are rendered at, and that scans are brought down
// to: Tesseract reads best around 300 dpi, and more pixels only cost time.
inline constexpr int kDpi = 300;

// Ok, or TooLarge("image too large: 50000x50000 pixels (more than 80 megapixels)").
Status check_size(std::int64_t width, std::int64_t height);

// Turns Leptonica's messages off: our Status says what went wrong, once.
void quiet_leptonica();

// One page image to recognise. `dpi` 0 when unknown: Tesseract then estimates
// it from the size of the letters.
struct PageImage {
  PixPtr pix;
  int dpi = 0;
};

struct PageText {
  std::string text;         // UTF-8 as Tesseract gives it; the registry makes it NFC
  double confidence = 0.0;  // mean word confidence 0..100
  bool has_words = false;   // false for a blank page: then the confidence means nothing
};

// Produces the image of job `job` (0-based); no image (a null pix) for a
// page with nothing to read gives an empty PageText. Called for one job at a time,
// never concurrently, so it may use a document that is not thread-safe.
using PageLoader = std::function<Status(std::size_t job, PageImage* out)>;

// Loads and recognises jobs 0..count-1 in parallel; out->at(job) is job's
// text. The first failure (a page that cannot be decoded, no language data)
// stops the rest and is returned.
Status recognise(std::size_t count, const PageLoader& load, std::vector<PageText>* out);

}  // namespace kho::importers::ocr
