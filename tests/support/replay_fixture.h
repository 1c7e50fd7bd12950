// What the transcript tests share: paths in the source tree, replay options over its dialogs,
// and a Bot over a memory store to replay transcript text against. Header-only: it needs
// BOT_SOURCE_DIR, which each test binary defines.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/testing/fake_clock.h"
#include "bot/testing/memory_store.h"
#include "bot/transcript.h"
#include "replay/transcript_parser.h"
#include "replay/transcript_run.h"

namespace bot::replay {

// `relative` in the source tree.
inline std::string Src(const std::string& relative) {
  return std::string(BOT_SOURCE_DIR) + "/" + relative;
}

// Replays with the source tree's dialogs and prompts.
inline ReplayOptions SourceOptions() {
  ReplayOptions options;
  options.dialogs_dir = Src("dialogs");
  options.prompts_dir = Src("prompts");
  return options;
}

// `text` parsed as t.convo.txt; a test failure (and an empty transcript) when it does not parse.
inline Transcript MustParse(std::string_view text) {
  Result<Transcript> t = ParseTranscript(text, "t.convo.txt");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : Transcript{};
}

// A Bot over the source tree's dialogs and a memory store, to look inside after a replay.
class ReplayInMemory : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::shared_ptr<const DialogSet>> dialogs =
        LoadDialogDir(Src("dialogs"), Src("prompts"));
    ASSERT_TRUE(dialogs.ok()) << dialogs.status().ToString();
    store_ = testing::NewMemoryStore();
    bot_ = std::make_unique<Bot>(*dialogs, store_.get(), &clock_);
  }

  // Replays `text` as if read from tests/data/transcripts/inline.convo.txt.
  std::string Run(std::string_view text) {
    Result<Transcript> t = ParseTranscript(text, "inline.convo.txt");
    if (!t.ok()) return t.status().ToString();
    return RunTranscript(*t, Src("tests/data/transcripts/inline.convo.txt"), *bot_, clock_);
  }

  std::vector<StoredMessage> Messages(const std::string& address) {
    Result<std::optional<Contact>> contact = store_->FindContact(kBotChannel, address);
    if (!contact.ok() || !contact->has_value()) return {};
    Result<std::vector<StoredMessage>> messages = store_->ListMessages((*contact)->id);
    return messages.ok() ? *messages : std::vector<StoredMessage>{};
  }

  testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
};

}  // namespace bot::replay
