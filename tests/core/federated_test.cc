// A district hub searching two schools' libraries through Xapian's remote
// backend: real xapian-tcpsrv processes on loopback, one ranking over both,
// the hub's authorisation filter applied on the remote shards.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/library.h"
#include "tests/testing.h"

extern char** environ;

using namespace kho;
using kho::testing::TempDir;

namespace {

sockaddr_in loopback(unsigned port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A free loopback port (the kernel's choice, released for the server to take).
unsigned free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(unsigned port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// `xapian-tcpsrv` serving one database on loopback, stopped when this goes.
struct DatabaseServer {
  pid_t pid = -1;
  DatabaseServer(const std::string& database, unsigned port) {
    std::vector<std::string> args = {"xapian-tcpsrv", "--quiet", "--interface",
                                     "127.0.0.1",     "--port",  std::to_string(port),
                                     database};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its own process group: xapian-tcpsrv signals its group when it stops,
    // and its per-connection children go with it.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    // Quiet: it reports every probe connection below as a broken pipe.
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&files, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, "xapian-tcpsrv", &files, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    REQUIRE(rc == 0);
    for (int i = 0; i < 100 && !accepts(port); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(accepts(port));
  }
  ~DatabaseServer() { stop(); }
  void stop() {
    if (pid <= 0) return;
    // xapian-tcpsrv's per-connection children may not heed SIGTERM: give
    // the group a moment, then end whatever is left of it.
    ::kill(-pid, SIGTERM);
    for (int i = 0; i < 40 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
};

// A school's index as the README serves it: its records database on a port.
struct IndexServer {
  unsigned port;
  DatabaseServer records;
  explicit IndexServer(const std::string& index)
      : port(free_port()), records(index + "/records", port) {}
  void stop() { records.stop(); }
};

struct Doc {
  const char* school;
  const char* kind;
  const char* visibility;
  const char* text;
};

// Each school's documents, of different lengths and word counts, so ranking
// depends on collection-wide statistics.
const Doc kSchoolA[] = {
    {"A", "lesson-plan", "public", "Kế hoạch bài dạy Toán 6: phân số và số thập phân\nphân số"},
    {"A", "lesson-plan", "shared", "Kế hoạch bài dạy Ngữ văn: đọc hiểu văn bản, phân số không có"},
    {"A", "diploma", "private", "Bằng tốt nghiệp THCS: Nguyễn Văn An, xếp loại khá, phân số"},
    {"A", "other", "public", "Thông báo lịch thi học kì I"},
};
const Doc kSchoolB[] = {
    {"B", "lesson-plan", "public", "Phân số, phân số, phân số: ôn tập chương II"},
    {"B", "diploma", "private", "Bằng tốt nghiệp THCS: Trần Thị Bình, phân số"},
    {"B", "other", "school", "Biên bản họp tổ Toán về dạy phân số"},
};

void add(Library& library, const TempDir& dir, const Doc& doc, int n) {
  auto file = dir.path() / ("d" + std::to_string(n) + ".txt");
  kho::testing::write_file(file, doc.text);
  ImportOptions options;
  options.kind = doc.kind;
  options.school = doc.school;
  options.visibility = doc.visibility;
  options.dc["title"] = doc.text;
  store::Record r;
  bool duplicate = false;
  REQUIRE(library.import_file(file.string(), options, &r, &duplicate).ok());
}

std::unique_ptr<Library> library_of(const TempDir& dir, const std::string& name,
                                    const std::vector<Doc>& docs) {
  std::unique_ptr<Library> library;
  REQUIRE(Library::open((dir.path() / name).string(), true, &library).ok());
  int n = 0;
  for (const Doc& d : docs) add(*library, dir, d, ++n);
  return library;
}

std::vector<std::string> titles(const indexer::Results& results) {
  std::vector<std::string> out;
  for (const auto& h : results.hits) out.push_back(h.title);
  return out;
}

indexer::Results search(Library& library, const std::string& q, const Access& who,
                        bool facets = false) {
  indexer::SearchRequest request;
  request.query = q;
  request.facets = facets;
  request.limit = 50;
  who.restrict(&request);
  indexer::Results results;
  Status s = library.index().search(request, &results);
  INFO(s.message());
  REQUIRE(s.ok());
  return results;
}

}  // namespace

TEST_CASE("a hub searches two libraries' indexes as one and applies its own access check") {
  TempDir dir;
  std::vector<Doc> a(std::begin(kSchoolA), std::end(kSchoolA));
  std::vector<Doc> b(std::begin(kSchoolB), std::end(kSchoolB));
  std::vector<Doc> both = a;
  both.insert(both.end(), b.begin(), b.end());
  auto node_a = library_of(dir, "a", a);
  auto node_b = library_of(dir, "b", b);
  auto single = library_of(dir, "single", both);  // the same records in one library
  IndexServer server_a(node_a->index().path());
  IndexServer server_b(node_b->index().path());

  std::unique_ptr<Library> hub;
  REQUIRE(Library::open((dir.path() / "hub").string(), true, &hub).ok());
  for (store::Organisation org : {store::Organisation{"PGD", "Phòng GD&ĐT", "", ""},
                                  store::Organisation{"A", "Trường A", "PGD", ""},
                                  store::Organisation{"B", "Trường B", "PGD", ""}})
    REQUIRE(hub->accounts().add_school(org, "cli").ok());
  hub->index().set_remotes(
      {{"truong-a", "127.0.0.1", server_a.port}, {"truong-b", "127.0.0.1", server_b.port}});

  // Staff: every record of both, ranked exactly as one library would rank them.
  auto merged = search(*hub, "phân số", Access::library_staff());
  auto alone = search(*single, "phân số", Access::library_staff());
  REQUIRE(merged.hits.size() == 6);
  CHECK(titles(merged) == titles(alone));
  for (std::size_t i = 0; i < merged.hits.size(); ++i)
    CHECK(merged.hits[i].score == Approx(alone.hits[i].score));
  // Facets count over both libraries, as the hub's web page asks.
  auto counted = search(*hub, "phân số", Access::library_staff(), true);
  CHECK(counted.total == 6);
  CHECK(counted.facets["school"].size() == 2);
  std::set<std::string> libraries;
  for (const auto& h : merged.hits) libraries.insert(h.library);
  CHECK(libraries == std::set<std::string>{"truong-a", "truong-b"});

  // Anonymous visitors of the hub: public records only, from both schools.
  auto anonymous = search(*hub, "phân số", Access::anonymous());
  CHECK(anonymous.total == 2);
  for (const auto& h : anonymous.hits) CHECK(h.kind != "diploma");

  // The district's office staff see both schools' diplomas; school A's office only A's.
  auto office = [&](const std::string& org) {
    store::Account account;
    account.name = "van-thu-" + org;
    account.roles = {{org, "office"}};
    Access who;
    REQUIRE(Access::for_account(hub->store(), account, "", &who).ok());
    return who;
  };
  auto diplomas = [&](const Access& who) {
    std::set<std::string> found;
    for (const auto& h : search(*hub, "bằng tốt nghiệp", who).hits) found.insert(h.library);
    return found;
  };
  CHECK(diplomas(office("PGD")) == std::set<std::string>{"truong-a", "truong-b"});
  CHECK(diplomas(office("A")) == std::set<std::string>{"truong-a"});
  CHECK(diplomas(Access::anonymous()).empty());

  // A node that stops answering is named; the rest still answers.
  server_b.stop();
  auto partial = search(*hub, "phân số", Access::library_staff());
  CHECK(partial.unavailable == std::vector<std::string>{"truong-b"});
  CHECK(partial.hits.size() == 3);
}

TEST_CASE("a hub's hit names its best page from its own library") {
  // Record 1 of each library, the same id: the page lookup must ask the
  // library the hit came from.
  TempDir dir;
  auto library_with = [&](const std::string& name, const std::string& text) {
    std::unique_ptr<Library> library;
    REQUIRE(Library::open((dir.path() / name).string(), true, &library).ok());
    auto file = dir.path() / (name + ".txt");
    kho::testing::write_file(file, text);
    ImportOptions options;
    options.kind = "other";
    options.visibility = "public";
    options.dc["title"] = "Tài liệu";
    store::Record r;
    bool duplicate = false;
    REQUIRE(library->import_file(file.string(), options, &r, &duplicate).ok());
    CHECK(r.id == 1);
    return library;
  };
  auto node_a = library_with("a", "mở đầu\fphân số ở trang hai");
  auto node_b = library_with("b", "phân số ở trang một\fhết");
  IndexServer server_a(node_a->index().path());
  IndexServer server_b(node_b->index().path());
  std::unique_ptr<Library> hub;
  REQUIRE(Library::open((dir.path() / "hub").string(), true, &hub).ok());
  hub->index().set_remotes(
      {{"truong-a", "127.0.0.1", server_a.port}, {"truong-b", "127.0.0.1", server_b.port}});
  auto results = search(*hub, "phân số", Access::library_staff());
  REQUIRE(results.hits.size() == 2);
  for (const auto& h : results.hits) {
    CHECK(h.page == (h.library == "truong-a" ? 2u : 1u));
    CHECK(h.matching_pages == 1);
  }
}
