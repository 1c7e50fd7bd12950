// Cassettes: one JSON object per line, one line per exchange:
//   {"method","url","request_headers":{..redacted..},"request_body":<normalised>,
//    "status","response_headers":{...},"response_body":"..."}
// request_body is the normalised JSON itself when the body is JSON, else a string.
// Only completed HTTP exchanges are recorded: a transport error has no answer to replay.
#include <simdjson.h>

#include <cctype>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "bot/http.h"
#include "util/json.h"

namespace bot {
namespace {

bool IsSecretHeader(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == "authorization" || name == "x-api-key" || name == "api-key" ||
         name == "cookie" || name == "set-cookie" || name == "proxy-authorization";
}

struct Exchange {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

std::string MatchKey(const std::string& method, const std::string& url,
                     const std::string& normalised_body) {
  return method + " " + url + "\n" + normalised_body;
}

void AppendHeaders(std::string* out, const HttpHeaders& headers) {
  *out += '{';
  bool first = true;
  for (const auto& [name, value] : headers) {
    if (!first) *out += ',';
    first = false;
    json::AppendString(out, name);
    *out += ':';
    json::AppendString(out, IsSecretHeader(name) ? "[redacted]" : value);
  }
  *out += '}';
}

// Whether the normalised body is JSON (then it is embedded as is, readable in the file).
bool IsJson(const std::string& s) {
  if (s.empty() || (s[0] != '{' && s[0] != '[')) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  return !parser.parse(s).get(ignored);
}

}  // namespace

struct CassetteHttpClient::State {
  CassetteMode mode;
  std::string path;
  HttpClient* inner = nullptr;
  std::mutex mu;
  std::ofstream out;                                    // record; guarded by mu
  std::map<std::string, std::deque<Exchange>> answers;  // replay; guarded by mu
  std::map<std::string, size_t> used;                   // replay; guarded by mu
};

CassetteHttpClient::CassetteHttpClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
CassetteHttpClient::~CassetteHttpClient() = default;

Result<std::unique_ptr<CassetteHttpClient>> CassetteHttpClient::Open(CassetteMode mode,
                                                                     std::string path,
                                                                     HttpClient* inner) {
  auto state = std::make_unique<State>();
  state->mode = mode;
  state->path = path;
  state->inner = inner;
  if (mode == CassetteMode::kRecord) {
    if (inner == nullptr) return InvalidArgument("recording cassette " + path + " needs a client");
    state->out.open(path, std::ios::trunc);
    if (!state->out) return Internal("cannot write cassette " + path);
  } else {
    std::ifstream in(path);
    if (!in) return NotFound("cassette " + path + " not found");
    std::string line;
    int line_number = 0;
    simdjson::dom::parser parser;
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::string where = path + ":" + std::to_string(line_number);
      simdjson::dom::element e;
      std::string_view method, url, body;
      int64_t status = 0;
      simdjson::dom::element request_body;
      simdjson::dom::object headers;
      if (parser.parse(line).get(e) || e["method"].get(method) || e["url"].get(url) ||
          e["status"].get(status) || e["response_body"].get(body) ||
          e["request_body"].get(request_body)) {
        return InvalidArgument(where + ": not a cassette exchange");
      }
      std::string normalised;
      if (request_body.is_string()) {
        normalised = std::string(request_body.get_string().value());
      } else {
        normalised = NormaliseBodyForCassette("application/json", simdjson::minify(request_body));
      }
      Exchange x;
      x.status = static_cast<int>(status);
      x.body = std::string(body);
      if (!e["response_headers"].get(headers)) {
        for (auto [name, value] : headers) {
          std::string_view v;
          if (!value.get(v)) x.headers.emplace_back(std::string(name), std::string(v));
        }
      }
      state->answers[MatchKey(std::string(method), std::string(url), normalised)].push_back(
          std::move(x));
    }
  }
  return std::unique_ptr<CassetteHttpClient>(new CassetteHttpClient(std::move(state)));
}

void CassetteHttpClient::Send(HttpRequest request, Callback done) {
  std::string normalised =
      NormaliseBodyForCassette(FindHeader(request.headers, "content-type"), request.body);
  std::string key = MatchKey(request.method, request.url, normalised);
  if (state_->mode == CassetteMode::kReplay) {
    Exchange x;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      auto it = state_->answers.find(key);
      if (it == state_->answers.end() || it->second.empty()) {
        size_t used = state_->used[key];
        std::string body = normalised.size() > 400 ? normalised.substr(0, 400) + "..." : normalised;
        done(NotFound("cassette " + state_->path + " has no " +
                      (used > 0 ? "more answers (" + std::to_string(used) + " used) " : "answer ") +
                      "for " + request.method + " " + request.url + " with body " + body));
        return;
      }
      x = std::move(it->second.front());
      it->second.pop_front();
      ++state_->used[key];
    }
    HttpResponse response;
    response.status = x.status;
    response.headers = std::move(x.headers);
    response.body = std::move(x.body);
    done(std::move(response));
    return;
  }
  State* state = state_.get();
  std::string method = request.method;
  std::string url = request.url;
  HttpHeaders request_headers = request.headers;
  state->inner->Send(std::move(request), [state, method, url, request_headers, normalised,
                                          done = std::move(done)](Result<HttpResponse> result) {
    if (result.ok()) {
      std::string line = "{\"method\":";
      json::AppendString(&line, method);
      line += ",\"url\":";
      json::AppendString(&line, url);
      line += ",\"request_headers\":";
      AppendHeaders(&line, request_headers);
      line += ",\"request_body\":";
      if (IsJson(normalised)) {
        line += normalised;
      } else {
        json::AppendString(&line, normalised);
      }
      line += ",\"status\":" + std::to_string(result->status) + ",\"response_headers\":";
      AppendHeaders(&line, result->headers);
      line += ",\"response_body\":";
      json::AppendString(&line, result->body);
      line += "}\n";
      std::lock_guard<std::mutex> lock(state->mu);
      state->out << line;
      state->out.flush();
    }
    done(std::move(result));
  });
}

size_t CassetteHttpClient::Unused() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  size_t n = 0;
  for (const auto& [key, answers] : state_->answers) n += answers.size();
  return n;
}

}  // namespace bot
