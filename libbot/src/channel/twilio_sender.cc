// The Twilio REST sender: POST /2010-04-01/Accounts/{sid}/Messages.json over kept-alive
// connections, with Twilio's answers mapped to sent / retry / permanent.
#include <simdjson.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/twilio.h"
#include "channel/twilio_curl.h"

namespace bot {
namespace {

using twilio_internal::CurlGlobal;
using twilio_internal::HeaderList;

// At most this many idle handles (each holding its open connection) are kept for reuse.
constexpr size_t kMaxIdleHandles = 16;

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The fields of a Twilio Message or error JSON the sender reports.
struct TwilioAnswer {
  std::string sid;
  std::string status;
  std::string code;
  std::string message;
};

// Reads what it can; a body that is not JSON leaves the fields empty.
TwilioAnswer ParseAnswer(const std::string& body) {
  TwilioAnswer answer;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return answer;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    simdjson::ondemand::value value = field.value();
    std::string_view text;
    int64_t number = 0;
    std::string* target = nullptr;
    if (key == "sid") target = &answer.sid;
    if (key == "status") target = &answer.status;
    if (key == "code") target = &answer.code;
    if (key == "message") target = &answer.message;
    if (target == nullptr) continue;
    if (!value.get_string().get(text)) {
      *target = std::string(text);  // copied out: the view dies with the parser
    } else if (!value.get_int64().get(number)) {
      *target = std::to_string(number);  // "code" and the error "status" are numbers
    }
  }
  return answer;
}

class TwilioSender final : public ChannelSender {
 public:
  TwilioSender(TwilioAccount account, TwilioSenderOptions options)
      : account_(std::move(account)),
        options_(std::move(options)),
        url_(account_.api_origin + "/2010-04-01/Accounts/" + account_.account_sid +
             "/Messages.json") {}

  ~TwilioSender() override {
    for (CURL* curl : idle_) curl_easy_cleanup(curl);
  }

  SendOutcome Send(const SendRequest& request) override {
    SendOutcome outcome;
    if (!request.account.empty() && request.account != account_.account_sid) {
      outcome.kind = SendOutcome::Kind::kPermanent;
      outcome.error = "message for account " + request.account + " given to the sender of " +
                      account_.account_sid;
      return outcome;
    }
    CURL* curl = Acquire();
    if (curl == nullptr) {
      outcome.kind = SendOutcome::Kind::kRetry;
      outcome.error = "curl_easy_init failed";
      return outcome;
    }
    std::string form = FormEncode(BuildParams(request));
    std::string body;
    char error_buffer[CURL_ERROR_SIZE];
    HeaderList headers;
    headers.Add("Accept: application/json");
    headers.Add("Content-Type: application/x-www-form-urlencoded");
    twilio_internal::SetCommonOptions(curl, options_.connect_timeout.count(),
                                      options_.total_timeout.count(), error_buffer);
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, account_.account_sid.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, account_.auth_token.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form.size()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);

    CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
      outcome.kind = SendOutcome::Kind::kRetry;
      outcome.error = std::string(curl_easy_strerror(code)) +
                      (error_buffer[0] != '\0' ? std::string(": ") + error_buffer : "");
      Release(curl);
      return outcome;
    }
    long http_status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
    outcome.http_status = static_cast<int>(http_status);
    outcome.retry_after = RetryAfter(curl);
    Release(curl);
    Classify(ParseAnswer(body), &outcome);
    return outcome;
  }

 private:
  FormParams BuildParams(const SendRequest& request) const {
    FormParams params = {{"To", request.to}};
    // A Messaging Service sid in place of an address sends through the service's senders.
    params.emplace_back(request.from.rfind("MG", 0) == 0 ? "MessagingServiceSid" : "From",
                        request.from);
    if (!request.content_sid.empty()) {
      params.emplace_back("ContentSid", request.content_sid);
      if (!request.content_variables.empty()) {
        params.emplace_back("ContentVariables", request.content_variables);
      }
    } else {
      params.emplace_back("Body", request.text);
    }
    if (!request.status_callback.empty()) {
      params.emplace_back("StatusCallback", request.status_callback);
    }
    return params;
  }

  static std::optional<std::chrono::milliseconds> RetryAfter(CURL* curl) {
    curl_header* header = nullptr;
    if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &header) != CURLHE_OK) {
      return std::nullopt;
    }
    std::string_view value(header->value);
    long long seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // The HTTP-date form is not used by Twilio; the caller's backoff covers it.
    if (error != std::errc() || end != value.data() + value.size() || seconds < 0) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(seconds * 1000);
  }

  static void Classify(const TwilioAnswer& answer, SendOutcome* outcome) {
    int http = outcome->http_status;
    outcome->error_code = answer.code;
    outcome->error = answer.message;
    if (http >= 200 && http < 300) {
      outcome->kind = SendOutcome::Kind::kSent;
      outcome->provider_id = answer.sid;
      outcome->status = answer.status;
      outcome->error_code.clear();
      outcome->error.clear();
      // Twilio accepted the message: resending would duplicate it, even if the body is odd.
      if (answer.sid.empty()) outcome->error = "accepted without a message sid";
      return;
    }
    bool retry = http == 429 || http >= 500 || IsRetryableTwilioError(answer.code);
    outcome->kind = retry ? SendOutcome::Kind::kRetry : SendOutcome::Kind::kPermanent;
    if (outcome->error.empty()) outcome->error = "HTTP " + std::to_string(http);
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* curl = idle_.back();
        idle_.pop_back();
        return curl;
      }
    }
    return curl_easy_init();
  }

  // curl_easy_reset keeps the handle's live connection, so the next request reuses it.
  void Release(CURL* curl) {
    curl_easy_reset(curl);
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(curl);
      return;
    }
    curl_easy_cleanup(curl);
  }

  CurlGlobal curl_global_;  // first member: initialised before and released after the handles
  const TwilioAccount account_;
  const TwilioSenderOptions options_;
  const std::string url_;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // Guarded by mu_
};

}  // namespace

std::unique_ptr<ChannelSender> NewTwilioSender(TwilioAccount account, TwilioSenderOptions options) {
  return std::make_unique<TwilioSender>(std::move(account), std::move(options));
}

}  // namespace bot
