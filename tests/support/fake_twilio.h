// A fake Twilio REST API: a real HTTP/1.1 server on 127.0.0.1 (its own thread, a port chosen by
// the OS) that answers the way api.twilio.com does, so senders and the runner are tested over the
// wire, not through a mock.
//
//   POST /2010-04-01/Accounts/{sid}/Messages.json
//     Basic auth {sid}:{token} required (else 401, code 20003). Checks the parameters like the
//     real API: To (21604), From or MessagingServiceSid (21603), Body / MediaUrl / ContentSid
//     (21602), Body <= 1600 characters (21617). Answers 201 with a Message JSON ("sid" = "SM" +
//     32 hex digits, "status" = "queued") and records the message. Scripted failures (below)
//     answer the next requests instead, after the auth check.
//   GET  /2010-04-01/Accounts/{sid}/Messages/{MM}/Media/{ME}
//     Basic auth required. Redirects (302) to http://localhost:{port}/cdn/{ME}, another host
//     name for the same server, which serves the bytes without auth, as Twilio's CDN does; so a
//     client that forwards credentials across hosts is caught (see requests()).
//
// Usage:
//   bot::testing::FakeTwilio twilio;                 // listening once constructed
//   auto sender = bot::NewTwilioSender(twilio.account());
//   ... sender->SendAndWait(...) ...
//   ASSERT_TRUE(twilio.WaitForMessages(1, std::chrono::seconds(10)));
//   EXPECT_EQ(twilio.messages()[0].body, "Hola");
//
// Thread-safe: every method may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bot/twilio.h"

namespace bot::testing {

class FakeTwilio {
 public:
  static constexpr const char* kAccountSid = "AC00000000000000000000000000000000";
  static constexpr const char* kAuthToken = "0123456789abcdef0123456789abcdef";

  // A message the fake accepted (201).
  struct Message {
    std::string sid;  // "SM..." as answered
    std::string to, from, messaging_service_sid, body, content_sid, content_variables,
        status_callback;
    std::vector<std::string> media_urls;
    FormParams params;  // everything posted, in order
  };

  // Any request the server read, answered or not.
  struct Request {
    std::string method;
    std::string target;         // path and query
    std::string host;           // the Host header: "127.0.0.1:port" or "localhost:port"
    std::string authorization;  // the Authorization header, "" when absent
    int status = 0;             // what the fake answered
  };

  // What the next Messages.json requests get instead of 201.
  struct Failure {
    int http_status = 500;
    int code = 0;  // Twilio error code in the JSON body; 0 = none
    std::string message;
    int retry_after_seconds = -1;  // Retry-After header when >= 0
  };

  struct MediaOptions {
    bool redirect = true;  // false: the API URL serves the bytes itself (with auth)
    bool chunked = false;  // true: no Content-Length, the size is known only while streaming
    bool hang = false;     // true: the bytes never come (the request hangs until the fake stops)
  };

  FakeTwilio(std::string account_sid = kAccountSid, std::string auth_token = kAuthToken);
  ~FakeTwilio();  // stops the server and joins its thread
  FakeTwilio(const FakeTwilio&) = delete;
  FakeTwilio& operator=(const FakeTwilio&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:port": use as TwilioAccount::api_origin.
  std::string origin() const;
  // The account this fake accepts, with api_origin pointing here.
  TwilioAccount account() const;

  // Messages accepted so far, in arrival order.
  std::vector<Message> messages() const;
  size_t message_count() const;
  // Blocks until at least `n` messages were accepted or `timeout` passes; true when reached.
  bool WaitForMessages(size_t n, std::chrono::milliseconds timeout) const;
  // Every request read so far, in order.
  std::vector<Request> requests() const;
  // POSTs to Messages.json so far, whatever their answer.
  size_t message_requests() const;
  // TCP connections accepted so far (a client with keep-alive opens one).
  size_t connections() const;

  // Scripts the answers of the next Messages.json requests, in order.
  void FailNext(int n, const Failure& failure);
  void FailNextWithTooManyRequests(int n, int retry_after_seconds);
  void FailNextWithServerError(int n);
  // A 400 with Twilio's error JSON, e.g. (1, 21211, "The 'To' number is not a valid phone
  // number.").
  void FailNextWithError(int n, int code, const std::string& message, int http_status = 400);

  // Holds the answers to the next Messages.json requests until `n` of them wait at once, or
  // until `limit` from now; then answers them all, and later requests at once. Shows whether a
  // client keeps several sends in flight (most_waiting()).
  void HoldMessagesUntilWaiting(size_t n, std::chrono::milliseconds limit);
  // The most Messages.json requests that waited for an answer at once while held.
  size_t most_waiting() const;

  // Stores media and returns its Twilio-style URL on this server's API host
  // (http://127.0.0.1:port/2010-04-01/Accounts/{sid}/Messages/MM.../Media/ME...).
  std::string AddMedia(std::string bytes, std::string content_type, MediaOptions options);
  std::string AddMedia(std::string bytes, std::string content_type) {
    return AddMedia(std::move(bytes), std::move(content_type), MediaOptions());
  }

  struct Impl;  // the server; public only so the .cc's free functions can name it

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace bot::testing
