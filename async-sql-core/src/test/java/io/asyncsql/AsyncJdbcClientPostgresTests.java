package io.asyncsql;

import com.zaxxer.hikari.HikariDataSource;

/**
 * {@link AsyncJdbcClientContractTests} on the local PostgreSQL; skipped, or failed when
 * {@code ASYNC_SQL_REQUIRE_DATABASES=true}, when it does not answer.
 */
class AsyncJdbcClientPostgresTests extends AsyncJdbcClientContractTests {

	@Override
	HikariDataSource createDataSource() {
		TestDatabase.POSTGRESQL.assumeAvailable();
		return TestDatabase.POSTGRESQL.pool("client-postgres", 4);
	}

	@Override
	String longQuery() {
		return "select pg_sleep(60)";
	}

}
