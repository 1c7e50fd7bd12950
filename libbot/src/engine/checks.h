// External checks a dialog state can run on entering (State::check): the I/O half. The engine
// runs them after committing the turn that entered the state; their result comes back into the
// pure step as a kCheckResult turn.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "bot/bot.h"
#include "bot/dialog.h"
#include "bot/session.h"
#include "bot/store.h"

namespace bot::engine {

struct CheckOutcome {
  CheckResult result;                 // the slots the check fills
  std::optional<SealedReport> report;  // the provider's raw answer, sealed
  std::string note;                    // for the log: why it failed, why nothing was kept
};

// Runs `check` for `session` without blocking; `done` runs once, on the provider's thread (or
// the caller's). Never fails: a provider error becomes "<check>_error" slots.
void RunCheckAsync(const std::string& check, const Dialog& dialog, const Session& session,
                   const BotProviders& providers, std::function<void(CheckOutcome)> done);

}  // namespace bot::engine
