// The OAI-PMH provider as a harvester meets it: a real library, a real
// Pistache server on loopback, every verb and every error the protocol names.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "tests/api/access_callers.h"
#include "tests/api/oai_fixture.h"

using kho::testing::url_encode;
using kho::testing::oai::Answer;
using kho::testing::oai::fetch;
using kho::testing::oai::Item;
using kho::testing::oai::next_second;
using kho::testing::oai::Repository;
using kho::testing::oai::Xml;

namespace {

// Follows resumption tokens to the end; returns every header's identifier in
// order, and the cursor of every page.
struct Harvest {
  std::vector<std::string> identifiers, deleted, datestamps;
  std::vector<std::string> cursors;
  std::size_t pages = 0;
  std::string error;  // of the first page, if any
};

Harvest harvest(const Repository& repo, const std::string& verb, const std::string& arguments,
                const std::string& header = "") {
  Harvest h;
  std::string query = "verb=" + verb + "&" + arguments;
  for (;;) {
    Xml page = repo.ask(query, header);
    if (!page.error().empty()) {
      h.error = page.error();
      return h;
    }
    ++h.pages;
    REQUIRE(h.pages < 100);
    std::string headers = "//o:header";
    for (const auto& id : page.all(headers + "/o:identifier")) h.identifiers.push_back(id);
    for (const auto& id : page.all(headers + "[@status='deleted']/o:identifier"))
      h.deleted.push_back(id);
    for (const auto& d : page.all(headers + "/o:datestamp")) h.datestamps.push_back(d);
    if (page.count("//o:resumptionToken") == 0) return h;
    h.cursors.push_back(page.first("//o:resumptionToken/@cursor"));
    std::string token = page.first("//o:resumptionToken");
    if (token.empty()) return h;
    query = "verb=" + verb + "&resumptionToken=" + url_encode(token);
  }
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

std::string title_of(const Xml& answer) { return answer.first("//o:metadata/oai_dc:dc/dc:title"); }

}  // namespace

TEST_CASE("Identify describes the repository as the protocol asks") {
  Repository repo;
  auto first = repo.add({"Sách giáo khoa Toán 6"});
  Xml id = repo.ask("verb=Identify");
  CHECK(id.error().empty());
  CHECK(id.first("/o:OAI-PMH/o:request/@verb") == "Identify");
  CHECK(id.first("/o:OAI-PMH/o:request") == repo.base);
  CHECK(id.first("//o:Identify/o:baseURL") == repo.base);
  CHECK(id.first("//o:Identify/o:protocolVersion") == "2.0");
  CHECK(id.first("//o:Identify/o:deletedRecord") == "persistent");
  CHECK(id.first("//o:Identify/o:granularity") == "YYYY-MM-DDThh:mm:ssZ");
  CHECK(id.first("//o:Identify/o:earliestDatestamp") == first.created_at);
  CHECK_FALSE(id.first("//o:Identify/o:adminEmail").empty());
  CHECK_FALSE(id.first("//o:Identify/o:repositoryName").empty());
  CHECK(id.first("/o:OAI-PMH/o:responseDate").size() == 20);
}

TEST_CASE("ListMetadataFormats offers oai_dc and marcxml, for the repository or one record") {
  Repository repo;
  auto open = repo.add({"Giáo án Ngữ văn 7"});
  auto closed = repo.add({"Hồ sơ nội bộ", "admin-doc", "THCS-01", "school"});
  Xml all = repo.ask("verb=ListMetadataFormats");
  CHECK(as_set(all.all("//o:metadataFormat/o:metadataPrefix")) ==
        std::set<std::string>{"oai_dc", "marcxml"});
  CHECK(all.first("//o:metadataFormat[o:metadataPrefix='marcxml']/o:metadataNamespace") ==
        "http://www.loc.gov/MARC21/slim");
  Xml one = repo.ask("verb=ListMetadataFormats&identifier=" + repo.identifier(open.id));
  CHECK(one.count("//o:metadataFormat") == 2);
  CHECK(repo.ask("verb=ListMetadataFormats&identifier=" + repo.identifier(closed.id)).error() ==
        "idDoesNotExist");
  CHECK(repo.ask("verb=ListMetadataFormats&identifier=oai:127.0.0.1:999").error() ==
        "idDoesNotExist");
}

TEST_CASE("ListSets names the schools, kinds and collections of readable records only") {
  Repository repo;
  REQUIRE(
      repo.library->accounts().add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
  repo.add({"Tủ sách 1", "book", "THCS-01", "public", "Tủ sách Bác Hồ"});
  repo.add({"Kế hoạch bài dạy", "lesson-plan", "THPT Chu Văn An"});
  repo.add({"Văn bằng tốt nghiệp", "diploma", "THCS-SECRET", "private", "Hồ sơ mật"});
  Xml sets = repo.ask("verb=ListSets");
  std::set<std::string> specs = as_set(sets.all("//o:set/o:setSpec"));
  CHECK(specs == std::set<std::string>{"school", "school:THCS-01", "school:THPT-Chu-Van-An", "kind",
                                       "kind:book", "kind:lesson-plan", "collection",
                                       "collection:Tu-sach-Bac-Ho"});
  CHECK(sets.first("//o:set[o:setSpec='collection:Tu-sach-Bac-Ho']/o:setName") == "Tủ sách Bác Hồ");
  CHECK(sets.first("//o:set[o:setSpec='school:THPT-Chu-Van-An']/o:setName") == "THPT Chu Văn An");
  // A registered school is named as registered.
  CHECK(sets.first("//o:set[o:setSpec='school:THCS-01']/o:setName") == "Trường THCS Mỹ Thành");
  CHECK(sets.first("//o:set[o:setSpec='kind:lesson-plan']/o:setName") == "Kế hoạch bài dạy");
  // Nothing about the private record leaks: not its school, kind or collection.
  Answer raw = repo.get("verb=ListSets");
  CHECK(raw.body.find("SECRET") == std::string::npos);
  CHECK(raw.body.find("diploma") == std::string::npos);
  CHECK(raw.body.find("Hồ sơ mật") == std::string::npos);
  CHECK(repo.ask("verb=ListSets&resumptionToken=abc").error() == "badResumptionToken");
}

TEST_CASE("GetRecord gives Dublin Core and MARCXML, escaped so any title survives") {
  Repository repo;
  std::string title = "Toán & Tin <nâng cao> \"lớp 9\"";
  auto r = repo.add({title, "book", "THCS-01", "public", "Tủ sách"});
  std::string id = repo.identifier(r.id);

  Xml dc = repo.ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + url_encode(id));
  CHECK(dc.error().empty());
  CHECK(dc.first("/o:OAI-PMH/o:request/@identifier") == id);
  CHECK(dc.first("//o:record/o:header/o:identifier") == id);
  CHECK(dc.first("//o:record/o:header/o:datestamp") == r.updated_at);
  CHECK(as_set(dc.all("//o:record/o:header/o:setSpec")) ==
        std::set<std::string>{"school:THCS-01", "kind:book", "collection:Tu-sach"});
  CHECK(title_of(dc) == title);
  CHECK(dc.first("//dc:format") == "text/plain");
  std::string file_url = "/api/v1/records/" + std::to_string(r.id) + "/file";
  auto identifiers = dc.all("//dc:identifier");
  REQUIRE(identifiers.size() == 1);
  CHECK(identifiers[0].size() > file_url.size());
  CHECK(identifiers[0].compare(identifiers[0].size() - file_url.size(), file_url.size(),
                               file_url) == 0);
  // The link is real: it fetches the original.
  Answer file = fetch(identifiers[0]);
  CHECK(file.status == 200);
  CHECK(file.body.find(title) != std::string::npos);

  Xml marc = repo.ask("verb=GetRecord&metadataPrefix=marcxml&identifier=" + url_encode(id));
  CHECK(marc.first("//o:metadata/marc:record/marc:leader").size() == 24);
  CHECK(marc.first("//marc:datafield[@tag='245']/marc:subfield[@code='a']") == title);
  CHECK(marc.first("//marc:datafield[@tag='856']/marc:subfield[@code='u']") == identifiers[0]);
  CHECK(marc.first("//marc:datafield[@tag='856']/marc:subfield[@code='q']") == "text/plain");
}

TEST_CASE("marcxml gives a catalogue record whole when the record keeps one") {
  Repository repo;
  std::string catalogue =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<collection xmlns=\"http://www.loc.gov/MARC21/slim\"><record>"
      "<leader>00000cam a2200000 a 4500</leader><controlfield tag=\"001\">VN-123</controlfield>"
      "<datafield tag=\"020\" ind1=\" \" ind2=\" \"><subfield code=\"a\">9786040000000</subfield>"
      "</datafield><datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\">"
      "Truyện Kiều</subfield></datafield></record></collection>";
  auto kept = repo.add({"Truyện Kiều", "book", "THCS-01", "public", "", {{"marcxml", catalogue}}});
  auto broken =
      repo.add({"Lục Vân Tiên", "book", "THCS-01", "public", "", {{"marcxml", "<record><oops"}}});

  Xml a = repo.ask("verb=GetRecord&metadataPrefix=marcxml&identifier=" + repo.identifier(kept.id));
  CHECK(a.first("//o:metadata/marc:record/marc:controlfield[@tag='001']") == "VN-123");
  CHECK(a.first("//marc:datafield[@tag='020']/marc:subfield") == "9786040000000");
  CHECK(a.count("//o:metadata/marc:record") == 1);
  CHECK(a.count("//o:metadata//marc:collection") == 0);

  // Not well-formed: the crosswalk from Dublin Core answers instead.
  Xml b =
      repo.ask("verb=GetRecord&metadataPrefix=marcxml&identifier=" + repo.identifier(broken.id));
  CHECK(b.first("//marc:datafield[@tag='245']/marc:subfield[@code='a']") == "Lục Vân Tiên");
}

TEST_CASE("ListRecords and ListIdentifiers walk every readable record across pages") {
  Repository repo(3);
  std::set<std::string> expected;
  for (int i = 1; i <= 10; ++i)
    expected.insert(repo.identifier(repo.add({"Tài liệu " + std::to_string(i)}).id));
  auto hidden = repo.add({"Riêng của trường", "other", "THCS-01", "private"});
  auto gone = repo.add({"Bản trùng"});
  REQUIRE(repo.library->store().withdraw(gone.id, "trùng lặp", "test").ok());
  expected.insert(repo.identifier(gone.id));

  for (const char* verb : {"ListRecords", "ListIdentifiers"}) {
    for (const char* prefix : {"oai_dc", "marcxml"}) {
      INFO(verb << " " << prefix);
      Harvest h = harvest(repo, verb, std::string("metadataPrefix=") + prefix);
      CHECK(h.error.empty());
      CHECK(h.pages == 4);  // 11 records, 3 a page
      CHECK(h.cursors == std::vector<std::string>{"0", "3", "6", "9"});
      CHECK(h.identifiers.size() == expected.size());  // each record once
      CHECK(as_set(h.identifiers) == expected);
      CHECK(h.deleted == std::vector<std::string>{repo.identifier(gone.id)});
      CHECK(std::is_sorted(h.datestamps.begin(), h.datestamps.end()));
      CHECK(std::find(h.identifiers.begin(), h.identifiers.end(), repo.identifier(hidden.id)) ==
            h.identifiers.end());
    }
  }
  // A withdrawn record is a header only; the others carry their metadata.
  Xml gone_record =
      repo.ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + repo.identifier(gone.id));
  CHECK(gone_record.first("//o:record/o:header/@status") == "deleted");
  CHECK(gone_record.count("//o:record/o:metadata") == 0);
  Xml page = repo.ask("verb=ListRecords&metadataPrefix=oai_dc");
  CHECK(page.count("//o:record/o:metadata/oai_dc:dc/dc:title") == 3);
}

TEST_CASE("a record the caller may not read does not exist for them") {
  Repository repo;
  auto shared = repo.add({"Chia sẻ trong mạng", "lesson-plan", "THCS-01", "shared"});
  auto diploma = repo.add({"Sổ gốc văn bằng", "diploma", "THCS-01", "private"});
  for (const auto& r : {shared, diploma}) {
    std::string id = repo.identifier(r.id);
    CHECK(repo.ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + id).error() ==
          "idDoesNotExist");
  }
  CHECK(repo.ask("verb=ListIdentifiers&metadataPrefix=oai_dc").error() == "noRecordsMatch");
  CHECK(repo.ask("verb=ListRecords&metadataPrefix=oai_dc&set=kind:diploma").error() ==
        "noRecordsMatch");
  // Once public, it is there; once private again, gone again.
  kho::Edit edit;
  edit.set["visibility"] = "public";
  kho::store::Record out;
  REQUIRE(repo.library->edit(shared.id, edit, &out).ok());
  Harvest h = harvest(repo, "ListIdentifiers", "metadataPrefix=oai_dc");
  CHECK(h.identifiers == std::vector<std::string>{repo.identifier(shared.id)});
}

TEST_CASE(
    "each harvester gets exactly what its account may read, by role and school, never a diploma") {
  Repository repo(2);
  auto& accounts = repo.library->accounts();
  REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
  REQUIRE(accounts.add_school({"THCS-02", "Trường THCS khác", "", ""}, "cli").ok());
  auto callers = kho::testing::make_callers(accounts);
  std::map<std::string, std::string> names;  // OAI identifier -> "kind/visibility"
  for (const std::string kind : {"diploma", "lesson-plan"})
    for (const std::string visibility : {"private", "school", "shared", "public"}) {
      if (kind == "diploma" && visibility == "public") continue;
      auto r = repo.add({"Hồ sơ " + kind + " " + visibility, kind, "THCS-01", visibility});
      names[repo.identifier(r.id)] = kind + "/" + visibility;
    }
  // What each caller may read, less diplomas: OAI-PMH never shows personal
  // data, not even to the staff who may read it in kho itself.
  std::map<std::string, std::set<std::string>> expected;
  for (const auto& [caller, readable] : kho::testing::kReadable)
    for (const auto& name : readable)
      if (name.rfind("diploma", 0) != 0) expected[caller].insert(name);
  for (const auto& [caller, header] : callers) {
    INFO(caller);
    for (const char* verb : {"ListIdentifiers", "ListRecords"}) {
      std::set<std::string> listed;
      for (const auto& id : harvest(repo, verb, "metadataPrefix=oai_dc", header).identifiers)
        listed.insert(names[id]);
      CHECK(listed == expected[caller]);
    }
    for (const auto& [id, name] : names) {
      INFO(name);
      Xml got = repo.ask("verb=GetRecord&metadataPrefix=marcxml&identifier=" + id, header);
      CHECK(got.error() == (expected[caller].count(name) ? "" : "idDoesNotExist"));
    }
    CHECK(repo.get("verb=ListSets", header).body.find("kind:diploma") == std::string::npos);
  }
  // A bad token is refused outright rather than answered as anonymous.
  CHECK(repo.get("verb=Identify", "Authorization: Bearer not-a-token").status == 401);
}

TEST_CASE("sets select records by school, kind and collection") {
  Repository repo(2);
  auto a = repo.add({"Sách 1", "book", "THCS-01", "public", "Tủ sách Bác Hồ"});
  auto b = repo.add({"Sách 2", "book", "THCS-02", "public", "Tủ sách Bác Hồ"});
  auto c = repo.add({"Giáo án", "lesson-plan", "THCS-02"});
  auto d = repo.add({"Công văn", "admin-doc", "THCS-02"});
  auto e = repo.add({"Sách 3", "book", "THCS-02"});
  auto ids = [&](std::initializer_list<kho::store::Record> records) {
    std::set<std::string> out;
    for (const auto& r : records) out.insert(repo.identifier(r.id));
    return out;
  };
  auto listed = [&](const std::string& set) {
    Harvest h = harvest(repo, "ListIdentifiers", "metadataPrefix=oai_dc&set=" + url_encode(set));
    INFO(set << " " << h.error);
    return as_set(h.identifiers);
  };
  CHECK(listed("school:THCS-02") == ids({b, c, d, e}));
  CHECK(listed("kind:book") == ids({a, b, e}));
  CHECK(listed("collection:Tu-sach-Bac-Ho") == ids({a, b}));
  CHECK(listed("collection") == ids({a, b}));
  CHECK(listed("school") == ids({a, b, c, d, e}));
  Harvest none = harvest(repo, "ListRecords", "metadataPrefix=oai_dc&set=school:THCS-99");
  CHECK(none.error == "noRecordsMatch");
  Harvest records = harvest(repo, "ListRecords", "metadataPrefix=oai_dc&set=kind:book");
  CHECK(as_set(records.identifiers) == ids({a, b, e}));
  CHECK(records.pages == 2);
}

TEST_CASE("from and until select by the datestamp of each record's last change") {
  Repository repo(2);
  auto a1 = repo.add({"Cũ 1"});
  auto a2 = repo.add({"Cũ 2"});
  auto a3 = repo.add({"Cũ 3"});
  std::string second = next_second();
  auto b1 = repo.add({"Mới 1"});
  auto b2 = repo.add({"Mới 2"});
  std::string third = next_second();
  // Changing an old record moves it to the latest datestamp.
  kho::Edit edit;
  edit.set["title"] = "Cũ 2 (đã sửa)";
  kho::store::Record edited;
  REQUIRE(repo.library->edit(a2.id, edit, &edited).ok());
  REQUIRE(repo.library->store().withdraw(a3.id, "hết hạn", "test").ok());
  CHECK(edited.updated_at >= third);

  auto ids = [&](std::initializer_list<kho::store::Record> records) {
    std::set<std::string> out;
    for (const auto& r : records) out.insert(repo.identifier(r.id));
    return out;
  };
  auto listed = [&](const std::string& arguments) {
    Harvest h = harvest(repo, "ListIdentifiers", "metadataPrefix=oai_dc&" + arguments);
    INFO(arguments << " " << h.error);
    return as_set(h.identifiers);
  };
  std::string before_second = a1.updated_at;
  CHECK(listed("from=" + url_encode(second)) == ids({b1, b2, a2, a3}));
  CHECK(listed("from=" + url_encode(third)) == ids({a2, a3}));
  CHECK(listed("until=" + url_encode(before_second)) == ids({a1}));
  CHECK(listed("from=" + url_encode(second) + "&until=" + url_encode(b2.updated_at)) ==
        ids({b1, b2}));
  std::string today = second.substr(0, 10);
  CHECK(listed("from=" + today + "&until=" + today).size() == 5);
  // The withdrawn record is reported to incremental harvesters as deleted.
  Harvest latest =
      harvest(repo, "ListIdentifiers", "metadataPrefix=oai_dc&from=" + url_encode(third));
  CHECK(latest.deleted == std::vector<std::string>{repo.identifier(a3.id)});
  CHECK(repo.ask("verb=ListIdentifiers&metadataPrefix=oai_dc&until=2000-01-01").error() ==
        "noRecordsMatch");
  CHECK(repo.ask("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2999-01-01").error() ==
        "noRecordsMatch");
}

TEST_CASE("a record changed during a harvest is not lost: it comes again at the end") {
  Repository repo(2);
  std::vector<kho::store::Record> records;
  for (int i = 1; i <= 5; ++i) records.push_back(repo.add({"Bài " + std::to_string(i)}));
  Xml first = repo.ask("verb=ListIdentifiers&metadataPrefix=oai_dc");
  auto page1 = first.all("//o:header/o:identifier");
  REQUIRE(page1.size() == 2);
  std::string token = first.first("//o:resumptionToken");
  REQUIRE_FALSE(token.empty());
  // Already harvested, then edited: the harvest now in progress brings it again.
  kho::Edit edit;
  edit.set["title"] = "Bài 1 (sửa)";
  kho::store::Record edited;
  REQUIRE(repo.library->edit(records[0].id, edit, &edited).ok());
  std::vector<std::string> rest;
  for (std::string query = "verb=ListIdentifiers&resumptionToken=" + url_encode(token);;) {
    Xml page = repo.ask(query);
    REQUIRE(page.error().empty());
    for (const auto& id : page.all("//o:header/o:identifier")) rest.push_back(id);
    std::string next = page.first("//o:resumptionToken");
    if (next.empty()) break;
    query = "verb=ListIdentifiers&resumptionToken=" + url_encode(next);
  }
  CHECK(rest.size() == 4);
  CHECK(rest.back() == repo.identifier(records[0].id));
  // Tokens do not expire: the first one still gives the same next page.
  Xml again = repo.ask("verb=ListIdentifiers&resumptionToken=" + url_encode(token));
  CHECK(again.first("//o:header/o:identifier") == rest.front());
}

TEST_CASE("every protocol error is answered with HTTP 200 and its code") {
  Repository repo(2);
  auto r = repo.add({"Tài liệu"});
  repo.add({"Tài liệu 2"});
  repo.add({"Tài liệu 3"});
  std::string id = repo.identifier(r.id);
  struct Case {
    std::string query, code;
  };
  const Case cases[] = {
      {"", "badVerb"},
      {"verb=Frobnicate", "badVerb"},
      {"verb=listrecords&metadataPrefix=oai_dc", "badVerb"},
      {"verb=Identify&extra=1", "badArgument"},
      {"verb=ListRecords", "badArgument"},
      {"verb=ListIdentifiers&set=kind:other", "badArgument"},
      {"verb=GetRecord&identifier=" + id, "badArgument"},
      {"verb=GetRecord&metadataPrefix=oai_dc", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T10:00:00.5Z", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T10:00:00", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",
       "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&set=bad%20set", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x", "badArgument"},
      {"verb=ListRecords&metadataPrefix=", "badArgument"},
      {"verb=ListRecords&metadataPrefix=mods", "cannotDisseminateFormat"},
      {"verb=ListIdentifiers&metadataPrefix=mods", "cannotDisseminateFormat"},
      {"verb=GetRecord&metadataPrefix=mods&identifier=" + id, "cannotDisseminateFormat"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:127.0.0.1:999", "idDoesNotExist"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:other.edu.vn:1", "idDoesNotExist"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=1", "idDoesNotExist"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:127.0.0.1:0", "idDoesNotExist"},
      {"verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"},
      {"verb=ListRecords&resumptionToken=", "badResumptionToken"},
      {"verb=ListRecords&metadataPrefix=oai_dc&set=school:NOWHERE", "noRecordsMatch"},
  };
  for (const Case& c : cases) {
    Answer a = repo.get(c.query);
    INFO(c.query << "\n" << a.body);
    CHECK(a.status == 200);
    Xml answer(a.body);
    CHECK(answer.error() == c.code);
    CHECK_FALSE(answer.first("/o:OAI-PMH/o:error").empty());
    CHECK(answer.first("/o:OAI-PMH/o:request") == repo.base);
    // After badVerb or badArgument the request is echoed without arguments.
    bool bare = c.code == "badVerb" || c.code == "badArgument";
    CHECK((answer.count("/o:OAI-PMH/o:request/@*") == 0) == bare);
  }

  SECTION("a token answers only the verb it was issued for") {
    Xml page = repo.ask("verb=ListIdentifiers&metadataPrefix=oai_dc");
    std::string token = page.first("//o:resumptionToken");
    REQUIRE_FALSE(token.empty());
    CHECK(repo.ask("verb=ListRecords&resumptionToken=" + url_encode(token)).error() ==
          "badResumptionToken");
    CHECK(repo.ask("verb=ListIdentifiers&resumptionToken=" + url_encode(token)).error().empty());
  }
  SECTION("a token from another repository (or a restored copy) is refused") {
    Repository bigger(2);
    for (int i = 0; i < 8; ++i) bigger.add({"Khác " + std::to_string(i)});
    Xml page = bigger.ask("verb=ListIdentifiers&metadataPrefix=oai_dc");
    std::string token;
    for (int i = 0; i < 3; ++i) {  // a position beyond everything this repository holds
      token = page.first("//o:resumptionToken");
      page = bigger.ask("verb=ListIdentifiers&resumptionToken=" + url_encode(token));
    }
    CHECK(repo.ask("verb=ListIdentifiers&resumptionToken=" + url_encode(token)).error() ==
          "badResumptionToken");
  }
  SECTION("POST with a form body answers like GET and sees repeated arguments") {
    auto post = [&](const std::string& form) {
      Answer a = fetch(repo.base, &form);
      INFO(form << "\n" << a.body);
      REQUIRE(a.status == 200);
      return Xml(a.body);
    };
    CHECK(title_of(post("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + url_encode(id))) ==
          "Tài liệu");
    CHECK(post("verb=Identify&verb=Identify").error() == "badVerb");
    CHECK(post("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc").error() ==
          "badArgument");
    CHECK(post("verb=ListRecords&metadataPrefix=oai_dc&set=kind:other&set=kind:book").error() ==
          "badArgument");
  }
  SECTION("other methods are refused") {
    // (a DELETE is not part of the protocol)
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, (repo.base + "?verb=Identify").c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    std::string body;
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, kho::testing::oai::append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    REQUIRE(curl_easy_perform(curl) == CURLE_OK);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    CHECK(status == 405);
  }
}

TEST_CASE("characters XML forbids are dropped, never sent") {
  Repository repo;
  auto r = repo.add({std::string("Báo cáo\x01\x0b tổng kết \xef\xbf\xbe năm học")});
  Xml dc = repo.ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + repo.identifier(r.id));
  CHECK(title_of(dc) == "Báo cáo tổng kết  năm học");
}
