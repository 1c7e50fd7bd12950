#include "campaigns/campaign_api.h"

#include <algorithm>
#include <charconv>

#include "bot/twilio.h"  // ParseForm
#include "campaigns/campaign_import.h"
#include "campaigns/campaign_report_text.h"
#include "server/await_work.h"
#include "util/json_text.h"

namespace runner {
namespace {

constexpr std::string_view kJson = "application/json; charset=utf-8";

Response JsonResponse(int status, std::string body) {
  Response res = MakeResponse(status, std::string(kJson), std::move(body));
  res.set(http::field::cache_control, "no-store");
  return res;
}

Response ErrorResponse(int status, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(&body, message);
  return JsonResponse(status, body + "}");
}

// number=...&dialog=...&tenant=...&send_after=2h&skip_invalid=true&source=name.csv
bot::Result<CampaignRequest> ReadQuery(std::string_view query) {
  bot::Result<bot::FormParams> params = bot::ParseForm(query);
  if (!params.ok()) return bot::InvalidArgument("bad query string");
  CampaignRequest request;
  request.source = "admin-api";
  for (const auto& [key, value] : *params) {
    if (key == "number")
      request.number = value;
    else if (key == "dialog")
      request.dialog = value;
    else if (key == "tenant")
      request.tenant = value;
    else if (key == "source")
      request.source = value;
    else if (key == "skip_invalid")
      request.skip_invalid = value == "true" || value == "1";
    else if (key == "send_after") {
      request.send_after = ParseDurationText(value);
      if (!request.send_after)
        return bot::InvalidArgument("send_after '" + value + "' is not like 2h");
    } else {
      return bot::InvalidArgument("unknown parameter '" + key + "'");
    }
  }
  if (request.number.empty())
    return bot::InvalidArgument("the query needs number=<the bot's number>");
  return request;
}

}  // namespace

boost::asio::awaitable<Response> HandleCampaignImport(const CampaignApiParts& parts,
                                                      Request& request, bool is_admin,
                                                      const std::vector<std::string>& tenants) {
  if (!is_admin) co_return ErrorResponse(403, "only an admin token may import a campaign");
  if (request.method() != http::verb::post) {
    Response res = ErrorResponse(405, "use POST with the CSV as the body");
    res.set(http::field::allow, "POST");
    co_return res;
  }
  const std::string_view target(request.target().data(), request.target().size());
  const size_t q = target.find('?');
  bot::Result<CampaignRequest> query =
      ReadQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  if (!query.ok()) co_return ErrorResponse(400, query.status().message());
  if (!tenants.empty()) {
    // A token limited to some tenants does not learn of the others' numbers.
    auto mine = [&](const std::string& tenant) {
      return std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
    };
    const NumberConfig* number = parts.config->FindNumber(WhatsAppAddress(query->number));
    if (number == nullptr || !mine(number->tenant) ||
        (!query->tenant.empty() && !mine(query->tenant))) {
      co_return ErrorResponse(404, "no such number");
    }
  }
  using Imported = bot::Result<bot::CampaignImportReport>;
  const std::string& csv = request.body();
  Imported imported = co_await AwaitWork<Imported>(
      *parts.ioc, [&parts, &query, &csv](std::function<void(Imported)> resume) {
        parts.queue->Post([&parts, &query, &csv, resume = std::move(resume)] {
          // The import writes through a connection of its own: the store's open group first.
          if (bot::Status s = parts.bot->store().Flush(); !s.ok()) return resume(s);
          resume(ImportForNumber(*parts.config, *parts.bot->dialogs(), *query, csv,
                                 parts.bot->clock().Now()));
        });
      });
  if (!imported.ok()) {
    if (imported.status().code() == bot::StatusCode::kInvalidArgument) {
      co_return ErrorResponse(400, imported.status().message());
    }
    parts.log->Error("admin: campaign import: {}", imported.status().ToString());
    co_return ErrorResponse(500, "the store failed; see the server log");
  }
  if (imported->campaign_id == 0) co_return JsonResponse(422, ImportReportJson(*imported));
  if (parts.scheduler != nullptr) parts.scheduler->Wake();
  co_return JsonResponse(201, ImportReportJson(*imported));
}

bool IsCampaignsPath(std::string_view path) {
  return path.starts_with(kCampaignsPath) &&
         (path.size() == kCampaignsPath.size() || path[kCampaignsPath.size()] == '/');
}

boost::asio::awaitable<Response> HandleCampaignReport(const CampaignApiParts& parts,
                                                      const Request& request, std::string_view path,
                                                      const std::vector<std::string>& tenants) {
  // <id>/report
  std::string_view rest = path.substr(std::min(path.size(), kCampaignsPath.size() + 1));
  const size_t slash = rest.find('/');
  int64_t id = 0;
  const std::string_view digits = rest.substr(0, slash);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (slash == std::string_view::npos || rest.substr(slash) != "/report" || ec != std::errc() ||
      end != digits.data() + digits.size() || id <= 0) {
    co_return ErrorResponse(404, "no such endpoint");
  }
  if (request.method() != http::verb::get) {
    Response res = ErrorResponse(405, "use GET");
    res.set(http::field::allow, "GET");
    co_return res;
  }
  const std::string_view target(request.target().data(), request.target().size());
  const size_t q = target.find('?');
  bot::Result<bot::FormParams> params =
      bot::ParseForm(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  if (!params.ok()) co_return ErrorResponse(400, "bad query string");
  bool csv = false;
  for (const auto& [key, value] : *params) {
    if (key != "format" || (value != "csv" && value != "json")) {
      co_return ErrorResponse(400, "the only parameter is format=json or format=csv");
    }
    csv = value == "csv";
  }
  using Report = bot::Result<bot::CampaignReport>;
  Report report =
      co_await AwaitWork<Report>(*parts.ioc, [&parts, id](std::function<void(Report)> resume) {
        parts.queue->Post([&parts, id, resume = std::move(resume)] {
          // The report reads through a connection of its own: the store's open group first.
          if (bot::Status s = parts.bot->store().Flush(); !s.ok()) return resume(s);
          resume(bot::CampaignReportFor(parts.config->database, id));
        });
      });
  if (!report.ok()) {
    if (report.status().code() == bot::StatusCode::kNotFound) {
      co_return ErrorResponse(404, report.status().message());
    }
    parts.log->Error("admin: campaign report: {}", report.status().ToString());
    co_return ErrorResponse(500, "the store failed; see the server log");
  }
  if (!tenants.empty()) {
    // A token limited to some tenants does not learn of the others' campaigns.
    const NumberConfig* number = parts.config->FindNumber(report->recipients.number);
    if (number == nullptr ||
        std::find(tenants.begin(), tenants.end(), number->tenant) == tenants.end()) {
      co_return ErrorResponse(404, "no such campaign");
    }
  }
  if (csv) {
    Response res = MakeResponse(200, "text/csv; charset=utf-8", CampaignReportCsv(*report));
    res.set(http::field::cache_control, "no-store");
    co_return res;
  }
  co_return JsonResponse(200, CampaignReportJson(*report));
}

}  // namespace runner
