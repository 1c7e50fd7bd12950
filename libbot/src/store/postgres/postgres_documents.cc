// The PostgreSQL store's documents (what OCR read) and sealed provider reports.
#include "bot/value.h"
#include "store/postgres/postgres_store_impl.h"

namespace bot {

using pg::Params;
using pg::Rows;

Status PostgresStore::WriteDocuments(pg::Connection& conn, const TurnCommit& turn,
                                     int64_t session_id) {
  const int64_t contact_id = turn.contact.id;
  for (const Document& document : turn.documents) {
    // A new document replaces the contact's current one of its kind (kept for the audit).
    auto replaced = conn.Run(
        "UPDATE documents SET replaced_at = $3 "
        "WHERE contact_id = $1 AND kind = $2 AND replaced_at IS NULL",
        Params().Add(contact_id).Add(document.kind).Add(turn.now), "replace documents");
    if (!replaced.ok()) return replaced.status();
    auto inserted = conn.Run(
        "INSERT INTO documents (contact_id, session_id, kind, slot, path, sha256, content_type, "
        "fields, message_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        Params()
            .Add(contact_id)
            .AddIdOrNull(session_id)
            .Add(document.kind)
            .Add(document.slot)
            .Add(document.path)
            .Add(document.sha256)
            .Add(document.content_type)
            .Add(VarsToJson(document.fields))
            .Add(document.message_id)
            .Add(turn.now),
        "insert document");
    if (!inserted.ok()) return inserted.status();
  }
  for (const SealedReport& report : turn.reports) {
    auto inserted = conn.Run(
        "INSERT INTO sealed_reports (contact_id, session_id, kind, key_id, blob, summary, "
        "created_at) VALUES ($1, $2, $3, $4, $5::bytea, $6, $7)",
        Params()
            .Add(contact_id)
            .AddIdOrNull(session_id)
            .Add(report.kind)
            .Add(report.key_id)
            .Bytes(report.blob)
            .Add(report.summary)
            .Add(turn.now),
        "insert sealed report");
    if (!inserted.ok()) return inserted.status();
  }
  return Status::Ok();
}

Result<std::vector<StoredDocument>> PostgresStore::ListDocuments(int64_t contact_id) {
  return OfContact<StoredDocument>(
      "SELECT id, contact_id, session_id, kind, slot, path, sha256, content_type, fields, "
      "message_id, created_at, replaced_at FROM documents WHERE contact_id = $1 ORDER BY id",
      contact_id, "list documents", [](const Rows& rows, int i, StoredDocument* d) {
        d->id = rows.Int(i, 0);
        d->contact_id = rows.Int(i, 1);
        d->session_id = rows.Int(i, 2);
        Document& document = d->document;
        document.kind = rows.Text(i, 3);
        document.slot = rows.Text(i, 4);
        document.path = rows.Text(i, 5);
        document.sha256 = rows.Text(i, 6);
        document.content_type = rows.Text(i, 7);
        document.message_id = rows.Text(i, 9);
        d->created_at = rows.Time(i, 10);
        d->replaced_at = rows.OptionalTime(i, 11);
        const std::string fields = rows.Text(i, 8);
        if (fields == "{}" || VarsFromJson(fields, &document.fields)) return Status::Ok();
        return Internal("document " + std::to_string(d->id) + ": bad fields JSON");
      });
}

Result<std::vector<StoredReport>> PostgresStore::ListReports(int64_t contact_id) {
  return OfContact<StoredReport>(
      "SELECT id, contact_id, session_id, kind, key_id, blob, summary, created_at "
      "FROM sealed_reports WHERE contact_id = $1 ORDER BY id",
      contact_id, "list sealed reports", [](const Rows& rows, int i, StoredReport* r) {
        r->id = rows.Int(i, 0);
        r->contact_id = rows.Int(i, 1);
        r->session_id = rows.Int(i, 2);
        r->report.kind = rows.Text(i, 3);
        r->report.key_id = rows.Text(i, 4);
        r->report.blob = rows.Bytes(i, 5);
        r->report.summary = rows.Text(i, 6);
        r->created_at = rows.Time(i, 7);
        return Status::Ok();
      });
}

}  // namespace bot
