// The "bureau" check: the applicant's credit score from the BureauProvider, with the raw report
// sealed (AES-256-GCM) before it reaches the store.
#include "engine/checks.h"

#include "bot/credit.h"
#include "engine/documents.h"

namespace bot {

std::vector<std::pair<std::string, SlotType>> CheckSlots(std::string_view check) {
  if (check == "bureau") return {{"bureau_score", SlotType::kInteger}, {"bureau_error", SlotType::kText}};
  return {};
}

namespace engine {
namespace {

// The text of the field `field` of the dialog's first document slot of `kind`.
std::string DocumentField(const Dialog& dialog, const Session& session, std::string_view kind,
                          const std::string& field) {
  for (const SlotSpec& slot : dialog.slots) {
    if (slot.type != SlotType::kDocument || slot.document != kind) continue;
    auto it = session.slots.find(slot.name + "_" + field);
    if (it != session.slots.end()) return it->second.ToString();
  }
  return "";
}

CheckOutcome Failed(std::string error, std::string note) {
  CheckOutcome outcome;
  outcome.result.check = "bureau";
  outcome.result.slots["bureau_error"] = Value::Text(std::move(error));
  outcome.note = std::move(note);
  return outcome;
}

// The outcome of the bureau's answer: the score, and the raw report sealed when a key is set.
CheckOutcome BureauOutcome(Result<BureauReport> report, const DataKeys* data_keys) {
  if (!report.ok()) {
    const bool no_record = report.status().code() == StatusCode::kNotFound;
    return Failed(no_record ? "no_record" : "unavailable", report.status().ToString());
  }
  CheckOutcome outcome;
  outcome.result.check = "bureau";
  outcome.result.slots["bureau_score"] = Value::Int(report->score);
  if (data_keys == nullptr || data_keys->active_id.empty()) {
    outcome.note = "raw bureau report not kept: no data key (BOT_DATA_KEYS)";
    return outcome;
  }
  const DataKeys& keys = *data_keys;
  Result<std::string> blob =
      Seal(keys.active_id, keys.keys.at(keys.active_id), report->raw_body);
  if (!blob.ok()) {
    outcome.note = "raw bureau report not kept: " + blob.status().ToString();
    return outcome;
  }
  outcome.report = SealedReport{"bureau", keys.active_id, std::move(*blob),
                                "score=" + std::to_string(report->score)};
  return outcome;
}

void RunBureau(const Dialog& dialog, const Session& session, const BotProviders& providers,
               std::function<void(CheckOutcome)> done) {
  if (providers.bureau == nullptr) {
    done(Failed("unavailable", "no bureau configured"));
    return;
  }
  BureauRequest request;
  request.full_name = DocumentField(dialog, session, "ine", "full_name");
  request.curp = DocumentField(dialog, session, "ine", "curp");
  request.address = DocumentField(dialog, session, "proof_of_address", "address");
  std::string birth = DocumentField(dialog, session, "ine", "birth_date");
  request.birth_date = ParseDocumentDate(birth, false, {});
  if (request.curp.empty() || !request.birth_date.ok()) {
    done(Failed("unavailable", "the session has no ID card data for the bureau"));
    return;
  }
  providers.bureau->CheckAsync(
      request, [keys = providers.data_keys, done = std::move(done)](Result<BureauReport> report) {
        done(BureauOutcome(std::move(report), keys));
      });
}

}  // namespace

void RunCheckAsync(const std::string& check, const Dialog& dialog, const Session& session,
                   const BotProviders& providers, std::function<void(CheckOutcome)> done) {
  if (check == "bureau") {
    RunBureau(dialog, session, providers, std::move(done));
    return;
  }
  CheckOutcome unknown;  // validation rejects unknown checks; a C++-built dialog may not
  unknown.result.check = check;
  unknown.note = "unknown check '" + check + "'";
  done(std::move(unknown));
}

}  // namespace engine
}  // namespace bot
