// Bearer-token checks of the admin API: hash the presented token, compare in constant time.
#include "admin/admin_auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>

namespace runner {
namespace {

std::array<unsigned char, SHA256_DIGEST_LENGTH> Sha256(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

}  // namespace

const AdminTokenConfig* AdminAuth::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return nullptr;
  // The scheme is case-insensitive (RFC 9110 §11.1).
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return nullptr;
    }
  }
  const auto digest = Sha256(authorization.substr(kScheme.size()));
  // Every hash is compared, so the time taken does not say which one (or whether one) matched.
  const AdminTokenConfig* found = nullptr;
  for (const AdminTokenConfig& token : tokens_) {
    if (token.sha256.size() != digest.size()) continue;
    if (CRYPTO_memcmp(token.sha256.data(), digest.data(), digest.size()) == 0) found = &token;
  }
  return found;
}

std::string Sha256Hex(std::string_view text) {
  std::string hex;
  for (unsigned char byte : Sha256(text)) hex += fmt::format("{:02x}", byte);
  return hex;
}

}  // namespace runner
