// libcurl plumbing for the media download.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

namespace bot::twilio_internal {

// Keeps libcurl's global state alive while an owner exists (curl_global_init is reference
// counted and thread-safe in the libcurl we require, 7.84+).
class CurlGlobal {
 public:
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

// scheme://host:port of a URL with the default port filled in and the host lowercased, or ""
// when the URL does not parse. Two URLs with equal origins reach the same server.
std::string UrlOrigin(std::string_view url);

// Sets the options every Twilio request shares: no signals (thread safety), http(s) only,
// timeouts, error buffer.
void SetCommonOptions(CURL* curl, long connect_timeout_ms, long total_timeout_ms,
                      char* error_buffer);

}  // namespace bot::twilio_internal
