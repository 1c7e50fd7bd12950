// The SQLite store's documents (what OCR read from a photo) and sealed provider reports: written
// inside a turn's transaction, listed for tools, tests and the credit desk.
#include "store/sqlite_rows.h"
#include "store/sqlite_store_impl.h"

namespace bot {

using sqlite::Scope;

Status SqliteStore::WriteDocuments(const TurnCommit& turn, int64_t session_id) {
  const int64_t contact_id = turn.contact.id;
  for (const Document& document : turn.documents) {
    {
      Scope replace(replace_documents_);
      replace->Bind(1, contact_id);
      replace->Bind(2, document.kind);
      replace->Bind(3, turn.now);
      if (Status s = Run(*replace, "replace documents"); !s.ok()) return s;
    }
    const std::string fields = VarsToJson(document.fields);
    Scope insert(insert_document_);
    insert->Bind(1, contact_id);
    if (session_id != 0) insert->Bind(2, session_id);
    insert->Bind(3, document.kind);
    insert->Bind(4, document.slot);
    insert->Bind(5, document.path);
    insert->Bind(6, document.sha256);
    insert->Bind(7, document.content_type);
    insert->Bind(8, fields);
    insert->Bind(9, document.message_id);
    insert->Bind(10, turn.now);
    if (Status s = Run(*insert, "insert document"); !s.ok()) return s;
  }
  for (const SealedReport& report : turn.reports) {
    Scope insert(insert_report_);
    insert->Bind(1, contact_id);
    if (session_id != 0) insert->Bind(2, session_id);
    insert->Bind(3, report.kind);
    insert->Bind(4, report.key_id);
    insert->BindBlob(5, report.blob);
    insert->Bind(6, report.summary);
    insert->Bind(7, turn.now);
    if (Status s = Run(*insert, "insert sealed report"); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<std::vector<StoredDocument>> SqliteStore::ListDocuments(int64_t contact_id) {
  return OfContact<StoredDocument>(
      list_documents_, contact_id, "list documents",
      [](const sqlite::Statement& row, StoredDocument* d) {
        d->id = row.Int(0);
        d->contact_id = row.Int(1);
        d->session_id = row.Int(2);
        Document& document = d->document;
        document.kind = row.Text(3);
        document.slot = row.Text(4);
        document.path = row.Text(5);
        document.sha256 = row.Text(6);
        document.content_type = row.Text(7);
        document.message_id = row.Text(9);
        d->created_at = row.Time(10);
        d->replaced_at = row.OptionalTime(11);
        const std::string fields = row.Text(8, sqlite::kJsonPadding);
        if (fields == "{}" || VarsFromJson(fields, &document.fields)) return Status::Ok();
        return Internal("document " + std::to_string(d->id) + ": bad fields JSON");
      });
}

Result<std::vector<StoredEvent>> SqliteStore::ListEvents(int64_t contact_id) {
  return OfContact<StoredEvent>(list_events_, contact_id, "list events",
                                [](const sqlite::Statement& row, StoredEvent* e) {
                                  e->id = row.Int(0);
                                  e->contact_id = row.Int(1);
                                  e->session_id = row.Int(2);
                                  e->event.type = row.Text(3);
                                  e->event.data_json = row.Text(4);
                                  e->created_at = row.Time(5);
                                  return Status::Ok();
                                });
}

Result<std::vector<StoredReport>> SqliteStore::ListReports(int64_t contact_id) {
  return OfContact<StoredReport>(list_reports_, contact_id, "list sealed reports",
                                 [](const sqlite::Statement& row, StoredReport* r) {
                                   r->id = row.Int(0);
                                   r->contact_id = row.Int(1);
                                   r->session_id = row.Int(2);
                                   r->report.kind = row.Text(3);
                                   r->report.key_id = row.Text(4);
                                   r->report.blob = row.Blob(5);
                                   r->report.summary = row.Text(6);
                                   r->created_at = row.Time(7);
                                   return Status::Ok();
                                 });
}

}  // namespace bot
