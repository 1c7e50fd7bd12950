// Bearer tokens of the admin API. The config holds only each token's SHA-256; a request's token
// is hashed and compared with every configured hash in constant time, so neither the file nor
// the environment holds a token in clear and the comparison leaks nothing about a near miss.
// Thread-safe (immutable after construction).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace runner {

class AdminAuth {
 public:
  explicit AdminAuth(std::vector<AdminTokenConfig> tokens) : tokens_(std::move(tokens)) {}

  // The token of an `Authorization: Bearer <token>` header value; nullptr when the header is
  // missing, not a bearer token, or no configured hash matches.
  const AdminTokenConfig* Authenticate(std::string_view authorization) const;

 private:
  std::vector<AdminTokenConfig> tokens_;
};

// The lower-case hex SHA-256 of `text`: what `sha256_env` holds for a token
// (`printf %s "$TOKEN" | sha256sum`).
std::string Sha256Hex(std::string_view text);

}  // namespace runner
