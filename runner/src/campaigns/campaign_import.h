// A campaign import as botrunner runs it (the CLI and POST /admin/api/campaigns): the number's
// config (tenant, region, allowed hours) and the dialogs, around bot::ImportCampaign.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "bot/campaigns.h"
#include "config/config.h"

namespace runner {

struct CampaignRequest {
  std::string number;  // as people type it: "+14155238886" or "whatsapp:+14155238886"
  std::string dialog;  // "" = the number's dialog
  std::string tenant;  // "" = the number's tenant
  std::string source;  // the file's name
  std::optional<std::chrono::seconds> send_after;
  bool skip_invalid = false;
};

// Imports `csv` for a configured number. InvalidArgument for an unknown number or dialog.
bot::Result<bot::CampaignImportReport> ImportForNumber(const RunnerConfig& config,
                                                       const bot::DialogSet& dialogs,
                                                       const CampaignRequest& request,
                                                       std::string_view csv, bot::TimePoint now);

// "2h", "90m", "30s", "1d" -> seconds; nullopt when malformed.
std::optional<std::chrono::seconds> ParseDurationText(std::string_view text);

// The report as JSON: {"campaign_id":..,"scheduled":..,"refused":[{"line":..,"reason":..}]}.
std::string ImportReportJson(const bot::CampaignImportReport& report);

}  // namespace runner
