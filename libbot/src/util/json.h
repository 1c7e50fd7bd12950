// Small JSON helpers shared by the value and store code: string escaping for hand-written JSON,
// and a parse entry point that gives simdjson the padding it needs without copying when it can.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace bot::json {

// Appends `s` to `out` as a quoted JSON string: quotes, backslashes and control characters are
// escaped; other bytes (UTF-8 included) pass through unchanged.
void AppendString(std::string* out, std::string_view s);

// A parser and the padded copy of the input it may need. Strings read from a document live only
// as long as this object: copy them out before it goes away.
class Reader {
 public:
  // Starts iterating `json`. Returns false (and leaves the document unusable) on a bad start.
  bool Start(const std::string& json);
  simdjson::ondemand::document& doc() { return doc_; }

 private:
  simdjson::ondemand::parser parser_;
  simdjson::padded_string padded_;
  simdjson::ondemand::document doc_;
};

}  // namespace bot::json
