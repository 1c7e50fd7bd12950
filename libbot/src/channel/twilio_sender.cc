// The Twilio REST sender: POST /2010-04-01/Accounts/{sid}/Messages.json through an HttpClient,
// with Twilio's answers mapped to sent / retry / permanent.
#include <simdjson.h>

#include <memory>
#include <string>
#include <utility>

#include "bot/twilio.h"
#include "util/base64.h"

namespace bot {
namespace {

// Connections a sender with a client of its own keeps to the API: its sends in flight at once.
constexpr long kOwnClientConnections = 32;

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
  TwilioSender(TwilioAccount account, HttpClient* http, TwilioSenderOptions options,
               std::unique_ptr<HttpClient> owned_http = nullptr)
      : owned_http_(std::move(owned_http)),
        http_(http),
        account_(std::move(account)),
        options_(options),
        url_(account_.api_origin + "/2010-04-01/Accounts/" + account_.account_sid +
             "/Messages.json"),
        authorization_("Basic " + Base64(account_.account_sid + ":" + account_.auth_token)) {}

  void Send(SendRequest request, Callback done) override {
    if (!request.account.empty() && request.account != account_.account_sid) {
      SendOutcome outcome;
      outcome.kind = SendOutcome::Kind::kPermanent;
      outcome.error = "message for account " + request.account + " given to the sender of " +
                      account_.account_sid;
      done(std::move(outcome));
      return;
    }
    HttpRequest http;
    http.method = "POST";
    http.url = url_;
    http.headers = {{"Authorization", authorization_},
                    {"Accept", "application/json"},
                    {"Content-Type", "application/x-www-form-urlencoded"}};
    http.body = FormEncode(BuildParams(request));
    http.timeout = options_.timeout;
    http_->Send(std::move(http), [done = std::move(done)](Result<HttpResponse> response) {
      done(Outcome(response));
    });
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

  static SendOutcome Outcome(const Result<HttpResponse>& response) {
    SendOutcome outcome;
    if (!response.ok()) {
      // A URL that cannot work will not start working; anything else (connect, TLS, reset,
      // timeout) may.
      outcome.kind = response.status().code() == StatusCode::kInvalidArgument
                         ? SendOutcome::Kind::kPermanent
                         : SendOutcome::Kind::kRetry;
      outcome.error = response.status().message();
      return outcome;
    }
    outcome.http_status = response->status;
    // Twilio sends Retry-After in seconds; an HTTP date is read against the system clock.
    std::chrono::milliseconds wait = RetryAfter(*response, std::chrono::system_clock::now());
    if (wait.count() >= 0) outcome.retry_after = wait;
    Classify(ParseAnswer(response->body), &outcome);
    return outcome;
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

  const std::unique_ptr<HttpClient> owned_http_;  // set when the sender has a client of its own
  HttpClient* const http_;
  const TwilioAccount account_;
  const TwilioSenderOptions options_;
  const std::string url_;
  const std::string authorization_;  // secret: carries the auth token
};

}  // namespace

std::unique_ptr<ChannelSender> NewTwilioSender(TwilioAccount account, HttpClient* http,
                                               TwilioSenderOptions options) {
  return std::make_unique<TwilioSender>(std::move(account), http, options);
}

std::unique_ptr<ChannelSender> NewTwilioSender(TwilioAccount account, TwilioSenderOptions options) {
  CurlHttpOptions http_options;
  http_options.max_connections_per_host = kOwnClientConnections;
  std::unique_ptr<HttpClient> http = NewCurlHttpClient(http_options);
  HttpClient* client = http.get();
  return std::make_unique<TwilioSender>(std::move(account), client, options, std::move(http));
}

}  // namespace bot
