// A conversation turn written straight into a store, as the engine commits one, without
// running a dialog: the user's message accepted, the contact named, a session in `state`, and
// the turn's replies and records. For tests that need a stored conversation before anything
// runs (an application waiting for the credit desk, replies waiting in the outbox).
#pragma once

#include <string>
#include <vector>

#include "bot/store.h"

namespace bot::testing {

struct StoredTurn {
  std::string channel;      // the bot number, "whatsapp:+14155238886"
  std::string from;         // the user
  std::string name;         // the contact's name, as the dialog saved it
  std::string message_sid;  // the user's message's MessageSid (unique per channel)
  std::string text = "sí";
  std::string dialog_id = "credit_application";
  std::string state = "preapproved";
  std::vector<std::string> replies;
  std::string reply_status = "pending";  // "pending": the replies wait in the outbox
  std::vector<Record> records;
  TimePoint at;  // when the message came and the turn ran
};

// Stores `turn` in one commit; the ids of its replies, or why it could not.
Result<CommittedTurn> StoreTurn(Store& store, const StoredTurn& turn);

}  // namespace bot::testing
