// The real botrunner binary as a child process of a test: a free port for it to listen on, and
// `botrunner serve --config FILE` started with fork/exec. Header-only: BOTRUNNER_PATH is defined
// for the test binaries, not for test_support.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace bot::testing {

// A free port on 127.0.0.1 (bound, then released for the child to take).
inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Starts `botrunner serve --config config` (logging errors only) with `env` set; its pid.
inline pid_t SpawnBotrunner(const std::string& config,
                            const std::vector<std::pair<std::string, std::string>>& env = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    ::setenv("BOTRUNNER_LOG", "error", 1);
    ::execl(BOTRUNNER_PATH, BOTRUNNER_PATH, "serve", "--config", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

}  // namespace bot::testing
