// Downloads inbound media (MediaUrlN) to disk through an HttpClient, holding no thread while
// the bytes travel: credentials only for Twilio's API host, redirects followed here without
// them, the size limit enforced by the client while the bytes arrive.
#include <openssl/evp.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <system_error>

#include "bot/twilio.h"
#include "channel/url.h"
#include "util/base64.h"

namespace bot {
namespace {

namespace fs = std::filesystem;

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

std::string Hex(const unsigned char* data, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

// Writes the downloaded bytes as "<dir>/<sha256>.<ext>": into a temporary file first, renamed
// when complete, so a crash never leaves a half file under a content name.
Result<Media> Save(const std::string& url, const std::string& content_type, const std::string& dir,
                   const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create media directory " + dir + ": " + ec.message());
  std::string temp_path = (fs::path(dir) / ".download-XXXXXX").string();
  int fd = mkstemp(temp_path.data());
  if (fd < 0) return Internal("cannot create a file in " + dir);
  std::FILE* file = fdopen(fd, "wb");
  bool written =
      file != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  bool closed = file != nullptr ? std::fclose(file) == 0 : ::close(fd) == 0;
  if (!written || !closed) {
    fs::remove(temp_path, ec);
    return Internal("cannot write the media file");
  }
  Media media;
  media.url = url;
  media.content_type = content_type;
  media.sha256 = Sha256Hex(bytes);
  media.size = static_cast<int64_t>(bytes.size());
  // Named by content: the same file received twice is stored once.
  media.path = (fs::path(dir) / (media.sha256 + "." + Extension(MediaType(content_type)))).string();
  fs::rename(temp_path, media.path, ec);
  if (ec) {
    fs::remove(temp_path, ec);
    return Internal("cannot store media as " + media.path);
  }
  return media;
}

// One download: a request per hop of the redirect chain, each sent when the one before answers.
class Download : public std::enable_shared_from_this<Download> {
 public:
  Download(HttpClient& http, std::string url, std::string content_type, TwilioAccount account,
           const MediaLimits& limits, std::string dir, std::function<void(Result<Media>)> done)
      : http_(http),
        url_(std::move(url)),
        content_type_(std::move(content_type)),
        account_(std::move(account)),
        dir_(std::move(dir)),
        done_(std::move(done)),
        limit_(MediaType(content_type_).rfind("image/", 0) == 0 ? limits.max_image_bytes
                                                                : limits.max_bytes),
        deadline_(std::chrono::steady_clock::now() + limits.timeout) {}

  void Get(const std::string& url) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) {
      done_(
          Timeout("media download: no time left after " + std::to_string(hops_) + " redirect(s)"));
      return;
    }
    HttpRequest request;
    request.url = url;
    request.timeout = left;
    request.max_response_bytes = static_cast<size_t>(limit_);
    // The URL comes from a webhook: only Twilio's own API host may see the token, or a forged
    // MediaUrl could collect it. Twilio answers with a redirect to a short-lived CDN URL, which
    // is asked without it.
    if (url::Origin(url) == url::Origin(account_.api_origin)) {
      request.headers.emplace_back(
          "Authorization", "Basic " + Base64(account_.account_sid + ":" + account_.auth_token));
    }
    http_.Send(std::move(request), [self = shared_from_this(), url](Result<HttpResponse> got) {
      self->Answered(url, std::move(got));
    });
  }

 private:
  void Answered(const std::string& url, Result<HttpResponse> got) {
    if (!got.ok()) {
      const Status& s = got.status();
      // A transport BadResponse is the body limit (HttpClient's contract).
      if (s.code() == StatusCode::kBadResponse) {
        done_(
            InvalidArgument("media larger than the limit of " + std::to_string(limit_) + " bytes"));
      } else if (s.code() == StatusCode::kTimeout) {
        done_(Timeout("media download: " + s.message()));
      } else if (s.code() == StatusCode::kInvalidArgument) {
        done_(InvalidArgument("media download: " + s.message()));
      } else {
        done_(Unavailable("media download: " + s.message()));
      }
      return;
    }
    const int status = got->status;
    std::string location = got->Header("location");
    if (status >= 300 && status < 400 && !location.empty()) {
      std::string next = url::Resolve(url, location);
      if (++hops_ > 5) return done_(BadResponse("media download: more than 5 redirects"));
      if (url::Origin(next).empty()) {
        return done_(BadResponse("media download: redirect to a non-http(s) URL"));
      }
      return Get(next);
    }
    std::string status_text = "media download: HTTP " + std::to_string(status);
    if (status >= 500) return done_(Unavailable(status_text));
    if (status < 200 || status >= 300) return done_(BadResponse(status_text));
    done_(Save(url_, content_type_, dir_, got->body));
  }

  HttpClient& http_;
  const std::string url_;
  const std::string content_type_;
  const TwilioAccount account_;
  const std::string dir_;
  const std::function<void(Result<Media>)> done_;
  const int64_t limit_;
  const std::chrono::steady_clock::time_point deadline_;
  int hops_ = 0;
};

}  // namespace

void DownloadMediaAsync(HttpClient& http, const std::string& url, const std::string& content_type,
                        const TwilioAccount& account, const MediaLimits& limits,
                        const std::string& dir, std::function<void(Result<Media>)> done) {
  if (url::Origin(url).empty()) {
    done(InvalidArgument("not an http(s) media URL: " + url));
    return;
  }
  std::make_shared<Download>(http, url, content_type, account, limits, dir, std::move(done))
      ->Get(url);
}

Result<Media> DownloadMedia(HttpClient& http, const std::string& url,
                            const std::string& content_type, const TwilioAccount& account,
                            const MediaLimits& limits, const std::string& dir) {
  auto promise = std::make_shared<std::promise<Result<Media>>>();
  std::future<Result<Media>> future = promise->get_future();
  DownloadMediaAsync(http, url, content_type, account, limits, dir,
                     [promise](Result<Media> media) { promise->set_value(std::move(media)); });
  return future.get();
}

}  // namespace bot
