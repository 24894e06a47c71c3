// The PDF of a copy from the register: an A4 extract laid out as the
// register's line, Vietnamese set by Pango with the system's fonts (DejaVu
// Sans, Debian's fonts-dejavu-core), and the QR code of its verification
// code drawn module by module from libqrencode's matrix.
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <memory>

#include "register/register_impl.h"

namespace kho::registry {

namespace {

constexpr double kWidth = 595.0, kHeight = 842.0, kMargin = 56.0;  // A4 in points

struct CairoSurface {
  cairo_surface_t* s;
  ~CairoSurface() { cairo_surface_destroy(s); }
};
struct CairoContext {
  cairo_t* c;
  ~CairoContext() { cairo_destroy(c); }
};
struct Layout {
  PangoLayout* l;
  ~Layout() { g_object_unref(l); }
};
struct QrCode {
  QRcode* q;
  ~QrCode() { QRcode_free(q); }
};

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Sets `markup` at (x, y) within `width`; the height it took.
double text(cairo_t* cr, double x, double y, double width, const std::string& markup,
            const char* font, PangoAlignment align = PANGO_ALIGN_LEFT) {
  Layout layout{pango_cairo_create_layout(cr)};
  std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> desc(
      pango_font_description_from_string(font), pango_font_description_free);
  pango_layout_set_font_description(layout.l, desc.get());
  pango_layout_set_width(layout.l, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_alignment(layout.l, align);
  pango_layout_set_wrap(layout.l, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup(layout.l, markup.c_str(), -1);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout.l);
  int w = 0, h = 0;
  pango_layout_get_size(layout.l, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

std::string escaped(const std::string& s) {
  std::unique_ptr<gchar, decltype(&g_free)> e(g_markup_escape_text(s.c_str(), -1), g_free);
  return e.get();
}

std::string vn_date(const std::string& iso) {  // 2008-05-12 -> 12/05/2008
  if (iso.size() != 10) return iso;
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
}

Status draw_qr(cairo_t* cr, const std::string& code, double x, double y, double size) {
  QrCode qr{QRcode_encodeString8bit(code.c_str(), 0, QR_ECLEVEL_M)};
  if (qr.q == nullptr) return Status::Invalid("the verification code does not fit a QR code");
  const int n = qr.q->width, quiet = 4;
  const double module = size / (n + 2 * quiet);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c)
      if (qr.q->data[r * n + c] & 1)
        cairo_rectangle(cr, x + (c + quiet) * module, y + (r + quiet) * module, module, module);
  cairo_fill(cr);
  return Status::Ok();
}

}  // namespace

Status copy_pdf_bytes(const Register& reg, const std::string& org_name, const Entry& entry,
                      const Copy& copy, std::string* pdf) {
  pdf->clear();
  CairoSurface surface{cairo_pdf_surface_create_for_stream(append, pdf, kWidth, kHeight)};
  cairo_pdf_surface_set_metadata(surface.s, CAIRO_PDF_METADATA_TITLE,
                                 ("Bản sao từ sổ gốc số " + std::to_string(copy.number)).c_str());
  CairoContext cr{cairo_create(surface.s)};
  const double w = kWidth - 2 * kMargin, half = w / 2;
  const char* body = "DejaVu Sans 10";
  double y = kMargin;
  text(cr.c, kMargin, y, half - 10, "<b>" + escaped(org_name) + "</b>", body, PANGO_ALIGN_CENTER);
  double h = text(cr.c, kMargin + half, y, half,
                  "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>\n<b>Độc lập - Tự do - Hạnh phúc</b>",
                  body, PANGO_ALIGN_CENTER);
  y += h + 10;
  text(cr.c, kMargin, y, half - 10, "Số: " + std::to_string(copy.number) + "/BSSG", body,
       PANGO_ALIGN_CENTER);
  y += 36;
  y += text(cr.c, kMargin, y, w, "<b>BẢN SAO TỪ SỔ GỐC</b>", "DejaVu Sans 16", PANGO_ALIGN_CENTER);
  y += text(cr.c, kMargin, y, w, escaped(reg.title), body, PANGO_ALIGN_CENTER) + 20;
  const std::pair<const char*, const char*> rows[] = {
      {"full_name", "Họ và tên"},
      {"birth_date", "Ngày sinh"},
      {"birth_place", "Nơi sinh"},
      {"sex", "Giới tính"},
      {"ethnicity", "Dân tộc"},
      {"school", "Học sinh trường"},
      {"class", "Lớp"},
      {"year", "Năm tốt nghiệp"},
      {"classification", "Xếp loại tốt nghiệp"},
      {"decision_number", "Quyết định công nhận tốt nghiệp số"},
      {"decision_date", "Ngày quyết định"},
      {"serial", "Số hiệu bằng"},
      {"entry_number", "Số vào sổ cấp bằng"},
      {"issued", "Ngày cấp"},
      {"signer", "Người ký"},
      {"notes", "Ghi chú"}};
  for (const auto& [name, label] : rows) {
    auto it = entry.fields.find(name);
    if (it == entry.fields.end()) continue;
    bool date = std::string(name).ends_with("date") || std::string(name) == "issued";
    text(cr.c, kMargin, y, 190, escaped(label) + ":", body);
    y += text(cr.c, kMargin + 200, y, w - 200,
              "<b>" + escaped(date ? vn_date(it->second) : it->second) + "</b>", body) +
         6;
  }
  y += 14;
  for (const auto& [label, value] :
       {std::pair<const char*, std::string>{"Ngày cấp bản sao", vn_date(copy.at.substr(0, 10))},
        {"Người yêu cầu", copy.requester},
        {"Mục đích", copy.purpose}}) {
    text(cr.c, kMargin, y, 190, std::string(label) + ":", body);
    y += text(cr.c, kMargin + 200, y, w - 200, escaped(value), body) + 6;
  }
  y += 24;
  const double qr = 150;
  if (Status s = draw_qr(cr.c, copy.code, kMargin, y, qr); !s.ok()) return s;
  text(cr.c, kMargin + qr + 16, y + 10, w - qr - 16,
       "Quét mã QR để kiểm tra bản sao này tại địa chỉ tra cứu của đơn vị cấp, hoặc kiểm tra "
       "ngoại tuyến chữ ký Ed25519 bằng khóa công khai của " +
           escaped(org_name) + ".",
       "DejaVu Sans 8");
  cairo_show_page(cr.c);
  cairo_surface_finish(surface.s);
  if (cairo_surface_status(surface.s) != CAIRO_STATUS_SUCCESS)
    return Status::IoError(std::string("cannot make the copy's PDF: ") +
                           cairo_status_to_string(cairo_surface_status(surface.s)));
  return Status::Ok();
}

}  // namespace kho::registry
