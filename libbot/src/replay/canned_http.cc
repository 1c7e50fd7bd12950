#include "replay/canned_http.h"

#include <simdjson.h>

#include <fstream>
#include <string_view>

#include "util/json.h"

namespace bot::replay {
namespace {

// A string element as is; anything else as its JSON text.
std::string TextOf(simdjson::dom::element e) {
  std::string_view s;
  if (!e.get(s)) return std::string(s);
  return simdjson::minify(e);
}

bool Skipped(const std::string& line) {
  size_t first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line.compare(first, 2, "//") == 0;
}

}  // namespace

Result<std::unique_ptr<CannedHttpClient>> CannedHttpClient::Open(const std::string& path,
                                                                  const Clock* clock) {
  std::ifstream in(path);
  if (!in) return NotFound("answers file " + path + " not found");
  std::unique_ptr<CannedHttpClient> client(new CannedHttpClient(path, clock));
  simdjson::dom::parser parser;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (Skipped(line)) continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    simdjson::dom::object object;
    if (parser.parse(line).get(object)) return InvalidArgument(where + "not a JSON object");
    std::string_view url;
    if (object["url"].get(url) || url.empty()) return InvalidArgument(where + "no \"url\"");
    Answer answer;
    int64_t status = 200;
    simdjson::dom::element e;
    if (!object["status"].get(e) && (e.get(status) || status < 100 || status > 599)) {
      return InvalidArgument(where + "\"status\" must be an HTTP status code");
    }
    answer.status = static_cast<int>(status);
    simdjson::dom::element body, content;
    bool has_body = !object["body"].get(body);
    bool has_content = !object["content"].get(content);
    if (has_body == has_content) {
      return InvalidArgument(where + "give exactly one of \"body\" and \"content\"");
    }
    answer.chat = has_content;
    answer.body = TextOf(has_body ? body : content);
    simdjson::dom::object headers;
    if (!object["headers"].get(headers)) {
      for (auto [name, value] : headers) {
        std::string_view v;
        if (value.get(v)) return InvalidArgument(where + "header values must be strings");
        answer.headers.emplace_back(std::string(name), std::string(v));
      }
    } else {
      answer.headers = {{"Content-Type", "application/json"}};
    }
    for (auto field : object) {
      std::string_view key = field.key;
      if (key != "url" && key != "status" && key != "body" && key != "content" &&
          key != "headers") {
        return InvalidArgument(where + "unknown key \"" + std::string(key) + "\"");
      }
    }
    client->answers_[std::string(url)].push_back(std::move(answer));
  }
  return client;
}

void CannedHttpClient::Send(HttpRequest request, Callback done) {
  Answer answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = answers_.find(request.url);
    if (it == answers_.end() || it->second.empty()) {
      done(NotFound("answers file " + path_ + " has no " +
                    (it == answers_.end() ? "answer" : "more answers") + " for " +
                    request.method + " " + request.url));
      return;
    }
    answer = std::move(it->second.front());
    it->second.pop_front();
    ++handed_out_;
  }
  HttpResponse response;
  response.status = answer.status;
  response.headers = std::move(answer.headers);
  response.body = answer.chat ? ChatEnvelope(answer.body, request) : std::move(answer.body);
  done(std::move(response));
}

size_t CannedHttpClient::Unused() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [url, answers] : answers_) n += answers.size();
  return n;
}

// What an OpenAI-compatible server answers. Tokens are estimated at four bytes each: a canned
// answer has no tokenizer, and the usage ledger only needs plausible, deterministic figures.
std::string CannedHttpClient::ChatEnvelope(const std::string& content,
                                           const HttpRequest& request) {
  int id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = handed_out_;
  }
  const size_t tokens_in = request.body.size() / 4 + 1;
  const size_t tokens_out = content.size() / 4 + 1;
  const long long created =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count();
  std::string out = "{\"id\":\"chatcmpl-replay-" + std::to_string(id) +
                    "\",\"object\":\"chat.completion\",\"created\":" + std::to_string(created) +
                    ",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
                    "\"message\":{\"role\":\"assistant\",\"content\":";
  json::AppendString(&out, content);
  out += ",\"refusal\":null},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" +
         std::to_string(tokens_in) + ",\"completion_tokens\":" + std::to_string(tokens_out) +
         ",\"total_tokens\":" + std::to_string(tokens_in + tokens_out) + "}}";
  return out;
}

std::string AnswersPathFor(const std::string& cassette_path) {
  constexpr std::string_view kSuffix = ".cassette.jsonl";
  if (cassette_path.size() > kSuffix.size() && cassette_path.ends_with(kSuffix)) {
    return cassette_path.substr(0, cassette_path.size() - kSuffix.size()) + ".answers.jsonl";
  }
  return cassette_path + ".answers.jsonl";
}

}  // namespace bot::replay
