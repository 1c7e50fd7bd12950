// A campaign's report (bot::CampaignReportFor) as JSON or CSV, for `botrunner campaign report`
// and GET /admin/api/campaigns/<id>/report. docs/campaigns.md lists the fields.
#pragma once

#include <string>

#include "bot/campaigns.h"

namespace runner {

// One JSON object, feedback texts included.
std::string CampaignReportJson(const bot::CampaignReport& report);
// "metric,value" rows (no feedback texts: they may hold commas and line breaks).
std::string CampaignReportCsv(const bot::CampaignReport& report);

}  // namespace runner
