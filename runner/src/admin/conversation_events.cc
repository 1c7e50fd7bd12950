// The event streams: a queue of pending events and a timer per stream, the timer doubling as
// the wake-up (cancelled when an event arrives) and as the keep-alive clock.
#include "admin/conversation_events.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

#include "util/json_text.h"

namespace runner {
namespace {

// A client that reads nothing while this many events wait is dropped, not buffered forever;
// EventSource reconnects and the console reloads what it shows.
constexpr size_t kMaxPending = 1000;

}  // namespace

class ConversationEvents::Stream final : public ResponseStream {
 public:
  Stream(ConversationEvents* hub, Audience audience)
      : hub_(hub), audience_(std::move(audience)), timer_(hub->ioc_) {
    header_ = MakeResponse(200, "text/event-stream; charset=utf-8", "");
    header_.set(http::field::cache_control, "no-store");
    header_.set("X-Content-Type-Options", "nosniff");
    // Tells a buffering reverse proxy (nginx) to pass each event on at once.
    header_.set("X-Accel-Buffering", "no");
    hub_->streams_.insert(this);
  }
  ~Stream() override { hub_->streams_.erase(this); }

  const Response& header() const override { return header_; }

  asio::awaitable<std::optional<std::string>> Next() override {
    if (!started_) {
      started_ = true;
      // EventSource reconnects after `retry` ms when the stream ends (a restart, a proxy).
      co_return std::string("retry: 3000\n: connected\n\n");
    }
    while (!closed_ && pending_.empty()) {
      timer_.expires_after(hub_->keep_alive_);
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!Allowed()) Close();
      if (!ec && !closed_ && pending_.empty()) co_return std::string(": keep-alive\n\n");
    }
    if (closed_) co_return std::nullopt;
    std::string out;
    for (const std::string& event : pending_) out += event;
    pending_.clear();
    co_return out;
  }

  void Close() override {
    closed_ = true;
    timer_.cancel();
  }

  // Whether the stream may go on (its session holds).
  bool Allowed() const { return !audience_.still_allowed || audience_.still_allowed(); }

  void Push(const std::string& number, const std::string& event) {
    if (closed_) return;
    if (!Allowed()) {
      Close();
      return;
    }
    if (audience_.numbers && audience_.numbers->count(number) == 0) return;
    if (pending_.size() >= kMaxPending) {
      Close();
      return;
    }
    pending_.push_back(event);
    timer_.cancel();
  }

 private:
  ConversationEvents* hub_;
  Audience audience_;
  Response header_;
  asio::steady_timer timer_;
  std::deque<std::string> pending_;
  bool started_ = false;
  bool closed_ = false;
};

ConversationEvents::ConversationEvents(asio::io_context& ioc, std::chrono::milliseconds keep_alive)
    : ioc_(ioc), keep_alive_(keep_alive) {}

void ConversationEvents::Publish(std::string_view kind, std::string_view number,
                                 std::string_view contact) {
  std::string event = "event: conversation\ndata: {\"kind\":";
  AppendJsonString(&event, kind);
  event += ",\"number\":";
  AppendJsonString(&event, number);
  event += ",\"contact\":";
  AppendJsonString(&event, contact);
  event += "}\n\n";
  asio::post(ioc_, [this, number = std::string(number), event = std::move(event)] {
    for (Stream* stream : streams_) stream->Push(number, event);
  });
}

std::unique_ptr<ResponseStream> ConversationEvents::Subscribe(Audience audience) {
  return std::make_unique<Stream>(this, std::move(audience));
}

void ConversationEvents::Recheck() {
  for (Stream* stream : streams_) {
    if (!stream->Allowed()) stream->Close();
  }
}

}  // namespace runner
