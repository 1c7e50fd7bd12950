#include "store/number_tenants.h"

namespace bot {

std::string TenantOfNumber(const NumberTenants& tenants, const std::string& number) {
  auto it = tenants.find(number);
  return it == tenants.end() ? std::string(kDefaultTenant) : it->second;
}

Status CheckNumberTenants(const NumberTenants& tenants, const std::vector<NumberContacts>& stored) {
  std::string conflicts;
  for (const NumberContacts& row : stored) {
    auto it = tenants.find(row.channel);
    if (it == tenants.end() || it->second == row.tenant) continue;
    if (!conflicts.empty()) conflicts += "; ";
    conflicts += "number " + row.channel + " is tenant \"" + it->second + "\"'s but " +
                 std::to_string(row.contacts) + " contact(s) on it belong to tenant \"" +
                 row.tenant + "\"";
  }
  if (conflicts.empty()) return Status::Ok();
  return InvalidArgument(
      conflicts +
      ". A number's conversations stay with the tenant they began with: give the new tenant "
      "another number, or erase the old tenant's data first (botrunner tenant erase)");
}

}  // namespace bot
