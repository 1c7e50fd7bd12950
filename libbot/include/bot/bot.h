// The engine: runs dialog turns against a Store. One Bot per deployment.
//
// A message's life: Accept() makes it durable (dedupe on the provider id), Process() runs
// its turn once (load, provider calls, pure Step, commit in one transaction) and returns the
// replies, which the commit also put in the outbox. Handle() does both, for callers without a
// queue. ProcessAsync() is Process() without a thread held while providers answer: a server
// runs thousands of turns waiting on an LLM with a handful of threads.
//
// Thread-safe. The caller keeps turns of one conversation in order (one at a time: the next
// starts after the previous one's callback); turns of different conversations may run in
// parallel.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/knowledge.h"
#include "bot/session.h"
#include "bot/status.h"
#include "bot/store.h"

namespace bot {

class LlmProvider;  // bot/providers.h
class SttProvider;
class OcrProvider;
class BureauProvider;  // bot/credit.h
class KnowledgeBase;   // bot/knowledge.h
class Embedder;
struct DataKeys;

struct BotOptions {
  size_t max_message_chars = 1600;  // replies are split for WhatsApp at this many characters
  std::chrono::seconds provider_deadline{20};  // for all provider calls of one turn
  // The event types (bot::Event) stored for the event sinks, "*" = all; empty = none, so a
  // deployment without sinks writes no event rows.
  std::vector<std::string> event_types;
};

// Providers the engine may call around the pure step; null = not configured. Not owned.
struct BotProviders {
  SttProvider* stt = nullptr;  // voice notes -> text
  LlmProvider* llm = nullptr;  // fallback for slots marked llm_fallback when the parser is unsure
  OcrProvider* ocr = nullptr;  // photos answering document slots
  BureauProvider* bureau = nullptr;  // the "bureau" check
  const DataKeys* data_keys = nullptr;  // seals raw provider reports; null = raw reports not kept
  KnowledgeBase* knowledge = nullptr;   // offers catalogues: dialogs with `knowledge: offers`
  Embedder* embedder = nullptr;         // embeds questions for the catalogue's hybrid search
};

enum class ReplyMode {
  kOutbox,  // replies wait in the outbox for a sender
  kInline,  // replies go back in the webhook response; stored as "inline"
};

// Where a turn's continuations run (store work, the step): e.g. a thread pool's post. Never
// the provider's own thread, which must not block.
using Executor = std::function<void(std::function<void()>)>;
// How a turn's replies leave, asked at each of its commits (TwiML mode: inline while the webhook
// still waits for them, the outbox once it was answered without them).
using ReplyModeFn = std::function<ReplyMode()>;

// How a scheduled, business-initiated conversation opens (bot/campaigns.h).
struct ScheduledStart {
  std::string content_sid;        // the approved template the opening is sent as
  std::string content_variables;  // its variables, a JSON object string
  CampaignStep step;              // the campaign recipient moved in the same transaction
};

struct TurnResult {
  bool duplicate = false;           // already processed: nothing done, nothing to answer
  std::vector<std::string> replies; // split parts, in order
  std::vector<int64_t> outbound_ids;
  std::vector<int64_t> held_ids;    // of outbound_ids, held for credits (CommittedTurn::held_ids)
  std::optional<Session> session;   // the session after the turn
  bool handed_off = false;          // the turn put the session in handoff (audited "handoff")
};

class Bot {
 public:
  // `store` and `clock` must outlive the Bot.
  Bot(std::shared_ptr<const DialogSet> dialogs, Store* store, const Clock* clock,
      BotOptions options = {});

  // Makes an inbound message durable. A provider id seen before gives duplicate == true.
  Result<Accepted> Accept(const InboundMessage& message);

  // Runs the turn of an accepted message. A message processed before gives duplicate == true.
  Result<TurnResult> Process(int64_t message_id, ReplyMode mode = ReplyMode::kOutbox);

  using TurnCallback = std::function<void(Result<TurnResult>)>;
  // Process() holding no thread while a provider answers: store work and the step run through
  // `executor`; `done` runs once, from a job `executor` ran (or from the calling thread when the
  // turn needs no provider).
  void ProcessAsync(int64_t message_id, ReplyModeFn mode, Executor executor, TurnCallback done);

  // Accept + Process.
  Result<TurnResult> Handle(const InboundMessage& message, ReplyMode mode = ReplyMode::kOutbox);

  // The bot speaks first: starts `dialog_id` with `address` on `channel`.
  Result<TurnResult> Start(const std::string& channel, const std::string& address,
                           const std::string& dialog_id, const VarMap& vars,
                           ReplyMode mode = ReplyMode::kOutbox);

  // Start() for scheduled work: the opening goes to the outbox as `start`'s template, and its
  // campaign step moves, in the turn's one transaction. duplicate == true (nothing written) when
  // the step was done already. The caller checks opt-outs and variables first.
  Result<TurnResult> StartScheduled(const std::string& channel, const std::string& address,
                                    const std::string& dialog_id, const VarMap& vars,
                                    const ScheduledStart& start);

  // A human is done with a handed-off conversation; the bot resumes where it was.
  Status ReleaseHandoff(const std::string& channel, const std::string& address);

  // Sets the providers; call before serving (not synchronised with running turns).
  void SetProviders(BotProviders providers) { providers_ = providers; }

  // Swaps the dialogs (hot reload). Live sessions continue on the new versions safely.
  void SetDialogs(std::shared_ptr<const DialogSet> dialogs);
  std::shared_ptr<const DialogSet> dialogs() const;

  Store& store() { return *store_; }
  const Clock& clock() const { return *clock_; }

 private:
  struct Turn;  // one turn's state across its provider calls (bot.cc)
  Result<TurnResult> StartTurn(const std::string& channel, const std::string& address,
                               const std::string& dialog_id, const VarMap& vars, ReplyMode mode,
                               std::optional<ScheduledStart> scheduled);
  struct Committed {
    TurnResult result;
    std::string check;  // the check the new state asks for ("" none)
    Contact contact;    // as committed
  };

  // Steps and commits one turn. `report` and `note` come from the check whose result `input`
  // carries: stored and audited with its turn.
  Result<Committed> CommitStep(const Dialog& dialog, Contact contact,
                               const std::optional<Session>& current, const TurnInput& input,
                               int64_t inbound_id, ReplyMode mode,
                               std::optional<SealedReport> report = std::nullopt,
                               const std::string& note = "",
                               const ScheduledStart* scheduled = nullptr);

  // The provider calls a message needs before its step, one after the other without blocking:
  // transcribe a voice note, then read a document or ask the LLM when the pending slot's parser
  // is unsure. Failures are reported in turn->input.providers, never thrown. Then `next`.
  void CallProviders(std::shared_ptr<Turn> turn, std::function<void()> next);
  void AskAboutPendingSlot(std::shared_ptr<Turn> turn, std::function<void()> next);
  // Dialogs with an offers catalogue: the zones, the offer an ad showed, and a question's
  // search (embedded first when an embedder is configured), answered by the LLM from what was
  // found when one is configured. A question skips the slot's LLM fallback.
  void LookUpOffers(std::shared_ptr<Turn> turn, std::function<void()> next);
  void SearchOffers(std::shared_ptr<Turn> turn, OfferQuery query, std::function<void()> next);
  void ComposeAnswer(std::shared_ptr<Turn> turn, std::function<void()> next);
  // The events a commit stores: the step's, plus conversation.started and message.*, each only
  // when subscribed (BotOptions::event_types).
  std::vector<Event> TurnEvents(TurnOutput& out, const TurnCommit& commit, const TurnInput& input);
  bool Subscribed(std::string_view type) const;
  // OCR of the message's photo or PDF for a document slot; fills providers.document.
  void ReadDocument(std::shared_ptr<Turn> turn, const SlotSpec& slot, std::function<void()> next);
  // Steps and commits the turn, then runs the checks its new states ask for, each followed by
  // its own result turn; then turn->done.
  void Finish(std::shared_ptr<Turn> turn);
  void RunCheck(std::shared_ptr<Turn> turn, Committed committed);
  // Before a provider call (seconds, maybe): commits the store's open group (Store::Flush), so
  // no other request's acknowledgement and no other process's write waits for the provider.
  void FlushBeforeProviderCall();

  mutable std::mutex mu_;
  std::shared_ptr<const DialogSet> dialogs_;  // Guarded by mu_
  Store* store_;
  const Clock* clock_;
  BotOptions options_;
  BotProviders providers_;
};

}  // namespace bot
