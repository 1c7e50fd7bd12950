// POST /admin/api/campaigns: a campaign's CSV through the admin API (admin role). The query
// names the number and options; the body is the CSV. GET /admin/api/campaigns/<id>/report: what
// became of it. docs/campaigns.md.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which needs it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "bot/bot.h"
#include "bot/campaigns.h"
#include "config/config.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/work_queue.h"

namespace runner {

inline constexpr std::string_view kCampaignsPath = "/admin/api/campaigns";

struct CampaignApiParts {
  const RunnerConfig* config = nullptr;
  boost::asio::io_context* ioc = nullptr;
  bot::Bot* bot = nullptr;              // its store (flushed first) and dialogs
  WorkQueue* queue = nullptr;           // the import runs here
  bot::Scheduler* scheduler = nullptr;  // woken after an import; may be null
  const Logger* log = nullptr;
};

// Answers an authenticated request for kCampaignsPath: 403 unless `is_admin`, 405 unless POST,
// 400 for a bad query or CSV (with the reason), 404 for a number (or a `tenant=`) outside
// `tenants` (the caller's; empty = all), 422 with the refused rows when nothing was imported,
// 201 with the report when the campaign was stored.
boost::asio::awaitable<Response> HandleCampaignImport(const CampaignApiParts& parts,
                                                      Request& request, bool is_admin,
                                                      const std::vector<std::string>& tenants);

// Whether `path` is kCampaignsPath or below it.
bool IsCampaignsPath(std::string_view path);

// GET kCampaignsPath/<id>/report[?format=csv] (any token): the campaign's report as JSON (or
// CSV); 404 for an unknown campaign or path, or a campaign whose number is outside `tenants` (the
// caller's; empty = all), 405 unless GET, 400 for a bad query.
boost::asio::awaitable<Response> HandleCampaignReport(const CampaignApiParts& parts,
                                                      const Request& request, std::string_view path,
                                                      const std::vector<std::string>& tenants);

}  // namespace runner
