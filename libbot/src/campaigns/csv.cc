// RFC 4180 CSV, as spreadsheets export it (quoted fields, CRLF, a UTF-8 byte-order mark).
#include <string>

#include "bot/campaigns.h"

namespace bot {

Result<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field was quoted (and is closed)
  bool any = false;         // the current record has content
  const auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  const auto end_record = [&] {
    end_field();
    // A blank line is one empty field: skipped.
    if (any) rows.push_back(std::move(row));
    row = CsvRow();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF: at the LF
    if (c == '\n' || c == '\r') {
      end_record();
      ++line;
      row.line = line;
      continue;
    }
    if (c == ',') {
      end_field();
      any = true;
      continue;
    }
    if (was_quoted) {
      return InvalidArgument("line " + std::to_string(line) +
                             ": text after a closing quote (a quote inside a field is written "
                             "\"\")");
    }
    if (c == '"') {
      if (!field.empty()) {
        return InvalidArgument("line " + std::to_string(line) +
                               ": a quote inside an unquoted field (quote the whole field)");
      }
      quoted = true;
      any = true;
      continue;
    }
    field += c;
    any = true;
  }
  if (quoted) {
    return InvalidArgument("line " + std::to_string(row.line) + ": a quoted field is never closed");
  }
  end_record();
  return rows;
}

}  // namespace bot
