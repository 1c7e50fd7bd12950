#include "support/test_postgres.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace bot::testing {

std::string TestPostgresConninfo() {
  if (const char* env = std::getenv("BOT_TEST_POSTGRES"); env != nullptr && *env != '\0') {
    return env;
  }
  const std::string file = std::string(BOT_TEST_POSTGRES_STATE) + "/conninfo";
  std::ifstream in(file);
  std::string conninfo;
  if (!std::getline(in, conninfo) || conninfo.empty()) {
    ADD_FAILURE() << "no test PostgreSQL server: set BOT_TEST_POSTGRES, or run "
                     "scripts/test_postgres.sh start "
                  << BOT_TEST_POSTGRES_STATE << " (ctest does it: fixture `postgres`)";
  }
  return conninfo;
}

std::string TestPostgresUri() {
  const std::string conninfo = TestPostgresConninfo();
  if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
    return conninfo;
  }
  // "key=value key=value": the test server's conninfo has no quoted values.
  std::string dbname, query;
  std::istringstream words(conninfo);
  for (std::string word; words >> word;) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) continue;
    if (word.substr(0, eq) == "dbname") {
      dbname = word.substr(eq + 1);
    } else {
      query += (query.empty() ? "?" : "&") + word;
    }
  }
  return "postgresql:///" + dbname + query;
}

TestSchemas::~TestSchemas() {
  if (names_.empty()) return;
  PGconn* conn = PQconnectdb(TestPostgresConninfo().c_str());
  if (PQstatus(conn) == CONNECTION_OK) {
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    for (const std::string& name : names_) {
      // The names are ours ("t_" and hex digits): nothing to quote.
      PQclear(PQexec(conn, ("DROP SCHEMA IF EXISTS " + name + " CASCADE").c_str()));
    }
  }
  PQfinish(conn);
}

std::string TestSchemas::NewName() {
  std::random_device random;
  const uint64_t bits = (uint64_t{random()} << 32) | random();
  names_.push_back(fmt::format("t_{:016x}", bits));
  return names_.back();
}

std::unique_ptr<Store> TestSchemas::OpenEmpty(PostgresOptions options) {
  options.schema = NewName();
  return Open(options);
}

std::unique_ptr<Store> TestSchemas::Open(const PostgresOptions& options) {
  auto store = OpenPostgresStore(TestPostgresConninfo(), options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

}  // namespace bot::testing
