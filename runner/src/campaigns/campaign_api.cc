#include "campaigns/campaign_api.h"

#include <algorithm>

#include "bot/twilio.h"  // ParseForm
#include "campaigns/campaign_import.h"
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

}  // namespace runner
