#include "store/postgres/pg_pool.h"

#include <utility>

namespace bot::pg {

Pool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->GiveBack(std::move(conn_));
}

Pool::Pool(std::string conninfo, std::string schema, int size, std::unique_ptr<Connection> first)
    : conninfo_(std::move(conninfo)), schema_(std::move(schema)), size_(size) {
  idle_.push_back(std::move(first));
  open_ = 1;
}

Result<Pool::Lease> Pool::Acquire() {
  {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    ++open_;  // this slot is ours while we connect, outside the lock
  }
  auto conn = OpenConnection();
  if (!conn.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    returned_.notify_one();  // the slot is free again for a waiter to try
    return conn.status();
  }
  return Lease(*this, std::move(*conn));
}

Result<std::unique_ptr<Connection>> Pool::OpenConnection() const {
  auto conn = Connection::Open(conninfo_);
  if (!conn.ok()) return conn.status();
  if (!schema_.empty()) {
    if (Status s = (*conn)->UseSchema(schema_); !s.ok()) return s;
  }
  return conn;
}

void Pool::GiveBack(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }
  returned_.notify_one();
}

}  // namespace bot::pg
