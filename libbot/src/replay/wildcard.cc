#include "replay/wildcard.h"

#include <vector>

namespace bot::replay {
namespace {

// Splits a pattern at its unescaped stars; "\*" becomes a literal star in its piece.
std::vector<std::string> SplitAtStars(std::string_view pattern) {
  std::vector<std::string> pieces(1);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
      pieces.back() += '*';
      ++i;
    } else if (pattern[i] == '*') {
      pieces.emplace_back();
    } else {
      pieces.back() += pattern[i];
    }
  }
  return pieces;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  std::vector<std::string> pieces = SplitAtStars(pattern);
  if (pieces.size() == 1) return pieces[0] == text;
  // With stars between the pieces, the first piece anchors the start and the last the end;
  // the middle ones only need to appear in order, and the leftmost match never hurts.
  const std::string& first = pieces.front();
  const std::string& last = pieces.back();
  if (text.size() < first.size() + last.size()) return false;
  if (text.substr(0, first.size()) != first) return false;
  if (text.substr(text.size() - last.size()) != last) return false;
  std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
  size_t pos = 0;
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    size_t found = middle.find(pieces[i], pos);
    if (found == std::string_view::npos) return false;
    pos = found + pieces[i].size();
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

std::string NormalizeLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(Trim(text.substr(start, nl - start)));
    start = nl + 1;
  }
  size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  size_t last = lines.size();
  while (last > first && lines[last - 1].empty()) --last;
  std::string out;
  for (size_t i = first; i < last; ++i) {
    if (i > first) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace bot::replay
