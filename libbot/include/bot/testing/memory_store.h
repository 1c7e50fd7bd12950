// An in-memory Store with the same contract as the SQLite one, for fast tests. Thread-safe.
#pragma once

#include <memory>

#include "bot/store.h"

namespace bot::testing {

std::unique_ptr<Store> NewMemoryStore();

}  // namespace bot::testing
