// The connection loop reads top to bottom: read a request (with a deadline and a body limit),
// let the handler answer it, write the answer, repeat while keep-alive holds.
#include "server/http_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>

namespace runner {

using asio::ip::tcp;
using boost::system::error_code;

Response MakeResponse(int status, std::string content_type, std::string body) {
  Response res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "botrunner");
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

HttpServer::HttpServer(asio::io_context& ioc, HttpOptions options, HttpHandler* handler)
    : ioc_(ioc), options_(options), handler_(handler), acceptor_(ioc) {}

bot::Status HttpServer::Listen(const std::string& host, uint16_t port) {
  error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return bot::InvalidArgument("bad listen address '" + host + "': " + ec.message());
  tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return bot::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                            ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return bot::Status::Ok();
}

void HttpServer::Start() { asio::co_spawn(ioc_, AcceptLoop(), asio::detached); }

void HttpServer::Shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  error_code ec;
  acceptor_.close(ec);
  for (Connection& c : connections_) {
    if (c.idle) c.stream->socket().close(ec);
    if (c.streaming != nullptr) c.streaming->Close();
  }
}

asio::awaitable<void> HttpServer::AcceptLoop() {
  while (!shutting_down_) {
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (shutting_down_ || ec == asio::error::operation_aborted) break;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ioc_, Serve(beast::tcp_stream(std::move(socket))), asio::detached);
  }
}

std::string HttpServer::AssignRequestId(Request& request) {
  const auto header = request[kRequestIdHeader];
  const std::string_view given(header.data(), header.size());
  const bool usable =
      !given.empty() && given.size() <= 64 && std::all_of(given.begin(), given.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  std::string id = usable ? std::string(given) : fmt::format("{:016x}", random_());
  request.set(kRequestIdHeader, id);
  return id;
}

asio::awaitable<void> HttpServer::Serve(beast::tcp_stream stream) {
  auto self = connections_.insert(connections_.end(), Connection{&stream, true});
  beast::flat_buffer buffer;
  error_code ec;
  while (!shutting_down_) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.body_limit);
    self->idle = true;
    stream.expires_after(options_.read_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    self->idle = false;
    Response res;
    bool readable = true;
    std::string request_id;
    if (!ec || ec == http::error::body_limit) request_id = AssignRequestId(parser.get());
    if (ec == http::error::body_limit) {
      // The parser refuses a Content-Length over the limit as soon as the header is complete.
      res = handler_->Rejected(parser.get(), 413);
      readable = false;
    } else if (ec) {
      break;  // closed, timed out, or not HTTP: nothing useful to answer
    } else {
      const auto& header = parser.get();
      if (beast::iequals(header[http::field::expect], "100-continue")) {
        // curl asks before sending a body over 1 KiB; say yes rather than make it wait.
        http::response<http::empty_body> go_on{http::status::continue_, 11};
        co_await http::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        res = handler_->Rejected(parser.get(), 413);  // chunked body that grew too large
        readable = false;
      } else if (ec) {
        break;
      }
    }
    bool keep_alive = readable && parser.get().keep_alive();
    if (readable) {
      Request request = parser.release();
      if (std::unique_ptr<ResponseStream> body = handler_->Stream(request)) {
        self->streaming = body.get();
        if (shutting_down_) body->Close();
        const bool open = co_await WriteStream(stream, *body, request_id, request.version());
        self->streaming = nullptr;
        if (!open || !keep_alive || shutting_down_) break;
        continue;
      }
      res = co_await handler_->Handle(request);
      res.version(request.version());
    }
    keep_alive = keep_alive && !shutting_down_;
    res.set(kRequestIdHeader, request_id);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    stream.expires_after(options_.write_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (!shutting_down_) {
    // Read what the client still sends (the rest of a refused body) until it closes, so the
    // close does not reset the connection before the client has read our answer.
    std::array<char, 4096> sink;
    size_t drained = 0;
    stream.expires_after(std::chrono::seconds(1));
    while (drained < options_.body_limit * 16) {
      size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      drained += n;
    }
  }
  stream.close();
  connections_.erase(self);
}

asio::awaitable<bool> HttpServer::WriteStream(beast::tcp_stream& stream, ResponseStream& body,
                                              const std::string& request_id, unsigned version) {
  http::response<http::empty_body> header{body.header().result(), version};
  for (const auto& field : body.header()) header.set(field.name_string(), field.value());
  header.set(kRequestIdHeader, request_id);
  header.chunked(true);
  http::response_serializer<http::empty_body> serializer{header};
  error_code ec;
  stream.expires_after(options_.write_timeout);
  co_await http::async_write_header(stream, serializer,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  while (std::optional<std::string> piece = co_await body.Next()) {
    if (piece->empty()) continue;  // an empty chunk would end the body
    stream.expires_after(options_.write_timeout);
    co_await asio::async_write(stream, http::make_chunk(asio::buffer(*piece)),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
  }
  stream.expires_after(options_.write_timeout);
  co_await asio::async_write(stream, http::make_chunk_last(),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

}  // namespace runner
