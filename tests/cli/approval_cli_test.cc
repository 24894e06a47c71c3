// `kho approval` as a school's staff drive it: the built binary, a real
// library; a plan submitted, returned with a comment, approved by the head
// of its subject group, and found by its state.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/process.h"
#include "tests/testing.h"

using kho::testing::run_kho;
using kho::testing::run_kho_with_input;
using kho::testing::TempDir;
using nlohmann::json;

namespace {

struct Kho {
  TempDir dir;
  std::string data = dir.str() + "/data";

  kho::testing::Run operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--data", data});
    return run_kho(std::move(args));
  }
  json ok(std::vector<std::string> args) const {
    auto run = (*this)(std::move(args));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    return json::parse(run.out);
  }
};

}  // namespace

TEST_CASE("kho approval: submit, return with a comment, approve, list what waits") {
  Kho kho;
  REQUIRE(kho({"init"}).exit_code == 0);
  REQUIRE(kho({"school", "add", "THCS-MT", "Trường THCS Mỹ Thành"}).exit_code == 0);
  for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
           {"to-truong", "THCS-MT=group_head:Khoa học tự nhiên"}, {"giao-vien", "THCS-MT=teacher"}})
    REQUIRE(run_kho_with_input({"--data", kho.data, "user", "add", name, "--role", role},
                               "mat-khau-dai-du\n", kho.dir.path())
                .exit_code == 0);
  auto bad_role =
      run_kho_with_input({"--data", kho.data, "user", "add", "x", "--role", "THCS-MT=group_head:"},
                         "mat-khau-dai-du\n", kho.dir.path());
  CHECK(bad_role.exit_code != 0);
  // The sample plan says "Tổ: Khoa học tự nhiên"; imported here, a draft.
  json report = kho.ok({"import", "--json", "--school", "THCS-MT",
                        kho::testing::sample("khbd-toan-6-phan-so.html").string()});
  std::string id = std::to_string(report["imported"][0]["id"].get<std::uint64_t>());

  CHECK(kho.ok({"approval", "submit", id, "--json"})["state"] == "pending");
  json waiting = kho.ok({"approval", "list", "--waiting", "--as", "to-truong", "--json"});
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0]["group"] == "Khoa học tự nhiên");
  CHECK(kho.ok({"approval", "list", "--waiting", "--as", "giao-vien", "--json"}).empty());

  CHECK(kho({"approval", "return", id, "--as", "to-truong"}).exit_code == 2);  // no comment
  auto teacher = kho({"approval", "approve", id, "--as", "giao-vien"});
  CHECK(teacher.exit_code == 1);
  CHECK(teacher.err.find("head of the plan's subject group") != std::string::npos);
  CHECK(kho({"approval", "approve", id}).exit_code == 1);  // approving needs a person's account
  CHECK(kho({"approval", "approve", id, "--as", "nobody"}).exit_code == 3);
  CHECK(kho.ok({"approval", "return", id, "--as", "to-truong", "--comment", "Thiếu phần đánh giá",
                "--json"})["state"] == "returned");
  CHECK(kho.ok({"approval", "submit", id, "--json"})["state"] == "pending");
  CHECK(kho.ok({"approval", "approve", id, "--as", "to-truong", "--json"})["state"] == "approved");

  json shown = kho.ok({"approval", "show", id, "--json"});
  REQUIRE(shown["steps"].size() == 4);
  CHECK(shown["steps"][1]["comment"] == "Thiếu phần đánh giá");
  CHECK(shown["steps"][1]["by"] == "to-truong");
  CHECK(shown["steps"][3]["to"] == "approved");
  auto text = kho({"approval", "show", id});
  CHECK(text.out.find("return") != std::string::npos);

  json found = kho.ok({"search", "--json", "approval:approved"});
  REQUIRE(found["hits"].size() == 1);
  CHECK(std::to_string(found["hits"][0]["id"].get<std::uint64_t>()) == id);
  CHECK(kho.ok({"search", "--json", "approval:pending"})["hits"].empty());

  json settings = kho.ok({"approval", "settings", "THCS-MT", "--two-step", "on", "--json"});
  CHECK(settings["two_step"] == true);
  CHECK(settings["sharing_needs_approval"] == true);
  CHECK(kho({"approval", "settings", "NOPE", "--two-step", "on"}).exit_code == 3);
}
