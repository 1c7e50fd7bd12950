// What both stores do with their NumberTenants when they open (docs/store.md, "Tenants"):
// contacts stored before tenants were recorded (tenant '') get their number's tenant, and a
// number whose contacts belong to another tenant than the one now given is refused, so that
// one tenant's new conversations never join another's contacts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bot/status.h"
#include "bot/store.h"

namespace bot {

// How many live (not erased) contacts of `tenant` a number has.
struct NumberContacts {
  std::string channel;
  std::string tenant;
  int64_t contacts = 0;
};

// InvalidArgument (the configuration is wrong) naming each number of `stored` that `tenants` gives
// to another tenant; Ok otherwise. Numbers not in `tenants` are not checked: a store is not told
// about every number (a CLI tool, an embedding service with one number).
Status CheckNumberTenants(const NumberTenants& tenants, const std::vector<NumberContacts>& stored);

// The SQL both stores run to fill NumberContacts: erased contacts (address 'erased:…', see
// EraseContactData) are history only and no longer receive messages, so they do not count.
inline constexpr char kNumberContactsSql[] =
    "SELECT channel, tenant, count(*) FROM contacts WHERE tenant <> '' AND address NOT LIKE "
    "'erased:%' GROUP BY channel, tenant ORDER BY channel, tenant";

}  // namespace bot
