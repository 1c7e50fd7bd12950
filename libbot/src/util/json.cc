#include "util/json.h"

namespace bot::json {

void AppendString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    // Copy the run of bytes that needed no escaping in one go: most text has none.
    out->append(s.data() + plain_start, i - plain_start);
    plain_start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(s.data() + plain_start, s.size() - plain_start);
  out->push_back('"');
}

bool Reader::Start(const std::string& json) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; reuse the string's own spare
  // capacity when it has enough, else pay for one padded copy.
  if (json.capacity() - json.size() >= simdjson::SIMDJSON_PADDING) {
    return parser_.iterate(json).get(doc_) == simdjson::SUCCESS;
  }
  padded_ = simdjson::padded_string(json);
  return parser_.iterate(padded_).get(doc_) == simdjson::SUCCESS;
}

}  // namespace bot::json
