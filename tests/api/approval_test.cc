// Lesson-plan approval through the API: a teacher submits, the head of the
// plan's subject group returns it with a comment and approves it, sharing
// waits for the approval; a real Library, a real server on loopback.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/server.h"
#include "core/library.h"
#include "tests/http.h"
#include "tests/testing.h"

using kho::testing::TempDir;
using nlohmann::json;

namespace {

using Answer = kho::testing::HttpResponse;
using kho::testing::call;

struct Group {
  TempDir dir;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::string base;
  std::map<std::string, std::string> auth = {{"anonymous", ""}};
  kho::store::RecordId plan = 0;

  Group() {
    REQUIRE(kho::Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
    for (const auto& [name, role] :
         std::vector<std::pair<std::string, std::string>>{{"giao-vien", "teacher"},
                                                          {"giao-vien-khac", "teacher"},
                                                          {"to-truong", "group_head:Toán - Tin"},
                                                          {"quan-tri", "admin"}}) {
      REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{"THCS-01", role}}, "cli").ok());
      kho::NewSecret t;
      REQUIRE(accounts.create_token(name, "", std::chrono::seconds(0), "cli", &t).ok());
      auth[name] = "Authorization: Bearer " + t.secret;
    }
    kho::ImportOptions import;
    import.kind = "lesson-plan";
    import.school = "THCS-01";
    import.visibility = "school";
    import.fields["subject_group"] = "Toán - Tin";
    kho::store::Account teacher;
    REQUIRE(library->store().get_account("giao-vien", &teacher).ok());
    REQUIRE(kho::Access::for_account(library->store(), teacher, "", &import.access).ok());
    kho::store::Record r;
    bool duplicate = false;
    REQUIRE(library
                ->import_file(kho::testing::sample("khbd-toan-6-phan-so.html").string(), import, &r,
                              &duplicate)
                .ok());
    plan = r.id;
    kho::api::ServerOptions options;
    options.port = 0;
    server = std::make_unique<kho::api::Server>(*library, options);
    REQUIRE(server->start().ok());
    base = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~Group() { server->stop(); }

  std::string path(const std::string& rest = "") const {
    return base + "/api/v1/records/" + std::to_string(plan) + rest;
  }
  Answer step(const std::string& who, const json& body) const {
    std::string text = body.dump();
    return call("POST", path("/approval"), auth.at(who), &text);
  }
  json record(const std::string& who) const {
    Answer a = call("GET", path(), auth.at(who));
    REQUIRE(a.status == 200);
    return json::parse(a.body);
  }
  bool offers(const std::string& who, const std::string& action) const {
    json actions = record(who)["actions"];
    return std::find(actions.begin(), actions.end(), action) != actions.end();
  }
  json waiting(const std::string& who) const {
    Answer a = call("GET", base + "/api/v1/approvals?waiting=me", auth.at(who));
    REQUIRE(a.status == 200);
    return json::parse(a.body);
  }
};

std::string code_of(const Answer& a) {
  json j = json::parse(a.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

}  // namespace

TEST_CASE("approval over the API: submit, return with a comment, submit again, approve") {
  Group g;
  // The record page's buttons follow the server's actions.
  CHECK(g.offers("giao-vien", "submit"));
  CHECK_FALSE(g.offers("to-truong", "approve"));
  CHECK(g.record("giao-vien")["fields"]["approval"] == "draft");

  CHECK(g.step("anonymous", {{"action", "submit"}}).status == 401);
  Answer other = g.step("giao-vien-khac", {{"action", "submit"}});
  CHECK(other.status == 403);
  CHECK(code_of(other) == "not_allowed");
  Answer bad = g.step("giao-vien", {{"action", "publish"}});
  CHECK(bad.status == 400);
  CHECK(code_of(bad) == "bad_action");

  Answer submitted = g.step("giao-vien", {{"action", "submit"}});
  REQUIRE(submitted.status == 200);
  CHECK(json::parse(submitted.body)["fields"]["approval"] == "pending");
  CHECK(g.offers("to-truong", "approve"));
  CHECK(g.offers("to-truong", "return"));
  CHECK_FALSE(g.offers("giao-vien", "approve"));

  // "Waiting for me": one plan for the group head, none for a teacher.
  json waiting = g.waiting("to-truong");
  REQUIRE(waiting["total"] == 1);
  CHECK(waiting["records"][0]["id"] == g.plan);
  CHECK(waiting["records"][0]["group"] == "Toán - Tin");
  CHECK(waiting["records"][0]["author"] == "giao-vien");
  CHECK(g.waiting("giao-vien-khac")["total"] == 0);
  CHECK(call("GET", g.base + "/api/v1/approvals?waiting=me", "").status == 401);
  CHECK(call("GET", g.base + "/api/v1/approvals", g.auth.at("to-truong")).status == 400);

  // A return says what to change.
  Answer bare = g.step("to-truong", {{"action", "return"}});
  CHECK(bare.status == 400);
  CHECK(code_of(bare) == "comment_required");
  Answer self = g.step("giao-vien", {{"action", "approve"}});
  CHECK(self.status == 403);
  REQUIRE(
      g.step("to-truong", {{"action", "return"}, {"comment", "Bổ sung phần luyện tập"}}).status ==
      200);
  Answer twice = g.step("to-truong", {{"action", "return"}, {"comment", "Lần nữa"}});
  CHECK(twice.status == 409);
  CHECK(code_of(twice) == "wrong_state");

  // Sharing beyond the school waits for approval.
  std::string make_public = json{{"fields", {{"visibility", "public"}}}}.dump();
  Answer early = call("PATCH", g.path(), g.auth.at("giao-vien"), &make_public);
  CHECK(early.status == 403);
  CHECK(code_of(early) == "approval_required");

  std::string revise = json{{"fields", {{"description", "Thêm bài luyện tập"}}}}.dump();
  REQUIRE(call("PATCH", g.path(), g.auth.at("giao-vien"), &revise).status == 200);
  REQUIRE(g.step("giao-vien", {{"action", "submit"}, {"comment", "Đã bổ sung"}}).status == 200);
  Answer approved = g.step("to-truong", {{"action", "approve"}, {"comment", "Đạt yêu cầu"}});
  REQUIRE(approved.status == 200);
  CHECK(json::parse(approved.body)["fields"]["approval"] == "approved");
  CHECK(g.waiting("to-truong")["total"] == 0);

  // The steps, on the record, for its staff.
  Answer steps = call("GET", g.path("/approval"), g.auth.at("giao-vien"));
  REQUIRE(steps.status == 200);
  json s = json::parse(steps.body);
  CHECK(s["state"] == "approved");
  REQUIRE(s["steps"].size() == 4);
  CHECK(s["steps"][1]["action"] == "return");
  CHECK(s["steps"][1]["by"] == "to-truong");
  CHECK(s["steps"][1]["comment"] == "Bổ sung phần luyện tập");
  CHECK(s["steps"][1]["from"] == "pending");
  CHECK(s["steps"][1]["to"] == "returned");
  CHECK(s["steps"][3]["to"] == "approved");

  Answer shared = call("PATCH", g.path(), g.auth.at("giao-vien"), &make_public);
  CHECK(shared.status == 200);
  CHECK(json::parse(shared.body)["visibility"] == "public");
  // Anyone may now read it; its review stays the school's.
  Answer outside = call("GET", g.path("/approval"), "");
  REQUIRE(outside.status == 200);
  CHECK(json::parse(outside.body)["steps"].empty());
  CHECK(json::parse(outside.body)["state"] == "approved");
}

TEST_CASE("approval over the API: a school's settings, changed by its admin") {
  Group g;
  std::string url = g.base + "/api/v1/schools/THCS-01/approval";
  Answer read = call("GET", url, g.auth.at("giao-vien"));
  REQUIRE(read.status == 200);
  CHECK(json::parse(read.body)["two_step"] == false);
  CHECK(json::parse(read.body)["sharing_needs_approval"] == true);
  std::string two = json{{"two_step", true}}.dump();
  CHECK(call("PUT", url, g.auth.at("to-truong"), &two).status == 403);
  std::string wrong = json{{"two_step", "yes"}}.dump();
  CHECK(call("PUT", url, g.auth.at("quan-tri"), &wrong).status == 400);
  Answer changed = call("PUT", url, g.auth.at("quan-tri"), &two);
  REQUIRE(changed.status == 200);
  CHECK(json::parse(changed.body)["two_step"] == true);
  CHECK(call("GET", g.base + "/api/v1/schools/NOPE/approval", g.auth.at("quan-tri")).status == 404);

  // With two steps the group head's approval leaves the plan to the admin.
  REQUIRE(g.step("giao-vien", {{"action", "submit"}}).status == 200);
  Answer reviewed = g.step("to-truong", {{"action", "approve"}});
  REQUIRE(reviewed.status == 200);
  CHECK(json::parse(reviewed.body)["fields"]["approval"] == "reviewed");
  CHECK(g.waiting("quan-tri")["total"] == 1);
  REQUIRE(g.step("quan-tri", {{"action", "approve"}}).status == 200);
  CHECK(g.record("giao-vien")["fields"]["approval"] == "approved");
}
