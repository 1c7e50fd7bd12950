#include "replay/directive_args.h"

#include <cctype>

#include "replay/wildcard.h"

namespace bot::replay {

void SplitWord(std::string_view line, std::string_view* word, std::string_view* rest) {
  size_t end = line.find_first_of(" \t");
  if (end == std::string_view::npos) {
    *word = line;
    *rest = {};
  } else {
    *word = line.substr(0, end);
    *rest = Trim(line.substr(end));
  }
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
    out += s[i];
  }
  return out;
}

bool ParseFields(std::string_view s, std::vector<FieldExpectation>* fields, std::string* error) {
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == s.size()) return true;
    size_t start = i;
    bool quoted = false;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\' && quoted && i + 1 < s.size()) {
        ++i;
      } else if (s[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && (s[i] == ' ' || s[i] == '\t')) {
        break;
      }
    }
    std::string_view token = s.substr(start, i - start);
    if (quoted) {
      *error = "unterminated quote in '" + std::string(token) + "'";
      return false;
    }
    size_t eq = token.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      *error = "expected <field>=<value>, got '" + std::string(token) + "'";
      return false;
    }
    fields->push_back({std::string(token.substr(0, eq)), Unquote(token.substr(eq + 1))});
  }
}

}  // namespace bot::replay
