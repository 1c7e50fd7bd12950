// Document kinds: what OCR reads from a photo that answers a document slot, and the checks a
// reading must pass. Pure: the same reading on the same day always gives the same verdict.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "bot/providers.h"
#include "bot/session.h"

namespace bot::engine {

struct DocumentKind {
  std::string name;                  // "ine"
  std::vector<SchemaField> fields;   // what OCR extracts (strings, nullable)
  std::vector<std::string> reasons;  // why a reading can be refused; "<slot>_<reason>" prompts
  std::string instruction;           // what the vision model is told
};

const DocumentKind* FindDocumentKind(std::string_view name);

// The request schema for a kind: its fields, every one a nullable string.
ExtractionSchema DocumentSchema(const DocumentKind& kind);

// A reading checked against its kind. `reason` is "" when accepted; then `fields` holds the
// normalised values (dates as YYYY-MM-DD, CURP upper case) that fill "<slot>_<field>".
struct DocumentVerdict {
  std::string reason;
  std::map<std::string, std::string> fields;
};

// Below this confidence a field counts as not read (a blurry photo).
constexpr double kMinFieldConfidence = 0.6;

DocumentVerdict CheckDocument(const DocumentKind& kind, const DocumentReading& reading,
                              std::string_view contact_name, std::chrono::year_month_day today);

// "2029", "2019-2029", "12/2029" (valid through the end of that year or month) and every date
// ParseDate understands, as a date; !ok() when none.
std::chrono::year_month_day ParseDocumentDate(std::string_view text, bool end_of_period,
                                              std::chrono::year_month_day today);

}  // namespace bot::engine
