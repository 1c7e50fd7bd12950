// `botrunner parse <type> <text> [--json]`: prints what the deterministic parser understood,
// for dialog authors and tests. Exit 0 whether or not the parser was sure; non-zero only for
// bad usage (CLI11 rejects an unknown type or a missing text).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bot/understand.h"
#include "cli/commands.h"

namespace runner {
namespace {

struct ParseOptions {
  std::string type;
  std::vector<std::string> words;
  bool json = false;
  std::string region = "MX";
  std::string today;  // "YYYY-MM-DD"; empty = the local date from the system clock
};

const std::vector<std::string> kTypes = {"rating", "yesno",  "amount", "term",     "phone", "email",
                                         "date",   "budget", "timing", "question", "intent"};

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

// "5000.00" from exact centavos; no floating point on money.
std::string Pesos(int64_t centavos) {
  char buf[40];
  uint64_t abs = centavos < 0 ? 0 - static_cast<uint64_t>(centavos) : static_cast<uint64_t>(centavos);
  std::snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%02" PRIu64, centavos < 0 ? "-" : "", abs / 100,
                abs % 100);
  return buf;
}

std::chrono::year_month_day LocalToday() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return std::chrono::year_month_day{std::chrono::year{local.tm_year + 1900},
                                     std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
                                     std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
}

bool ReadDate(const std::string& s, std::chrono::year_month_day* out) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%d-%u-%u%c", &y, &m, &d, &tail) != 3) return false;
  *out = std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  return out->ok();
}

bot::ParseResult RunParser(const ParseOptions& o, const std::string& text,
                           std::chrono::year_month_day today) {
  const std::string& t = o.type;
  if (t == "rating") return bot::ParseRating(text, 1, 5);
  if (t == "yesno") return bot::ParseYesNo(text);
  if (t == "amount") return bot::ParseAmount(text);
  if (t == "term") return bot::ParseTermDays(text);
  if (t == "phone") return bot::ParsePhone(text, o.region);
  if (t == "email") return bot::ParseEmail(text);
  if (t == "date") return bot::ParseDate(text, today);
  if (t == "budget") return bot::ParseBudget(text);
  if (t == "timing") return bot::ParseTiming(text, today);
  if (t == "question") {
    bot::ParseResult r;
    r.ok = true;
    r.value = bot::Value::Bool(bot::IsQuestion(text));
    return r;
  }
  bot::Intent intent = bot::DetectIntent(text);  // "intent"
  bot::ParseResult r;
  r.ok = intent != bot::Intent::kNone;
  if (r.ok) {
    r.value = bot::Value::Text(bot::IntentName(intent));
  } else {
    r.reason = "none";
  }
  return r;
}

// The value as a JSON fragment (after "value":) and as the human sees it.
void RenderValue(const bot::Value& v, std::string* json, std::string* human) {
  switch (v.kind()) {
    case bot::Value::Kind::kBool:
      *json = *human = v.as_bool() ? "true" : "false";
      break;
    case bot::Value::Kind::kInt:
      *json = *human = std::to_string(v.as_int());
      break;
    case bot::Value::Kind::kMoney:
      *human = Pesos(v.centavos());
      *json = *human + ",\"centavos\":" + std::to_string(v.centavos());
      break;
    case bot::Value::Kind::kText:
      *json = JsonString(v.text());
      *human = v.text();
      break;
    case bot::Value::Kind::kNone:
      *json = "null";
      *human = "";
      break;
  }
}

int RunParse(const ParseOptions& o) {
  std::chrono::year_month_day today = LocalToday();
  if (!o.today.empty() && !ReadDate(o.today, &today)) {
    std::cerr << "parse: --today must be YYYY-MM-DD, got '" << o.today << "'\n";
    return 2;
  }
  std::string text;
  for (const std::string& w : o.words) text += (text.empty() ? "" : " ") + w;
  bot::ParseResult r = RunParser(o, text, today);

  std::string json_value, human_value;
  if (r.ok) RenderValue(r.value, &json_value, &human_value);
  if (o.json) {
    std::cout << "{\"type\":" << JsonString(o.type) << ",\"ok\":" << (r.ok ? "true" : "false");
    if (r.ok) {
      std::cout << ",\"value\":" << json_value;
    } else {
      std::cout << ",\"reason\":" << JsonString(r.reason);
    }
    std::cout << "}\n";
  } else if (r.ok) {
    std::cout << o.type << ": " << human_value << "\n";
  } else if (o.type == "intent") {
    std::cout << "intent: none\n";
  } else {
    std::cout << o.type << ": not sure (" << r.reason << ")\n";
  }
  std::cout.flush();
  return 0;
}

}  // namespace

void AddParseCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* cmd = app.add_subcommand(
      "parse", "Print what a deterministic parser understands in a text");
  cmd->add_option("type", options->type, "rating | yesno | amount | term | phone | email | date | intent")
      ->required()
      ->check(CLI::IsMember(kTypes));
  cmd->add_option("text", options->words, "The text to parse (several words are joined by spaces)")
      ->required();
  cmd->add_flag("--json", options->json, "Print one JSON object");
  cmd->add_option("--region", options->region, "Default region for phone numbers (ISO code)")
      ->capture_default_str();
  cmd->add_option("--today", options->today, "Today's date for 'date' (YYYY-MM-DD; default: system clock)");
  cmd->callback([options, exit_code] { *exit_code = RunParse(*options); });
}

}  // namespace runner
