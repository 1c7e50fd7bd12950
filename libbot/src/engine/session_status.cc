#include "bot/session.h"

namespace bot {

const char* SessionStatusName(SessionStatus status) {
  switch (status) {
    case SessionStatus::kActive: return "active";
    case SessionStatus::kDone: return "done";
    case SessionStatus::kOptedOut: return "opted_out";
    case SessionStatus::kHandoff: return "handoff";
    case SessionStatus::kExpired: return "expired";
    case SessionStatus::kNoResponse:
      return "no_response";
  }
  return "active";
}

bool ParseSessionStatus(std::string_view name, SessionStatus* out) {
  for (SessionStatus s :
       {SessionStatus::kActive, SessionStatus::kDone, SessionStatus::kOptedOut,
        SessionStatus::kHandoff, SessionStatus::kExpired, SessionStatus::kNoResponse}) {
    if (name == SessionStatusName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

SessionStatus EffectiveStatus(const Session& session, const Dialog& dialog, TimePoint now) {
  // A handed-off conversation expires too: a human who never answers must not silence the
  // contact forever.
  bool live = session.status == SessionStatus::kActive || session.status == SessionStatus::kHandoff;
  if (live && now - session.updated_at > dialog.session_timeout) return SessionStatus::kExpired;
  return session.status;
}

}  // namespace bot
