// SqliteLeadInbox: the lead_notifications table.
#include <mutex>

#include "bot/lead_inbox.h"
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

Status ReadLead(const sqlite::Statement& row, LeadNotification* n) {
  n->id = row.Int(0);
  n->leadgen_id = row.Text(1);
  n->page_id = row.Text(2);
  n->form_id = row.Text(3);
  n->ad_id = row.Text(4);
  n->status = row.Text(5);
  n->reason = row.Text(6);
  n->received_at = row.Time(7);
  return Status::Ok();
}

constexpr const char* kColumns =
    "id, leadgen_id, page_id, form_id, ad_id, status, reason, received_at FROM lead_notifications";

}  // namespace

struct SqliteLeadInbox::Impl {
  sqlite3* db = nullptr;
  std::mutex mu;
  sqlite::Statement insert, pending, list, finish;
  ~Impl() { sqlite3_close_v2(db); }
};

SqliteLeadInbox::SqliteLeadInbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteLeadInbox::~SqliteLeadInbox() = default;

Result<std::unique_ptr<SqliteLeadInbox>> SqliteLeadInbox::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (Status s = sqlite::OpenMigrated(path, SqliteOptions{}, &impl->db); !s.ok()) return s;
  const std::pair<sqlite::Statement*, std::string> statements[] = {
      {&impl->insert,
       "INSERT OR IGNORE INTO lead_notifications (leadgen_id, page_id, form_id, ad_id, status, "
       "reason, received_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'accepted', '', ?5, ?5)"},
      {&impl->pending,
       std::string("SELECT ") + kColumns + " WHERE status = 'accepted' ORDER BY id"},
      {&impl->list, std::string("SELECT ") + kColumns + " ORDER BY id DESC LIMIT ?1"},
      {&impl->finish,
       "UPDATE lead_notifications SET status = ?2, reason = ?3, updated_at = ?4 "
       "WHERE leadgen_id = ?1"},
  };
  for (const auto& [stmt, sql] : statements) {
    if (Status s = stmt->Prepare(impl->db, sql); !s.ok()) return s;
  }
  return std::unique_ptr<SqliteLeadInbox>(new SqliteLeadInbox(std::move(impl)));
}

Result<bool> SqliteLeadInbox::Accept(const LeadNotification& lead) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope insert(impl_->insert);
  insert->Bind(1, lead.leadgen_id);
  insert->Bind(2, lead.page_id);
  insert->Bind(3, lead.form_id);
  insert->Bind(4, lead.ad_id);
  insert->Bind(5, lead.received_at);
  if (Status s = insert->Run(); !s.ok()) return s;
  return sqlite3_changes(impl_->db) > 0;
}

Result<std::vector<LeadNotification>> SqliteLeadInbox::Pending() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope pending(impl_->pending);
  return sqlite::CollectRows<LeadNotification>(*pending, "pending leads", ReadLead);
}

Result<std::vector<LeadNotification>> SqliteLeadInbox::List(int limit) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope list(impl_->list);
  list->Bind(1, static_cast<int64_t>(limit));
  return sqlite::CollectRows<LeadNotification>(*list, "list leads", ReadLead);
}

Status SqliteLeadInbox::Finish(std::string_view leadgen_id, std::string_view status,
                               std::string_view reason, TimePoint now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope finish(impl_->finish);
  finish->Bind(1, leadgen_id);
  finish->Bind(2, status);
  finish->Bind(3, reason);
  finish->Bind(4, now);
  return finish->Run();
}

}  // namespace bot
