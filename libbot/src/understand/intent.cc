// DetectIntent: the global intents. Keywords count only as the whole message ("BAJA.",
// "Stop!"); phrases count anywhere on word boundaries. Feedback that merely contains a
// keyword ("la ayuda fue poca", "me bajaron la dosis") stays kNone.
#include <string>
#include <string_view>

#include "bot/text.h"
#include "bot/understand.h"

namespace bot {
namespace {

struct Cue {
  std::string_view text;
  Intent intent;
};

constexpr Cue kKeywords[] = {
    {"baja", Intent::kOptOut},     {"stop", Intent::kOptOut},    {"unsubscribe", Intent::kOptOut},
    {"alta", Intent::kOptIn},      {"start", Intent::kOptIn},    {"asesor", Intent::kHuman},
    {"asesora", Intent::kHuman},   {"agente", Intent::kHuman},   {"humano", Intent::kHuman},
    {"ayuda", Intent::kHelp},      {"help", Intent::kHelp},      {"menu", Intent::kHelp},
    {"reiniciar", Intent::kRestart}, {"reinicio", Intent::kRestart},
};

// Matched on whole words of the normalized text, anywhere in the message.
constexpr Cue kPhrases[] = {
    {"ya no me escriban", Intent::kOptOut},
    {"ya no me escribas", Intent::kOptOut},
    {"no quiero recibir mas mensajes", Intent::kOptOut},
    {"no quiero recibir mensajes", Intent::kOptOut},
    {"no me manden mas mensajes", Intent::kOptOut},
    {"no me envien mas mensajes", Intent::kOptOut},
    {"dejen de escribirme", Intent::kOptOut},
    {"dejen de enviarme mensajes", Intent::kOptOut},
    {"cancelar suscripcion", Intent::kOptOut},
    {"cancelar mi suscripcion", Intent::kOptOut},
    {"darme de baja", Intent::kOptOut},
    {"quiero hablar con una persona", Intent::kHuman},
    {"hablar con una persona", Intent::kHuman},
    {"hablar con un humano", Intent::kHuman},
    {"hablar con alguien", Intent::kHuman},
    {"hablar con un asesor", Intent::kHuman},
    {"con un agente", Intent::kHuman},
    {"con un asesor", Intent::kHuman},
    {"persona real", Intent::kHuman},
    {"empezar de nuevo", Intent::kRestart},
    {"comenzar de nuevo", Intent::kRestart},
    {"volver a empezar", Intent::kRestart},
    {"empezar otra vez", Intent::kRestart},
};

bool IsWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// The normalized text reduced to its ASCII words separated by single spaces, framed by
// spaces so " phrase " matches whole words only. Emoji and punctuation act as separators.
std::string Words(std::string_view normalized) {
  std::string out = " ";
  for (char c : normalized) {
    if (IsWordChar(c)) {
      out.push_back(c);
    } else if (out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

}  // namespace

const char* IntentName(Intent intent) {
  switch (intent) {
    case Intent::kNone: return "none";
    case Intent::kOptOut: return "optout";
    case Intent::kOptIn: return "optin";
    case Intent::kHuman: return "human";
    case Intent::kHelp: return "help";
    case Intent::kRestart: return "restart";
  }
  return "none";
}

Intent DetectIntent(std::string_view text) {
  std::string words = Words(Normalize(text));
  if (words.size() <= 1) return Intent::kNone;
  std::string_view core(words);
  core = core.substr(1, core.size() - 2);  // one word has no inner space
  if (core.find(' ') == std::string_view::npos) {
    for (const Cue& k : kKeywords) {
      if (core == k.text) return k.intent;
    }
    return Intent::kNone;
  }
  for (const Cue& p : kPhrases) {
    size_t at = words.find(p.text);
    while (at != std::string::npos) {
      if (words[at - 1] == ' ' && words[at + p.text.size()] == ' ') return p.intent;
      at = words.find(p.text, at + 1);
    }
  }
  return Intent::kNone;
}

}  // namespace bot
