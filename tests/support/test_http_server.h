// The HTTP/1.1 server under every fake in tests/support: a listener on 127.0.0.1 (a port chosen
// by the OS) served by one thread, keep-alive, a body limit and an idle timeout per connection.
// The fake supplies one function that turns a request into an answer; this class does the rest.
//
//   TestHttpServer server([](const TestHttpServer::Request& req) {
//     TestHttpServer::Answer a;
//     a.response.result(200);
//     a.response.body() = "{}";
//     return a;
//   });
//   ... talk to http://127.0.0.1:server.port() ...
//
// The handler runs on the server's thread, one request at a time: it may lock the fake's state
// but must not block. Thread-safe: port(), connections() and Stop() may be called from any
// thread.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace bot::testing {

class TestHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  struct Answer {
    Response response{boost::beast::http::status::ok, 11};
    std::chrono::milliseconds delay{0};  // wait this long before answering
    bool hang = false;  // never answer: the client's timeout must fire (until Stop)
    // When set, the answer waits until it returns true (asked on the server's thread every
    // millisecond, after `delay`); other connections are served meanwhile.
    std::function<bool()> ready;
  };
  using Handler = std::function<Answer(const Request&)>;

  // A response with a JSON body.
  static Response Json(boost::beast::http::status status, std::string body,
                       const char* content_type = "application/json") {
    Response res{status, 11};
    res.set(boost::beast::http::field::content_type, content_type);
    res.body() = std::move(body);
    return res;
  }

  struct Options {
    size_t body_limit = 1 << 20;
    std::chrono::seconds idle_timeout{30};  // an idle client cannot pin the fake
  };

  explicit TestHttpServer(Handler handler) : TestHttpServer(std::move(handler), Options()) {}
  TestHttpServer(Handler handler, Options options);
  ~TestHttpServer();  // Stop(), then joins the thread
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  // TCP connections accepted so far (a client with keep-alive opens one).
  size_t connections() const;

  // Closes the listener and every connection, hanging ones included, so later requests are
  // refused like a server that went away. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace bot::testing
