#include "store/postgres/pg_connection.h"

#include <charconv>
#include <utility>

namespace bot::pg {

namespace {

// SQLSTATE unique_violation.
constexpr std::string_view kUniqueViolation = "23505";

std::string Trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

Params& Params::Add(std::string_view text) {
  values_.emplace_back(std::string(text));
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(int64_t value) { return Add(std::string_view(std::to_string(value))); }

Params& Params::Add(bool value) { return Add(std::string_view(value ? "true" : "false")); }

Params& Params::Add(TimePoint t) { return Add(static_cast<int64_t>(ToUnixMillis(t))); }

Params& Params::Add(std::optional<TimePoint> t) { return t ? Add(*t) : AddNull(); }

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

Params& Params::AddOrNull(std::string_view text) { return text.empty() ? AddNull() : Add(text); }

Params& Params::AddIdOrNull(int64_t id) { return id == 0 ? AddNull() : Add(id); }

Params& Params::Bytes(std::string_view bytes) {
  values_.emplace_back(std::string(bytes));
  formats_.push_back(1);
  return *this;
}

std::vector<const char*> Params::Values() const {
  std::vector<const char*> out;
  for (const auto& value : values_) out.push_back(value ? value->data() : nullptr);
  return out;
}

std::vector<int> Params::Lengths() const {
  std::vector<int> out;
  for (const auto& value : values_) out.push_back(value ? static_cast<int>(value->size()) : 0);
  return out;
}

int64_t Rows::Changed() const {
  const char* n = PQcmdTuples(result_.get());
  int64_t value = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}

std::string Rows::Text(int row, int col) const {
  if (IsNull(row, col)) return std::string();
  return std::string(PQgetvalue(result_.get(), row, col),
                     static_cast<size_t>(PQgetlength(result_.get(), row, col)));
}

int64_t Rows::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* text = PQgetvalue(result_.get(), row, col);
  int64_t value = 0;
  std::from_chars(text, text + PQgetlength(result_.get(), row, col), value);
  return value;
}

std::optional<TimePoint> Rows::OptionalTime(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Time(row, col);
}

std::string Rows::Bytes(int row, int col) const {
  if (IsNull(row, col)) return std::string();
  size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, col)), &length);
  if (bytes == nullptr) return std::string();
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::unique_ptr<Connection> connection(new Connection(conn));
  if (conn == nullptr) return Unavailable("postgresql: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    return Unavailable("postgresql: cannot connect: " + Trimmed(PQerrorMessage(conn)));
  }
  // Notices (e.g. "schema already exists, skipping") are not errors: keep them off stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  if (in_transaction_) {
    return Unavailable("postgresql: connection lost in a transaction (rolled back by the server)");
  }
  prepared_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable("postgresql: connection lost, reconnecting failed: " +
                       Trimmed(PQerrorMessage(conn_)));
  }
  return schema_.empty() ? Status::Ok() : UseSchema(schema_);
}

Status Connection::UseSchema(const std::string& schema) {
  auto set = Run("SELECT set_config('search_path', format('%I', $1::text), false)",
                 Params().Add(schema), "set search_path");
  if (!set.ok()) return set.status();
  schema_ = schema;
  return Status::Ok();
}

Status Connection::ErrorOf(const PGresult* result, const char* what) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message =
      std::string("postgresql: ") + what + ": " +
      Trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (PQstatus(conn_) != CONNECTION_OK) return Unavailable(message);
  if (state != nullptr && state == kUniqueViolation) {
    return Status(StatusCode::kAlreadyExists, message);
  }
  return Internal(message);
}

Result<Rows> Connection::Run(const std::string& sql, const Params& params, const char* what) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    Rows prepared(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (PQresultStatus(prepared.result()) != PGRES_COMMAND_OK) {
      return ErrorOf(prepared.result(), what);
    }
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = params.Values();
  const std::vector<int> lengths = params.Lengths();
  Rows rows(PQexecPrepared(conn_, found->second.c_str(), params.size(), values.data(),
                           lengths.data(), params.Formats(), 0));
  const ExecStatusType status = PQresultStatus(rows.result());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorOf(rows.result(), what);
  return rows;
}

Status Connection::Exec(const std::string& sql, const char* what) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  Rows rows(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = PQresultStatus(rows.result());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorOf(rows.result(), what);
  return Status::Ok();
}

Transaction::~Transaction() {
  if (!open_) return;
  conn_.in_transaction_ = false;
  // Over a lost connection the server has rolled back already; nothing to do then.
  if (PQstatus(conn_.conn_) == CONNECTION_OK) (void)conn_.Exec("ROLLBACK", "rollback");
}

Status Transaction::Begin(const char* begin) {
  Status s = conn_.Exec(begin, "begin");
  open_ = s.ok();
  conn_.in_transaction_ = open_;
  return s;
}

Status Transaction::Commit() {
  Status s = conn_.Exec("COMMIT", "commit");
  open_ = false;
  conn_.in_transaction_ = false;
  return s;
}

}  // namespace bot::pg
