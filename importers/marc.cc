// MARC 21 catalogue records, in ISO 2709 (UTF-8 or MARC-8) or MARCXML, read
// with YAZ. Each record becomes one entry of the Document, its fields mapped
// to Dublin Core after the Library of Congress MARC to DC crosswalk
// (https://www.loc.gov/marc/marc2dc.html), and the record kept whole as
// MARCXML (UTF-8) in the field "marcxml" for export. YAZ reads the records
// and converts MARC-8 to Unicode; the MARCXML it writes is what we map, so
// every record, whatever its syntax, goes through one path.
#include <yaz/marcdisp.h>
#include <yaz/wrbuf.h>
#include <yaz/yaz-iconv.h>

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "importers/formats.h"
#include "importers/package.h"
#include "text/vietnamese.h"

namespace kho::importers {

namespace {

// A whole library's catalogue is tens of thousands of records; more than this
// in one file is better split than held in memory at once.
constexpr std::size_t kMaxRecords = 100000;

struct MarcDestroy {
  void operator()(yaz_marc_t m) const { yaz_marc_destroy(m); }
};
using Marc = std::unique_ptr<std::remove_pointer_t<yaz_marc_t>, MarcDestroy>;
struct IconvClose {
  void operator()(yaz_iconv_t cd) const { yaz_iconv_close(cd); }
};
using Iconv = std::unique_ptr<std::remove_pointer_t<yaz_iconv_t>, IconvClose>;
struct WrbufDestroy {
  void operator()(WRBUF w) const { wrbuf_destroy(w); }
};
using Wrbuf = std::unique_ptr<std::remove_pointer_t<WRBUF>, WrbufDestroy>;

// One MARC record as MARCXML: leader, control fields, data fields.
struct Subfield {
  char code;
  std::string value;
};
struct Field {
  std::string tag;
  std::string ind2;
  std::string data;  // a control field's value
  std::vector<Subfield> subfields;
};
struct MarcRecord {
  std::string leader;
  std::vector<Field> fields;
};

// ISBD punctuation that ends a subfield ("Truyện Kiều /", "Văn học,").
std::string trimmed(std::string_view s) {
  std::string v = squeeze(s);
  while (!v.empty() && (v.back() == '/' || v.back() == ':' || v.back() == ';' || v.back() == ',' ||
                        v.back() == '=' || v.back() == ' '))
    v.pop_back();
  // A final full stop ends the field, unless it ends an abbreviation ("tr.").
  if (v.size() > 1 && v.back() == '.' && v[v.size() - 2] != '.' &&
      (v.size() < 4 || v[v.size() - 3] != ' '))
    v.pop_back();
  return v;
}

std::string joined(const Field& f, std::string_view codes, std::string_view glue = " ") {
  std::string out;
  for (const Subfield& s : f.subfields)
    if (codes.find(s.code) != std::string_view::npos)
      if (std::string v = squeeze(s.value); !v.empty())
        out += (out.empty() ? "" : std::string(glue)) + v;
  return out;
}

// Headings and names without their closing ISBD punctuation; notes, which
// are sentences, keep theirs.
std::string subfields(const Field& f, std::string_view codes, std::string_view glue = " ") {
  return trimmed(joined(f, codes, glue));
}

// Adds a value to a multi-valued field ("a; b"), once.
void add(std::map<std::string, std::string>* meta, const std::string& name,
         const std::string& value) {
  if (value.empty()) return;
  std::string& to = (*meta)[name];
  for (std::size_t at = 0; at <= to.size();) {
    std::size_t end = to.find("; ", at);
    if (end == std::string::npos) end = to.size();
    if (to.compare(at, end - at, value) == 0) return;
    at = end + 2;
  }
  to += (to.empty() ? "" : "; ") + value;
}

// "c2015." or "[2015]" -> "2015": the first year in the text.
std::string year_of(std::string_view s) {
  for (std::size_t i = 0; i + 4 <= s.size(); ++i) {
    bool digits = true;
    for (std::size_t j = i; j < i + 4 && digits; ++j) digits = s[j] >= '0' && s[j] <= '9';
    bool alone = (i == 0 || s[i - 1] < '0' || s[i - 1] > '9') &&
                 (i + 4 == s.size() || s[i + 4] < '0' || s[i + 4] > '9');
    if (digits && alone) return std::string(s.substr(i, 4));
  }
  return "";
}

// MARC's ISO 639-2 codes as the two-letter tags other formats give ("vi").
std::string language_of(std::string code) {
  static const std::map<std::string, std::string> kTwoLetter = {
      {"vie", "vi"}, {"eng", "en"}, {"fre", "fr"}, {"fra", "fr"}, {"chi", "zh"},
      {"zho", "zh"}, {"rus", "ru"}, {"ger", "de"}, {"deu", "de"}, {"jpn", "ja"},
      {"kor", "ko"}, {"spa", "es"}, {"lao", "lo"}, {"khm", "km"}, {"tha", "th"}};
  code = text::lower(squeeze(code));
  if (code.size() != 3 || code == "und" || code == "zxx" || code.find(' ') != std::string::npos)
    return "";
  auto it = kTwoLetter.find(code);
  return it == kTwoLetter.end() ? code : it->second;
}

// Leader/06-07: what the record describes (MARC to DC, appendix 2).
void leader_type(const std::string& leader, std::map<std::string, std::string>* meta) {
  char type = leader.size() > 7 ? leader[6] : 'a', level = leader.size() > 7 ? leader[7] : 'm';
  std::string_view dc = "";
  if (std::string_view("acdt").find(type) != std::string_view::npos)
    dc = "text";
  else if (std::string_view("efgk").find(type) != std::string_view::npos)
    dc = "image";
  else if (type == 'i' || type == 'j')
    dc = "sound";
  else if (type == 'm')
    dc = "software";
  else if (type == 'o' || type == 'p')
    dc = "collection";
  else if (type == 'r')
    dc = "physical object";
  add(meta, "type", std::string(dc));
  // Language material as a monograph is a book; serials, maps, music and the
  // rest are kept, but as "other".
  bool book = (type == 'a' || type == 't') &&
              std::string_view("acdm ").find(level) != std::string_view::npos;
  (*meta)["kind"] = book ? "book" : "other";
}

// 008: Date 1 (unless "n" unknown or "b" B.C.) and the language code.
void map_fixed(const Field& f, std::string* year008, std::string* language008) {
  if (f.tag != "008" || f.data.size() < 38) return;
  if (f.data[6] != 'n' && f.data[6] != 'b') *year008 = year_of(f.data.substr(7, 4));
  *language008 = language_of(f.data.substr(35, 3));
}

// The crosswalk, field by field. 1XX/7XX are all creators (kho keeps no
// separate contributor list for catalogue records); class numbers go to
// "classification" rather than mixing codes into subjects.
void map_data(const Field& f, std::map<std::string, std::string>* meta) {
  const std::string& t = f.tag;
  if (t == "245") {
    add(meta, "title", subfields(f, "abnp"));
  } else if (t == "100" || t == "700" || t == "720") {
    add(meta, "creator", subfields(f, "a"));
  } else if (t == "110" || t == "111" || t == "710" || t == "711") {
    add(meta, "creator", subfields(f, "ab"));
  } else if (t == "600" || t == "610" || t == "611" || t == "630" || t == "650" || t == "653") {
    add(meta, "subject", subfields(f, "abcdtvxyz", " -- "));
  } else if (t == "651" || t == "662" || t == "751" || t == "752") {
    add(meta, "coverage", subfields(f, "abcdvxyz", " -- "));
  } else if (t == "520") {  // the summary leads the description
    add(meta, "description", joined(f, "ab"));
  } else if (t[0] == '5' && t != "506" && t != "530" && t != "534" && t != "540" && t != "546") {
    add(meta, "notes", joined(f, "abcdefghijklmnopqrstuvwxyz"));
  } else if (t == "260" || (t == "264" && f.ind2 == "1")) {
    add(meta, "publisher", subfields(f, "b"));
    add(meta, "date_published", year_of(subfields(f, "c")));
  } else if (t == "041") {
    for (const Subfield& s : f.subfields)
      if (s.code == 'a')  // old records run codes together: "vieeng"
        for (std::size_t i = 0; i + 3 <= s.value.size(); i += 3)
          add(meta, "language", language_of(s.value.substr(i, 3)));
  } else if (t == "020") {
    for (const Subfield& s : f.subfields)
      if (s.code == 'a') {
        std::string value = squeeze(s.value);
        std::string isbn = isbn_digits(value.substr(0, value.find(' ')));
        add(meta, "identifier", value);
        if (!isbn.empty() && !meta->count("isbn")) (*meta)["isbn"] = isbn;
      }
  } else if (t == "022" || t == "024") {
    add(meta, "identifier", subfields(f, "a"));
  } else if (t == "856") {
    add(meta, "identifier", subfields(f, "u"));
  } else if (t == "655") {
    add(meta, "type", subfields(f, "a"));
  } else if (t == "050" || t == "080" || t == "082" || t == "084") {
    add(meta, "classification", subfields(f, t == "050" ? "ab" : "a", ""));
  } else if (t == "506" || t == "540") {
    add(meta, "rights", subfields(f, "a"));
  } else if (t == "490" || t == "440" || t == "830" || t == "530") {
    add(meta, "relation", subfields(f, "av"));
  } else if (t == "534" || t == "786") {
    add(meta, "source", subfields(f, "t"));
  }
}

MarcRecord record_of(const xmlNode* node) {
  MarcRecord r;
  for (const xmlNode* c = node->children; c; c = c->next) {
    if (is_element(c, "leader")) {
      r.leader = text_of(c);
    } else if (is_element(c, "controlfield")) {
      r.fields.push_back({attribute(c, "tag"), "", text_of(c), {}});
    } else if (is_element(c, "datafield")) {
      Field f{attribute(c, "tag"), attribute(c, "ind2"), "", {}};
      for (const xmlNode* s : children(c, "subfield")) {
        std::string code = attribute(s, "code");
        f.subfields.push_back({code.empty() ? ' ' : code[0], text_of(s)});
      }
      r.fields.push_back(std::move(f));
    }
  }
  return r;
}

// The Dublin Core (and kho's fields) of one record, MARCXML kept whole.
Document entry_of(const std::string& marcxml) {
  Document entry;
  XmlDoc doc;
  if (!parse_xml(marcxml, "MARC record", false, &doc).ok()) return entry;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!is_element(root, "record")) root = first_child(root, "record");
  if (root == nullptr) return entry;
  MarcRecord r = record_of(root);
  std::map<std::string, std::string>& meta = entry.meta;
  leader_type(r.leader, &meta);
  std::string year008, language008;
  for (const Field& f : r.fields) {
    if (f.tag < "010")
      map_fixed(f, &year008, &language008);
    else
      map_data(f, &meta);
  }
  // 260/264 $c first; the fixed field's Date 1 when it says nothing.
  std::string published = meta["date_published"], notes = meta["notes"];
  meta.erase("date_published");
  meta.erase("notes");
  add(&meta, "description", notes);
  meta["date"] = published.empty() ? year008 : published.substr(0, 4);
  if (!meta.count("language") && !language008.empty()) meta["language"] = language008;
  meta["marcxml"] = marcxml;
  entry.media_type = "application/marcxml+xml";
  return entry;
}

std::string written(yaz_marc_t mt) {
  Wrbuf buf(wrbuf_alloc());
  if (yaz_marc_write_marcxml(mt, buf.get()) != 0) return "";
  return text::nfc(std::string(wrbuf_buf(buf.get()), wrbuf_len(buf.get())));
}

bool plausible_utf8(std::string_view bytes) {
  bool multibyte = false;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) continue;
    std::size_t n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
    if (n == 0 || i + n >= bytes.size()) return false;
    for (std::size_t j = 1; j <= n; ++j)
      if ((static_cast<unsigned char>(bytes[i + j]) & 0xC0) != 0x80) return false;
    i += n;
    multibyte = true;
  }
  return multibyte;
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The leader of an ISO 2709 record: length, "22" indicator and subfield code
// counts, base address, "4500" entry map.
bool iso2709_leader(std::string_view head) {
  return head.size() >= 24 && is_digits(head.substr(0, 5)) && head.substr(10, 2) == "22" &&
         is_digits(head.substr(12, 5)) && head.substr(20, 4) == "4500";
}

Status read_bytes(const std::string& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open file");
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("cannot read file");
  return Status::Ok();
}

Status too_many() {
  return Status::TooLarge("more than " + std::to_string(kMaxRecords) +
                          " MARC records in one file; split it");
}

// Records one after another, each with its length in its leader. Leader/09
// says MARC-8 (blank) or UTF-8 ("a"); records from Vietnamese systems often
// leave it blank while writing UTF-8, which the bytes themselves give away.
Status read_iso2709(const std::string& bytes, Document* out) {
  Marc mt(yaz_marc_create());
  Iconv marc8(yaz_iconv_open("utf-8", "marc8"));
  Iconv utf8(yaz_iconv_open("utf-8", "utf-8"));
  if (!mt || !marc8 || !utf8) return Status::Corrupt("YAZ cannot convert MARC-8");
  std::size_t at = 0, n = 0;
  while (at < bytes.size()) {
    if (bytes[at] == '\n' || bytes[at] == '\r' || bytes[at] == ' ' || bytes[at] == '\x1d') {
      ++at;  // line breaks or padding between records
      continue;
    }
    std::string_view rest(bytes.data() + at, bytes.size() - at);
    std::string where =
        "MARC record " + std::to_string(n + 1) + " (byte " + std::to_string(at) + ")";
    if (!iso2709_leader(rest))
      return Status::Corrupt(rest.size() < 24 ? "truncated: " + where + " ends inside its leader"
                                              : "damaged " + where + ": no MARC leader");
    std::size_t length = std::stoul(std::string(rest.substr(0, 5)));
    if (length > rest.size())
      return Status::Corrupt("truncated: " + where + " says it has " + std::to_string(length) +
                             " bytes, the file ends after " + std::to_string(rest.size()));
    if (++n > kMaxRecords) return too_many();
    std::string_view record = rest.substr(0, length);
    bool unicode = record[9] == 'a' || plausible_utf8(record);
    yaz_marc_iconv(mt.get(), unicode ? utf8.get() : marc8.get());
    yaz_marc_reset(mt.get());
    if (yaz_marc_read_iso2709(mt.get(), record.data(), static_cast<int>(length)) <= 0)
      return Status::Corrupt("damaged " + where + ": YAZ cannot read it");
    Document entry = entry_of(written(mt.get()));
    if (entry.meta.empty()) return Status::Corrupt("damaged " + where + ": YAZ cannot read it");
    out->entries.push_back(std::move(entry));
    at += length;
  }
  if (out->entries.empty()) return Status::Corrupt("no MARC records in the file");
  out->media_type = "application/marc";
  return Status::Ok();
}

Status read_marcxml(const std::string& bytes, Document* out) {
  XmlDoc doc;
  if (Status s = parse_xml(bytes, "the MARCXML file", false, &doc); !s.ok()) return s;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::vector<const xmlNode*> records;
  if (is_element(root, "record"))
    records.push_back(root);
  else if (is_element(root, "collection"))
    records = children(root, "record");
  if (records.empty()) return Status::Corrupt("no MARC records in the MARCXML file");
  if (records.size() > kMaxRecords) return too_many();
  Marc mt(yaz_marc_create());
  for (std::size_t i = 0; i < records.size(); ++i) {
    yaz_marc_reset(mt.get());
    Document entry;
    if (yaz_marc_read_xml(mt.get(), records[i]) == 0) entry = entry_of(written(mt.get()));
    if (entry.meta.empty())
      return Status::Corrupt("damaged MARC record " + std::to_string(i + 1) +
                             " in the MARCXML file: YAZ cannot read it");
    out->entries.push_back(std::move(entry));
  }
  out->media_type = "application/marcxml+xml";
  return Status::Ok();
}

bool marcxml_head(std::string_view head) {
  if (head.find("http://www.loc.gov/MARC21/slim") != std::string_view::npos) return true;
  return head.find("<leader>") != std::string_view::npos &&
         (head.find("<record") != std::string_view::npos ||
          head.find("<collection") != std::string_view::npos);
}

class MarcImporter : public Importer {
 public:
  std::string_view name() const override { return "marc"; }
  int accepts(const Sniff& sniff) const override {
    if (iso2709_leader(sniff.head)) return 100;
    return marcxml_head(sniff.head) ? 95 : 0;
  }
  Status extract(const std::string& path, Document* out) const override {
    std::string bytes;
    if (Status s = read_bytes(path, &bytes); !s.ok()) return s;
    Status s = iso2709_leader(bytes) ? read_iso2709(bytes, out) : read_marcxml(bytes, out);
    if (!s.ok()) return s;
    // The file's own record holds no text: a search for a title should find
    // the entry, not the file too.
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Importer> make_marc_importer() { return std::make_unique<MarcImporter>(); }

}  // namespace kho::importers
