// `--tenant T` on the CLI's lists (handoff list, inbound failed, outbox failed|held, leads
// export): only the rows of tenant T's contacts (Contact::tenant). The CLI reads the whole
// database file; this narrows what an operator looks at, it is not an access boundary (the admin
// API's tokens are).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace runner {

inline void AddTenantFilter(CLI::App* command, std::string* tenant) {
  command->add_option("--tenant", *tenant, "only this tenant's (numbers[].tenant when it began)");
}

// True when no tenant was asked for, or `tenant` is the one asked for.
inline bool InTenant(const std::string& wanted, const std::string& tenant) {
  return wanted.empty() || wanted == tenant;
}

}  // namespace runner
