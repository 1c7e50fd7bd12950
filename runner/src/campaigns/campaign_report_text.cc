#include "campaigns/campaign_report_text.h"

#include <fmt/format.h>

#include "util/json_text.h"

namespace runner {
namespace {

// The failures' error code as a key: "none" when the provider gave none.
std::string CodeKey(const std::string& code) { return code.empty() ? "none" : code; }

}  // namespace

std::string CampaignReportJson(const bot::CampaignReport& r) {
  const bot::CampaignCounts& c = r.recipients;
  std::string out = "{\"id\":" + std::to_string(c.id) + ",\"tenant\":";
  AppendJsonString(&out, c.tenant);
  out += ",\"number\":";
  AppendJsonString(&out, c.number);
  out += ",\"dialog\":";
  AppendJsonString(&out, c.dialog_id);
  out += ",\"source\":";
  AppendJsonString(&out, c.source);
  out += ",\"created_at\":";
  AppendJsonString(&out, Rfc3339Seconds(c.created_at));
  out += ",\"recipients\":{\"total\":" + std::to_string(c.total) + ",\"by_status\":{";
  for (size_t i = 0; i < c.by_status.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(&out, c.by_status[i].first);
    out += ':' + std::to_string(c.by_status[i].second);
  }
  out += fmt::format(
      "}}}},\"messages\":{{\"total\":{},\"delivered\":{},\"read\":{},\"failed\":{},"
      "\"failed_by_code\":{{",
      r.messages, r.delivered, r.read, r.failed);
  for (size_t i = 0; i < r.failures_by_code.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(&out, CodeKey(r.failures_by_code[i].first));
    out += ':' + std::to_string(r.failures_by_code[i].second);
  }
  out += fmt::format("}}}},\"replied\":{},\"ratings\":{{", r.replied);
  for (size_t i = 0; i < r.ratings.size(); ++i) {
    out += fmt::format("{}\"{}\":{}", i > 0 ? "," : "", i + 1, r.ratings[i]);
  }
  out += fmt::format("}},\"rated\":{},\"share_4_5\":{},\"feedback\":{{\"count\":{},\"texts\":[",
                     r.rated, r.share_4_5, r.feedback.size());
  for (size_t i = 0; i < r.feedback.size(); ++i) {
    out += fmt::format("{}{{\"rating\":{},\"text\":", i > 0 ? "," : "", r.feedback[i].rating);
    AppendJsonString(&out, r.feedback[i].text);
    out += '}';
  }
  out += fmt::format("]}},\"links\":{{\"tracked\":{},\"recipients_clicked\":{},\"clicks\":{}}}}}",
                     r.links, r.clicked, r.clicks);
  return out;
}

std::string CampaignReportCsv(const bot::CampaignReport& r) {
  std::string out = "metric,value\n";
  auto row = [&out](const std::string& metric, const auto& value) {
    out += fmt::format("{},{}\n", metric, value);
  };
  row("campaign", r.recipients.id);
  row("recipients", r.recipients.total);
  for (const auto& [status, n] : r.recipients.by_status) row("status." + status, n);
  row("messages", r.messages);
  row("delivered", r.delivered);
  row("read", r.read);
  row("failed", r.failed);
  for (const auto& [code, n] : r.failures_by_code) row("failed." + CodeKey(code), n);
  row("replied", r.replied);
  for (size_t i = 0; i < r.ratings.size(); ++i) row(fmt::format("rating.{}", i + 1), r.ratings[i]);
  row("rated", r.rated);
  row("share_4_5", r.share_4_5);
  row("feedback", r.feedback.size());
  row("links", r.links);
  row("recipients_clicked", r.clicked);
  row("clicks", r.clicks);
  return out;
}

}  // namespace runner
