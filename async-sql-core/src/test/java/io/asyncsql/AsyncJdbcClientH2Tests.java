package io.asyncsql;

import com.zaxxer.hikari.HikariDataSource;

/**
 * {@link AsyncJdbcClientContractTests} on H2 in memory.
 */
class AsyncJdbcClientH2Tests extends AsyncJdbcClientContractTests {

	@Override
	HikariDataSource createDataSource() {
		return TestDatabase.H2.pool("client-h2", 4);
	}

	@Override
	String longQuery() {
		return H2.LONG_QUERY;
	}

}
