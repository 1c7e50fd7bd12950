// The campaigns' scheduled work: open each recipient's dialog when due, remind once, close as
// no_response. Every step is one store transaction that also moves the recipient's status
// (TurnCommit::campaign_step), so a step is never done twice, even across a restart.
#include <sqlite3.h>

#include "bot/campaigns.h"
#include "bot/value.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"

namespace bot {

struct CampaignSource::Db {
  sqlite3* db = nullptr;
  sqlite::Statement next_due;
  sqlite::Statement due;
  ~Db() { sqlite3_close_v2(db); }
};

struct CampaignSource::Due {
  int64_t id = 0;
  int64_t campaign_id = 0;
  std::string address;
  VarMap vars;
  std::string status;
  int64_t session_id = 0;
  TimePoint sent_at;
  std::string number;
  std::string dialog_id;
  std::chrono::seconds follow_up_after{0};
  std::chrono::seconds close_after{0};
  std::string reminder;
  bool held = false;  // a message of its session waits for credits or the daily cap
};

CampaignSource::CampaignSource(std::string db_path, Bot* bot, int batch)
    : db_path_(std::move(db_path)), bot_(bot), batch_(batch) {}
CampaignSource::~CampaignSource() = default;

Status CampaignSource::Open() {
  if (db_) return Status::Ok();
  auto db = std::make_unique<Db>();
  if (Status s = sqlite::OpenMigrated(db_path_, SqliteOptions{}, &db->db); !s.ok()) return s;
  if (Status s = db->next_due.Prepare(
          db->db, "SELECT min(due_at) FROM campaign_recipients WHERE due_at IS NOT NULL");
      !s.ok()) {
    return s;
  }
  if (Status s = db->due.Prepare(
          db->db,
          "SELECT r.id, r.campaign_id, r.address, r.vars, r.status, r.session_id, r.sent_at, "
          "c.number, c.dialog_id, CAST(json_extract(c.options, '$.follow_up_after_s') AS INTEGER), "
          "CAST(json_extract(c.options, '$.close_after_s') AS INTEGER), "
          "coalesce(json_extract(c.options, '$.reminder'), ''), "
          // A message of its session held for credits or the cap (bot/message_credits.h).
          "EXISTS (SELECT 1 FROM contacts k JOIN messages m ON m.contact_id = k.id "
          "WHERE k.channel = c.number AND k.address = r.address AND m.session_id = r.session_id "
          "AND m.status IN ('no_credits', 'over_cap')) "
          "FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id "
          "WHERE r.due_at IS NOT NULL AND r.due_at <= ?1 ORDER BY r.due_at, r.id LIMIT ?2");
      !s.ok()) {
    return s;
  }
  db_ = std::move(db);
  return Status::Ok();
}

Result<std::optional<TimePoint>> CampaignSource::NextDue() {
  if (Status s = Open(); !s.ok()) return s;
  sqlite::Scope next(db_->next_due);
  const int rc = next->Step();
  if (rc != SQLITE_ROW) return sqlite::Error(db_->db, rc, "next due recipient");
  if (next->IsNull(0)) return std::optional<TimePoint>();
  return std::optional<TimePoint>(next->Time(0));
}

Result<int64_t> CampaignSource::RunDue(TimePoint now) {
  if (Status s = Open(); !s.ok()) return s;
  Result<std::vector<Due>> due = std::vector<Due>();
  {
    sqlite::Scope query(db_->due);
    query->Bind(1, now);
    query->Bind(2, static_cast<int64_t>(batch_));
    due = sqlite::CollectRows<Due>(
        *query, "due recipients", [](const sqlite::Statement& row, Due* d) {
          d->id = row.Int(0);
          d->campaign_id = row.Int(1);
          d->address = row.Text(2);
          if (!VarsFromJson(row.Text(3, sqlite::kJsonPadding), &d->vars)) {
            return Internal("campaign recipient " + std::to_string(d->id) + ": bad vars JSON");
          }
          d->status = row.Text(4);
          d->session_id = row.Int(5);
          d->sent_at = row.Time(6);
          d->number = row.Text(7);
          d->dialog_id = row.Text(8);
          d->follow_up_after = std::chrono::seconds(row.Int(9));
          d->close_after = std::chrono::seconds(row.Int(10));
          d->reminder = row.Text(11);
          d->held = row.Int(12) != 0;
          return Status::Ok();
        });
  }
  if (!due.ok()) return due.status();
  int64_t handled = 0;
  for (const Due& d : *due) {
    if (Status s = RunOne(d, now); !s.ok()) return s;
    ++handled;
  }
  // Our reads use another connection: make our writes visible to it (group commit).
  if (Status s = bot_->store().Flush(); !s.ok()) return s;
  return handled;
}

Status CampaignSource::RunOne(const Due& due, TimePoint now) {
  Store& store = bot_->store();
  Result<Contact> contact = store.GetOrCreateContact(due.number, due.address);
  if (!contact.ok()) return contact.status();
  CampaignStep step;
  step.recipient_id = due.id;
  step.from = due.status;
  // A step that only moves the recipient (and maybe the session): one transaction.
  const auto commit = [&](TurnCommit turn, std::string to, std::string reason,
                          std::optional<TimePoint> next) -> Status {
    step.to = std::move(to);
    step.reason = std::move(reason);
    step.next_due = next;
    turn.contact = *contact;
    turn.campaign_step = step;
    turn.now = now;
    Result<CommittedTurn> done = store.CommitTurn(turn);
    if (!done.ok() && done.status().code() != StatusCode::kAlreadyExists) return done.status();
    return Status::Ok();
  };
  const auto finish = [&](std::string to, std::string reason) {
    return commit(TurnCommit(), std::move(to), std::move(reason), std::nullopt);
  };

  std::shared_ptr<const Dialog> dialog = bot_->dialogs()->Find(due.dialog_id);
  if (!dialog) return finish("failed", "no dialog '" + due.dialog_id + "'");

  const auto content_variables = [&](const MessageTemplate& t, const VarMap& vars) {
    VarMap numbered;
    for (size_t i = 0; i < t.variables.size(); ++i) {
      const std::string& name = t.variables[i];
      auto it = vars.find(name);
      std::string value = it != vars.end() ? it->second : std::string();
      if (value.empty() && dialog->variables.contains(name)) value = dialog->variables.at(name);
      numbered[std::to_string(i + 1)] = std::move(value);
    }
    return VarsToJson(numbered);
  };

  if (due.status == "scheduled") {
    if (contact->opted_out) return finish("skipped", "the contact opted out");
    const State* start = dialog->FindState(dialog->start);
    const MessageTemplate* t = start ? dialog->FindTemplate(start->say) : nullptr;
    if (t == nullptr) return finish("failed", "the dialog's opening prompt has no template");
    ScheduledStart opening;
    opening.content_sid = t->content_sid;
    opening.content_variables = content_variables(*t, due.vars);
    opening.step = step;
    opening.step.to = "sent";
    if (due.follow_up_after.count() > 0 && !due.reminder.empty()) {
      opening.step.next_due = now + due.follow_up_after;
    }
    Result<TurnResult> started =
        bot_->StartScheduled(due.number, due.address, due.dialog_id, due.vars, opening);
    if (started.ok()) return Status::Ok();
    if (started.status().code() == StatusCode::kUnavailable) return started.status();
    return finish("failed", started.status().message());
  }

  // "sent" or "reminded" while its message is held (never sent): no follow-up and no closing
  // before it leaves; look again one interval later.
  if (due.held) {
    std::chrono::seconds wait = due.status == "sent" ? due.follow_up_after : due.close_after;
    if (wait.count() <= 0) wait = std::chrono::hours(1);  // never due again at once
    return commit(TurnCommit(), due.status, "", now + wait);
  }
  // "sent" or "reminded": has the contact answered since?
  Result<std::optional<Session>> latest = store.LatestSession(contact->id);
  if (!latest.ok()) return latest.status();
  const std::optional<Session>& session = *latest;
  const bool answered = !session || session->id != due.session_id ||
                        session->status != SessionStatus::kActive ||
                        session->updated_at > due.sent_at;
  if (answered) return finish("replied", "");
  if (due.status == "sent") {
    const MessageTemplate* t = dialog->FindTemplate(due.reminder);
    const std::string* prompt = dialog->FindPrompt(due.reminder);
    if (t == nullptr || prompt == nullptr) {
      return finish("failed", "the reminder '" + due.reminder + "' has no template");
    }
    TurnCommit reminder;
    reminder.replies.push_back(RenderPrompt(*prompt, session->slots, session->vars));
    reminder.content_sid = t->content_sid;
    reminder.content_variables = content_variables(*t, session->vars);
    reminder.audit.push_back({"campaign_reminder", "campaign " + std::to_string(due.campaign_id)});
    return commit(std::move(reminder), "reminded", "", now + due.close_after);
  }
  if (due.status == "reminded") {
    TurnCommit close;
    close.session = *session;
    close.session->status = SessionStatus::kNoResponse;
    close.session->updated_at = now;
    close.audit.push_back({"no_response", "campaign " + std::to_string(due.campaign_id)});
    return commit(std::move(close), "no_response", "", std::nullopt);
  }
  return finish("failed", "unexpected status '" + due.status + "'");
}

}  // namespace bot
