package io.asyncsql;

import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;

/**
 * {@link AsyncJdbcClientContractTests} on H2 in memory.
 */
class AsyncJdbcClientH2Tests extends AsyncJdbcClientContractTests {

	@Override
	HikariDataSource createDataSource() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl("jdbc:h2:mem:client-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		dataSource.setUsername("sa");
		dataSource.setMaximumPoolSize(4);
		return dataSource;
	}

	@Override
	String longQuery() {
		return H2.LONG_QUERY;
	}

}
