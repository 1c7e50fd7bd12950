// What a Store gets unless it knows better: the defaults of bot/store.h's virtual methods.
#include "bot/store.h"

namespace bot {

Result<std::vector<int64_t>> Store::UnprocessedInboundOf(int64_t contact_id) {
  Result<std::vector<StoredMessage>> messages = ListMessages(contact_id);
  if (!messages.ok()) return messages.status();
  std::vector<int64_t> ids;
  for (const StoredMessage& m : *messages) {
    if (m.direction == "in" && m.status == "accepted") ids.push_back(m.id);
  }
  return ids;
}

}  // namespace bot
