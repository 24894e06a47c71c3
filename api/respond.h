// How a route answers: kho's JSON errors ({"error": {"code", "message"}}),
// headers Pistache 0.0.5 would otherwise drop, and the guard every handler
// runs inside (no exception text reaches a client; stop() waits for handlers).
#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace kho::api {

using Handler =
    std::function<void(const Pistache::Rest::Request&, Pistache::Http::ResponseWriter&)>;

void set_header(Pistache::Http::ResponseWriter& response, std::string name, std::string value);
void send_json(Pistache::Http::ResponseWriter& response, Pistache::Http::Code code,
               const std::string& body);
// `kind`: a stable snake_case code the web page words in the reader's
// language; `field`: the request parameter at fault, if one is.
void send_error(Pistache::Http::ResponseWriter& response, Pistache::Http::Code code,
                const std::string& kind, const std::string& message, const std::string& field = "");
// Expected failures map to their HTTP status; the message is the user's. The
// code is the Status's reason when it has one, else the HTTP status's name.
void send_status(Pistache::Http::ResponseWriter& response, const Status& s);

// Counts handlers that are running, so stop() can wait for them before the
// Library goes away (Pistache 0.0.5's shutdown() may return while they run).
class InFlight {
 public:
  void enter() {
    std::lock_guard lock(mutex_);
    ++count_;
  }
  void leave() {
    std::lock_guard lock(mutex_);
    if (--count_ == 0) idle_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  int count_ = 0;
};

// A request's JSON object body; false, answered 400 bad_json, when it is not one.
bool json_body(const Pistache::Rest::Request& request, Pistache::Http::ResponseWriter& response,
               nlohmann::json* out);

// Pistache turns an escaping exception into a 500 whose body is e.what();
// the guard keeps internals in the log and gives clients kho's JSON.
Pistache::Rest::Route::Handler guarded(InFlight* in_flight, Handler handler);

}  // namespace kho::api
