// X-Twilio-Signature: the exact algorithm of twilio-python's RequestValidator and twilio-node's
// validateRequest, so every official test vector holds.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/twilio.h"
#include "util/base64.h"

namespace bot {
namespace {

// A URL split into the parts the port variants rewrite.
struct UrlParts {
  std::string scheme;  // "https"
  std::string host;    // without user info and port
  std::string port;    // "" when absent
  std::string rest;    // path and query, fragment removed
};

UrlParts SplitUrl(std::string_view url) {
  UrlParts parts;
  if (size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  size_t colon_slashes = url.find("://");
  if (colon_slashes == std::string_view::npos) {
    parts.rest = std::string(url);
    return parts;
  }
  parts.scheme = std::string(url.substr(0, colon_slashes));
  std::string_view after = url.substr(colon_slashes + 3);
  size_t authority_end = after.find_first_of("/?");
  if (authority_end == std::string_view::npos) authority_end = after.size();
  std::string_view authority = after.substr(0, authority_end);
  parts.rest = std::string(after.substr(authority_end));
  // Twilio does not sign "user:pass@".
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  size_t port_colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');  // IPv6 literal: colons inside [] are not ports
  if (port_colon != std::string_view::npos &&
      (bracket == std::string_view::npos || port_colon > bracket)) {
    parts.port = std::string(authority.substr(port_colon + 1));
    authority = authority.substr(0, port_colon);
  }
  parts.host = std::string(authority);
  return parts;
}

std::string JoinUrl(const UrlParts& parts, std::string_view port) {
  if (parts.scheme.empty()) return parts.rest;
  std::string url = parts.scheme + "://" + parts.host;
  if (!port.empty()) {
    url += ':';
    url += port;
  }
  return url + parts.rest;
}

// The two URLs the official validators try: any port removed, and the default port added when
// none is present (a present port is kept). Together they always include the URL as given.
std::vector<std::string> UrlVariants(std::string_view url) {
  UrlParts parts = SplitUrl(url);
  std::string default_port = parts.scheme == "https" ? "443" : "80";
  std::string without_port = JoinUrl(parts, "");
  std::string with_port = JoinUrl(parts, parts.port.empty() ? default_port : parts.port);
  return {without_port, with_port};
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;  // lengths of base64 SHA-1 digests are public
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The signed text after the URL: parameters sorted by name, then by value, exact duplicates
// dropped (python's sorted(set(values)) per sorted key, node's dedupe-then-sort of array
// values), each as name + value.
std::string SignedParams(const FormParams& params) {
  std::vector<const FormParams::value_type*> sorted;
  sorted.reserve(params.size());
  size_t size = 0;
  for (const auto& param : params) {
    sorted.push_back(&param);
    size += param.first.size() + param.second.size();
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a < *b; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a == *b; }),
               sorted.end());
  std::string out;
  out.reserve(size);
  for (const auto* param : sorted) {
    out += param->first;
    out += param->second;
  }
  return out;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// An HMAC-SHA1 context keyed with `key`, ready for data. Keying fetches the algorithms, which
// costs more than the MAC of a webhook: each thread keys a context once per auth token and
// copies it for every signature.
MacCtx KeyedHmacSha1(std::string_view key) {
  thread_local std::map<std::string, MacCtx, std::less<>> keyed;
  auto it = keyed.find(key);
  if (it == keyed.end()) {
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    MacCtx ctx(EVP_MAC_CTX_new(hmac));
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (!ctx || EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()),
                             key.size(), params) != 1) {
      return nullptr;
    }
    if (keyed.size() >= 64) keyed.clear();  // bounded: tokens are few, but never grow forever
    it = keyed.emplace(std::string(key), std::move(ctx)).first;
  }
  return MacCtx(EVP_MAC_CTX_dup(it->second.get()));
}

// base64(HMAC-SHA1(auth_token, url + signed_params)); "" if OpenSSL fails.
std::string Sign(std::string_view auth_token, std::string_view url,
                 std::string_view signed_params) {
  MacCtx ctx = KeyedHmacSha1(auth_token);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_size = 0;
  if (!ctx ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(url.data()), url.size()) !=
          1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(signed_params.data()),
                     signed_params.size()) != 1 ||
      EVP_MAC_final(ctx.get(), mac, &mac_size, sizeof mac) != 1) {
    return std::string();
  }
  return Base64(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

bool MatchesAnyVariant(std::string_view auth_token, std::string_view url, const FormParams& params,
                       std::string_view header) {
  if (auth_token.empty() || header.empty()) return false;
  const std::string signed_params = SignedParams(params);
  bool valid = false;
  // Check every variant so the time taken does not depend on which one matched.
  for (const std::string& variant : UrlVariants(url)) {
    const std::string expected = Sign(auth_token, variant, signed_params);
    valid |= !expected.empty() && ConstantTimeEquals(expected, header);
  }
  return valid;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string ComputeTwilioSignature(std::string_view auth_token, std::string_view url,
                                   const FormParams& params) {
  UrlParts parts = SplitUrl(url);
  return Sign(auth_token, JoinUrl(parts, parts.port), SignedParams(params));
}

bool ValidateTwilioSignature(std::string_view auth_token, std::string_view url,
                             const FormParams& params, std::string_view header) {
  return MatchesAnyVariant(auth_token, url, params, header);
}

bool ValidateTwilioJsonSignature(std::string_view auth_token, std::string_view url_with_query,
                                 std::string_view raw_body, std::string_view header) {
  std::string_view no_fragment = url_with_query.substr(0, url_with_query.find('#'));
  size_t question = no_fragment.find('?');
  if (question == std::string_view::npos) return false;
  Result<FormParams> query = ParseForm(no_fragment.substr(question + 1));
  if (!query.ok()) return false;
  const std::string* claimed = nullptr;
  for (const auto& [name, value] : *query) {
    if (name == "bodySHA256") claimed = &value;
  }
  if (claimed == nullptr) return false;
  bool body_ok = ConstantTimeEquals(Sha256Hex(raw_body), *claimed);
  bool signature_ok = MatchesAnyVariant(auth_token, url_with_query, {}, header);
  return body_ok && signature_ok;
}

}  // namespace bot
