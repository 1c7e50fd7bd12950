// Who runs an audited command: the CLI's --actor, else the login name.
#pragma once

#include <string>

namespace runner {

// `given` when not empty, else the login name (getlogin, then $USER), so the audit trail
// always names someone; "" when none is known.
std::string ActorOrLogin(const std::string& given);

}  // namespace runner
