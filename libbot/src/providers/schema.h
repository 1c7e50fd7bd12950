// Schema checks on parsed JSON, shared by the providers that nest an extraction inside a larger
// answer (vision OCR, Anthropic tool input).
#pragma once

#include <simdjson.h>

#include <string>

#include "bot/providers.h"

namespace bot::providers {

// Checks one parsed object against `schema` (see ParseExtraction).
Result<ExtractedFields> ValidateObject(simdjson::dom::element element,
                                       const ExtractionSchema& schema);

// The schema as a JSON object text (RenderJsonSchema) with the field list of `schema`.
void AppendSchema(std::string* out, const ExtractionSchema& schema);

// Parses `json` into `parser`'s document; BadResponse naming `what` when it is not JSON.
Result<simdjson::dom::element> ParseJson(simdjson::dom::parser& parser, std::string_view json,
                                         const std::string& what);

}  // namespace bot::providers
