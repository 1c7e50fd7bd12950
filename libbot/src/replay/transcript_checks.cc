#include "replay/transcript_checks.h"

#include <string>

#include "replay/directive_args.h"

namespace bot::replay {
namespace {

constexpr std::string_view kStatuses[] = {"active", "done", "opted_out", "handoff", "expired"};

// The checks of what the store holds for the contact: a matching item, or how many.
struct StoreCheck {
  std::string_view word;
  Check::Kind kind;
  const char* what;
  bool counts;  // "<kind> <n>" rather than "<kind> <field>=<value> ..."
};
constexpr StoreCheck kStoreChecks[] = {
    {"RECORD", Check::Kind::kRecord, "record", false},
    {"RECORDS", Check::Kind::kRecords, "record", true},
    {"DOCUMENT", Check::Kind::kDocument, "document", false},
    {"DOCUMENTS", Check::Kind::kDocuments, "document", true},
    {"REPORT", Check::Kind::kReport, "report", false},
    {"REPORTS", Check::Kind::kReports, "report", true},
};

const StoreCheck* FindStoreCheck(std::string_view word) {
  for (const StoreCheck& c : kStoreChecks) {
    if (c.word == word) return &c;
  }
  return nullptr;
}

}  // namespace

bool IsCheckWord(std::string_view word) {
  return word == "NO_REPLY" || word == "SLOT" || word == "STATE" || word == "STATUS" ||
         word == "CONTACT_NAME" || FindStoreCheck(word) != nullptr;
}

Result<Check> ParseCheck(std::string_view word, std::string_view rest, int line) {
  Check check;
  check.line = line;
  if (word == "NO_REPLY") {
    if (!rest.empty()) return InvalidArgument("NO_REPLY takes no argument");
    check.kind = Check::Kind::kNoReply;
  } else if (word == "SLOT") {
    std::string_view name, value;
    SplitWord(rest, &name, &value);
    if (!IsIdentifier(name) || value.empty()) {
      return InvalidArgument("SLOT needs a slot name and a value ('-' = unset)");
    }
    check.kind = Check::Kind::kSlot;
    check.name = std::string(name);
    check.expected = Unquote(value);
  } else if (word == "STATE") {
    if (!IsIdentifier(rest)) return InvalidArgument("STATE needs a state name");
    check.kind = Check::Kind::kState;
    check.expected = std::string(rest);
  } else if (word == "STATUS") {
    bool known = false;
    for (std::string_view s : kStatuses) known = known || s == rest;
    if (!known) {
      return InvalidArgument("STATUS must be active, done, opted_out, handoff or expired; got '" +
                             std::string(rest) + "'");
    }
    check.kind = Check::Kind::kStatus;
    check.expected = std::string(rest);
  } else if (const StoreCheck* store = FindStoreCheck(word)) {
    std::string_view kind, tail;
    SplitWord(rest, &kind, &tail);
    check.name = std::string(kind);
    if (!store->counts) {
      if (!IsIdentifier(kind))
        return InvalidArgument(std::string(word) + " needs a " + store->what + " kind");
      std::string error;
      if (!ParseFields(tail, &check.fields, &error)) {
        return InvalidArgument(std::string(word) + ": " + error);
      }
    } else {
      if (!IsIdentifier(kind) || tail.empty() || tail.size() > 6 ||
          tail.find_first_not_of("0123456789") != std::string_view::npos) {
        return InvalidArgument(std::string(word) + " needs a " + store->what + " kind and a count");
      }
      check.count = std::stoi(std::string(tail));
    }
    check.kind = store->kind;
  } else if (word == "CONTACT_NAME") {
    if (rest.empty()) return InvalidArgument("CONTACT_NAME needs a name ('-' = none)");
    check.kind = Check::Kind::kContactName;
    check.expected = Unquote(rest);
  } else {
    return InvalidArgument("unknown check '" + std::string(word) + "'");
  }
  return check;
}

}  // namespace bot::replay
