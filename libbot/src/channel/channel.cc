#include "bot/channel.h"

#include <future>
#include <memory>
#include <utility>

namespace bot {

SendOutcome ChannelSender::SendAndWait(SendRequest request) {
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  std::future<SendOutcome> future = promise->get_future();
  Send(std::move(request),
       [promise](SendOutcome outcome) { promise->set_value(std::move(outcome)); });
  return future.get();
}

}  // namespace bot
