#include "channel/twilio_curl.h"

#include <cctype>
#include <string>

namespace bot::twilio_internal {
namespace {

std::string UrlPart(CURLU* url, CURLUPart part, unsigned flags) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

std::string UrlOrigin(std::string_view url) {
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return "";
  std::string text(url);
  std::string origin;
  if (curl_url_set(parsed, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK) {
    std::string scheme = UrlPart(parsed, CURLUPART_SCHEME, 0);
    std::string host = UrlPart(parsed, CURLUPART_HOST, 0);
    std::string port = UrlPart(parsed, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!scheme.empty() && !host.empty()) origin = scheme + "://" + host + ":" + port;
  }
  curl_url_cleanup(parsed);
  return origin;
}

void SetCommonOptions(CURL* curl, long connect_timeout_ms, long total_timeout_ms,
                      char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_timeout_ms);
  error_buffer[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
}

}  // namespace bot::twilio_internal
