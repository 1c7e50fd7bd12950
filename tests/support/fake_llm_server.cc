#include "support/fake_llm_server.h"

#include <simdjson.h>

#include <boost/beast/http.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <regex>
#include <set>

#include "support/test_http_server.h"
#include "util/json.h"

namespace bot::testing {
namespace {

namespace http = boost::beast::http;

using Reply = FakeLlmServer::Reply;

std::string Quoted(const std::string& s) {
  std::string out;
  json::AppendString(&out, s);
  return out;
}

Reply Json(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Why a JSON Schema is not valid for OpenAI's strict mode, or "" when it is.
std::string StrictSchemaProblem(simdjson::dom::element schema, const std::string& where) {
  simdjson::dom::object properties;
  if (!schema["properties"].get(properties)) {
    bool closed = false;
    if (schema["additionalProperties"].get(closed) || closed) {
      return where + ": additionalProperties must be false";
    }
    std::set<std::string> required;
    simdjson::dom::array list;
    if (schema["required"].get(list)) return where + ": required is missing";
    for (simdjson::dom::element name : list) {
      std::string_view text;
      if (!name.get(text)) required.insert(std::string(text));
    }
    for (auto [key, sub] : properties) {
      std::string name(key);
      if (!required.count(name)) return where + ": property '" + name + "' is not required";
      std::string problem = StrictSchemaProblem(sub, where + "." + name);
      if (!problem.empty()) return problem;
    }
  }
  simdjson::dom::element items;
  if (!schema["items"].get(items)) return StrictSchemaProblem(items, where + "[]");
  return "";
}

// Why a chat message's content is not what the API accepts, or "" when it is: a string, or
// parts of type text {text}, image_url {url: a data:image/...;base64, URL or http(s)} and file
// {file_data: a data:...;base64, URL, filename} (how PDFs go to vision models).
std::string ContentProblem(simdjson::dom::element message) {
  std::string_view text;
  if (!message["content"].get(text)) return "";
  simdjson::dom::array parts;
  if (message["content"].get(parts) || parts.size() == 0) {
    return "'content' must be a string or a non-empty array of parts.";
  }
  for (simdjson::dom::element part : parts) {
    std::string_view type, url, data, filename;
    if (part["type"].get(type)) return "every content part needs a 'type'.";
    if (type == "text") {
      if (part["text"].get(text)) return "a text part needs 'text'.";
    } else if (type == "image_url") {
      if (part["image_url"]["url"].get(url)) return "an image_url part needs 'image_url.url'.";
      bool data_url = url.rfind("data:image/", 0) == 0 && url.find(";base64,") != url.npos;
      bool web = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
      if (!data_url && !web) return "Invalid image URL: expected a base64 data:image/ URL.";
    } else if (type == "file") {
      if (part["file"]["file_data"].get(data) || part["file"]["filename"].get(filename) ||
          data.rfind("data:", 0) != 0 || data.find(";base64,") == data.npos) {
        return "a file part needs 'file.filename' and 'file.file_data' as a base64 data: URL.";
      }
    } else {
      return "Invalid content part type '" + std::string(type) + "'.";
    }
  }
  return "";
}

// The parts of a multipart/form-data body: name → (filename, value).
std::map<std::string, std::pair<std::string, std::string>> ParseMultipart(
    const std::string& content_type, const std::string& body) {
  std::map<std::string, std::pair<std::string, std::string>> parts;
  size_t at = content_type.find("boundary=");
  if (at == std::string::npos) return parts;
  std::string delimiter = "--" + content_type.substr(at + 9);
  size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    size_t start = pos + delimiter.size() + 2;  // past "\r\n"
    size_t end = body.find("\r\n" + delimiter, start);
    if (end == std::string::npos || body.compare(pos + delimiter.size(), 2, "--") == 0) break;
    std::string part = body.substr(start, end - start);
    size_t blank = part.find("\r\n\r\n");
    if (blank == std::string::npos) break;
    std::string headers = part.substr(0, blank);
    std::smatch m;
    std::string name, filename;
    if (std::regex_search(headers, m, std::regex("name=\"([^\"]*)\""))) name = m[1];
    if (std::regex_search(headers, m, std::regex("filename=\"([^\"]*)\""))) filename = m[1];
    parts[name] = {filename, part.substr(blank + 4)};
    pos = end + 2;
  }
  return parts;
}

}  // namespace

struct FakeLlmServer::Impl {
  std::string api_key;

  mutable std::mutex mu;
  std::map<std::string, std::deque<Reply>> script;  // Guarded by mu
  std::vector<Received> received;                   // Guarded by mu
  std::unique_ptr<TestHttpServer> server;           // last: stopped first, before the state it uses

  Reply Check(const http::request<http::string_body>& req, const std::string& path);
  Reply CheckChat(const http::request<http::string_body>& req);
  Reply CheckAnthropic(const http::request<http::string_body>& req);
  Reply CheckTranscription(const http::request<http::string_body>& req);
  TestHttpServer::Answer Serve(const TestHttpServer::Request& req);
};

Reply FakeLlmServer::Impl::CheckChat(const http::request<http::string_body>& req) {
  if (std::string(req[http::field::authorization]) != "Bearer " + api_key) {
    return OpenAiError(401, "invalid_request_error", "Incorrect API key provided.");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  simdjson::dom::array messages;
  std::string_view model;
  if (parser.parse(req.body()).get(body)) {
    return OpenAiError(400, "invalid_request_error", "We could not parse the JSON body.");
  }
  if (body["model"].get(model) || body["messages"].get(messages) || messages.size() == 0) {
    return OpenAiError(400, "invalid_request_error", "'model' and 'messages' are required.");
  }
  for (simdjson::dom::element message : messages) {
    std::string problem = ContentProblem(message);
    if (!problem.empty()) return OpenAiError(400, "invalid_request_error", problem);
  }
  std::string_view type;
  simdjson::dom::element format;
  if (!body["response_format"].get(format) && !format["type"].get(type) && type == "json_schema") {
    std::string_view name;
    bool strict = false;
    simdjson::dom::element schema;
    if (format["json_schema"]["name"].get(name) ||
        !std::regex_match(std::string(name), std::regex("[a-zA-Z0-9_-]{1,64}"))) {
      return OpenAiError(400, "invalid_request_error", "Invalid 'response_format.json_schema.name'.");
    }
    if (format["json_schema"]["strict"].get(strict) || !strict ||
        format["json_schema"]["schema"].get(schema)) {
      return OpenAiError(400, "invalid_request_error", "Expected a strict json_schema.");
    }
    std::string problem = StrictSchemaProblem(schema, "schema");
    if (!problem.empty()) {
      return OpenAiError(400, "invalid_request_error", "Invalid schema for response_format: " + problem);
    }
  }
  return Reply{0, {}, "", {}};
}

Reply FakeLlmServer::Impl::CheckAnthropic(const http::request<http::string_body>& req) {
  if (std::string(req["x-api-key"]) != api_key) {
    return AnthropicError(401, "authentication_error", "invalid x-api-key");
  }
  if (std::string(req["anthropic-version"]) != "2023-06-01") {
    return AnthropicError(400, "invalid_request_error", "anthropic-version: header is required");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  simdjson::dom::array messages;
  std::string_view model;
  int64_t max_tokens = 0;
  if (parser.parse(req.body()).get(body) || body["model"].get(model) ||
      body["max_tokens"].get(max_tokens) || body["messages"].get(messages) ||
      messages.size() == 0) {
    return AnthropicError(400, "invalid_request_error",
                          "model, max_tokens and messages are required");
  }
  return Reply{0, {}, "", {}};
}

Reply FakeLlmServer::Impl::CheckTranscription(const http::request<http::string_body>& req) {
  if (std::string(req[http::field::authorization]) != "Bearer " + api_key) {
    return OpenAiError(401, "invalid_request_error", "Incorrect API key provided.");
  }
  std::string content_type(req[http::field::content_type]);
  if (content_type.rfind("multipart/form-data", 0) != 0) {
    return OpenAiError(400, "invalid_request_error", "Expected multipart/form-data.");
  }
  auto parts = ParseMultipart(content_type, req.body());
  static const std::regex kAccepted(".*\\.(flac|mp3|mp4|mpeg|mpga|m4a|ogg|wav|webm)");
  if (!parts.count("file") || !std::regex_match(parts["file"].first, kAccepted)) {
    return OpenAiError(400, "invalid_request_error",
                       "Invalid file format. Supported formats: flac mp3 mp4 mpeg mpga m4a ogg wav webm");
  }
  if (!parts.count("model") || parts["model"].second.empty()) {
    return OpenAiError(400, "invalid_request_error", "'model' is required.");
  }
  return Reply{0, {}, "", {}};
}

Reply FakeLlmServer::Impl::Check(const http::request<http::string_body>& req,
                                  const std::string& path) {
  Reply problem;
  if (req.method() != http::verb::post) {
    problem = OpenAiError(405, "invalid_request_error", "Only POST is served here.");
  } else if (path == "/v1/chat/completions") {
    problem = CheckChat(req);
  } else if (path == "/v1/messages") {
    problem = CheckAnthropic(req);
  } else if (path == "/v1/audio/transcriptions") {
    problem = CheckTranscription(req);
  } else {
    problem = OpenAiError(404, "invalid_request_error", "Unknown path " + path);
  }
  if (problem.status != 0) return problem;
  std::lock_guard<std::mutex> lock(mu);
  auto& queue = script[path];
  if (queue.empty()) {
    return OpenAiError(400, "invalid_request_error", "fake server: no reply scripted for " + path);
  }
  Reply reply = std::move(queue.front());
  queue.pop_front();
  return reply;
}

TestHttpServer::Answer FakeLlmServer::Impl::Serve(const TestHttpServer::Request& req) {
  std::string target(req.target());
  Reply reply = Check(req, target.substr(0, target.find('?')));
  Received r{std::string(req.method_string()), target, {}, req.body(), reply.status};
  for (const auto& field : req) {
    r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(std::move(r));
  }
  TestHttpServer::Answer answer;
  answer.delay = reply.delay;
  answer.ready = reply.ready;
  TestHttpServer::Response& res = answer.response;
  res.result(static_cast<http::status>(reply.status));
  if (FindHeader(reply.headers, "content-type").empty()) {
    res.set(http::field::content_type, "application/json");
  }
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  res.body() = std::move(reply.body);
  return answer;
}

FakeLlmServer::FakeLlmServer(std::string api_key) : impl_(new Impl) {
  impl_->api_key = std::move(api_key);
  TestHttpServer::Options options;
  options.body_limit = 32 << 20;  // 25 MiB audio plus framing
  impl_->server = std::make_unique<TestHttpServer>(
      [impl = impl_.get()](const TestHttpServer::Request& req) { return impl->Serve(req); },
      options);
  port_ = impl_->server->port();
}

FakeLlmServer::~FakeLlmServer() { impl_->server.reset(); }

void FakeLlmServer::Stop() { impl_->server->Stop(); }

std::string FakeLlmServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void FakeLlmServer::Enqueue(const std::string& path, Reply reply) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->script[path].push_back(std::move(reply));
}

std::vector<FakeLlmServer::Received> FakeLlmServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->received;
}

size_t FakeLlmServer::request_count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  size_t n = 0;
  for (const Received& r : impl_->received) n += r.target == path;
  return n;
}

FakeLlmServer::Reply ChatReply(const std::string& content, int prompt_tokens,
                               int completion_tokens, const std::string& model) {
  return Json(200,
              "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1767268800,"
              "\"model\":" + Quoted(model) +
                  ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" +
                  Quoted(content) +
                  ",\"refusal\":null},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" +
                  std::to_string(prompt_tokens) + ",\"completion_tokens\":" +
                  std::to_string(completion_tokens) + ",\"total_tokens\":" +
                  std::to_string(prompt_tokens + completion_tokens) + "}}");
}

FakeLlmServer::Reply VisionOcrReply(const std::string& text, const std::vector<OcrField>& fields,
                                    double text_confidence, int prompt_tokens,
                                    int completion_tokens) {
  std::string values = "{", confidences = "{";
  for (const OcrField& f : fields) {
    if (values.size() > 1) values += ',', confidences += ',';
    values += Quoted(f.name) + ":" + (f.value ? Quoted(*f.value) : "null");
    confidences += Quoted(f.name) + ":" + std::to_string(f.confidence);
  }
  std::string content = "{\"text\":" + Quoted(text) +
                        ",\"text_confidence\":" + std::to_string(text_confidence) +
                        ",\"fields\":" + values + "},\"confidence\":" + confidences + "}}";
  return ChatReply(content, prompt_tokens, completion_tokens);
}

FakeLlmServer::Reply OpenAiError(int status, const std::string& type, const std::string& message) {
  return Json(status, "{\"error\":{\"message\":" + Quoted(message) + ",\"type\":" + Quoted(type) +
                          ",\"param\":null,\"code\":null}}");
}

FakeLlmServer::Reply TranscriptionReply(const std::string& text, int input_tokens,
                                        int output_tokens) {
  return Json(200, "{\"text\":" + Quoted(text) +
                       ",\"usage\":{\"type\":\"tokens\",\"input_tokens\":" +
                       std::to_string(input_tokens) + ",\"output_tokens\":" +
                       std::to_string(output_tokens) + ",\"total_tokens\":" +
                       std::to_string(input_tokens + output_tokens) + "}}");
}

namespace {

FakeLlmServer::Reply AnthropicMessage(const std::string& block, const std::string& stop_reason,
                                      int input_tokens, int output_tokens) {
  return Json(200, "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
                   "\"model\":\"claude-sonnet-4-5\",\"content\":[" + block +
                       "],\"stop_reason\":" + Quoted(stop_reason) +
                       ",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" +
                       std::to_string(input_tokens) + ",\"output_tokens\":" +
                       std::to_string(output_tokens) + "}}");
}

}  // namespace

FakeLlmServer::Reply AnthropicToolReply(const std::string& tool_name, const std::string& input_json,
                                        int input_tokens, int output_tokens) {
  return AnthropicMessage("{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":" +
                              Quoted(tool_name) + ",\"input\":" + input_json + "}",
                          "tool_use", input_tokens, output_tokens);
}

FakeLlmServer::Reply AnthropicTextReply(const std::string& text, int input_tokens,
                                        int output_tokens) {
  return AnthropicMessage("{\"type\":\"text\",\"text\":" + Quoted(text) + "}", "end_turn",
                          input_tokens, output_tokens);
}

FakeLlmServer::Reply AnthropicError(int status, const std::string& type,
                                    const std::string& message) {
  return Json(status, "{\"type\":\"error\",\"error\":{\"type\":" + Quoted(type) +
                          ",\"message\":" + Quoted(message) + "}}");
}

}  // namespace bot::testing
