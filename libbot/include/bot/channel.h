// Sending through a messaging channel (Twilio's REST API in production, a fake in tests).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace bot {

struct SendRequest {
  std::string account;            // which configured account sends (Twilio AccountSid)
  std::string from;               // the bot's address, "whatsapp:+14155238886"
  std::string to;                 // the user's address
  std::string text;               // at most 1600 characters; empty when a template is sent
  std::string content_sid;        // template (outside the 24 h window): Twilio ContentSid
  std::string content_variables;  // template variables as a JSON object string
  std::string status_callback;    // URL for delivery status callbacks; may be empty
};

struct SendOutcome {
  enum class Kind {
    kSent,       // accepted by the provider; provider_id set
    kRetry,      // 429, 5xx, network error: try again later (retry_after if the peer said)
    kPermanent,  // will never succeed (21211, 21610, 63003, 63016 ...): error_code set
  };
  Kind kind = Kind::kRetry;
  std::string provider_id;  // Twilio's "SM..." sid
  std::string status;       // provider status on acceptance ("queued")
  std::string error_code;   // provider error code, e.g. "21211"
  std::string error;        // human-readable
  int http_status = 0;
  std::optional<std::chrono::milliseconds> retry_after;
};

// Sends messages. Implementations are thread-safe.
class ChannelSender {
 public:
  using Callback = std::function<void(SendOutcome)>;
  virtual ~ChannelSender() = default;

  // Starts sending `request`; `done` runs exactly once with the outcome, possibly on another
  // thread, possibly before Send returns. It must not block for long: it may run on the thread
  // that carries every send in flight.
  virtual void Send(SendRequest request, Callback done) = 0;

  // Sends and waits for the outcome (until the implementation's timeout).
  SendOutcome SendAndWait(SendRequest request);
};

}  // namespace bot
