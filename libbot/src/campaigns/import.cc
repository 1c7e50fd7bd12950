// A campaign's CSV: every row validated before anything is stored, then the campaign and its
// recipients in one transaction (or nothing, when a row is refused and skip_invalid is off).
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <map>

#include "bot/campaigns.h"
#include "bot/twilio.h"  // Sha256Hex
#include "bot/value.h"
#include "campaigns/appointment_time.h"
#include "engine/local_time.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Columns the import reads itself; every other column is a dialog variable.
constexpr std::string_view kPhone = "phone";
constexpr std::string_view kConsent = "consent";
constexpr std::string_view kAppointment = "appointment";
constexpr std::string_view kTimeZone = "time_zone";

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool Consented(std::string value) {
  value = Lower(Trim(value));
  return value == "yes" || value == "y" || value == "si" || value == "sí" || value == "true" ||
         value == "1" || value == "x";
}

struct Planned {
  int line = 0;
  std::string address;  // whatsapp:+E164
  VarMap vars;
  std::optional<TimePoint> appointment;
  std::string zone;
  TimePoint due;
  // Tracked links (campaign.track_links, when CampaignImport::link_base_url is set): variable
  // -> the URL its token redirects to.
  std::vector<std::pair<std::string, std::string>> links;
};

bool IsHttpUrl(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

// The file's columns: which index is which. Refusals of the header go to `refused` (line 1).
struct Columns {
  int phone = -1, consent = -1, appointment = -1, time_zone = -1;
  std::vector<std::pair<int, std::string>> vars;  // column index -> variable
  size_t count = 0;
};

Columns ReadHeader(const CsvRow& header, const Dialog& dialog, std::vector<RefusedRow>* refused) {
  Columns c;
  c.count = header.fields.size();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = Lower(Trim(header.fields[i]));
    const int index = static_cast<int>(i);
    if (name == kPhone)
      c.phone = index;
    else if (name == kConsent)
      c.consent = index;
    else if (name == kAppointment)
      c.appointment = index;
    else if (name == kTimeZone)
      c.time_zone = index;
    else if (dialog.variables.contains(name))
      c.vars.emplace_back(index, name);
    else {
      refused->push_back({header.line, "unknown column '" + name + "': not a variable of dialog '" +
                                           dialog.id + "'"});
    }
  }
  if (c.phone < 0) refused->push_back({header.line, "no 'phone' column"});
  if (c.consent < 0) refused->push_back({header.line, "no 'consent' column"});
  for (const auto& [name, fallback] : dialog.variables) {
    const bool present =
        std::any_of(c.vars.begin(), c.vars.end(), [&](const auto& v) { return v.second == name; });
    if (fallback.empty() && !present) {
      refused->push_back({header.line, "dialog '" + dialog.id + "' needs the variable '" + name +
                                           "': no such column"});
    }
  }
  return c;
}

// One row to a recipient, or its refusal.
std::optional<Planned> PlanRow(const CsvRow& row, const Columns& c, const Dialog& dialog,
                               const CampaignImport& import, std::chrono::seconds send_after,
                               TimePoint now, std::string* reason) {
  if (row.fields.size() != c.count) {
    *reason =
        std::to_string(row.fields.size()) + " fields, the header has " + std::to_string(c.count);
    return std::nullopt;
  }
  Planned p;
  p.line = row.line;
  const std::string raw_phone = Trim(row.fields[c.phone]);
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (raw_phone.empty() ||
      util->Parse(raw_phone, import.region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util->IsValidNumber(number)) {
    *reason =
        "phone '" + raw_phone + "' is not a valid number (default region " + import.region + ")";
    return std::nullopt;
  }
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  p.address = "whatsapp:" + e164;
  if (!Consented(row.fields[c.consent])) {
    *reason = "no consent ('" + Trim(row.fields[c.consent]) + "')";
    return std::nullopt;
  }
  for (const auto& [index, name] : c.vars) {
    std::string value = Trim(row.fields[index]);
    if (value.empty()) {
      if (dialog.variables.at(name).empty()) {
        *reason = "'" + name + "' is empty";
        return std::nullopt;
      }
      continue;  // the dialog's default
    }
    p.vars[name] = std::move(value);
  }
  if (!import.link_base_url.empty()) {
    for (const std::string& name : dialog.campaign.track_links) {
      auto it = p.vars.find(name);
      const std::string& target = it != p.vars.end() ? it->second : dialog.variables.at(name);
      if (!IsHttpUrl(target)) {
        *reason = "'" + name + "' ('" + target + "') is not an http(s) link";
        return std::nullopt;
      }
      p.links.emplace_back(name, target);
    }
  }
  if (c.time_zone >= 0 && !Trim(row.fields[c.time_zone]).empty()) {
    p.zone = Trim(row.fields[c.time_zone]);
    if (!engine::IsKnownTimeZone(p.zone)) {
      *reason = "time_zone '" + p.zone + "' is not an IANA time zone";
      return std::nullopt;
    }
  } else {
    std::string region;
    util->GetRegionCodeForNumber(number, &region);
    p.zone = RegionTimeZone(region);
    if (p.zone.empty()) p.zone = RegionTimeZone(import.region);
    if (p.zone.empty()) p.zone = "UTC";
  }
  if (c.appointment >= 0 && !Trim(row.fields[c.appointment]).empty()) {
    const std::string text = Trim(row.fields[c.appointment]);
    p.appointment = campaigns::ParseAppointment(text, p.zone);
    if (!p.appointment) {
      *reason = "appointment '" + text +
                "' is not a time like 2026-03-02T10:30-05:00 or 2026-03-02 10:30";
      return std::nullopt;
    }
  }
  p.due = std::max(p.appointment ? *p.appointment + send_after : now, now);
  p.due = IntoAllowedHours(p.due, p.zone, import.hours);
  return p;
}

// Why the contact may not be written to: opted out on this number, or erased. "" = may.
Result<std::string> Barred(sqlite::Statement& find, const std::string& number,
                           const std::string& address) {
  const std::string erased = "erased:" + Sha256Hex(address).substr(0, 16);
  find.Bind(1, number);
  find.Bind(2, address);
  find.Bind(3, erased);
  std::string why;
  int rc;
  while ((rc = find.Step()) == SQLITE_ROW) {
    if (find.Text(0) == erased)
      why = "the contact's data was erased";
    else if (!find.IsNull(1) && why.empty())
      why = "the contact opted out";
  }
  find.Reset();
  if (rc != SQLITE_DONE) return sqlite::Error(find.db(), rc, "find contact");
  return why;
}

std::string OptionsJson(const Dialog& dialog, std::chrono::seconds send_after,
                        const AllowedHours& hours) {
  VarMap o;
  o["send_after_s"] = std::to_string(send_after.count());
  o["follow_up_after_s"] = std::to_string(dialog.campaign.follow_up_after.count());
  o["close_after_s"] = std::to_string(dialog.campaign.close_after.count());
  o["reminder"] = dialog.campaign.reminder;
  o["allowed_from_minute"] = std::to_string(hours.start_minute);
  o["allowed_to_minute"] = std::to_string(hours.end_minute);
  return VarsToJson(o);
}

Result<CampaignImportReport> StoreCampaign(sqlite3* db, const Dialog& dialog,
                                           const CampaignImport& import,
                                           std::chrono::seconds send_after,
                                           std::vector<Planned> planned,
                                           CampaignImportReport report, TimePoint now) {
  if (Status s = sqlite::Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  auto rollback = [&](Status s) -> Result<CampaignImportReport> {
    (void)sqlite::Exec(db, "ROLLBACK");
    return s;
  };
  sqlite::Statement find, insert_campaign, insert_recipient, insert_link;
  if (Status s = find.Prepare(db,
                              "SELECT address, opted_out_at FROM contacts WHERE (channel = ?1 "
                              "AND address = ?2) OR address = ?3");
      !s.ok()) {
    return rollback(s);
  }
  // Barred contacts are refused before anything is written.
  std::vector<Planned> allowed;
  for (Planned& p : planned) {
    Result<std::string> why = Barred(find, import.number, p.address);
    if (!why.ok()) return rollback(why.status());
    if (why->empty()) {
      allowed.push_back(std::move(p));
    } else {
      report.refused.push_back({p.line, *why});
    }
  }
  std::sort(report.refused.begin(), report.refused.end(),
            [](const RefusedRow& a, const RefusedRow& b) { return a.line < b.line; });
  if ((!report.refused.empty() && !import.skip_invalid) || allowed.empty()) {
    (void)sqlite::Exec(db, "ROLLBACK");  // all or nothing: nothing stored
    return report;
  }
  if (Status s = insert_campaign.Prepare(
          db,
          "INSERT INTO campaigns (tenant, number, dialog_id, source, options, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      !s.ok()) {
    return rollback(s);
  }
  const std::string options = OptionsJson(dialog, send_after, import.hours);
  insert_campaign.Bind(1, import.tenant);
  insert_campaign.Bind(2, import.number);
  insert_campaign.Bind(3, dialog.id);
  insert_campaign.Bind(4, import.source);
  insert_campaign.Bind(5, options);
  insert_campaign.Bind(6, now);
  if (Status s = insert_campaign.Run(); !s.ok()) return rollback(s);
  report.campaign_id = sqlite3_last_insert_rowid(db);
  if (Status s = insert_recipient.Prepare(
          db,
          "INSERT INTO campaign_recipients (campaign_id, address, vars, appointment_at, "
          "time_zone, line, due_at, status, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'scheduled', ?8)");
      !s.ok()) {
    return rollback(s);
  }
  if (Status s = insert_link.Prepare(db,
                                     "INSERT INTO tracked_links (token, campaign_id, recipient_id, "
                                     "variable, target_url, created_at) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      !s.ok()) {
    return rollback(s);
  }
  std::string base = import.link_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (Planned& p : allowed) {
    // The recipient's variables carry the redirect; the target stays in tracked_links.
    std::vector<std::string> tokens;
    for (const auto& [name, target] : p.links) {
      tokens.push_back(NewLinkToken());
      p.vars[name] = base + "/r/" + tokens.back();
    }
    const std::string vars = VarsToJson(p.vars);
    insert_recipient.Bind(1, report.campaign_id);
    insert_recipient.Bind(2, p.address);
    insert_recipient.Bind(3, vars);
    insert_recipient.BindOrNull(4, p.appointment);
    insert_recipient.Bind(5, p.zone);
    insert_recipient.Bind(6, static_cast<int64_t>(p.line));
    insert_recipient.Bind(7, p.due);
    insert_recipient.Bind(8, now);
    Status s = insert_recipient.Run();
    insert_recipient.Reset();
    if (!s.ok()) return rollback(s);
    const int64_t recipient_id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < p.links.size(); ++i) {
      insert_link.Bind(1, tokens[i]);
      insert_link.Bind(2, report.campaign_id);
      insert_link.Bind(3, recipient_id);
      insert_link.Bind(4, p.links[i].first);
      insert_link.Bind(5, p.links[i].second);
      insert_link.Bind(6, now);
      s = insert_link.Run();
      insert_link.Reset();
      if (!s.ok()) return rollback(s);
    }
    ++report.scheduled;
    if (!report.first_due || p.due < *report.first_due) report.first_due = p.due;
  }
  if (Status s = sqlite::Exec(db, "COMMIT"); !s.ok()) return rollback(s);
  return report;
}

}  // namespace

std::string PhoneRegion(std::string_view number) {
  if (const size_t colon = number.find(':'); colon != std::string_view::npos) {
    number.remove_prefix(colon + 1);
  }
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  if (util->Parse(std::string(number), "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return "";
  }
  std::string region;
  util->GetRegionCodeForNumber(parsed, &region);
  return region == "ZZ" ? "" : region;
}

Result<CampaignImportReport> ImportCampaign(const std::string& db_path, const Dialog& dialog,
                                            const CampaignImport& import, std::string_view csv,
                                            TimePoint now) {
  if (import.number.empty()) return InvalidArgument("a campaign needs the bot's number");
  if (import.tenant.empty()) return InvalidArgument("a campaign needs a tenant");
  const std::string& start_prompt = dialog.FindState(dialog.start) != nullptr
                                        ? dialog.FindState(dialog.start)->say
                                        : std::string();
  if (dialog.FindTemplate(start_prompt) == nullptr) {
    return InvalidArgument("dialog '" + dialog.id + "' has no template for its opening prompt '" +
                           start_prompt + "' (templates: in the dialog file)");
  }
  Result<std::vector<CsvRow>> rows = ParseCsv(csv);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return InvalidArgument("the file is empty: it needs a header row");
  const std::chrono::seconds send_after = import.send_after.value_or(dialog.campaign.send_after);

  CampaignImportReport report;
  const Columns columns = ReadHeader(rows->front(), dialog, &report.refused);
  if (!report.refused.empty()) return report;  // a header problem refuses the whole file
  std::vector<Planned> planned;
  std::map<std::string, int> seen;  // address -> line
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    std::string reason;
    std::optional<Planned> p = PlanRow(row, columns, dialog, import, send_after, now, &reason);
    if (p) {
      auto [it, fresh] = seen.emplace(p->address, row.line);
      if (!fresh) {
        p.reset();
        reason = "duplicate of line " + std::to_string(it->second);
      }
    }
    if (p) {
      planned.push_back(std::move(*p));
    } else {
      report.refused.push_back({row.line, reason});
    }
  }
  if (planned.empty() && report.refused.empty()) {
    return InvalidArgument("the file has a header but no rows");
  }
  return sqlite::WithDatabase<CampaignImportReport>(db_path, [&](sqlite3* db) {
    return StoreCampaign(db, dialog, import, send_after, std::move(planned), std::move(report),
                         now);
  });
}

}  // namespace bot
