#include "support/test_http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace bot::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct TestHttpServer::Impl {
  asio::io_context ioc{1};  // first: destroyed last, after everything that uses it
  // Keeps run() going after Stop() closed everything, so a later Stop() still executes.
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  Handler handler;
  Options options;

  std::set<std::shared_ptr<beast::tcp_stream>> streams;  // io thread only
  bool stopped = false;                                  // io thread only
  mutable std::mutex mu;
  size_t connections = 0;  // Guarded by mu

  asio::awaitable<void> Serve(std::shared_ptr<beast::tcp_stream> stream);
  asio::awaitable<void> Listen();
};

asio::awaitable<void> TestHttpServer::Impl::Serve(std::shared_ptr<beast::tcp_stream> stream) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      stream->expires_after(options.idle_timeout);
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      co_await http::async_read(*stream, buffer, parser, asio::use_awaitable);
      stream->expires_never();  // a scripted delay or hang is not an idle client
      Request req = parser.release();
      Answer answer = handler(req);
      if (answer.hang) {
        // Stop() closes the socket; the timer only bounds a test that forgot to.
        asio::steady_timer timer(ioc, std::chrono::hours(1));
        co_await timer.async_wait(asio::use_awaitable);
        break;
      }
      if (answer.delay.count() > 0) {
        asio::steady_timer timer(ioc, answer.delay);
        co_await timer.async_wait(asio::use_awaitable);
      }
      while (answer.ready && !answer.ready()) {
        asio::steady_timer timer(ioc, std::chrono::milliseconds(1));
        co_await timer.async_wait(asio::use_awaitable);
      }
      Response& res = answer.response;
      res.version(11);
      res.keep_alive(req.keep_alive());
      if (!res.chunked()) res.prepare_payload();
      co_await http::async_write(*stream, res, asio::use_awaitable);
      if (!req.keep_alive()) break;
    }
  } catch (const std::exception&) {
    // The client went away, sent garbage, or the server stopped: drop the connection.
  }
  beast::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  streams.erase(stream);
}

asio::awaitable<void> TestHttpServer::Impl::Listen() {
  try {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      if (stopped) break;
      {
        std::lock_guard<std::mutex> lock(mu);
        ++connections;
      }
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      streams.insert(stream);
      asio::co_spawn(ioc, Serve(stream), asio::detached);
    }
  } catch (const std::exception&) {
    // The acceptor was closed by Stop().
  }
}

TestHttpServer::TestHttpServer(Handler handler, Options options) : impl_(new Impl) {
  impl_->handler = std::move(handler);
  impl_->options = options;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->Listen(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TestHttpServer::~TestHttpServer() {
  Stop();
  impl_->ioc.stop();
  impl_->thread.join();
}

size_t TestHttpServer::connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->connections;
}

void TestHttpServer::Stop() {
  std::promise<void> done;
  asio::post(impl_->ioc, [this, &done] {
    impl_->stopped = true;
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    for (const auto& stream : impl_->streams) stream->socket().close(ignored);
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace bot::testing
