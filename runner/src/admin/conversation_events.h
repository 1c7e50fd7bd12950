// What the web console's live updates carry: "this conversation changed" (a message came in, a
// turn ended, the conversation entered handoff, an agent claimed, wrote, released, closed or
// opted it out). Producers publish from any thread; each open `GET /admin/api/events` is a
// stream that receives every event published after it opened, as Server-Sent Events:
//
//   event: conversation
//   data: {"kind":"handoff","number":"whatsapp:+14155238886","contact":"whatsapp:+52..."}
//
// A stream with nothing to send writes a comment (": keep-alive") every `keep_alive`, so proxies
// keep it open and a vanished client is noticed. A stream hears only of the numbers it may see
// (a token limited to some tenants), and a console session's stream ends once the session has
// expired or logged out (checked before each event and keep-alive, and at once by Recheck).
// Publish is thread-safe; everything else runs on the io_context's thread. Must outlive its
// streams.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "server/http_server.h"

namespace runner {

class ConversationEvents {
 public:
  ConversationEvents(asio::io_context& ioc, std::chrono::milliseconds keep_alive);

  // Tells every open stream that the conversation of `contact` (the user's address) on
  // `number` (the bot's) changed; `kind` says how. Thread-safe; returns at once.
  void Publish(std::string_view kind, std::string_view number, std::string_view contact);

  // Who a stream is for.
  struct Audience {
    std::optional<std::set<std::string>> numbers;  // the bot numbers it hears of; nullopt = all
    std::function<bool()> still_allowed;           // false ends the stream; null = always true
  };

  // A new stream of events (200, text/event-stream), registered until it is destroyed.
  std::unique_ptr<ResponseStream> Subscribe(Audience audience);

  // Ends every stream no longer allowed (after a logout).
  void Recheck();

 private:
  class Stream;
  asio::io_context& ioc_;
  std::chrono::milliseconds keep_alive_;
  std::set<Stream*> streams_;  // io_context thread only
};

}  // namespace runner
