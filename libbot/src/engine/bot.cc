// Bot: the I/O around the pure step. Load -> Step -> split replies -> commit, once per message.
#include "bot/bot.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "bot/providers.h"
#include "bot/text.h"
#include "bot/twilio.h"  // Sha256Hex
#include "engine/checks.h"
#include "engine/documents.h"
#include "engine/slot_parser.h"

namespace bot {

Bot::Bot(std::shared_ptr<const DialogSet> dialogs, Store* store, const Clock* clock,
         BotOptions options)
    : dialogs_(std::move(dialogs)), store_(store), clock_(clock), options_(options) {}

void Bot::SetDialogs(std::shared_ptr<const DialogSet> dialogs) {
  std::lock_guard<std::mutex> lock(mu_);
  dialogs_ = std::move(dialogs);
}

std::shared_ptr<const DialogSet> Bot::dialogs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dialogs_;
}

Result<Accepted> Bot::Accept(const InboundMessage& message) {
  if (message.channel.empty() || message.from.empty() || message.provider_id.empty()) {
    return InvalidArgument("inbound message needs channel, from and provider_id");
  }
  return store_->AcceptInbound(message);
}

Result<TurnResult> Bot::Process(int64_t message_id, ReplyMode mode) {
  Result<TurnContext> ctx = store_->LoadTurn(message_id);
  if (!ctx.ok()) return ctx.status();
  if (ctx->processed) {
    TurnResult dup;
    dup.duplicate = true;
    return dup;
  }
  std::shared_ptr<const DialogSet> set = dialogs();
  // A live session keeps its own dialog even if the channel now maps to another one.
  std::string dialog_id = ctx->message.dialog_id;
  if (ctx->session && ctx->session->status == SessionStatus::kActive &&
      set->Find(ctx->session->dialog_id) != nullptr) {
    dialog_id = ctx->session->dialog_id;
  }
  std::shared_ptr<const Dialog> dialog = set->Find(dialog_id);
  if (!dialog) return NotFound("no dialog '" + dialog_id + "' for channel " + ctx->message.channel);

  TurnInput input;
  input.kind = TurnInput::Kind::kMessage;
  input.text = ctx->message.text;
  input.media = ctx->message.media;
  input.message_id = ctx->message.provider_id;
  input.vars = ctx->message.vars;
  input.now = clock_->Now();
  input.providers = CallProviders(*dialog, *ctx, input.now);
  return Commit(*dialog, std::move(ctx->contact), ctx->session, input, message_id, mode);
}

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

// What the LLM is told the answer should look like, per slot type.
const char* AnswerShape(SlotType type) {
  switch (type) {
    case SlotType::kRating:
    case SlotType::kInteger: return "un número entero, escrito con dígitos";
    case SlotType::kYesNo: return "\"sí\" o \"no\"";
    case SlotType::kMoney: return "una cantidad en pesos, solo dígitos (ej. 5000)";
    case SlotType::kDays: return "un número de días, solo dígitos";
    case SlotType::kPhone: return "un número de teléfono";
    case SlotType::kEmail: return "un correo electrónico";
    case SlotType::kDate: return "una fecha DD/MM/AAAA";
    case SlotType::kText: return "el texto tal cual";
    case SlotType::kDocument: return "el documento";  // answered by OCR, never by the LLM
  }
  return "el valor";
}

}  // namespace

ProviderResults Bot::CallProviders(const Dialog& dialog, const TurnContext& ctx, TimePoint now) {
  ProviderResults results;
  const TimePoint deadline = now + options_.provider_deadline;
  const std::string& conversation = ctx.contact.address;
  std::string text = ctx.message.text;
  if (providers_.stt != nullptr && text.empty()) {
    for (const Media& media : ctx.message.media) {
      if (media.content_type.rfind("audio/", 0) != 0 || media.path.empty()) continue;
      SttRequest request;
      request.conversation = conversation;
      request.content_type = media.content_type;
      request.deadline = deadline;
      if (!ReadFile(media.path, &request.audio)) {
        results.provider_failed = true;
        break;
      }
      FlushBeforeProviderCall();
      Result<SttReply> reply = providers_.stt->Transcribe(request);
      if (reply.ok()) {
        results.transcript = reply->text;
        text = reply->text;
      } else {
        results.provider_failed = true;
      }
      break;
    }
  }
  std::optional<PendingAnswer> pending =
      FindPendingAnswer(dialog, ctx.contact, ctx.session, text, now);
  if (pending && pending->slot->type == SlotType::kDocument) {
    ReadDocument(*pending->slot, ctx, deadline, &results);
    return results;
  }
  if (providers_.llm == nullptr || text.empty()) return results;
  if (!pending || !pending->slot->llm_fallback) return results;
  ParseResult parsed = ParseSlotAnswer(*pending->slot, text, now);
  // The parser is sure, or it understood a value the slot does not allow ("25 mil" above the
  // maximum): the LLM cannot help with either.
  if (parsed.ok || parsed.reason == "out_of_range" || parsed.reason == "not_an_option") {
    return results;
  }

  const std::string* system = dialog.FindPrompt("llm_slot_system");
  LlmRequest request;
  request.purpose = "slot:" + pending->slot->name;
  request.conversation = conversation;
  request.deadline = deadline;
  request.max_tokens = 64;
  request.messages.push_back(
      {ChatMessage::Role::kSystem,
       system ? RenderPrompt(*system, {}, {{"question", pending->question},
                                           {"slot", pending->slot->name}})
              : pending->question});
  request.messages.push_back({ChatMessage::Role::kUser, text});
  SchemaField value;
  value.name = "value";
  value.description = AnswerShape(pending->slot->type);
  value.nullable = true;
  request.schema = ExtractionSchema{"slot_" + pending->slot->name, {value}};
  FlushBeforeProviderCall();
  Result<LlmReply> reply = providers_.llm->Complete(request);
  if (!reply.ok()) {
    results.provider_failed = true;
    return results;
  }
  auto it = reply->fields.find("value");
  if (it != reply->fields.end() && !it->second.is_null) results.slot_answer = it->second.text;
  return results;
}

void Bot::FlushBeforeProviderCall() {
  // A failed commit is reported to the writes' own waiters (Store::WhenDurable); this turn's
  // writes come later and are not affected.
  static_cast<void>(store_->Flush());
}

void Bot::ReadDocument(const SlotSpec& slot, const TurnContext& ctx, TimePoint deadline,
                       ProviderResults* results) {
  const engine::DocumentKind* kind = engine::FindDocumentKind(slot.document);
  if (providers_.ocr == nullptr || kind == nullptr) return;
  for (const Media& media : ctx.message.media) {
    const bool readable = media.content_type.rfind("image/", 0) == 0 ||
                          media.content_type == "application/pdf";
    if (!readable || media.path.empty()) continue;
    OcrRequest request;
    request.purpose = "ocr:" + kind->name;
    request.conversation = ctx.contact.address;
    request.content_type = media.content_type;
    request.schema = engine::DocumentSchema(*kind);
    request.instruction = kind->instruction;
    request.deadline = deadline;
    if (!ReadFile(media.path, &request.image)) {
      results->provider_failed = true;
      return;
    }
    FlushBeforeProviderCall();
    Result<OcrReply> reply = providers_.ocr->Read(request);
    if (!reply.ok()) {
      results->provider_failed = true;
      return;
    }
    DocumentReading reading;
    reading.path = media.path;
    reading.sha256 = media.sha256.empty() ? Sha256Hex(request.image) : media.sha256;
    reading.content_type = media.content_type;
    reading.confidence = 1.0;
    for (const auto& [name, value] : reply->fields) {
      if (value.is_null || value.text.empty()) continue;
      reading.fields[name] = value.text;
      reading.confidence = std::min(reading.confidence, value.confidence);
    }
    results->document = std::move(reading);
    return;  // the first document of the message answers
  }
}

Result<TurnResult> Bot::Handle(const InboundMessage& message, ReplyMode mode) {
  Result<Accepted> accepted = Accept(message);
  if (!accepted.ok()) return accepted.status();
  if (accepted->duplicate) {
    TurnResult dup;
    dup.duplicate = true;
    return dup;
  }
  return Process(accepted->message_id, mode);
}

Result<TurnResult> Bot::Start(const std::string& channel, const std::string& address,
                              const std::string& dialog_id, const VarMap& vars, ReplyMode mode) {
  std::shared_ptr<const Dialog> dialog = dialogs()->Find(dialog_id);
  if (!dialog) return NotFound("no dialog '" + dialog_id + "'");
  for (const auto& [name, default_value] : dialog->variables) {
    if (default_value.empty() && !vars.contains(name)) {
      return InvalidArgument("dialog '" + dialog_id + "' needs the variable '" + name + "'");
    }
  }
  Result<Contact> contact = store_->GetOrCreateContact(channel, address);
  if (!contact.ok()) return contact.status();
  if (contact->opted_out) {
    return InvalidArgument(address + " opted out; the bot may not write first");
  }
  Result<std::optional<Session>> current = store_->LatestSession(contact->id);
  if (!current.ok()) return current.status();

  TurnInput input;
  input.kind = TurnInput::Kind::kStart;
  input.vars = vars;
  input.now = clock_->Now();
  return Commit(*dialog, std::move(*contact), *current, input, 0, mode);
}

Result<TurnResult> Bot::Commit(const Dialog& dialog, Contact contact,
                               const std::optional<Session>& current, const TurnInput& input,
                               int64_t inbound_id, ReplyMode mode,
                               std::optional<SealedReport> report, const std::string& note) {
  TurnOutput out = Step(dialog, contact, current, input);
  if (!note.empty()) out.audit.push_back({"check_note", note});

  TurnCommit commit;
  commit.inbound_id = inbound_id;
  commit.now = input.now;
  if (out.opted_out) {
    contact.opted_out = *out.opted_out;
    contact.opted_out_at = contact.opted_out ? std::optional<TimePoint>(input.now) : std::nullopt;
  }
  commit.contact = std::move(contact);
  commit.closed = std::move(out.closed);
  commit.session = std::move(out.session);
  commit.reply_status = mode == ReplyMode::kInline ? "inline" : "pending";
  commit.records = std::move(out.records);
  commit.audit = std::move(out.audit);
  commit.inbound_transcript = input.providers.transcript;
  for (std::string& reply : out.replies) {
    // Bytes >= code points: a reply this short needs no Unicode-aware split.
    if (reply.size() <= options_.max_message_chars) {
      commit.replies.push_back(std::move(reply));
      continue;
    }
    for (std::string& part : SplitForWhatsApp(reply, options_.max_message_chars)) {
      commit.replies.push_back(std::move(part));
    }
  }

  if (out.contact_name) commit.contact.name = *out.contact_name;
  commit.documents = std::move(out.documents);
  if (report) commit.reports.push_back(std::move(*report));

  Result<CommittedTurn> committed = store_->CommitTurn(commit);
  if (!committed.ok()) {
    if (committed.status().code() == StatusCode::kAlreadyExists) {
      TurnResult dup;
      dup.duplicate = true;
      return dup;
    }
    return committed.status();
  }
  TurnResult result;
  result.replies = std::move(commit.replies);
  result.outbound_ids = std::move(committed->outbound_ids);
  if (commit.session) {
    result.session = std::move(commit.session);
    result.session->id = committed->session_id;
  } else {
    result.session = current;
  }
  if (out.check.empty() || !result.session) return result;

  // The turn entered a state with a check: run it now that the turn is safe, and feed its
  // result back as a turn of its own. A crash in between leaves the session waiting in that
  // state; the user's next message runs the check again.
  FlushBeforeProviderCall();
  engine::CheckOutcome outcome = engine::RunCheck(out.check, dialog, *result.session, providers_);
  TurnInput follow;
  follow.kind = TurnInput::Kind::kCheckResult;
  follow.now = clock_->Now();
  follow.providers.check = std::move(outcome.result);
  Result<TurnResult> next = Commit(dialog, std::move(commit.contact), result.session, follow, 0,
                                   mode, std::move(outcome.report), outcome.note);
  if (!next.ok()) return next.status();
  for (std::string& reply : next->replies) result.replies.push_back(std::move(reply));
  for (int64_t id : next->outbound_ids) result.outbound_ids.push_back(id);
  if (next->session) result.session = std::move(next->session);
  return result;
}

Status Bot::ReleaseHandoff(const std::string& channel, const std::string& address) {
  Result<std::optional<Contact>> contact = store_->FindContact(channel, address);
  if (!contact.ok()) return contact.status();
  if (!contact->has_value()) return NotFound("no contact " + address + " on " + channel);
  return store_->ReleaseHandoff((*contact)->id, clock_->Now());
}

}  // namespace bot
