#include "replay/wildcard.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <vector>

namespace bot::replay {
namespace {

struct ModeName {
  std::string_view name;
  MatchingMode mode;
};
constexpr ModeName kModes[] = {
    {"wildcardExact", MatchingMode::kWildcardExact},
    {"wildcardExactIgnoreCase", MatchingMode::kWildcardExactIgnoreCase},
    {"wildcard", MatchingMode::kWildcard},
    {"wildcardIgnoreCase", MatchingMode::kWildcardIgnoreCase},
};

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

// Do pieces[first, last) appear in `text` in that order, without overlapping? The leftmost
// match of each never hurts the ones after it.
bool InOrder(const std::vector<std::string>& pieces, size_t first, size_t last,
             std::string_view text) {
  size_t pos = 0;
  for (size_t i = first; i < last; ++i) {
    size_t found = text.find(pieces[i], pos);
    if (found == std::string_view::npos) return false;
    pos = found + pieces[i].size();
  }
  return true;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  std::vector<std::string> pieces = SplitAtStars(pattern);
  if (pieces.size() == 1) return pieces[0] == text;
  // With stars between the pieces, the first piece anchors the start and the last the end;
  // the middle ones only need to appear in order.
  const std::string& first = pieces.front();
  const std::string& last = pieces.back();
  if (text.size() < first.size() + last.size()) return false;
  if (text.substr(0, first.size()) != first) return false;
  if (text.substr(text.size() - last.size()) != last) return false;
  std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
  return InOrder(pieces, 1, pieces.size() - 1, middle);
}

bool TextMatches(MatchingMode mode, std::string_view pattern, std::string_view text) {
  switch (mode) {
    case MatchingMode::kWildcardExact:
      return WildcardMatch(pattern, text);
    case MatchingMode::kWildcardExactIgnoreCase:
      return WildcardMatch(FoldCase(pattern), FoldCase(text));
    case MatchingMode::kWildcard: {
      std::vector<std::string> pieces = SplitAtStars(pattern);
      return InOrder(pieces, 0, pieces.size(), text);
    }
    case MatchingMode::kWildcardIgnoreCase: {
      std::vector<std::string> pieces = SplitAtStars(FoldCase(pattern));
      return InOrder(pieces, 0, pieces.size(), FoldCase(text));
    }
  }
  return false;
}

std::string_view MatchingModeName(MatchingMode mode) {
  for (const ModeName& m : kModes) {
    if (m.mode == mode) return m.name;
  }
  return "?";
}

std::string FoldCase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {  // not UTF-8: the bytes stay as they are
      out.append(text.substr(start, i - start));
      continue;
    }
    char buf[U8_MAX_LENGTH];
    int32_t len = 0;
    UBool error = false;
    U8_APPEND(buf, len, U8_MAX_LENGTH, u_foldCase(c, U_FOLD_CASE_DEFAULT), error);
    if (!error) out.append(buf, static_cast<size_t>(len));
  }
  return out;
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

namespace bot {

Result<MatchingMode> ParseMatchingMode(std::string_view name) {
  std::string names;
  for (const replay::ModeName& m : replay::kModes) {
    if (m.name == name) return m.mode;
    names += names.empty() ? "" : ", ";
    names += m.name;
  }
  return InvalidArgument("unknown matching mode '" + std::string(name) + "' (the replay has " +
                         names + ")");
}

}  // namespace bot
