// The order of outbound delivery statuses, shared by every Store so status callbacks behave the
// same everywhere: a callback only moves a message forward.
#pragma once

#include <string_view>
#include <vector>

namespace bot {

// queued 1 < sending 2 < sent 3 < delivered 4 < read 5 < final 6 (failed, undelivered,
// canceled). Twilio's "accepted"/"scheduled" rank with queued. Our own "pending"/"inline" are 0
// (any callback moves them on) and "not_sendable" 7 (nothing does). Unknown names are -1.
int DeliveryRank(std::string_view status);

// The statuses DeliveryRank knows whose rank is `rank` or above: those a callback of that rank
// must not move a message from (for a store that compares in SQL).
std::vector<std::string_view> DeliveryStatusesRankedAtLeast(int rank);

// A status a provider callback may set: ranks 1 to 6.
inline bool IsCallbackRank(int rank) { return rank >= 1 && rank <= 6; }

// Final outcomes keep the provider's error code.
inline bool IsFinalDeliveryRank(int rank) { return rank >= 6; }

}  // namespace bot
