// Signing outgoing webhooks per the Standard Webhooks spec (standardwebhooks.com): what the
// runner's event sinks send, and what a receiver checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bot {

// "v1," + base64(HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)). `secret` is the
// signing secret as shown to users: "whsec_" + base64 (the prefix and the '=' padding are
// optional). "" when the secret is not valid base64.
std::string StandardWebhookSignature(std::string_view secret, std::string_view msg_id,
                                     int64_t timestamp, std::string_view body);

// A receiver's check of the three headers (webhook-id, webhook-timestamp, webhook-signature):
// the timestamp within `tolerance_seconds` of `now_unix`, and some "v1,<sig>" entry of the
// space-separated signature header equal (in constant time) to the expected one.
bool VerifyStandardWebhook(std::string_view secret, std::string_view msg_id,
                           std::string_view timestamp, std::string_view signature_header,
                           std::string_view body, int64_t now_unix,
                           int64_t tolerance_seconds = 300);

// Meta's X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app_secret, body)).
std::string MetaSignature(std::string_view app_secret, std::string_view body);
// Checks a received X-Hub-Signature-256 header in constant time.
bool VerifyMetaSignature(std::string_view app_secret, std::string_view header,
                         std::string_view body);

}  // namespace bot
