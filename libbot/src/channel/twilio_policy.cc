// What to do after a failed send (error classes, backoff) and how to read a status callback.
#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "bot/twilio.h"

namespace bot {
namespace {

// Codes whose retry would fail the same way, from Twilio's error dictionary
// (www.twilio.com/docs/api/errors).
constexpr std::array<std::string_view, 21> kPermanentCodes = {
    "20003",  // authentication failed
    "20404",  // resource not found (wrong AccountSid)
    "21211",  // invalid 'To' number
    "21408",  // permission to send to this region not enabled
    "21602",  // body required
    "21603",  // 'From' required
    "21604",  // 'To' required
    "21606",  // 'From' is not a valid sender for this account
    "21610",  // recipient replied STOP
    "21612",  // 'To' not reachable from this 'From'
    "21614",  // 'To' is not a mobile number
    "21617",  // body longer than 1600 characters
    "21656",  // invalid ContentVariables
    "21658",  // parameter too long
    "63003",  // 'To' is not a WhatsApp user
    "63007",  // no WhatsApp sender for this 'From'
    "63014",  // blocked by the user
    "63016",  // free-form message outside the 24 h window
    "63024",  // invalid message recipient
    "63051",  // WhatsApp sender locked
    "63112",  // WhatsApp business account disabled
};

// Rate limits: the same request succeeds once the limit resets.
constexpr std::array<std::string_view, 4> kRetryableCodes = {
    "20429",  // too many concurrent REST requests
    "63017",  // account over its messages-per-second limit
    "63018",  // sender rate limit (WhatsApp 429/471/1015)
    "63038",  // daily message limit reached; resets the next day
};

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace

bool IsPermanentTwilioError(std::string_view code) {
  return std::find(kPermanentCodes.begin(), kPermanentCodes.end(), code) != kPermanentCodes.end();
}

bool IsRetryableTwilioError(std::string_view code) {
  return std::find(kRetryableCodes.begin(), kRetryableCodes.end(), code) != kRetryableCodes.end();
}

std::chrono::milliseconds BackoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap, double uniform01) {
  if (base.count() <= 0 || cap.count() <= 0) return std::chrono::milliseconds(0);
  attempt = std::clamp(attempt, 0, 62);
  // base·2^attempt, computed in double so a large attempt saturates at the cap, not overflows.
  double ceiling = std::min(static_cast<double>(cap.count()),
                            static_cast<double>(base.count()) * std::ldexp(1.0, attempt));
  double u = std::clamp(uniform01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(std::floor(ceiling * u)));
}

Result<TwilioStatusCallback> ParseTwilioStatusCallback(const FormParams& params) {
  TwilioStatusCallback callback;
  if (const std::string* sid = FindParam(params, "MessageSid")) callback.message_sid = *sid;
  if (const std::string* status = FindParam(params, "MessageStatus")) {
    callback.message_status = *status;
  } else if (const std::string* sms_status = FindParam(params, "SmsStatus")) {
    callback.message_status = *sms_status;
  }
  if (const std::string* code = FindParam(params, "ErrorCode")) callback.error_code = *code;
  if (callback.message_sid.empty()) return InvalidArgument("status callback without MessageSid");
  if (callback.message_status.empty()) {
    return InvalidArgument("status callback without MessageStatus");
  }
  return callback;
}

}  // namespace bot
