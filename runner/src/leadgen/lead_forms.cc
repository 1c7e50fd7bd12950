#include "leadgen/lead_forms.h"

#include <simdjson.h>

#include "bot/text.h"
#include "bot/twilio.h"  // ParseForm
#include "bot/understand.h"
#include "bot/webhooks.h"
#include "server/webhook_handler.h"

namespace runner {
namespace {

// A JSON id as text: Meta sends numbers or strings; 64-bit ids must stay exact.
std::string IdText(simdjson::dom::element value) {
  std::string_view s;
  if (!value.get(s)) return std::string(s);
  uint64_t u = 0;
  if (!value.get(u)) return std::to_string(u);
  int64_t i = 0;
  if (!value.get(i)) return std::to_string(i);
  return "";
}

// A form field's key as a variable name: lower case [a-z0-9_], at most 40 characters.
std::string VarName(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (out.size() >= 40) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out = "f_" + out;
  return out;
}

}  // namespace

LeadForms::LeadForms(const RunnerConfig* config, bot::SqliteLeadInbox* inbox, bot::HttpClient* http,
                     bot::Bot* bot, WorkQueue* queue, const bot::Clock* clock, const Logger* log,
                     std::function<void()> wake_outbox)
    : config_(config),
      leadgen_(*config->meta_leadgen),
      inbox_(inbox),
      bot_(bot),
      queue_(queue),
      clock_(clock),
      log_(log),
      wake_outbox_(std::move(wake_outbox)) {
  bot::RetryOptions retry;
  retry.max_attempts = 4;
  retry.base_delay = std::chrono::milliseconds(200);
  graph_ = std::make_unique<bot::HttpRetrier>(http, clock, retry);
}

LeadForms::~LeadForms() = default;

std::pair<int, std::string> LeadForms::Verify(std::string_view query) const {
  bot::Result<bot::FormParams> params = bot::ParseForm(query);
  if (!params.ok()) return {400, "bad query\n"};
  std::string mode, token, challenge;
  for (const auto& [key, value] : *params) {
    if (key == "hub.mode") mode = value;
    if (key == "hub.verify_token") token = value;
    if (key == "hub.challenge") challenge = value;
  }
  if (mode != "subscribe" || token.empty() || token != leadgen_.verify_token) {
    log_->Warn("leadgen: subscription handshake refused (wrong hub.mode or hub.verify_token)");
    return {403, "forbidden\n"};
  }
  return {200, challenge};
}

std::pair<int, std::string> LeadForms::Notify(const std::string& body, std::string_view signature) {
  if (!bot::VerifyMetaSignature(leadgen_.app_secret, signature, body)) {
    log_->Warn("leadgen: bad or missing X-Hub-Signature-256 ({} bytes): 401", body.size());
    return {401, "invalid signature\n"};
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array entries;
  if (parser.parse(body).get(root) || root["entry"].get(entries)) {
    return {400, "not a leadgen notification\n"};
  }
  std::vector<bot::LeadNotification> fresh;
  for (simdjson::dom::element entry : entries) {
    simdjson::dom::array changes;
    if (entry["changes"].get(changes)) continue;
    for (simdjson::dom::element change : changes) {
      std::string_view field;
      simdjson::dom::element value;
      if (change["field"].get(field) || field != "leadgen" || change["value"].get(value)) continue;
      bot::LeadNotification lead;
      simdjson::dom::element id;
      if (!value["leadgen_id"].get(id)) lead.leadgen_id = IdText(id);
      if (!value["page_id"].get(id)) lead.page_id = IdText(id);
      if (!value["form_id"].get(id)) lead.form_id = IdText(id);
      if (!value["ad_id"].get(id)) lead.ad_id = IdText(id);
      if (lead.leadgen_id.empty()) continue;
      lead.received_at = clock_->Now();
      bot::Result<bool> added = inbox_->Accept(lead);
      if (!added.ok()) {
        log_->Error("leadgen {}: not stored: {}", lead.leadgen_id, added.status().ToString());
        return {500, "error\n"};  // Meta retries
      }
      if (*added) fresh.push_back(std::move(lead));
    }
  }
  for (bot::LeadNotification& lead : fresh) Fetch(std::move(lead));
  return {200, "ok\n"};
}

void LeadForms::Recover() {
  bot::Result<std::vector<bot::LeadNotification>> pending = inbox_->Pending();
  if (!pending.ok()) {
    log_->Error("leadgen: recovery: {}", pending.status().ToString());
    return;
  }
  if (!pending->empty()) {
    log_->Info("leadgen: {} accepted lead(s) were not started; fetching them now", pending->size());
  }
  for (bot::LeadNotification& lead : *pending) Fetch(std::move(lead));
}

void LeadForms::Finish(const bot::LeadNotification& lead, std::string_view status,
                       std::string_view why) {
  bot::Status s = inbox_->Finish(lead.leadgen_id, status, why, clock_->Now());
  if (!s.ok()) log_->Error("leadgen {}: {}", lead.leadgen_id, s.ToString());
}

namespace {
// All the attempts of one fetch from the Graph API; also what Stop() may wait.
constexpr std::chrono::seconds kFetchDeadline{20};
}  // namespace

void LeadForms::Stop() {
  stopping_ = true;
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return in_flight_ == 0; });
}

void LeadForms::Fetch(bot::LeadNotification lead) {
  auto page = leadgen_.pages.find(lead.page_id);
  if (page == leadgen_.pages.end()) {
    log_->Warn("leadgen {}: page {} is not configured: ignored", lead.leadgen_id, lead.page_id);
    Finish(lead, "ignored", "page " + lead.page_id + " is not configured");
    return;
  }
  bot::HttpRequest request;
  request.url = leadgen_.graph_base_url + "/" + lead.leadgen_id;
  request.headers = {{"Authorization", "Bearer " + leadgen_.access_token}};
  request.timeout = std::chrono::milliseconds(10000);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++in_flight_;
  }
  graph_->CallAsync(std::move(request), clock_->Now() + kFetchDeadline,
                    [this, lead](bot::Result<bot::HttpResponse> response) {
                      // Counted down when this callback is done with `this`.
                      struct Done {
                        LeadForms* self;
                        ~Done() {
                          std::lock_guard<std::mutex> lock(self->mu_);
                          if (--self->in_flight_ == 0) self->idle_.notify_all();
                        }
                      } done{this};
                      if (stopping_) return;  // still accepted: the next start fetches it
                      if (!response.ok() || response->status != 200) {
                        const std::string why = !response.ok()
                                                    ? response.status().ToString()
                                                    : "Graph API answered " +
                                                          std::to_string(response->status) + ": " +
                                                          response->body.substr(0, 200);
                        log_->Warn("leadgen {}: not fetched: {}", lead.leadgen_id, why);
                        Finish(lead, "failed", why);
                        return;
                      }
                      Start(lead, response->body);
                    });
}

bot::Result<LeadForms::LeadFields> LeadForms::ReadLead(const std::string& graph_body,
                                                       std::string_view region) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array fields;
  if (parser.parse(graph_body).get(root) || root["field_data"].get(fields)) {
    return bot::BadResponse("the Graph API answer has no field_data");
  }
  LeadFields out;
  std::string first, last;
  for (simdjson::dom::element field : fields) {
    std::string_view name, value;
    simdjson::dom::array values;
    if (field["name"].get(name) || field["values"].get(values) || values.size() == 0 ||
        values.at(0).get(value)) {
      continue;
    }
    const std::string key = VarName(name);
    std::string text(value.substr(0, 500));
    if (!bot::IsValidUtf8(text)) continue;
    if (key == "phone_number" || key == "phone") {
      bot::ParseResult phone = bot::ParsePhone(text, region);
      if (phone.ok) out.address = "whatsapp:" + phone.value.text();
    } else if (key == "full_name") {
      out.vars["name"] = text;
    } else if (key == "first_name") {
      first = text;
    } else if (key == "last_name") {
      last = text;
    } else if (!key.empty()) {
      out.vars[key] = text;
    }
  }
  if (!out.vars.contains("name") && !first.empty()) {
    out.vars["name"] = last.empty() ? first : first + " " + last;
  }
  return out;
}

bool LeadForms::StartedBefore(const std::string& number, const std::string& address,
                              const std::string& leadgen_id) {
  bot::Result<std::optional<bot::Contact>> contact = bot_->store().FindContact(number, address);
  if (!contact.ok() || !contact->has_value()) return false;
  bot::Result<std::optional<bot::Session>> session = bot_->store().LatestSession((*contact)->id);
  if (!session.ok() || !session->has_value()) return false;
  auto it = (*session)->vars.find("leadgen_id");
  return it != (*session)->vars.end() && it->second == leadgen_id;
}

void LeadForms::Start(const bot::LeadNotification& lead, const std::string& graph_body) {
  const LeadPageConfig& page = leadgen_.pages.at(lead.page_id);
  bot::Result<LeadFields> fields = ReadLead(graph_body, page.region);
  if (!fields.ok()) {
    Finish(lead, "failed", fields.status().message());
    return;
  }
  if (fields->address.empty()) {
    log_->Warn("leadgen {}: the form has no valid phone number: not started", lead.leadgen_id);
    Finish(lead, "failed", "no valid phone_number in the form");
    return;
  }
  bot::VarMap vars;
  if (const NumberConfig* number = config_->FindNumber(page.number)) vars = number->vars;
  for (auto& [k, v] : fields->vars) vars[k] = v;
  vars["leadgen_id"] = lead.leadgen_id;
  if (!lead.form_id.empty()) vars["form_id"] = lead.form_id;
  if (!lead.ad_id.empty()) vars["ad_id"] = lead.ad_id;
  const std::string address = fields->address;
  // In the conversation's turn lane: after anything the lead already wrote, before what it
  // writes next.
  queue_->Submit(WebhookHandler::TurnLane(page.number, address), [this, lead, page, address,
                                                                  vars = std::move(vars)] {
    // A crash after the start but before it was marked: started already.
    if (StartedBefore(page.number, address, lead.leadgen_id)) {
      Finish(lead, "started", "");
      return;
    }
    bot::Result<bot::TurnResult> started = bot_->Start(page.number, address, page.dialog, vars);
    if (!started.ok()) {
      log_->Warn("leadgen {}: conversation with {} not started: {}", lead.leadgen_id,
                 MaskAddress(address), started.status().ToString());
      Finish(lead, "failed", started.status().message());
      return;
    }
    log_->Info("leadgen {}: conversation started with {}", lead.leadgen_id, MaskAddress(address));
    Finish(lead, "started", "");
    if (wake_outbox_) wake_outbox_();
  });
}

}  // namespace runner
