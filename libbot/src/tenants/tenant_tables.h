// What a tenant export holds, on either store (bot/tenant_data.h, bot/postgres_store.h): each
// table with the condition that picks the tenant's rows ($1 is the tenant; SQLite reads "$1" as
// its first parameter too), in export order.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "bot/tenant_data.h"

namespace bot::tenants {

struct Table {
  const char* name;
  std::string_view where;
  int64_t TenantExportCounts::*count;
};

inline constexpr std::string_view kOfContacts =
    "contact_id IN (SELECT id FROM contacts WHERE tenant = $1)";

inline constexpr Table kTables[] = {
    {"contacts", "tenant = $1", &TenantExportCounts::contacts},
    {"sessions", kOfContacts, &TenantExportCounts::sessions},
    {"messages", kOfContacts, &TenantExportCounts::messages},
    {"records", kOfContacts, &TenantExportCounts::records},
    {"documents", kOfContacts, &TenantExportCounts::documents},
    {"audit_events", kOfContacts, &TenantExportCounts::audit_events},
    {"campaigns", "tenant = $1", &TenantExportCounts::campaigns},
    {"campaign_recipients", "campaign_id IN (SELECT id FROM campaigns WHERE tenant = $1)",
     &TenantExportCounts::campaign_recipients},
};

// Columns that hold JSON text: exported as JSON, not as a string of it.
inline const std::set<std::string, std::less<>> kJsonColumns = {
    "slots", "vars", "media", "data", "fields", "options", "content_variables"};

}  // namespace bot::tenants
