#include "campaigns/campaign_import.h"

#include <charconv>

#include "config/postgres_config.h"
#include "util/json_text.h"

namespace runner {

bot::Result<bot::CampaignImportReport> ImportForNumber(const RunnerConfig& config,
                                                       const bot::DialogSet& dialogs,
                                                       const CampaignRequest& request,
                                                       std::string_view csv, bot::TimePoint now) {
  const std::string to = WhatsAppAddress(request.number);
  const NumberConfig* number = config.FindNumber(to);
  if (number == nullptr) return bot::InvalidArgument("no number '" + to + "' in the config");
  const std::string dialog_id = request.dialog.empty() ? number->dialog : request.dialog;
  std::shared_ptr<const bot::Dialog> dialog = dialogs.Find(dialog_id);
  if (!dialog) return bot::InvalidArgument("no dialog '" + dialog_id + "'");
  bot::CampaignImport import;
  import.number = to;
  import.tenant = request.tenant.empty() ? number->tenant : request.tenant;
  import.source = request.source;
  import.region = number->region.empty() ? bot::PhoneRegion(to) : number->region;
  import.send_after = request.send_after;
  import.hours = number->allowed_hours;
  import.skip_invalid = request.skip_invalid;
  import.link_base_url = config.public_base_url;  // tracked links redirect through /r/<token>
  bot::Result<std::string> db = SqliteFileOf(config, "a campaign import");
  if (!db.ok()) return db.status();
  return bot::ImportCampaign(*db, *dialog, import, csv, now);
}

std::optional<std::chrono::seconds> ParseDurationText(std::string_view text) {
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc() || amount < 0) return std::nullopt;
  const std::string_view unit(end, text.data() + text.size() - end);
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  for (const auto& [name, seconds] : kUnits) {
    if (unit == name) return std::chrono::seconds(amount * seconds);
  }
  return std::nullopt;
}

std::string ImportReportJson(const bot::CampaignImportReport& report) {
  std::string out = "{\"campaign_id\":" + std::to_string(report.campaign_id) +
                    ",\"scheduled\":" + std::to_string(report.scheduled) + ",\"first_due\":";
  if (report.first_due) {
    AppendJsonString(&out, Rfc3339Seconds(*report.first_due));
  } else {
    out += "null";
  }
  out += ",\"refused\":[";
  for (size_t i = 0; i < report.refused.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"line\":" + std::to_string(report.refused[i].line) + ",\"reason\":";
    AppendJsonString(&out, report.refused[i].reason);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace runner
