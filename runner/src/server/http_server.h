// The HTTP/1.1 front end: one io_context thread, one coroutine per connection (Boost.Beast +
// Asio C++20 coroutines), keep-alive, a timeout on every read and a body limit on every parser.
// Not thread-safe: every member runs on the io_context's thread.
#pragma once

// clang-format off: Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// clang-format on
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "bot/status.h"

namespace runner {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Every request gets an id, in its `X-Request-Id` header when the handler sees it and in the
// response's: the caller's own (a load balancer's) when it is 1 to 64 of [A-Za-z0-9._-], else
// 16 random hex digits. Logs name it (Logger::WithRequest).
inline constexpr char kRequestIdHeader[] = "X-Request-Id";

// A response whose body is written as it is produced (Server-Sent Events): the server sends
// `header` (chunked), then each piece Next() yields, until Next() yields nothing, the client
// goes away or the server shuts down (Close()). A stream holds a coroutine, never a thread.
// Used on the io_context thread only.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Status and headers; the body is ignored (the pieces follow).
  virtual const Response& header() const = 0;
  // Waits for the next piece of the body; std::nullopt ends the response.
  virtual asio::awaitable<std::optional<std::string>> Next() = 0;
  // The server is stopping: a pending or later Next() yields std::nullopt promptly.
  virtual void Close() = 0;
};

// What the server does with requests. Called on the io_context thread; Handle may suspend
// (co_await work done elsewhere) without blocking other connections.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // A stream when `request` is answered with one (after its checks passed), else nullptr and
  // Handle answers it. Default: no request is streamed.
  virtual std::unique_ptr<ResponseStream> Stream(Request& request) {
    static_cast<void>(request);
    return nullptr;
  }
  virtual asio::awaitable<Response> Handle(Request& request) = 0;
  // A request refused before its body was read (`status`: 413 too large, 400 bad request);
  // `request` holds the header only.
  virtual Response Rejected(const Request& request, int status) = 0;
};

struct HttpOptions {
  // Twilio waits 15 s for an answer; a client that takes longer to send a request is gone.
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds write_timeout{15000};
  // Twilio's webhook bodies are a few KiB; nothing legitimate comes near this.
  size_t body_limit = 64 * 1024;
};

// Builds a small response with the given status, content type and body.
Response MakeResponse(int status, std::string content_type, std::string body);

class HttpServer {
 public:
  // `handler` must outlive the server.
  HttpServer(asio::io_context& ioc, HttpOptions options, HttpHandler* handler);

  // Binds and listens; port 0 picks a free port (see port()).
  bot::Status Listen(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }

  // Starts accepting connections.
  void Start();

  // Stops accepting, closes idle connections and lets busy ones finish their response, after
  // which they close. The io_context runs out of work once they are done.
  void Shutdown();

 private:
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    bool idle = true;  // waiting for a request (safe to close on shutdown)
    ResponseStream* streaming = nullptr;  // writing a streamed response (closed on shutdown)
  };

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(beast::tcp_stream stream);
  // Writes `body`'s header and pieces as a chunked response; false when the client is gone.
  asio::awaitable<bool> WriteStream(beast::tcp_stream& stream, ResponseStream& body,
                                    const std::string& request_id, unsigned version);
  // Sets the request's X-Request-Id (kRequestIdHeader) and returns it.
  std::string AssignRequestId(Request& request);

  asio::io_context& ioc_;
  HttpOptions options_;
  HttpHandler* handler_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  bool shutting_down_ = false;
  std::list<Connection> connections_;
  std::mt19937_64 random_{std::random_device{}()};  // request ids; io_context thread only
};

}  // namespace runner
