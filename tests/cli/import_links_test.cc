// `kho import` of a folder holds to what is inside it: links are not
// followed, pipes, sockets and devices are not read, and every one of them is
// listed with its reason; any name a disk can hold is reported.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/cli/process.h"
#include "tests/testing.h"

using kho::testing::run_kho;
using kho::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A Unix socket bound at `path`, as a running program leaves one.
struct BoundSocket {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  explicit BoundSocket(const fs::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof address.sun_path);
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~BoundSocket() { ::close(fd); }
};

json search(const std::string& data, const std::string& query) {
  auto run = run_kho({"--data", data, "search", "--json", query});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

}  // namespace

TEST_CASE("kho import skips links, pipes and sockets in a folder and says why") {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  fs::path outside = dir.path() / "ngoai", root = dir.path() / "ho-so";
  fs::create_directories(outside);
  fs::create_directories(root / "con");
  kho::testing::write_file(outside / "bi-mat.txt", "Danh sách lương giáo viên: xuyenbimat\n");
  kho::testing::write_file(root / "con" / "ke-hoach.txt", "Kế hoạch năm học 2024-2025\n");
  fs::create_symlink("/etc/passwd", root / "mat-khau.txt");
  fs::create_symlink(outside / "bi-mat.txt", root / "bi-mat.txt");
  fs::create_directory_symlink(outside, root / "thu-muc-ngoai");
  REQUIRE(::mkfifo((root / "ong.fifo").c_str(), 0600) == 0);
  BoundSocket socket(root / "cong.sock");

  auto run = run_kho({"--data", data, "import", "--json", "--visibility", "public", root.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);  // what is inside the folder went in; nothing failed
  json summary = json::parse(run.out);
  REQUIRE(summary["imported"].size() == 1);
  CHECK(summary["imported"][0]["path"] == (root / "con" / "ke-hoach.txt").string());
  CHECK(summary["failed"].empty());
  std::map<std::string, std::string> skipped;
  for (const auto& s : summary["skipped"])
    skipped[fs::path(s["path"].get<std::string>()).filename().string()] = s["reason"];
  CHECK(skipped.size() == 5);
  for (const char* link : {"mat-khau.txt", "bi-mat.txt", "thu-muc-ngoai"})
    CHECK(contains(skipped[link], "a symbolic link: not followed"));
  CHECK(contains(skipped["ong.fifo"], "named pipe"));
  CHECK(contains(skipped["cong.sock"], "socket"));

  // Nothing from beyond the folder is stored or served.
  CHECK(search(data, "root")["hits"].empty());
  CHECK(search(data, "xuyenbimat")["hits"].empty());
  CHECK(search(data, "ke hoach")["hits"].size() == 1);

  // The text summary lists them too.
  auto text = run_kho({"--data", data, "import", root.string()});
  CHECK(text.exit_code == 0);
  CHECK(contains(text.out, "0 imported, 1 duplicate, 0 failed, 5 skipped"));
  CHECK(contains(text.out, "skipped: " + (root / "mat-khau.txt").string() +
                               ": a symbolic link: not followed"));

  // A link named on the command line is refused too: name what it points to.
  auto named = run_kho({"--data", data, "import", (root / "bi-mat.txt").string()});
  CHECK(named.exit_code == 1);
  CHECK(contains(named.out, "failed: " + (root / "bi-mat.txt").string() +
                                ": a symbolic link: not followed (name the file"));
  CHECK(search(data, "xuyenbimat")["hits"].empty());
}

TEST_CASE("kho import reports a file whose name is not UTF-8, as JSON and as text") {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  fs::path root = dir.path() / "cu";
  fs::create_directories(root);
  // Written by an old system in Windows-1258: "Báo cáo" with a byte 0xFF.
  const std::string raw = "b\xE1o-c\xE1o-\xFF.txt";
  kho::testing::write_file(root / raw, "Báo cáo tổng kết năm học\n");
  fs::copy_file(kho::testing::fixture("broken-truncated.docx"), root / "hong-\xFF.docx");

  auto run = run_kho({"--data", data, "import", "--json", root.string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 1);  // the fake DOCX failed; the summary is there
  json summary = json::parse(run.out);
  REQUIRE(summary["imported"].size() == 1);
  const json& line = summary["imported"][0];
  CHECK(line["path"] == (root / "b\\xE1o-c\\xE1o-\\xFF.txt").string());
  std::string hex;
  for (unsigned char c : (root / raw).string()) {
    static const char* digits = "0123456789abcdef";
    hex += {digits[c >> 4], digits[c & 15]};
  }
  CHECK(line["path_hex"] == hex);
  REQUIRE(summary["failed"].size() == 1);
  CHECK(summary["failed"][0]["path"] == (root / "hong-\\xFF.docx").string());
  CHECK(search(data, "tong ket")["hits"].size() == 1);

  auto text = run_kho({"--data", data, "import", root.string()});
  CHECK(text.exit_code == 1);
  CHECK(contains(text.out, "0 imported, 1 duplicate, 1 failed"));
  CHECK(contains(text.out, "failed: " + (root / "hong-\\xFF.docx").string() + ": "));
  CHECK_FALSE(contains(text.out, "\xFF"));  // a terminal gets UTF-8 only
}
