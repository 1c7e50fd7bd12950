// Bot: the I/O around the pure step. Load -> provider calls -> Step -> split replies -> commit,
// once per message. A turn waiting for a provider is a Turn object and a callback, not a thread:
// each provider answer comes back through the caller's Executor, which runs the next part.
#include "bot/bot.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
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

// One turn across its asynchronous parts.
struct Bot::Turn {
  std::shared_ptr<const Dialog> dialog;
  Contact contact;
  std::optional<Session> session;
  TurnInput input;
  int64_t inbound_id = 0;
  std::string text;    // the message's text, or its voice note's transcript
  TimePoint deadline;  // for every provider call of the turn
  ReplyModeFn mode;
  Executor executor;
  TurnCallback done;
  TurnResult result;  // what the commits so far gave
};

namespace {

// The executor of the blocking calls: continuations queued here run on the calling thread,
// which waits in Run() until the turn is done.
class LocalLoop {
 public:
  Executor executor() {
    return [this](std::function<void()> job) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        jobs_.push_back(std::move(job));
      }
      cv_.notify_one();
    };
  }
  void Quit() {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return quit_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // Guarded by mu_
  bool quit_ = false;                       // Guarded by mu_
};

// Runs an asynchronous turn to its end on this thread.
template <typename Start>
Result<TurnResult> RunHere(Start start) {
  LocalLoop loop;
  std::optional<Result<TurnResult>> out;
  start(loop.executor(), [&](Result<TurnResult> result) {
    out.emplace(std::move(result));
    loop.Quit();
  });
  loop.Run();
  return std::move(*out);
}

}  // namespace

Result<TurnResult> Bot::Process(int64_t message_id, ReplyMode mode) {
  return RunHere([&](Executor executor, TurnCallback done) {
    ProcessAsync(
        message_id, [mode] { return mode; }, std::move(executor), std::move(done));
  });
}

void Bot::ProcessAsync(int64_t message_id, ReplyModeFn mode, Executor executor, TurnCallback done) {
  Result<TurnContext> ctx = store_->LoadTurn(message_id);
  if (!ctx.ok()) {
    done(ctx.status());
    return;
  }
  if (ctx->processed) {
    TurnResult dup;
    dup.duplicate = true;
    done(std::move(dup));
    return;
  }
  std::shared_ptr<const DialogSet> set = dialogs();
  // A live session keeps its own dialog even if the channel now maps to another one.
  std::string dialog_id = ctx->message.dialog_id;
  if (ctx->session && ctx->session->status == SessionStatus::kActive &&
      set->Find(ctx->session->dialog_id) != nullptr) {
    dialog_id = ctx->session->dialog_id;
  }
  auto turn = std::make_shared<Turn>();
  turn->dialog = set->Find(dialog_id);
  if (!turn->dialog) {
    done(NotFound("no dialog '" + dialog_id + "' for channel " + ctx->message.channel));
    return;
  }
  TurnInput& input = turn->input;
  input.kind = TurnInput::Kind::kMessage;
  input.text = ctx->message.text;
  input.media = std::move(ctx->message.media);
  input.message_id = ctx->message.provider_id;
  input.vars = std::move(ctx->message.vars);
  input.now = clock_->Now();
  turn->contact = std::move(ctx->contact);
  turn->session = std::move(ctx->session);
  turn->inbound_id = message_id;
  turn->text = ctx->message.text;
  turn->deadline = input.now + options_.provider_deadline;
  turn->mode = std::move(mode);
  turn->executor = std::move(executor);
  turn->done = std::move(done);
  CallProviders(turn, [this, turn] { Finish(turn); });
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

void Bot::CallProviders(std::shared_ptr<Turn> turn, std::function<void()> next) {
  ProviderResults& results = turn->input.providers;
  if (providers_.stt == nullptr || !turn->text.empty()) {
    AskAboutPendingSlot(std::move(turn), std::move(next));
    return;
  }
  for (const Media& media : turn->input.media) {
    if (media.content_type.rfind("audio/", 0) != 0 || media.path.empty()) continue;
    SttRequest request;
    request.conversation = turn->contact.address;
    request.content_type = media.content_type;
    request.deadline = turn->deadline;
    if (!ReadFile(media.path, &request.audio)) {
      results.provider_failed = true;
      break;
    }
    FlushBeforeProviderCall();
    providers_.stt->TranscribeAsync(request, [this, turn, next](Result<SttReply> reply) {
      turn->executor([this, turn, next, reply = std::move(reply)] {
        if (reply.ok()) {
          turn->input.providers.transcript = reply->text;
          turn->text = reply->text;
        } else {
          turn->input.providers.provider_failed = true;
        }
        AskAboutPendingSlot(turn, next);
      });
    });
    return;
  }
  AskAboutPendingSlot(std::move(turn), std::move(next));
}

void Bot::AskAboutPendingSlot(std::shared_ptr<Turn> turn, std::function<void()> next) {
  const Dialog& dialog = *turn->dialog;
  const std::string& text = turn->text;
  const TimePoint now = turn->input.now;
  std::optional<PendingAnswer> pending =
      FindPendingAnswer(dialog, turn->contact, turn->session, text, now);
  if (pending && pending->slot->type == SlotType::kDocument) {
    ReadDocument(std::move(turn), *pending->slot, std::move(next));
    return;
  }
  if (providers_.llm == nullptr || text.empty() || !pending || !pending->slot->llm_fallback) {
    next();
    return;
  }
  ParseResult parsed = ParseSlotAnswer(*pending->slot, text, now);
  // The parser is sure, or it understood a value the slot does not allow ("25 mil" above the
  // maximum): the LLM cannot help with either.
  if (parsed.ok || parsed.reason == "out_of_range" || parsed.reason == "not_an_option") {
    next();
    return;
  }

  const std::string* system = dialog.FindPrompt("llm_slot_system");
  LlmRequest request;
  request.purpose = "slot:" + pending->slot->name;
  request.conversation = turn->contact.address;
  request.deadline = turn->deadline;
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
  providers_.llm->CompleteAsync(request, [turn, next](Result<LlmReply> reply) {
    turn->executor([turn, next, reply = std::move(reply)] {
      ProviderResults& results = turn->input.providers;
      if (!reply.ok()) {
        results.provider_failed = true;
      } else if (auto it = reply->fields.find("value");
                 it != reply->fields.end() && !it->second.is_null) {
        results.slot_answer = it->second.text;
      }
      next();
    });
  });
}

void Bot::FlushBeforeProviderCall() {
  // A failed commit is reported to the writes' own waiters (Store::WhenDurable); this turn's
  // writes come later and are not affected.
  static_cast<void>(store_->Flush());
}

void Bot::ReadDocument(std::shared_ptr<Turn> turn, const SlotSpec& slot,
                       std::function<void()> next) {
  const engine::DocumentKind* kind = engine::FindDocumentKind(slot.document);
  if (providers_.ocr == nullptr || kind == nullptr) {
    next();
    return;
  }
  for (const Media& media : turn->input.media) {
    const bool readable = media.content_type.rfind("image/", 0) == 0 ||
                          media.content_type == "application/pdf";
    if (!readable || media.path.empty()) continue;
    OcrRequest request;
    request.purpose = "ocr:" + kind->name;
    request.conversation = turn->contact.address;
    request.content_type = media.content_type;
    request.schema = engine::DocumentSchema(*kind);
    request.instruction = kind->instruction;
    request.deadline = turn->deadline;
    if (!ReadFile(media.path, &request.image)) {
      turn->input.providers.provider_failed = true;
      next();
      return;
    }
    DocumentReading reading;
    reading.path = media.path;
    reading.sha256 = media.sha256.empty() ? Sha256Hex(request.image) : media.sha256;
    reading.content_type = media.content_type;
    reading.confidence = 1.0;
    FlushBeforeProviderCall();
    providers_.ocr->ReadAsync(request, [turn, next, reading](Result<OcrReply> reply) mutable {
      turn->executor(
          [turn, next, reading = std::move(reading), reply = std::move(reply)]() mutable {
            if (!reply.ok()) {
              turn->input.providers.provider_failed = true;
              next();
              return;
            }
            for (const auto& [name, value] : reply->fields) {
              if (value.is_null || value.text.empty()) continue;
              reading.fields[name] = value.text;
              reading.confidence = std::min(reading.confidence, value.confidence);
            }
            turn->input.providers.document = std::move(reading);
            next();
          });
    });
    return;  // the first document of the message answers
  }
  next();
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

  auto turn = std::make_shared<Turn>();
  turn->dialog = std::move(dialog);
  turn->contact = std::move(*contact);
  turn->session = std::move(*current);
  turn->input.kind = TurnInput::Kind::kStart;
  turn->input.vars = vars;
  turn->input.now = clock_->Now();
  turn->mode = [mode] { return mode; };
  return RunHere([&](Executor executor, TurnCallback done) {
    turn->executor = std::move(executor);
    turn->done = std::move(done);
    Finish(turn);
  });
}

void Bot::Finish(std::shared_ptr<Turn> turn) {
  Result<Committed> committed = CommitStep(*turn->dialog, std::move(turn->contact), turn->session,
                                           turn->input, turn->inbound_id, turn->mode());
  if (!committed.ok()) {
    turn->done(committed.status());
    return;
  }
  turn->result = std::move(committed->result);
  RunCheck(std::move(turn), std::move(*committed));
}

// The turn entered a state with a check: run it now that the turn is safe, and feed its result
// back as a turn of its own. A crash in between leaves the session waiting in that state; the
// user's next message runs the check again.
void Bot::RunCheck(std::shared_ptr<Turn> turn, Committed committed) {
  if (committed.check.empty() || !turn->result.session || turn->result.duplicate) {
    turn->done(std::move(turn->result));
    return;
  }
  FlushBeforeProviderCall();
  turn->contact = std::move(committed.contact);
  engine::RunCheckAsync(committed.check, *turn->dialog, *turn->result.session, providers_,
                        [this, turn](engine::CheckOutcome outcome) {
                          turn->executor([this, turn, outcome = std::move(outcome)]() mutable {
                            TurnInput follow;
                            follow.kind = TurnInput::Kind::kCheckResult;
                            follow.now = clock_->Now();
                            follow.providers.check = std::move(outcome.result);
                            Result<Committed> next = CommitStep(
                                *turn->dialog, std::move(turn->contact), turn->result.session,
                                follow, 0, turn->mode(), std::move(outcome.report), outcome.note);
                            if (!next.ok()) {
                              turn->done(next.status());
                              return;
                            }
                            TurnResult& result = turn->result;
                            for (std::string& reply : next->result.replies)
                              result.replies.push_back(std::move(reply));
                            for (int64_t id : next->result.outbound_ids)
                              result.outbound_ids.push_back(id);
                            if (next->result.session)
                              result.session = std::move(next->result.session);
                            RunCheck(turn, std::move(*next));
                          });
                        });
}

Result<Bot::Committed> Bot::CommitStep(const Dialog& dialog, Contact contact,
                                       const std::optional<Session>& current,
                                       const TurnInput& input, int64_t inbound_id, ReplyMode mode,
                                       std::optional<SealedReport> report,
                                       const std::string& note) {
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

  Result<CommittedTurn> stored = store_->CommitTurn(commit);
  Committed committed;
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kAlreadyExists) return stored.status();
    committed.result.duplicate = true;
    return committed;
  }
  committed.result.replies = std::move(commit.replies);
  committed.result.outbound_ids = std::move(stored->outbound_ids);
  if (commit.session) {
    committed.result.session = std::move(commit.session);
    committed.result.session->id = stored->session_id;
  } else {
    committed.result.session = current;
  }
  committed.check = std::move(out.check);
  committed.contact = std::move(commit.contact);
  return committed;
}

Status Bot::ReleaseHandoff(const std::string& channel, const std::string& address) {
  Result<std::optional<Contact>> contact = store_->FindContact(channel, address);
  if (!contact.ok()) return contact.status();
  if (!contact->has_value()) return NotFound("no contact " + address + " on " + channel);
  return store_->ReleaseHandoff((*contact)->id, clock_->Now());
}

}  // namespace bot
