#include "cli/actor.h"

#include <unistd.h>

#include <cstdlib>

namespace runner {

std::string ActorOrLogin(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* login = getlogin()) return login;
  if (const char* user = std::getenv("USER")) return user;
  return "";
}

}  // namespace runner
