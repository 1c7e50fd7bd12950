// A client for botrunner's webhooks in tests: one HTTP/1.1 exchange per call on a fresh
// connection to 127.0.0.1, Twilio-signed form posts, and the <Message> texts of a TwiML answer.
//
//   WebhookClient client(server.port(), "https://bot.example.test", FakeTwilio::kAuthToken);
//   HttpReply r = client.Post("/twilio/inbound", client.Text(kBot, "whatsapp:+52...", "Hola"));
//   EXPECT_EQ(TwimlMessages(r.body)[0], "...");
//
// Not thread-safe (the message id counter); use one per test thread.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bot/twilio.h"

namespace bot::testing {

struct HttpReply {
  int status = 0;  // 0: no (complete) answer
  std::string body;
  std::string content_type;
  std::string request_id;  // the answer's X-Request-Id
  std::string www_authenticate;  // the answer's WWW-Authenticate
  std::map<std::string, std::string> headers = {};  // every header, by lower-case name
};

// One exchange with 127.0.0.1:`port`; a POST is sent as a form.
HttpReply HttpExchange(int port, const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

// The texts of the <Message>s of a TwiML answer, XML-unescaped, in order.
std::vector<std::string> TwimlMessages(const std::string& twiml);

class WebhookClient {
 public:
  // `base_url`: the server's public_base_url, which signatures cover.
  WebhookClient(int port, std::string base_url, std::string auth_token,
                std::string account_sid = "AC00000000000000000000000000000000");

  // "SM" + 32 digits, a new one each call.
  std::string NextSid();

  // The form Twilio posts for a WhatsApp text from `from` to `to`, with a new MessageSid.
  FormParams Text(const std::string& to, const std::string& from, const std::string& body,
                  const std::string& profile_name = "María");
  // The same for media (no Body): NumMedia 1, MediaUrl0, MediaContentType0.
  FormParams WithMedia(const std::string& to, const std::string& from, const std::string& url,
                       const std::string& content_type, const std::string& profile_name = "María");

  // Posts `params` to `path`, signed with the auth token.
  HttpReply Post(const std::string& path, const FormParams& params) const;

 private:
  int port_;
  std::string base_url_;
  std::string auth_token_;
  std::string account_sid_;
  int next_sid_ = 0;
};

}  // namespace bot::testing
