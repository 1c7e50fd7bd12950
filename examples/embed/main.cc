// Runs the review_rating dialog from a program of your own: load the dialogs, open a SQLite
// store, start a conversation, feed it the patient's answers, print the bot's replies.
//
//   embed_example <dialogs-dir> <prompts-dir>
#include <cstdio>
#include <filesystem>
#include <string>

#include "bot/bot.h"
#include "bot/dialog_loader.h"
#include "bot/sqlite_store.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <dialogs-dir> <prompts-dir>\n", argv[0]);
    return 2;
  }
  auto dialogs = bot::LoadDialogDir(argv[1], argv[2]);
  if (!dialogs.ok()) {
    std::fprintf(stderr, "%s\n", dialogs.status().ToString().c_str());
    return 1;
  }
  std::string db = (std::filesystem::temp_directory_path() / "embed_example.db").string();
  std::filesystem::remove(db);
  auto store = bot::OpenSqliteStore(db);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  bot::SystemClock clock;
  bot::Bot engine(*dialogs, store->get(), &clock);

  const std::string channel = "whatsapp:+14155238886";
  const std::string patient = "whatsapp:+593987654321";
  auto print = [](const bot::Result<bot::TurnResult>& turn) {
    if (!turn.ok()) {
      std::fprintf(stderr, "error: %s\n", turn.status().ToString().c_str());
      return false;
    }
    for (const std::string& reply : turn->replies) std::printf("bot> %s\n", reply.c_str());
    return true;
  };

  // The practice writes first, after the appointment.
  if (!print(engine.Start(channel, patient, "review_rating",
                          {{"name", "Ana"}, {"doctor", "Dra. Pérez"}}))) {
    return 1;
  }
  // The patient answers; each message has the channel's unique id.
  int n = 0;
  for (const char* text : {"le doy un 5 ⭐"}) {
    std::printf("you> %s\n", text);
    bot::InboundMessage message;
    message.channel = channel;
    message.from = patient;
    message.provider_id = "SM-example-" + std::to_string(++n);
    message.text = text;
    message.dialog_id = "review_rating";
    message.received_at = clock.Now();
    auto turn = engine.Handle(message);
    if (!print(turn)) return 1;
    if (!turn->session || turn->session->status != bot::SessionStatus::kDone) {
      std::fprintf(stderr, "expected the conversation to be done\n");
      return 1;
    }
  }
  std::filesystem::remove(db);
  return 0;
}
