// The engine: runs dialog turns against a Store. One Bot per deployment.
//
// A message's life: Accept() makes it durable (dedupe on the provider id), Process() runs
// its turn once (load, pure Step, commit in one transaction) and returns the replies, which
// the commit also put in the outbox. Handle() does both, for callers without a queue.
//
// Thread-safe. The caller keeps turns of one conversation in order (one at a time); turns of
// different conversations may run in parallel.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/clock.h"
#include "bot/dialog.h"
#include "bot/session.h"
#include "bot/status.h"
#include "bot/store.h"

namespace bot {

class LlmProvider;  // bot/providers.h
class SttProvider;
class OcrProvider;
class BureauProvider;  // bot/credit.h
struct DataKeys;

struct BotOptions {
  size_t max_message_chars = 1600;  // replies are split for WhatsApp at this many characters
  std::chrono::seconds provider_deadline{20};  // for all provider calls of one turn
};

// Providers the engine may call around the pure step; null = not configured. Not owned.
struct BotProviders {
  SttProvider* stt = nullptr;  // voice notes -> text
  LlmProvider* llm = nullptr;  // fallback for slots marked llm_fallback when the parser is unsure
  OcrProvider* ocr = nullptr;  // photos answering document slots
  BureauProvider* bureau = nullptr;  // the "bureau" check
  const DataKeys* data_keys = nullptr;  // seals raw provider reports; null = raw reports not kept
};

enum class ReplyMode {
  kOutbox,  // replies wait in the outbox for a sender
  kInline,  // replies go back in the webhook response; stored as "inline"
};

struct TurnResult {
  bool duplicate = false;           // already processed: nothing done, nothing to answer
  std::vector<std::string> replies; // split parts, in order
  std::vector<int64_t> outbound_ids;
  std::optional<Session> session;   // the session after the turn
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

  // Accept + Process.
  Result<TurnResult> Handle(const InboundMessage& message, ReplyMode mode = ReplyMode::kOutbox);

  // The bot speaks first: starts `dialog_id` with `address` on `channel`.
  Result<TurnResult> Start(const std::string& channel, const std::string& address,
                           const std::string& dialog_id, const VarMap& vars,
                           ReplyMode mode = ReplyMode::kOutbox);

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
  // Steps, commits, and runs the check the turn's new state asks for (then commits its result
  // turn too). `report` and `note` come from that check: stored and audited with its turn.
  Result<TurnResult> Commit(const Dialog& dialog, Contact contact,
                            const std::optional<Session>& current, const TurnInput& input,
                            int64_t inbound_id, ReplyMode mode,
                            std::optional<SealedReport> report = std::nullopt,
                            const std::string& note = "");

  // Runs the provider calls a message needs before its step: transcribe a voice note, ask
  // the LLM when the pending slot's parser is unsure. Failures are reported, never thrown.
  ProviderResults CallProviders(const Dialog& dialog, const TurnContext& ctx, TimePoint now);
  // Before a provider call (seconds, maybe): commits the store's open group (Store::Flush), so
  // no other request's acknowledgement and no other process's write waits for the provider.
  void FlushBeforeProviderCall();
  // OCR of the message's photo or PDF for a document slot; fills results->document.
  void ReadDocument(const SlotSpec& slot, const TurnContext& ctx, TimePoint deadline,
                    ProviderResults* results);

  mutable std::mutex mu_;
  std::shared_ptr<const DialogSet> dialogs_;  // Guarded by mu_
  Store* store_;
  const Clock* clock_;
  BotOptions options_;
  BotProviders providers_;
};

}  // namespace bot
