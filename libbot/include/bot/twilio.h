// The Twilio channel: webhook forms and signatures, TwiML replies, the REST sender, media
// downloads and status callbacks. Everything here follows Twilio's documented protocol and the
// behaviour of its official helper libraries (twilio-python, twilio-node).
//
// All functions are thread-safe; TwilioSender objects may be shared between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/channel.h"
#include "bot/http.h"
#include "bot/session.h"
#include "bot/status.h"

namespace bot {

// Form parameters in arrival order; a name may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// ---- application/x-www-form-urlencoded ----

// Decodes a form body (or a URL query string): pairs split on '&', name and value on the first
// '=', '+' becomes a space and %XX a byte. Empty pairs are skipped. A malformed escape ("%G1",
// a trailing "%") is an InvalidArgument error.
Result<FormParams> ParseForm(std::string_view body);

// Encodes one name or value: unreserved characters (A-Z a-z 0-9 - . _ ~) stay, a space becomes
// '+', every other byte becomes %XX.
std::string FormEscape(std::string_view text);

// Encodes pairs as "a=1&b=2", the inverse of ParseForm.
std::string FormEncode(const FormParams& params);

// ---- X-Twilio-Signature ----

// Base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 ...)) with names in byte
// order and, for a repeated name, its distinct values in byte order. `url` is used as given
// except that "user:pass@" and any "#fragment" are removed (Twilio does not sign them).
std::string ComputeTwilioSignature(std::string_view auth_token, std::string_view url,
                                   const FormParams& params);

// True when `header` is the signature of the request, trying the URL with any port removed and
// with the scheme's default port (:443 / :80) added, as the official libraries do. The compare
// is constant-time. An empty header or token never validates.
bool ValidateTwilioSignature(std::string_view auth_token, std::string_view url,
                             const FormParams& params, std::string_view header);

// For webhooks with a JSON body: `url_with_query` carries Twilio's bodySHA256 query parameter.
// True when that parameter equals the lowercase hex SHA-256 of `raw_body` and `header` signs the
// URL with no parameters (both port variants tried).
bool ValidateTwilioJsonSignature(std::string_view auth_token, std::string_view url_with_query,
                                 std::string_view raw_body, std::string_view header);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// ---- TwiML ----

// `<?xml version="1.0" encoding="UTF-8"?><Response><Message>reply</Message>...</Response>`, one
// <Message> per reply, text XML-escaped; no replies gives an empty <Response></Response>.
std::string RenderTwiml(const std::vector<std::string>& replies);

// ---- REST sender ----

struct TwilioAccount {
  std::string account_sid;                            // "AC..."
  std::string auth_token;                             // secret: never log it
  std::string api_origin = "https://api.twilio.com";  // scheme://host[:port], no path
};

struct TwilioSenderOptions {
  std::chrono::milliseconds timeout{15000};  // each request, connect included
};

// A ChannelSender that POSTs to {api_origin}/2010-04-01/Accounts/{sid}/Messages.json with Basic
// auth through `http` (not owned; it must outlive the sender). With NewCurlHttpClient() one
// thread carries every send in flight over kept-alive connections, so a slow API costs waiting
// sockets, not threads. Outcomes: 2xx → kSent (provider_id = the message sid, status = Twilio's
// status); 429, 5xx, a network error or a timeout → kRetry (retry_after from a Retry-After
// header); any other 4xx → kPermanent with Twilio's error `code` and `message`, unless the code
// is a rate limit (IsRetryableTwilioError). A request whose `account` is set and differs from
// the sender's AccountSid is kPermanent without any network call. `done` runs on the client's
// transfer thread (before Send returns for a refused request).
// Note: a timeout after the request was written is reported as kRetry although Twilio may have
// accepted the message; that window cannot be closed from the client side.
// Thread-safe.
std::unique_ptr<ChannelSender> NewTwilioSender(TwilioAccount account, HttpClient* http,
                                               TwilioSenderOptions options = {});
// The same over a client of its own (NewCurlHttpClient() with up to 32 connections), for a
// program with one account.
std::unique_ptr<ChannelSender> NewTwilioSender(TwilioAccount account,
                                               TwilioSenderOptions options = {});

// True for Twilio error codes that will fail the same way on every retry (invalid number,
// opted out, outside the 24 h window, not a WhatsApp user ...).
bool IsPermanentTwilioError(std::string_view code);
// True for Twilio error codes that are rate limits and succeed later (20429, 63017, 63018, 63038).
bool IsRetryableTwilioError(std::string_view code);

// Exponential backoff with full jitter: a delay drawn uniformly from [0, min(cap, base·2^attempt)]
// with `uniform01` in [0, 1) supplied by the caller (so the function is pure). attempt counts from
// 0.
std::chrono::milliseconds BackoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap, double uniform01);

// ---- Status callbacks ----

struct TwilioStatusCallback {
  std::string message_sid;     // "SM..."
  std::string message_status;  // queued, sent, delivered, read, failed, undelivered ...
  std::string error_code;      // set on failed / undelivered; "" otherwise
};

// Extracts MessageSid, MessageStatus (falling back to SmsStatus) and ErrorCode; InvalidArgument
// when the sid or the status is missing.
Result<TwilioStatusCallback> ParseTwilioStatusCallback(const FormParams& params);

// ---- Inbound media ----

struct MediaLimits {
  int64_t max_bytes = 16 * 1024 * 1024;       // WhatsApp: 16 MB per message
  int64_t max_image_bytes = 5 * 1024 * 1024;  // WhatsApp: 5 MB for images
  // The whole download, redirects included. Twilio waits 15 s for a webhook's answer, and the
  // answer waits for the download: keep this under it.
  std::chrono::milliseconds timeout{10000};
};

// Downloads a MediaUrl through `http` into `dir` as "<sha256>.<ext>" (ext from `content_type`)
// and calls `done` with the Media (url, content_type, path, size and sha256 filled). No thread
// waits meanwhile: `done` runs on `http`'s thread (NewCurlHttpClient: its transfer thread),
// after the file is written. Basic auth (AccountSid:AuthToken) is sent only when the URL's
// scheme, host and port equal those of account.api_origin; redirects (up to 5) are followed
// here, never with the credentials to another host, so `http` must not follow them itself. The
// transfer stops as soon as it passes the limit for its type (image/* → max_image_bytes, else
// max_bytes), and nothing is written then. Errors: InvalidArgument (bad URL, too large),
// Timeout, Unavailable (network, 5xx), BadResponse (other HTTP errors), Internal (file system).
void DownloadMediaAsync(HttpClient& http, const std::string& url, const std::string& content_type,
                        const TwilioAccount& account, const MediaLimits& limits,
                        const std::string& dir, std::function<void(Result<Media>)> done);

// The same, waiting for the result (tools and tests).
Result<Media> DownloadMedia(HttpClient& http, const std::string& url,
                            const std::string& content_type, const TwilioAccount& account,
                            const MediaLimits& limits, const std::string& dir);

}  // namespace bot
