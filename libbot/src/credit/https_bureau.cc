// A credit bureau over HTTPS with JSON bodies and a Bearer key.
#include <simdjson.h>

#include <cstdio>
#include <future>
#include <string>

#include "bot/credit.h"
#include "util/json.h"

namespace bot {

namespace {

// Plain http would send the applicant's CURP and the API key in clear: only a local test
// server may use it.
bool AllowedUrl(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return url.size() > 8;
  for (const char* local : {"http://127.0.0.1", "http://localhost"}) {
    std::string prefix = local;
    if (url.rfind(prefix, 0) == 0 &&
        (url.size() == prefix.size() || url[prefix.size()] == ':' || url[prefix.size()] == '/')) {
      return true;
    }
  }
  return false;
}

std::string IsoDate(std::chrono::year_month_day d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

class HttpsBureau : public BureauProvider {
 public:
  HttpsBureau(HttpsBureauOptions options, HttpClient* http)
      : options_(std::move(options)), http_(http) {}

  Result<BureauReport> Check(const BureauRequest& request) override {
    std::promise<Result<BureauReport>> promise;
    std::future<Result<BureauReport>> answer = promise.get_future();
    CheckAsync(request, [&promise](Result<BureauReport> r) { promise.set_value(std::move(r)); });
    return answer.get();
  }

  void CheckAsync(const BureauRequest& request,
                  std::function<void(Result<BureauReport>)> done) override {
    HttpRequest http;
    http.method = "POST";
    http.url = options_.url;
    http.headers = {{"Authorization", "Bearer " + options_.api_key},
                    {"Content-Type", "application/json"},
                    {"Accept", "application/json"}};
    std::string& body = http.body;
    body = "{\"name\":";
    json::AppendString(&body, request.full_name);
    body += ",\"curp\":";
    json::AppendString(&body, request.curp);
    body += ",\"birth_date\":\"" + IsoDate(request.birth_date) + "\",\"address\":";
    json::AppendString(&body, request.address);
    body += "}";
    http.timeout = options_.timeout;

    http_->Send(std::move(http), [done = std::move(done)](Result<HttpResponse> response) {
      done(Read(std::move(response)));
    });
  }

 private:
  static Result<BureauReport> Read(Result<HttpResponse> response) {
    if (!response.ok()) return response.status();
    const int status = response->status;
    const std::string code = "bureau answered HTTP " + std::to_string(status);
    if (status == 401 || status == 403) return InvalidArgument(code + ": API key refused");
    if (status == 404) return NotFound(code + ": no record for this CURP");
    if (status == 408 || status == 429 || status >= 500) return Unavailable(code);
    if (status != 200) return BadResponse(code);

    simdjson::dom::parser parser;
    simdjson::dom::element root;
    int64_t score = 0;
    if (parser.parse(response->body).get(root) || root["score"].get(score)) {
      return BadResponse("bureau answer has no numeric \"score\"");
    }
    if (score < 0 || score > 10000) return BadResponse("bureau score out of range");
    BureauReport report;
    report.score = static_cast<int>(score);
    report.raw_body = std::move(response->body);
    return report;
  }

  const HttpsBureauOptions options_;
  HttpClient* const http_;  // not owned
};

}  // namespace

Result<std::unique_ptr<BureauProvider>> NewHttpsBureau(HttpsBureauOptions options,
                                                       HttpClient* http) {
  if (http == nullptr) return InvalidArgument("bureau: no HTTP client");
  if (!AllowedUrl(options.url)) {
    return InvalidArgument("bureau URL must be https:// (http only for localhost): " + options.url);
  }
  if (options.api_key.empty()) return InvalidArgument("bureau API key is empty");
  if (options.timeout.count() <= 0) return InvalidArgument("bureau timeout must be positive");
  return std::unique_ptr<BureauProvider>(new HttpsBureau(std::move(options), http));
}

}  // namespace bot
