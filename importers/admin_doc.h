// What a document says about itself in the layouts Vietnamese schools use, so
// that staff need not type it: administrative documents laid out by Decree
// 30/2020/NĐ-CP (issuer, "Số: 44/KH-PGDĐT", "Cẩm Giàng, ngày 04 tháng 10 năm
// 2022", type, summary, "Nơi nhận", signer) and lesson plans on the "KẾ HOẠCH
// BÀI DẠY" template of Công văn 5512/BGDĐT-GDTrH (school, subject group,
// teacher, lesson, subject, grade, periods); and the ISBN a book prints.
// Works on extracted text, so it serves every text-bearing format alike: the
// header is read where the document starts, below a saved web page's banner
// and menus, and in whichever order a PDF gives the header's two columns
// (interleaved line by line, side by side, or one after the other).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kho::importers {

// Adds what the text shows to *meta (names as in importer.h and store.h,
// "kind" = "admin-doc" or "lesson-plan" when the layout is clearly there).
// What the file itself states is kept, but for its date, which becomes the
// date the document was issued; and a title that is empty or a placeholder
// (is_placeholder_title) gives way to the document's own.
void describe_document(const std::vector<std::string>& pages,
                       std::map<std::string, std::string>* meta);

// A title that says nothing the file's author chose: empty, "Microsoft Word -
// abc.doc", a file name, or one of the text's first lines (a guess made by an
// importer that has no title property).
bool is_placeholder_title(std::string_view title, const std::vector<std::string>& pages);

// Whether describe_document() applies to a media type: text documents,
// not spreadsheets, slides or e-books.
bool describes_media_type(std::string_view media_type);

}  // namespace kho::importers
