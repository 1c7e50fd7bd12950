// SqliteEventQueue: deliveries of stored events to the event sinks.
#include <mutex>

#include "bot/event_queue.h"
#include "bot/sqlite_store.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

namespace bot {
namespace {

constexpr const char* kColumns =
    "d.id, d.event_id, d.sink, d.contact_id, d.status, d.attempts, d.next_attempt_at, "
    "d.last_error, d.delivered_at, e.type, e.data, e.created_at";

Status ReadDelivery(const sqlite::Statement& row, Delivery* d) {
  d->id = row.Int(0);
  d->event_id = row.Int(1);
  d->sink = row.Text(2);
  d->contact_id = row.Int(3);
  d->status = row.Text(4);
  d->attempts = static_cast<int>(row.Int(5));
  d->next_attempt_at = row.Time(6);
  d->last_error = row.Text(7);
  d->delivered_at = row.OptionalTime(8);
  d->event.type = row.Text(9);
  d->event.data_json = row.Text(10);
  d->event_time = row.Time(11);
  return Status::Ok();
}

}  // namespace

struct SqliteEventQueue::Impl {
  sqlite3* db = nullptr;
  std::mutex mu;  // the connection and the statements
  sqlite::Statement cursor, events_after, insert, move_cursor, due, next_due, delivered, retry,
      dead, list, revive_one, revive_all;

  ~Impl() {
    // Statements finalise after this body; close_v2 waits for them.
    sqlite3_close_v2(db);
  }

  Status Prepare() {
    const std::pair<sqlite::Statement*, std::string> statements[] = {
        {&cursor, "SELECT last_event_id FROM sink_cursors WHERE sink = ?1"},
        {&events_after, "SELECT id, contact_id, type FROM events WHERE id > ?1 ORDER BY id"},
        {&insert,
         "INSERT OR IGNORE INTO deliveries (event_id, sink, contact_id, status, next_attempt_at) "
         "VALUES (?1, ?2, ?3, 'pending', ?4)"},
        {&move_cursor,
         "INSERT INTO sink_cursors (sink, last_event_id) VALUES (?1, ?2) "
         "ON CONFLICT (sink) DO UPDATE SET last_event_id = excluded.last_event_id"},
        {&due, std::string("SELECT ") + kColumns +
                   " FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.sink = ?1 AND "
                   "d.status = 'pending' AND d.next_attempt_at <= ?2 AND d.id = (SELECT min(id) "
                   "FROM deliveries WHERE sink = ?1 AND contact_id = d.contact_id AND status = "
                   "'pending') ORDER BY d.id LIMIT ?3"},
        {&next_due,
         "SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.sink = ?1 AND d.status = "
         "'pending' AND d.id = (SELECT min(id) FROM deliveries WHERE sink = ?1 AND contact_id = "
         "d.contact_id AND status = 'pending')"},
        {&delivered,
         "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
         "last_error = '' WHERE id = ?1 AND status = 'pending'"},
        {&retry,
         "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
         "WHERE id = ?1 AND status = 'pending'"},
        {&dead,
         "UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_error = ?2 "
         "WHERE id = ?1 AND status = 'pending'"},
        {&list, std::string("SELECT ") + kColumns +
                    " FROM deliveries d JOIN events e ON e.id = d.event_id WHERE (?1 = '' OR "
                    "d.status = ?1) AND (?2 = '' OR d.sink = ?2) ORDER BY d.id DESC LIMIT ?3"},
        {&revive_one,
         "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?2 "
         "WHERE id = ?1 AND status = 'dead' AND last_error != 'erased'"},
        {&revive_all,
         "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?1 "
         "WHERE status = 'dead' AND last_error != 'erased'"},
    };
    for (const auto& [stmt, sql] : statements) {
      if (Status s = stmt->Prepare(db, sql); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status Update(sqlite::Statement& stmt, const char* what) {
    if (Status s = stmt.Run(); !s.ok()) return s;
    if (sqlite3_changes(db) == 0) return NotFound(std::string(what) + ": no such pending delivery");
    return Status::Ok();
  }
};

SqliteEventQueue::SqliteEventQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteEventQueue::~SqliteEventQueue() = default;

Result<std::unique_ptr<SqliteEventQueue>> SqliteEventQueue::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (Status s = sqlite::OpenMigrated(path, SqliteOptions{}, &impl->db); !s.ok()) return s;
  if (Status s = impl->Prepare(); !s.ok()) return s;
  return std::unique_ptr<SqliteEventQueue>(new SqliteEventQueue(std::move(impl)));
}

Result<int> SqliteEventQueue::Fanout(std::string_view sink, const std::vector<std::string>& types,
                                     TimePoint now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (Status s = sqlite::Exec(impl_->db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](Status s) {
    (void)sqlite::Exec(impl_->db, "ROLLBACK");
    return s;
  };
  int64_t last = 0;
  {
    sqlite::Scope cursor(impl_->cursor);
    cursor->Bind(1, sink);
    if (cursor->Step() == SQLITE_ROW) last = cursor->Int(0);
  }
  int added = 0;
  int64_t seen = last;
  {
    sqlite::Scope events(impl_->events_after);
    events->Bind(1, last);
    int rc;
    while ((rc = events->Step()) == SQLITE_ROW) {
      seen = events->Int(0);
      const std::string type = events->Text(2);
      bool wanted = false;
      for (const std::string& t : types) wanted = wanted || t == "*" || t == type;
      if (!wanted) continue;
      sqlite::Scope insert(impl_->insert);
      insert->Bind(1, seen);
      insert->Bind(2, sink);
      insert->Bind(3, events->Int(1));
      insert->Bind(4, now);
      if (Status s = insert->Run(); !s.ok()) return fail(s);
      added += sqlite3_changes(impl_->db);
    }
    if (rc != SQLITE_DONE) return fail(sqlite::Error(impl_->db, rc, "fan out events"));
  }
  if (seen != last) {
    sqlite::Scope move(impl_->move_cursor);
    move->Bind(1, sink);
    move->Bind(2, seen);
    if (Status s = move->Run(); !s.ok()) return fail(s);
  }
  if (Status s = sqlite::Exec(impl_->db, "COMMIT"); !s.ok()) return fail(s);
  return added;
}

Result<std::vector<Delivery>> SqliteEventQueue::Due(std::string_view sink, TimePoint now,
                                                    int limit) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope due(impl_->due);
  due->Bind(1, sink);
  due->Bind(2, now);
  due->Bind(3, static_cast<int64_t>(limit));
  return sqlite::CollectRows<Delivery>(*due, "due deliveries", ReadDelivery);
}

Result<std::optional<TimePoint>> SqliteEventQueue::NextDue(std::string_view sink) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope next(impl_->next_due);
  next->Bind(1, sink);
  if (next->Step() != SQLITE_ROW) return sqlite::Error(impl_->db, SQLITE_ERROR, "next due");
  return next->OptionalTime(0);
}

Status SqliteEventQueue::MarkDelivered(int64_t id, TimePoint now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope stmt(impl_->delivered);
  stmt->Bind(1, id);
  stmt->Bind(2, now);
  return impl_->Update(*stmt, "delivered");
}

Status SqliteEventQueue::MarkRetry(int64_t id, TimePoint next, std::string_view error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope stmt(impl_->retry);
  stmt->Bind(1, id);
  stmt->Bind(2, next);
  stmt->Bind(3, error);
  return impl_->Update(*stmt, "retry");
}

Status SqliteEventQueue::MarkDead(int64_t id, std::string_view error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope stmt(impl_->dead);
  stmt->Bind(1, id);
  stmt->Bind(2, error);
  return impl_->Update(*stmt, "dead");
}

Result<std::vector<Delivery>> SqliteEventQueue::List(std::string_view status, std::string_view sink,
                                                     int limit) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Scope list(impl_->list);
  list->Bind(1, status);
  list->Bind(2, sink);
  list->Bind(3, static_cast<int64_t>(limit));
  return sqlite::CollectRows<Delivery>(*list, "list deliveries", ReadDelivery);
}

Result<int> SqliteEventQueue::Retry(std::optional<int64_t> id, TimePoint now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  sqlite::Statement& stmt = id ? impl_->revive_one : impl_->revive_all;
  sqlite::Scope scope(stmt);
  if (id) {
    scope->Bind(1, *id);
    scope->Bind(2, now);
  } else {
    scope->Bind(1, now);
  }
  if (Status s = scope->Run(); !s.ok()) return s;
  return sqlite3_changes(impl_->db);
}

}  // namespace bot
