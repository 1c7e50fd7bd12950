// A campaign's report ("botrunner campaign report"): its recipients by status, the delivery of
// their sessions' messages, their answers (the review records) and the clicks on their tracked
// links, read in one transaction so the figures agree with each other.
#include <map>

#include "bot/campaigns.h"
#include "campaigns/campaign_counts.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

// The recipients' sessions with their contact, so messages and records are found through their
// per-contact indexes.
constexpr std::string_view kSessions =
    "campaign_recipients r JOIN sessions s ON s.id = r.session_id";

// Outbound messages by delivery status and error code.
Status ReadMessages(sqlite3* db, int64_t campaign_id, CampaignReport* report) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(
          db, "SELECT m.status, COALESCE(m.error_code, ''), count(*) FROM " +
                  std::string(kSessions) +
                  " JOIN messages m ON m.contact_id = s.contact_id AND m.session_id = s.id"
                  " AND m.direction = 'out' WHERE r.campaign_id = ?1 GROUP BY 1, 2 ORDER BY 1, 2");
      !s.ok()) {
    return s;
  }
  stmt.Bind(1, campaign_id);
  std::map<std::string, int64_t> failures;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    const std::string status = stmt.Text(0);
    const int64_t n = stmt.Int(2);
    report->messages += n;
    if (status == "delivered" || status == "read") report->delivered += n;
    if (status == "read") report->read += n;
    if (status == "failed" || status == "undelivered" || status == "not_sendable") {
      report->failed += n;
      failures[stmt.Text(1)] += n;
    }
  }
  if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "campaign messages");
  report->failures_by_code.assign(failures.begin(), failures.end());
  return Status::Ok();
}

// Recipients who wrote at least once in their session.
Status ReadReplied(sqlite3* db, int64_t campaign_id, CampaignReport* report) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(
          db,
          "SELECT count(*) FROM " + std::string(kSessions) +
              " WHERE r.campaign_id = ?1 AND EXISTS (SELECT 1 FROM messages m WHERE m.contact_id ="
              " s.contact_id AND m.session_id = s.id AND m.direction ="
              " 'in')");
      !s.ok()) {
    return s;
  }
  stmt.Bind(1, campaign_id);
  const int rc = stmt.Step();
  if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "campaign replies");
  report->replied = stmt.Int(0);
  return Status::Ok();
}

// The review records: ratings and feedback.
Status ReadReviews(sqlite3* db, int64_t campaign_id, CampaignReport* report) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(
          db,
          "SELECT CAST(json_extract(rec.data, '$.rating') AS INTEGER),"
          " COALESCE(json_extract(rec.data, '$.feedback'), '') FROM " +
              std::string(kSessions) +
              " JOIN records rec ON rec.contact_id = s.contact_id AND rec.session_id = s.id"
              " AND rec.kind = 'review' WHERE r.campaign_id = ?1 ORDER BY rec.id");
      !s.ok()) {
    return s;
  }
  stmt.Bind(1, campaign_id);
  int rc;
  int64_t positive = 0;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    const int64_t rating = stmt.IsNull(0) ? 0 : stmt.Int(0);
    if (rating >= 1 && rating <= 5) {
      ++report->ratings[rating - 1];
      ++report->rated;
      if (rating >= 4) ++positive;
    }
    std::string text = stmt.Text(1);
    if (!text.empty()) report->feedback.push_back({static_cast<int>(rating), std::move(text)});
  }
  if (rc != SQLITE_DONE) return sqlite::Error(db, rc, "campaign reviews");
  if (report->rated > 0) {
    report->share_4_5 = static_cast<double>(positive) / static_cast<double>(report->rated);
  }
  return Status::Ok();
}

// Tracked links and their clicks.
Status ReadClicks(sqlite3* db, int64_t campaign_id, CampaignReport* report) {
  sqlite::Statement stmt;
  if (Status s = stmt.Prepare(
          db,
          "SELECT (SELECT count(*) FROM tracked_links WHERE campaign_id = ?1),"
          " count(DISTINCT l.recipient_id), count(c.id)"
          " FROM tracked_links l JOIN link_clicks c ON c.token = l.token WHERE l.campaign_id = ?1");
      !s.ok()) {
    return s;
  }
  stmt.Bind(1, campaign_id);
  const int rc = stmt.Step();
  if (rc != SQLITE_ROW) return sqlite::Error(db, rc, "campaign clicks");
  report->links = stmt.Int(0);
  report->clicked = stmt.Int(1);
  report->clicks = stmt.Int(2);
  return Status::Ok();
}

}  // namespace

Result<CampaignReport> CampaignReportFor(const std::string& db_path, int64_t campaign_id) {
  return sqlite::WithDatabase<CampaignReport>(db_path, [&](sqlite3* db) -> Result<CampaignReport> {
    if (Status s = sqlite::Exec(db, "BEGIN"); !s.ok()) return s;
    CampaignReport report;
    auto read = [&]() -> Status {
      Result<CampaignCounts> counts = campaigns::ReadCampaignCounts(db, campaign_id);
      if (!counts.ok()) return counts.status();
      report.recipients = std::move(*counts);
      for (auto step : {ReadMessages, ReadReplied, ReadReviews, ReadClicks}) {
        if (Status s = step(db, campaign_id, &report); !s.ok()) return s;
      }
      return Status::Ok();
    };
    Status status = read();
    (void)sqlite::Exec(db, status.ok() ? "COMMIT" : "ROLLBACK");
    if (!status.ok()) return status;
    return report;
  });
}

}  // namespace bot
