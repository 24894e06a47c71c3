// kho's /oai harvested by two OAI-PMH clients that exist in the wild: Debian's
// libhttp-oai-perl (its oai_pmh command and HTTP::OAI::Harvester) and npm's
// oai-pmh (its command line, installed by ctest's "oai: npm ci" fixture), and
// kho's own harvester (harvest/) between two nodes. Each harvests a dozen
// records three to a page, so every full harvest follows several resumption
// tokens.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harvest/harvest.h"
#include "tests/api/oai_fixture.h"

extern char** environ;

using kho::testing::TempDir;
using kho::testing::oai::Item;
using kho::testing::oai::next_second;
using kho::testing::oai::Repository;
using nlohmann::json;

namespace {

struct Run {
  int exit_code = -1;
  std::string out, err;
};

// Runs a program found on PATH; its output goes through files, so a chatty
// client never blocks on a full pipe while we wait for it.
Run run(std::vector<std::string> args) {
  TempDir tmp;
  std::string out = tmp.str() + "/out", err = tmp.str() + "/err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  Run r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = kho::testing::read_file(out);
  r.err = kho::testing::read_file(err);
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The library both clients harvest: 12 readable records (one withdrawn, one
// changed late), a private diploma they must never see, and the moment
// before the late changes for incremental harvests.
struct Harvested {
  Repository repo{3};
  std::set<std::string> all, school1, school2, books, late, deleted;
  std::string private_id, changed_title = "Sách giáo khoa Toán 6 (tái bản)";
  std::string late_from, changed_id;

  Harvested() {
    auto add = [&](const Item& item) {
      auto r = repo.add(item);
      std::string id = repo.identifier(r.id);
      all.insert(id);
      (item.school == "THCS-01" ? school1 : school2).insert(id);
      if (item.kind == "book") books.insert(id);
      return r;
    };
    auto toan = add({"Sách giáo khoa Toán 6", "book", "THCS-01", "public", "Tủ sách Bác Hồ"});
    add({"Tiếng Việt 1 – Cánh Diều", "book", "THCS-01"});
    add({"Lịch sử & Địa lí 7", "book", "THCS-01"});
    auto old = add({"Từ điển cũ", "book", "THCS-01"});
    add({"Kế hoạch bài dạy: Phân số", "lesson-plan", "THCS-01"});
    add({"Kế hoạch bài dạy: Hình học", "lesson-plan", "THCS-01"});
    add({"Quyết định 123/QĐ-UBND", "admin-doc", "THCS-02"});
    add({"Công văn 44/KH-PGDĐT", "admin-doc", "THCS-02"});
    add({"Thông báo tuyển sinh", "admin-doc", "THCS-02"});
    add({"Giáo án Ngữ văn 9", "lesson-plan", "THCS-02"});
    add({"Truyện Kiều", "book", "THCS-02"});
    private_id = repo.identifier(repo.add({"Sổ gốc văn bằng", "diploma", "THCS-02", "private"}).id);

    late_from = next_second();
    kho::Edit edit;
    edit.set["title"] = changed_title;
    kho::store::Record out;
    REQUIRE(repo.library->edit(toan.id, edit, &out).ok());
    REQUIRE(repo.library->store().withdraw(old.id, "thanh lý", "test").ok());
    auto added = add({"Giáo án Tin học 8", "lesson-plan", "THCS-02"});
    changed_id = repo.identifier(toan.id);
    late = {changed_id, repo.identifier(old.id), repo.identifier(added.id)};
    deleted = {repo.identifier(old.id)};
  }
};

// --- Debian's libhttp-oai-perl -------------------------------------------------

struct PerlRecord {
  std::string identifier, status, title;
  std::set<std::string> sets;
};

// oai_pmh prints each record as "name: value" header lines, its metadata,
// then a form feed.
std::vector<PerlRecord> oai_pmh(std::vector<std::string> args, Run* run_out = nullptr) {
  args.insert(args.begin(), {"env", "PERL_UNICODE=SAO", "oai_pmh"});
  Run r = run(args);
  if (run_out != nullptr) *run_out = r;
  std::vector<PerlRecord> records;
  std::istringstream in(r.out);
  for (std::string chunk; std::getline(in, chunk, '\f');) {
    PerlRecord rec;
    for (const std::string& line : lines(chunk)) {
      auto value = [&](const std::string& name) {
        return line.compare(0, name.size(), name) == 0 ? line.substr(name.size()) : "";
      };
      if (auto v = value("identifier: "); !v.empty()) rec.identifier = v;
      if (auto v = value("status: "); !v.empty()) rec.status = v;
      if (auto v = value("setSpec: "); !v.empty()) rec.sets.insert(v);
      auto open = line.find("<dc:title>"), close = line.find("</dc:title>");
      if (open != std::string::npos && close != std::string::npos)
        rec.title = line.substr(open + 10, close - open - 10);
    }
    if (!rec.identifier.empty()) records.push_back(rec);
  }
  INFO(r.err);
  return records;
}

std::set<std::string> identifiers(const std::vector<PerlRecord>& records) {
  std::set<std::string> out;
  for (const auto& r : records) out.insert(r.identifier);
  return out;
}

// HTTP::OAI::Harvester from a few lines of Perl, for what oai_pmh cannot print.
Run perl(const std::string& script, const std::string& base) {
  return run({"env", "PERL_UNICODE=SAO", "perl", "-MHTTP::OAI", "-e", script, base});
}

}  // namespace

TEST_CASE("Debian's libhttp-oai-perl harvests every record across resumption pages") {
  Harvested lib;
  const std::string& base = lib.repo.base;

  for (const char* prefix : {"oai_dc", "marcxml"}) {
    INFO(prefix);
    Run r;
    auto records = oai_pmh({"-X", "ListRecords", "--metadataPrefix", prefix, base}, &r);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(records.size() == lib.all.size());  // 12 records, 4 pages, each record once
    CHECK(identifiers(records) == lib.all);
    std::set<std::string> deleted;
    for (const auto& rec : records)
      if (rec.status == "deleted") deleted.insert(rec.identifier);
    CHECK(deleted == lib.deleted);
    CHECK(identifiers(records).count(lib.private_id) == 0);
  }
  auto dc = oai_pmh({base});  // ListRecords in oai_dc is what oai_pmh does by default
  std::set<std::string> titles;
  for (const auto& rec : dc) titles.insert(rec.title);
  CHECK(titles.count(lib.changed_title) == 1);
  CHECK(titles.count("Lịch sử &amp; Địa lí 7") == 1);  // as the XML carries it

  auto list = [&](std::vector<std::string> more) {
    std::vector<std::string> args = {"-X", "ListIdentifiers", "--metadataPrefix", "oai_dc"};
    args.insert(args.end(), more.begin(), more.end());
    args.push_back(base);
    return identifiers(oai_pmh(args));
  };
  CHECK(list({}) == lib.all);
  CHECK(list({"--set", "school:THCS-01"}) == lib.school1);
  CHECK(list({"--set", "school:THCS-02"}) == lib.school2);
  CHECK(list({"--set", "kind:book"}) == lib.books);
  CHECK(list({"--from", lib.late_from}) == lib.late);
  CHECK(list({"--from", lib.late_from.substr(0, 10)}) == lib.all);

  Run got;
  auto one = oai_pmh(
      {"-X", "GetRecord", "--metadataPrefix", "oai_dc", "--identifier", lib.changed_id, base},
      &got);
  REQUIRE(one.size() == 1);
  CHECK(one[0].identifier == lib.changed_id);
  CHECK(one[0].title == lib.changed_title);

  Run missing;
  oai_pmh({"-X", "GetRecord", "--metadataPrefix", "oai_dc", "--identifier", lib.private_id, base},
          &missing);
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("idDoesNotExist") != std::string::npos);
  Run unknown_format;
  oai_pmh({"-X", "ListRecords", "--metadataPrefix", "mods", base}, &unknown_format);
  CHECK(unknown_format.exit_code != 0);
  CHECK(unknown_format.err.find("cannotDisseminateFormat") != std::string::npos);

  Run formats = run({"oai_pmh", "-X", "ListMetadataFormats", base});
  CHECK(formats.exit_code == 0);
  CHECK(formats.out.find("metadataPrefix: oai_dc") != std::string::npos);
  CHECK(formats.out.find("metadataPrefix: marcxml") != std::string::npos);

  Run identify = perl(
      "my $r = HTTP::OAI::Harvester->new(baseURL => $ARGV[0])->Identify;"
      "die $r->message, qq{\\n} unless $r->is_success;"
      "print join(qq{\\n}, $r->protocolVersion, $r->granularity, $r->baseURL), qq{\\n};",
      base);
  INFO(identify.err);
  CHECK(lines(identify.out) == std::vector<std::string>{"2.0", "YYYY-MM-DDThh:mm:ssZ", base});

  Run sets = perl(
      "my $r = HTTP::OAI::Harvester->new(baseURL => $ARGV[0])->ListSets;"
      "die $r->message, qq{\\n} unless $r->is_success;"
      "while (my $s = $r->next) { print $s->setSpec, qq{\\t}, $s->setName, qq{\\n} }",
      base);
  INFO(sets.err);
  auto set_lines = lines(sets.out);
  std::set<std::string> specs;
  for (const auto& l : set_lines) specs.insert(l.substr(0, l.find('\t')));
  CHECK(specs == std::set<std::string>{"collection", "collection:Tu-sach-Bac-Ho", "kind",
                                       "kind:admin-doc", "kind:book", "kind:lesson-plan", "school",
                                       "school:THCS-01", "school:THCS-02"});
  CHECK(std::count(set_lines.begin(), set_lines.end(),
                   "collection:Tu-sach-Bac-Ho\tTủ sách Bác Hồ") == 1);
}

// --- npm's oai-pmh ------------------------------------------------------------------

namespace {

// The oai-pmh command prints one JSON object per item.
std::vector<json> npm_oai(std::vector<std::string> args, Run* run_out = nullptr) {
  std::string cli = std::string(KHO_OAI_CLIENT_DIR) + "/node_modules/oai-pmh/bin/oai-pmh";
  INFO("npm's oai-pmh is installed by ctest's \"oai: npm ci\": run ctest, or npm ci --prefix "
       << KHO_OAI_CLIENT_DIR);
  REQUIRE(std::filesystem::exists(cli));
  args.insert(args.begin(), {"node", cli});
  Run r = run(args);
  if (run_out != nullptr) *run_out = r;
  std::vector<json> out;
  for (const std::string& line : lines(r.out)) out.push_back(json::parse(line));
  return out;
}

// A header as xml2js gives it: {identifier, datestamp, setSpec, $: {status}}.
std::string status_of(const json& header) {
  return header.contains("$") ? header["$"].value("status", "") : "";
}

}  // namespace

TEST_CASE("npm's oai-pmh harvests every record across resumption pages") {
  Harvested lib;
  const std::string& base = lib.repo.base;

  for (const char* prefix : {"oai_dc", "marcxml"}) {
    INFO(prefix);
    Run r;
    auto records = npm_oai({"list-records", base, "-p", prefix}, &r);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(records.size() == lib.all.size());
    std::set<std::string> ids, deleted;
    for (const json& rec : records) {
      ids.insert(rec["header"]["identifier"].get<std::string>());
      if (status_of(rec["header"]) == "deleted") {
        deleted.insert(rec["header"]["identifier"].get<std::string>());
        CHECK_FALSE(rec.contains("metadata"));
      }
    }
    CHECK(ids == lib.all);
    CHECK(deleted == lib.deleted);
  }

  auto list = [&](std::vector<std::string> more) {
    std::vector<std::string> args = {"list-identifiers", base, "-p", "oai_dc"};
    args.insert(args.end(), more.begin(), more.end());
    Run r;
    auto headers = npm_oai(args, &r);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    std::set<std::string> ids;
    for (const json& h : headers) ids.insert(h["identifier"].get<std::string>());
    CHECK(ids.size() == headers.size());
    return ids;
  };
  CHECK(list({}) == lib.all);
  CHECK(list({"-s", "school:THCS-01"}) == lib.school1);
  CHECK(list({"-s", "school:THCS-02"}) == lib.school2);
  CHECK(list({"-s", "kind:book"}) == lib.books);
  CHECK(list({"-f", lib.late_from}) == lib.late);

  auto got = npm_oai({"get-record", base, "-i", lib.changed_id, "-p", "oai_dc"});
  REQUIRE(got.size() == 1);
  CHECK(got[0]["header"]["identifier"] == lib.changed_id);
  CHECK(got[0]["metadata"]["oai_dc:dc"]["dc:title"] == lib.changed_title);

  auto identify = npm_oai({"identify", base});
  REQUIRE(identify.size() == 1);
  CHECK(identify[0]["baseURL"] == base);
  CHECK(identify[0]["deletedRecord"] == "persistent");

  auto sets = npm_oai({"list-sets", base});
  std::set<std::string> specs;
  for (const json& s : sets) specs.insert(s["setSpec"].get<std::string>());
  CHECK(specs.count("school:THCS-02") == 1);
  CHECK(specs.count("kind:diploma") == 0);  // the private diploma is no one's business

  auto formats = npm_oai({"list-metadata-formats", base});
  REQUIRE(formats.size() == 1);
  CHECK(formats[0].size() == 2);

  Run missing;
  npm_oai({"get-record", base, "-i", lib.private_id, "-p", "oai_dc"}, &missing);
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("no record " + lib.private_id) != std::string::npos);
  Run nothing;
  npm_oai({"list-records", base, "-p", "oai_dc", "-s", "school:THCS-99"}, &nothing);
  CHECK(nothing.exit_code != 0);
  CHECK(nothing.err.find("no records match") != std::string::npos);
}

// --- kho's own harvester (harvest/) ------------------------------------------------

TEST_CASE("kho harvest pulls another node's records through /oai, then only what changed") {
  Harvested lib;
  TempDir here;
  std::unique_ptr<kho::Library> node;
  REQUIRE(kho::Library::open(here.str() + "/data", true, &node).ok());
  kho::harvest::Options options;
  options.url = lib.repo.base;
  kho::harvest::Summary summary;
  next_second();  // the origin's last changes are older than this harvest
  kho::Status s = kho::harvest::harvest(node->store(), options, &summary);
  INFO(s.message());
  REQUIRE(s.ok());
  CHECK(summary.created == lib.all.size() - lib.deleted.size());
  // ListSets, then 12 records, 3 a page, then their 12 identifiers (what is
  // still visible there), 3 a page.
  CHECK(summary.requests == 9);
  std::set<std::string> origins;
  for (kho::store::RecordId id = 1; id <= node->store().record_count(); ++id) {
    kho::store::Record r;
    REQUIRE(node->store().get(id, &r).ok());
    origins.insert(r.fields["origin_id"]);
    CHECK(r.school == (lib.school1.count(r.fields["origin_id"]) ? "THCS-01" : "THCS-02"));
    if (r.fields["origin_id"] == lib.changed_id) {
      CHECK(r.dc["title"] == lib.changed_title);
      CHECK(r.kind == "book");
      // The file link /oai gives fetches the original from its origin.
      kho::store::Record fetched;
      REQUIRE(node->fetch_harvested(id, "", "", &fetched).ok());
      REQUIRE(fetched.originals.size() == 1);
      std::string bytes =
          kho::testing::read_file(node->store().original_path(fetched.originals[0]));
      CHECK(bytes.find("Sách giáo khoa Toán 6") != std::string::npos);
    }
  }
  std::set<std::string> active;
  std::set_difference(lib.all.begin(), lib.all.end(), lib.deleted.begin(), lib.deleted.end(),
                      std::inserter(active, active.end()));
  CHECK(origins == active);

  // At the origin, one record is withdrawn; the next run asks only for what changed since.
  next_second();
  auto gone = *lib.school2.begin();
  REQUIRE(lib.repo.library->store()
              .withdraw(std::stoull(gone.substr(gone.rfind(':') + 1)), "thu hồi", {"test"})
              .ok());
  s = kho::harvest::harvest(node->store(), options, &summary);
  REQUIRE(s.ok());
  CHECK(summary.incremental);
  CHECK(summary.withdrawn == 1);
  CHECK(summary.created == 0);
  CHECK(summary.requests == 6);  // ListSets, one page of changes, 4 of identifiers
}

TEST_CASE("a record made private at its origin is made private where it was harvested") {
  Repository origin;
  auto& accounts = origin.library->accounts();
  for (const char* school : {"THCS-01", "THCS-02"})
    REQUIRE(accounts.add_school({school, school, "", ""}, "cli").ok());
  // The harvesting library reads THCS-01's shared records through an account of THCS-02.
  REQUIRE(accounts.add_user("thu-vien-02", "mat-khau-dai-du", {{"THCS-02", "reader"}}, "cli").ok());
  kho::NewSecret token;
  REQUIRE(
      accounts.create_token("thu-vien-02", "harvest", std::chrono::seconds(0), "cli", &token).ok());
  auto plan = origin.add({"Kế hoạch bài dạy: Phân số", "lesson-plan", "THCS-01", "shared"});
  auto decision =
      origin.add({"Quyết định khen thưởng giáo viên", "admin-doc", "THCS-01", "shared"});
  origin.add({"Giáo án Ngữ văn 9", "lesson-plan", "THCS-01", "shared"});

  TempDir here;
  std::unique_ptr<kho::Library> node;
  REQUIRE(kho::Library::open(here.str() + "/data", true, &node).ok());
  // A reader at another school of the harvesting library.
  kho::store::Account account{"doc-gia", "", {{"THCS-09", "reader"}}, false, ""};
  kho::Access reader;
  REQUIRE(kho::Access::for_account(node->store(), account, "", &reader).ok());
  auto harvest = [&](const std::string& set) {
    kho::harvest::Options options;
    options.url = origin.base;
    options.set = set;
    options.token = token.secret;
    kho::harvest::Summary summary;
    next_second();
    kho::Status s = kho::harvest::harvest(node->store(), options, &summary);
    INFO(s.message());
    REQUIRE(s.ok());
    REQUIRE(node->index().catch_up().ok());
    return summary;
  };
  auto local = [&](const kho::store::Record& at_origin) {
    kho::store::RecordId id = 0;
    REQUIRE(node->store()
                .find_by_origin(origin.base + "#" + origin.identifier(at_origin.id), &id)
                .ok());
    kho::store::Record r;
    REQUIRE(node->store().get(id, &r).ok());
    return r;
  };
  auto found = [&](const std::string& query) {
    kho::indexer::SearchRequest search;
    search.query = query;
    reader.restrict(&search);
    kho::indexer::Results results;
    REQUIRE(node->index().search(search, &results).ok());
    return results.total;
  };
  auto make_private = [&](const kho::store::Record& r) {
    kho::Edit edit;
    edit.set["visibility"] = "private";
    kho::store::Record out;
    REQUIRE(origin.library->edit(r.id, edit, &out).ok());
  };

  CHECK(harvest("").created == 3);
  CHECK(found("khen thuong") == 1);
  // A harvest of one set leaves alone what the origin still shows outside it.
  CHECK(harvest("kind:lesson-plan").hidden == 0);
  CHECK(local(decision).visibility == "shared");

  // Made private at the origin: gone from the set's list and from GetRecord.
  make_private(decision);
  CHECK(harvest("kind:lesson-plan").hidden == 1);
  CHECK(local(decision).visibility == "private");
  CHECK_FALSE(reader.may_read(local(decision)));
  CHECK(found("khen thuong") == 0);
  // And by a full harvest, which asks for nothing more than the full list.
  make_private(plan);
  CHECK(harvest("").hidden == 1);
  CHECK(local(plan).visibility == "private");
  CHECK(found("phan so") == 0);
  CHECK(found("ngu van") == 1);  // what the origin still shares stays

  // Shared again at the origin: the next harvest brings it back.
  kho::Edit edit;
  edit.set["visibility"] = "shared";
  kho::store::Record out;
  REQUIRE(origin.library->edit(plan.id, edit, &out).ok());
  CHECK(harvest("").updated == 1);
  CHECK(found("phan so") == 1);
}

TEST_CASE(
    "a harvested record's file, once fetched, is read like an import and searched by its text") {
  Repository origin;
  kho::ImportOptions import;
  import.kind = "admin-doc";
  import.visibility = "public";
  import.dc["title"] = "Kế hoạch năm học của Phòng";  // none of the words looked for below
  kho::store::Record at_origin;
  bool duplicate = false;
  REQUIRE(origin.library
              ->import_file(kho::testing::fixture("ke-hoach-44.pdf").string(), import, &at_origin,
                            &duplicate)
              .ok());

  // The harvesting library, served on loopback as its readers reach it, its
  // files read in worker processes as its imports are.
  TempDir here;
  std::unique_ptr<kho::Library> node;
  REQUIRE(kho::Library::open(here.str() + "/data", true, &node).ok());
  kho::api::ServerOptions serving;
  serving.port = 0;
  serving.worker_exe = kho::testing::kho_binary();
  kho::api::Server server(*node, serving);
  REQUIRE(server.start().ok());
  struct Stop {
    kho::api::Server& server;
    ~Stop() { server.stop(); }
  } stop{server};

  kho::harvest::Options options;
  options.url = origin.base;
  options.visibility = "public";
  kho::harvest::Summary summary;
  next_second();
  kho::Status s = kho::harvest::harvest(node->store(), options, &summary);
  INFO(s.message());
  REQUIRE(s.ok());
  REQUIRE(summary.created == 1);
  REQUIRE(node->index().catch_up().ok());
  kho::store::RecordId id = 0;
  REQUIRE(
      node->store().find_by_origin(origin.base + "#" + origin.identifier(at_origin.id), &id).ok());
  auto found = [&](const std::string& query) {
    kho::indexer::SearchRequest search;
    search.query = query;
    kho::indexer::Results results;
    REQUIRE(node->index().search(search, &results).ok());
    return results;
  };
  // "vướng mắc" and "đ/c Hoan" are only in the file's last lines.
  CHECK(found("Kế hoạch năm học").total == 1);
  CHECK(found("vướng mắc").total == 0);

  // A reader opens the file: fetched from the origin, kept and read.
  auto file = kho::testing::oai::fetch("http://127.0.0.1:" + std::to_string(server.port()) +
                                       "/api/v1/records/" + std::to_string(id) + "/file");
  REQUIRE(file.status == 200);
  CHECK(file.body.rfind("%PDF", 0) == 0);
  kho::store::Record here_now;
  REQUIRE(node->store().get(id, &here_now).ok());
  CHECK(here_now.page_count > 0);
  CHECK(here_now.dc["title"] == "Kế hoạch năm học của Phòng");  // the origin's metadata stays

  for (const char* query : {"vướng mắc", "vuong mac", "đ/c Hoan"}) {
    INFO(query);
    auto results = found(query);
    REQUIRE(results.total == 1);
    CHECK(results.hits[0].id == id);
    CHECK(results.hits[0].page > 0);  // the page that says it
  }
  CHECK(found("vướng mắc").hits[0].snippet.find("vướng mắc") != std::string::npos);
  // Asked again, the file is served from here; nothing is read twice.
  auto again = kho::testing::oai::fetch("http://127.0.0.1:" + std::to_string(server.port()) +
                                        "/api/v1/records/" + std::to_string(id) + "/file");
  CHECK(again.status == 200);
  CHECK(again.body == file.body);
}
