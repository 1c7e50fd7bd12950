// Campaigns: conversations the bot starts. A clinic's CSV of patients becomes one campaign row
// and one recipient row per patient, each due at its appointment + N hours moved into the
// patient's allowed hours; the Scheduler hands due recipients to the dialog (Bot::StartScheduled),
// whose opening leaves as an approved template, then follows up once and closes as no_response.
// Everything is in the store: a restart loses nothing and sends nothing twice. docs/campaigns.md.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bot/bot.h"
#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/status.h"

namespace bot {

// ---- CSV (RFC 4180) ----

// One record: its fields and the file line it starts on (1-based; a quoted field may span
// lines).
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};

// Parses RFC 4180 text: fields separated by commas, records by CRLF or LF, fields in double
// quotes may hold commas, line breaks and "" for a quote. A UTF-8 byte-order mark is skipped and
// blank lines are ignored. An unclosed quote or text after a closing quote is an error naming
// the line.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text);

// ---- Time ----

// The allowed hours for business-initiated messages, in the recipient's local time: a message due
// outside [start, end) moves to the next start.
struct AllowedHours {
  int start_minute = 8 * 60;  // 08:00
  int end_minute = 20 * 60;   // 20:00
};
// "08:00-20:00" -> AllowedHours; false when malformed or empty.
bool ParseAllowedHours(std::string_view text, AllowedHours* out);

// The IANA time zone of a country (ISO 3166 region "EC" -> "America/Guayaquil"): the capital's
// zone for countries with several; "" when unknown.
std::string RegionTimeZone(std::string_view region);

// True for an IANA zone id ICU knows ("America/Guayaquil", "UTC").
bool IsKnownTimeZone(std::string_view zone);

// `due` moved into `hours` in `zone` (an IANA id): unchanged inside; before the start, that day's
// start; at or after the end, the next day's start.
TimePoint IntoAllowedHours(TimePoint due, std::string_view zone, AllowedHours hours);

// ---- Import ----

// The country (ISO 3166 region, "EC") of an E.164 number or WhatsApp address; "" if none.
std::string PhoneRegion(std::string_view number);

struct CampaignImport {
  std::string tenant = "default";
  std::string number;                              // the bot's address, "whatsapp:+14155238886"
  std::string source;                              // the file's name, kept with the campaign
  std::string region;                              // default country of the phone numbers ("EC")
  std::optional<std::chrono::seconds> send_after;  // nullopt: the dialog's campaign.send_after
  AllowedHours hours;
  bool skip_invalid = false;  // store the valid rows even when some are refused
  // The public base URL of the server that answers /r/<token> ("https://bot.example.com", no
  // trailing '/'): each variable the dialog's campaign.track_links names is stored as a tracked
  // link and replaced in the recipient's variables by <link_base_url>/r/<token>. "" = links are
  // not tracked.
  std::string link_base_url;
};

struct RefusedRow {
  int line = 0;  // in the file; 1 = the header
  std::string reason;
};

struct CampaignImportReport {
  int64_t campaign_id = 0;  // 0: nothing was stored
  int64_t scheduled = 0;    // recipients stored
  std::vector<RefusedRow> refused;
  std::optional<TimePoint> first_due;
};

// Validates the CSV against `dialog` (see docs/campaigns.md for the columns) and, unless a row is
// refused and !skip_invalid, stores the campaign and its recipients in one transaction in the
// database at `db_path`. Refused rows are reported, not errors; a status error means the file
// could not be read at all (bad CSV, no phone column) or the store failed.
Result<CampaignImportReport> ImportCampaign(const std::string& db_path, const Dialog& dialog,
                                            const CampaignImport& import, std::string_view csv,
                                            TimePoint now);

// ---- Status ----

struct CampaignCounts {
  int64_t id = 0;
  std::string tenant;
  std::string number;
  std::string dialog_id;
  std::string source;
  TimePoint created_at;
  // Recipients by status: scheduled, sent, reminded, replied, no_response, skipped, failed ...
  std::vector<std::pair<std::string, int64_t>> by_status;
  int64_t total = 0;
};

// A campaign's recipients counted by status. NotFound for an unknown id.
Result<CampaignCounts> CampaignStatus(const std::string& db_path, int64_t campaign_id);

// ---- Report ----

// What became of a campaign: its recipients, their messages, answers and link clicks.
struct CampaignReport {
  CampaignCounts recipients;  // the campaign and its recipients by status
  // Every outbound message of the recipients' sessions (the opening, the reminder, the dialog's
  // replies), by its latest delivery status.
  int64_t messages = 0;
  int64_t delivered = 0;  // delivered or read
  int64_t read = 0;
  int64_t failed = 0;  // failed, undelivered, or not sendable
  // The failed ones by the provider's error code ("63016"; "" when none was given), by code.
  std::vector<std::pair<std::string, int64_t>> failures_by_code;
  int64_t replied = 0;  // recipients who wrote at least once in their session
  // The `review` records of the recipients' sessions: ratings[r - 1] counts rating r (1..5).
  std::array<int64_t, 5> ratings{};
  int64_t rated = 0;
  double share_4_5 = 0;  // (ratings 4 and 5) / rated; 0 when nobody rated
  struct Feedback {
    int rating = 0;
    std::string text;
  };
  std::vector<Feedback> feedback;  // the non-empty `feedback` of those records, oldest first
  // Tracked links (campaign.track_links): made at import, recipients who clicked at least once,
  // and all clicks (GET /r/<token>).
  int64_t links = 0;
  int64_t clicked = 0;
  int64_t clicks = 0;
};

// The report of a campaign. NotFound for an unknown id.
Result<CampaignReport> CampaignReportFor(const std::string& db_path, int64_t campaign_id);

// ---- Tracked links ----

// A new tracked link's token: 16 random bytes (OpenSSL's CSPRNG) in base64url without padding,
// 22 characters.
std::string NewLinkToken();
// Whether `text` has a token's shape (22 base64url characters): anything else is not looked up.
bool IsLinkToken(std::string_view text);

// One visit of a tracked link: when, and the browser's User-Agent header. Nothing else (no
// address, no cookie) is kept.
struct LinkClick {
  TimePoint at;
  std::string user_agent;
};

// The stored target URL of the tracked link `token` of the database at `db_path`, and, when
// `click` is given, the click recorded with it. nullopt: no such link.
Result<std::optional<std::string>> FollowTrackedLink(const std::string& db_path,
                                                     std::string_view token,
                                                     const LinkClick* click);

// ---- Scheduling ----

// Work that falls due at a time: campaign recipients, and later loan reminders and others. The
// Scheduler asks each source when its next item is due and runs it then. Implementations keep
// their work in the store, and make running an item and recording that it ran one transaction.
class ScheduledSource {
 public:
  virtual ~ScheduledSource() = default;
  // The earliest time something is due; nullopt = nothing scheduled.
  virtual Result<std::optional<TimePoint>> NextDue() = 0;
  // Runs (a batch of) what is due at `now`; returns how many items it handled.
  virtual Result<int64_t> RunDue(TimePoint now) = 0;
};

// Campaign recipients (ImportCampaign) of the database at `db_path`: opens each one's dialog
// when due, follows up, closes as no_response. Writes go through `bot` (its store's
// transactions); reads use a connection of its own. Not thread-safe: one Scheduler calls it.
class CampaignSource final : public ScheduledSource {
 public:
  CampaignSource(std::string db_path, Bot* bot, int batch = 500);
  ~CampaignSource() override;
  Result<std::optional<TimePoint>> NextDue() override;
  Result<int64_t> RunDue(TimePoint now) override;

 private:
  struct Due;
  Status RunOne(const Due& due, TimePoint now);
  Status Open();

  std::string db_path_;
  Bot* bot_;
  int batch_;
  struct Db;
  std::unique_ptr<Db> db_;
};

struct SchedulerOptions {
  // The longest sleep: a source's work added behind the scheduler's back (another process's
  // import) is seen after at most this. Wake() cuts a sleep short.
  std::chrono::milliseconds max_sleep{std::chrono::seconds(30)};
  std::chrono::milliseconds error_backoff{std::chrono::seconds(5)};
};

// One thread that sleeps until the sources' next due time (by `clock`), runs what is due, and
// sleeps again. Thread-safe: Wake() and Stop() from any thread.
class Scheduler {
 public:
  using ErrorFn = std::function<void(const Status&)>;
  Scheduler(const Clock* clock, std::vector<ScheduledSource*> sources,
            SchedulerOptions options = {}, ErrorFn on_error = nullptr);
  ~Scheduler();

  void Start();
  void Stop();
  // New work may be due earlier than the scheduler thinks (an import): look again now.
  void Wake();
  // Runs every source's due work once, on the calling thread (tests, `campaign run`).
  Result<int64_t> RunOnce();

 private:
  void Loop();
  const Clock* clock_;
  std::vector<ScheduledSource*> sources_;
  SchedulerOptions options_;
  ErrorFn on_error_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;   // Guarded by mu_
  bool woken_ = false;  // Guarded by mu_
  std::mutex run_mu_;   // one RunOnce at a time
  std::thread thread_;
};

}  // namespace bot
