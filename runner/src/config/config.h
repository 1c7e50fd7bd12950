// The runner's configuration: a YAML file whose values may reference the environment
// (`${NAME}`, `${NAME:-default}`), so secrets live in the environment and never in the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/campaigns.h"  // AllowedHours
#include "bot/message_credits.h"
#include "bot/status.h"
#include "bot/store.h"  // NumberTenants
#include "bot/value.h"
#include "config/providers_config.h"
#include "server/log.h"

namespace runner {

// How a turn's replies reach the user.
enum class ReplyChannel {
  kRest,   // acknowledge the webhook at once, send the replies through Twilio's REST API
  kTwiml,  // answer the webhook with the replies as TwiML
};

struct AccountConfig {
  std::string name;        // the key in `accounts:`
  std::string sid;         // Twilio AccountSid
  std::string auth_token;  // secret: never logged
  std::string api_origin = "https://api.twilio.com";
};

// An approved WhatsApp template, sent instead of free text outside the 24 h window.
struct TemplateConfig {
  std::string content_sid;        // "HX..."
  std::string content_variables;  // JSON object string; "" = none
};

// One WhatsApp number the runner answers for.
struct NumberConfig {
  std::string to;       // "whatsapp:+14155238886": the To of inbound webhooks
  std::string dialog;   // dialog id run for this number
  bot::VarMap vars;     // prompt variables of new sessions
  std::string account;  // key in RunnerConfig::accounts
  std::optional<TemplateConfig> template_message;
  // Campaigns (docs/campaigns.md): the tenant its campaigns belong to, the default country of
  // imported phone numbers ("" = the number's own country), and when recipients may be written
  // to in their local time.
  std::string tenant = "default";
  std::string region;
  bot::AllowedHours allowed_hours;
};

// A tenant (`tenants:`; docs/runner.md): whether it pays in message credits, and how. A number
// whose tenant is not listed, or has credits off, is never charged nor held.
struct TenantConfig {
  bool credits = false;
  bot::TenantCredits settings;  // charge, daily_cap, time_zone
};

// Where stored events go (docs/events.md): an HTTP endpoint, signed per Standard Webhooks.
struct EventSinkConfig {
  std::string name;  // [a-z0-9_-]; the deliveries' sink
  std::string url;
  enum class Format { kCloudEvents, kWebhook } format = Format::kCloudEvents;
  std::string secret;              // whsec_...: from the environment (secret_env); "" = unsigned
  std::vector<std::string> types;  // event types sent; "*" = all (default)
  int max_attempts = 8;            // then the delivery is dead
  std::chrono::milliseconds timeout{15000};
};

// Leads from Meta lead forms (`meta_leadgen:`; docs/runner.md).
struct LeadPageConfig {
  std::string number;         // the WhatsApp number that writes to the page's leads
  std::string dialog;         // "" = the number's dialog
  std::string region = "MX";  // default country of the form's phone numbers
};
struct MetaLeadgenConfig {
  std::string path = "/meta/leadgen";
  std::string verify_token;  // the subscription handshake's token (verify_token_env)
  std::string app_secret;    // signs X-Hub-Signature-256 (app_secret_env)
  std::string access_token;  // a Page access token with leads_retrieval (access_token_env)
  std::string graph_base_url = "https://graph.facebook.com/v25.0";
  std::map<std::string, LeadPageConfig> pages;  // by page id
};

// A bearer token of the admin API (`admin.tokens[]`): its name is the actor of the audit events.
struct AdminTokenConfig {
  enum class Role {
    kAgent,  // reads conversations, claims, writes, releases, closes
    kAdmin,  // also opts contacts out and acts on conversations other agents hold
  };
  std::string name;  // [A-Za-z0-9._@-]
  Role role = Role::kAgent;
  std::string sha256;  // the 32 bytes of SHA-256(token), from the hex in `sha256_env`
  // `tenants: [a, b]`: it sees and acts on the conversations of these tenants' numbers only
  // (NumberConfig::tenant); empty = every tenant.
  std::vector<std::string> tenants;
};

// `admin.on_duty`: when a conversation enters handoff, one approved WhatsApp template to the
// agent on duty, sent from a bot number through the outbox. Its variables: {{1}} the customer's
// number, {{2}} the dialog, {{3}} the console link.
struct OnDutyConfig {
  std::string number;       // the agent's address, "whatsapp:+593..."
  std::string from;         // the bot number it is sent from: one of `numbers`, with an account
  std::string content_sid;  // "HX..."
  std::string console_url;  // the link's base; default http://<admin listen host:port>/admin/
};

// The admin HTTP API (`admin:`; docs/runner.md "Admin API"): its own listener.
struct AdminConfig {
  std::string host = "127.0.0.1";
  int port = 8081;  // 0 = any free port (tests)
  std::vector<AdminTokenConfig> tokens;
  // The web console: a login unused this long has expired; cookies marked Secure (the console
  // is reached over HTTPS through a proxy).
  std::chrono::seconds session_idle{30 * 60};
  bool secure_cookie = false;
  std::optional<OnDutyConfig> on_duty;  // no notice when absent
};

// Loan reminders (`loan_reminders:`; docs/credit.md "Loan reminders"): the credit desk's
// reminders, queued by the server's scheduler.
struct LoanRemindersConfig {
  // The lender's bot number: the loans of the borrowers who applied on it are reminded, from it.
  std::string number;
  std::map<std::string, std::string> content_sid;  // "before", "due", "overdue" -> "HX..."
  int hour = 9;                                    // local hour the reminders of a day go at
  std::string time_zone = "America/Mexico_City";   // the loans' calendar (IANA id)
};

// `postgres:` (docs/runner.md "botrunner on PostgreSQL"), with a PostgreSQL `database:`.
struct PostgresConfig {
  std::string schema;  // the tables' schema; "" = the connection's default (public)
  // An outbox row a process claimed is due again for the others this long after the claim if
  // that process did not record its send (it died).
  std::chrono::milliseconds outbox_lease{30000};
  // How often the accepted messages no process runs (their process died) are looked for: one
  // still unprocessed a sweep later is run here.
  std::chrono::milliseconds orphan_sweep{5000};
  // The store's connection pool: the most store calls running at once (bot::PostgresOptions).
  int connections = 4;
};

struct RunnerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port (tests)
  // What Twilio is configured with and signs, e.g. "https://bot.example.com" behind a
  // TLS-terminating proxy. Default: http://host:port.
  std::string public_base_url;
  std::string inbound_path = "/twilio/inbound";
  std::string status_path = "/twilio/status";
  // A SQLite file, or a PostgreSQL URI: "postgresql://..." or "postgres://..." (OnPostgres()).
  std::string database = "data/bot.db";
  PostgresConfig postgres;
  std::string media_dir = "data/media";
  std::string dialogs_dir = "dialogs";
  std::string prompts_dir = "prompts";
  ReplyChannel reply_mode = ReplyChannel::kTwiml;
  // TwiML mode: a turn not committed this long after the webhook arrived is answered with an
  // empty <Response/> (Twilio gives up at 15 s); its replies then go through the outbox.
  std::chrono::milliseconds twiml_budget{10000};
  // Every media download of one message (they run at once), redirects included. The webhook's
  // answer waits for them: keep it under Twilio's 15 s.
  std::chrono::milliseconds media_timeout{10000};
  std::vector<NumberConfig> numbers;
  std::map<std::string, AccountConfig> accounts;
  double rate_per_sender = 80;  // messages per second per bot number
  bool insecure_skip_signature = false;
  LogFormat log_format = LogFormat::kJson;  // `log_format: json | plain`
  int workers = 2;         // threads running turns
  int concurrent_sends = 32;  // REST sends in flight at once
  std::chrono::milliseconds read_timeout{15000};
  size_t body_limit = 64 * 1024;
  std::chrono::milliseconds outbox_poll{1000};
  // The campaign scheduler's longest sleep: work another process imported is seen this late.
  std::chrono::milliseconds scheduler_poll{30000};
  std::chrono::milliseconds retry_base{500};  // first retry within this (full jitter), doubling
  std::chrono::milliseconds retry_cap{60000};
  std::string sqlite_synchronous = "normal";
  int sqlite_cache_kib = 8192;  // SQLite's page cache (the default 2 MB rereads index pages)
  bool group_commit = true;  // one commit for the turns that run together (docs/runner.md)
  ProvidersConfig providers;  // `providers:`; nothing configured by default
  std::vector<EventSinkConfig> event_sinks;       // `event_sinks:`; none by default
  std::optional<MetaLeadgenConfig> meta_leadgen;  // `meta_leadgen:`; off by default
  std::optional<AdminConfig> admin;               // `admin:`; no admin listener by default
  std::optional<LoanRemindersConfig> loan_reminders;  // `loan_reminders:`; none by default
  std::map<std::string, TenantConfig> tenants;        // `tenants:`; by name; none by default
  // CloudEvents `source` and type prefix: "com.example.bot" -> type
  // "com.example.bot.lead.qualified".
  std::string event_source = "urn:libbot:botrunner";
  std::string event_type_prefix = "com.libbot";
  std::chrono::milliseconds events_poll{500};         // how often sinks look for new events
  std::chrono::milliseconds events_retry_base{5000};  // first retry of a failed delivery, doubling

  // `database:` is a PostgreSQL URI.
  bool OnPostgres() const;

  // The event types any sink takes, for the Bot (BotOptions::event_types).
  std::vector<std::string> SubscribedEventTypes() const;

  // The tenants with credits on and each number's tenant, for the store (SqliteOptions).
  bot::CreditsPolicy CreditsPolicy() const;
  // Each number's tenant, for the store: every contact carries its number's (docs/store.md).
  bot::NumberTenants TenantsOfNumbers() const;

  const NumberConfig* FindNumber(const std::string& to) const;
  const AccountConfig* FindAccount(const std::string& name) const;
  const AccountConfig* FindAccountBySid(const std::string& sid) const;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// A number as people type it, as the store keeps it: "+5215512345678" and "5215512345678" are
// "whatsapp:+5215512345678"; anything with a channel prefix (or empty) is kept as is.
std::string WhatsAppAddress(const std::string& number);

// Replaces `${NAME}` (error when unset) and `${NAME:-default}` (default when unset or empty)
// in `text`. Anything else, including a lone '$', stays as is. Errors name the variable, never
// a value.
bot::Result<std::string> ExpandEnv(const std::string& text, const EnvLookup& env);

// Parses a YAML document (`origin` names it in errors) into a validated config.
bot::Result<RunnerConfig> ParseConfig(const std::string& yaml, const std::string& origin,
                                      const EnvLookup& env);
bot::Result<RunnerConfig> LoadConfigFile(const std::string& path, const EnvLookup& env);

}  // namespace runner
