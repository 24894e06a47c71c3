// `kho watch DIR` as a school runs it: a scanner or a shared folder drops
// files into DIR, slowly or all at once, with sidecars, broken files,
// duplicates and links among them; kho watch imports each complete file once
// and moves it to done/ or failed/, and a restart (even after a crash)
// imports nothing twice.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "store/store.h"
#include "tests/cli/process.h"
#include "tests/testing.h"

using kho::testing::Process;
using kho::testing::read_file;
using kho::testing::run_kho;
using kho::testing::TempDir;
using kho::testing::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The JSON lines kho watch printed, by event.
std::vector<json> lines(const std::string& out, const std::string& event = "") {
  std::vector<json> found;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    json j = json::parse(line);
    if (event.empty() || j["event"] == event) found.push_back(j);
  }
  return found;
}

std::uint64_t record_count(const std::string& data) {
  std::unique_ptr<kho::store::Store> store;
  REQUIRE(kho::store::Store::open(data, false, &store).ok());
  return store->record_count();
}

json show(const std::string& data, std::uint64_t id) {
  auto run = run_kho({"--data", data, "show", "--json", std::to_string(id)});
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

// Files under `dir` (relative paths), kho's log and lock, reasons and sidecars left out.
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_directory() || name == "kho-watch.log" || name == ".kho-watch.lock" ||
        name.ends_with(".meta.json") || name.ends_with(".error.txt"))
      continue;
    out.insert(fs::relative(e.path(), dir).string());
  }
  return out;
}

// Text a teacher might save: distinct words per file, so that search tells them apart.
std::string lesson_text(const std::string& word, int paragraphs) {
  std::string text;
  for (int i = 0; i < paragraphs; ++i)
    text += "Kế hoạch bài dạy môn Ngữ văn lớp 6, tiết " + std::to_string(i + 1) +
            ": học sinh đọc hiểu văn bản và " + word + " trong giờ học.\n";
  return text;
}

// A copy that takes seconds, as over a slow network share, by a child
// process: "reopen" appends each chunk in an open of its own (pauses shorter
// than the quiet period), "open" keeps the file open across pauses longer
// than it.
std::string slow_copy(const fs::path& from, const fs::path& to, const std::string& how, int chunks,
                      double pause) {
  std::ostringstream cmd;
  cmd << "python3 -c '\n"
      << "import sys, time\n"
      << "src, dst, how, n, pause = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), "
         "float(sys.argv[5])\n"
      << "data = open(src, \"rb\").read()\n"
      << "step = (len(data) + n - 1) // n\n"
      << "if how == \"reopen\":\n"
      << "    for i in range(n):\n"
      << "        with open(dst, \"ab\") as f:\n"
      << "            f.write(data[i * step:(i + 1) * step])\n"
      << "        time.sleep(pause)\n"
      << "else:\n"
      << "    with open(dst, \"wb\") as f:\n"
      << "        for i in range(n):\n"
      << "            f.write(data[i * step:(i + 1) * step])\n"
      << "            f.flush()\n"
      << "            time.sleep(pause)\n"
      << "' '" << from.string() << "' '" << to.string() << "' " << how << " " << chunks << " "
      << pause;
  return cmd.str();
}

}  // namespace

TEST_CASE("kho watch imports a file copied slowly once, only after it is complete") {
  TempDir dir;
  const std::string data = (dir.path() / "kho-data").string();
  const fs::path drop = dir.path() / "may-quet";
  fs::create_directories(drop);
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  const fs::path text = dir.path() / "khbd.txt";
  write_file(text, lesson_text("thảo luận nhóm", 400));
  const fs::path pdf = kho::testing::fixture("ke-hoach-44.pdf");

  Process watcher({"--data", data, "watch", drop.string(), "--quiet", "1", "--json"});
  REQUIRE(watcher.wait_for_output("\"watching\""));
  // Both copies at once, over six seconds: a PDF whose writer closes and
  // reopens it between chunks, and a text file kept open across 1.5 s pauses.
  std::string copies = slow_copy(pdf, drop / "ke-hoach.pdf", "reopen", 6, 0.5) + " & " +
                       slow_copy(text, drop / "khbd.txt", "open", 4, 1.5) + " & wait";
  REQUIRE(std::system(copies.c_str()) == 0);
  REQUIRE(watcher.wait_for_output("khbd.txt"));
  REQUIRE(watcher.wait_for_output("ke-hoach.pdf"));
  // A sidecar that comes within the quiet period after its file still applies.
  write_file(drop / "bien-ban.txt", lesson_text("biên bản họp tổ", 20));
  write_file(drop / "bien-ban.txt.meta.json",
             R"({"title": "Biên bản họp tổ Ngữ văn", "kind": "admin-doc"})");
  REQUIRE(watcher.wait_for_output("bien-ban.txt\""));
  auto run = watcher.finish(SIGTERM);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("stopping") != std::string::npos);

  auto imported = lines(run.out, "imported");
  REQUIRE(imported.size() == 3);
  CHECK(lines(run.out, "failed").empty());
  CHECK(record_count(data) == 3);
  std::map<std::string, json> by_path;
  for (const auto& j : imported) by_path[j["path"]] = j;
  // Each record holds the whole file: none was taken half copied.
  json pdf_record = show(data, by_path["ke-hoach.pdf"]["id"]);
  CHECK(pdf_record["originals"][0]["size"] == fs::file_size(pdf));
  CHECK(pdf_record["page_count"].get<int>() > 0);
  json text_record = show(data, by_path["khbd.txt"]["id"]);
  CHECK(text_record["originals"][0]["size"] == fs::file_size(text));
  json minutes = show(data, by_path["bien-ban.txt"]["id"]);
  CHECK(minutes["dc"]["title"] == "Biên bản họp tổ Ngữ văn");
  CHECK(minutes["kind"] == "admin-doc");

  CHECK(files_in(drop / "done") ==
        std::set<std::string>{"ke-hoach.pdf", "khbd.txt", "bien-ban.txt"});
  CHECK(fs::exists(drop / "done" / "bien-ban.txt.meta.json"));
  CHECK(read_file(drop / "done" / "khbd.txt") == read_file(text));
  CHECK(files_in(drop / "failed").empty());
  CHECK(files_in(drop).size() == 3);  // all of them in done/, none left behind
  // The clerk's log names each record.
  std::string log = read_file(drop / "done" / "kho-watch.log");
  CHECK(log.find("khbd.txt\trecord " + std::to_string(by_path["khbd.txt"]["id"].get<int>())) !=
        std::string::npos);
  // Search finds the text.
  auto found = run_kho({"--data", data, "search", "--json", "thảo luận nhóm"});
  CHECK(json::parse(found.out)["total"] == 1);
}

TEST_CASE("kho watch sends a broken file to failed with its reason and a duplicate to done") {
  TempDir dir;
  const std::string data = (dir.path() / "kho-data").string();
  const fs::path drop = dir.path() / "chia-se";
  fs::create_directories(drop / "lop-6");
  fs::create_directories(drop / "done");
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);

  // Imported by hand before: the same bytes dropped again are that record
  // (as after a crash between the import and the move to done/).
  write_file(dir.path() / "cu.txt", lesson_text("ôn tập cuối kì", 10));
  auto before = run_kho({"--data", data, "import", "--json", (dir.path() / "cu.txt").string()});
  REQUIRE(before.exit_code == 0);
  auto old_id = json::parse(before.out)["imported"][0]["id"].get<std::uint64_t>();
  fs::copy_file(dir.path() / "cu.txt", drop / "cu-lai.txt");

  fs::copy_file(kho::testing::fixture("broken-truncated.docx"), drop / "hong.docx");
  write_file(drop / "lop-6" / "bai-1.txt", lesson_text("phân số", 10));
  write_file(drop / "lop-6" / "bai-1.txt.meta.json",
             R"({"title": "Bài 1: Phân số", "kind": "lesson-plan", "grade": 6})");
  // A file of the same name already in done/ stays as it is.
  write_file(drop / "done" / "thong-bao.txt", "đã có từ trước");
  write_file(drop / "thong-bao.txt", lesson_text("thông báo họp phụ huynh", 5));
  // A link to a file outside the folder is refused, never followed.
  write_file(dir.path() / "bi-mat.txt", lesson_text("bí mật", 5));
  fs::create_symlink(dir.path() / "bi-mat.txt", drop / "lien-ket.txt");
  // Partial names are left for the copying tool to rename.
  write_file(drop / ".dang-chep.pdf", "%PDF-1.4 nửa chừng");

  auto run = run_kho({"--data", data, "watch", drop.string(), "--once", "--quiet", "0.2",
                      "--school", "THCS-MT", "--json"});
  INFO(run.err);
  CHECK(run.exit_code == 1);  // some failed
  std::map<std::string, json> by_path;
  for (const auto& j : lines(run.out))
    if (j.contains("path")) by_path[j["path"]] = j;
  CHECK(by_path.size() == 5);

  CHECK(by_path["cu-lai.txt"]["event"] == "duplicate");
  CHECK(by_path["cu-lai.txt"]["id"] == old_id);
  CHECK(by_path["cu-lai.txt"]["moved_to"] == "done/cu-lai.txt");

  CHECK(by_path["hong.docx"]["event"] == "failed");
  CHECK(by_path["hong.docx"]["moved_to"] == "failed/hong.docx");
  std::string reason = read_file(drop / "failed" / "hong.docx.error.txt");
  CHECK(reason.find("truncated") != std::string::npos);
  CHECK(reason.find("put it into the watch folder again") != std::string::npos);

  CHECK(by_path["lien-ket.txt"]["event"] == "failed");
  CHECK(read_file(drop / "failed" / "lien-ket.txt.error.txt").find("symbolic link") !=
        std::string::npos);
  CHECK(fs::is_symlink(drop / "failed" / "lien-ket.txt"));
  CHECK(fs::exists(dir.path() / "bi-mat.txt"));
  CHECK(json::parse(run_kho({"--data", data, "search", "--json", "bí mật"}).out)["total"] == 0);

  // The subfolder's path is kept, and the sidecar's fields are the record's.
  REQUIRE(by_path["lop-6/bai-1.txt"]["event"] == "imported");
  CHECK(by_path["lop-6/bai-1.txt"]["moved_to"] == "done/lop-6/bai-1.txt");
  CHECK(fs::exists(drop / "done" / "lop-6" / "bai-1.txt.meta.json"));
  json lesson = show(data, by_path["lop-6/bai-1.txt"]["id"]);
  CHECK(lesson["dc"]["title"] == "Bài 1: Phân số");
  CHECK(lesson["kind"] == "lesson-plan");
  CHECK(lesson["fields"]["grade"] == "6");
  CHECK(lesson["school"] == "THCS-MT");

  CHECK(by_path["thong-bao.txt"]["moved_to"] == "done/thong-bao (2).txt");
  CHECK(read_file(drop / "done" / "thong-bao.txt") == "đã có từ trước");

  CHECK(fs::exists(drop / ".dang-chep.pdf"));  // not taken, not moved
  CHECK(record_count(data) == 3);              // cu.txt, bai-1.txt, thong-bao.txt
  std::string log = read_file(drop / "done" / "kho-watch.log");
  CHECK(log.find("duplicate\tcu-lai.txt\trecord " + std::to_string(old_id)) != std::string::npos);
  CHECK(log.find("failed\thong.docx") != std::string::npos);
}

TEST_CASE("kho watch restarted, even after a crash, imports each waiting file exactly once") {
  TempDir dir;
  const std::string data = (dir.path() / "kho-data").string();
  const fs::path drop = dir.path() / "may-quet";
  fs::create_directories(drop);
  REQUIRE(run_kho({"--data", data, "init"}).exit_code == 0);
  const int kFiles = 8;

  // Files arrive, and it is stopped before they are quiet long enough: nothing is taken.
  {
    Process watcher({"--data", data, "watch", drop.string(), "--quiet", "30", "--json"});
    REQUIRE(watcher.wait_for_output("\"watching\""));
    for (int i = 0; i < kFiles; ++i)
      write_file(drop / ("trang-" + std::to_string(i) + ".txt"),
                 lesson_text("trang số " + std::to_string(i), 30 + i));
    auto run = watcher.finish(SIGINT);
    CHECK(run.exit_code == 0);
    CHECK(lines(run.out, "imported").empty());
  }
  CHECK(files_in(drop).size() == kFiles);
  CHECK(files_in(drop / "done").empty());

  // Killed without warning once it has imported one: wherever it was cut
  // (after a commit, before a move), the restart below makes no second record.
  {
    Process watcher({"--data", data, "watch", drop.string(), "--quiet", "0.2", "--json"});
    REQUIRE(watcher.wait_for_output("\"imported\""));
    watcher.finish(SIGKILL);
  }
  auto rest =
      run_kho({"--data", data, "watch", drop.string(), "--once", "--quiet", "0.2", "--json"});
  INFO(rest.err);
  CHECK(rest.exit_code == 0);
  CHECK(record_count(data) == kFiles);
  CHECK(files_in(drop / "done").size() == kFiles);
  CHECK(files_in(drop).size() == kFiles);  // every one in done/, none waiting
  // A third run finds nothing to do.
  auto again = run_kho({"--data", data, "watch", drop.string(), "--once", "--json"});
  CHECK(again.exit_code == 0);
  CHECK(lines(again.out, "imported").empty());
  CHECK(record_count(data) == kFiles);
}

TEST_CASE("kho watch refuses a folder that is not there, or watched already, and explains itself") {
  TempDir dir;
  const std::string data = (dir.path() / "kho-data").string();
  auto run = run_kho({"--data", data, "watch", (dir.path() / "khong-co").string(), "--once"});
  CHECK(run.exit_code == 3);
  CHECK(run.err.find("no such folder") != std::string::npos);
  // A second watcher of one folder would take each file twice.
  fs::create_directories(dir.path() / "may-quet");
  Process first({"--data", data, "watch", (dir.path() / "may-quet").string(), "--json"});
  REQUIRE(first.wait_for_output("\"watching\""));
  auto second = run_kho({"--data", data, "watch", (dir.path() / "may-quet").string(), "--once"});
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("already watched") != std::string::npos);
  CHECK(first.finish(SIGTERM).exit_code == 0);
  auto help = run_kho({"watch", "--help"});
  CHECK(help.out.find("--once") != std::string::npos);
  CHECK(help.out.find("--quiet") != std::string::npos);
}
