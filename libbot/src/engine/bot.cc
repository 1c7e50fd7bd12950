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
#include "bot/understand.h"
#include "engine/checks.h"
#include "engine/documents.h"
#include "engine/events.h"
#include "engine/offers_text.h"
#include "engine/slot_parser.h"
#include "knowledge/search_words.h"

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
  std::optional<ScheduledStart> scheduled;  // StartScheduled: the template and campaign step
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
    // A row that cannot be read (kInternal: bad stored JSON) never will be: it is marked
    // failed, so that it is visible and not retried at every start. Anything else (the store
    // unavailable, say) leaves it accepted for the next try.
    if (ctx.status().code() == StatusCode::kInternal) {
      (void)store_->MarkInboundFailed(message_id, ctx.status().message(), clock_->Now());
    }
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
    case SlotType::kBudget:
      return "el presupuesto como lo diría la persona, con cifras y moneda (ej. \"entre 1.5 y 2 "
             "millones de pesos\", \"hasta 12 mil al mes\")";
    case SlotType::kTiming:
      return "uno de: ya, en 3 meses, en 6 meses, el año que viene, en 2 años, solo estoy viendo";
    case SlotType::kChoice:
    case SlotType::kZone:
      return "la opción elegida, tal cual una de las opciones";
  }
  return "el valor";
}

}  // namespace

void Bot::CallProviders(std::shared_ptr<Turn> turn, std::function<void()> next) {
  ProviderResults& results = turn->input.providers;
  if (providers_.stt == nullptr || !turn->text.empty()) {
    LookUpOffers(std::move(turn), std::move(next));
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
        LookUpOffers(turn, next);
      });
    });
    return;
  }
  LookUpOffers(std::move(turn), std::move(next));
}

void Bot::AskAboutPendingSlot(std::shared_ptr<Turn> turn, std::function<void()> next) {
  if (turn->input.providers.offers) {  // a question, answered from the catalogue
    next();
    return;
  }
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
  ParseResult parsed =
      ParseSlotAnswer(WithZones(*pending->slot, turn->input.providers.zones), text, now);
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
  if (!pending->slot->choices.empty() || !turn->input.providers.zones.empty()) {
    std::string options;
    for (const Choice& choice : WithZones(*pending->slot, turn->input.providers.zones).choices) {
      options += (options.empty() ? "" : ", ") + choice.key;
    }
    if (!options.empty()) request.messages.back().text += "\n(Opciones: " + options + ")";
  }
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

namespace {

// The search filters the conversation's slots give: a zone slot's value (not a value outside
// the catalogue, like "any"), a budget slot's bounds and currency, and the slots named
// operation, property_type and bedrooms.
void FilterBySlots(const Dialog& dialog, const SlotMap& slots,
                   const std::vector<std::string>& zones, OfferQuery* query) {
  for (const SlotSpec& slot : dialog.slots) {
    auto it = slots.find(slot.name);
    if (it == slots.end() || it->second.is_none()) continue;
    const Value& value = it->second;
    if (slot.type == SlotType::kZone &&
        std::find(zones.begin(), zones.end(), value.text()) != zones.end()) {
      query->zone = value.text();
    } else if (slot.type == SlotType::kBudget) {
      Budget budget;
      if (!ParseBudgetText(value.text(), &budget)) continue;
      query->currency = budget.currency;
      if (budget.min_cents > 0) query->min_price_cents = budget.min_cents * 8 / 10;
      if (budget.max_cents > 0) query->max_price_cents = budget.max_cents * 12 / 10;
    } else if (slot.name == "operation" && value.kind() == Value::Kind::kText) {
      query->operation = value.text();
    } else if (slot.name == "property_type" && value.kind() == Value::Kind::kText) {
      query->type = value.text();
    } else if (slot.name == "bedrooms" && value.kind() == Value::Kind::kInt) {
      query->min_bedrooms = static_cast<int>(value.as_int());
    }
  }
}

}  // namespace

void Bot::LookUpOffers(std::shared_ptr<Turn> turn, std::function<void()> next) {
  KnowledgeBase* knowledge = providers_.knowledge;
  if (turn->dialog->knowledge.empty() || knowledge == nullptr) {
    AskAboutPendingSlot(std::move(turn), std::move(next));
    return;
  }
  const std::string& number = turn->contact.channel;
  TurnInput& input = turn->input;
  if (Result<std::vector<std::string>> zones = knowledge->Zones(number); zones.ok()) {
    input.providers.zones = std::move(*zones);
  }
  // A lead from a click-to-WhatsApp ad: the offer the ad showed, for a session it starts.
  auto ad = input.vars.find("ad_id");
  if (ad != input.vars.end() && !ad->second.empty() && !input.vars.contains("offer_id")) {
    Result<std::optional<Offer>> offer = knowledge->FindOffer(number, ad->second);
    if (offer.ok() && offer->has_value()) {
      input.vars["offer_id"] = (*offer)->id;
      input.vars["offer_title"] = (*offer)->title;
    }
  }
  const std::string& text = turn->text;
  if (text.empty() || turn->contact.opted_out || !IsQuestion(text) ||
      DetectIntent(text) != Intent::kNone) {
    AskAboutPendingSlot(std::move(turn), std::move(next));
    return;
  }
  OfferQuery query;
  query.text = text;
  if (turn->session && turn->session->dialog_id == turn->dialog->id &&
      EffectiveStatus(*turn->session, *turn->dialog, input.now) == SessionStatus::kActive) {
    FilterBySlots(*turn->dialog, turn->session->slots, input.providers.zones, &query);
  }
  if (providers_.embedder == nullptr) {
    SearchOffers(std::move(turn), std::move(query), std::move(next));
    return;
  }
  FlushBeforeProviderCall();
  providers_.embedder->EmbedAsync(
      {text}, [this, turn, query = std::move(query),
               next](Result<std::vector<std::vector<float>>> vectors) mutable {
        turn->executor(
            [this, turn, query = std::move(query), next, vectors = std::move(vectors)]() mutable {
              // Without the question's embedding the search is keyword-only: still an answer.
              if (vectors.ok() && vectors->size() == 1)
                query.embedding = std::move(vectors->front());
              SearchOffers(turn, std::move(query), next);
            });
      });
}

void Bot::SearchOffers(std::shared_ptr<Turn> turn, OfferQuery query, std::function<void()> next) {
  KnowledgeBase& knowledge = *providers_.knowledge;
  const std::string& number = turn->contact.channel;
  Result<SearchResult> found = knowledge.Search(number, query);
  // The slots' filters leave nothing (a budget below every offer): search the whole catalogue,
  // so the answer says what there is rather than "I don't know".
  const bool filtered = !query.zone.empty() || !query.operation.empty() || !query.type.empty() ||
                        query.min_price_cents || query.max_price_cents || query.min_bedrooms;
  if (found.ok() && found->passages.empty() && filtered) {
    OfferQuery open;
    open.text = std::move(query.text);
    open.embedding = std::move(query.embedding);
    open.limit = query.limit;
    found = knowledge.Search(number, open);
  }
  if (!found.ok()) {  // the catalogue cannot be read: "I don't know", never an invention
    found = SearchResult{};
    turn->input.providers.provider_failed = true;
  }
  // The offer the lead's ad showed answers first ("¿tiene cochera?" is about that one).
  // A question about nothing but that offer's facts ("¿sigue disponible?", "¿cuánto cuesta?")
  // is about it even when the search did not find it.
  const VarMap& vars = turn->session ? turn->session->vars : turn->input.vars;
  if (auto offer = vars.find("offer_id"); offer != vars.end()) {
    auto seen = std::find_if(found->passages.begin(), found->passages.end(),
                             [&](const Passage& p) { return p.offer.id == offer->second; });
    const bool about_it = std::all_of(
        found->terms.begin(), found->terms.end(),
        [](const std::string& t) { return knowledge::IsGeneric(t) || knowledge::IsFactWord(t); });
    Result<std::optional<Offer>> referenced =
        about_it ? knowledge.FindOffer(number, offer->second) : std::optional<Offer>();
    if (referenced.ok() && referenced->has_value()) {
      found->passages = {Passage{**referenced, 1.0, {}}};  // that offer, and only it
      found->supported = true;
    } else if (seen != found->passages.end()) {
      std::rotate(found->passages.begin(), seen, seen + 1);
    }
  }
  turn->input.providers.offers = std::move(*found);
  ComposeAnswer(std::move(turn), std::move(next));
}

void Bot::ComposeAnswer(std::shared_ptr<Turn> turn, std::function<void()> next) {
  const SearchResult& found = *turn->input.providers.offers;
  const std::string* system = turn->dialog->FindPrompt("llm_offers_system");
  if (providers_.llm == nullptr || !found.supported || found.passages.empty() || !system) {
    next();
    return;
  }
  const std::string context = engine::OfferContext(found);
  LlmRequest request;
  request.purpose = "offers_answer";
  request.conversation = turn->contact.address;
  request.deadline = turn->deadline;
  request.max_tokens = 300;
  request.messages.push_back(
      {ChatMessage::Role::kSystem, RenderPrompt(*system, {}, {{"offers", context}})});
  request.messages.push_back({ChatMessage::Role::kUser, turn->text});
  auto field = [](const char* name, SchemaField::Type type, const char* description) {
    SchemaField f;
    f.name = name;
    f.type = type;
    f.description = description;
    return f;
  };
  request.schema =
      ExtractionSchema{"offers_answer",
                       {field("answer", SchemaField::Type::kString,
                              "la respuesta para el cliente, solo con datos de las ofertas"),
                        field("supported", SchemaField::Type::kBoolean,
                              "true si las ofertas contienen la respuesta; false si no"),
                        field("offer_ids", SchemaField::Type::kString,
                              "los id de las ofertas usadas, separados por comas")}};
  FlushBeforeProviderCall();
  providers_.llm->CompleteAsync(request, [turn, next, context](Result<LlmReply> reply) {
    turn->executor([turn, next, context, reply = std::move(reply)] {
      ProviderResults& results = turn->input.providers;
      if (!reply.ok()) {  // the offers' facts are the answer
        results.provider_failed = true;
        next();
        return;
      }
      const ExtractedFields& fields = reply->fields;
      auto field = [&](const char* name) -> const FieldValue* {
        auto it = fields.find(name);
        return it == fields.end() ? nullptr : &it->second;
      };
      const FieldValue* answer = field("answer");
      const FieldValue* supported = field("supported");
      const FieldValue* ids = field("offer_ids");
      if (supported && !supported->boolean) {
        results.offers_answer = "";  // the LLM read the offers and found no answer
      } else if (answer && !answer->text.empty() && ids &&
                 engine::NumbersAreGrounded(answer->text, context)) {
        // Every offer it names was retrieved: no invented listing.
        bool known = true;
        std::stringstream list(ids->text);
        for (std::string id; std::getline(list, id, ',');) {
          id.erase(0, id.find_first_not_of(' '));
          id.erase(id.find_last_not_of(' ') + 1);
          if (id.empty()) continue;
          known =
              known && std::any_of(results.offers->passages.begin(), results.offers->passages.end(),
                                   [&](const Passage& p) { return p.offer.id == id; });
        }
        if (known) results.offers_answer = answer->text;
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
  return StartTurn(channel, address, dialog_id, vars, mode, std::nullopt);
}

Result<TurnResult> Bot::StartScheduled(const std::string& channel, const std::string& address,
                                       const std::string& dialog_id, const VarMap& vars,
                                       const ScheduledStart& start) {
  return StartTurn(channel, address, dialog_id, vars, ReplyMode::kOutbox, start);
}

Result<TurnResult> Bot::StartTurn(const std::string& channel, const std::string& address,
                                  const std::string& dialog_id, const VarMap& vars, ReplyMode mode,
                                  std::optional<ScheduledStart> scheduled) {
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
    // No address in the message: it ends up in logs.
    return InvalidArgument("the contact opted out; the bot may not write first");
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
  turn->scheduled = std::move(scheduled);
  return RunHere([&](Executor executor, TurnCallback done) {
    turn->executor = std::move(executor);
    turn->done = std::move(done);
    Finish(turn);
  });
}

void Bot::Finish(std::shared_ptr<Turn> turn) {
  Result<Committed> committed = CommitStep(
      *turn->dialog, std::move(turn->contact), turn->session, turn->input, turn->inbound_id,
      turn->mode(), std::nullopt, "", turn->scheduled ? &*turn->scheduled : nullptr);
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
                            for (int64_t id : next->result.held_ids) result.held_ids.push_back(id);
                            if (next->result.session)
                              result.session = std::move(next->result.session);
                            result.handed_off |= next->result.handed_off;
                            RunCheck(turn, std::move(*next));
                          });
                        });
}

Result<Bot::Committed> Bot::CommitStep(const Dialog& dialog, Contact contact,
                                       const std::optional<Session>& current,
                                       const TurnInput& input, int64_t inbound_id, ReplyMode mode,
                                       std::optional<SealedReport> report, const std::string& note,
                                       const ScheduledStart* scheduled) {
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
  if (!options_.event_types.empty()) commit.events = TurnEvents(out, commit, input);
  if (scheduled) {
    commit.content_sid = scheduled->content_sid;
    commit.content_variables = scheduled->content_variables;
    commit.campaign_step = scheduled->step;
  }

  Result<CommittedTurn> stored = store_->CommitTurn(commit);
  Committed committed;
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kAlreadyExists) return stored.status();
    committed.result.duplicate = true;
    return committed;
  }
  committed.result.replies = std::move(commit.replies);
  // The step audits "handoff" exactly when it puts the session in handoff.
  committed.result.handed_off =
      commit.session && commit.session->status == SessionStatus::kHandoff &&
      std::any_of(commit.audit.begin(), commit.audit.end(),
                  [](const AuditEvent& a) { return a.kind == "handoff"; });
  committed.result.outbound_ids = std::move(stored->outbound_ids);
  committed.result.held_ids = std::move(stored->held_ids);
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

bool Bot::Subscribed(std::string_view type) const {
  for (const std::string& t : options_.event_types) {
    if (t == "*" || t == type) return true;
  }
  return false;
}

std::vector<Event> Bot::TurnEvents(TurnOutput& out, const TurnCommit& commit,
                                   const TurnInput& input) {
  std::vector<Event> events;
  const Contact& contact = commit.contact;
  if (commit.session && commit.session->id == 0 && Subscribed("conversation.started")) {
    events.push_back(engine::ConversationStartedEvent(commit.session->dialog_id, contact));
  }
  const std::string& said = input.text.empty() ? input.providers.transcript : input.text;
  if (commit.inbound_id != 0 && Subscribed("message.received")) {
    events.push_back(engine::MessageEvent("message.received", contact, said, input.message_id));
  }
  for (Event& event : out.events) {
    if (!Subscribed(event.type)) continue;
    if (event.type == "lead.qualified") {
      // The sales team reads the conversation with the lead: every message so far, this turn's
      // too.
      std::vector<std::pair<std::string, std::string>> transcript;
      if (Result<std::vector<StoredMessage>> messages = store_->ListMessages(contact.id);
          messages.ok()) {
        for (const StoredMessage& m : *messages) {
          // This turn's inbound is already stored; it is added below with its transcript.
          if (m.provider_id == input.message_id && m.direction == "in") continue;
          transcript.emplace_back(m.direction, m.text.empty() ? m.transcript : m.text);
        }
      }
      if (commit.inbound_id != 0) transcript.emplace_back("in", said);
      for (const std::string& reply : commit.replies) transcript.emplace_back("out", reply);
      engine::AddTranscript(transcript, &event);
    }
    events.push_back(std::move(event));
  }
  // The step audits "handoff" exactly when it puts the session in handoff.
  if (commit.session && commit.session->status == SessionStatus::kHandoff &&
      Subscribed("conversation.handoff")) {
    for (const AuditEvent& audit : commit.audit) {
      if (audit.kind != "handoff") continue;
      events.push_back(engine::HandoffEvent(*commit.session, contact, audit.detail));
      break;
    }
  }
  if (Subscribed("message.sent")) {
    for (const std::string& reply : commit.replies) {
      events.push_back(engine::MessageEvent("message.sent", contact, reply, ""));
    }
  }
  return events;
}

Status Bot::ReleaseHandoff(const std::string& channel, const std::string& address) {
  Result<std::optional<Contact>> contact = store_->FindContact(channel, address);
  if (!contact.ok()) return contact.status();
  if (!contact->has_value()) return NotFound("no contact " + address + " on " + channel);
  return store_->ReleaseHandoff((*contact)->id, clock_->Now());
}

}  // namespace bot
