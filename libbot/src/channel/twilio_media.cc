// Downloads inbound media (MediaUrlN) to disk: credentials only for Twilio's API host, redirects
// followed without them, the size limit enforced while the bytes stream in.
#include <openssl/evp.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "bot/twilio.h"
#include "channel/twilio_curl.h"

namespace bot {
namespace {

namespace fs = std::filesystem;
using twilio_internal::CurlGlobal;
using twilio_internal::UrlOrigin;

// "audio/ogg; codecs=opus" → "audio/ogg".
std::string MediaType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

// File extensions for the media types WhatsApp delivers; anything else is kept as ".bin".
std::string Extension(const std::string& type) {
  static constexpr std::pair<const char*, const char*> kExtensions[] = {
      {"image/jpeg", "jpg"},
      {"image/jpg", "jpg"},
      {"image/png", "png"},
      {"image/webp", "webp"},
      {"image/gif", "gif"},
      {"audio/ogg", "ogg"},
      {"audio/opus", "opus"},
      {"audio/amr", "amr"},
      {"audio/3gpp", "3gp"},
      {"audio/aac", "aac"},
      {"audio/mpeg", "mp3"},
      {"audio/mp4", "m4a"},
      {"video/mp4", "mp4"},
      {"video/3gpp", "3gp"},
      {"application/pdf", "pdf"},
      {"text/vcard", "vcf"},
      {"text/x-vcard", "vcf"},
      {"text/plain", "txt"},
      {"application/msword", "doc"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
  };
  for (const auto& [media_type, extension] : kExtensions) {
    if (type == media_type) return extension;
  }
  return "bin";
}

// Where the bytes go while they arrive: a temporary file and a running SHA-256.
struct Sink {
  std::FILE* file = nullptr;
  EVP_MD_CTX* sha = nullptr;
  int64_t size = 0;
  int64_t limit = 0;
  bool too_large = false;
  bool write_failed = false;
};

size_t WriteToSink(char* data, size_t size, size_t count, void* user) {
  Sink* sink = static_cast<Sink*>(user);
  size_t bytes = size * count;
  sink->size += static_cast<int64_t>(bytes);
  if (sink->size > sink->limit) {
    sink->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  if (std::fwrite(data, 1, bytes, sink->file) != bytes) {
    sink->write_failed = true;
    return 0;
  }
  EVP_DigestUpdate(sink->sha, data, bytes);
  return bytes;
}

std::string Hex(const unsigned char* data, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

// Runs the transfer into `sink`; the error says why it failed, with the URL's limit in it.
Status Fetch(const std::string& url, const TwilioAccount& account, const MediaLimits& limits,
             Sink* sink) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Internal("curl_easy_init failed");
  char error_buffer[CURL_ERROR_SIZE];
  twilio_internal::SetCommonOptions(curl.get(), limits.connect_timeout.count(),
                                    limits.total_timeout.count(), error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  // Twilio answers with a redirect to a short-lived CDN URL. libcurl sends the credentials
  // only to the host they were set for (UNRESTRICTED_AUTH off), so the CDN never sees them.
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl.get(), CURLOPT_UNRESTRICTED_AUTH, 0L);
  // The URL comes from a webhook: only Twilio's own API host may see the token, or a forged
  // MediaUrl could collect it.
  if (UrlOrigin(url) == UrlOrigin(account.api_origin)) {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, account.account_sid.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, account.auth_token.c_str());
  }
  // Refuses at once when the server announces a larger Content-Length; WriteToSink covers
  // responses that do not announce one.
  curl_easy_setopt(curl.get(), CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(sink->limit));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, WriteToSink);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, sink);

  CURLcode code = curl_easy_perform(curl.get());
  std::string too_large =
      "media larger than the limit of " + std::to_string(sink->limit) + " bytes";
  if (code == CURLE_FILESIZE_EXCEEDED || sink->too_large) return InvalidArgument(too_large);
  if (sink->write_failed) return Internal("cannot write the media file");
  std::string detail = std::string(curl_easy_strerror(code)) +
                       (error_buffer[0] != '\0' ? std::string(": ") + error_buffer : "");
  if (code == CURLE_OPERATION_TIMEDOUT) return Timeout("media download: " + detail);
  if (code != CURLE_OK) return Unavailable("media download: " + detail);
  long http_status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &http_status);
  std::string status_text = "media download: HTTP " + std::to_string(http_status);
  if (http_status >= 500) return Unavailable(status_text);
  if (http_status < 200 || http_status >= 300) return BadResponse(status_text);
  return Status::Ok();
}

}  // namespace

Result<Media> DownloadMedia(const std::string& url, const std::string& content_type,
                            const TwilioAccount& account, const MediaLimits& limits,
                            const std::string& dir) {
  CurlGlobal curl_global;
  if (UrlOrigin(url).empty()) return InvalidArgument("not an http(s) media URL: " + url);
  std::string type = MediaType(content_type);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create media directory " + dir + ": " + ec.message());

  std::string temp_path = (fs::path(dir) / ".download-XXXXXX").string();
  int fd = mkstemp(temp_path.data());
  if (fd < 0) return Internal("cannot create a file in " + dir);
  Sink sink;
  sink.file = fdopen(fd, "wb");
  sink.sha = EVP_MD_CTX_new();
  sink.limit = type.rfind("image/", 0) == 0 ? limits.max_image_bytes : limits.max_bytes;
  Status status = (sink.file == nullptr || sink.sha == nullptr)
                      ? Internal("cannot open a temporary media file")
                      : Status::Ok();
  if (sink.sha != nullptr) EVP_DigestInit_ex(sink.sha, EVP_sha256(), nullptr);
  if (status.ok()) status = Fetch(url, account, limits, &sink);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (sink.sha != nullptr) {
    EVP_DigestFinal_ex(sink.sha, digest, &digest_size);
    EVP_MD_CTX_free(sink.sha);
  }
  bool closed = sink.file != nullptr ? std::fclose(sink.file) == 0 : ::close(fd) == 0;
  if (status.ok() && !closed) status = Internal("cannot write the media file");
  if (!status.ok()) {
    fs::remove(temp_path, ec);
    return status;
  }

  Media media;
  media.url = url;
  media.content_type = content_type;
  media.sha256 = Hex(digest, digest_size);
  media.size = sink.size;
  // Named by content: the same file received twice is stored once.
  media.path = (fs::path(dir) / (media.sha256 + "." + Extension(type))).string();
  fs::rename(temp_path, media.path, ec);
  if (ec) {
    fs::remove(temp_path, ec);
    return Internal("cannot store media as " + media.path);
  }
  return media;
}

}  // namespace bot
