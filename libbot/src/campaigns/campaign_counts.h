// A campaign's recipients counted by status, on an open connection: CampaignStatus and the
// report (campaign_report.cc) read it inside their own transaction.
#pragma once

#include <sqlite3.h>

#include "bot/campaigns.h"

namespace bot::campaigns {

// NotFound for an unknown id.
Result<CampaignCounts> ReadCampaignCounts(sqlite3* db, int64_t campaign_id);

}  // namespace bot::campaigns
