#include "channel/url.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <string>

namespace bot::url {
namespace {

using Url = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

std::string Part(CURLU* url, CURLUPart part, unsigned flags) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

std::string Origin(std::string_view text) {
  Url parsed(curl_url(), curl_url_cleanup);
  if (!parsed ||
      curl_url_set(parsed.get(), CURLUPART_URL, std::string(text).c_str(), 0) != CURLUE_OK) {
    return "";
  }
  std::string scheme = Part(parsed.get(), CURLUPART_SCHEME, 0);
  std::string host = Part(parsed.get(), CURLUPART_HOST, 0);
  std::string port = Part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if ((scheme != "http" && scheme != "https") || host.empty()) return "";
  return scheme + "://" + host + ":" + port;
}

std::string Resolve(std::string_view base, std::string_view location) {
  Url parsed(curl_url(), curl_url_cleanup);
  if (!parsed ||
      curl_url_set(parsed.get(), CURLUPART_URL, std::string(base).c_str(), 0) != CURLUE_OK) {
    return "";
  }
  // Set on a handle holding `base`, a relative URL is resolved against it.
  if (curl_url_set(parsed.get(), CURLUPART_URL, std::string(location).c_str(), 0) != CURLUE_OK) {
    return "";
  }
  return Part(parsed.get(), CURLUPART_URL, 0);
}

}  // namespace bot::url
