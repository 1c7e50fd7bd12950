// A replay-only HttpClient that hands out canned answers from an "answers" file, for recording
// cassettes (`botrunner replay --record`): the real providers build the real requests, this
// client answers them, and a CassetteHttpClient in record mode between the two writes the
// exchanges down. The network is never used.
//
// The answers file is JSON lines, one answer per line, handed out per URL in file order:
//   {"url": "https://buro.example.mx/v1/score", "status": 200, "body": {"score": 712}}
//   {"url": "https://api.openai.com/v1/audio/transcriptions", "body": {"text": "cinco mil"}}
//   {"url": "https://api.openai.com/v1/chat/completions", "content": {"value": "5000"}}
// `status` defaults to 200, `headers` (an object) to Content-Type application/json. `body` is
// sent as is when it is a string, else as its JSON text. `content` (a string, or JSON whose text
// is used) is wrapped in an OpenAI chat.completion envelope, with usage estimated from the sizes
// of the request and the content. Blank lines and lines starting with `//` are skipped.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bot/clock.h"
#include "bot/http.h"
#include "bot/status.h"

namespace bot::replay {

class CannedHttpClient final : public HttpClient {
 public:
  // Reads `path`. InvalidArgument names the line of a malformed answer. `clock` (not owned)
  // dates the chat envelopes.
  static Result<std::unique_ptr<CannedHttpClient>> Open(const std::string& path,
                                                        const Clock* clock);

  // Answers with the next canned answer for the request's URL; NotFound (naming the file, the
  // method and the URL) when none is left.
  void Send(HttpRequest request, Callback done) override;

  // Answers not handed out yet.
  size_t Unused() const;

 private:
  struct Answer {
    int status = 200;
    HttpHeaders headers;
    std::string body;
    bool chat = false;  // `body` is chat content to wrap in an envelope
  };

  CannedHttpClient(std::string path, const Clock* clock) : path_(std::move(path)), clock_(clock) {}
  std::string ChatEnvelope(const std::string& content, const HttpRequest& request);

  const std::string path_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Answer>> answers_;  // by URL; guarded by mu_
  int handed_out_ = 0;                                 // guarded by mu_
};

// The answers file that goes with a cassette: "x.cassette.jsonl" -> "x.answers.jsonl"
// (otherwise the cassette's path + ".answers.jsonl").
std::string AnswersPathFor(const std::string& cassette_path);

}  // namespace bot::replay
