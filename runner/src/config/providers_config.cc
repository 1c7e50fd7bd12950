// Parsing `providers:`. Every section is checked for unknown keys, because a misspelt key
// (`modle:`) would otherwise silently fall back to a default and fail later, at a user's turn.
#include "config/providers_config.h"

#include <yaml-cpp/yaml.h>

#include "config/config_reader.h"

namespace runner {
namespace {

using bot::Result;
using bot::Status;

constexpr const char* kDataKeysEnv = "BOT_DATA_KEYS";

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// A nested mapping, or an error; an absent or null node is "not configured" (false).
Result<bool> Section(const ConfigReader& r, const YAML::Node& node, const std::string& where) {
  if (!node.IsDefined() || node.IsNull()) return false;
  if (!node.IsMap()) return r.Error(node, "'" + where + "' must be a mapping");
  return true;
}

Result<std::chrono::milliseconds> Millis(const ConfigReader& r, const YAML::Node& map,
                                         const char* key, std::chrono::milliseconds fallback,
                                         long long max = 600000) {
  long long ms = 0;
  CONFIG_ASSIGN_OR_RETURN(ms, r.Integer(map, key, fallback.count(), 1, max));
  return std::chrono::milliseconds(ms);
}

// base_url (http:// or https://, no trailing '/'), model, api_key_env, timeout_ms: what every
// HTTP endpoint of an OpenAI-compatible or Anthropic provider has.
Status ReadEndpoint(const ConfigReader& r, const YAML::Node& map, const std::string& where,
                    const std::string& default_base_url, bot::LlmConfig* out) {
  CONFIG_ASSIGN_OR_RETURN(out->base_url, r.String(map, "base_url", default_base_url));
  while (!out->base_url.empty() && out->base_url.back() == '/') out->base_url.pop_back();
  bool https = StartsWith(out->base_url, "https://");
  if (!https && !StartsWith(out->base_url, "http://")) {
    return r.Error(map["base_url"].IsDefined() ? map["base_url"] : map,
                   where + ": 'base_url' must start with http:// or https://");
  }
  CONFIG_ASSIGN_OR_RETURN(out->model, r.String(map, "model", ""));
  if (out->model.empty()) return r.Error(map, where + " needs 'model'");
  // A cloud endpoint always wants a key; a plain-http local server (Ollama, llama.cpp) may not.
  CONFIG_ASSIGN_OR_RETURN(out->api_key, r.SecretFromEnv(map, "api_key_env", where, https));
  CONFIG_ASSIGN_OR_RETURN(out->timeout, Millis(r, map, "timeout_ms", out->timeout));
  return Status::Ok();
}

Status ReadLimits(const ConfigReader& r, const YAML::Node& map, LimitsConfig* out) {
  bot::ProviderLimits& l = out->limits;
  long long n = 0;
  CONFIG_ASSIGN_OR_RETURN(n, r.Integer(map, "max_in_flight", l.max_in_flight, 1, 100000));
  l.max_in_flight = static_cast<int>(n);
  CONFIG_ASSIGN_OR_RETURN(n, r.Integer(map, "requests_per_minute", 0, 0, 100000000));
  l.requests_per_minute = static_cast<int>(n);
  CONFIG_ASSIGN_OR_RETURN(l.tokens_per_minute,
                          r.Integer(map, "tokens_per_minute", 0, 0, 1000000000000LL));
  CONFIG_ASSIGN_OR_RETURN(n, r.Integer(map, "connections", l.max_in_flight, 1, 100000));
  out->connections = static_cast<long>(n);
  return Status::Ok();
}

// The keys every HTTP provider section takes for its limits.
#define LIMIT_KEYS "max_in_flight", "connections", "requests_per_minute", "tokens_per_minute"

Status ReadHeaders(const ConfigReader& r, const YAML::Node& map, const std::string& where,
                   bot::HttpHeaders* out) {
  YAML::Node headers = map["headers"];
  Result<bool> present = Section(r, headers, where + ".headers");
  if (!present.ok()) return present.status();
  if (!*present) return Status::Ok();
  for (const auto& item : headers) {
    std::string name = item.first.Scalar();
    std::string value;
    CONFIG_ASSIGN_OR_RETURN(value, r.String(headers, name.c_str(), ""));
    if (name == "Authorization" || name == "authorization" || name == "x-api-key") {
      return r.Error(item.first, where + ".headers: '" + name +
                                     "' is set from api_key_env, never written in the file");
    }
    out->emplace_back(name, value);
  }
  return Status::Ok();
}

Status ReadLlm(const ConfigReader& r, const YAML::Node& map, ProvidersConfig* out) {
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(map, "providers.llm",
                                    {"kind", "name", "base_url", "model", "api_key_env",
                                     "timeout_ms", "strict_schema", "headers", LIMIT_KEYS}));
  EndpointConfig llm;
  std::string kind;
  CONFIG_ASSIGN_OR_RETURN(kind, r.String(map, "kind", "openai"));
  std::string default_base;
  if (kind == "openai") {
    llm.kind = LlmKind::kOpenAi;
    default_base = "https://api.openai.com/v1";
  } else if (kind == "anthropic") {
    llm.kind = LlmKind::kAnthropic;
    default_base = "https://api.anthropic.com/v1";
  } else {
    return r.Error(map["kind"],
                   "providers.llm: 'kind' must be openai or anthropic, not '" + kind + "'");
  }
  CONFIG_ASSIGN_OR_RETURN(llm.llm.provider, r.String(map, "name", kind));
  CONFIG_RETURN_IF_ERROR(ReadEndpoint(r, map, "providers.llm", default_base, &llm.llm));
  CONFIG_ASSIGN_OR_RETURN(llm.llm.strict_schema, r.Bool(map, "strict_schema", true));
  CONFIG_RETURN_IF_ERROR(ReadHeaders(r, map, "providers.llm", &llm.llm.extra_headers));
  CONFIG_RETURN_IF_ERROR(ReadLimits(r, map, &llm.limits));
  out->llm = std::move(llm);
  return Status::Ok();
}

Status ReadStt(const ConfigReader& r, const YAML::Node& map, ProvidersConfig* out) {
  CONFIG_RETURN_IF_ERROR(
      r.OnlyKeys(map, "providers.stt",
                 {"kind", "name", "base_url", "model", "api_key_env", "timeout_ms", LIMIT_KEYS}));
  std::string kind;
  CONFIG_ASSIGN_OR_RETURN(kind, r.String(map, "kind", "openai"));
  if (kind != "openai") {
    return r.Error(map["kind"],
                   "providers.stt: 'kind' must be openai (any OpenAI-compatible "
                   "/audio/transcriptions), not '" +
                       kind + "'");
  }
  EndpointConfig stt;
  stt.llm.timeout = std::chrono::milliseconds(60000);  // a voice note is uploaded whole
  CONFIG_ASSIGN_OR_RETURN(stt.llm.provider, r.String(map, "name", "openai"));
  CONFIG_RETURN_IF_ERROR(
      ReadEndpoint(r, map, "providers.stt", "https://api.openai.com/v1", &stt.llm));
  CONFIG_RETURN_IF_ERROR(ReadLimits(r, map, &stt.limits));
  out->stt = std::move(stt);
  return Status::Ok();
}

Status ReadEmbeddings(const ConfigReader& r, const YAML::Node& map, ProvidersConfig* out) {
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(map, "providers.embeddings",
                                    {"kind", "name", "base_url", "model", "api_key_env",
                                     "timeout_ms", "dimensions", LIMIT_KEYS}));
  std::string kind;
  CONFIG_ASSIGN_OR_RETURN(kind, r.String(map, "kind", "openai"));
  if (kind != "openai") {
    return r.Error(map["kind"],
                   "providers.embeddings: 'kind' must be openai (any "
                   "OpenAI-compatible /embeddings), not '" +
                       kind + "'");
  }
  EndpointConfig embeddings;
  CONFIG_ASSIGN_OR_RETURN(embeddings.llm.provider, r.String(map, "name", "openai"));
  CONFIG_RETURN_IF_ERROR(
      ReadEndpoint(r, map, "providers.embeddings", "https://api.openai.com/v1", &embeddings.llm));
  CONFIG_RETURN_IF_ERROR(ReadLimits(r, map, &embeddings.limits));
  long long dimensions = 0;
  CONFIG_ASSIGN_OR_RETURN(dimensions, r.Integer(map, "dimensions", 0, 0, 8192));
  out->embedding_dimensions = static_cast<int>(dimensions);
  out->embeddings = std::move(embeddings);
  return Status::Ok();
}

Status ReadOcr(const ConfigReader& r, const YAML::Node& map, ProvidersConfig* out) {
  OcrConfig ocr;
  std::string kind;
  CONFIG_ASSIGN_OR_RETURN(kind, r.String(map, "kind", ""));
  if (kind == "vision") {
    CONFIG_RETURN_IF_ERROR(r.OnlyKeys(map, "providers.ocr (vision)",
                                      {"kind", "name", "base_url", "model", "api_key_env",
                                       "timeout_ms", "strict_schema", "headers", LIMIT_KEYS}));
    ocr.kind = OcrKind::kVision;
    ocr.vision.timeout = std::chrono::milliseconds(60000);  // a photo is uploaded whole
    CONFIG_ASSIGN_OR_RETURN(ocr.vision.provider, r.String(map, "name", "openai"));
    CONFIG_RETURN_IF_ERROR(
        ReadEndpoint(r, map, "providers.ocr", "https://api.openai.com/v1", &ocr.vision));
    CONFIG_ASSIGN_OR_RETURN(ocr.vision.strict_schema, r.Bool(map, "strict_schema", true));
    CONFIG_RETURN_IF_ERROR(ReadHeaders(r, map, "providers.ocr", &ocr.vision.extra_headers));
    CONFIG_RETURN_IF_ERROR(ReadLimits(r, map, &ocr.limits));
  } else if (kind == "tesseract") {
    CONFIG_RETURN_IF_ERROR(
        r.OnlyKeys(map, "providers.ocr (tesseract)", {"kind", "language", "datapath"}));
    ocr.kind = OcrKind::kTesseract;
    CONFIG_ASSIGN_OR_RETURN(ocr.tesseract.language, r.String(map, "language", "spa"));
    CONFIG_ASSIGN_OR_RETURN(ocr.tesseract.datapath, r.String(map, "datapath", ""));
    if (ocr.tesseract.language.empty()) {
      return r.Error(map["language"], "providers.ocr: 'language' must not be empty");
    }
  } else {
    return r.Error(map["kind"].IsDefined() ? map["kind"] : map,
                   "providers.ocr: 'kind' must be vision or tesseract");
  }
  out->ocr = std::move(ocr);
  return Status::Ok();
}

Status ReadBureau(const ConfigReader& r, const YAML::Node& map, ProvidersConfig* out) {
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(map, "providers.bureau", {"url", "api_key_env", "timeout_ms"}));
  BureauConfig bureau;
  CONFIG_ASSIGN_OR_RETURN(bureau.options.url, r.String(map, "url", ""));
  const std::string& url = bureau.options.url;
  bool local = StartsWith(url, "http://127.0.0.1:") || StartsWith(url, "http://127.0.0.1/") ||
               StartsWith(url, "http://localhost:") || StartsWith(url, "http://localhost/");
  if (!StartsWith(url, "https://") && !local) {
    return r.Error(map["url"].IsDefined() ? map["url"] : map,
                   "providers.bureau: 'url' must be https:// (plain http only on 127.0.0.1 or "
                   "localhost)");
  }
  CONFIG_ASSIGN_OR_RETURN(bureau.options.api_key,
                          r.SecretFromEnv(map, "api_key_env", "providers.bureau", true));
  CONFIG_ASSIGN_OR_RETURN(bureau.options.timeout,
                          Millis(r, map, "timeout_ms", bureau.options.timeout));
  out->bureau = std::move(bureau);
  return Status::Ok();
}

Status ReadBudgets(const ConfigReader& r, const YAML::Node& map, bot::BudgetCaps* out) {
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(
      map, "providers.budgets",
      {"tokens_per_conversation", "usd_per_conversation", "tokens_per_day", "usd_per_day"}));
  constexpr long long kMax = 1LL << 50;
  CONFIG_ASSIGN_OR_RETURN(out->tokens_per_conversation,
                          r.Integer(map, "tokens_per_conversation", 0, 0, kMax));
  CONFIG_ASSIGN_OR_RETURN(out->tokens_per_day, r.Integer(map, "tokens_per_day", 0, 0, kMax));
  CONFIG_ASSIGN_OR_RETURN(out->micro_usd_per_conversation,
                          r.MicroUsd(map, "usd_per_conversation", 0));
  CONFIG_ASSIGN_OR_RETURN(out->micro_usd_per_day, r.MicroUsd(map, "usd_per_day", 0));
  return Status::Ok();
}

Status ReadPrices(const ConfigReader& r, const YAML::Node& map, bot::PriceTable* out) {
  for (const auto& item : map) {
    std::string model = item.first.Scalar();
    const YAML::Node& price = item.second;
    if (!price.IsMap()) {
      return r.Error(price,
                     "providers.prices." + model + " must be a mapping of USD per million tokens");
    }
    CONFIG_RETURN_IF_ERROR(r.OnlyKeys(price, "providers.prices." + model,
                                      {"input_per_mtok", "output_per_mtok", "per_audio_minute"}));
    bot::ModelPrice p;
    CONFIG_ASSIGN_OR_RETURN(p.input_per_mtok, r.MicroUsd(price, "input_per_mtok", 0));
    CONFIG_ASSIGN_OR_RETURN(p.output_per_mtok, r.MicroUsd(price, "output_per_mtok", 0));
    CONFIG_ASSIGN_OR_RETURN(p.per_audio_minute, r.MicroUsd(price, "per_audio_minute", 0));
    (*out)[model] = p;
  }
  return Status::Ok();
}

Status ReadRetry(const ConfigReader& r, const YAML::Node& map, bot::RetryOptions* out) {
  CONFIG_RETURN_IF_ERROR(
      r.OnlyKeys(map, "providers.retry",
                 {"max_attempts", "base_delay_ms", "max_delay_ms", "max_retry_after_ms",
                  "deadline_ms", "breaker_failures", "breaker_cooldown_ms"}));
  long long n = 0;
  CONFIG_ASSIGN_OR_RETURN(n, r.Integer(map, "max_attempts", out->max_attempts, 1, 10));
  out->max_attempts = static_cast<int>(n);
  CONFIG_ASSIGN_OR_RETURN(n, r.Integer(map, "breaker_failures", out->breaker_failures, 1, 1000));
  out->breaker_failures = static_cast<int>(n);
  CONFIG_ASSIGN_OR_RETURN(out->base_delay, Millis(r, map, "base_delay_ms", out->base_delay));
  CONFIG_ASSIGN_OR_RETURN(out->max_delay, Millis(r, map, "max_delay_ms", out->max_delay));
  CONFIG_ASSIGN_OR_RETURN(out->max_retry_after,
                          Millis(r, map, "max_retry_after_ms", out->max_retry_after, 3600000));
  CONFIG_ASSIGN_OR_RETURN(out->deadline, Millis(r, map, "deadline_ms", out->deadline));
  CONFIG_ASSIGN_OR_RETURN(out->breaker_cooldown,
                          Millis(r, map, "breaker_cooldown_ms", out->breaker_cooldown, 3600000));
  if (out->max_delay < out->base_delay) {
    return r.Error(map["max_delay_ms"], "providers.retry: 'max_delay_ms' is below 'base_delay_ms'");
  }
  return Status::Ok();
}

// BOT_DATA_KEYS: the keys sealing raw provider reports. A bad value names the variable and the
// problem, never a key.
Status ReadDataKeys(const ConfigReader& r, ProvidersConfig* out) {
  std::optional<std::string> value = r.Env(kDataKeysEnv);
  if (!value || value->empty()) return Status::Ok();
  Result<bot::DataKeys> keys = bot::ParseDataKeys(*value);
  if (!keys.ok()) {
    return bot::InvalidArgument(std::string("environment variable ") + kDataKeysEnv +
                                " is malformed: " + keys.status().message());
  }
  out->data_keys = std::move(*keys);
  return Status::Ok();
}

}  // namespace

Status ReadProviders(const ConfigReader& r, const YAML::Node& node, ProvidersConfig* out) {
  CONFIG_RETURN_IF_ERROR(ReadDataKeys(r, out));
  Result<bool> present = Section(r, node, "providers");
  if (!present.ok()) return present.status();
  if (!*present) return Status::Ok();
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(node, "providers",
                                    {"llm", "stt", "ocr", "bureau", "embeddings", "budgets",
                                     "prices", "retry", "turn_deadline_s"}));
  struct Part {
    const char* key;
    Status (*read)(const ConfigReader&, const YAML::Node&, ProvidersConfig*);
  };
  const Part kParts[] = {
      {"llm", ReadLlm},
      {"stt", ReadStt},
      {"ocr", ReadOcr},
      {"bureau", ReadBureau},
      {"embeddings", ReadEmbeddings},
      {"budgets", [](const ConfigReader& r, const YAML::Node& n,
                     ProvidersConfig* c) { return ReadBudgets(r, n, &c->budgets); }},
      {"prices", [](const ConfigReader& r, const YAML::Node& n,
                    ProvidersConfig* c) { return ReadPrices(r, n, &c->prices); }},
      {"retry", [](const ConfigReader& r, const YAML::Node& n,
                   ProvidersConfig* c) { return ReadRetry(r, n, &c->retry); }},
  };
  for (const Part& part : kParts) {
    YAML::Node section = node[part.key];
    Result<bool> has = Section(r, section, std::string("providers.") + part.key);
    if (!has.ok()) return has.status();
    if (*has) CONFIG_RETURN_IF_ERROR(part.read(r, section, out));
  }
  long long seconds = 0;
  CONFIG_ASSIGN_OR_RETURN(seconds,
                          r.Integer(node, "turn_deadline_s", out->turn_deadline.count(), 1, 600));
  out->turn_deadline = std::chrono::seconds(seconds);
  return Status::Ok();
}

}  // namespace runner
