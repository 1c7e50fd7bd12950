// The throwaway PostgreSQL server of the tests (scripts/test_postgres.sh, started by the CTest
// fixture `postgres`), and a fresh schema per store so that tests run in parallel on it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bot/postgres_store.h"
#include "bot/store.h"

namespace bot::testing {

// libpq's conninfo of the test server: $BOT_TEST_POSTGRES, else the file the fixture wrote in
// the build dir. Fails the calling test (and returns "") when neither is there.
std::string TestPostgresConninfo();
// The same as a libpq URI, as botrunner's `database:` takes it: "postgresql:///bot_test?host=
// /tmp/...&user=postgres" ($BOT_TEST_POSTGRES as it is when it is a URI already).
std::string TestPostgresUri();

// Schemas named uniquely for this process, dropped (with their tables) when this goes away.
class TestSchemas {
 public:
  TestSchemas() = default;
  ~TestSchemas();
  TestSchemas(const TestSchemas&) = delete;
  TestSchemas& operator=(const TestSchemas&) = delete;

  // A new schema name, "t_<random hex>", not created yet (OpenPostgresStore creates it).
  std::string NewName();
  // A store on a new empty schema; fails the calling test and returns null when it cannot.
  std::unique_ptr<Store> OpenEmpty(PostgresOptions options = {});
  // Another store (connection) on the schema `options.schema`.
  std::unique_ptr<Store> Open(const PostgresOptions& options);

 private:
  std::vector<std::string> names_;
};

}  // namespace bot::testing
