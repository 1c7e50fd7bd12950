// PLACEHOLDER until the in-memory store lands.
#include "bot/testing/memory_store.h"

namespace bot::testing {
std::unique_ptr<Store> NewMemoryStore() { return nullptr; }
}  // namespace bot::testing
