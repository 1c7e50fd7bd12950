// Loading the runner config: yaml-cpp for structure, ${ENV} expansion on every scalar value.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bot/text.h"
#include "config/admin_config.h"
#include "config/config_reader.h"
#include "config/loan_reminders_config.h"
#include "config/postgres_config.h"
#include "config/tenants_config.h"

namespace runner {
namespace {

using bot::InvalidArgument;
using bot::Result;
using bot::Status;

Status ReadAccounts(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return r.Error(node, "'accounts' must map names to accounts");
  for (const auto& item : node) {
    AccountConfig account;
    account.name = item.first.Scalar();
    const YAML::Node& body = item.second;
    if (!body.IsMap()) return r.Error(body, "account '" + account.name + "' must be a mapping");
    CONFIG_ASSIGN_OR_RETURN(account.sid, r.String(body, "sid", ""));
    CONFIG_ASSIGN_OR_RETURN(account.auth_token, r.String(body, "auth_token", ""));
    CONFIG_ASSIGN_OR_RETURN(account.api_origin,
                            r.String(body, "api_origin", "https://api.twilio.com"));
    if (account.auth_token.empty()) {
      return r.Error(body, "account '" + account.name + "' needs an auth_token");
    }
    while (!account.api_origin.empty() && account.api_origin.back() == '/') {
      account.api_origin.pop_back();
    }
    config->accounts[account.name] = std::move(account);
  }
  return Status::Ok();
}

// event_sinks: [{name, url, format, secret_env, types, max_attempts, timeout_ms}]
Status ReadEventSinks(const ConfigReader& r, const YAML::Node& node,
                      std::vector<EventSinkConfig>* sinks) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) return r.Error(node, "'event_sinks' must be a list");
  for (const auto& item : node) {
    if (!item.IsMap()) return r.Error(item, "each event sink must be a mapping");
    CONFIG_RETURN_IF_ERROR(
        r.OnlyKeys(item, "an event sink",
                   {"name", "url", "format", "secret_env", "types", "max_attempts", "timeout_ms"}));
    EventSinkConfig sink;
    CONFIG_ASSIGN_OR_RETURN(sink.name, r.String(item, "name", ""));
    CONFIG_ASSIGN_OR_RETURN(sink.url, r.String(item, "url", ""));
    const bool named =
        !sink.name.empty() && std::all_of(sink.name.begin(), sink.name.end(), [](char c) {
          return std::islower(static_cast<unsigned char>(c)) ||
                 std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
    if (!named) return r.Error(item, "an event sink needs a name of a-z, 0-9, _ and -");
    for (const EventSinkConfig& other : *sinks) {
      if (other.name == sink.name) return r.Error(item, "event sink '" + sink.name + "' twice");
    }
    if (sink.url.rfind("http://", 0) != 0 && sink.url.rfind("https://", 0) != 0) {
      return r.Error(item, "event sink '" + sink.name + "' needs an http(s) url");
    }
    std::string format;
    CONFIG_ASSIGN_OR_RETURN(format, r.String(item, "format", "cloudevents"));
    if (format == "webhook") {
      sink.format = EventSinkConfig::Format::kWebhook;
    } else if (format != "cloudevents") {
      return r.Error(item["format"], "format must be cloudevents or webhook, not '" + format + "'");
    }
    CONFIG_ASSIGN_OR_RETURN(
        sink.secret, r.SecretFromEnv(item, "secret_env", "event sink '" + sink.name + "'", false));
    YAML::Node types = item["types"];
    if (types.IsDefined() && !types.IsNull()) {
      if (!types.IsSequence()) return r.Error(types, "types must be a list of event types");
      for (const auto& type : types) sink.types.push_back(type.Scalar());
    }
    if (sink.types.empty()) sink.types.push_back("*");
    long long value = 0;
    CONFIG_ASSIGN_OR_RETURN(value, r.Integer(item, "max_attempts", sink.max_attempts, 1, 100));
    sink.max_attempts = static_cast<int>(value);
    CONFIG_ASSIGN_OR_RETURN(value,
                            r.Integer(item, "timeout_ms", sink.timeout.count(), 100, 120000));
    sink.timeout = std::chrono::milliseconds(value);
    sinks->push_back(std::move(sink));
  }
  return Status::Ok();
}

// meta_leadgen: {path, verify_token_env, app_secret_env, access_token_env, graph_base_url,
//                pages: {"<page id>": {number, dialog, region}}}
Status ReadMetaLeadgen(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return r.Error(node, "'meta_leadgen' must be a mapping");
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(node, "meta_leadgen",
                                    {"path", "verify_token_env", "app_secret_env",
                                     "access_token_env", "graph_base_url", "pages"}));
  MetaLeadgenConfig m;
  CONFIG_ASSIGN_OR_RETURN(m.path, r.String(node, "path", m.path));
  if (m.path.empty() || m.path[0] != '/')
    return r.Error(node, "meta_leadgen path must start with /");
  CONFIG_ASSIGN_OR_RETURN(m.verify_token,
                          r.SecretFromEnv(node, "verify_token_env", "meta_leadgen", true));
  CONFIG_ASSIGN_OR_RETURN(m.app_secret,
                          r.SecretFromEnv(node, "app_secret_env", "meta_leadgen", true));
  CONFIG_ASSIGN_OR_RETURN(m.access_token,
                          r.SecretFromEnv(node, "access_token_env", "meta_leadgen", true));
  CONFIG_ASSIGN_OR_RETURN(m.graph_base_url, r.String(node, "graph_base_url", m.graph_base_url));
  while (!m.graph_base_url.empty() && m.graph_base_url.back() == '/') m.graph_base_url.pop_back();
  YAML::Node pages = node["pages"];
  if (!pages.IsMap() || pages.size() == 0) {
    return r.Error(node, "meta_leadgen needs pages: {\"<page id>\": {number: ...}}");
  }
  for (const auto& item : pages) {
    const std::string id = item.first.Scalar();
    const YAML::Node& body = item.second;
    if (!body.IsMap()) return r.Error(body, "page " + id + " must be a mapping");
    CONFIG_RETURN_IF_ERROR(r.OnlyKeys(body, "page " + id, {"number", "dialog", "region"}));
    LeadPageConfig page;
    CONFIG_ASSIGN_OR_RETURN(page.number, r.String(body, "number", ""));
    CONFIG_ASSIGN_OR_RETURN(page.dialog, r.String(body, "dialog", ""));
    CONFIG_ASSIGN_OR_RETURN(page.region, r.String(body, "region", page.region));
    const NumberConfig* number = config->FindNumber(page.number);
    if (number == nullptr)
      return r.Error(body, "page " + id + ": number '" + page.number + "' is not in numbers");
    if (page.dialog.empty()) page.dialog = number->dialog;
    m.pages[id] = std::move(page);
  }
  config->meta_leadgen = std::move(m);
  return Status::Ok();
}

Status ReadNumbers(const ConfigReader& r, const YAML::Node& node, RunnerConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) return r.Error(node, "'numbers' must be a list");
  for (const auto& item : node) {
    if (!item.IsMap()) return r.Error(item, "each number must be a mapping");
    NumberConfig number;
    CONFIG_ASSIGN_OR_RETURN(number.to, r.String(item, "to", ""));
    CONFIG_ASSIGN_OR_RETURN(number.dialog, r.String(item, "dialog", ""));
    CONFIG_ASSIGN_OR_RETURN(number.account, r.String(item, "account", ""));
    if (number.to.empty()) return r.Error(item, "a number needs 'to'");
    if (number.dialog.empty()) return r.Error(item, "number " + number.to + " needs 'dialog'");
    if (config->FindNumber(number.to) != nullptr) {
      return r.Error(item, "number " + number.to + " is listed twice");
    }
    if (number.account.empty() && config->accounts.size() == 1) {
      number.account = config->accounts.begin()->first;
    }
    if (!number.account.empty() && config->FindAccount(number.account) == nullptr) {
      return r.Error(item, "number " + number.to + ": unknown account '" + number.account + "'");
    }
    YAML::Node vars = item["vars"];
    if (vars.IsDefined() && !vars.IsNull()) {
      if (!vars.IsMap()) return r.Error(vars, "'vars' must be a mapping");
      for (const auto& var : vars) {
        std::string name = var.first.Scalar();
        CONFIG_ASSIGN_OR_RETURN(number.vars[name], r.String(vars, name.c_str(), ""));
      }
    }
    YAML::Node tmpl = item["template"];
    if (tmpl.IsDefined() && !tmpl.IsNull()) {
      if (!tmpl.IsMap()) return r.Error(tmpl, "'template' must be a mapping");
      TemplateConfig t;
      CONFIG_ASSIGN_OR_RETURN(t.content_sid, r.String(tmpl, "content_sid", ""));
      CONFIG_ASSIGN_OR_RETURN(t.content_variables, r.String(tmpl, "content_variables", ""));
      if (t.content_sid.empty()) return r.Error(tmpl, "'template' needs 'content_sid'");
      number.template_message = std::move(t);
    }
    CONFIG_ASSIGN_OR_RETURN(number.tenant, r.String(item, "tenant", "default"));
    CONFIG_ASSIGN_OR_RETURN(number.region, r.String(item, "region", ""));
    std::string hours;
    CONFIG_ASSIGN_OR_RETURN(hours, r.String(item, "allowed_hours", "08:00-20:00"));
    if (!bot::ParseAllowedHours(hours, &number.allowed_hours)) {
      return r.Error(item, "number " + number.to + ": allowed_hours '" + hours +
                               "' is not like 08:00-20:00");
    }
    if (number.tenant.empty()) return r.Error(item, "number " + number.to + ": empty tenant");
    config->numbers.push_back(std::move(number));
  }
  return Status::Ok();
}

Status ReadPath(const ConfigReader& r, const YAML::Node& map, const char* key, std::string* out) {
  std::string fallback = *out;
  CONFIG_ASSIGN_OR_RETURN(*out, r.String(map, key, fallback));
  if (out->empty() || (*out)[0] != '/') {
    return r.Error(map[key], std::string("webhook path '") + key + "' must start with '/'");
  }
  return Status::Ok();
}

Status Validate(const ConfigReader& r, const YAML::Node& root, RunnerConfig* config) {
  if (config->numbers.empty()) return r.Error(root, "'numbers' must list at least one number");
  if (config->reply_mode == ReplyChannel::kRest) {
    for (const NumberConfig& number : config->numbers) {
      if (number.account.empty()) {
        return r.Error(root["numbers"], "reply_mode rest: number " + number.to +
                                            " needs an account to send with");
      }
    }
  }
  if (config->public_base_url.empty()) {
    config->public_base_url = "http://" + config->host + ":" + std::to_string(config->port);
  }
  while (!config->public_base_url.empty() && config->public_base_url.back() == '/') {
    config->public_base_url.pop_back();
  }
  if (config->public_base_url.rfind("http://", 0) != 0 &&
      config->public_base_url.rfind("https://", 0) != 0) {
    return r.Error(root["public_base_url"], "'public_base_url' must start with http:// or https://");
  }
  return Status::Ok();
}

}  // namespace

bool RunnerConfig::OnPostgres() const { return IsPostgresUri(database); }

std::vector<std::string> RunnerConfig::SubscribedEventTypes() const {
  std::vector<std::string> types;
  for (const EventSinkConfig& sink : event_sinks) {
    for (const std::string& type : sink.types) {
      if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    }
  }
  return types;
}

const NumberConfig* RunnerConfig::FindNumber(const std::string& to) const {
  for (const NumberConfig& number : numbers) {
    if (number.to == to) return &number;
  }
  return nullptr;
}

const AccountConfig* RunnerConfig::FindAccount(const std::string& name) const {
  auto it = accounts.find(name);
  return it == accounts.end() ? nullptr : &it->second;
}

const AccountConfig* RunnerConfig::FindAccountBySid(const std::string& sid) const {
  for (const auto& [name, account] : accounts) {
    if (!sid.empty() && account.sid == sid) return &account;
  }
  return nullptr;
}

std::string WhatsAppAddress(const std::string& number) {
  if (number.empty() || number.find(':') != std::string::npos) return number;
  return "whatsapp:" + (number[0] == '+' ? number : "+" + number);
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> ExpandEnv(const std::string& text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back(text[i++]);
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string::npos) return InvalidArgument("unterminated '${' in a value");
    std::string inner = text.substr(i + 2, close - i - 2);
    std::string name = inner;
    std::optional<std::string> fallback;
    if (size_t sep = inner.find(":-"); sep != std::string::npos) {
      name = inner.substr(0, sep);
      fallback = inner.substr(sep + 2);
    }
    bool valid = !name.empty();
    for (char c : name) {
      valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    }
    if (!valid) return InvalidArgument("bad environment reference '${" + inner + "}'");
    std::optional<std::string> value = env(name);
    if (fallback && (!value || value->empty())) {
      out += *fallback;
    } else if (value) {
      out += *value;
    } else {
      return InvalidArgument("environment variable " + name + " is not set");
    }
    i = close + 1;
  }
  return out;
}

Result<RunnerConfig> ParseConfig(const std::string& yaml, const std::string& origin,
                                 const EnvLookup& env) {
  // yaml-cpp takes any bytes; the config's texts reach customers and the store's JSON.
  if (std::string bad = bot::DescribeInvalidUtf8(yaml, origin); !bad.empty()) {
    return InvalidArgument(bad);
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  ConfigReader r(origin, env);
  if (!root.IsMap()) return r.Error(root, "the config must be a mapping");
  // A misspelt key (`media_timout_ms`) would otherwise leave its default in force, silently.
  // clang-format off
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(root, "the config", {
      "accounts", "admin", "body_limit", "concurrent_sends", "database", "dialogs", "event_sinks",
      "event_source", "event_type_prefix", "events_poll_ms", "events_retry_base_ms",
      "group_commit", "insecure_skip_signature", "listen", "loan_reminders", "log_format",
      "media_dir", "media_timeout_ms", "meta_leadgen", "numbers", "outbox_poll_ms", "postgres",
      "prompts", "providers", "public_base_url", "rate_per_sender", "read_timeout_ms", "reply_mode",
      "retry_base_ms", "retry_cap_ms", "scheduler_poll_ms", "sqlite_cache_kib",
      "sqlite_synchronous", "tenants", "twiml_budget_ms", "webhooks", "workers"}));
  // clang-format on
  RunnerConfig config;
  try {
    YAML::Node listen = root["listen"];
    if (listen.IsDefined() && !listen.IsMap()) return r.Error(listen, "'listen' must be a mapping");
    YAML::Node l = listen.IsDefined() ? listen : YAML::Node(YAML::NodeType::Map);
    CONFIG_ASSIGN_OR_RETURN(config.host, r.String(l, "host", config.host));
    CONFIG_ASSIGN_OR_RETURN(config.port, r.Integer(l, "port", config.port, 0, 65535));
    CONFIG_ASSIGN_OR_RETURN(config.public_base_url, r.String(root, "public_base_url", ""));

    YAML::Node hooks = root["webhooks"];
    YAML::Node h = hooks.IsDefined() ? hooks : YAML::Node(YAML::NodeType::Map);
    if (!h.IsMap()) return r.Error(hooks, "'webhooks' must be a mapping");
    CONFIG_RETURN_IF_ERROR(ReadPath(r, h, "inbound", &config.inbound_path));
    CONFIG_RETURN_IF_ERROR(ReadPath(r, h, "status", &config.status_path));
    if (config.inbound_path == config.status_path) {
      return r.Error(hooks, "the inbound and status webhooks need different paths");
    }

    CONFIG_ASSIGN_OR_RETURN(config.database,
                            r.String(root, "database", "${DATA_DIR:-data}/bot.db"));
    CONFIG_ASSIGN_OR_RETURN(config.media_dir,
                            r.String(root, "media_dir", "${DATA_DIR:-data}/media"));
    CONFIG_ASSIGN_OR_RETURN(config.dialogs_dir, r.String(root, "dialogs", config.dialogs_dir));
    CONFIG_ASSIGN_OR_RETURN(config.prompts_dir, r.String(root, "prompts", config.prompts_dir));

    std::string mode;
    CONFIG_ASSIGN_OR_RETURN(mode, r.String(root, "reply_mode", "twiml"));
    if (mode == "rest") {
      config.reply_mode = ReplyChannel::kRest;
    } else if (mode == "twiml") {
      config.reply_mode = ReplyChannel::kTwiml;
    } else {
      return r.Error(root["reply_mode"], "'reply_mode' must be rest or twiml, not '" + mode + "'");
    }
    CONFIG_ASSIGN_OR_RETURN(config.rate_per_sender,
                            r.Number(root, "rate_per_sender", config.rate_per_sender));
    CONFIG_ASSIGN_OR_RETURN(config.insecure_skip_signature,
                            r.Bool(root, "insecure_skip_signature", false));
    std::string log_format;
    CONFIG_ASSIGN_OR_RETURN(log_format, r.String(root, "log_format", "json"));
    if (log_format != "json" && log_format != "plain") {
      return r.Error(root["log_format"], "'log_format' must be json or plain");
    }
    config.log_format = ParseLogFormat(log_format);
    CONFIG_ASSIGN_OR_RETURN(config.workers, r.Integer(root, "workers", config.workers, 1, 64));
    CONFIG_ASSIGN_OR_RETURN(config.concurrent_sends,
                            r.Integer(root, "concurrent_sends", config.concurrent_sends, 1, 1024));
    long long ms = 0;
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "twiml_budget_ms", config.twiml_budget.count(), 100, 14000));
    config.twiml_budget = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "media_timeout_ms", config.media_timeout.count(), 100, 14000));
    config.media_timeout = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "read_timeout_ms", config.read_timeout.count(), 100, 600000));
    config.read_timeout = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "outbox_poll_ms", config.outbox_poll.count(), 10, 600000));
    config.outbox_poll = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "scheduler_poll_ms", config.scheduler_poll.count(), 10, 3600000));
    config.scheduler_poll = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "retry_base_ms", config.retry_base.count(), 1, 3600000));
    config.retry_base = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(ms,
                            r.Integer(root, "retry_cap_ms", config.retry_cap.count(), 1, 86400000));
    config.retry_cap = std::chrono::milliseconds(ms);
    long long limit = 0;
    CONFIG_ASSIGN_OR_RETURN(
        limit, r.Integer(root, "body_limit", static_cast<long long>(config.body_limit), 1024,
                         16 * 1024 * 1024));
    config.body_limit = static_cast<size_t>(limit);
    CONFIG_ASSIGN_OR_RETURN(config.sqlite_synchronous,
                            r.String(root, "sqlite_synchronous", config.sqlite_synchronous));
    CONFIG_ASSIGN_OR_RETURN(config.sqlite_cache_kib,
                            r.Integer(root, "sqlite_cache_kib", config.sqlite_cache_kib, 100,
                                      4 * 1024 * 1024));
    CONFIG_ASSIGN_OR_RETURN(config.group_commit,
                            r.Bool(root, "group_commit", config.group_commit));

    CONFIG_RETURN_IF_ERROR(ReadAccounts(r, root["accounts"], &config));
    CONFIG_RETURN_IF_ERROR(ReadNumbers(r, root["numbers"], &config));
    CONFIG_RETURN_IF_ERROR(ReadTenants(r, root["tenants"], &config));
    CONFIG_RETURN_IF_ERROR(ReadProviders(r, root["providers"], &config.providers));
    CONFIG_RETURN_IF_ERROR(ReadEventSinks(r, root["event_sinks"], &config.event_sinks));
    CONFIG_RETURN_IF_ERROR(ReadMetaLeadgen(r, root["meta_leadgen"], &config));
    CONFIG_RETURN_IF_ERROR(ReadAdmin(r, root["admin"], config.numbers, &config.admin));
    CONFIG_RETURN_IF_ERROR(ReadLoanReminders(r, root["loan_reminders"], &config));
    CONFIG_RETURN_IF_ERROR(ReadPostgres(r, root["postgres"], &config));
    CONFIG_ASSIGN_OR_RETURN(config.event_source,
                            r.String(root, "event_source", config.event_source));
    CONFIG_ASSIGN_OR_RETURN(config.event_type_prefix,
                            r.String(root, "event_type_prefix", config.event_type_prefix));
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "events_poll_ms", config.events_poll.count(), 10, 600000));
    config.events_poll = std::chrono::milliseconds(ms);
    CONFIG_ASSIGN_OR_RETURN(
        ms, r.Integer(root, "events_retry_base_ms", config.events_retry_base.count(), 1, 3600000));
    config.events_retry_base = std::chrono::milliseconds(ms);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  CONFIG_RETURN_IF_ERROR(Validate(r, root, &config));
  return config;
}

Result<RunnerConfig> LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bot::NotFound("cannot read config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, env);
}

}  // namespace runner
