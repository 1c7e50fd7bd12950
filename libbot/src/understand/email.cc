// ParseEmail: one address, trimmed, its domain lower-cased. The check is deliberately
// practical (what a clinic can send mail to), not RFC 5322.
#include <string>

#include "bot/understand.h"
#include "understand/parse_util.h"

namespace bot {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsLocalChar(char c) {
  if (IsAsciiAlnum(c)) return true;
  static constexpr std::string_view kAllowed = ".!#$%&'*+/=?^_`{|}~-";
  return kAllowed.find(c) != std::string_view::npos;
}

// Labels of letters, digits and inner hyphens; at least two; a top level of 2+ letters.
bool IsValidDomain(std::string_view domain) {
  size_t labels = 0;
  std::string_view last_label;
  while (!domain.empty()) {
    size_t dot = domain.find('.');
    std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAsciiAlnum(c) && c != '-') return false;
    }
    ++labels;
    last_label = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
    if (domain.empty()) return false;  // trailing dot
  }
  if (labels < 2 || last_label.size() < 2) return false;
  for (char c : last_label) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

}  // namespace

ParseResult ParseEmail(std::string_view text) {
  std::string_view s = understand::TrimSpace(text);
  if (s.empty()) return understand::NotSure("empty");
  // Words around the address are tolerated ("mi correo es a@b.com."), two addresses are not.
  size_t at = s.find('@');
  if (at == std::string_view::npos) return understand::NotSure("not_an_email");
  if (s.find('@', at + 1) != std::string_view::npos) return understand::NotSure("ambiguous");
  size_t begin = s.find_last_of(" \t\n\r", at);
  begin = begin == std::string_view::npos ? 0 : begin + 1;
  size_t end = s.find_first_of(" \t\n\r", at);
  std::string_view candidate = s.substr(begin, end == std::string_view::npos ? s.npos : end - begin);
  while (!candidate.empty() && std::string_view("<(\"'").find(candidate.front()) != s.npos)
    candidate.remove_prefix(1);
  while (!candidate.empty() && std::string_view(">)\"'.,;:!?").find(candidate.back()) != s.npos)
    candidate.remove_suffix(1);

  at = candidate.find('@');
  if (at == std::string_view::npos) return understand::NotSure("not_an_email");
  std::string_view local = candidate.substr(0, at);
  std::string_view domain = candidate.substr(at + 1);
  if (local.empty() || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return understand::NotSure("invalid");
  for (char c : local) {
    if (!IsLocalChar(c)) return understand::NotSure("invalid");
  }
  if (!IsValidDomain(domain)) return understand::NotSure("invalid");

  std::string out(local);
  out.push_back('@');
  for (char c : domain) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return understand::Sure(Value::Text(std::move(out)));
}

}  // namespace bot
