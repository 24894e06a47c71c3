// The server's state and its handlers, shared by the files that hold the
// handlers of each resource (search.cc, records.cc, resumable.cc,
// sessions.cc, shares.cc, audit.cc); server.cc holds the routing table, the
// check every request passes before its body is read, and the lifecycle.
#pragma once

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/connections.h"
#include "api/http_util.h"
#include "api/respond.h"
#include "api/server.h"
#include "api/uploads.h"
#include "core/library.h"
#include "register/register.h"

namespace kho::api {

using namespace Pistache;

struct Server::Impl {
  Library& library;
  ServerOptions options;
  std::unique_ptr<Http::Endpoint> endpoint;
  Rest::Router router;
  std::thread freshness, verifier;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<bool> stop_verifying{false};
  InFlight in_flight;
  std::shared_ptr<Connections> connections;
  std::unique_ptr<Uploads> uploads;

  registry::Registry registry;
  std::mutex verify_mutex;  // guards verify_counts
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, int>> verify_counts;

  Impl(Library& l, ServerOptions o) : library(l), options(std::move(o)), registry(l.store()) {}

  void routes();
  void route(const std::string& path,
             const std::vector<std::pair<Http::Method, Handler>>& handlers);
  void search(const Rest::Request& request, Http::ResponseWriter& response);
  bool search_request(const Rest::Request& request, Http::ResponseWriter& response,
                      indexer::SearchRequest* search);
  std::map<store::RecordId, store::Record> hit_records(const indexer::Results& results);
  Status audit_personal(const Access& who, const store::Record& r, const std::string& what);
  void record(const Rest::Request& request, Http::ResponseWriter& response);
  void search_record(const Rest::Request& request, Http::ResponseWriter& response);
  void page_text(const Rest::Request& request, Http::ResponseWriter& response);
  void edit_record(const Rest::Request& request, Http::ResponseWriter& response);
  void set_status(const Rest::Request& request, Http::ResponseWriter& response, bool withdraw);
  void history(const Rest::Request& request, Http::ResponseWriter& response);
  void file(const Rest::Request& request, Http::ResponseWriter& response);
  void versions(const Rest::Request& request, Http::ResponseWriter& response);
  void version_file(const Rest::Request& request, Http::ResponseWriter& response);
  void add_version(const Rest::Request& request, Http::ResponseWriter& response);
  void answer_version(store::RecordId id, const std::string& path, const ImportOptions& import,
                      Http::ResponseWriter& response, const std::function<void()>& done);
  void upload(const Rest::Request& request, Http::ResponseWriter& response);
  void answer_import(const std::string& path, const ImportOptions& import,
                     Http::ResponseWriter& response, const std::function<void()>& done);
  void upload_create(const Rest::Request& request, Http::ResponseWriter& response);
  void upload_offset(const Rest::Request& request, Http::ResponseWriter& response);
  void upload_chunk(const Rest::Request& request, Http::ResponseWriter& response);
  bool upload_of(const Rest::Request& request, Http::ResponseWriter& response, Access* who,
                 Upload* upload);
  void login(const Rest::Request& request, Http::ResponseWriter& response);
  void logout(const Rest::Request& request, Http::ResponseWriter& response);
  void me(const Rest::Request& request, Http::ResponseWriter& response);
  void share(const Rest::Request& request, Http::ResponseWriter& response);
  void share_collection(const Rest::Request& request, Http::ResponseWriter& response);
  void unshare(const Rest::Request& request, Http::ResponseWriter& response);
  void shared(const Rest::Request& request, Http::ResponseWriter& response);
  void shared_file(const Rest::Request& request, Http::ResponseWriter& response);
  void shared_page(const Rest::Request& request, Http::ResponseWriter& response);
  void shared_record_file(const Rest::Request& request, Http::ResponseWriter& response);
  void record_shares(const Rest::Request& request, Http::ResponseWriter& response);
  void my_shares(const Rest::Request& request, Http::ResponseWriter& response);
  // The share link a request's :secret names and who it lends access to;
  // false (answered share_not_found) when it does not stand.
  bool share_link(const Rest::Request& request, Http::ResponseWriter& response, Access* who,
                  store::Token* link);
  void audit(const Rest::Request& request, Http::ResponseWriter& response);
  bool visible_audit(const Access& who, const store::AuditEntry& e);
  bool admin(const Rest::Request& request, Http::ResponseWriter& response, Access* who);
  void schools(const Rest::Request& request, Http::ResponseWriter& response);
  void add_school(const Rest::Request& request, Http::ResponseWriter& response);
  void accounts(const Rest::Request& request, Http::ResponseWriter& response);
  void add_account(const Rest::Request& request, Http::ResponseWriter& response);
  void change_account(const Rest::Request& request, Http::ResponseWriter& response);
  void tokens(const Rest::Request& request, Http::ResponseWriter& response);
  void add_token(const Rest::Request& request, Http::ResponseWriter& response);
  void revoke_token(const Rest::Request& request, Http::ResponseWriter& response);
  void oai(const Rest::Request& request, Http::ResponseWriter& response);
  // Lesson-plan approval (api/approval.cc).
  void approval_of(const Rest::Request& request, Http::ResponseWriter& response);
  void approval_step(const Rest::Request& request, Http::ResponseWriter& response);
  void approvals(const Rest::Request& request, Http::ResponseWriter& response);
  void approval_settings(const Rest::Request& request, Http::ResponseWriter& response);
  // Catalogue export (catalogue_export.cc).
  void catalogue_export(const Rest::Request& request, Http::ResponseWriter& response);
  void watch_folders(const Rest::Request& request, Http::ResponseWriter& response);  // watch.cc
  // Counts of records for reports (stats.cc).
  void stats(const Rest::Request& request, Http::ResponseWriter& response);
  // The graduation register (register.cc).
  bool register_staff(const Rest::Request& request, Http::ResponseWriter& response, Access* who);
  void registers(const Rest::Request& request, Http::ResponseWriter& response);
  void add_register(const Rest::Request& request, Http::ResponseWriter& response);
  void import_register(const Rest::Request& request, Http::ResponseWriter& response);
  void add_register_entry(const Rest::Request& request, Http::ResponseWriter& response);
  void register_scan(const Rest::Request& request, Http::ResponseWriter& response);
  void find_entries(const Rest::Request& request, Http::ResponseWriter& response);
  void register_entry(const Rest::Request& request, Http::ResponseWriter& response);
  void change_entry(const Rest::Request& request, Http::ResponseWriter& response, bool revoke);
  void issue_copy(const Rest::Request& request, Http::ResponseWriter& response);
  void register_copies(const Rest::Request& request, Http::ResponseWriter& response);
  void copy_pdf(const Rest::Request& request, Http::ResponseWriter& response);
  void register_keys(const Rest::Request& request, Http::ResponseWriter& response);
  bool verify_allowed(const std::string& address);
  void verify(const Rest::Request& request, Http::ResponseWriter& response);
  Verdict admit(const Http::Request& request, std::uint64_t body_bytes);
  bool trusted_proxy(const std::string& address) const;
  std::string client_address(const Http::Request& request) const;
  bool over_https(const Http::Request& request) const;
  ConnectionLimits connection_limits() const;
  void keep_index_fresh();
  void catch_up_index();
  void verify_on_schedule();
  void verify_now();
  void refuse_damaged(const store::Record& r, const store::Original& original, const Status& found,
                      Http::ResponseWriter& response);
  Status record_from(const Rest::Request& request, const Access& who, store::Record* out);
  void send_file(const Rest::Request& request, const Access& who, const store::Record& r,
                 Http::ResponseWriter& response,
                 std::size_t version = 0);  // 0: the current version, else from 1
  // Who is asking: a bearer token or the session cookie, else anonymous. A
  // token that is unknown, expired or revoked is refused with 401 (false).
  bool caller(const Rest::Request& request, Http::ResponseWriter& response, Access* out);
  // The same, and only for a signed-in account: anyone else is answered 401
  // with `why` (what signing in is needed for).
  bool signed_in_caller(const Rest::Request& request, Http::ResponseWriter& response, Access* out,
                        const std::string& why);
};

// The secret a request carries: a bearer token, else the session cookie.
std::string bearer_secret(const Http::Request& request);
// A token or share link as the API shows it (never its secret).
nlohmann::json token_json(const store::Token& t);

}  // namespace kho::api
