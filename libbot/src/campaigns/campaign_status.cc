// A campaign's recipients counted by status ("botrunner campaign status").
#include "bot/campaigns.h"
#include "campaigns/campaign_counts.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {

namespace campaigns {

Result<CampaignCounts> ReadCampaignCounts(sqlite3* db, int64_t campaign_id) {
  CampaignCounts counts;
  sqlite::Statement campaign;
  if (Status s = campaign.Prepare(db,
                                  "SELECT tenant, number, dialog_id, source, created_at "
                                  "FROM campaigns WHERE id = ?1");
      !s.ok()) {
    return s;
  }
  campaign.Bind(1, campaign_id);
  const int rc = campaign.Step();
  if (rc == SQLITE_DONE) return NotFound("no campaign " + std::to_string(campaign_id));
  if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "campaign");
  counts.id = campaign_id;
  counts.tenant = campaign.Text(0);
  counts.number = campaign.Text(1);
  counts.dialog_id = campaign.Text(2);
  counts.source = campaign.Text(3);
  counts.created_at = campaign.Time(4);
  campaign.Reset();
  sqlite::Statement by_status;
  if (Status s = by_status.Prepare(db,
                                   "SELECT status, count(*) FROM campaign_recipients "
                                   "WHERE campaign_id = ?1 GROUP BY status ORDER BY status");
      !s.ok()) {
    return s;
  }
  by_status.Bind(1, campaign_id);
  using Row = std::pair<std::string, int64_t>;
  Result<std::vector<Row>> rows = sqlite::CollectRows<Row>(
      by_status, "campaign status", [](const sqlite::Statement& row, Row* out) {
        *out = {row.Text(0), row.Int(1)};
        return Status::Ok();
      });
  if (!rows.ok()) return rows.status();
  counts.by_status = std::move(*rows);
  for (const auto& [status, n] : counts.by_status) counts.total += n;
  return counts;
}

}  // namespace campaigns

Result<CampaignCounts> CampaignStatus(const std::string& db_path, int64_t campaign_id) {
  return sqlite::WithDatabase<CampaignCounts>(
      db_path, [&](sqlite3* db) { return campaigns::ReadCampaignCounts(db, campaign_id); });
}

}  // namespace bot
