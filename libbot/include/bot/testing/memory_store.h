// An in-memory Store with the same contract as the SQLite one, for fast tests. Thread-safe.
#pragma once

#include <memory>

#include "bot/store.h"

namespace bot::testing {

// Contacts get their number's tenant in `tenants` (bot/store.h), as in the real stores.
std::unique_ptr<Store> NewMemoryStore(NumberTenants tenants = {});

}  // namespace bot::testing
