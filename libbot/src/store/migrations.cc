#include "store/migrations.h"

#include <iterator>
#include <string>

#include "store/sqlite_statement.h"

namespace bot::sqlite {

namespace {

// Times are Unix milliseconds (INTEGER). JSON columns are TEXT the JSON1 functions can read.
constexpr const char* kMigrations[] = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,            -- the bot's address, 'whatsapp:+14155238886'
  address TEXT NOT NULL,            -- the user's address
  name TEXT NOT NULL DEFAULT '',
  opted_out_at INTEGER,             -- NULL unless opted out
  last_inbound_at INTEGER,          -- for the 24 h customer-service window
  created_at INTEGER NOT NULL,
  UNIQUE (channel, address)
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  dialog_id TEXT NOT NULL,
  dialog_version INTEGER NOT NULL,
  state TEXT NOT NULL,
  slots TEXT NOT NULL DEFAULT '{}', -- JSON, see SlotsToJson
  vars TEXT NOT NULL DEFAULT '{}',  -- JSON object of strings
  status TEXT NOT NULL,             -- active, done, opted_out, handoff, expired
  attempts INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- The latest session of a contact: ORDER BY id DESC LIMIT 1.
CREATE INDEX sessions_by_contact ON sessions (contact_id, id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  session_id INTEGER REFERENCES sessions(id),
  channel TEXT NOT NULL,            -- the contact's channel, for inbound de-duplication
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text TEXT NOT NULL DEFAULT '',
  media TEXT,                       -- JSON array of attachments, NULL when none
  provider_id TEXT,                 -- Twilio MessageSid; NULL until an outbound one is sent
  status TEXT NOT NULL,             -- in: accepted, processed; out: pending, inline, sent...
  error_code TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  raw TEXT,                         -- the webhook body, for audit
  dialog_id TEXT,                   -- inbound: the dialog its channel runs
  vars TEXT,                        -- inbound: JSON variables for a new session, NULL when none
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- The same MessageSid twice on a channel is stored once.
CREATE UNIQUE INDEX messages_inbound_provider_id ON messages (channel, provider_id)
  WHERE direction = 'in' AND provider_id IS NOT NULL;
-- Status callbacks find the outbound message by its MessageSid.
CREATE INDEX messages_outbound_provider_id ON messages (provider_id)
  WHERE direction = 'out' AND provider_id IS NOT NULL;
-- The outbox scan. Partial: only pending rows are indexed, so it stays as small as the backlog.
CREATE INDEX messages_outbox ON messages (status, next_attempt_at) WHERE status = 'pending';
-- Recovery after a crash: accepted inbound messages nobody processed.
CREATE INDEX messages_unprocessed ON messages (status, id) WHERE status = 'accepted';
CREATE INDEX messages_by_contact ON messages (contact_id, id);

CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  session_id INTEGER REFERENCES sessions(id),
  kind TEXT NOT NULL,               -- 'review', ...
  data TEXT NOT NULL,               -- JSON object of the record's fields (strings)
  created_at INTEGER NOT NULL
);
CREATE INDEX records_by_contact ON records (contact_id, id);
CREATE INDEX records_by_kind ON records (kind, created_at);

CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  kind TEXT NOT NULL,               -- optout, optin, handoff, restart, dialog_changed...
  detail TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX audit_events_by_contact ON audit_events (contact_id, id);

-- The review_rating dialog's results, for plain SQL: SELECT * FROM review_results.
CREATE VIEW review_results AS
SELECT r.id AS id,
       c.address AS contact,
       c.name AS name,
       CAST(json_extract(r.data, '$.rating') AS INTEGER) AS rating,
       json_extract(r.data, '$.feedback') AS feedback,
       r.created_at AS created_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', r.created_at / 1000, 'unixepoch') AS created_at_utc,
       r.session_id AS session_id
FROM records r JOIN contacts c ON c.id = r.contact_id
WHERE r.kind = 'review';
)sql",
    // 2: a voice note's transcript is kept with its inbound message.
    R"sql(
ALTER TABLE messages ADD COLUMN transcript TEXT;
)sql",
    // 3: every provider call (LLM, speech-to-text, OCR), for cost accounting and budgets.
    R"sql(
CREATE TABLE usage_records (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,           -- 'openai', 'anthropic', 'tesseract'
  model TEXT NOT NULL,
  purpose TEXT NOT NULL,            -- 'slot:rating', 'stt', 'ocr:id_card'
  conversation TEXT NOT NULL,       -- the contact's address; '' for none
  at INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  cost_micro_usd INTEGER NOT NULL,  -- from the configured price table
  outcome TEXT NOT NULL,            -- 'ok', 'not_understood', 'failed', 'timeout', 'refused'
  detail TEXT NOT NULL
);
CREATE INDEX usage_by_conversation ON usage_records (conversation);
CREATE INDEX usage_by_time ON usage_records (at);
)sql",
    // 4: documents read by OCR (the newest of a kind is current; older ones stay, marked
    // replaced, for the audit trail) and provider reports kept sealed (encrypted).
    R"sql(
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  session_id INTEGER REFERENCES sessions(id),
  kind TEXT NOT NULL,               -- 'ine', 'proof_of_address'
  slot TEXT NOT NULL,
  path TEXT NOT NULL,               -- the stored file; '' once erased
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  fields TEXT NOT NULL DEFAULT '{}', -- JSON object of what OCR read (strings)
  message_id TEXT NOT NULL DEFAULT '', -- the inbound message that carried it
  created_at INTEGER NOT NULL,
  replaced_at INTEGER               -- NULL while it is the contact's current one of its kind
);
CREATE INDEX documents_by_contact ON documents (contact_id, id);

CREATE TABLE sealed_reports (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  session_id INTEGER REFERENCES sessions(id),
  kind TEXT NOT NULL,               -- 'bureau'
  key_id TEXT NOT NULL,             -- the data key that sealed it, for rotation
  blob BLOB NOT NULL,               -- bot::Seal output
  summary TEXT NOT NULL DEFAULT '', -- readable without the key, e.g. 'score=712'
  created_at INTEGER NOT NULL
);
CREATE INDEX sealed_reports_by_contact ON sealed_reports (contact_id, id);
)sql",
    // 5: the credit desk (bot/credit_desk.h): a human's decision on an application record, the
    // loan an approval opens and its repayment schedule. Money is INTEGER centavos.
    R"sql(
CREATE TABLE application_decisions (
  record_id INTEGER NOT NULL UNIQUE REFERENCES records(id),
  decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
  actor TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  decided_at INTEGER NOT NULL
);

CREATE TABLE loans (
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL UNIQUE REFERENCES records(id),  -- the application
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  amount INTEGER NOT NULL,
  commission INTEGER NOT NULL,
  total INTEGER NOT NULL,
  term_days INTEGER NOT NULL,
  status TEXT NOT NULL,             -- 'active'
  created_at INTEGER NOT NULL
);
CREATE INDEX loans_by_contact ON loans (contact_id, id);

CREATE TABLE loan_payments (
  loan_id INTEGER NOT NULL REFERENCES loans(id),
  number INTEGER NOT NULL,          -- 1, 2, ...
  due_date TEXT NOT NULL,           -- 'YYYY-MM-DD'
  amount INTEGER NOT NULL,
  PRIMARY KEY (loan_id, number)
);
)sql",
    // 6: inbound de-duplication per contact. Keyed by (channel, MessageSid), every new message
    // landed on a random leaf of the index and each commit wrote one more page per message;
    // keyed by contact, a conversation's messages share a leaf, near the end for new contacts.
    // A Twilio retry repeats the same From, so it is still found.
    R"sql(
DROP INDEX messages_inbound_provider_id;
CREATE UNIQUE INDEX messages_inbound_provider_id ON messages (contact_id, provider_id)
  WHERE direction = 'in' AND provider_id IS NOT NULL;
)sql",
    // 7: lead qualification. The offers catalogue of each number with its full-text index
    // (knowledge/), the events turns emit and their deliveries to the event sinks.
    R"sql(
CREATE TABLE offers (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL,             -- the bot's address whose catalogue this is
  offer_id TEXT NOT NULL,           -- the client's id
  title TEXT NOT NULL,
  operation TEXT NOT NULL,          -- venta, renta
  zone TEXT NOT NULL,
  type TEXT NOT NULL,
  price_cents INTEGER NOT NULL,     -- per month for renta
  currency TEXT NOT NULL,
  bedrooms INTEGER NOT NULL,
  features TEXT NOT NULL,           -- JSON array of strings
  description TEXT NOT NULL,
  link TEXT NOT NULL,
  ad_ids TEXT NOT NULL,             -- JSON array of strings
  search_text TEXT NOT NULL,        -- what the index holds: folded words, stems, synonyms
  embedding BLOB,                   -- float32 vector, or NULL
  embedding_model TEXT,
  offered INTEGER NOT NULL DEFAULT 1, -- 0 once an import no longer lists it
  updated_at INTEGER NOT NULL,
  UNIQUE (number, offer_id)
);
-- A search's filters read from the index alone: no row is read until one is kept.
CREATE INDEX offers_filters ON offers (number, offered, operation, type, zone, currency, bedrooms,
                                       price_cents);
CREATE VIRTUAL TABLE offers_fts USING fts5(
  search_text, content='offers', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER offers_fts_insert AFTER INSERT ON offers BEGIN
  INSERT INTO offers_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER offers_fts_delete AFTER DELETE ON offers BEGIN
  INSERT INTO offers_fts (offers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER offers_fts_update AFTER UPDATE OF search_text ON offers BEGIN
  INSERT INTO offers_fts (offers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO offers_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  session_id INTEGER,
  type TEXT NOT NULL,               -- lead.qualified, message.received ...
  data TEXT NOT NULL,               -- JSON object
  created_at INTEGER NOT NULL
);
-- One row per event and sink, added by the sink's worker (EventQueue::Fanout).
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),
  sink TEXT NOT NULL,
  contact_id INTEGER NOT NULL,
  status TEXT NOT NULL,             -- pending, delivered, dead
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER,
  UNIQUE (event_id, sink)
);
CREATE INDEX deliveries_pending ON deliveries (sink, contact_id, id) WHERE status = 'pending';
CREATE TABLE sink_cursors (
  sink TEXT PRIMARY KEY,
  last_event_id INTEGER NOT NULL    -- events up to this one have their deliveries
);

-- Meta lead-form notifications, durable before the webhook is answered (lead_inbox.h).
CREATE TABLE lead_notifications (
  id INTEGER PRIMARY KEY,
  leadgen_id TEXT NOT NULL UNIQUE,
  page_id TEXT NOT NULL,
  form_id TEXT NOT NULL,
  ad_id TEXT NOT NULL,
  status TEXT NOT NULL,             -- accepted, started, failed, ignored
  reason TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql",
    // 8: the operators' desk (the admin API): who wrote an outbound message, and who holds a
    // conversation.
    R"sql(
-- Outbound: 'bot' (the dialog) or 'agent' (a person, through the admin API). Inbound rows keep
-- the default and are the user's.
ALTER TABLE messages ADD COLUMN author TEXT NOT NULL DEFAULT 'bot';
-- The agent (admin token name) who wrote an 'agent' message.
ALTER TABLE messages ADD COLUMN agent TEXT;
-- The agent a conversation is assigned to; no row: nobody holds it. It counts only while its
-- session is the contact's latest and in handoff.
CREATE TABLE claims (
  contact_id INTEGER PRIMARY KEY REFERENCES contacts(id),
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  agent TEXT NOT NULL,
  claimed_at INTEGER NOT NULL
);
)sql",
    // 9: campaigns (bot/campaigns.h): conversations the bot starts from an imported list, at a
    // scheduled time, with an approved template; and the template an outbound message is sent as.
    R"sql(
-- Outbound: the approved template (Twilio ContentSid) the message is sent as, with its variables
-- (a JSON object string); NULL: sent as text. The text is what the template says, for the
-- transcript.
ALTER TABLE messages ADD COLUMN content_sid TEXT;
ALTER TABLE messages ADD COLUMN content_variables TEXT;

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  number TEXT NOT NULL,             -- the bot's address, 'whatsapp:+14155238886'
  dialog_id TEXT NOT NULL,
  source TEXT NOT NULL,             -- the imported file's name
  options TEXT NOT NULL,            -- JSON: send_after_s, follow_up_after_s, close_after_s, quiet hours
  created_at INTEGER NOT NULL
);

-- One row per campaign and contact: the scheduler's work. status:
--   scheduled -> sent -> reminded -> no_response      (due_at: the next thing to do)
--                     or -> replied (the contact answered)
--   skipped (opted out before it was due), failed (could not start; reason), cancelled.
CREATE TABLE campaign_recipients (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  address TEXT NOT NULL,            -- 'whatsapp:+593987654321'
  vars TEXT NOT NULL,               -- JSON object: the dialog variables of this contact
  appointment_at INTEGER,           -- NULL when the file gave none
  time_zone TEXT NOT NULL,          -- the contact's IANA zone (quiet hours)
  line INTEGER NOT NULL,            -- in the imported file
  due_at INTEGER,                   -- the next step's time; NULL once nothing is left to do
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  session_id INTEGER REFERENCES sessions(id),
  sent_at INTEGER,
  updated_at INTEGER NOT NULL,
  UNIQUE (campaign_id, address)
);
CREATE INDEX campaign_recipients_due ON campaign_recipients (due_at) WHERE due_at IS NOT NULL;
)sql",
    // 10: the lender (issue 16). Contacts a provider says can never be reached (Twilio 21610
    // unsubscribed, 21211 invalid number): the outbox fails their messages instead of sending.
    // Loan payments: what each instalment has received, the payments by transaction reference,
    // and the reminders already queued (never twice).
    R"sql(
ALTER TABLE contacts ADD COLUMN unreachable_code TEXT;    -- NULL while reachable
ALTER TABLE contacts ADD COLUMN unreachable_reason TEXT;
ALTER TABLE contacts ADD COLUMN unreachable_at INTEGER;
CREATE INDEX contacts_unreachable ON contacts (id) WHERE unreachable_code IS NOT NULL;
CREATE INDEX messages_failed ON messages (id)
  WHERE direction = 'out' AND status IN ('failed', 'undelivered', 'not_sendable');

ALTER TABLE loan_payments ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;  -- centavos received
ALTER TABLE loan_payments ADD COLUMN paid_at INTEGER;    -- when it was fully paid
CREATE TABLE loan_transactions (
  id INTEGER PRIMARY KEY,
  loan_id INTEGER NOT NULL REFERENCES loans(id),
  reference TEXT NOT NULL UNIQUE,   -- the bank's transaction reference: a payment is kept once
  amount INTEGER NOT NULL,
  method TEXT NOT NULL,             -- 'spei', 'oxxo', 'cash' ...
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE loan_allocations (
  transaction_id INTEGER NOT NULL REFERENCES loan_transactions(id),
  number INTEGER NOT NULL,          -- the instalment
  amount INTEGER NOT NULL,
  PRIMARY KEY (transaction_id, number)
);
CREATE TABLE loan_reminders (
  loan_id INTEGER NOT NULL REFERENCES loans(id),
  number INTEGER NOT NULL,          -- the instalment
  kind TEXT NOT NULL CHECK (kind IN ('before', 'due', 'overdue')),
  message_id INTEGER NOT NULL REFERENCES messages(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (loan_id, number, kind)
);
)sql",
    // 11: message credits and the daily cap per tenant (bot/message_credits.h). A balance per
    // tenant, every movement a ledger row; outbound messages held as 'no_credits' or 'over_cap'.
    R"sql(
CREATE TABLE credit_balances (
  tenant TEXT PRIMARY KEY,
  balance INTEGER NOT NULL,         -- may go below 0 only by inline (TwiML) replies
  updated_at INTEGER NOT NULL
);
CREATE TABLE credit_ledger (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  delta INTEGER NOT NULL,           -- +n credits added, -1 a message paid for
  balance_after INTEGER NOT NULL,
  reason TEXT NOT NULL,             -- 'template' / 'reply' for a message, else the one given
  actor TEXT NOT NULL,              -- 'bot' for a message, else who added the credits
  message_id INTEGER REFERENCES messages(id),  -- the message it paid for; NULL for none
  at INTEGER NOT NULL
);
-- The day's count of business-initiated messages (the cap) and the recent rows.
CREATE INDEX credit_ledger_by_tenant ON credit_ledger (tenant, at);
-- Held messages, released oldest first.
CREATE INDEX messages_held ON messages (status, id) WHERE status IN ('no_credits', 'over_cap');
)sql",
    // 12: campaign links whose clicks are counted (campaign.track_links): the target each
    // recipient's token redirects to, and each click (GET /r/<token>) with its time and browser.
    R"sql(
CREATE TABLE tracked_links (
  token TEXT PRIMARY KEY,           -- 16 random bytes, base64url
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  recipient_id INTEGER NOT NULL REFERENCES campaign_recipients(id),
  variable TEXT NOT NULL,           -- the dialog variable it replaced, 'review_link'
  target_url TEXT NOT NULL,         -- where /r/<token> redirects: the variable's value
  created_at INTEGER NOT NULL
);
CREATE INDEX tracked_links_by_campaign ON tracked_links (campaign_id);
CREATE TABLE link_clicks (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL REFERENCES tracked_links(token),
  at INTEGER NOT NULL,
  user_agent TEXT NOT NULL          -- the User-Agent header; no address, no cookie
);
CREATE INDEX link_clicks_by_token ON link_clicks (token);
)sql",
    // 13: every contact carries its tenant: its number's tenant when it was created
    // (NumberTenants). The other rows of a contact are the tenant's through their contact_id;
    // campaigns and credits carry theirs already. '' = a contact stored before this migration,
    // until a store opened with number tenants gives it its number's (store/number_tenants.h).
    R"sql(
ALTER TABLE contacts ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
CREATE INDEX contacts_by_tenant ON contacts (tenant, id);
)sql",
};

Status ReadVersion(sqlite3* db, int* version) {
  Statement stmt;
  if (Status s = stmt.Prepare(db, "PRAGMA user_version"); !s.ok()) return s;
  if (stmt.Step() != SQLITE_ROW) return Error(db, sqlite3_errcode(db), "read user_version");
  *version = static_cast<int>(stmt.Int(0));
  return Status::Ok();
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status Migrate(sqlite3* db) {
  int version = 0;
  if (Status s = ReadVersion(db, &version); !s.ok()) return s;
  if (version > LatestSchemaVersion()) {
    return Internal("database schema version " + std::to_string(version) +
                    " is newer than this build knows (" + std::to_string(LatestSchemaVersion()) +
                    ")");
  }
  for (int next = version + 1; next <= LatestSchemaVersion(); ++next) {
    // The version is re-read inside the write lock so two processes opening the same new file
    // at once do not both apply a migration.
    if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    int current = 0;
    Status status = ReadVersion(db, &current);
    if (status.ok() && current < next) {
      status = Exec(db, std::string(kMigrations[next - 1]) +
                            "\nPRAGMA user_version = " + std::to_string(next) + ";");
    }
    if (!status.ok()) {
      (void)Exec(db, "ROLLBACK");
      return Status(status.code(), "migration " + std::to_string(next) + ": " + status.message());
    }
    if (Status s = Exec(db, "COMMIT"); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace bot::sqlite
