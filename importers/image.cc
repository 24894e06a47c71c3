// Scans as images: PNG, JPEG and TIFF (every page of a TIFF is a page), read
// with Leptonica and recognised by OCR (ocr.h). The size each file claims is
// checked from its headers before any pixels are decoded.
#include <leptonica/allheaders.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "importers/formats.h"
#include "importers/ocr.h"

namespace kho::importers {

namespace {

using namespace std::literals;

enum class Kind { kPng, kJpeg, kTiff };

struct Format {
  Kind kind;
  std::string_view name;  // for messages: "PNG"
  std::string_view media_type;
  std::string_view end_marker;  // bytes a complete file has near its end; empty: none
};

std::optional<Format> format_of(std::string_view head) {
  if (head.starts_with("\x89PNG\r\n\x1A\n"sv))
    return Format{Kind::kPng, "PNG", "image/png", "IEND"};
  if (head.starts_with("\xFF\xD8\xFF"sv))
    return Format{Kind::kJpeg, "JPEG", "image/jpeg", "\xFF\xD9"sv};
  if (head.starts_with("II*\0"sv) || head.starts_with("MM\0*"sv))
    return Format{Kind::kTiff, "TIFF", "image/tiff", ""};
  return std::nullopt;
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// Some writers append data after the end marker (phones put a video after a
// JPEG's), so the marker is looked for only to explain a file that failed.
bool has_end_marker(const std::string& path, std::string_view marker) {
  return file_tail(path, 8 << 10).find(marker) != std::string::npos;
}

// Why a page could not be read: a file cut short (an interrupted copy or
// upload) lacks its end marker; anything else is damage.
Status unreadable(const std::string& path, const Format& format, int pages, int page) {
  std::string what = std::string(format.name) + " image";
  if (!format.end_marker.empty() && !has_end_marker(path, format.end_marker))
    return Status::Corrupt("truncated " + what + " (no end marker)");
  return Status::Corrupt("damaged " + what + " (" +
                         (pages > 1 ? "page " + std::to_string(page + 1) + " " : "") +
                         "cannot be decoded)");
}

Status count_pages(const std::string& path, const Format& format, int* pages) {
  *pages = 1;
  if (format.kind != Kind::kTiff) return Status::Ok();
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) return Status::IoError("cannot open file");
  if (tiffGetCount(f.get(), pages) != 0 || *pages < 1)
    return Status::Corrupt("damaged TIFF image (its pages cannot be listed)");
  if (*pages > ocr::kMaxPages)
    return Status::TooLarge("TIFF has " + std::to_string(*pages) + " pages, more than " +
                            std::to_string(ocr::kMaxPages) + " to OCR");
  return Status::Ok();
}

// Every page's dimensions from its header, before anything is decoded.
Status check_sizes(const std::string& path, const Format& format, int pages) {
  for (int n = 0; n < pages; ++n) {
    l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, fmt = 0;
    l_ok bad = format.kind == Kind::kTiff
                   ? readHeaderTiff(path.c_str(), n, &w, &h, &bps, &spp, &res, &cmap, &fmt)
                   : pixReadHeader(path.c_str(), &fmt, &w, &h, &bps, &spp, &cmap);
    if (bad) return unreadable(path, format, pages, n);
    if (Status s = ocr::check_size(w, h); !s.ok())
      return pages > 1 ? s.with_context("page " + std::to_string(n + 1)) : s;
  }
  return Status::Ok();
}

// The EXIF orientation a camera or phone wrote into a JPEG (1 = upright, 3 =
// upside down, 6 = turned a quarter clockwise to view, 8 = anticlockwise), or
// 1 when there is none. Phones save a photographed page sideways and leave
// the turning to the viewer; OCR of a sideways page reads nothing.
int exif_orientation(const std::string& path) {
  std::string head(64 << 10, '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  auto u16 = [&](std::size_t at, bool big) -> unsigned {
    if (at + 2 > head.size()) return 0;
    auto a = static_cast<unsigned char>(head[at]), b = static_cast<unsigned char>(head[at + 1]);
    return big ? (a << 8 | b) : (b << 8 | a);
  };
  auto u32 = [&](std::size_t at, bool big) -> std::size_t {
    return big ? (std::size_t{u16(at, true)} << 16 | u16(at + 2, true))
               : (std::size_t{u16(at + 2, false)} << 16 | u16(at, false));
  };
  // Markers after SOI: FF xx, a big-endian length; APP1 "Exif\0\0" holds a TIFF header.
  for (std::size_t at = 2; at + 4 <= head.size() && head[at] == '\xFF';) {
    unsigned marker = static_cast<unsigned char>(head[at + 1]), length = u16(at + 2, true);
    if (marker == 0xDA || length < 2) break;  // image data begins: no more metadata
    if (marker == 0xE1 && head.compare(at + 4, 6, "Exif\0\0"sv) == 0) {
      std::size_t tiff = at + 10;
      bool big = head.compare(tiff, 2, "MM") == 0;
      std::size_t ifd = tiff + u32(tiff + 4, big);
      unsigned entries = u16(ifd, big);
      for (unsigned i = 0; i < entries && i < 64; ++i) {
        std::size_t entry = ifd + 2 + 12 * std::size_t{i};
        if (u16(entry, big) == 0x0112) {
          unsigned value = u16(entry + 8, big);
          return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
        }
      }
      return 1;
    }
    at += 2 + length;
  }
  return 1;
}

// The page as a reader would hold it. Mirrored orientations (2, 4, 5, 7) come
// from front cameras, not from photographed pages, and are left as they are.
Pix* upright(Pix* pix, int orientation) {
  Pix* turned = orientation == 3   ? pixRotate180(nullptr, pix)
                : orientation == 6 ? pixRotate90(pix, 1)
                : orientation == 8 ? pixRotate90(pix, -1)
                                   : nullptr;
  if (turned == nullptr) return pix;
  pixDestroy(&pix);
  return turned;
}

Pix* decode(const std::string& path, const Format& format, int page) {
  switch (format.kind) {
    case Kind::kJpeg: {  // grey is all OCR needs, and a quarter of the memory
      Pix* pix = pixReadJpeg(path.c_str(), 0, 1, nullptr, L_JPEG_READ_LUMINANCE);
      return pix == nullptr ? nullptr : upright(pix, exif_orientation(path));
    }
    case Kind::kTiff:
      return pixReadTiff(path.c_str(), page);
    default:
      return pixRead(path.c_str());
  }
}

// Grey, and no finer than Tesseract needs: a 600 dpi colour scan becomes a
// sixteenth of its size before OCR, which then runs about four times faster.
void prepare(ocr::PageImage* page) {
  Pix* pix = page->pix.get();
  int dpi = pixGetXRes(pix);
  page->dpi = dpi >= 70 && dpi <= 2400 ? dpi : 0;  // otherwise missing or nonsense
  if (pixGetSpp(pix) == 4) {                       // transparent parts are paper, not black
    if (ocr::PixPtr flat{pixAlphaBlendUniform(pix, 0xffffff00)}) page->pix = std::move(flat);
    pix = page->pix.get();
  }
  if (pixGetDepth(pix) > 8 || pixGetColormap(pix) != nullptr) {
    if (ocr::PixPtr grey{pixConvertTo8(pix, 0)}) page->pix = std::move(grey);
  }
  if (page->dpi > ocr::kDpi * 3 / 2) {
    float scale = static_cast<float>(ocr::kDpi) / static_cast<float>(page->dpi);
    if (ocr::PixPtr smaller{pixScale(page->pix.get(), scale, scale)}) {
      page->pix = std::move(smaller);
      page->dpi = ocr::kDpi;
    }
  }
}

class ImageImporter : public Importer {
 public:
  ImageImporter() { ocr::quiet_leptonica(); }
  std::string_view name() const override { return "image"; }
  int accepts(const Sniff& sniff) const override { return format_of(sniff.head) ? 100 : 0; }

  Status extract(const std::string& path, Document* out) const override {
    std::optional<Format> format = format_of(read_head(path));
    if (!format) return Status::Unsupported("not a PNG, JPEG or TIFF image");
    int pages = 1;
    if (Status s = count_pages(path, *format, &pages); !s.ok()) return s;
    if (Status s = check_sizes(path, *format, pages); !s.ok()) return s;
    auto load = [&](std::size_t job, ocr::PageImage* image) {
      int page = static_cast<int>(job);
      image->pix.reset(decode(path, *format, page));
      if (!image->pix) return unreadable(path, *format, pages, page);
      prepare(image);
      return Status::Ok();
    };
    std::vector<ocr::PageText> texts;
    if (Status s = ocr::recognise(static_cast<std::size_t>(pages), load, &texts); !s.ok()) return s;
    out->media_type = format->media_type;
    if (pages > 1) out->meta["pages"] = std::to_string(pages);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      out->pages.push_back(std::move(texts[i].text));
      if (texts[i].has_words)
        out->ocr_confidence[static_cast<std::uint32_t>(i + 1)] = texts[i].confidence;
    }
    return Status::Ok();
  }

 private:
  static std::string read_head(const std::string& path) {
    std::string head(16, '\0');
    std::ifstream in(path, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
  }
};

}  // namespace

std::unique_ptr<Importer> make_image_importer() { return std::make_unique<ImageImporter>(); }

}  // namespace kho::importers
