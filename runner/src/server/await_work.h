// Suspends a coroutine on the io_context thread until blocking work done on another thread
// hands back a value, without blocking the io_context meanwhile.
#pragma once

#include <utility>  // before Boost 1.74's awaitable.hpp, which needs it

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>

namespace runner {

// `start` receives a `resume(T)` function and must arrange for it to be called exactly once,
// from any thread; the coroutine then continues on `ioc` with that value. The io_context
// counts the wait as outstanding work, so run() does not return while it is pending.
template <typename T, typename Start>
boost::asio::awaitable<T> AwaitWork(boost::asio::io_context& ioc, Start start) {
  namespace asio = boost::asio;
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [&ioc, start = std::move(start)](auto handler) mutable {
        using Handler = decltype(handler);
        // Completion handlers are move-only; the resume function must be copyable.
        auto shared = std::make_shared<Handler>(std::move(handler));
        auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
            ioc.get_executor());
        start(std::function<void(T)>([&ioc, shared, work](T value) {
          asio::post(ioc, [shared, work, value = std::move(value)]() mutable {
            (*shared)(std::move(value));
            work->reset();
          });
        }));
      },
      asio::use_awaitable);
}

}  // namespace runner
