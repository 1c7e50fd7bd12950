// GET /r/<token>: a campaign's tracked link (campaign.track_links, docs/campaigns.md). Answers
// 302 to the target stored for the token at import, with the click (time, User-Agent) recorded
// first; a HEAD answers the same without counting. An unknown or malformed token is 404: nothing
// but stored targets is ever redirected to.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which needs it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <string_view>

#include "bot/clock.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/work_queue.h"

namespace runner {

inline constexpr std::string_view kLinkPrefix = "/r/";

struct LinkRedirectParts {
  // The SQLite store holding the campaigns; "" on PostgreSQL (no campaigns there yet): every
  // link is unknown.
  std::string database;
  boost::asio::io_context* ioc = nullptr;
  WorkQueue* queue = nullptr;  // the store work runs here, never on the HTTP thread
  const bot::Clock* clock = nullptr;
  const Logger* log = nullptr;
};

// Answers a GET or HEAD of kLinkPrefix + token (`path`, without the query).
boost::asio::awaitable<Response> HandleLinkRedirect(const LinkRedirectParts& parts,
                                                    const Request& request, std::string_view path);

}  // namespace runner
