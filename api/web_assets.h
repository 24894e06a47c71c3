// The web UI's files, compiled into the binary (see web/embed.cmake).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kho::api {

// The bytes of a web file by its name ("index.html"), or nullptr.
const std::string* web_asset(std::string_view name);

}  // namespace kho::api
