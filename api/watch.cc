// GET /api/v1/watch: the watch folders running beside this server
// (`kho serve --watch DIR`) and what became of their recent files.
#include "core/watch.h"

#include <nlohmann/json.hpp>

#include "api/server_impl.h"

namespace kho::api {

using nlohmann::json;

// Admins only, each seeing the folders of the schools it administers (a
// folder whose files go to no school set: any admin). A file's name is shown
// only to whom may read every record it made; a failed file's only to an
// admin of the folder's school: names of scans can be personal.
void Server::Impl::watch_folders(const Rest::Request& request, Http::ResponseWriter& response) {
  Access who;
  if (!admin(request, response, &who)) return;
  auto may_see = [&](const WatchResult& r, const std::string& school) {
    if (r.ids.empty()) return who.admin_of(school);
    for (store::RecordId id : r.ids) {
      store::Record record;
      if (!library.store().get(id, &record).ok() || !who.may_read(record)) return false;
    }
    return true;
  };
  json folders = json::array();
  for (const Watcher* watcher : options.watchers) {
    WatchState st = watcher->state();
    if (st.school.empty() ? !who.may_administer() : !who.admin_of(st.school)) continue;
    json recent = json::array();
    for (const WatchResult& r : st.recent)
      if (may_see(r, st.school)) recent.push_back(to_json(r));
    folders.push_back({{"dir", st.dir},
                       {"school", st.school},
                       {"running", st.running},
                       {"waiting", st.waiting},
                       {"imported", st.imported},
                       {"duplicates", st.duplicates},
                       {"failed", st.failed},
                       {"recent", recent}});
  }
  send_json(response, Http::Code::Ok,
            json{{"folders", folders}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace kho::api
