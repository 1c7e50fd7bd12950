// URL pieces for the media download, on libcurl's URL parser.
#pragma once

#include <string>
#include <string_view>

namespace bot::url {

// scheme://host:port of a URL with the default port filled in and the host lowercased, or ""
// when the URL does not parse or is not http(s). Two URLs with equal origins reach the same
// server.
std::string Origin(std::string_view url);

// `location` (a redirect's Location: absolute, or relative to `base`) as an absolute URL, or ""
// when it does not parse.
std::string Resolve(std::string_view base, std::string_view location);

}  // namespace bot::url
