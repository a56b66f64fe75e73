package io.asyncsql;

import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * HikariCP pools over private H2 in-memory databases, shared across threads.
 */
final class H2 {

	private H2() {
	}

	static HikariDataSource pool(int size) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		config.setUsername("sa");
		config.setMaximumPoolSize(size);
		config.setPoolName("h2-test");
		return new HikariDataSource(config);
	}

	/**
	 * A query that keeps H2 busy far longer than any test waits, and checks for
	 * cancellation while it runs.
	 */
	static final String LONG_QUERY = "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B WHERE A.X + B.X = 3";

}
