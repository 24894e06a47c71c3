// Staff correct, withdraw and reinstate records through the API, and read
// their history: a real Library, a real server on loopback, real HTTP.
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

// Two schools; a teacher at each, and a lesson plan of THCS-01's, public.
struct Desk {
  TempDir dir;
  std::unique_ptr<kho::Library> library;
  std::unique_ptr<kho::api::Server> server;
  std::string base;
  std::map<std::string, std::string> auth = {{"anonymous", ""}};
  kho::store::RecordId plan = 0;

  Desk() {
    REQUIRE(kho::Library::open(dir.str() + "/data", true, &library).ok());
    auto& accounts = library->accounts();
    REQUIRE(accounts.add_school({"THCS-01", "Trường THCS Mỹ Thành", "", ""}, "cli").ok());
    REQUIRE(accounts.add_school({"THCS-02", "Trường THCS Tân Hội", "", ""}, "cli").ok());
    for (const auto& [name, school] : std::vector<std::pair<std::string, std::string>>{
             {"giao-vien", "THCS-01"}, {"giao-vien-khac", "THCS-02"}}) {
      REQUIRE(accounts.add_user(name, "mat-khau-dai-du", {{school, "teacher"}}, "cli").ok());
      kho::NewSecret t;
      REQUIRE(accounts.create_token(name, "", std::chrono::seconds(0), "cli", &t).ok());
      auth[name] = "Authorization: Bearer " + t.secret;
    }
    plan = add("THCS-01", "public");
    kho::api::ServerOptions options;
    options.port = 0;
    server = std::make_unique<kho::api::Server>(*library, options);
    REQUIRE(server->start().ok());
    base = "http://127.0.0.1:" + std::to_string(server->port());
  }
  ~Desk() { server->stop(); }

  kho::store::RecordId add(const std::string& school, const std::string& visibility,
                           const std::string& sample = "tin-chuyen-doi-so-hoa-binh.txt") {
    kho::ImportOptions import;
    import.kind = "lesson-plan";
    import.school = school;
    import.visibility = visibility;
    kho::store::Record r;
    bool duplicate = false;
    auto s = library->import_file(kho::testing::sample(sample).string(), import, &r, &duplicate);
    INFO(s.message());
    REQUIRE(s.ok());
    return r.id;
  }
  std::string path(kho::store::RecordId id, const std::string& rest = "") const {
    return base + "/api/v1/records/" + std::to_string(id) + rest;
  }
  Answer get(const std::string& who, const std::string& rest = "") const {
    return call("GET", path(plan, rest), auth.at(who));
  }
  Answer patch(const std::string& who, const json& fields) const {
    std::string body = json{{"fields", fields}}.dump();
    return call("PATCH", path(plan), auth.at(who), &body);
  }
  Answer post(const std::string& who, const std::string& action, const std::string& body) const {
    return call("POST", path(plan, "/" + action), auth.at(who), &body);
  }
  json history() const {
    Answer a = get("giao-vien", "/history");
    INFO(a.body);
    REQUIRE(a.status == 200);
    return a.j()["changes"];
  }
};

std::vector<std::string> actions(const json& record) {
  return record["actions"].get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("a record shows where each field came from, its file and what the caller may do") {
  Desk desk;
  Answer a = desk.get("giao-vien");
  REQUIRE(a.status == 200);
  json r = a.j();
  CHECK(r["sources"]["title"] == "extracted");
  CHECK(r["status"] == "active");
  CHECK(r["withdrawn_reason"] == "");
  CHECK(r["ocr_confidence"].is_array());
  CHECK(r["page_count"].get<int>() >= 1);
  CHECK(r["media_type"].get<std::string>().rfind("text/plain", 0) == 0);
  CHECK(r["file_url"] == "/api/v1/records/" + std::to_string(desk.plan) + "/file");
  CHECK(actions(r) == std::vector<std::string>{"edit", "withdraw", "share", "download"});
  CHECK(actions(desk.get("giao-vien-khac").j()) == std::vector<std::string>{"download"});
  CHECK(actions(desk.get("anonymous").j()) == std::vector<std::string>{"download"});
}

TEST_CASE("a date typed as Vietnamese write it is stored as ISO and marked typed") {
  Desk desk;
  Answer a =
      desk.patch("giao-vien", {{"date", "25/06/2023"}, {"grade", " 9 "}, {"title", "Bài 5"}});
  INFO(a.body);
  REQUIRE(a.status == 200);
  json r = a.j();
  CHECK(r["dc"]["date"] == "2023-06-25");
  CHECK(r["fields"]["grade"] == "9");
  CHECK(r["dc"]["title"] == "Bài 5");
  CHECK(r["sources"]["date"] == "typed");
  CHECK(r["sources"]["grade"] == "typed");
  CHECK(actions(r).front() == "edit");
  // What the answer says is what is stored.
  CHECK(desk.get("anonymous").j()["dc"]["date"] == "2023-06-25");
  for (const auto& [typed, stored] :
       std::vector<std::pair<std::string, std::string>>{{"5/6/2023", "2023-06-05"},
                                                        {"2023-06-25", "2023-06-25"},
                                                        {"2023", "2023"},
                                                        {"29/02/2024", "2024-02-29"}}) {
    Answer b = desk.patch("giao-vien", {{"date", typed}});
    INFO(typed << ": " << b.body);
    REQUIRE(b.status == 200);
    CHECK(b.j()["dc"]["date"] == stored);
  }
  // An empty value removes the field.
  Answer c = desk.patch("giao-vien", {{"grade", ""}});
  REQUIRE(c.status == 200);
  CHECK_FALSE(c.j()["fields"].contains("grade"));
}

TEST_CASE("an impossible date is refused naming the field and nothing is stored") {
  Desk desk;
  const json before = desk.get("giao-vien").j();
  for (const auto& [fields, field] : std::vector<std::pair<json, std::string>>{
           {{{"title", "Bài mới"}, {"date", "31/02/2023"}}, "date"},
           {{{"title", "Bài mới"}, {"date", "29/02/2023"}}, "date"},
           {{{"title", "Bài mới"}, {"date", "hôm qua"}}, "date"},
           {{{"title", "Bài mới"}, {"grade", "13"}}, "grade"},
           {{{"title", "Bài mới"}, {"grade", "lớp chín"}}, "grade"},
           {{{"title", "Bài mới"}, {"kind", "poster"}}, "kind"},
           {{{"title", "Bài mới"}, {"visibility", "everyone"}}, "visibility"},
           {{{"title", "Bài mới"}, {"colour", "red"}}, "colour"},
           {{{"title", ""}}, "title"}}) {
    Answer a = desk.patch("giao-vien", fields);
    INFO(fields.dump() << ": " << a.body);
    CHECK(a.status == 400);
    CHECK(a.error_code() == "invalid_field");
    CHECK(a.j()["error"]["field"] == field);
    CHECK_FALSE(a.j()["error"]["message"].get<std::string>().empty());
  }
  const json after = desk.get("giao-vien").j();
  CHECK(after["dc"] == before["dc"]);
  CHECK(after["fields"] == before["fields"]);
  CHECK(after["kind"] == before["kind"]);
  CHECK(desk.history().size() == 1);  // only its creation

  std::string broken = "{\"fields\": {\"title\": ";
  Answer bad = call("PATCH", desk.path(desk.plan), desk.auth["giao-vien"], &broken);
  CHECK(bad.status == 400);
  CHECK(bad.error_code() == "bad_json");
}

TEST_CASE("a teacher may not edit or withdraw another school's record") {
  Desk desk;
  Answer a = desk.patch("giao-vien-khac", {{"title", "Của trường khác"}});
  CHECK(a.status == 403);
  CHECK(a.error_code() == "forbidden");
  Answer b = desk.post("giao-vien-khac", "withdraw", R"({"reason": "không cần"})");
  CHECK(b.status == 403);
  CHECK(b.error_code() == "forbidden");
  CHECK(desk.get("giao-vien-khac", "/history").status == 403);
  Answer c = desk.patch("anonymous", {{"title", "Vô danh"}});
  CHECK(c.status == 403);
  CHECK(desk.get("anonymous").j()["dc"]["title"] != "Của trường khác");
  // A record the caller may not even read does not exist for them.
  kho::store::RecordId hidden = desk.add("THCS-01", "private", "tin-cntt-ben-tre.txt");
  REQUIRE(hidden != desk.plan);
  std::string body = R"({"fields": {"title": "x"}})";
  Answer d = call("PATCH", desk.path(hidden), desk.auth["giao-vien-khac"], &body);
  CHECK(d.status == 404);
  CHECK(d.error_code() == "record_not_found");
  CHECK(call("GET", desk.path(hidden, "/history"), desk.auth["giao-vien-khac"]).status == 404);
  // Moving one's own record to another school is refused too.
  Answer e = desk.patch("giao-vien", {{"school", "THCS-02"}});
  CHECK(e.status == 403);
  CHECK(desk.history().size() == 1);
}

TEST_CASE("withdraw and reinstate need a reason, and withdrawing twice keeps the first") {
  Desk desk;
  for (const char* body : {"", "{}", R"({"reason": "  "})", R"({"reason": 5})"}) {
    Answer a = desk.post("giao-vien", "withdraw", body);
    INFO(body);
    CHECK(a.status == 400);
    CHECK(a.error_code() == "reason_required");
  }
  CHECK(desk.post("giao-vien", "withdraw", "{reason").error_code() == "bad_json");
  Answer first = desk.post("giao-vien", "withdraw", R"({"reason": "Trùng với bản đã có"})");
  INFO(first.body);
  REQUIRE(first.status == 200);
  CHECK(first.j()["status"] == "withdrawn");
  CHECK(first.j()["withdrawn_reason"] == "Trùng với bản đã có");
  CHECK(actions(first.j()) == std::vector<std::string>{"edit", "reinstate", "download"});
  Answer again = desk.post("giao-vien", "withdraw", R"({"reason": "Lý do khác"})");
  REQUIRE(again.status == 200);
  CHECK(again.j()["withdrawn_reason"] == "Trùng với bản đã có");
  CHECK(desk.post("giao-vien", "reinstate", "{}").error_code() == "reason_required");
  Answer back = desk.post("giao-vien", "reinstate", R"({"reason": "Bản kia đã bị xoá"})");
  REQUIRE(back.status == 200);
  CHECK(back.j()["status"] == "active");
  CHECK(back.j()["withdrawn_reason"] == "");
  json h = desk.history();
  REQUIRE(h.size() == 3);
  CHECK(h[1]["op"] == "withdraw");
  CHECK(h[1]["reason"] == "Trùng với bản đã có");
  CHECK(h[1]["actor"] == "giao-vien");
  CHECK(h[2]["op"] == "reinstate");
  CHECK(h[2]["reason"] == "Bản kia đã bị xoá");
}

TEST_CASE("history shows who changed each field from what to what, oldest first") {
  Desk desk;
  const std::string title = desk.get("giao-vien").j()["dc"]["title"];
  REQUIRE(desk.patch("giao-vien", {{"title", "Bài 1"}, {"grade", "6"}}).status == 200);
  REQUIRE(desk.patch("giao-vien", {{"title", "Bài 1: Phân số"}}).status == 200);
  json h = desk.history();
  REQUIRE(h.size() == 3);
  CHECK(h[0]["op"] == "create");
  CHECK(h[0]["seq"].get<std::uint64_t>() < h[1]["seq"].get<std::uint64_t>());
  CHECK(h[1]["op"] == "update");
  CHECK(h[1]["actor"] == "giao-vien");
  CHECK_FALSE(h[1]["at"].get<std::string>().empty());
  // Each new value says where it came from: staff typed these.
  CHECK(h[1]["fields"] ==
        json::array({{{"field", "title"}, {"old", title}, {"new", "Bài 1"}, {"source", "typed"}},
                     {{"field", "grade"}, {"old", ""}, {"new", "6"}, {"source", "typed"}}}));
  CHECK(
      h[2]["fields"] ==
      json::parse(R"([{"field":"title","old":"Bài 1","new":"Bài 1: Phân số","source":"typed"}])"));
  CHECK(desk.get("anonymous", "/history").status == 403);
}

TEST_CASE("a withdrawn record's file is not served to anonymous visitors") {
  Desk desk;
  REQUIRE(desk.get("anonymous", "/file").status == 200);
  // The viewer's text of a page follows the file's rule.
  Answer text = desk.get("anonymous", "/text?page=1");
  REQUIRE(text.status == 200);
  CHECK(text.j()["page"] == 1);
  CHECK(!text.j()["text"].get<std::string>().empty());
  CHECK(desk.get("anonymous", "/text?page=999").status == 400);
  REQUIRE(desk.post("giao-vien", "withdraw", R"({"reason": "Sai nội dung"})").status == 200);
  CHECK(desk.get("anonymous", "/text?page=1").status == 404);
  Answer file = desk.get("anonymous", "/file");
  CHECK(file.status == 404);
  CHECK(file.error_code() == "not_found");
  CHECK(desk.get("giao-vien-khac", "/file").status == 404);
  json seen = desk.get("anonymous").j();
  CHECK(seen["status"] == "withdrawn");
  CHECK(seen["file_url"].is_null());
  CHECK(actions(seen).empty());
  CHECK(desk.get("giao-vien", "/file").status == 200);  // the staff who handle it keep it
  REQUIRE(desk.post("giao-vien", "reinstate", R"({"reason": "Đã sửa"})").status == 200);
  CHECK(desk.get("anonymous", "/file").status == 200);
}

namespace {

std::uint64_t search_total(const Desk& desk, const std::string& who, const std::string& q) {
  Answer a = call("GET", desk.base + "/api/v1/search?q=" + q + "&facets=1", desk.auth.at(who));
  INFO(a.body);
  REQUIRE(a.status == 200);
  return a.j()["total"].get<std::uint64_t>();
}

}  // namespace

TEST_CASE("a new version becomes the file served and searched and the first stays byte for byte") {
  Desk desk;
  const std::string first =
      kho::testing::read_file(kho::testing::sample("tin-chuyen-doi-so-hoa-binh.txt").string());
  const std::string revised =
      "Kế hoạch bài dạy, bản sửa lần hai.\nLuyện tập phép cộng phân số với tinhbotsan.\n";
  REQUIRE(search_total(desk, "giao-vien", "tinhbotsan") == 0);
  REQUIRE(search_total(desk, "giao-vien", "1656") == 1);

  Answer added = call("POST", desk.path(desk.plan, "/versions?filename=ban-sua-2.txt"),
                      desk.auth["giao-vien"], &revised);
  INFO(added.body);
  REQUIRE(added.status == 201);
  const std::string v2 = "/api/v1/records/" + std::to_string(desk.plan) + "/versions/2/file";
  CHECK(added.header("location") == v2);
  json versions = added.j()["versions"];
  REQUIRE(versions.size() == 2);
  CHECK(versions[0]["current"] == false);
  CHECK(versions[1]["current"] == true);
  CHECK(versions[1]["filename"] == "ban-sua-2.txt");
  CHECK(versions[1]["added_by"] == "giao-vien");
  CHECK(versions[0]["added_by"] == "cli");  // the import made the first
  CHECK(added.j()["record"]["page_count"] == 1);

  // Served: the current file by /file, each version by its own address.
  CHECK(desk.get("anonymous", "/file").body == revised);
  CHECK(desk.get("anonymous", "/versions/1/file").body == first);
  CHECK(desk.get("anonymous", "/versions/2/file").body == revised);
  Answer none = desk.get("anonymous", "/versions/3/file");
  CHECK(none.status == 404);
  CHECK(none.error_code() == "version_not_found");
  CHECK(desk.get("anonymous", "/versions").j()["versions"].size() == 2);
  // Searched: the current text only.
  CHECK(search_total(desk, "giao-vien", "tinhbotsan") == 1);
  CHECK(search_total(desk, "giao-vien", "1656") == 0);
  CHECK(desk.get("anonymous", "/text?page=1").j()["text"].get<std::string>().find("tinhbotsan") !=
        std::string::npos);
  // The history says who gave which version, when.
  json h = desk.history();
  REQUIRE(h.size() == 2);
  CHECK(h[1]["op"] == "version");
  CHECK(h[1]["actor"] == "giao-vien");
  CHECK(h[1]["reason"] == "version 2: ban-sua-2.txt");

  // The same bytes again change nothing.
  Answer same = call("POST", desk.path(desk.plan, "/versions?filename=lai.txt"),
                     desk.auth["giao-vien"], &revised);
  CHECK(same.status == 409);
  CHECK(same.error_code() == "same_version");
  CHECK(desk.history().size() == 2);
  // Going back to the first file is a third version, not a loss of the second.
  Answer back = call("POST", desk.path(desk.plan, "/versions?filename=ban-goc.txt"),
                     desk.auth["giao-vien"], &first);
  REQUIRE(back.status == 201);
  CHECK(back.j()["versions"].size() == 3);
  CHECK(desk.get("anonymous", "/file").body == first);
  CHECK(desk.get("anonymous", "/versions/2/file").body == revised);
  CHECK(search_total(desk, "giao-vien", "1656") == 1);
  std::vector<kho::store::Problem> problems;
  std::vector<kho::store::StoredOriginal> originals;
  REQUIRE(desk.library->store().check(&problems, &originals).ok());
  CHECK(problems.empty());
}

TEST_CASE("only staff who may change a record give it a new version") {
  Desk desk;
  const std::string bytes = "Bản sửa của người khác.\n";
  Answer other = call("POST", desk.path(desk.plan, "/versions?filename=x.txt"),
                      desk.auth["giao-vien-khac"], &bytes);
  CHECK(other.status == 403);
  Answer anonymous = call("POST", desk.path(desk.plan, "/versions?filename=x.txt"),
                          desk.auth["anonymous"], &bytes);
  CHECK(anonymous.status == 401);
  Answer unnamed = call("POST", desk.path(desk.plan, "/versions"), desk.auth["giao-vien"], &bytes);
  CHECK(unnamed.status == 400);
  CHECK(unnamed.j()["error"]["field"] == "filename");
  // A record the caller may not read does not exist for them.
  kho::store::RecordId hidden = desk.add("THCS-01", "private", "tin-cntt-ben-tre.txt");
  Answer unseen = call("POST", desk.path(hidden, "/versions?filename=x.txt"),
                       desk.auth["giao-vien-khac"], &bytes);
  CHECK(unseen.status == 404);
  CHECK(unseen.error_code() == "record_not_found");
  CHECK(call("GET", desk.path(hidden, "/versions"), desk.auth["giao-vien-khac"]).status == 404);
  // A file no importer can read is refused and the record keeps its one version.
  const std::string empty;
  Answer unreadable = call("POST", desk.path(desk.plan, "/versions?filename=rong.pdf"),
                           desk.auth["giao-vien"], &empty);
  CHECK(unreadable.status >= 400);
  CHECK(desk.get("anonymous", "/versions").j()["versions"].size() == 1);
  CHECK(desk.history().size() == 1);
  // A withdrawn record's versions are for the staff who handle it.
  REQUIRE(desk.post("giao-vien", "withdraw", R"({"reason": "Sai nội dung"})").status == 200);
  CHECK(desk.get("anonymous", "/versions").status == 404);
  CHECK(desk.get("anonymous", "/versions/1/file").status == 404);
  CHECK(desk.get("giao-vien", "/versions/1/file").status == 200);
}

TEST_CASE("a large new version goes up resumably and replaces the file") {
  Desk desk;
  std::string big;
  while (big.size() < 300'000)
    big += "Dòng thứ " + std::to_string(big.size()) + " của giáo án sửa.\n";
  const std::string start = desk.base + "/api/v1/uploads?filename=giao-an-sua.txt&version_of=" +
                            std::to_string(desk.plan);
  auto tus = [&](const std::string& method, const std::string& url,
                 std::vector<std::string> headers, const std::string* body) {
    headers.push_back("Tus-Resumable: 1.0.0");
    headers.push_back(desk.auth["giao-vien"]);
    return kho::testing::http({method, url, std::move(headers), body});
  };
  Answer refused = kho::testing::http(
      {"POST",
       start,
       {"Upload-Length: 10", "Tus-Resumable: 1.0.0", desk.auth["giao-vien-khac"]},
       nullptr});
  CHECK(refused.status == 403);
  Answer created = tus("POST", start, {"Upload-Length: " + std::to_string(big.size())}, nullptr);
  INFO(created.body);
  REQUIRE(created.status == 201);
  std::string url = desk.base + created.header("location");
  Answer done = tus("PATCH", url,
                    {"Content-Type: application/offset+octet-stream", "Upload-Offset: 0"}, &big);
  INFO(done.body);
  REQUIRE(done.status == 201);
  CHECK(done.j()["versions"].size() == 2);
  CHECK(desk.get("anonymous", "/file").body == big);
}
