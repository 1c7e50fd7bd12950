#include "config/tenants_config.h"

#include "bot/campaigns.h"

namespace runner {

using bot::Status;

Status ReadTenants(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return r.Error(node, "'tenants' must be a mapping");
  for (const auto& item : node) {
    const std::string name = item.first.Scalar();
    const YAML::Node& body = item.second;
    const std::string where = "tenant " + name;
    if (name.empty()) return r.Error(body, "a tenant needs a name");
    if (!body.IsMap()) return r.Error(body, where + " must be a mapping");
    CONFIG_RETURN_IF_ERROR(
        r.OnlyKeys(body, where, {"credits", "charge", "daily_cap", "time_zone"}));
    TenantConfig tenant;
    CONFIG_ASSIGN_OR_RETURN(tenant.credits, r.Bool(body, "credits", false));
    std::string charge;
    CONFIG_ASSIGN_OR_RETURN(charge, r.String(body, "charge", "business_initiated"));
    if (charge == "business_initiated") {
      tenant.settings.charge = bot::TenantCredits::Charge::kBusinessInitiated;
    } else if (charge == "every_message") {
      tenant.settings.charge = bot::TenantCredits::Charge::kEveryMessage;
    } else {
      return r.Error(body, where + ": charge must be business_initiated or every_message, not '" +
                               charge + "'");
    }
    CONFIG_ASSIGN_OR_RETURN(tenant.settings.daily_cap,
                            r.Integer(body, "daily_cap", 0, 0, 100000000));
    // The cap's day: given, else the zone of the tenant's first number's country, else UTC.
    std::string fallback = "UTC";
    for (const NumberConfig& number : config->numbers) {
      if (number.tenant != name) continue;
      const std::string zone = bot::RegionTimeZone(bot::PhoneRegion(number.to));
      if (!zone.empty()) fallback = zone;
      break;
    }
    CONFIG_ASSIGN_OR_RETURN(tenant.settings.time_zone, r.String(body, "time_zone", fallback));
    if (!bot::IsKnownTimeZone(tenant.settings.time_zone)) {
      return r.Error(body, where + ": unknown time_zone '" + tenant.settings.time_zone + "'");
    }
    config->tenants[name] = std::move(tenant);
  }
  return Status::Ok();
}

bot::CreditsPolicy RunnerConfig::CreditsPolicy() const {
  bot::CreditsPolicy policy;
  for (const auto& [name, tenant] : tenants) {
    if (tenant.credits) policy.tenants[name] = tenant.settings;
  }
  if (policy.empty()) return policy;
  policy.number_tenants = TenantsOfNumbers();
  return policy;
}

bot::NumberTenants RunnerConfig::TenantsOfNumbers() const {
  bot::NumberTenants tenants;
  for (const NumberConfig& number : numbers) tenants[number.to] = number.tenant;
  return tenants;
}

}  // namespace runner
