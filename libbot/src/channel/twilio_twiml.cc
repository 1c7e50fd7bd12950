// TwiML replies for the inbound-message webhook.
#include <string>
#include <vector>

#include "bot/twilio.h"

namespace bot {
namespace {

void AppendXmlEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out->push_back(c);
        break;
      default:
        // Other control characters are not allowed in XML 1.0 at all, even escaped.
        if (static_cast<unsigned char>(c) >= 0x20) out->push_back(c);
    }
  }
}

}  // namespace

std::string RenderTwiml(const std::vector<std::string>& replies) {
  // No whitespace before the declaration: a leading blank line is Twilio error 12100.
  std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?><Response>)";
  for (const std::string& reply : replies) {
    xml += "<Message>";
    AppendXmlEscaped(reply, &xml);
    xml += "</Message>";
  }
  xml += "</Response>";
  return xml;
}

}  // namespace bot
