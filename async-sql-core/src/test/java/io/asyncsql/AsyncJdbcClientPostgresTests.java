package io.asyncsql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * {@link AsyncJdbcClientContractTests} on PostgreSQL at 127.0.0.1:5432; skipped when the
 * server is not running, unless {@code ASYNC_SQL_REQUIRE_DATABASES=true}.
 */
class AsyncJdbcClientPostgresTests extends AsyncJdbcClientContractTests {

	private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

	@Override
	HikariDataSource createDataSource() {
		try (Connection connection = DriverManager.getConnection(URL + "?connectTimeout=3", "postgres", "")) {
			connection.isValid(3);
		}
		catch (SQLException ex) {
			String message = "PostgreSQL is not reachable at " + URL + " (user postgres): " + ex.getMessage();
			if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
				throw new IllegalStateException(message + "; ASYNC_SQL_REQUIRE_DATABASES=true requires it", ex);
			}
			Assumptions.abort(message + "; skipping");
		}
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(URL);
		dataSource.setUsername("postgres");
		dataSource.setMaximumPoolSize(4);
		return dataSource;
	}

	@Override
	String longQuery() {
		return "select pg_sleep(60)";
	}

}
