// The argument syntax of transcript directives: a line's first word, identifiers, "quoted"
// values and <field>=<value> lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "replay/transcript_parser.h"

namespace bot::replay {

// The first word of a line and the trimmed rest.
void SplitWord(std::string_view line, std::string_view* word, std::string_view* rest);

// Letters, digits and "_", not starting with a digit.
bool IsIdentifier(std::string_view s);

// A value that may be "double quoted" (with \" and \\ escapes) to hold spaces.
std::string Unquote(std::string_view s);

// "rating=5 feedback=\"muy lento\"" -> fields. False with `error` set on bad syntax.
bool ParseFields(std::string_view s, std::vector<FieldExpectation>* fields, std::string* error);

}  // namespace bot::replay
