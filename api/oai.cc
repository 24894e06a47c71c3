#include "api/oai.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "api/http_util.h"
#include "api/oai_metadata.h"

namespace kho::api {

namespace {

using oai::xml_escape;
using store::Sequence;

const char* const kVerbs[] = {"Identify",        "ListMetadataFormats", "ListSets",
                              "ListIdentifiers", "ListRecords",         "GetRecord"};

struct Format {
  const char* prefix;
  const char* schema;
  const char* ns;
};
const Format kFormats[] = {
    {"oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
     "http://www.openarchives.org/OAI/2.0/oai_dc/"},
    {"marcxml", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", oai::kMarcNamespace},
};

bool known_format(const std::string& prefix) {
  return std::any_of(std::begin(kFormats), std::end(kFormats),
                     [&](const Format& f) { return prefix == f.prefix; });
}

// A protocol error: its code (as OAI-PMH names it) and a sentence for people.
struct OaiError {
  std::string code, message;
};

// --- Dates --------------------------------------------------------------------

bool digits(const std::string& s, std::size_t at, std::size_t n, int* out) {
  *out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    *out = *out * 10 + (s[i] - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// A from/until argument (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ) as a full UTC
// datestamp, so that it compares as a string with the records' datestamps.
// A day alone means its first second (from) or its last (until).
bool parse_datestamp(const std::string& s, bool until, std::string* out, bool* day_only) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, &mo) ||
      s[7] != '-' || !digits(s, 8, 2, &d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
  *day_only = s.size() == 10;
  if (*day_only) {
    *out = s + (until ? "T23:59:59Z" : "T00:00:00Z");
    return true;
  }
  if (s.size() != 20 || s[10] != 'T' || !digits(s, 11, 2, &h) || s[13] != ':' ||
      !digits(s, 14, 2, &mi) || s[16] != ':' || !digits(s, 17, 2, &sec) || s[19] != 'Z')
    return false;
  if (h > 23 || mi > 59 || sec > 59) return false;
  *out = s;
  return true;
}

// --- Resumption tokens ----------------------------------------------------------

const char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::string& in) {
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    n += 8;
    while (n >= 6) out += kBase64Url[(bits >> (n -= 6)) & 63];
  }
  if (n > 0) out += kBase64Url[(bits << (6 - n)) & 63];
  return out;
}

std::optional<std::string> from_base64url(const std::string& in) {
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (char c : in) {
    const char* p = std::find(kBase64Url, kBase64Url + 64, c);
    if (p == kBase64Url + 64) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(p - kBase64Url);
    n += 6;
    if (n >= 8) out += static_cast<char>((bits >> (n -= 8)) & 255);
  }
  return out;
}

// One list request: its arguments and where in the change log it stands.
struct ListQuery {
  std::string verb, prefix, from, until, set;  // from/until as full datestamps
  Sequence after = 0;                          // resume after this change
  std::uint64_t cursor = 0;                    // items handed out before
};

constexpr const char* kTokenMagic = "kho-oai-1";

std::string encode_token(const ListQuery& q) {
  std::string plain = std::string(kTokenMagic) + "\n" + q.verb + "\n" + std::to_string(q.after) +
                      "\n" + std::to_string(q.cursor) + "\n" + q.prefix + "\n" + q.from + "\n" +
                      q.until + "\n" + q.set;
  return base64url(plain);
}

bool parse_number(const std::string& s, std::uint64_t* out) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = std::stoull(s);
  return true;
}

std::optional<ListQuery> decode_token(const std::string& token) {
  auto plain = from_base64url(token);
  if (!plain) return std::nullopt;
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t nl; (nl = plain->find('\n', start)) != std::string::npos; start = nl + 1)
    parts.push_back(plain->substr(start, nl - start));
  parts.push_back(plain->substr(start));
  if (parts.size() != 8 || parts[0] != kTokenMagic) return std::nullopt;
  ListQuery q{parts[1], parts[4], parts[5], parts[6], parts[7]};
  if (!parse_number(parts[2], &q.after) || !parse_number(parts[3], &q.cursor) ||
      !known_format(q.prefix))
    return std::nullopt;
  std::string full;
  bool day = false;
  for (const std::string* date : {&q.from, &q.until})
    if (!date->empty() && (!parse_datestamp(*date, false, &full, &day) || day)) return std::nullopt;
  return q;
}

// --- The change log, one record at a time -----------------------------------

// Walks the change log forward from a position and stops at each record's
// latest change only, so a list holds every record once, in datestamp order.
// A change is its record's latest when the record's datestamp is still that
// change's time and no later change in the same second names it. Only
// records' metadata is read, never their page text.
class LatestChanges {
 public:
  LatestChanges(const store::Store& store, Sequence after) : store_(store), fetched_(after) {}

  // The next latest change and its record; *done at the end of the log.
  Status next(store::Change* change, store::Record* record, bool* done) {
    for (;;) {
      if (buffer_.empty()) {
        if (exhausted_) {
          *done = true;
          return Status::Ok();
        }
        if (Status s = fetch(); !s.ok()) return s;
        continue;
      }
      if (buffer_.front().seq > block_end_)
        if (Status s = load_block(); !s.ok()) return s;
      store::Change c = std::move(buffer_.front());
      buffer_.pop_front();
      if (block_last_.at(c.id) != c.seq) continue;  // changed again in the same second
      Status s = store_.get(c.id, record);
      if (s.is_not_found()) continue;
      if (!s.ok()) return s;
      if (record->updated_at != c.at) continue;  // changed since: it comes later in the log
      *change = std::move(c);
      *done = false;
      return Status::Ok();
    }
  }

 private:
  static constexpr std::size_t kBatch = 256;

  Status fetch() {
    std::vector<store::Change> batch;
    if (Status s = store_.changes_since(fetched_, kBatch, &batch); !s.ok()) return s;
    exhausted_ = batch.size() < kBatch;
    if (!batch.empty()) fetched_ = batch.back().seq;
    std::move(batch.begin(), batch.end(), std::back_inserter(buffer_));
    return Status::Ok();
  }

  // Buffers every change of the front's second, and notes each record's last.
  Status load_block() {
    const std::string at = buffer_.front().at;
    while (!exhausted_ && buffer_.back().at == at)
      if (Status s = fetch(); !s.ok()) return s;
    block_last_.clear();
    for (const store::Change& c : buffer_) {
      if (c.at != at) break;
      block_last_[c.id] = block_end_ = c.seq;
    }
    return Status::Ok();
  }

  const store::Store& store_;
  Sequence fetched_;
  std::deque<store::Change> buffer_;
  bool exhausted_ = false;
  Sequence block_end_ = 0;  // the last change of the second being walked
  std::unordered_map<store::RecordId, Sequence> block_last_;
};

// The first change at or after `datestamp`. Each change takes its time inside
// the store's write transaction, so the log is in time order (unless the
// clock is set back) and a binary search finds it in a few reads.
Status first_change_at_or_after(const store::Store& store, const std::string& datestamp,
                                Sequence* out) {
  Sequence lo = 1, hi = store.last_sequence() + 1;
  std::vector<store::Change> one;
  while (lo < hi) {
    Sequence mid = lo + (hi - lo) / 2;
    if (Status s = store.changes_since(mid - 1, 1, &one); !s.ok()) return s;
    if (one.empty() || one.front().at >= datestamp)
      hi = mid;
    else
      lo = mid + 1;
  }
  *out = lo;
  return Status::Ok();
}

// --- Sets -----------------------------------------------------------------------

std::string field(const store::Record& r, const std::string& name) {
  auto it = r.fields.find(name);
  return it == r.fields.end() ? "" : it->second;
}

// The sets a record is in, as (kind of set, value): school, kind, collection.
std::vector<std::pair<std::string, std::string>> memberships(const store::Record& r) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!r.school.empty()) out.emplace_back("school", r.school);
  out.emplace_back("kind", r.kind);
  if (std::string c = field(r, "collection"); !c.empty()) out.emplace_back("collection", c);
  return out;
}

bool in_set(const store::Record& r, const std::string& set) {
  if (set.empty()) return true;
  auto colon = set.find(':');
  std::string group = set.substr(0, colon);
  for (const auto& [g, value] : memberships(r))
    if (g == group)
      return colon == std::string::npos || oai::set_spec_part(value) == set.substr(colon + 1);
  return false;
}

// OAI-PMH's setSpec syntax: one or more parts of A-Z a-z 0-9 - _ . ! ~ * ' ( ) joined by ':'.
bool valid_set_spec(const std::string& s) {
  if (s.empty() || s.front() == ':' || s.back() == ':' || s.find("::") != std::string::npos)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-_.!~*'():").find(c) != std::string_view::npos;
  });
}

}  // namespace

// --- The provider: one request in, one answer out ---------------------------------

class OaiProvider {
 public:
  OaiProvider(Library& library, const Access& access, const OaiOptions& options)
      : store_(library.store()), access_(access), options_(options) {
    repository_ = options.repository_identifier.empty() ? host(options.base_url)
                                                        : options.repository_identifier;
    std::string base = options.base_url;
    if (auto slash = base.rfind('/'); slash != std::string::npos && slash > base.find("//") + 1)
      base.erase(slash);
    root_url_ = base;
  }

  OaiResponse answer(const OaiArguments& arguments);

 private:
  static std::string host(const std::string& url);
  std::optional<OaiError> check_arguments(const OaiArguments& arguments);
  Status dispatch(std::string* body, std::optional<OaiError>* error);
  Status identify(std::string* body);
  Status list_metadata_formats(std::string* body, std::optional<OaiError>* error);
  Status list_sets(std::string* body, std::optional<OaiError>* error);
  Status list(std::string* body, std::optional<OaiError>* error);
  Status collect(const ListQuery& q, std::vector<std::pair<store::Record, Sequence>>* items,
                 bool* more);
  Status get_record(std::string* body, std::optional<OaiError>* error);
  Status readable(const std::string& identifier, store::Record* out,
                  std::optional<OaiError>* error);
  std::optional<OaiError> list_query(ListQuery* q);
  std::string envelope(const std::string& body, bool echo_arguments) const;
  std::string identifier(store::RecordId id) const {
    return "oai:" + repository_ + ":" + std::to_string(id);
  }
  std::string header(const store::Record& r) const;
  // What OAI-PMH shows: what the caller may read, never a diploma (personal
  // data is neither harvested nor exposed, whoever asks).
  bool exposed(const store::Record& r) const { return r.kind != "diploma" && access_.may_read(r); }
  std::string set_name(const std::string& group, const std::string& value) const;
  std::string record(const store::Record& r, const std::string& prefix) const;
  std::string arg(const std::string& name) const {
    auto it = args_.find(name);
    return it == args_.end() ? "" : it->second;
  }

  const store::Store& store_;
  const Access& access_;
  const OaiOptions& options_;
  std::string repository_, root_url_;
  std::string verb_;
  OaiArguments ordered_;
  std::map<std::string, std::string> args_;
};

std::string OaiProvider::host(const std::string& url) {
  std::size_t start = url.find("//");
  start = start == std::string::npos ? 0 : start + 2;
  std::string authority = url.substr(start, url.find('/', start) - start);
  if (authority.find(']') == std::string::npos) return authority.substr(0, authority.find(':'));
  return authority.substr(0, authority.find(']') + 1);  // [::1]:8080
}

OaiResponse OaiProvider::answer(const OaiArguments& arguments) {
  if (auto bad = check_arguments(arguments))
    return {200,
            envelope("<error code=\"" + bad->code + "\">" + xml_escape(bad->message) + "</error>",
                     false)};
  std::string body;
  std::optional<OaiError> error;
  Status s = dispatch(&body, &error);
  if (!s.ok()) return {500, "OAI-PMH " + verb_ + ": " + s.message()};
  if (!error) return {200, envelope(body, true)};
  body = "<error code=\"" + error->code + "\">" + xml_escape(error->message) + "</error>";
  return {200, envelope(body, error->code != "badArgument")};
}

// Which arguments each verb takes; resumptionToken, where allowed, stands alone.
std::optional<OaiError> OaiProvider::check_arguments(const OaiArguments& arguments) {
  int verbs = 0;
  for (const auto& [name, value] : arguments)
    if (name == "verb") ++verbs, verb_ = value;
  if (verbs != 1)
    return OaiError{"badVerb",
                    verbs == 0 ? "the verb argument is missing" : "the verb argument is repeated"};
  if (std::find(std::begin(kVerbs), std::end(kVerbs), verb_) == std::end(kVerbs))
    return OaiError{"badVerb", "'" + verb_ + "' is not an OAI-PMH verb"};
  bool lists = verb_ == "ListIdentifiers" || verb_ == "ListRecords";
  std::set<std::string> required, optional;
  if (verb_ == "ListMetadataFormats") optional = {"identifier"};
  if (verb_ == "ListSets") optional = {"resumptionToken"};
  if (verb_ == "GetRecord") required = {"identifier", "metadataPrefix"};
  if (lists) required = {"metadataPrefix"}, optional = {"from", "until", "set", "resumptionToken"};
  for (const auto& [name, value] : arguments) {
    if (name == "verb") continue;
    if (!required.count(name) && !optional.count(name))
      return OaiError{"badArgument", verb_ + " does not take the argument '" + name + "'"};
    if (!args_.emplace(name, value).second)
      return OaiError{"badArgument", "the argument '" + name + "' is repeated"};
    if (value.empty() && name != "resumptionToken")
      return OaiError{"badArgument", "the argument '" + name + "' is empty"};
    ordered_.emplace_back(name, value);
  }
  if (args_.count("resumptionToken")) {
    if (args_.size() > 1)
      return OaiError{"badArgument", "resumptionToken is an exclusive argument"};
    return std::nullopt;
  }
  for (const std::string& name : required)
    if (!args_.count(name))
      return OaiError{"badArgument", verb_ + " needs the argument '" + name + "'"};
  return std::nullopt;
}

Status OaiProvider::dispatch(std::string* body, std::optional<OaiError>* error) {
  if (verb_ == "Identify") return identify(body);
  if (verb_ == "ListMetadataFormats") return list_metadata_formats(body, error);
  if (verb_ == "ListSets") return list_sets(body, error);
  if (verb_ == "GetRecord") return get_record(body, error);
  return list(body, error);
}

std::string OaiProvider::envelope(const std::string& body, bool echo_arguments) const {
  std::string request = "<request";
  // After badVerb or badArgument the request is echoed without its arguments.
  if (echo_arguments) {
    request += " verb=\"" + xml_escape(verb_) + "\"";
    for (const auto& [name, value] : ordered_)
      request += " " + name + "=\"" + xml_escape(value) + "\"";
  }
  request += ">" + xml_escape(options_.base_url) + "</request>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ "
         "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">"
         "<responseDate>" +
         store::now_rfc3339() + "</responseDate>" + request + body + "</OAI-PMH>\n";
}

Status OaiProvider::identify(std::string* body) {
  std::vector<store::Change> first;
  if (Status s = store_.changes_since(0, 1, &first); !s.ok()) return s;
  std::string earliest = first.empty() ? store::now_rfc3339() : first.front().at;
  std::string email = options_.admin_email.empty() ? "kho@" + repository_ : options_.admin_email;
  *body = "<Identify><repositoryName>" + xml_escape(options_.repository_name) +
          "</repositoryName><baseURL>" + xml_escape(options_.base_url) +
          "</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>" + xml_escape(email) +
          "</adminEmail><earliestDatestamp>" + earliest +
          "</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
          "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>";
  // The oai-identifier description only where the namespace is a domain name, as its schema says.
  bool domain = !repository_.empty() && repository_.find('.') != std::string::npos &&
                std::isalpha(static_cast<unsigned char>(repository_.front())) &&
                repository_.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789-.") == std::string::npos;
  if (domain)
    *body +=
        "<description><oai-identifier "
        "xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai-identifier "
        "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\">"
        "<scheme>oai</scheme><repositoryIdentifier>" +
        repository_ + "</repositoryIdentifier><delimiter>:</delimiter><sampleIdentifier>" +
        identifier(1) + "</sampleIdentifier></oai-identifier></description>";
  *body += "</Identify>";
  return Status::Ok();
}

// A record by its OAI identifier, if this caller may read it; any other
// record is answered as if it did not exist.
Status OaiProvider::readable(const std::string& id, store::Record* out,
                             std::optional<OaiError>* error) {
  std::string prefix = "oai:" + repository_ + ":";
  std::uint64_t number = 0;
  bool ours = id.compare(0, prefix.size(), prefix) == 0 &&
              parse_number(id.substr(prefix.size()), &number) && number > 0;
  Status s = ours ? store_.get(number, out) : Status::NotFound(id);
  if (s.ok() && !exposed(*out)) s = Status::NotFound(id);
  if (s.is_not_found()) {
    *error = OaiError{"idDoesNotExist", "no record " + id + " in this repository"};
    return Status::Ok();
  }
  return s;
}

Status OaiProvider::list_metadata_formats(std::string* body, std::optional<OaiError>* error) {
  if (args_.count("identifier")) {
    store::Record r;
    if (Status s = readable(arg("identifier"), &r, error); !s.ok() || *error) return s;
  }
  *body = "<ListMetadataFormats>";
  for (const Format& f : kFormats)
    *body += std::string("<metadataFormat><metadataPrefix>") + f.prefix +
             "</metadataPrefix><schema>" + f.schema + "</schema><metadataNamespace>" + f.ns +
             "</metadataNamespace></metadataFormat>";
  *body += "</ListMetadataFormats>";
  return Status::Ok();
}

// Every set that holds a record this caller may read. Reads every record's
// metadata: ListSets is rare and a library's sets change with its records.
Status OaiProvider::list_sets(std::string* body, std::optional<OaiError>* error) {
  if (args_.count("resumptionToken")) {
    *error = OaiError{"badResumptionToken", "ListSets is answered whole; it has no tokens"};
    return Status::Ok();
  }
  static const std::map<std::string, std::string> kGroups = {
      {"school", "Trường"}, {"kind", "Loại tài liệu"}, {"collection", "Bộ sưu tập"}};
  std::map<std::string, std::string> sets;  // setSpec -> setName
  for (store::RecordId id = 1, last = store_.record_count(); id <= last; ++id) {
    store::Record r;
    Status s = store_.get(id, &r);
    if (s.is_not_found()) continue;
    if (!s.ok()) return s;
    if (!exposed(r)) continue;
    for (const auto& [group, value] : memberships(r)) {
      sets.emplace(group, kGroups.at(group));
      std::string spec = group + ":" + oai::set_spec_part(value);
      if (!sets.count(spec)) sets.emplace(spec, set_name(group, value));
    }
  }
  *body = "<ListSets>";
  for (const auto& [spec, name] : sets)
    *body += "<set><setSpec>" + xml_escape(spec) + "</setSpec><setName>" + xml_escape(name) +
             "</setName></set>";
  *body += "</ListSets>";
  return Status::Ok();
}

// A set's name as people know it: the collection's own name, the school's
// registered name, the kind in Vietnamese. (The setSpec has lost diacritics.)
std::string OaiProvider::set_name(const std::string& group, const std::string& value) const {
  if (group == "kind") return oai::kind_label(value);
  store::Organisation org;
  if (group == "school" && store_.get_organisation(value, &org).ok() && !org.name.empty())
    return org.name;
  return value;
}

std::string OaiProvider::header(const store::Record& r) const {
  std::string out = r.status == "withdrawn" ? "<header status=\"deleted\">" : "<header>";
  out += "<identifier>" + xml_escape(identifier(r.id)) + "</identifier><datestamp>" +
         xml_escape(r.updated_at) + "</datestamp>";
  for (const auto& [group, value] : memberships(r))
    out += "<setSpec>" + group + ":" + xml_escape(oai::set_spec_part(value)) + "</setSpec>";
  return out + "</header>";
}

// A withdrawn record is only its header: there is no metadata to give.
std::string OaiProvider::record(const store::Record& r, const std::string& prefix) const {
  std::string out = "<record>" + header(r);
  if (r.status != "withdrawn") {
    std::string file_url =
        r.originals.empty() ? "" : root_url_ + "/api/v1/records/" + std::to_string(r.id) + "/file";
    out +=
        "<metadata>" +
        (prefix == "marcxml" ? oai::render_marcxml(r, file_url) : oai::render_oai_dc(r, file_url)) +
        "</metadata>";
  }
  return out + "</record>";
}

Status OaiProvider::get_record(std::string* body, std::optional<OaiError>* error) {
  store::Record r;
  if (Status s = readable(arg("identifier"), &r, error); !s.ok() || *error) return s;
  if (!known_format(arg("metadataPrefix"))) {
    *error = OaiError{"cannotDisseminateFormat",
                      "kho gives records as oai_dc or marcxml, not " + arg("metadataPrefix")};
    return Status::Ok();
  }
  *body = "<GetRecord>" + record(r, arg("metadataPrefix")) + "</GetRecord>";
  return Status::Ok();
}

// The arguments of a first list request, or those its token carries.
std::optional<OaiError> OaiProvider::list_query(ListQuery* q) {
  if (args_.count("resumptionToken")) {
    auto decoded = decode_token(arg("resumptionToken"));
    if (!decoded || decoded->verb != verb_)
      return OaiError{"badResumptionToken", "this resumptionToken was not issued for " + verb_};
    if (decoded->after > store_.last_sequence())
      return OaiError{"badResumptionToken",
                      "this resumptionToken is from another repository or an older copy of it"};
    *q = *decoded;
    return std::nullopt;
  }
  q->verb = verb_;
  q->prefix = arg("metadataPrefix");
  q->set = arg("set");
  bool from_day = false, until_day = false;
  if (args_.count("from") && !parse_datestamp(arg("from"), false, &q->from, &from_day))
    return OaiError{"badArgument", "from: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"};
  if (args_.count("until") && !parse_datestamp(arg("until"), true, &q->until, &until_day))
    return OaiError{"badArgument", "until: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"};
  if (!q->from.empty() && !q->until.empty() && from_day != until_day)
    return OaiError{"badArgument", "from and until must have the same granularity"};
  if (!q->from.empty() && !q->until.empty() && q->from > q->until)
    return OaiError{"badArgument", "from is later than until"};
  if (!q->set.empty() && !valid_set_spec(q->set))
    return OaiError{"badArgument", "set: '" + q->set + "' is not a setSpec"};
  if (!known_format(q->prefix))
    return OaiError{"cannotDisseminateFormat",
                    "kho gives records as oai_dc or marcxml, not " + q->prefix};
  return std::nullopt;
}

// Up to a page of records matching the query, and whether more follow.
Status OaiProvider::collect(const ListQuery& q,
                            std::vector<std::pair<store::Record, Sequence>>* items, bool* more) {
  Sequence after = q.after;
  if (q.cursor == 0 && !q.from.empty()) {
    Sequence first = 0;
    if (Status s = first_change_at_or_after(store_, q.from, &first); !s.ok()) return s;
    after = first - 1;
  }
  LatestChanges log(store_, after);
  *more = false;
  for (;;) {
    store::Change change;
    store::Record r;
    bool done = false;
    if (Status s = log.next(&change, &r, &done); !s.ok()) return s;
    if (done || (!q.until.empty() && change.at > q.until)) return Status::Ok();
    if (!exposed(r) || !in_set(r, q.set) || (!q.from.empty() && r.updated_at < q.from)) continue;
    // One more than a page: only then does the answer promise a next page.
    if (items->size() == options_.page_size) {
      *more = true;
      return Status::Ok();
    }
    items->emplace_back(std::move(r), change.seq);
  }
}

Status OaiProvider::list(std::string* body, std::optional<OaiError>* error) {
  ListQuery q;
  if ((*error = list_query(&q))) return Status::Ok();
  std::vector<std::pair<store::Record, Sequence>> items;
  bool more = false;
  if (Status s = collect(q, &items, &more); !s.ok()) return s;
  if (items.empty()) {
    *error = OaiError{"noRecordsMatch", "no records match these arguments"};
    return Status::Ok();
  }
  bool identifiers_only = verb_ == "ListIdentifiers";
  *body = "<" + verb_ + ">";
  for (const auto& [r, seq] : items) *body += identifiers_only ? header(r) : record(r, q.prefix);
  std::string cursor = " cursor=\"" + std::to_string(q.cursor) + "\"";
  if (more) {
    ListQuery next = q;
    next.after = items.back().second;
    next.cursor = q.cursor + items.size();
    *body += "<resumptionToken" + cursor + ">" + encode_token(next) + "</resumptionToken>";
  } else if (q.cursor > 0) {
    *body += "<resumptionToken" + cursor + "/>";  // the list is complete
  }
  *body += "</" + verb_ + ">";
  return Status::Ok();
}

OaiResponse answer_oai(const OaiArguments& arguments, Library& library, const Access& access,
                       const OaiOptions& options) {
  return OaiProvider(library, access, options).answer(arguments);
}

OaiArguments parse_form(const std::string& body) {
  OaiArguments out;
  std::string_view rest = body;
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    out.emplace_back(percent_decode(name), percent_decode(value));
  }
  return out;
}

}  // namespace kho::api
